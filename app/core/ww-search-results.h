/* ww-search-results.h: the answer to a search, as a GListModel of WwProvider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define WW_TYPE_SEARCH_RESULTS (ww_search_results_get_type ())
G_DECLARE_FINAL_TYPE (WwSearchResults, ww_search_results, WW, SEARCH_RESULTS, GObject)

/* TRUE when the query's limit cut the list short */
gboolean    ww_search_results_get_truncated (WwSearchResults *self);
/* the words actually searched for, after typo correction, or NULL */
const char *ww_search_results_get_corrected (WwSearchResults *self);

G_END_DECLS
