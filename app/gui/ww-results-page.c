/* ww-results-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-results-page"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "ww-gui-util.h"
#include "ww-result-row.h"
#include "ww-results-page.h"

/* With text, the first this many; browsing a theme lists them all (the
 * list loads rows only as they are shown). */
#define TEXT_LIMIT 2000

struct _WwResultsPage
{
  GtkWidget        parent_instance;

  WwDirectory     *directory;
  WwPluginEngine  *engine;
  WwSearcher      *searcher;
  WwPlugin        *theme;
  GtkNoSelection  *selection;
  GHashTable      *filters;        /* code → GtkToggleButton */
  gboolean         has_location;   /* where this screen stands is known */
  double           latitude;
  double           longitude;
  char            *searched_text;  /* the text of the last search */
  gint64           search_started;

  GtkLabel        *title_label;
  GtkLabel        *description_label;
  GtkScrolledWindow *info_scroller;
  GtkBox          *info_box;
  GtkSearchEntry  *search_entry;
  GtkBox          *filter_box;
  GtkLabel        *count_label;
  GtkSpinner      *spinner;
  GtkStack        *list_stack;
  GtkListView     *list_view;
  AdwStatusPage   *failed_page;
};

G_DEFINE_FINAL_TYPE (WwResultsPage, ww_results_page, GTK_TYPE_WIDGET)

enum {
  PROVIDER_ACTIVATED,
  INFO_PAGE_ACTIVATED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

/* a walk or a short ride from the screen */
#define NEAR_HERE_KM 5.0

static void
run_search (WwResultsPage *self)
{
  g_autoptr(WwQuery) query = ww_query_new ();
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  GHashTableIter iter;
  gpointer key, value;

  if (self->searcher == NULL)
    return;

  g_free (self->searched_text);
  self->searched_text = g_strdup (text);
  ww_query_set_text (query, text);
  ww_query_set_limit (query, ww_query_get_text (query) != NULL ? TEXT_LIMIT : 0);
  if (self->theme != NULL)
    ww_query_set_theme (query, ww_plugin_get_id (self->theme));

  g_hash_table_iter_init (&iter, self->filters);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (!gtk_toggle_button_get_active (value))
        continue;
      if (g_strcmp0 (key, "open-now") == 0)
        ww_query_set_open_now (query, TRUE);
      else if (g_strcmp0 (key, "near-here") == 0)
        ww_query_set_near (query, self->latitude, self->longitude, NEAR_HERE_KM);
      else
        ww_query_add_attribute (query, key);
    }

  self->search_started = g_get_monotonic_time ();
  ww_searcher_search (self->searcher, query);
}

/* A new selection model each time, never gtk_no_selection_set_model():
 * GTK 4.8's list item manager looks every added item up to reuse the old
 * rows' widgets, which for a million lazily loaded results means a
 * million database reads on the UI thread. Setting a new model on the
 * list view does not. */
static void
set_results (WwResultsPage   *self,
             WwSearchResults *results)
{
  g_clear_object (&self->selection);
  self->selection = gtk_no_selection_new (results ? g_object_ref (G_LIST_MODEL (results)) : NULL);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
}

static void
results_changed_cb (WwResultsPage   *self,
                    WwSearchResults *results)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (results));
  const char *corrected = ww_search_results_get_corrected (results);
  g_autofree char *count = NULL;

  g_debug ("%u results in %.1f ms", n, (g_get_monotonic_time () - self->search_started) / 1000.0);
  set_results (self, results);

  if (ww_search_results_get_truncated (results))
    count = g_strdup_printf (_("More than %u results: add a word or a filter to find fewer"), n);
  else
    count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u result", "%u results", n), n);

  if (corrected != NULL)
    {
      /* Translators: the number of results ("12 results"), and the words
       * that were searched for after a typo was corrected */
      g_autofree char *with_correction = g_strdup_printf (_("%s, for “%s”"), count, corrected);

      gtk_label_set_label (self->count_label, with_correction);
    }
  else
    gtk_label_set_label (self->count_label, count);

  gtk_stack_set_visible_child_name (self->list_stack, n > 0 ? "list" : "empty");
}

static void
failed_cb (WwResultsPage *self,
           const GError  *error)
{
  g_message ("Search failed: %s", error->message);
  adw_status_page_set_description (self->failed_page, error->message);
  gtk_label_set_label (self->count_label, "");
  gtk_stack_set_visible_child_name (self->list_stack, "failed");
}

static void
busy_changed_cb (WwResultsPage *self)
{
  gtk_spinner_set_spinning (self->spinner, ww_searcher_get_busy (self->searcher));
}

static void
search_changed_cb (WwResultsPage  *self,
                   GtkSearchEntry *entry)
{
  /* The entry reports a text set from code too, after its delay; that
   * search has run already. */
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (entry)), self->searched_text) == 0)
    return;

  run_search (self);
}

