/* ww-results-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "wegwijzer.h"

G_BEGIN_DECLS

#define WW_TYPE_RESULTS_PAGE (ww_results_page_get_type ())
G_DECLARE_FINAL_TYPE (WwResultsPage, ww_results_page, WW, RESULTS_PAGE, GtkWidget)

void             ww_results_page_set_directory (WwResultsPage  *self,
                                                WwDirectory    *directory,
                                                WwPluginEngine *engine);
/* a theme's listings (or all, for %NULL), searched for @text */
void             ww_results_page_show          (WwResultsPage  *self,
                                                WwPlugin       *theme,
                                                const char     *text);
void             ww_results_page_focus         (WwResultsPage  *self);
WwSearchResults *ww_results_page_get_results   (WwResultsPage  *self);
gboolean         ww_results_page_get_busy      (WwResultsPage  *self);
/* the friendly-fact toggle for @code, or "open-now"; for tests */
GtkToggleButton *ww_results_page_get_filter    (WwResultsPage  *self,
                                                const char     *code);

/* where this screen stands, for the "Near here" filter */
void ww_results_page_set_location (WwResultsPage *self,
                                   double         latitude,
                                   double         longitude);

G_END_DECLS
