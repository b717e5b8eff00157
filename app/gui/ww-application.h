/* ww-application.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define WW_TYPE_APPLICATION (ww_application_get_type ())
G_DECLARE_FINAL_TYPE (WwApplication, ww_application, WW, APPLICATION, AdwApplication)

typedef struct _WwWindow WwWindow;

WwApplication *ww_application_new         (void);
const char    *ww_application_get_db_path (WwApplication *self);
gboolean       ww_application_get_kiosk   (WwApplication *self);
/* the window that is shown now; a reset replaces it */
WwWindow      *ww_application_get_window  (WwApplication *self);
/* Quick exit, and the end of an idle visit: the clipboard emptied,
 * large text and high contrast off, the language back to the first
 * one, and @window replaced by a new one on the neutral welcome page. */
void           ww_application_reset       (WwApplication *self,
                                           WwWindow      *window);
/* @window made anew in @code's language, on the start page */
void           ww_application_switch_language (WwApplication *self,
                                               WwWindow      *window,
                                               const char    *code);

G_END_DECLS