static void
filter_toggled_cb (WwResultsPage *self)
{
  run_search (self);
}

static void
list_activate_cb (WwResultsPage *self,
                  guint          position)
{
  g_autoptr(WwProvider) provider = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (provider != NULL)
    g_signal_emit (self, signals[PROVIDER_ACTIVATED], 0, provider);
}

static void
info_clicked_cb (GtkButton     *button,
                 WwResultsPage *self)
{
  WwInfoPage *page = g_object_get_data (G_OBJECT (button), "ww-info-page");

  g_signal_emit (self, signals[INFO_PAGE_ACTIVATED], 0, self->theme, page);
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              WwResultsPage            *self)
{
  gtk_list_item_set_child (item, GTK_WIDGET (ww_result_row_new ()));
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             WwResultsPage            *self)
{
  WwResultRow *row = WW_RESULT_ROW (gtk_list_item_get_child (item));

  ww_result_row_set_provider (row, gtk_list_item_get_item (item), self->engine);
}

static void
clear_box (GtkWidget *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (box)) != NULL)
    gtk_box_remove (GTK_BOX (box), child);
}

static void
add_filter (WwResultsPage *self,
            const char    *code,
            const char    *label)
{
  GtkWidget *toggle = gtk_toggle_button_new_with_label (label);

  gtk_widget_add_css_class (toggle, "filter");
  ww_gui_set_accessible_label (toggle, label);
  g_signal_connect_swapped (toggle, "toggled", G_CALLBACK (filter_toggled_cb), self);
  gtk_box_append (self->filter_box, toggle);
  g_hash_table_insert (self->filters, g_strdup (code), toggle);
}

static void
rebuild_filters (WwResultsPage *self)
{
  const char *const *facets;

  clear_box (GTK_WIDGET (self->filter_box));
  g_hash_table_remove_all (self->filters);

  add_filter (self, "open-now", _("Open now"));
  if (self->has_location)
    add_filter (self, "near-here", _("Near here"));

  /* a theme's own facets, or every friendly fact when searching all */
  facets = self->theme != NULL ? ww_plugin_get_facets (self->theme) : ww_attribute_get_all ();
  for (guint i = 0; facets[i] != NULL; i++)
    add_filter (self, facets[i], ww_attribute_get_label (facets[i]));
}

static void
rebuild_info_links (WwResultsPage *self)
{
  GListModel *pages;

  clear_box (GTK_WIDGET (self->info_box));
  gtk_widget_set_visible (GTK_WIDGET (self->info_scroller), self->theme != NULL);
  if (self->theme == NULL)
    return;

  pages = ww_plugin_get_info_pages (self->theme);
  for (guint i = 0; i < g_list_model_get_n_items (pages); i++)
    {
      g_autoptr(WwInfoPage) page = g_list_model_get_item (pages, i);
      GtkWidget *button = gtk_button_new_with_label (ww_info_page_get_title (page));

      gtk_widget_add_css_class (button, "flat");
      gtk_widget_add_css_class (button, "info-link");
      ww_gui_set_accessible_label (button, ww_info_page_get_title (page));
      g_object_set_data_full (G_OBJECT (button), "ww-info-page", g_object_ref (page), g_object_unref);
      g_signal_connect (button, "clicked", G_CALLBACK (info_clicked_cb), self);
      gtk_box_append (self->info_box, button);
    }
}

/* "Near here": listings within NEAR_HERE_KM of the screen, nearest first. */
void
ww_results_page_set_location (WwResultsPage *self,
                              double         latitude,
                              double         longitude)
{
  g_return_if_fail (WW_IS_RESULTS_PAGE (self));

  self->has_location = latitude >= -90 && latitude <= 90 && longitude >= -180 && longitude <= 180;
  self->latitude = latitude;
  self->longitude = longitude;
  rebuild_filters (self);
}

void
ww_results_page_set_directory (WwResultsPage  *self,
                               WwDirectory    *directory,
                               WwPluginEngine *engine)
{
  g_return_if_fail (WW_IS_RESULTS_PAGE (self));
  g_return_if_fail (WW_IS_DIRECTORY (directory));

  g_set_object (&self->directory, directory);
  g_set_object (&self->engine, engine);

  if (self->searcher != NULL)
    {
      ww_searcher_cancel (self->searcher);
      g_signal_handlers_disconnect_by_data (self->searcher, self);
      g_clear_object (&self->searcher);
    }

  self->searcher = ww_searcher_new (directory);
  g_signal_connect_swapped (self->searcher, "results-changed", G_CALLBACK (results_changed_cb), self);
  g_signal_connect_swapped (self->searcher, "failed", G_CALLBACK (failed_cb), self);
  g_signal_connect_swapped (self->searcher, "notify::busy", G_CALLBACK (busy_changed_cb), self);
}

