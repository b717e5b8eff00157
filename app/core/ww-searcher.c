/* ww-searcher.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-searcher"

#include "config.h"

#include "ww-searcher.h"

struct _WwSearcher
{
  GObject          parent_instance;

  WwDirectory     *directory;
  GCancellable    *cancellable;
  WwSearchResults *results;
  guint            generation;
};

G_DEFINE_FINAL_TYPE (WwSearcher, ww_searcher, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DIRECTORY,
  PROP_RESULTS,
  PROP_BUSY,
  N_PROPS
};

enum {
  RESULTS_CHANGED,
  FAILED,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

typedef struct {
  WwSearcher *self;   /* weak: the searcher may go first */
  guint       generation;
} Pending;

static void
pending_free (Pending *pending)
{
  g_clear_weak_pointer (&pending->self);
  g_free (pending);
}

static void
search_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  Pending *pending = user_data;
  WwSearcher *self = pending->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(WwSearchResults) results = NULL;

  results = ww_directory_search_finish (WW_DIRECTORY (object), result, &error);

  /* Only the newest query speaks; older ones were cancelled or are
   * simply out of date. */
  if (self == NULL || pending->generation != self->generation)
    {
      pending_free (pending);
      return;
    }

  g_clear_object (&self->cancellable);

  if (results == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_signal_emit (self, signals[FAILED], 0, error);
    }
  else
    {
      g_set_object (&self->results, results);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RESULTS]);
      g_signal_emit (self, signals[RESULTS_CHANGED], 0, results);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
  pending_free (pending);
}

void
ww_searcher_search (WwSearcher    *self,
                    const WwQuery *query)
{
  Pending *pending;

  g_return_if_fail (WW_IS_SEARCHER (self));
  g_return_if_fail (query != NULL);

  ww_searcher_cancel (self);

  self->cancellable = g_cancellable_new ();
  pending = g_new0 (Pending, 1);
  g_set_weak_pointer (&pending->self, self);
  pending->generation = self->generation;

  ww_directory_search_async (self->directory, query, self->cancellable,
                             search_cb, pending);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

void
ww_searcher_cancel (WwSearcher *self)
{
  g_return_if_fail (WW_IS_SEARCHER (self));

  self->generation++;
  if (self->cancellable != NULL)
    {
      g_cancellable_cancel (self->cancellable);
      g_clear_object (&self->cancellable);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
    }
}

WwSearchResults *
ww_searcher_get_results (WwSearcher *self)
{
  g_return_val_if_fail (WW_IS_SEARCHER (self), NULL);

  return self->results;
}

gboolean
ww_searcher_get_busy (WwSearcher *self)
{
  g_return_val_if_fail (WW_IS_SEARCHER (self), FALSE);

  return self->cancellable != NULL;
}

static void
ww_searcher_dispose (GObject *object)
{
  WwSearcher *self = (WwSearcher *)object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->results);
  g_clear_object (&self->directory);

  G_OBJECT_CLASS (ww_searcher_parent_class)->dispose (object);
}

static void
ww_searcher_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  WwSearcher *self = WW_SEARCHER (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_value_set_object (value, self->directory);
      break;

    case PROP_RESULTS:
      g_value_set_object (value, self->results);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, ww_searcher_get_busy (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ww_searcher_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  WwSearcher *self = WW_SEARCHER (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      self->directory = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ww_searcher_class_init (WwSearcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ww_searcher_dispose;
  object_class->get_property = ww_searcher_get_property;
  object_class->set_property = ww_searcher_set_property;

  properties [PROP_DIRECTORY] =
    g_param_spec_object ("directory", NULL, NULL,
                         WW_TYPE_DIRECTORY,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties [PROP_RESULTS] =
    g_param_spec_object ("results", NULL, NULL,
                         WW_TYPE_SEARCH_RESULTS,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * WwSearcher::results-changed:
   * @results: the newest query's results
   */
  signals [RESULTS_CHANGED] =
    g_signal_new ("results-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, WW_TYPE_SEARCH_RESULTS);

  /**
   * WwSearcher::failed:
   * @error: why the newest query failed
   */
  signals [FAILED] =
    g_signal_new ("failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
ww_searcher_init (WwSearcher *self)
{
}

WwSearcher *
ww_searcher_new (WwDirectory *directory)
{
  g_return_val_if_fail (WW_IS_DIRECTORY (directory), NULL);

  return g_object_new (WW_TYPE_SEARCHER, "directory", directory, NULL);
}
