/* ww-search-results.c
 *
 * Results keep row ids only and load providers when asked for them, so a
 * list of a million rows costs a few megabytes; the first page is loaded
 * in the search thread.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-search-results"

#include "config.h"

#include "ww-search-results-private.h"

struct _WwSearchResults
{
  GObject      parent_instance;

  WwDirectory *directory;
  GArray      *rowids;
  GArray      *distances;
  GHashTable  *loaded;     /* position → WwProvider */
  char        *corrected;
  gboolean     truncated;
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WwSearchResults, ww_search_results, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
ww_search_results_get_item_type (GListModel *model)
{
  return WW_TYPE_PROVIDER;
}

static guint
ww_search_results_get_n_items (GListModel *model)
{
  WwSearchResults *self = WW_SEARCH_RESULTS (model);

  return self->rowids->len;
}

static WwProvider *
load_item (WwSearchResults  *self,
           guint             position,
           GError          **error)
{
  WwProvider *provider = g_hash_table_lookup (self->loaded, GUINT_TO_POINTER (position));

  if (provider != NULL)
    return provider;

  provider = ww_directory_lookup_by_rowid (self->directory,
                                           g_array_index (self->rowids, gint64, position),
                                           error);
  if (provider == NULL)
    return NULL;

  ww_provider_set_distance (provider, g_array_index (self->distances, double, position));
  g_hash_table_insert (self->loaded, GUINT_TO_POINTER (position), provider);

  return provider;
}

static gpointer
ww_search_results_get_item (GListModel *model,
                            guint       position)
{
  WwSearchResults *self = WW_SEARCH_RESULTS (model);
  g_autoptr(GError) error = NULL;
  WwProvider *provider;

  if (position >= self->rowids->len)
    return NULL;

  provider = load_item (self, position, &error);
  if (provider == NULL)
    {
      /* The row went away under us (an import replaced it); the list is
       * refreshed by the next search. */
      g_debug ("Result %u is gone: %s", position, error->message);
      return NULL;
    }

  return g_object_ref (provider);
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = ww_search_results_get_item_type;
  iface->get_n_items = ww_search_results_get_n_items;
  iface->get_item = ww_search_results_get_item;
}

static void
ww_search_results_finalize (GObject *object)
{
  WwSearchResults *self = (WwSearchResults *)object;

  g_clear_object (&self->directory);
  g_clear_pointer (&self->rowids, g_array_unref);
  g_clear_pointer (&self->distances, g_array_unref);
  g_clear_pointer (&self->loaded, g_hash_table_unref);
  g_clear_pointer (&self->corrected, g_free);

  G_OBJECT_CLASS (ww_search_results_parent_class)->finalize (object);
}

static void
ww_search_results_class_init (WwSearchResultsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ww_search_results_finalize;
}

static void
ww_search_results_init (WwSearchResults *self)
{
  self->loaded = g_hash_table_new_full (NULL, NULL, NULL, g_object_unref);
}

WwSearchResults *
ww_search_results_new (WwDirectory *directory,
                       GArray      *rowids,
                       GArray      *distances,
                       gboolean     truncated,
                       const char  *corrected)
{
  WwSearchResults *self = g_object_new (WW_TYPE_SEARCH_RESULTS, NULL);

  g_return_val_if_fail (rowids->len == distances->len, NULL);

  self->directory = g_object_ref (directory);
  self->rowids = rowids;
  self->distances = distances;
  self->truncated = truncated;
  self->corrected = g_strdup (corrected);

  return self;
}

gboolean
ww_search_results_prefetch (WwSearchResults  *self,
                            guint             n,
                            GError          **error)
{
  g_return_val_if_fail (WW_IS_SEARCH_RESULTS (self), FALSE);

  for (guint i = 0; i < MIN (n, self->rowids->len); i++)
    if (load_item (self, i, error) == NULL)
      return FALSE;

  return TRUE;
}

gboolean
ww_search_results_get_truncated (WwSearchResults *self)
{
  g_return_val_if_fail (WW_IS_SEARCH_RESULTS (self), FALSE);

  return self->truncated;
}

const char *
ww_search_results_get_corrected (WwSearchResults *self)
{
  g_return_val_if_fail (WW_IS_SEARCH_RESULTS (self), NULL);

  return self->corrected;
}
