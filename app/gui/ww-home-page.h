/* ww-home-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "wegwijzer.h"

G_BEGIN_DECLS

#define WW_TYPE_HOME_PAGE (ww_home_page_get_type ())
G_DECLARE_FINAL_TYPE (WwHomePage, ww_home_page, WW, HOME_PAGE, GtkWidget)

/* one tile per plugin, in the model's order */
void ww_home_page_set_plugins (WwHomePage *self,
                               GListModel *plugins);
/* a calm message instead of (or besides) the tiles */
void ww_home_page_set_message (WwHomePage *self,
                               const char *title,
                               const char *description);
/* a way to "Check my request", for a screen that can book */
void ww_home_page_set_can_check (WwHomePage *self,
                                 gboolean    can_check);
/* one button per language, each in its own name */
void ww_home_page_set_languages (WwHomePage        *self,
                                 const char *const *codes);
void ww_home_page_reset       (WwHomePage *self);
void ww_home_page_focus       (WwHomePage *self);

G_END_DECLS
