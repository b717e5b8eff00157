/* ww-info-view.h: a theme's information page, shown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "wegwijzer.h"

G_BEGIN_DECLS

/* WwInfoPage is the plugin's description of a page; this is the widget. */
#define WW_TYPE_INFO_VIEW (ww_info_view_get_type ())
G_DECLARE_FINAL_TYPE (WwInfoView, ww_info_view, WW, INFO_VIEW, GtkWidget)

void        ww_info_view_set_page (WwInfoView *self,
                                   WwPlugin   *plugin,
                                   WwInfoPage *page);
WwInfoPage *ww_info_view_get_page (WwInfoView *self);

G_END_DECLS
