/* ww-search-results-private.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ww-directory.h"
#include "ww-search-results.h"

G_BEGIN_DECLS

/* @rowids (gint64) and @distances (double, -1 for none) are taken. */
WwSearchResults *ww_search_results_new      (WwDirectory *directory,
                                             GArray      *rowids,
                                             GArray      *distances,
                                             gboolean     truncated,
                                             const char  *corrected);
/* Loads the first @n items now, so the UI thread need not. */
gboolean         ww_search_results_prefetch (WwSearchResults *self,
                                             guint            n,
                                             GError         **error);

G_END_DECLS
