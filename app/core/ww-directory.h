/* ww-directory.h: the provider directory (SQLite, FTS5, R*Tree)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ww-plugin-engine.h"
#include "ww-provider.h"
#include "ww-query.h"
#include "ww-search-results.h"

G_BEGIN_DECLS

#define WW_DIRECTORY_SCHEMA_VERSION 2

/* The source of listings that came from a relay's change log. */
#define WW_DIRECTORY_SOURCE_RELAY "relay"

#define WW_TYPE_DIRECTORY (ww_directory_get_type ())
G_DECLARE_FINAL_TYPE (WwDirectory, ww_directory, WW, DIRECTORY, GObject)

/* Opens (creating if needed) and migrates the directory at @path. A
 * corrupt file is never overwritten: it is moved aside (see
 * ww_directory_get_recovered_path()) and an empty directory is made. */
WwDirectory     *ww_directory_open                (const char     *path,
                                                   GError        **error);
void             ww_directory_open_async          (const char     *path,
                                                   GCancellable   *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer        user_data);
WwDirectory     *ww_directory_open_finish         (GAsyncResult   *result,
                                                   GError        **error);
/* Opens an existing directory to read only: nothing is created,
 * migrated, seeded or moved aside, and every write fails with
 * WW_DIRECTORY_ERROR_READ_ONLY. For a program that serves a directory
 * another one keeps, such as the relay. */
WwDirectory     *ww_directory_open_read_only      (const char     *path,
                                                   GError        **error);
char            *ww_directory_dup_default_path    (void);

const char      *ww_directory_get_path            (WwDirectory    *self);
/* where a corrupt file was moved to when this directory was opened */
const char      *ww_directory_get_recovered_path  (WwDirectory    *self);
gboolean         ww_directory_get_read_only       (WwDirectory    *self);

/* The engine's plugins give category words to the index; seeding puts
 * each plugin's providers in, again only when its data changed. */
void             ww_directory_set_plugin_engine   (WwDirectory    *self,
                                                   WwPluginEngine *engine);
gboolean         ww_directory_seed                (WwDirectory    *self,
                                                   WwPluginEngine *engine,
                                                   GError        **error);

/* Adds or replaces (by id) @providers in one transaction: all or none.
 * @source says where they came from: a plugin id, or "import". */
gboolean         ww_directory_add_providers       (WwDirectory    *self,
                                                   GPtrArray      *providers,
                                                   const char     *source,
                                                   GError        **error);
gboolean         ww_directory_remove_source       (WwDirectory    *self,
                                                   const char     *source,
                                                   GError        **error);

guint            ww_directory_count               (WwDirectory    *self,
                                                   const char     *theme);
guint            ww_directory_count_sample        (WwDirectory    *self);
WwProvider      *ww_directory_lookup              (WwDirectory    *self,
                                                   const char     *id,
                                                   GError        **error);
WwProvider      *ww_directory_lookup_by_rowid     (WwDirectory    *self,
                                                   gint64          rowid,
                                                   GError        **error);

typedef gboolean (*WwDirectoryForeachFunc) (WwProvider *provider,
                                            gpointer    user_data,
                                            GError    **error);
/* every provider, by id; stops at the first callback that fails */
gboolean         ww_directory_foreach             (WwDirectory    *self,
                                                   const char     *theme,
                                                   WwDirectoryForeachFunc func,
                                                   gpointer        user_data,
                                                   GError        **error);

/* The change log. Every add, replace and removal of a listing gets the
 * next change number; only a listing's latest change is kept.
 *
 * Writes, in change order, one line of HSDS NDJSON for every listing
 * whose latest change is after @since, and {"id":"…","deleted":true}
 * for every one removed since; at most @limit lines (0: all). Every line
 * ends in a newline. *@next_since is the number of the last change
 * written, or @since when there was none: pass it next time, and when a
 * page was full, again at once for the rest. Reads a snapshot on a
 * connection of its own, so it may be called from any thread and works
 * on a read-only directory; @out is written, not closed. */
gboolean         ww_directory_write_changes       (WwDirectory    *self,
                                                   gint64          since,
                                                   guint           limit,
                                                   GOutputStream  *out,
                                                   gint64         *next_since,
                                                   GCancellable   *cancellable,
                                                   GError        **error);

typedef struct {
  guint added;
  guint changed;
  guint removed;
} WwDirectoryChangeCounts;

/* Applies what ww_directory_write_changes() wrote, in one transaction:
 * every line is checked as an import is (and, when a plugin engine is
 * set, its theme and category against the plugins), and one bad line
 * leaves the directory as it was, with a WW_HSDS_ERROR that names the
 * line. Added and changed listings get the source
 * WW_DIRECTORY_SOURCE_RELAY; a removal of a listing that is not here is
 * no error. When @relay is given, @next_since is stored in the same
 * transaction as how far the directory is synced from it (see
 * ww_directory_get_sync_point()). The stream is read as it arrives;
 * the write lock is held until its end. */
gboolean         ww_directory_apply_changes       (WwDirectory    *self,
                                                   GInputStream   *delta,
                                                   const char     *relay,
                                                   gint64          next_since,
                                                   WwDirectoryChangeCounts *counts,
                                                   GCancellable   *cancellable,
                                                   GError        **error);
/* *@since: what ww_directory_apply_changes() last stored for @relay; 0
 * when the directory was never synced from it */
gboolean         ww_directory_get_sync_point      (WwDirectory    *self,
                                                   const char     *relay,
                                                   gint64         *since,
                                                   GError        **error);

WwSearchResults *ww_directory_search              (WwDirectory    *self,
                                                   const WwQuery  *query,
                                                   GCancellable   *cancellable,
                                                   GError        **error);
/* In a worker thread; when @cancellable is cancelled, SQLite is
 * interrupted and the task returns G_IO_ERROR_CANCELLED. */
void             ww_directory_search_async        (WwDirectory    *self,
                                                   const WwQuery  *query,
                                                   GCancellable   *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer        user_data);
WwSearchResults *ww_directory_search_finish       (WwDirectory    *self,
                                                   GAsyncResult   *result,
                                                   GError        **error);

G_END_DECLS
