/* ww-result-row.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "wegwijzer.h"

G_BEGIN_DECLS

#define WW_TYPE_RESULT_ROW (ww_result_row_get_type ())
G_DECLARE_FINAL_TYPE (WwResultRow, ww_result_row, WW, RESULT_ROW, GtkWidget)

WwResultRow *ww_result_row_new          (void);
void         ww_result_row_set_provider (WwResultRow    *self,
                                         WwProvider     *provider,
                                         WwPluginEngine *engine);

G_END_DECLS
