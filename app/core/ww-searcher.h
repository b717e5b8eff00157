/* ww-searcher.h: search as you type, where a newer query cancels the older
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ww-directory.h"

G_BEGIN_DECLS

#define WW_TYPE_SEARCHER (ww_searcher_get_type ())
G_DECLARE_FINAL_TYPE (WwSearcher, ww_searcher, WW, SEARCHER, GObject)

WwSearcher      *ww_searcher_new         (WwDirectory   *directory);
/* Starts a search and cancels the one before it; "results-changed" is
 * emitted only for the newest query, "failed" for its errors. */
void             ww_searcher_search      (WwSearcher    *self,
                                          const WwQuery *query);
void             ww_searcher_cancel      (WwSearcher    *self);
WwSearchResults *ww_searcher_get_results (WwSearcher    *self);
gboolean         ww_searcher_get_busy    (WwSearcher    *self);

G_END_DECLS
