/* ww-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define WW_TYPE_APPLICATION (ww_application_get_type ())
G_DECLARE_FINAL_TYPE (WwApplication, ww_application, WW, APPLICATION, AdwApplication)

WwApplication *ww_application_new         (void);
const char    *ww_application_get_db_path (WwApplication *self);

G_END_DECLS