void
ww_results_page_show (WwResultsPage *self,
                      WwPlugin      *theme,
                      const char    *text)
{
  g_return_if_fail (WW_IS_RESULTS_PAGE (self));

  g_set_object (&self->theme, theme);

  gtk_widget_set_visible (GTK_WIDGET (self->title_label), theme != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->description_label), theme != NULL);
  if (theme != NULL)
    {
      gtk_label_set_label (self->title_label, ww_plugin_get_name (theme));
      gtk_label_set_label (self->description_label, ww_plugin_get_description (theme));
    }

  rebuild_info_links (self);
  rebuild_filters (self);

  /* the new page starts at the top, with an empty list until it is filled */
  set_results (self, NULL);
  gtk_label_set_label (self->count_label, "");

  g_signal_handlers_block_by_func (self->search_entry, search_changed_cb, self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text ? text : "");
  g_signal_handlers_unblock_by_func (self->search_entry, search_changed_cb, self);

  run_search (self);
}

void
ww_results_page_focus (WwResultsPage *self)
{
  g_return_if_fail (WW_IS_RESULTS_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_set_position (GTK_EDITABLE (self->search_entry), -1);
}

WwSearchResults *
ww_results_page_get_results (WwResultsPage *self)
{
  g_return_val_if_fail (WW_IS_RESULTS_PAGE (self), NULL);

  return WW_SEARCH_RESULTS (gtk_no_selection_get_model (self->selection));
}

gboolean
ww_results_page_get_busy (WwResultsPage *self)
{
  g_return_val_if_fail (WW_IS_RESULTS_PAGE (self), FALSE);

  return self->searcher != NULL && ww_searcher_get_busy (self->searcher);
}

GtkToggleButton *
ww_results_page_get_filter (WwResultsPage *self,
                            const char    *code)
{
  g_return_val_if_fail (WW_IS_RESULTS_PAGE (self), NULL);

  return g_hash_table_lookup (self->filters, code);
}

static void
ww_results_page_dispose (GObject *object)
{
  WwResultsPage *self = (WwResultsPage *)object;

  if (self->searcher != NULL)
    {
      ww_searcher_cancel (self->searcher);
      g_signal_handlers_disconnect_by_data (self->searcher, self);
    }
  g_clear_object (&self->searcher);

  gtk_widget_dispose_template (GTK_WIDGET (self), WW_TYPE_RESULTS_PAGE);
  /* the template's outer box has no name, so it is not cleared above */
  ww_gui_unparent_children (GTK_WIDGET (self));

  g_clear_object (&self->selection);
  g_clear_object (&self->theme);
  g_clear_object (&self->engine);
  g_clear_object (&self->directory);
  g_clear_pointer (&self->filters, g_hash_table_unref);
  g_clear_pointer (&self->searched_text, g_free);

  G_OBJECT_CLASS (ww_results_page_parent_class)->dispose (object);
}

static void
ww_results_page_class_init (WwResultsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ww_results_page_dispose;

  /**
   * WwResultsPage::provider-activated:
   * @provider: the listing that was chosen
   */
  signals [PROVIDER_ACTIVATED] =
    g_signal_new ("provider-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, WW_TYPE_PROVIDER);

  /**
   * WwResultsPage::info-page-activated:
   * @plugin: the theme
   * @page: its info page that was chosen
   */
  signals [INFO_PAGE_ACTIVATED] =
    g_signal_new ("info-page-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, WW_TYPE_PLUGIN, WW_TYPE_INFO_PAGE);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/nl/wegwijzer/Wegwijzer/ww-results-page.ui");
  gtk_widget_class_bind_template_child (widget_class, WwResultsPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, WwResultsPage, description_label);
  gtk_widget_class_bind_template_child (widget_class, WwResultsPage, info_scroller);
  gtk_widget_class_bind_template_child (widget_class, WwResultsPage, info_box);
  gtk_widget_class_bind_template_child (widget_class, WwResultsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, WwResultsPage, filter_box);
  gtk_widget_class_bind_template_child (widget_class, WwResultsPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, WwResultsPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, WwResultsPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, WwResultsPage, list_view);
  gtk_widget_class_bind_template_child (widget_class, WwResultsPage, failed_page);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, list_activate_cb);
}

static void
ww_results_page_init (WwResultsPage *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  self->filters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  set_results (self, NULL);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), self);
  gtk_list_view_set_factory (self->list_view, factory);
  ww_gui_set_accessible_label (GTK_WIDGET (self->search_entry), _("Search the directory"));
  ww_gui_set_accessible_label (GTK_WIDGET (self->list_view), _("Results"));
  ww_gui_set_accessible_label (GTK_WIDGET (self->filter_box), _("Filters"));
  ww_gui_set_accessible_label (GTK_WIDGET (self->info_box), _("Information"));
}
