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

#define WW_DIRECTORY_SCHEMA_VERSION 1

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
