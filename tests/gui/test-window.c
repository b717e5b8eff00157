/* test-window.c: the program's window, driven as a person would drive it
 *
 * Each test opens a WwWindow of the one WwApplication on a directory
 * database of its own in a temporary folder, clicks and types through
 * the widgets, and checks what the window then shows. Whatever a person
 * would wait for, the test waits for with wait_for(): its time limit is
 * a guard against hanging, never a measurement.
 *
 * Run under a display: `meson test --suite gui` wraps it in xvfb-run and
 * dbus-run-session.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-window"

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <qrencode.h>
#include <unistd.h>

#include "ww-application.h"
#include "ww-booking-page.h"
#include "ww-check-page.h"
#include "ww-gui-util.h"
#include "ww-qr-code.h"
#include "ww-info-view.h"
#include "ww-keyboard.h"
#include "ww-language.h"
#include "ww-provider-page.h"
#include "ww-results-page.h"
#include "ww-window.h"

/* Generous for the sanitizer build on a busy machine; reaching it means
 * the window is stuck, not slow. */
#define WAIT_SECONDS 60

/* The six themes, in the Order their .plugin files give. */
static const char *const theme_ids[] = {
  "finance", "care", "police", "municipality", "media", "legal", NULL
};

static WwApplication *application;

/* The plugin engine's warnings (it logs one for each plugin it skips)
 * are collected here, from whichever thread loads the plugins, instead
 * of aborting the test; each test takes the ones it expects, and the
 * teardown fails on any left over. Every other warning stays fatal. */
static GMutex engine_warnings_lock;
static GPtrArray *engine_warnings;

/* XDG_DATA_DIRS before G_TEST_OPTION_ISOLATE_DIRS changed it */
static char *original_data_dirs;

typedef struct {
  char       *tmpdir;
  char       *db_path;
  WwWindow   *window;  /* owned by GTK, as every toplevel is */
  gboolean    kiosk;   /* open_window() opens a kiosk */
  guint       idle_ms; /* and its idle times, both this long */

  /* a stand-in for wegwijzer-relay, for the booking tests */
  SoupServer *relay;
  char       *relay_uri;
  char       *device_secret;
  guint       relay_status;   /* what it answers a good request with */
  guint       relay_bookings; /* good requests it got */
  guint       relay_refused;  /* badly signed ones */
  gboolean    relay_no_status_url;  /* a 201 without "status_url" */

  /* GET /v1/bookings/{reference}: for TEST_REFERENCE and TEST_PIN it
   * answers lookup_body; anything else is "not found" */
  const char *lookup_body;
  const char *lookup_retry_after;  /* set: locked, 429 with this Retry-After */
  guint       lookups;
} Fixture;

/* A visitor's chosen name that must not outlive the visit. */
#define CANARY_NAME "Canary Zwaluw 7f3a"
#define TEST_DEVICE_ID "kiosk-test-gui"
#define TEST_REFERENCE "K7QHM2XR"
#define TEST_PIN "482913"

/* Waiting ------------------------------------------------------------------ */

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
give_up_waiting (Fixture    *f,
                 const char *condition,
                 const char *file,
                 int         line,
                 const char *function)
{
  g_autoptr(GString) message = g_string_new (NULL);

  g_string_append_printf (message, "gave up after %d s waiting for: %s", WAIT_SECONDS, condition);
  if (f->window != NULL)
    {
      const char *const *notices = ww_window_get_notices (f->window);

      g_string_append_printf (message, " (the window shows page “%s”, loaded=%d",
                              ww_window_get_page_name (f->window),
                              ww_window_get_loaded (f->window));
      for (guint i = 0; notices[i] != NULL; i++)
        g_string_append_printf (message, "; notice: “%s”", notices[i]);
      g_string_append_c (message, ')');
    }

  g_assertion_message (G_LOG_DOMAIN, file, line, function, message->str);
}

/* Runs the main loop until @condition holds. */
#define wait_for(f, condition) \
  G_STMT_START \
    { \
      gint64 wait_deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC; \
      guint wait_wake_id = g_timeout_add (20, wake_cb, NULL); \
      while (!(condition)) \
        { \
          if (g_get_monotonic_time () > wait_deadline) \
            { \
              give_up_waiting ((f), #condition, __FILE__, __LINE__, G_STRFUNC); \
              break; \
            } \
          g_main_context_iteration (NULL, TRUE); \
        } \
      g_source_remove (wait_wake_id); \
    } \
  G_STMT_END

/* Engine warnings ------------------------------------------------------------ */

static gboolean
is_engine_warning (const char     *log_domain,
                   GLogLevelFlags  log_level)
{
  return (log_level & G_LOG_LEVEL_WARNING) != 0 && g_strcmp0 (log_domain, "ww-plugin-engine") == 0;
}

static void
keep_engine_warning (const char *message)
{
  g_mutex_lock (&engine_warnings_lock);
  g_ptr_array_add (engine_warnings, g_strdup (message));
  g_mutex_unlock (&engine_warnings_lock);
}

/* g_warning() of a library built without G_LOG_USE_STRUCTURED comes here,
 * flagged fatal; fatal_log_cb() then keeps it from aborting. */
static void
engine_log_handler_cb (const char     *log_domain,
                       GLogLevelFlags  log_level,
                       const char     *message,
                       gpointer        user_data)
{
  keep_engine_warning (message);
}

static gboolean
fatal_log_cb (const char     *log_domain,
              GLogLevelFlags  log_level,
              const char     *message,
              gpointer        user_data)
{
  return !is_engine_warning (log_domain, log_level);
}

/* and a structured one here */
static GLogWriterOutput
log_writer_cb (GLogLevelFlags   log_level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  const char *domain = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }

  if (is_engine_warning (domain, log_level))
    {
      keep_engine_warning (message);
      return G_LOG_WRITER_HANDLED;
    }

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

/* the engine warnings logged so far, now the test's */
static GPtrArray *
take_engine_warnings (void)
{
  GPtrArray *taken;

  g_mutex_lock (&engine_warnings_lock);
  taken = g_steal_pointer (&engine_warnings);
  engine_warnings = g_ptr_array_new_with_free_func (g_free);
  g_mutex_unlock (&engine_warnings_lock);

  return taken;
}

/* Widgets -------------------------------------------------------------------- */

typedef gboolean (*WidgetMatchFunc) (GtkWidget *widget,
                                     gpointer   user_data);

/* the first widget below @root (or @root), depth first, that is a @type
 * and that @match accepts */
static GtkWidget *
find_widget (GtkWidget       *root,
             GType            type,
             WidgetMatchFunc  match,
             gpointer         user_data)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type) && (match == NULL || match (root, user_data)))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, type, match, user_data);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static GtkWidget *
get_widget (GtkWidget *root,
            GType      type)
{
  GtkWidget *found = find_widget (root, type, NULL, NULL);

  g_assert_nonnull (found);
  return found;
}

static void
collect_label_texts (GtkWidget *widget,
                     GPtrArray *texts)
{
  /* what is on the screen, not what hides in a page that is not shown */
  if (!gtk_widget_get_mapped (widget))
    return;

  if (GTK_IS_LABEL (widget) && *gtk_label_get_text (GTK_LABEL (widget)) != '\0')
    g_ptr_array_add (texts, g_strdup (gtk_label_get_text (GTK_LABEL (widget))));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_label_texts (child, texts);
}

/* the texts of the labels shown below @widget */
static GPtrArray *
dup_label_texts (GtkWidget *widget)
{
  GPtrArray *texts = g_ptr_array_new_null_terminated (16, g_free, TRUE);

  collect_label_texts (widget, texts);
  return texts;
}

static char *
join_texts (GPtrArray *texts)
{
  return g_strjoinv (" | ", (char **) texts->pdata);
}

static const char *
find_text_containing (GPtrArray  *texts,
                      const char *part)
{
  for (guint i = 0; i < texts->len; i++)
    if (strstr (g_ptr_array_index (texts, i), part) != NULL)
      return g_ptr_array_index (texts, i);

  return NULL;
}

static void
assert_label_shown_impl (GPtrArray  *texts,
                         const char *expected,
                         gboolean    whole,
                         const char *file,
                         int         line,
                         const char *function)
{
  g_autofree char *shown = NULL;
  g_autofree char *message = NULL;

  for (guint i = 0; i < texts->len; i++)
    {
      const char *text = g_ptr_array_index (texts, i);

      if (whole ? g_str_equal (text, expected) : strstr (text, expected) != NULL)
        return;
    }

  shown = join_texts (texts);
  message = g_strdup_printf ("no label %s “%s”; the labels shown are: %s",
                             whole ? "reads" : "contains", expected, shown);
  g_assertion_message (G_LOG_DOMAIN, file, line, function, message);
}

/* a label reads @expected */
#define assert_label_shown(texts, expected) \
  assert_label_shown_impl ((texts), (expected), TRUE, __FILE__, __LINE__, G_STRFUNC)
/* a label contains @expected */
#define assert_label_contains(texts, expected) \
  assert_label_shown_impl ((texts), (expected), FALSE, __FILE__, __LINE__, G_STRFUNC)

static gboolean
has_text_label_cb (GtkWidget *widget,
                   gpointer   user_data)
{
  return g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), user_data) == 0;
}

static gboolean
has_prefix_label_cb (GtkWidget *widget,
                     gpointer   user_data)
{
  return g_str_has_prefix (gtk_label_get_text (GTK_LABEL (widget)), user_data);
}

static gboolean
has_prefix_label_accessible_cb (GtkWidget *widget,
                                gpointer   user_data)
{
  return g_str_has_prefix (ww_gui_get_accessible_label (widget) ?: "", user_data);
}

static gboolean
is_shown_with_class_cb (GtkWidget *widget,
                  gpointer   user_data)
{
  return gtk_widget_has_css_class (widget, user_data) && gtk_widget_get_mapped (widget);
}

static gboolean
has_action_cb (GtkWidget *widget,
               gpointer   user_data)
{
  return g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), user_data) == 0;
}

static gboolean
has_status_title_cb (GtkWidget *widget,
                     gpointer   user_data)
{
  return g_strcmp0 (adw_status_page_get_title (ADW_STATUS_PAGE (widget)), user_data) == 0;
}

/* The window ----------------------------------------------------------------- */

static GtkWidget *
get_page (Fixture    *f,
          const char *name)
{
  GtkWidget *page = ww_window_get_page (f->window, name);

  g_assert_nonnull (page);
  return page;
}

static WwResultsPage *
get_results_page (Fixture *f)
{
  return WW_RESULTS_PAGE (get_page (f, "results"));
}

static GtkWidget *
get_header_bar (Fixture *f)
{
  return get_widget (GTK_WIDGET (f->window), ADW_TYPE_HEADER_BAR);
}

static GtkWidget *
get_header_button (Fixture    *f,
                   const char *action)
{
  GtkWidget *button = find_widget (get_header_bar (f), GTK_TYPE_BUTTON, has_action_cb, (gpointer) action);

  g_assert_nonnull (button);
  return button;
}

static GtkRevealer *
get_sample_revealer (Fixture *f)
{
  GtkWidget *label = find_widget (GTK_WIDGET (f->window), GTK_TYPE_LABEL,
                                  has_prefix_label_cb, (gpointer) "Sample data:");
  GtkWidget *revealer = label ? gtk_widget_get_ancestor (label, GTK_TYPE_REVEALER) : NULL;

  g_assert_nonnull (revealer);
  return GTK_REVEALER (revealer);
}

static GtkEditable *
get_search_entry (GtkWidget *page)
{
  return GTK_EDITABLE (get_widget (page, GTK_TYPE_SEARCH_ENTRY));
}

static GtkListView *
get_list_view (Fixture *f)
{
  return GTK_LIST_VIEW (get_widget (get_page (f, "results"), GTK_TYPE_LIST_VIEW));
}

static guint
count_tiles (Fixture *f)
{
  GtkWidget *tiles = get_widget (get_page (f, "home"), GTK_TYPE_FLOW_BOX);
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (tiles);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n++;

  return n;
}

static GtkButton *
get_tile (Fixture *f,
          guint    position)
{
  GtkWidget *tiles = get_widget (get_page (f, "home"), GTK_TYPE_FLOW_BOX);
  GtkFlowBoxChild *child = gtk_flow_box_get_child_at_index (GTK_FLOW_BOX (tiles), position);

  g_assert_nonnull (child);
  g_assert_true (GTK_IS_BUTTON (gtk_flow_box_child_get_child (child)));
  return GTK_BUTTON (gtk_flow_box_child_get_child (child));
}

static GtkButton *
get_theme_tile (Fixture    *f,
                const char *theme)
{
  WwPlugin *plugin = ww_plugin_engine_lookup (ww_window_get_plugin_engine (f->window), theme);

  g_assert_nonnull (plugin);
  for (guint i = 0; i < count_tiles (f); i++)
    {
      GtkButton *tile = get_tile (f, i);

      if (g_strcmp0 (ww_gui_get_accessible_label (GTK_WIDGET (tile)), ww_plugin_get_name (plugin)) == 0)
        return tile;
    }

  g_assert_not_reached ();
}

static gboolean
has_notice (Fixture    *f,
            const char *part)
{
  const char *const *notices = ww_window_get_notices (f->window);

  for (guint i = 0; notices[i] != NULL; i++)
    if (strstr (notices[i], part) != NULL)
      return TRUE;

  return FALSE;
}

static void
open_window (Fixture           *f,
             const char *const *plugin_path)
{
  static const char *const build_plugins[] = { WW_BUILD_PLUGIN_DIR, NULL };

  g_assert_null (f->window);

  f->window = ww_window_new (application, f->db_path);
  /* The six themes of the build tree and nothing else, whatever is
   * installed on the machine. */
  ww_window_set_plugin_path (f->window, plugin_path ? plugin_path : build_plugins);
  if (f->kiosk)
    {
      ww_window_set_kiosk (f->window);
      ww_window_set_idle_times (f->window, f->idle_ms, f->idle_ms);
    }
  gtk_window_present (GTK_WINDOW (f->window));
}

static gboolean
is_on_page (Fixture    *f,
            const char *name)
{
  return g_strcmp0 (ww_window_get_page_name (f->window), name) == 0 &&
         gtk_widget_get_mapped (ww_window_get_page (f->window, name));
}

static void
wait_until_home (Fixture *f)
{
  wait_for (f, ww_window_get_loaded (f->window) && is_on_page (f, "home"));
}

static void
close_window (Fixture *f)
{
  WwWindow *window = g_steal_pointer (&f->window);
  WwDirectory *directory = ww_window_get_directory (window);

  /* Gone for good, with everything that held the database open: a
   * search that is still running keeps the directory until it ends. */
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  if (directory != NULL)
    g_object_add_weak_pointer (G_OBJECT (directory), (gpointer *) &directory);
  gtk_window_destroy (GTK_WINDOW (window));
  wait_for (f, window == NULL && directory == NULL);
}

/* Results -------------------------------------------------------------------- */

static gboolean
has_results (WwResultsPage   *page,
             WwSearchResults *previous)
{
  WwSearchResults *results = ww_results_page_get_results (page);

  return !ww_results_page_get_busy (page) && results != NULL && results != previous;
}

static gboolean
set_true_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* A search entry searches for what was typed once its delay has passed.
 * This waits that long, so that whatever was typed (or set) before has
 * been searched for by now; a wait for the program, not a measurement. */
static void
wait_out_search_delay (Fixture *f)
{
  GtkSearchEntry *home = GTK_SEARCH_ENTRY (get_search_entry (get_page (f, "home")));
  GtkSearchEntry *results = GTK_SEARCH_ENTRY (get_search_entry (get_page (f, "results")));
  guint delay = MAX (gtk_search_entry_get_search_delay (home),
                     gtk_search_entry_get_search_delay (results));
  gboolean passed = FALSE;

  g_timeout_add (delay + 1, set_true_cb, &passed);
  wait_for (f, passed);
}

/* Waits for the answer to the newest search. @previous is the list shown
 * before it, which the caller holds a reference to so that a new list
 * cannot take its address. */
static WwSearchResults *
wait_for_results (Fixture         *f,
                  WwSearchResults *previous)
{
  WwResultsPage *page = get_results_page (f);

  wait_for (f, has_results (page, previous));
  /* and for any search that what started this one has queued */
  wait_out_search_delay (f);
  wait_for (f, has_results (page, previous));

  return g_object_ref (ww_results_page_get_results (page));
}

static WwProvider *
get_result (WwSearchResults *results,
            guint            position)
{
  WwProvider *provider = g_list_model_get_item (G_LIST_MODEL (results), position);

  g_assert_nonnull (provider);
  /* the list holds the item too */
  g_object_unref (provider);
  return provider;
}

static void
toggle_filter (Fixture    *f,
               const char *code,
               gboolean    active)
{
  GtkToggleButton *toggle = ww_results_page_get_filter (get_results_page (f), code);

  g_assert_nonnull (toggle);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (toggle)));
  gtk_toggle_button_set_active (toggle, active);
}

/* Clicks the tile of @theme and waits for its listings. */
static WwSearchResults *
open_theme (Fixture    *f,
            const char *theme)
{
  WwSearchResults *shown = ww_results_page_get_results (get_results_page (f));
  g_autoptr(WwSearchResults) previous = shown ? g_object_ref (shown) : NULL;

  g_signal_emit_by_name (get_theme_tile (f, theme), "clicked");
  g_assert_cmpstr (ww_window_get_page_name (f->window), ==, "results");
  wait_for (f, is_on_page (f, "results"));

  return wait_for_results (f, previous);
}

/* The words a provider is found by for @word: those of its name and
 * organisation, description and address, and those its category is
 * known by in every language; the last word typed counts as a prefix. */
static gboolean
provider_matches_word (WwPluginEngine *engine,
                       WwProvider     *provider,
                       const char     *word,
                       gboolean        as_prefix)
{
  static const WwProviderField fields[] = {
    WW_PROVIDER_NAME, WW_PROVIDER_ORGANIZATION_NAME, WW_PROVIDER_DESCRIPTION,
    WW_PROVIDER_STREET, WW_PROVIDER_POSTAL_CODE, WW_PROVIDER_CITY, WW_PROVIDER_LOCATION_NAME,
  };
  WwPlugin *plugin = ww_plugin_engine_lookup (engine, ww_provider_get_theme (provider));
  WwCategory *category = plugin ? ww_plugin_lookup_category (plugin, ww_provider_get_category (provider)) : NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_auto(GStrv) words = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    g_string_append_printf (text, "%s ", ww_provider_get_field (provider, fields[i]) ?: "");
  if (category != NULL)
    {
      g_autofree char *terms = ww_category_dup_search_terms (category);

      g_string_append_printf (text, "%s %s", ww_category_get_id (category), terms);
    }

  words = ww_text_split_words (text->str);
  for (guint i = 0; words[i] != NULL; i++)
    if (as_prefix ? g_str_has_prefix (words[i], word) : g_str_equal (words[i], word))
      return TRUE;

  return FALSE;
}

/* Every listing in @results is one that @typed finds. */
static void
assert_results_match (Fixture         *f,
                      WwSearchResults *results,
                      const char      *typed)
{
  WwPluginEngine *engine = ww_window_get_plugin_engine (f->window);
  g_auto(GStrv) words = ww_text_split_words (typed);
  guint n_words = g_strv_length (words);

  g_assert_null (ww_search_results_get_corrected (results));
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (results)); i++)
    {
      WwProvider *provider = get_result (results, i);

      for (guint w = 0; w < n_words; w++)
        if (!provider_matches_word (engine, provider, words[w], w == n_words - 1))
          {
            g_autofree char *message = g_strdup_printf ("“%s” found “%s”, which has no word “%s”%s",
                                                        typed, ww_provider_get_name (provider),
                                                        words[w], w == n_words - 1 ? "…" : "");

            g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, message);
          }
    }
}

/* Fixture -------------------------------------------------------------------- */

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->tmpdir = g_dir_make_tmp ("test-window-XXXXXX", &error);
  g_assert_no_error (error);
  f->db_path = g_build_filename (f->tmpdir, "directory.db", NULL);

  /* GLib resets this handler at the start of each test case. */
  g_test_log_set_fatal_handler (fatal_log_cb, NULL);
  /* whatever language the test before switched to: the locale's */
  ww_language_use (NULL);
}

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
      const char *name;

      g_assert_no_error (error);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
    }

  g_assert_cmpint (g_remove (path), ==, 0);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) warnings = NULL;

  if (f->window != NULL)
    close_window (f);

  warnings = take_engine_warnings ();
  for (guint i = 0; i < warnings->len; i++)
    g_test_message ("unexpected warning: %s", (char *) g_ptr_array_index (warnings, i));
  g_assert_cmpuint (warnings->len, ==, 0);

  if (f->relay != NULL)
    soup_server_disconnect (f->relay);
  g_clear_object (&f->relay);
  g_clear_pointer (&f->relay_uri, g_free);
  g_clear_pointer (&f->device_secret, g_free);

  remove_tree (f->tmpdir);
  g_clear_pointer (&f->tmpdir, g_free);
  g_clear_pointer (&f->db_path, g_free);
}

/* Accessible names ----------------------------------------------------------- */

/* What a person can operate, and so what a screen reader must be able to
 * name. */
static gboolean
is_control (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) ||
         GTK_IS_CHECK_BUTTON (widget) ||
         GTK_IS_MENU_BUTTON (widget) ||
         GTK_IS_SWITCH (widget) ||
         GTK_IS_DROP_DOWN (widget) ||
         GTK_IS_EDITABLE (widget) ||
         GTK_IS_LIST_VIEW (widget) ||
         GTK_IS_GRID_VIEW (widget) ||
         GTK_IS_FLOW_BOX (widget);
}

/* Controls whose children are controls of their own, each to be named;
 * the others' children are their internals (the GtkText of a
 * GtkSearchEntry, the label of a button). */
static gboolean
holds_controls (GtkWidget *widget)
{
  return GTK_IS_LIST_VIEW (widget) || GTK_IS_GRID_VIEW (widget) || GTK_IS_FLOW_BOX (widget);
}

static gboolean
has_text_cb (GtkWidget *widget,
             gpointer   user_data)
{
  return *gtk_label_get_text (GTK_LABEL (widget)) != '\0';
}

static gboolean
has_accessible_name (GtkWidget *widget)
{
  const char *label = ww_gui_get_accessible_label (widget);
  const char *tooltip = gtk_widget_get_tooltip_text (widget);

  if (label != NULL && *label != '\0')
    {
      /* what a screen reader gets, not only what the helper remembers */
      g_autofree char *differs = gtk_test_accessible_check_property (GTK_ACCESSIBLE (widget),
                                                                     GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                                     label);

      return differs == NULL;
    }
  if (tooltip != NULL && *tooltip != '\0')
    return TRUE;

  if (GTK_IS_BUTTON (widget))
    {
      const char *text = gtk_button_get_label (GTK_BUTTON (widget));

      return (text != NULL && *text != '\0') ||
             find_widget (widget, GTK_TYPE_LABEL, has_text_cb, NULL) != NULL;
    }
  if (GTK_IS_CHECK_BUTTON (widget))
    {
      const char *text = gtk_check_button_get_label (GTK_CHECK_BUTTON (widget));

      return text != NULL && *text != '\0';
    }
  if (GTK_IS_MENU_BUTTON (widget))
    {
      const char *text = gtk_menu_button_get_label (GTK_MENU_BUTTON (widget));

      return text != NULL && *text != '\0';
    }

  return FALSE;
}

static void
append_widget_path (GString   *str,
                    GtkWidget *widget,
                    GtkWidget *root)
{
  GtkWidget *parent = gtk_widget_get_parent (widget);
  guint position = 0;

  if (widget != root && parent != NULL)
    {
      append_widget_path (str, parent, root);
      g_string_append_c (str, '/');
      for (GtkWidget *sibling = gtk_widget_get_first_child (parent);
           sibling != widget;
           sibling = gtk_widget_get_next_sibling (sibling))
        position++;
    }

  g_string_append_printf (str, "%s[%u]", G_OBJECT_TYPE_NAME (widget), position);
}

static void
collect_unnamed (GtkWidget *widget,
                 GtkWidget *root,
                 GString   *unnamed)
{
  if (!gtk_widget_get_mapped (widget))
    return;

  /* GTK names the window buttons it draws itself, and gives no way to
   * read that name. */
  if (GTK_IS_WINDOW_CONTROLS (widget))
    return;

  if (is_control (widget))
    {
      if (!has_accessible_name (widget))
        {
          g_string_append_printf (unnamed, "\n  %s without a name: ", G_OBJECT_TYPE_NAME (widget));
          append_widget_path (unnamed, widget, root);
        }

      if (!holds_controls (widget))
        return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_unnamed (child, root, unnamed);
}

static char *
dup_unnamed_controls (GtkWidget *root)
{
  GString *unnamed = g_string_new (NULL);

  collect_unnamed (root, root, unnamed);
  return g_string_free (unnamed, FALSE);
}

/* Every control on the page that is shown, and in the header bar, has a
 * name a screen reader can say. */
static void
assert_controls_named (Fixture    *f,
                       const char *page)
{
  g_autofree char *in_page = NULL;
  g_autofree char *in_header = NULL;

  g_assert_true (is_on_page (f, page));

  in_page = dup_unnamed_controls (get_page (f, page));
  in_header = dup_unnamed_controls (get_header_bar (f));
  if (*in_page != '\0' || *in_header != '\0')
    {
      g_autofree char *message = g_strdup_printf ("on the page “%s”:%s%s", page, in_page, in_header);

      g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, message);
    }
}


/* Booking ------------------------------------------------------------------- */

/* As the relay answers a look-up: the same 404 for a wrong PIN and an
 * unknown reference. */
static void
relay_lookup (Fixture           *f,
              SoupServerMessage *msg,
              const char        *path)
{
  static const char not_found[] = "{\"type\": \"urn:wegwijzer:problem:not-found\", "
                                  "\"title\": \"No such booking\", \"status\": 404, "
                                  "\"detail\": \"no booking has this reference and PIN\"}";
  static const char locked[] = "{\"type\": \"urn:wegwijzer:problem:pin-locked\", "
                               "\"title\": \"Locked after too many wrong PINs\", \"status\": 429, "
                               "\"detail\": \"try again later\"}";
  const char *pin = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                  "X-Wegwijzer-Pin");

  f->lookups++;
  if (f->lookup_retry_after != NULL)
    {
      soup_server_message_set_status (msg, 429, NULL);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", f->lookup_retry_after);
      soup_server_message_set_response (msg, "application/problem+json", SOUP_MEMORY_STATIC,
                                        locked, strlen (locked));
    }
  else if (g_strcmp0 (path, "/v1/bookings/" TEST_REFERENCE) != 0 || g_strcmp0 (pin, TEST_PIN) != 0 ||
           f->lookup_body == NULL)
    {
      soup_server_message_set_status (msg, 404, NULL);
      soup_server_message_set_response (msg, "application/problem+json", SOUP_MEMORY_STATIC,
                                        not_found, strlen (not_found));
    }
  else
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                        f->lookup_body, strlen (f->lookup_body));
    }
}

/* Checks the signature as the relay does, and answers a good request the
 * way the relay answers a new booking (or with f->relay_status). */
static void
relay_bookings_cb (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  static const char problem[] = "{\"title\": \"Unavailable\", \"detail\": \"scripted answer\"}";
  Fixture *f = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autoptr(GError) error = NULL;
  gsize length;
  const char *data = g_bytes_get_data (body, &length);

  if (g_str_equal (soup_server_message_get_method (msg), "GET"))
    {
      relay_lookup (f, msg, path);
      return;
    }

  if (!ww_signature_verify (f->device_secret,
                            soup_message_headers_get_one (headers, "webhook-id"),
                            soup_message_headers_get_one (headers, "webhook-timestamp"),
                            soup_message_headers_get_one (headers, "webhook-signature"),
                            data, length, g_get_real_time () / G_USEC_PER_SEC, 300, &error) ||
      g_strcmp0 (soup_message_headers_get_one (headers, "X-Wegwijzer-Device"), TEST_DEVICE_ID) != 0)
    {
      f->relay_refused++;
      soup_server_message_set_status (msg, 401, NULL);
      return;
    }

  soup_server_message_set_status (msg, f->relay_status, NULL);
  if (f->relay_status == 201)
    {
      g_autofree char *accepted = NULL;
      g_autofree char *status_url = NULL;

      f->relay_bookings++;
      if (!f->relay_no_status_url)
        status_url = g_strdup_printf (", \"status_url\": \"%sstatus?reference=%s\"",
                                      f->relay_uri, TEST_REFERENCE);
      accepted = g_strdup_printf ("{\"id\": \"b1\", \"reference\": \"" TEST_REFERENCE "\", "
                                  "\"pin\": \"" TEST_PIN "\", \"status\": \"received\"%s}",
                                  status_url ? status_url : "");
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                        accepted, strlen (accepted));
    }
  else
    {
      soup_server_message_set_response (msg, "application/problem+json", SOUP_MEMORY_STATIC,
                                        problem, strlen (problem));
    }
}

static void
start_relay (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  f->device_secret = ww_signature_new_secret ();
  f->relay_status = 201;
  f->relay = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->relay, "/v1/bookings", relay_bookings_cb, f, NULL);
  soup_server_listen_local (f->relay, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->relay);
  f->relay_uri = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

/* Opens the window with booking on, sending to the stand-in relay. */
static void
open_window_with_relay (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *outbox_path = g_build_filename (f->tmpdir, "outbox.db", NULL);

  if (f->relay == NULL)
    start_relay (f);
  open_window (f, NULL);
  g_assert_true (ww_window_set_relay (f->window, f->relay_uri, TEST_DEVICE_ID, f->device_secret,
                                      outbox_path, &error));
  g_assert_no_error (error);
}

static gboolean
has_accessible_label_cb (GtkWidget *widget,
                         gpointer   user_data)
{
  return g_strcmp0 (ww_gui_get_accessible_label (widget), user_data) == 0;
}

/* the control on @page that a screen reader calls @label */
static GtkWidget *
get_control (GtkWidget  *page,
             GType       type,
             const char *label)
{
  GtkWidget *control = find_widget (page, type, has_accessible_label_cb, (gpointer) label);

  if (control == NULL)
    g_error ("no %s called “%s”", g_type_name (type), label);
  return control;
}

static void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_get_mapped (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

static WwBookingPage *
get_booking_page (Fixture *f)
{
  return WW_BOOKING_PAGE (get_page (f, "booking"));
}

static WwPlugin *
get_care_plugin (Fixture *f)
{
  WwPlugin *plugin = ww_plugin_engine_lookup (ww_window_get_plugin_engine (f->window), "care");

  g_assert_nonnull (plugin);
  return plugin;
}

/* From the start page to the booking form of the first care listing. */
static void
open_booking_form (Fixture *f)
{
  g_autoptr(WwSearchResults) results = NULL;

  wait_until_home (f);
  results = open_theme (f, "care");
  g_signal_emit_by_name (get_list_view (f), "activate", 0);
  wait_for (f, is_on_page (f, "provider"));
  click (get_control (get_page (f, "provider"), GTK_TYPE_BUTTON, "Ask for an appointment"));
  wait_for (f, is_on_page (f, "booking"));
  g_assert_cmpstr (ww_booking_page_get_step (get_booking_page (f)), ==, "form");
}

static void
set_check (Fixture    *f,
           const char *label,
           gboolean    active)
{
  GtkWidget *check = get_control (get_page (f, "booking"), GTK_TYPE_CHECK_BUTTON, label);

  g_assert_true (gtk_widget_get_mapped (check));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check), active);
}

static void
type_into (Fixture    *f,
           const char *label,
           const char *text)
{
  GtkWidget *page = get_page (f, "booking");
  GtkWidget *control = find_widget (page, GTK_TYPE_TEXT_VIEW, has_accessible_label_cb, (gpointer) label);

  if (control != NULL)
    {
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (control)), text, -1);
      return;
    }
  control = get_control (page, GTK_TYPE_ENTRY, label);
  /* the contact entry slides in once a way to be reached is chosen */
  wait_for (f, gtk_widget_get_mapped (control));
  gtk_editable_set_text (GTK_EDITABLE (control), text);
}

/* A complete form: a care question, an evening, a phone number, a name. */
static void
fill_booking_form (Fixture *f)
{
  set_check (f, "PrEP", TRUE);
  set_check (f, "Evening", TRUE);
  type_into (f, "Anything the practice should know beforehand (optional)",
             "Mornings are busy for me <b>& so</b> later is better");
  set_check (f, "By phone", TRUE);
  type_into (f, "Phone number", "+31 6 1234 5678");
  type_into (f, "What name should they use?", CANARY_NAME);
}

static void
continue_to_check (Fixture *f)
{
  click (get_control (get_page (f, "booking"), GTK_TYPE_BUTTON, "Continue"));
  g_assert_cmpstr (ww_booking_page_get_step (get_booking_page (f)), ==, "check");
}

static GtkWidget *
get_consent (Fixture *f)
{
  GtkWidget *consent = find_widget (get_page (f, "booking"), GTK_TYPE_CHECK_BUTTON,
                                    has_prefix_label_accessible_cb, (gpointer) "I agree that Wegwijzer sends this to ");

  g_assert_nonnull (consent);
  return consent;
}

#define QR_LABEL "QR code of the status page address"

static GtkWidget *
find_qr_picture (Fixture *f)
{
  return find_widget (get_page (f, "booking"), GTK_TYPE_PICTURE, has_accessible_label_cb,
                      (gpointer) QR_LABEL);
}

/* every text the booking page holds, shown or not: its labels and entries */
static void
collect_held_texts (GtkWidget *widget,
                    GPtrArray *texts)
{
  if (GTK_IS_LABEL (widget))
    g_ptr_array_add (texts, g_strdup (gtk_label_get_text (GTK_LABEL (widget))));
  else if (GTK_IS_EDITABLE (widget) && !GTK_IS_TEXT (widget))
    g_ptr_array_add (texts, g_strdup (gtk_editable_get_text (GTK_EDITABLE (widget))));
  else if (GTK_IS_TEXT_VIEW (widget))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));
      GtkTextIter start, end;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      g_ptr_array_add (texts, gtk_text_buffer_get_text (buffer, &start, &end, TRUE));
    }
  else if (ADW_IS_PREFERENCES_ROW (widget))
    g_ptr_array_add (texts, g_strdup (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget))));

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_held_texts (child, texts);
}

/* Tests ---------------------------------------------------------------------- */

static void
count_cb (guint *count)
{
  (*count)++;
}

/* keeps each list of results that @list_view is given to show */
static void
keep_model_cb (GtkListView *list_view,
               GParamSpec  *pspec,
               GPtrArray   *models)
{
  GtkSelectionModel *selection = gtk_list_view_get_model (list_view);
  GListModel *model = GTK_IS_NO_SELECTION (selection)
                      ? gtk_no_selection_get_model (GTK_NO_SELECTION (selection))
                      : G_LIST_MODEL (selection);

  if (model != NULL)
    g_ptr_array_add (models, g_object_ref (model));
}

static void
test_window_opens (Fixture       *f,
                   gconstpointer  data)
{
  WwPluginEngine *engine;
  GListModel *plugins;
  const char *page;
  guint loaded_notified = 0;

  open_window (f, NULL);
  g_signal_connect_swapped (f->window, "notify::loaded", G_CALLBACK (count_cb), &loaded_notified);

  /* The first frame does not wait for the directory. */
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (f->window)));
  page = ww_window_get_page_name (f->window);
  if (ww_window_get_loaded (f->window))
    g_assert_cmpstr (page, ==, "home");
  else
    g_assert_cmpstr (page, ==, "loading");

  wait_until_home (f);
  g_assert_cmpuint (loaded_notified, ==, 1);
  g_assert_cmpstr (ww_window_get_notices (f->window)[0], ==, NULL);

  /* one tile a theme, in their Order */
  engine = ww_window_get_plugin_engine (f->window);
  plugins = ww_plugin_engine_get_plugins (engine);
  g_assert_cmpuint (g_list_model_get_n_items (plugins), ==, g_strv_length ((char **) theme_ids));
  g_assert_cmpuint (count_tiles (f), ==, g_list_model_get_n_items (plugins));
  for (guint i = 0; theme_ids[i] != NULL; i++)
    {
      g_autoptr(WwPlugin) plugin = g_list_model_get_item (plugins, i);
      GtkButton *tile = get_tile (f, i);

      g_assert_cmpstr (ww_plugin_get_id (plugin), ==, theme_ids[i]);
      g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (tile)));
      g_assert_nonnull (find_widget (GTK_WIDGET (tile), GTK_TYPE_LABEL, has_text_label_cb,
                                     (gpointer) ww_plugin_get_name (plugin)));
      g_assert_cmpstr (ww_gui_get_accessible_label (GTK_WIDGET (tile)), ==, ww_plugin_get_name (plugin));
    }

  /* the listings shipped are fictional, and the window says so */
  g_assert_cmpuint (ww_directory_count_sample (ww_window_get_directory (f->window)), >, 0);
  g_assert_true (gtk_revealer_get_reveal_child (get_sample_revealer (f)));
}

static gboolean
is_visible_cb (GtkWidget *widget,
               gpointer   user_data)
{
  return gtk_widget_is_visible (widget);
}

/* the About window shown, if there is one */
static AdwAboutWindow *
find_about_window (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      /* GTK's list of toplevels keeps it */
      if (ADW_IS_ABOUT_WINDOW (window) && gtk_widget_get_visible (window))
        return ADW_ABOUT_WINDOW (window);
    }

  return NULL;
}

/* A desktop's main menu has About, which names the program, its
 * version, icon, licence and home. */
static void
test_window_about (Fixture       *f,
                   gconstpointer  data)
{
  GtkWidget *menu_button;
  GMenuModel *menu;
  g_autoptr(GMenuModel) section = NULL;
  g_autofree char *action = NULL;
  g_autofree char *label = NULL;
  AdwAboutWindow *about;

  open_window (f, NULL);
  wait_until_home (f);
  g_assert_cmpstr (gtk_window_get_default_icon_name (), ==, APP_ID);

  menu_button = find_widget (get_header_bar (f), GTK_TYPE_MENU_BUTTON, NULL, NULL);
  g_assert_nonnull (menu_button);
  g_assert_true (gtk_widget_get_mapped (menu_button));
  g_assert_true (gtk_menu_button_get_primary (GTK_MENU_BUTTON (menu_button)));
  menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (menu_button));
  g_assert_nonnull (menu);
  section = g_menu_model_get_item_link (menu, 0, G_MENU_LINK_SECTION);
  g_assert_nonnull (section);
  g_assert_true (g_menu_model_get_item_attribute (section, 0, G_MENU_ATTRIBUTE_ACTION, "s", &action));
  g_assert_true (g_menu_model_get_item_attribute (section, 0, G_MENU_ATTRIBUTE_LABEL, "s", &label));
  g_assert_cmpstr (action, ==, "app.about");
  g_assert_cmpstr (label, ==, "_About Wegwijzer");

  g_assert_null (find_about_window ());
  g_action_group_activate_action (G_ACTION_GROUP (application), "about", NULL);
  about = find_about_window ();
  g_assert_nonnull (about);
  wait_for (f, gtk_widget_get_mapped (GTK_WIDGET (about)));
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (about)) == GTK_WINDOW (f->window));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (about)));
  g_assert_cmpstr (adw_about_window_get_application_name (about), ==, "Wegwijzer");
  g_assert_cmpstr (adw_about_window_get_application_icon (about), ==, APP_ID);
  g_assert_cmpstr (adw_about_window_get_version (about), ==, PACKAGE_VERSION);
  g_assert_cmpint (adw_about_window_get_license_type (about), ==, GTK_LICENSE_GPL_3_0);
  g_assert_cmpstr (adw_about_window_get_website (about), ==, HOMEPAGE_URL);
  g_assert_cmpstr (adw_about_window_get_comments (about), ==,
                   "Referral directory and appointments for sex workers");
  gtk_window_destroy (GTK_WINDOW (about));
}

static void
test_search_typing (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(WwSearchResults) first = NULL;
  g_autoptr(WwSearchResults) second = NULL;
  g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func (g_object_unref);
  GtkEditable *home_entry;
  GtkEditable *results_entry;
  GtkListView *list_view;
  guint n_first;

  open_window (f, NULL);
  wait_until_home (f);

  /* Typing on the start page carries on in the results. */
  home_entry = get_search_entry (get_page (f, "home"));
  gtk_editable_set_text (home_entry, "huisarts");
  wait_for (f, is_on_page (f, "results"));
  first = wait_for_results (f, NULL);

  results_entry = get_search_entry (get_page (f, "results"));
  g_assert_cmpstr (gtk_editable_get_text (results_entry), ==, "huisarts");
  g_assert_cmpstr (gtk_editable_get_text (home_entry), ==, "");
  n_first = g_list_model_get_n_items (G_LIST_MODEL (first));
  g_assert_cmpuint (n_first, >, 0);
  assert_results_match (f, first, "huisarts");

  /* Typed on: a search that is overtaken never shows. "amsterdam" finds
   * listings that "huisarts gron" does not, and is still running (its
   * answer comes through the main loop) when the next one starts. */
  list_view = get_list_view (f);
  g_signal_connect (list_view, "notify::model", G_CALLBACK (keep_model_cb), shown);
  gtk_editable_set_text (results_entry, "amsterdam");
  g_signal_emit_by_name (results_entry, "search-changed");
  g_assert_true (ww_results_page_get_busy (get_results_page (f)));
  gtk_editable_set_text (results_entry, "huisarts gron");
  g_signal_emit_by_name (results_entry, "search-changed");

  second = wait_for_results (f, first);
  g_signal_handlers_disconnect_by_func (list_view, keep_model_cb, shown);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (second)), >, 0);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (second)), <, n_first);
  assert_results_match (f, second, "huisarts gron");

  /* and whatever the list showed meanwhile was for the newest text */
  g_assert_cmpuint (shown->len, >, 0);
  for (guint i = 0; i < shown->len; i++)
    assert_results_match (f, g_ptr_array_index (shown, i), "huisarts gron");
}

static void
count_started_cb (GtkSpinner *spinner,
                  GParamSpec *pspec,
                  guint      *started)
{
  if (gtk_spinner_get_spinning (spinner))
    (*started)++;
}

/* What is typed on the start page is searched for once: the search does
 * not start over (the spinner does not start again) when the results'
 * own search entry takes the text over. */
static void
test_search_typed_once (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(WwSearchResults) results = NULL;
  WwResultsPage *page;
  GtkWidget *spinner;
  guint started = 0;

  open_window (f, NULL);
  wait_until_home (f);
  page = get_results_page (f);
  spinner = get_widget (GTK_WIDGET (page), GTK_TYPE_SPINNER);
  g_signal_connect (spinner, "notify::spinning", G_CALLBACK (count_started_cb), &started);

  gtk_editable_set_text (get_search_entry (get_page (f, "home")), "huisarts");
  wait_for (f, is_on_page (f, "results"));
  /* which waits for whatever the typing set off */
  results = wait_for_results (f, NULL);

  g_signal_handlers_disconnect_by_func (spinner, count_started_cb, &started);
  g_assert_cmpuint (started, ==, 1);
}

static void
test_theme_tile_opens_list (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(WwSearchResults) results = NULL;
  g_autoptr(GPtrArray) texts = NULL;
  WwPlugin *care;
  guint n;

  open_window (f, NULL);
  wait_until_home (f);

  results = open_theme (f, "care");
  n = g_list_model_get_n_items (G_LIST_MODEL (results));
  g_assert_cmpuint (n, >, 0);
  g_assert_cmpuint (n, ==, ww_directory_count (ww_window_get_directory (f->window), "care"));
  g_assert_false (ww_search_results_get_truncated (results));
  for (guint i = 0; i < n; i++)
    g_assert_cmpstr (ww_provider_get_theme (get_result (results, i)), ==, "care");

  /* the page says which theme it lists */
  care = ww_plugin_engine_lookup (ww_window_get_plugin_engine (f->window), "care");
  texts = dup_label_texts (get_page (f, "results"));
  assert_label_shown (texts, ww_plugin_get_name (care));
  assert_label_shown (texts, ww_provider_get_name (get_result (results, 0)));
}

static void
test_theme_filter_narrows (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(WwSearchResults) all = NULL;
  g_autoptr(WwSearchResults) walk_in = NULL;
  g_autoptr(WwSearchResults) again = NULL;
  g_autoptr(WwSearchResults) open_now = NULL;
  g_autoptr(GDateTime) before = NULL;
  g_autoptr(GDateTime) after = NULL;
  g_autoptr(GHashTable) open_ids = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_all;
  guint n;

  open_window (f, NULL);
  wait_until_home (f);
  all = open_theme (f, "care");
  n_all = g_list_model_get_n_items (G_LIST_MODEL (all));

  toggle_filter (f, "walk-in", TRUE);
  walk_in = wait_for_results (f, all);
  n = g_list_model_get_n_items (G_LIST_MODEL (walk_in));
  g_assert_cmpuint (n, >, 0);
  g_assert_cmpuint (n, <, n_all);
  for (guint i = 0; i < n; i++)
    {
      WwProvider *provider = get_result (walk_in, i);

      g_assert_cmpstr (ww_provider_get_theme (provider), ==, "care");
      g_assert_true (ww_provider_has_attribute (provider, "walk-in"));
    }

  toggle_filter (f, "walk-in", FALSE);
  again = wait_for_results (f, walk_in);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (again)), ==, n_all);

  /* Open now: whichever listings are open between just before the
   * search and just after it; none at night, and then the window says
   * that nothing was found. */
  before = g_date_time_new_now_utc ();
  toggle_filter (f, "open-now", TRUE);
  open_now = wait_for_results (f, again);
  after = g_date_time_new_now_utc ();

  n = g_list_model_get_n_items (G_LIST_MODEL (open_now));
  for (guint i = 0; i < n; i++)
    {
      WwProvider *provider = get_result (open_now, i);

      g_assert_true (ww_provider_is_open_at (provider, before) || ww_provider_is_open_at (provider, after));
      g_hash_table_add (open_ids, (gpointer) ww_provider_get_id (provider));
    }
  for (guint i = 0; i < n_all; i++)
    {
      WwProvider *provider = get_result (again, i);

      if (ww_provider_is_open_at (provider, before) && ww_provider_is_open_at (provider, after))
        g_assert_true (g_hash_table_contains (open_ids, ww_provider_get_id (provider)));
    }

  if (n == 0)
    {
      GtkWidget *nothing = find_widget (get_page (f, "results"), ADW_TYPE_STATUS_PAGE,
                                        has_status_title_cb, (gpointer) "Nothing found");

      g_assert_nonnull (nothing);
      g_assert_true (gtk_widget_get_mapped (nothing));
      g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (get_list_view (f))));
    }
  else
    {
      g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (get_list_view (f))));
    }
}

static void
test_provider_shows_facts (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(WwSearchResults) results = NULL;
  g_autoptr(GPtrArray) texts = NULL;
  g_autofree char *year = NULL;
  g_autofree char *place = NULL;
  const char *checked;
  WwProvider *expected;
  WwProvider *provider;
  const char *const *attributes;
  GPtrArray *schedules;
  const char *assured;

  open_window (f, NULL);
  wait_until_home (f);
  results = open_theme (f, "care");
  expected = get_result (results, 0);

  g_signal_emit_by_name (get_list_view (f), "activate", 0);
  wait_for (f, is_on_page (f, "provider"));

  provider = ww_provider_page_get_provider (WW_PROVIDER_PAGE (get_page (f, "provider")));
  g_assert_nonnull (provider);
  g_assert_cmpstr (ww_provider_get_id (provider), ==, ww_provider_get_id (expected));

  texts = dup_label_texts (get_page (f, "provider"));
  assert_label_shown (texts, ww_provider_get_name (provider));
  assert_label_shown (texts, ww_provider_get_field (provider, WW_PROVIDER_STREET));
  g_assert_nonnull (ww_provider_get_field (provider, WW_PROVIDER_POSTAL_CODE));
  place = g_strdup_printf ("%s %s", ww_provider_get_field (provider, WW_PROVIDER_POSTAL_CODE),
                           ww_provider_get_city (provider));
  assert_label_shown (texts, place);
  assert_label_shown (texts, ww_provider_get_field (provider, WW_PROVIDER_PHONE));

  attributes = ww_provider_get_attributes (provider);
  g_assert_nonnull (attributes[0]);
  for (guint i = 0; attributes[i] != NULL; i++)
    assert_label_shown (texts, ww_attribute_get_label (attributes[i]));

  schedules = ww_provider_get_schedules (provider);
  g_assert_cmpuint (schedules->len, >, 0);
  for (guint i = 0; i < schedules->len; i++)
    {
      const WwSchedule *schedule = g_ptr_array_index (schedules, i);
      g_autofree char *hours = ww_gui_format_schedule (schedule);
      g_autofree char *opens = g_strdup_printf ("%02u:%02u", schedule->opens / 60, schedule->opens % 60);

      g_assert_nonnull (strstr (hours, opens));
      assert_label_shown (texts, hours);
    }

  assured = ww_provider_get_field (provider, WW_PROVIDER_ASSURED_DATE);
  g_assert_nonnull (assured);
  year = g_strndup (assured, 4);
  checked = find_text_containing (texts, "checked on");
  g_assert_nonnull (checked);
  g_assert_nonnull (strstr (checked, year));

  g_assert_true (ww_provider_get_sample (provider));
  assert_label_contains (texts, "This is a fictional sample listing");
}

/* Names with "&" and "<" in them are text, not markup. */
static void
test_provider_plain_text (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(WwSearchResults) results = NULL;
  g_autoptr(GPtrArray) texts = NULL;
  WwProvider *provider;
  const char *organization;
  guint position;

  open_window (f, NULL);
  wait_until_home (f);
  gtk_editable_set_text (get_search_entry (get_page (f, "home")), "peters beek");
  wait_for (f, is_on_page (f, "results"));
  results = wait_for_results (f, NULL);

  for (position = 0; position < g_list_model_get_n_items (G_LIST_MODEL (results)); position++)
    {
      organization = ww_provider_get_field (get_result (results, position), WW_PROVIDER_ORGANIZATION_NAME);
      if (organization != NULL && strchr (organization, '&') != NULL)
        break;
    }
  g_assert_cmpuint (position, <, g_list_model_get_n_items (G_LIST_MODEL (results)));
  provider = get_result (results, position);
  g_assert_nonnull (ww_provider_get_field (provider, WW_PROVIDER_ORGANIZATION_DESCRIPTION));

  g_signal_emit_by_name (get_list_view (f), "activate", position);
  wait_for (f, is_on_page (f, "provider"));

  texts = dup_label_texts (get_page (f, "provider"));
  assert_label_shown (texts, ww_provider_get_name (provider));
  assert_label_shown (texts, ww_provider_get_field (provider, WW_PROVIDER_ORGANIZATION_NAME));
  assert_label_shown (texts, ww_provider_get_field (provider, WW_PROVIDER_ORGANIZATION_DESCRIPTION));
}

static void
test_info_opens (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(WwSearchResults) results = NULL;
  g_autoptr(WwInfoPage) expected = NULL;
  g_autoptr(GPtrArray) texts = NULL;
  g_auto(GStrv) words = NULL;
  g_autofree char *beginning = NULL;
  WwPlugin *care;
  GtkWidget *link;
  WwInfoPage *shown;

  open_window (f, NULL);
  wait_until_home (f);
  results = open_theme (f, "care");

  care = ww_plugin_engine_lookup (ww_window_get_plugin_engine (f->window), "care");
  expected = g_list_model_get_item (ww_plugin_get_info_pages (care), 0);
  g_assert_nonnull (expected);

  link = find_widget (get_page (f, "results"), GTK_TYPE_BUTTON, is_shown_with_class_cb, (gpointer) "info-link");
  g_assert_nonnull (link);
  g_signal_emit_by_name (link, "clicked");
  wait_for (f, is_on_page (f, "info"));

  shown = ww_info_view_get_page (WW_INFO_VIEW (get_page (f, "info")));
  g_assert_nonnull (shown);
  g_assert_cmpstr (ww_info_page_get_id (shown), ==, ww_info_page_get_id (expected));

  texts = dup_label_texts (get_page (f, "info"));
  assert_label_shown (texts, ww_info_page_get_title (expected));
  words = g_strsplit (ww_info_page_get_body (expected), " ", 6);
  g_assert_cmpuint (g_strv_length (words), ==, 6);
  g_clear_pointer (&words[5], g_free);
  beginning = g_strjoinv (" ", words);
  assert_label_contains (texts, beginning);
}

static void
test_navigation_back (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(WwSearchResults) results = NULL;
  GtkEditable *home_entry;
  GtkWidget *back;
  GtkWidget *home;

  open_window (f, NULL);
  wait_until_home (f);
  back = get_header_button (f, "win.back");
  home = get_header_button (f, "win.home");
  g_assert_false (gtk_widget_get_visible (back));
  g_assert_false (gtk_widget_get_visible (home));

  home_entry = get_search_entry (get_page (f, "home"));
  gtk_editable_set_text (home_entry, "testpunt");
  wait_for (f, is_on_page (f, "results"));
  results = wait_for_results (f, NULL);
  g_signal_emit_by_name (get_list_view (f), "activate", 0);
  wait_for (f, is_on_page (f, "provider"));
  g_assert_true (gtk_widget_get_visible (back));
  g_assert_true (gtk_widget_get_visible (home));

  /* back: the same list, as it was left */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.back", NULL));
  wait_for (f, is_on_page (f, "results"));
  g_assert_true (ww_results_page_get_results (get_results_page (f)) == results);
  g_assert_cmpstr (gtk_editable_get_text (get_search_entry (get_page (f, "results"))), ==, "testpunt");
  g_assert_true (gtk_widget_get_visible (back));

  /* home: the start page, ready for a new search */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.home", NULL));
  wait_for (f, is_on_page (f, "home"));
  g_assert_cmpstr (gtk_editable_get_text (home_entry), ==, "");
  g_assert_false (gtk_widget_get_visible (back));
  g_assert_false (gtk_widget_get_visible (home));
}

static void
test_a11y_names (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(WwSearchResults) results = NULL;
  GtkWidget *link;

  open_window_with_relay (f);
  wait_until_home (f);
  assert_controls_named (f, "home");

  results = open_theme (f, "care");
  assert_controls_named (f, "results");

  g_signal_emit_by_name (get_list_view (f), "activate", 0);
  wait_for (f, is_on_page (f, "provider"));
  assert_controls_named (f, "provider");

  /* the booking form, with the contact entry shown, and its check */
  click (get_control (get_page (f, "provider"), GTK_TYPE_BUTTON, "Ask for an appointment"));
  wait_for (f, is_on_page (f, "booking"));
  assert_controls_named (f, "booking");
  fill_booking_form (f);
  wait_for (f, gtk_widget_get_mapped (get_control (get_page (f, "booking"), GTK_TYPE_ENTRY, "Phone number")));
  assert_controls_named (f, "booking");
  continue_to_check (f);
  wait_for (f, gtk_widget_get_mapped (get_consent (f)));
  assert_controls_named (f, "booking");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.back", NULL));
  wait_for (f, is_on_page (f, "provider"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.back", NULL));
  wait_for (f, is_on_page (f, "results"));
  link = find_widget (get_page (f, "results"), GTK_TYPE_BUTTON, is_shown_with_class_cb, (gpointer) "info-link");
  g_assert_nonnull (link);
  g_signal_emit_by_name (link, "clicked");
  wait_for (f, is_on_page (f, "info"));
  assert_controls_named (f, "info");
}

/* The check above finds what it looks for: a button with an icon only
 * and nothing else to say what it does. */
static void
test_a11y_unnamed_is_caught (Fixture       *f,
                             gconstpointer  data)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *icon_only = gtk_button_new_from_icon_name ("go-home-symbolic");
  GtkWidget *with_tooltip = gtk_button_new_from_icon_name ("go-home-symbolic");
  GtkWidget *labelled = gtk_button_new_from_icon_name ("go-home-symbolic");
  GtkWidget *entry = gtk_search_entry_new ();
  g_autofree char *unnamed = NULL;

  gtk_widget_set_tooltip_text (with_tooltip, "Start page");
  ww_gui_set_accessible_label (labelled, "Start page");
  gtk_box_append (GTK_BOX (box), with_tooltip);
  gtk_box_append (GTK_BOX (box), gtk_button_new_with_label ("Back"));
  gtk_box_append (GTK_BOX (box), labelled);
  gtk_box_append (GTK_BOX (box), icon_only);
  gtk_box_append (GTK_BOX (box), entry);
  gtk_window_set_child (GTK_WINDOW (window), box);
  gtk_window_present (GTK_WINDOW (window));

  unnamed = dup_unnamed_controls (box);
  g_assert_cmpstr (unnamed, ==,
                   "\n  GtkButton without a name: GtkBox[0]/GtkButton[3]"
                   "\n  GtkSearchEntry without a name: GtkBox[0]/GtkSearchEntry[4]");

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_problem_corrupt_database (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GString) garbage = g_string_new (NULL);
  g_autofree char *moved = NULL;
  g_autofree char *contents = NULL;
  const char *name;

  /* longer than an SQLite header, and not one */
  for (guint i = 0; i < 256; i++)
    g_string_append (garbage, "This is not a database. ");
  g_file_set_contents (f->db_path, garbage->str, garbage->len, &error);
  g_assert_no_error (error);

  open_window (f, NULL);
  wait_until_home (f);
  g_assert_true (has_notice (f, "The directory was damaged"));

  /* a fresh directory, from the themes */
  g_assert_cmpuint (count_tiles (f), ==, g_strv_length ((char **) theme_ids));
  g_assert_cmpuint (ww_directory_count (ww_window_get_directory (f->window), NULL), >, 0);

  /* and the damaged file kept, as it was, for an administrator */
  dir = g_dir_open (f->tmpdir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, "directory.db.corrupt-") && !g_str_has_suffix (name, "-wal") &&
        !g_str_has_suffix (name, "-shm"))
      {
        g_assert_null (moved);
        moved = g_build_filename (f->tmpdir, name, NULL);
      }
  g_assert_nonnull (moved);
  g_file_get_contents (moved, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (contents, ==, garbage->str);
}

static char *
fixture_plugin_dir (const char *variable,
                    const char *name)
{
  const char *directory = g_getenv (variable);

  g_assert_nonnull (directory);
  return g_build_filename (directory, name, NULL);
}

/* One theme that loads and two that do not. (The fixture "good" is for
 * the engine's tests: its listing has no address, and seeding it logs a
 * warning of its own.) */
static void
test_problem_broken_plugin (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *empty = fixture_plugin_dir ("WW_TEST_GUI_FIXTURES", "empty");
  g_autofree char *missing_symbol = fixture_plugin_dir ("WW_TEST_PLUGIN_FIXTURES", "missing-symbol");
  g_autofree char *wrong_abi = fixture_plugin_dir ("WW_TEST_PLUGIN_FIXTURES", "wrong-abi");
  const char *const path[] = { empty, missing_symbol, wrong_abi, NULL };
  g_autoptr(GPtrArray) warnings = NULL;
  g_autoptr(WwPlugin) plugin = NULL;

  open_window (f, path);
  wait_until_home (f);

  /* the working theme is there */
  g_assert_cmpuint (count_tiles (f), ==, 1);
  plugin = g_list_model_get_item (ww_plugin_engine_get_plugins (ww_window_get_plugin_engine (f->window)), 0);
  g_assert_cmpstr (ww_plugin_get_id (plugin), ==, "empty");
  g_assert_cmpstr (ww_gui_get_accessible_label (GTK_WIDGET (get_tile (f, 0))), ==, ww_plugin_get_name (plugin));

  /* the person hears which themes are missing, by name */
  g_assert_true (has_notice (f, "“Missing symbol test theme” could not be loaded"));
  g_assert_true (has_notice (f, "“Wrong ABI test theme” could not be loaded"));
  g_assert_null (ww_window_get_notices (f->window)[2]);

  /* and the log has why, once each */
  warnings = take_engine_warnings ();
  g_assert_cmpuint (warnings->len, ==, 2);
  g_assert_nonnull (strstr (g_ptr_array_index (warnings, 0), "missing-symbol.plugin"));
  g_assert_nonnull (strstr (g_ptr_array_index (warnings, 0), "does not export ww_plugin_query_type()"));
  g_assert_nonnull (strstr (g_ptr_array_index (warnings, 1), "wrong-abi.plugin"));
  g_assert_nonnull (strstr (g_ptr_array_index (warnings, 1), "built for plugin ABI 999"));
}

static void
test_problem_no_plugins (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *nothing = g_build_filename (f->tmpdir, "plugins", NULL);
  const char *const path[] = { nothing, NULL };
  GtkWidget *message;

  g_assert_cmpint (g_mkdir (nothing, 0700), ==, 0);
  open_window (f, path);
  wait_until_home (f);

  g_assert_cmpuint (count_tiles (f), ==, 0);
  message = find_widget (get_page (f, "home"), ADW_TYPE_STATUS_PAGE,
                         has_status_title_cb, (gpointer) "No themes are installed");
  g_assert_nonnull (message);
  g_assert_true (gtk_widget_get_mapped (message));
  g_assert_false (gtk_revealer_get_reveal_child (get_sample_revealer (f)));
}

static void
test_problem_empty_directory (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *empty = fixture_plugin_dir ("WW_TEST_GUI_FIXTURES", "empty");
  const char *const path[] = { empty, NULL };
  GtkWidget *message;

  open_window (f, path);
  wait_until_home (f);

  g_assert_cmpuint (count_tiles (f), ==, 1);
  message = find_widget (get_page (f, "home"), ADW_TYPE_STATUS_PAGE,
                         has_status_title_cb, (gpointer) "The directory is empty");
  g_assert_nonnull (message);
  g_assert_true (gtk_widget_get_mapped (message));
  g_assert_false (gtk_revealer_get_reveal_child (get_sample_revealer (f)));
}

static void
test_problem_unopenable (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_build_filename (f->tmpdir, "file", NULL);
  AdwStatusPage *problem;

  /* the folder the database would be in is a file */
  g_file_set_contents (file, "", 0, &error);
  g_assert_no_error (error);
  g_free (f->db_path);
  f->db_path = g_build_filename (file, "directory.db", NULL);

  open_window (f, NULL);
  wait_for (f, is_on_page (f, "problem"));

  problem = ADW_STATUS_PAGE (get_page (f, "problem"));
  g_assert_cmpstr (adw_status_page_get_title (problem), ==, "The directory cannot be opened");
  g_assert_nonnull (strstr (adw_status_page_get_description (problem), file));
  g_assert_false (ww_window_get_loaded (f->window));
  g_assert_false (gtk_widget_get_visible (get_header_button (f, "win.home")));
  g_assert_false (gtk_widget_get_visible (get_header_button (f, "win.back")));
}

/* Runs this test again in a user and mount namespace of its own, where
 * @dir is bound read-only: as root, permission bits would not stop a
 * write. Returns FALSE (and skips) where namespaces are not to be had. */
static gboolean
run_in_read_only_namespace (Fixture    *f,
                            const char *dir)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  const char *argv[] = {
    "unshare", "-rm", "sh", "-c",
    "mount --bind \"$1\" \"$1\" && mount -o remount,bind,ro \"$1\" || exit 99; shift; exec \"$@\"",
    "sh", dir, self_exe, "-p", "/gui/problem/read-only", NULL
  };

  g_subprocess_launcher_setenv (launcher, "WW_TEST_READ_ONLY_DB", f->db_path, TRUE);
  /* the child isolates its own directories; it starts from the real ones */
  if (original_data_dirs != NULL)
    g_subprocess_launcher_setenv (launcher, "XDG_DATA_DIRS", original_data_dirs, TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "XDG_DATA_DIRS");
  child = g_subprocess_launcher_spawnv (launcher, argv, &error);
  if (child == NULL)
    {
      g_test_skip ("unshare(1) could not be run");
      return FALSE;
    }

  /* the child's TAP stream is its own; it goes into our log */
  g_subprocess_communicate_utf8 (child, NULL, NULL, &output, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("read-only run:\n%s", output);

  if (g_subprocess_get_if_exited (child) && g_subprocess_get_exit_status (child) == 99)
    {
      g_test_skip ("user and mount namespaces are not available here");
      return FALSE;
    }

  g_assert_true (g_subprocess_get_successful (child));
  /* it ran the checks, rather than skipping them */
  g_assert_nonnull (strstr (output, "ok 1 /gui/problem/read-only"));
  g_assert_null (strstr (output, "# SKIP"));
  return TRUE;
}

static void
test_problem_read_only (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(WwSearchResults) results = NULL;
  const char *read_only_db = g_getenv ("WW_TEST_READ_ONLY_DB");

  if (read_only_db == NULL)
    {
      /* a directory made and seeded as usual, then made read-only */
      open_window (f, NULL);
      wait_until_home (f);
      close_window (f);

      if (geteuid () == 0)
        {
          run_in_read_only_namespace (f, f->tmpdir);
          return;
        }

      g_assert_cmpint (g_chmod (f->db_path, 0444), ==, 0);
    }
  else
    {
      /* the run inside the read-only namespace */
      g_free (f->db_path);
      f->db_path = g_strdup (read_only_db);
    }

  open_window (f, NULL);
  wait_until_home (f);
  g_assert_true (has_notice (f, "can only be read"));
  g_assert_cmpuint (count_tiles (f), ==, g_strv_length ((char **) theme_ids));

  /* and it still shows what it holds */
  results = open_theme (f, "care");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (results)), >, 0);
}


/* A form without the one required answer stays a form, says what is
 * missing in the words of the form, and puts the focus there. */
static void
test_booking_form_validates (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GPtrArray) texts = NULL;
  GtkWidget *first_topic;

  open_window_with_relay (f);
  open_booking_form (f);

  type_into (f, "What name should they use?", CANARY_NAME);
  click (get_control (get_page (f, "booking"), GTK_TYPE_BUTTON, "Continue"));

  g_assert_cmpstr (ww_booking_page_get_step (get_booking_page (f)), ==, "form");
  g_assert_null (ww_booking_page_get_request (get_booking_page (f)));
  wait_for (f, TRUE);
  texts = dup_label_texts (get_page (f, "booking"));
  assert_label_shown (texts, "What is it about?: please answer this question");
  first_topic = get_control (get_page (f, "booking"), GTK_TYPE_CHECK_BUTTON,
                             "Registering as a new patient");
  g_assert_true (gtk_window_get_focus (GTK_WINDOW (f->window)) == first_topic);
  g_assert_cmpuint (f->relay_bookings, ==, 0);

  /* and a phone number that is not one is caught there too */
  g_clear_pointer (&texts, g_ptr_array_unref);
  set_check (f, "PrEP", TRUE);
  set_check (f, "By phone", TRUE);
  type_into (f, "Phone number", "call me");
  click (get_control (get_page (f, "booking"), GTK_TYPE_BUTTON, "Continue"));
  g_assert_cmpstr (ww_booking_page_get_step (get_booking_page (f)), ==, "form");
  texts = dup_label_texts (get_page (f, "booking"));
  assert_label_contains (texts, "Phone number: use digits");
  /* an entry's focus is on the text inside it */
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (f->window)),
                                         get_control (get_page (f, "booking"), GTK_TYPE_ENTRY,
                                                      "Phone number")));
}

/* The check page shows, row by row, what the request will carry. */
static void
test_booking_preview_matches (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) lines = NULL;
  WwBookingRequest *request;
  GtkWidget *list;
  GtkWidget *row;
  guint n_rows = 0;
  gboolean saw_name = FALSE;

  open_window_with_relay (f);
  open_booking_form (f);
  fill_booking_form (f);
  continue_to_check (f);
  wait_for (f, is_on_page (f, "booking"));

  request = ww_booking_page_get_request (get_booking_page (f));
  g_assert_nonnull (request);
  g_assert_cmpstr (ww_booking_request_get_field (request, "topic"), ==, "prep");
  g_assert_cmpint (ww_booking_request_get_contact_method (request), ==, WW_CONTACT_METHOD_PHONE);
  g_assert_cmpstr (ww_booking_request_get_name (request), ==, CANARY_NAME);
  lines = ww_booking_request_dup_preview (request, get_care_plugin (f));

  list = get_widget (get_page (f, "booking"), GTK_TYPE_LIST_BOX);
  g_assert_true (gtk_widget_get_mapped (list));
  for (row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    {
      WwBookingPreviewLine *line;

      g_assert_true (ADW_IS_ACTION_ROW (row));
      g_assert_cmpuint (n_rows, <, lines->len);
      line = g_ptr_array_index (lines, n_rows);
      g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, line->label);
      g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, line->value);
      /* shown as typed, not as markup */
      g_assert_false (adw_preferences_row_get_use_markup (ADW_PREFERENCES_ROW (row)));
      saw_name |= g_str_equal (line->value, CANARY_NAME);
      n_rows++;
    }
  g_assert_cmpuint (n_rows, ==, lines->len);
  g_assert_true (saw_name);

  /* "Change" goes back to the form as it was left */
  click (get_control (get_page (f, "booking"), GTK_TYPE_BUTTON, "Change"));
  g_assert_cmpstr (ww_booking_page_get_step (get_booking_page (f)), ==, "form");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (get_control (get_page (f, "booking"), GTK_TYPE_ENTRY,
                                                                     "What name should they use?"))),
                   ==, CANARY_NAME);
}

static void
test_booking_consent_required (Fixture       *f,
                               gconstpointer  data)
{
  GtkWidget *send;
  GtkWidget *consent;

  open_window_with_relay (f);
  open_booking_form (f);
  fill_booking_form (f);
  continue_to_check (f);
  wait_for (f, is_on_page (f, "booking"));

  send = get_control (get_page (f, "booking"), GTK_TYPE_BUTTON, "Send");
  consent = get_consent (f);
  g_assert_true (gtk_widget_get_mapped (send));
  g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (consent)));
  g_assert_false (gtk_widget_is_sensitive (send));

  gtk_check_button_set_active (GTK_CHECK_BUTTON (consent), TRUE);
  g_assert_true (gtk_widget_is_sensitive (send));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (consent), FALSE);
  g_assert_false (gtk_widget_is_sensitive (send));

  /* and the consent is asked again after a change */
  gtk_check_button_set_active (GTK_CHECK_BUTTON (consent), TRUE);
  click (get_control (get_page (f, "booking"), GTK_TYPE_BUTTON, "Change"));
  continue_to_check (f);
  g_assert_false (gtk_check_button_get_active (GTK_CHECK_BUTTON (consent)));
  g_assert_false (gtk_widget_is_sensitive (send));
  g_assert_cmpuint (f->relay_bookings, ==, 0);
}

/* Fills in, consents and sends; waits for the last step. */
static void
send_booking (Fixture *f)
{
  open_booking_form (f);
  fill_booking_form (f);
  continue_to_check (f);
  wait_for (f, is_on_page (f, "booking"));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (get_consent (f)), TRUE);
  click (get_control (get_page (f, "booking"), GTK_TYPE_BUTTON, "Send"));
  wait_for (f, g_strcmp0 (ww_booking_page_get_step (get_booking_page (f)), "sent") == 0);
}

static void
test_booking_sent_shows_code (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) texts = NULL;

  open_window_with_relay (f);
  send_booking (f);

  g_assert_cmpuint (f->relay_bookings, ==, 1);
  g_assert_cmpuint (f->relay_refused, ==, 0);
  g_assert_null (ww_booking_page_get_request (get_booking_page (f)));
  texts = dup_label_texts (get_page (f, "booking"));
  assert_label_shown (texts, "Your request has been sent");
  assert_label_shown (texts, TEST_REFERENCE);
  assert_label_shown (texts, TEST_PIN);
  assert_label_shown (texts, "Write these down or take a photo: you need both to see the answer.");
  g_assert_null (find_text_containing (texts, "will be sent as soon as"));
  assert_controls_named (f, "booking");
}

/* The relay cannot be reached: the request waits in the outbox, and the
 * page says so without a code. */
static void
test_booking_saved_when_offline (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GPtrArray) texts = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *outbox_path = g_build_filename (f->tmpdir, "outbox.db", NULL);
  g_autoptr(WwOutbox) outbox = NULL;

  start_relay (f);
  f->relay_status = 503;
  open_window_with_relay (f);
  send_booking (f);

  texts = dup_label_texts (get_page (f, "booking"));
  assert_label_shown (texts, "Your request is saved");
  assert_label_contains (texts, "will be sent as soon as the connection is back");
  g_assert_null (find_text_containing (texts, TEST_REFERENCE));
  g_assert_null (find_text_containing (texts, "Write these down"));

  outbox = ww_outbox_open (outbox_path, &error);
  g_assert_no_error (error);
  items = ww_outbox_list (outbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpint (((WwOutboxItem *) g_ptr_array_index (items, 0))->state, ==, WW_OUTBOX_STATE_QUEUED);
}

static void
test_booking_done_clears (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_free);
  WwBookingPage *page;

  open_window_with_relay (f);
  send_booking (f);

  click (get_control (get_page (f, "booking"), GTK_TYPE_BUTTON, "Done"));
  wait_for (f, is_on_page (f, "home"));

  page = get_booking_page (f);
  g_assert_null (ww_booking_page_get_request (page));
  g_assert_cmpstr (ww_booking_page_get_step (page), ==, "form");
  /* the status page's address holds the reference */
  g_assert_null (gtk_picture_get_paintable (GTK_PICTURE (find_qr_picture (f))));
  collect_held_texts (GTK_WIDGET (page), held);
  g_assert_cmpuint (held->len, >, 0);
  for (guint i = 0; i < held->len; i++)
    {
      const char *text = g_ptr_array_index (held, i);

      g_assert_null (strstr (text, CANARY_NAME));
      g_assert_null (strstr (text, "1234 5678"));
      g_assert_null (strstr (text, TEST_REFERENCE));
      g_assert_null (strstr (text, TEST_PIN));
    }

  /* and the next visitor starts with an empty form */
  send_booking (f);
  g_assert_cmpuint (f->relay_bookings, ==, 2);
}

/* Without a relay the program still browses, and offers no booking. */
static void
test_booking_hidden_without_relay (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(WwSearchResults) results = NULL;

  open_window (f, NULL);
  wait_until_home (f);
  results = open_theme (f, "care");
  g_signal_emit_by_name (get_list_view (f), "activate", 0);
  wait_for (f, is_on_page (f, "provider"));
  g_assert_null (find_widget (get_page (f, "provider"), GTK_TYPE_BUTTON, has_accessible_label_cb,
                              (gpointer) "Ask for an appointment"));
}

/* The confirmation has a QR code of the status page's address: named
 * for a screen reader, square, whole pixels a module, black on white
 * with its quiet zone, and module for module the code of that address. */
static void
test_booking_sent_shows_qr (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(GPtrArray) texts = NULL;
  g_autofree char *status_url = NULL;
  g_autofree char *differs = NULL;
  g_autofree guchar *pixels = NULL;
  QRcode *code;
  GtkWidget *picture;
  GdkTexture *texture;
  int modules;
  int side;
  int scale;
  gsize stride;

  open_window_with_relay (f);
  send_booking (f);

  picture = find_qr_picture (f);
  g_assert_nonnull (picture);
  g_assert_true (gtk_widget_get_mapped (picture));
  differs = gtk_test_accessible_check_property (GTK_ACCESSIBLE (picture),
                                                GTK_ACCESSIBLE_PROPERTY_LABEL, QR_LABEL);
  g_assert_null (differs);
  texts = dup_label_texts (get_page (f, "booking"));
  assert_label_contains (texts, "Scan this code with your phone to check your request");
  assert_label_contains (texts, "You will need your PIN.");

  g_assert_true (GDK_IS_TEXTURE (gtk_picture_get_paintable (GTK_PICTURE (picture))));
  texture = GDK_TEXTURE (gtk_picture_get_paintable (GTK_PICTURE (picture)));

  status_url = g_strdup_printf ("%sstatus?reference=%s", f->relay_uri, TEST_REFERENCE);
  code = QRcode_encodeString (status_url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  g_assert_nonnull (code);
  modules = code->width + 2 * WW_QR_CODE_QUIET_ZONE;
  side = gdk_texture_get_width (texture);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, side);
  g_assert_cmpint (side % modules, ==, 0);
  scale = side / modules;
  g_assert_cmpint (scale, >=, WW_QR_CODE_MIN_SCALE);
  g_assert_cmpint (side, ==, modules * scale);
  /* shown at its own size, not scaled (and blurred) by the layout */
  wait_for (f, gtk_widget_get_width (picture) > 0);
  g_assert_cmpint (gtk_widget_get_width (picture), ==, side);
  g_assert_cmpint (gtk_widget_get_height (picture), ==, side);

  /* every pixel pure black or pure white, as its module is */
  stride = (gsize) side * 4;
  pixels = g_malloc (stride * side);
  gdk_texture_download (texture, pixels, stride);
  for (int y = 0; y < side; y++)
    for (int x = 0; x < side; x++)
      {
        int mx = x / scale - WW_QR_CODE_QUIET_ZONE;
        int my = y / scale - WW_QR_CODE_QUIET_ZONE;
        gboolean dark = mx >= 0 && my >= 0 && mx < code->width && my < code->width &&
                        (code->data[my * code->width + mx] & 1) != 0;
        const guchar *pixel = pixels + (gsize) y * stride + (gsize) x * 4;
        guchar expected = dark ? 0x00 : 0xff;

        if (pixel[0] != expected || pixel[1] != expected || pixel[2] != expected || pixel[3] != 0xff)
          g_error ("pixel %d,%d of module %d,%d is %02x%02x%02x%02x, not %s",
                   x, y, mx, my, pixel[0], pixel[1], pixel[2], pixel[3], dark ? "black" : "white");
      }
  QRcode_free (code);
}

/* A relay that gives no status page: the code and PIN, and no QR code. */
static void
test_booking_sent_without_status_url (Fixture       *f,
                                      gconstpointer  data)
{
  g_autoptr(GPtrArray) texts = NULL;
  GtkWidget *picture;

  start_relay (f);
  f->relay_no_status_url = TRUE;
  open_window_with_relay (f);
  send_booking (f);

  texts = dup_label_texts (get_page (f, "booking"));
  assert_label_shown (texts, TEST_REFERENCE);
  assert_label_shown (texts, TEST_PIN);
  g_assert_null (find_text_containing (texts, "Scan this code"));
  picture = find_qr_picture (f);
  g_assert_nonnull (picture);
  g_assert_false (gtk_widget_get_mapped (picture));
  g_assert_null (gtk_picture_get_paintable (GTK_PICTURE (picture)));
}

/* Saved while the relay was down; the background sender gets it there
 * once it is back, and the page that said "saved" shows the code. */
static void
test_booking_sent_later (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GPtrArray) texts = NULL;

  start_relay (f);
  f->relay_status = 503;
  open_window_with_relay (f);
  send_booking (f);
  texts = dup_label_texts (get_page (f, "booking"));
  assert_label_shown (texts, "Your request is saved");
  g_clear_pointer (&texts, g_ptr_array_unref);

  /* nobody asks again: the program does, when the request is due */
  f->relay_status = 201;
  wait_for (f, f->relay_bookings == 1);
  wait_for (f, find_widget (get_page (f, "booking"), GTK_TYPE_LABEL, has_text_label_cb,
                            (gpointer) TEST_REFERENCE) != NULL);
  texts = dup_label_texts (get_page (f, "booking"));
  assert_label_shown (texts, "Your request has been sent");
  assert_label_shown (texts, TEST_REFERENCE);
  assert_label_shown (texts, TEST_PIN);
  g_assert_null (find_text_containing (texts, "will be sent as soon as"));
  g_assert_true (gtk_widget_get_mapped (find_qr_picture (f)));
  g_assert_cmpuint (f->relay_refused, ==, 0);
}

/* Checking a request ----------------------------------------------------------- */

#define ANSWER_ACCEPTED \
  "{\"reference\": \"" TEST_REFERENCE "\", \"status\": \"accepted\", \"answer\": " \
  "{\"status\": \"accepted\", \"time\": \"2026-12-03T10:00:00+01:00\", \"reason\": null, " \
  "\"answered_at\": \"2026-12-01T19:00:00Z\"}}"
#define DECLINE_REASON "We are closed that week <b>& so</b> is the walk-in. Please ask us again in January."
#define ANSWER_DECLINED \
  "{\"reference\": \"" TEST_REFERENCE "\", \"status\": \"declined\", \"answer\": " \
  "{\"status\": \"declined\", \"time\": null, \"reason\": \"" DECLINE_REASON "\", " \
  "\"answered_at\": \"2026-12-01T19:00:00Z\"}}"
#define WRONG_PIN_MESSAGE \
  "No request was found with this reference code and PIN. Please check both and try again."

static WwCheckPage *
get_check_page (Fixture *f)
{
  return WW_CHECK_PAGE (get_page (f, "check"));
}

static GtkEditable *
get_reference_entry (Fixture *f)
{
  return GTK_EDITABLE (get_control (get_page (f, "check"), GTK_TYPE_ENTRY, "Reference code"));
}

static GtkEditable *
get_pin_entry (Fixture *f)
{
  return GTK_EDITABLE (get_control (get_page (f, "check"), GTK_TYPE_PASSWORD_ENTRY, "PIN"));
}

/* From the start page, by its button. */
static void
open_check_page (Fixture *f)
{
  wait_until_home (f);
  click (get_control (get_page (f, "home"), GTK_TYPE_BUTTON, "Check my request"));
  wait_for (f, is_on_page (f, "check"));
  g_assert_cmpstr (ww_check_page_get_step (get_check_page (f)), ==, "form");
}

/* Types them in and asks; waits for the relay's answer. */
static void
check_request (Fixture    *f,
               const char *reference,
               const char *pin)
{
  guint lookups = f->lookups;

  gtk_editable_set_text (get_reference_entry (f), reference);
  gtk_editable_set_text (get_pin_entry (f), pin);
  click (get_control (get_page (f, "check"), GTK_TYPE_BUTTON, "Check"));
  wait_for (f, !ww_check_page_get_busy (get_check_page (f)));
  g_assert_cmpuint (f->lookups, ==, lookups + 1);
}

static void
test_check_accepted (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) texts = NULL;

  start_relay (f);
  f->lookup_body = ANSWER_ACCEPTED;
  open_window_with_relay (f);
  open_check_page (f);
  assert_controls_named (f, "check");

  /* as it may be written down */
  check_request (f, "k7qh m2xr", "482 913");
  g_assert_cmpstr (ww_check_page_get_step (get_check_page (f)), ==, "answer");
  texts = dup_label_texts (get_page (f, "check"));
  assert_label_shown (texts, "Your appointment is confirmed");
  /* in the screen's time zone (Europe/Amsterdam, see main()) */
  assert_label_contains (texts, "Thursday 3 December");
  assert_label_contains (texts, "10:00");
  assert_label_shown (texts, "Reference code: " TEST_REFERENCE);
  assert_controls_named (f, "check");

  /* the PIN has done its work */
  g_assert_cmpstr (gtk_editable_get_text (get_pin_entry (f)), ==, "");
}

static void
test_check_declined (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) texts = NULL;
  GtkWidget *reason;

  start_relay (f);
  f->lookup_body = ANSWER_DECLINED;
  open_window_with_relay (f);
  open_check_page (f);
  check_request (f, TEST_REFERENCE, TEST_PIN);

  texts = dup_label_texts (get_page (f, "check"));
  assert_label_shown (texts, "The provider cannot take your request");
  assert_label_shown (texts, "Their message:");
  /* the provider's words as they wrote them, not as markup */
  assert_label_shown (texts, DECLINE_REASON);
  reason = find_widget (get_page (f, "check"), GTK_TYPE_LABEL, has_text_label_cb, (gpointer) DECLINE_REASON);
  g_assert_false (gtk_label_get_use_markup (GTK_LABEL (reason)));
  assert_label_shown (texts, "You can look for another provider from the start page.");
  g_assert_null (find_text_containing (texts, "10:00"));
}

/* The other answers, one after another with "Check another request". */
static void
test_check_every_status (Fixture       *f,
                         gconstpointer  data)
{
  static const struct {
    const char *body;
    const char *title;
    const char *shown;
  } answers[] = {
    { "{\"reference\": \"" TEST_REFERENCE "\", \"status\": \"received\", \"answer\": null}",
      "Your request has arrived", "The provider has not seen it yet." },
    { "{\"reference\": \"" TEST_REFERENCE "\", \"status\": \"delivered\", \"answer\": null}",
      "The provider has your request", "They have not answered yet." },
    { "{\"reference\": \"" TEST_REFERENCE "\", \"status\": \"proposed\", \"answer\": "
      "{\"status\": \"proposed\", \"time\": \"2026-12-04T14:30:00+01:00\", \"reason\": null, "
      "\"answered_at\": \"2026-12-01T19:00:00Z\"}}",
      "The provider suggests another time", "Friday 4 December" },
    { "{\"reference\": \"" TEST_REFERENCE "\", \"status\": \"undeliverable\", \"answer\": null}",
      "Your request could not be delivered", "Please contact them directly" },
  };

  start_relay (f);
  open_window_with_relay (f);
  open_check_page (f);

  for (guint i = 0; i < G_N_ELEMENTS (answers); i++)
    {
      g_autoptr(GPtrArray) texts = NULL;

      f->lookup_body = answers[i].body;
      check_request (f, TEST_REFERENCE, TEST_PIN);
      g_assert_cmpstr (ww_check_page_get_step (get_check_page (f)), ==, "answer");
      texts = dup_label_texts (get_page (f, "check"));
      assert_label_shown (texts, answers[i].title);
      assert_label_contains (texts, answers[i].shown);

      click (get_control (get_page (f, "check"), GTK_TYPE_BUTTON, "Check another request"));
      g_assert_cmpstr (ww_check_page_get_step (get_check_page (f)), ==, "form");
      g_assert_cmpstr (gtk_editable_get_text (get_reference_entry (f)), ==, "");
    }
}

static void
test_check_wrong_pin (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) texts = NULL;

  start_relay (f);
  f->lookup_body = ANSWER_ACCEPTED;
  open_window_with_relay (f);
  open_check_page (f);
  check_request (f, TEST_REFERENCE, "000000");

  /* calmly, on the form, without telling which of the two is wrong */
  g_assert_cmpstr (ww_check_page_get_step (get_check_page (f)), ==, "form");
  texts = dup_label_texts (get_page (f, "check"));
  assert_label_shown (texts, WRONG_PIN_MESSAGE);
  g_assert_null (find_text_containing (texts, "confirmed"));
  assert_controls_named (f, "check");

  /* and the right one then works */
  g_clear_pointer (&texts, g_ptr_array_unref);
  check_request (f, TEST_REFERENCE, TEST_PIN);
  texts = dup_label_texts (get_page (f, "check"));
  assert_label_shown (texts, "Your appointment is confirmed");
  g_assert_null (find_text_containing (texts, WRONG_PIN_MESSAGE));
}

static void
test_check_locked (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GPtrArray) texts = NULL;

  start_relay (f);
  f->lookup_body = ANSWER_ACCEPTED;
  f->lookup_retry_after = "600";
  open_window_with_relay (f);
  open_check_page (f);
  check_request (f, TEST_REFERENCE, TEST_PIN);

  g_assert_cmpstr (ww_check_page_get_step (get_check_page (f)), ==, "form");
  texts = dup_label_texts (get_page (f, "check"));
  assert_label_shown (texts, "Checking is paused for a while, because a wrong PIN was tried too "
                             "often. Please try again in 10 minutes.");

  g_clear_pointer (&texts, g_ptr_array_unref);
  f->lookup_retry_after = "30";
  check_request (f, TEST_REFERENCE, TEST_PIN);
  texts = dup_label_texts (get_page (f, "check"));
  assert_label_contains (texts, "Please try again in 1 minute.");
}

static void
test_check_unreachable (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) texts = NULL;

  open_window_with_relay (f);
  open_check_page (f);
  soup_server_disconnect (f->relay);
  gtk_editable_set_text (get_reference_entry (f), TEST_REFERENCE);
  gtk_editable_set_text (get_pin_entry (f), TEST_PIN);
  click (get_control (get_page (f, "check"), GTK_TYPE_BUTTON, "Check"));
  wait_for (f, !ww_check_page_get_busy (get_check_page (f)));

  texts = dup_label_texts (get_page (f, "check"));
  assert_label_shown (texts, "The appointment service cannot be reached right now. "
                             "Please try again later.");
}

/* What cannot be a code or a PIN is said at once, and not sent. */
static void
test_check_typos (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) texts = NULL;

  open_window_with_relay (f);
  open_check_page (f);

  gtk_editable_set_text (get_reference_entry (f), "K7QH M2X0");
  gtk_editable_set_text (get_pin_entry (f), TEST_PIN);
  click (get_control (get_page (f, "check"), GTK_TYPE_BUTTON, "Check"));
  texts = dup_label_texts (get_page (f, "check"));
  assert_label_contains (texts, "A reference code has 8 characters");
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (f->window)),
                                         GTK_WIDGET (get_reference_entry (f))));

  g_clear_pointer (&texts, g_ptr_array_unref);
  gtk_editable_set_text (get_reference_entry (f), TEST_REFERENCE);
  gtk_editable_set_text (get_pin_entry (f), "4829");
  click (get_control (get_page (f, "check"), GTK_TYPE_BUTTON, "Check"));
  texts = dup_label_texts (get_page (f, "check"));
  assert_label_shown (texts, "A PIN has 6 digits. Please check what you typed.");
  g_assert_cmpuint (f->lookups, ==, 0);
}

/* Every text the check page holds, shown or not, is free of the code
 * and the PIN. */
static void
assert_check_page_empty (Fixture *f)
{
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_free);

  g_assert_cmpstr (ww_check_page_get_step (get_check_page (f)), ==, "form");
  g_assert_cmpstr (gtk_editable_get_text (get_pin_entry (f)), ==, "");
  g_assert_cmpstr (gtk_editable_get_text (get_reference_entry (f)), ==, "");
  collect_held_texts (GTK_WIDGET (get_check_page (f)), held);
  g_assert_cmpuint (held->len, >, 0);
  for (guint i = 0; i < held->len; i++)
    {
      const char *text = g_ptr_array_index (held, i);

      g_assert_null (strstr (text, TEST_PIN));
      g_assert_null (strstr (text, TEST_REFERENCE));
      g_assert_null (strstr (text, DECLINE_REASON));
    }
}

/* However the page is left, the PIN (and the rest) goes. */
static void
test_check_leaving_clears (Fixture       *f,
                           gconstpointer  data)
{
  start_relay (f);
  f->lookup_body = ANSWER_DECLINED;
  open_window_with_relay (f);

  /* typed, not sent: the start page */
  open_check_page (f);
  gtk_editable_set_text (get_reference_entry (f), TEST_REFERENCE);
  gtk_editable_set_text (get_pin_entry (f), TEST_PIN);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.home", NULL));
  wait_for (f, is_on_page (f, "home"));
  assert_check_page_empty (f);

  /* typed, not sent: back */
  open_check_page (f);
  gtk_editable_set_text (get_pin_entry (f), TEST_PIN);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.back", NULL));
  wait_for (f, is_on_page (f, "home"));
  assert_check_page_empty (f);

  /* answered: back */
  open_check_page (f);
  check_request (f, TEST_REFERENCE, TEST_PIN);
  g_assert_cmpstr (ww_check_page_get_step (get_check_page (f)), ==, "answer");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.back", NULL));
  wait_for (f, is_on_page (f, "home"));
  assert_check_page_empty (f);

  /* answered: Done */
  open_check_page (f);
  check_request (f, TEST_REFERENCE, TEST_PIN);
  click (get_control (get_page (f, "check"), GTK_TYPE_BUTTON, "Done"));
  wait_for (f, is_on_page (f, "home"));
  assert_check_page_empty (f);
}

/* From the confirmation: the code shown there is filled in, the PIN is
 * not, and the booking is over. */
static void
test_check_from_confirmation (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(GPtrArray) texts = NULL;

  start_relay (f);
  f->lookup_body = ANSWER_ACCEPTED;
  open_window_with_relay (f);
  send_booking (f);

  click (get_control (get_page (f, "booking"), GTK_TYPE_BUTTON, "Check my request"));
  wait_for (f, is_on_page (f, "check"));
  g_assert_cmpstr (gtk_editable_get_text (get_reference_entry (f)), ==, TEST_REFERENCE);
  g_assert_cmpstr (gtk_editable_get_text (get_pin_entry (f)), ==, "");
  g_assert_true (gtk_widget_is_ancestor (gtk_window_get_focus (GTK_WINDOW (f->window)),
                                         GTK_WIDGET (get_pin_entry (f))));
  g_assert_cmpstr (ww_booking_page_get_step (get_booking_page (f)), ==, "form");
  texts = dup_label_texts (get_page (f, "check"));
  g_assert_null (find_text_containing (texts, TEST_PIN));

  gtk_editable_set_text (get_pin_entry (f), TEST_PIN);
  click (get_control (get_page (f, "check"), GTK_TYPE_BUTTON, "Check"));
  wait_for (f, !ww_check_page_get_busy (get_check_page (f)));
  g_assert_cmpstr (ww_check_page_get_step (get_check_page (f)), ==, "answer");

  /* back leads to the start, not to the booking that is over */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.back", NULL));
  wait_for (f, is_on_page (f, "home"));
  assert_check_page_empty (f);
}

/* Without a relay there is nothing to check either. */
static void
test_check_hidden_without_relay (Fixture       *f,
                                 gconstpointer  data)
{
  GtkWidget *button;

  open_window (f, NULL);
  wait_until_home (f);
  button = find_widget (get_page (f, "home"), GTK_TYPE_BUTTON, has_accessible_label_cb,
                        (gpointer) "Check my request");
  g_assert_nonnull (button);
  g_assert_false (gtk_widget_get_mapped (button));
}

/* Kiosk ---------------------------------------------------------------------- */

/* What a visitor typed into the search and the booking form, and must
 * not find again after a reset. */
#define CANARY_SEARCH "kanarie7f3a"

static void save_screenshot (Fixture    *f,
                             const char *name);
static void assert_fits     (Fixture    *f,
                             const char *page);

static void
open_kiosk (Fixture *f,
            guint    idle_ms)
{
  f->kiosk = TRUE;
  f->idle_ms = idle_ms;
  open_window_with_relay (f);
  wait_for (f, ww_window_get_loaded (f->window) && is_on_page (f, "welcome"));
}

static void
start_visit (Fixture *f)
{
  click (get_control (get_page (f, "welcome"), GTK_TYPE_BUTTON, "Start"));
  wait_until_home (f);
}

/* After a reset or a language switch the application shows a new
 * window in place of the one the test had; @replaced is only compared. */
static void
follow_window (Fixture  *f,
               WwWindow *replaced)
{
  wait_for (f, ww_application_get_window (application) != NULL &&
               ww_application_get_window (application) != replaced);
  f->window = ww_application_get_window (application);
  wait_for (f, gtk_widget_get_mapped (GTK_WIDGET (f->window)));
}

/* no reset has made a new window (the tests' first window is their
 * own, not the application's) */
static void
assert_not_replaced (Fixture  *f,
                     WwWindow *window)
{
  WwWindow *shown = ww_application_get_window (application);

  g_assert_true (shown == NULL || shown == window);
  g_assert_true (f->window == window && gtk_widget_get_mapped (GTK_WIDGET (window)));
}

/* A search and a booking form with the canary in them, large text on. */
static void
fill_in_a_visit (Fixture *f)
{
  gtk_editable_set_text (get_search_entry (get_page (f, "home")), CANARY_SEARCH);
  wait_for (f, is_on_page (f, "results"));
  g_assert_cmpstr (gtk_editable_get_text (get_search_entry (get_page (f, "results"))), ==, CANARY_SEARCH);
  gtk_editable_set_text (get_search_entry (get_page (f, "results")), "");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.home", NULL));
  wait_until_home (f);

  open_booking_form (f);
  fill_booking_form (f);
  g_action_group_activate_action (G_ACTION_GROUP (application), "large-text", NULL);
  g_assert_true (g_variant_get_boolean (g_action_group_get_action_state (G_ACTION_GROUP (application),
                                                                         "large-text")));
  /* the search text again, on the results page the visitor can go back to */
  gtk_editable_set_text (get_search_entry (get_page (f, "results")), CANARY_SEARCH);
}

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *contents = NULL;
  gsize length;

  gsize needle_length = strlen (needle);

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;

  /* byte by byte: a database file is full of NULs */
  for (gsize i = 0; i + needle_length <= length; i++)
    if (memcmp (contents + i, needle, needle_length) == 0)
      return TRUE;

  return FALSE;
}

/* the files below @dir that hold @needle, into @found */
static void
find_in_files (const char *dir,
               const char *needle,
               GPtrArray  *found)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  if (handle == NULL)
    return;

  while ((name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        find_in_files (path, needle, found);
      else if (file_contains (path, needle))
        g_ptr_array_add (found, g_steal_pointer (&path));
    }
}

/* Neither canary in any widget of the window, shown or not, nor in any
 * file the program could have written: the test's folder, HOME and the
 * XDG folders (G_TEST_OPTION_ISOLATE_DIRS made them this test's own). */
static void
assert_visit_forgotten (Fixture *f)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  const char *const canaries[] = { CANARY_NAME, CANARY_SEARCH, "1234 5678" };
  const char *const dirs[] = {
    f->tmpdir, g_get_home_dir (), g_get_user_data_dir (), g_get_user_cache_dir (),
    g_get_user_config_dir (), g_get_user_state_dir (), g_get_user_runtime_dir (),
  };

  collect_held_texts (GTK_WIDGET (f->window), texts);
  g_assert_cmpuint (texts->len, >, 20);
  for (guint c = 0; c < G_N_ELEMENTS (canaries); c++)
    {
      for (guint i = 0; i < texts->len; i++)
        if (strstr (g_ptr_array_index (texts, i), canaries[c]) != NULL)
          g_error ("“%s” is still in the window: “%s”", canaries[c], (char *) g_ptr_array_index (texts, i));

      for (guint d = 0; d < G_N_ELEMENTS (dirs); d++)
        {
          g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_free);

          find_in_files (dirs[d], canaries[c], found);
          if (found->len > 0)
            g_error ("“%s” is still in %s", canaries[c], (char *) g_ptr_array_index (found, 0));
        }
    }
}

static void
clipboard_text_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_assert_no_error (error);
}

static char *
read_clipboard (Fixture *f)
{
  GdkClipboard *clipboard = gdk_display_get_clipboard (gdk_display_get_default ());
  char *text = NULL;

  gdk_clipboard_read_text_async (clipboard, NULL, clipboard_text_cb, &text);
  wait_for (f, text != NULL);
  return text;
}

/* Everything goes back to the start: the page, every text, the
 * language, large text, the clipboard; and the old window is gone. */
static void
assert_reset (Fixture    *f,
              WwWindow   *before,
              const char *language)
{
  g_autofree char *clipboard = NULL;

  g_assert_true (f->window != before);
  g_assert_true (ww_window_get_kiosk (f->window));
  wait_for (f, is_on_page (f, "welcome"));
  g_assert_cmpstr (ww_language_get_current (), ==, language);
  g_assert_false (g_variant_get_boolean (g_action_group_get_action_state (G_ACTION_GROUP (application),
                                                                          "large-text")));
  g_assert_false (ww_window_get_idle_warning_shown (f->window));
  clipboard = read_clipboard (f);
  g_assert_cmpstr (clipboard, ==, "");
  assert_visit_forgotten (f);
}

static GtkEventController *
get_key_controller (GtkWidget *widget)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_EVENT_CONTROLLER_KEY (controller))
        return controller;
    }

  g_error ("the window has no key controller");
}

/* as GTK hands a key press to the window, before any widget */
static gboolean
press_key_with (Fixture         *f,
                guint            keyval,
                GdkModifierType  state)
{
  gboolean handled = FALSE;

  g_signal_emit_by_name (get_key_controller (GTK_WIDGET (f->window)), "key-pressed",
                         keyval, 0, state, &handled);
  return handled;
}

static gboolean
press_key (Fixture *f,
           guint    keyval)
{
  return press_key_with (f, keyval, 0);
}

static void
test_kiosk_lockdown (Fixture       *f,
                     gconstpointer  data)
{
  GtkEditable *entry;

  open_kiosk (f, 0);
  g_assert_false (gtk_window_get_decorated (GTK_WINDOW (f->window)));
  g_assert_false (gtk_window_get_deletable (GTK_WINDOW (f->window)));
  g_assert_true (gtk_window_get_focus_visible (GTK_WINDOW (f->window)));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (f->window), "kiosk"));

  /* closing is refused */
  gtk_window_close (GTK_WINDOW (f->window));
  assert_not_replaced (f, f->window);

  /* no menu, nor its key: nothing opens over a kiosk, About included */
  {
    GtkWidget *menu_button = find_widget (GTK_WIDGET (f->window), GTK_TYPE_MENU_BUTTON, NULL, NULL);

    g_assert_nonnull (menu_button);
    g_assert_false (gtk_widget_get_visible (menu_button));
    g_assert_false (gtk_menu_button_get_primary (GTK_MENU_BUTTON (menu_button)));
    g_assert_null (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (menu_button)));
    g_assert_null (find_widget (GTK_WIDGET (f->window), GTK_TYPE_MENU_BUTTON, is_visible_cb, NULL));
    g_action_group_activate_action (G_ACTION_GROUP (application), "about", NULL);
    for (guint i = 0; i < 3; i++)
      g_main_context_iteration (NULL, FALSE);
    g_assert_null (find_about_window ());
  }

  /* the discreet first screen: its name, and nothing about what it lists */
  {
    g_autoptr(GPtrArray) texts = dup_label_texts (get_page (f, "welcome"));
    g_autofree char *joined = join_texts (texts);
    g_autofree char *all = g_utf8_strdown (joined, -1);

    g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f->window)), ==, "Wegwijzer");
    assert_label_shown (texts, "Wegwijzer");
    g_assert_null (strstr (all, "sex"));
  }

  /* Neither the keys nor the menu that would copy a text to the
   * clipboard, or paste one from it, reach a text field. */
  start_visit (f);
  entry = get_search_entry (get_page (f, "home"));
  gtk_widget_grab_focus (GTK_WIDGET (entry));
  {
    static const struct { guint keyval; GdkModifierType state; } keys[] = {
      { GDK_KEY_c, GDK_CONTROL_MASK }, { GDK_KEY_x, GDK_CONTROL_MASK },
      { GDK_KEY_v, GDK_CONTROL_MASK }, { GDK_KEY_Insert, GDK_CONTROL_MASK },
      { GDK_KEY_Insert, GDK_SHIFT_MASK }, { GDK_KEY_Delete, GDK_SHIFT_MASK },
      { GDK_KEY_C, GDK_CONTROL_MASK | GDK_SHIFT_MASK }, { GDK_KEY_V, GDK_CONTROL_MASK | GDK_SHIFT_MASK },
      { GDK_KEY_period, GDK_CONTROL_MASK }, { GDK_KEY_semicolon, GDK_CONTROL_MASK },
      { GDK_KEY_Menu, 0 }, { GDK_KEY_F10, GDK_SHIFT_MASK },
      { GDK_KEY_I, GDK_CONTROL_MASK | GDK_SHIFT_MASK }, { GDK_KEY_D, GDK_CONTROL_MASK | GDK_SHIFT_MASK },
    };

    for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
      {
        g_test_message ("key %s with modifiers %x", gdk_keyval_name (keys[i].keyval), keys[i].state);
        g_assert_true (press_key_with (f, keys[i].keyval, keys[i].state));
      }
    /* typing, and the keys that move in the text, still reach it */
    g_assert_false (press_key (f, GDK_KEY_a));
    g_assert_false (press_key_with (f, GDK_KEY_a, GDK_CONTROL_MASK));
    g_assert_false (press_key (f, GDK_KEY_BackSpace));
  }

  /* a right click or a long press anywhere is the window's, before
   * any text field or label sees it */
  {
    g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (f->window));
    guint secondary = 0;
    guint long_press = 0;

    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

        if (gtk_event_controller_get_propagation_phase (controller) != GTK_PHASE_CAPTURE)
          continue;
        if (GTK_IS_GESTURE_CLICK (controller) &&
            gtk_gesture_single_get_button (GTK_GESTURE_SINGLE (controller)) == GDK_BUTTON_SECONDARY)
          secondary++;
        if (GTK_IS_GESTURE_LONG_PRESS (controller))
          long_press++;
      }
    g_assert_cmpuint (secondary, ==, 1);
    g_assert_cmpuint (long_press, ==, 1);
  }
}

static void
test_kiosk_idle_reset (Fixture       *f,
                       gconstpointer  data)
{
  WwWindow *before;
  WwWindow *old_window;
  const char *language = ww_language_get_current ();

  /* the clock starts once the visit is filled in, however long that
   * takes on a busy machine */
  open_kiosk (f, 0);
  start_visit (f);
  fill_in_a_visit (f);
  /* A question that waits for ten minutes: a short one could reset the
   * window, and free the widgets looked at here, while a slow (sanitized)
   * build is still looking. */
  ww_window_set_idle_times (f->window, 300, 600000);
  g_assert_false (ww_window_get_idle_warning_shown (f->window));

  /* the question comes first, and a touch on "I am still here" keeps
   * everything */
  wait_for (f, ww_window_get_idle_warning_shown (f->window));
  {
    GtkWidget *question = find_widget (GTK_WIDGET (f->window), GTK_TYPE_LABEL, has_text_label_cb,
                                       (gpointer) "Are you still there?");
    g_autoptr(GPtrArray) texts = NULL;

    g_assert_nonnull (question);
    wait_for (f, gtk_widget_get_mapped (question));
    texts = dup_label_texts (GTK_WIDGET (f->window));
    assert_label_contains (texts, "this screen starts again");
  }
  click (get_control (GTK_WIDGET (f->window), GTK_TYPE_BUTTON, "I am still here"));
  g_assert_false (ww_window_get_idle_warning_shown (f->window));
  g_assert_true (is_on_page (f, "booking"));

  /* it comes again after the next idle spell; then nobody answers.
   * Once the short question is set, only the application is asked
   * about windows: the old one may go at any moment. */
  wait_for (f, ww_window_get_idle_warning_shown (f->window));
  before = f->window;
  old_window = f->window;
  g_object_add_weak_pointer (G_OBJECT (old_window), (gpointer *) &old_window);
  ww_window_set_idle_times (f->window, 300, 300);
  follow_window (f, before);
  /* the old window, with its widgets, is gone from memory */
  wait_for (f, old_window == NULL);
  assert_reset (f, before, language);
}

static void
test_kiosk_quick_exit_button (Fixture       *f,
                              gconstpointer  data)
{
  WwWindow *before;
  GtkWidget *button;

  open_kiosk (f, 0);
  start_visit (f);
  fill_in_a_visit (f);

  /* in the same place on every page */
  button = get_header_button (f, "win.quick-exit");
  g_assert_true (gtk_widget_get_mapped (button));
  before = f->window;
  click (button);
  /* at once: the new window is there before the main loop runs */
  g_assert_true (ww_application_get_window (application) != before);
  follow_window (f, before);
  assert_reset (f, before, ww_language_get_current ());
  g_assert_true (gtk_widget_get_mapped (get_header_button (f, "win.quick-exit")));
  save_screenshot (f, "kiosk-quick-exit.png");
}

static void
test_kiosk_quick_exit_keys (Fixture       *f,
                            gconstpointer  data)
{
  WwWindow *before;

  open_kiosk (f, 0);
  start_visit (f);
  fill_in_a_visit (f);
  before = f->window;

  /* twice, then another key: not yet */
  g_assert_false (press_key (f, GDK_KEY_Escape));
  g_assert_false (press_key (f, GDK_KEY_Escape));
  g_assert_false (press_key (f, GDK_KEY_a));
  g_assert_false (press_key (f, GDK_KEY_Escape));
  assert_not_replaced (f, before);
  g_assert_true (is_on_page (f, "booking"));

  /* the inspector's keys and the context menu's go nowhere on a kiosk */
  g_assert_true (press_key_with (f, GDK_KEY_I, GDK_CONTROL_MASK | GDK_SHIFT_MASK));
  g_assert_true (press_key_with (f, GDK_KEY_D, GDK_CONTROL_MASK | GDK_SHIFT_MASK));
  g_assert_true (press_key (f, GDK_KEY_Menu));
  g_assert_true (press_key_with (f, GDK_KEY_F10, GDK_SHIFT_MASK));
  g_assert_false (press_key_with (f, GDK_KEY_a, GDK_CONTROL_MASK));
  assert_not_replaced (f, before);

  g_assert_false (press_key (f, GDK_KEY_Escape));
  g_assert_false (press_key (f, GDK_KEY_Escape));
  g_assert_true (press_key (f, GDK_KEY_Escape));
  follow_window (f, before);
  assert_reset (f, before, ww_language_get_current ());
}

static void
test_kiosk_language_switch (Fixture       *f,
                            gconstpointer  data)
{
  const char *start_language = ww_language_get_current ();
  WwWindow *before;
  g_autoptr(GPtrArray) texts = NULL;
  GtkButton *tile;

  open_kiosk (f, 0);
  before = f->window;

  /* from the first screen, each language in its own name */
  click (get_control (get_page (f, "welcome"), GTK_TYPE_BUTTON, "Română"));
  follow_window (f, before);
  wait_until_home (f);
  g_assert_cmpstr (ww_language_get_current (), ==, "ro");

  texts = dup_label_texts (get_page (f, "home"));
  /* the program's own words, from po/ro.po */
  assert_label_shown (texts, "Găsiți un furnizor");
  g_assert_null (find_text_containing (texts, "Find a provider"));
  /* and the theme's, from its plugin */
  tile = get_theme_tile (f, "care");
  g_assert_cmpstr (ww_gui_get_accessible_label (GTK_WIDGET (tile)), ==, "Sănătate și îngrijire");
  /* the title stays discreet in every language */
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (f->window)), ==, "Wegwijzer");

  /* and the home page switches too, to Ukrainian */
  before = f->window;
  click (get_control (get_page (f, "home"), GTK_TYPE_BUTTON, "Українська"));
  follow_window (f, before);
  wait_until_home (f);
  g_assert_cmpstr (ww_language_get_current (), ==, "uk");

  /* a reset goes back to the language the kiosk starts in */
  before = f->window;
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.quick-exit", NULL));
  follow_window (f, before);
  g_assert_cmpstr (ww_language_get_current (), ==, start_language);
  texts = dup_label_texts (get_page (f, "welcome"));
  assert_label_shown (texts, "Start");
}

static void
test_kiosk_keyboard (Fixture       *f,
                     gconstpointer  data)
{
  GtkWidget *text;
  GtkWidget *keyboard;

  open_kiosk (f, 0);
  /* Xvfb has a keyboard; a kiosk's touch screen has none */
  ww_window_set_keyboard_mode (f->window, WW_KEYBOARD_MODE_ALWAYS);
  start_visit (f);
  /* not before the visitor taps a field */
  g_assert_null (ww_window_get_keyboard (f->window));

  open_booking_form (f);
  text = get_widget (get_control (get_page (f, "booking"), GTK_TYPE_ENTRY, "What name should they use?"),
                     GTK_TYPE_TEXT);
  gtk_widget_grab_focus (text);
  keyboard = ww_window_get_keyboard (f->window);
  g_assert_nonnull (keyboard);
  wait_for (f, gtk_widget_get_mapped (keyboard));
  g_assert_true (ww_keyboard_get_target (WW_KEYBOARD (keyboard)) == text);

  /* its keys type into the field that has the focus, and keep it there */
  click (get_control (keyboard, GTK_TYPE_BUTTON, "Shift"));
  click (get_control (keyboard, GTK_TYPE_BUTTON, "M"));
  click (get_control (keyboard, GTK_TYPE_BUTTON, "i"));
  click (get_control (keyboard, GTK_TYPE_BUTTON, "Letters with accents"));
  click (get_control (keyboard, GTK_TYPE_BUTTON, "ë"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (text)), ==, "Mië");
  g_assert_true (gtk_root_get_focus (GTK_ROOT (f->window)) == text);
  click (get_control (keyboard, GTK_TYPE_BUTTON, "Letters"));
  save_screenshot (f, "kiosk-keyboard.png");

  /* a button takes the focus: the keyboard goes */
  gtk_widget_grab_focus (get_header_button (f, "win.quick-exit"));
  g_assert_null (ww_window_get_keyboard (f->window));

  /* and "never" means never */
  ww_window_set_keyboard_mode (f->window, WW_KEYBOARD_MODE_NEVER);
  gtk_widget_grab_focus (text);
  g_assert_null (ww_window_get_keyboard (f->window));
}

static gboolean
is_touch_target (GtkWidget *widget)
{
  return GTK_IS_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget) ||
         GTK_IS_SWITCH (widget) || GTK_IS_DROP_DOWN (widget) ||
         (GTK_IS_EDITABLE (widget) && !GTK_IS_TEXT (widget)) || GTK_IS_TEXT_VIEW (widget) ||
         (GTK_IS_LIST_BOX_ROW (widget) && gtk_list_box_row_get_activatable (GTK_LIST_BOX_ROW (widget)));
}

/* the shown targets below @widget smaller than a fingertip, into @small */
static void
collect_small_targets (GtkWidget *widget,
                       GtkWidget *root,
                       GString   *small)
{
  if (!gtk_widget_get_mapped (widget))
    return;

  if (is_touch_target (widget))
    {
      int width = gtk_widget_get_width (widget);
      int height = gtk_widget_get_height (widget);

      if (width < 48 || height < 48)
        {
          g_string_append_printf (small, "\n  %d×%d “%s”: ", width, height,
                                  ww_gui_get_accessible_label (widget) ?: "");
          append_widget_path (small, widget, root);
        }
      /* a button's insides are not targets of their own */
      if (!GTK_IS_LIST_BOX_ROW (widget))
        return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_small_targets (child, root, small);
}

static void
painted_cb (GdkFrameClock *clock,
            gboolean      *painted)
{
  *painted = TRUE;
}

/* until the window has been laid out and drawn as it is now */
static void
wait_for_frame (Fixture *f)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (f->window));
  gboolean painted = FALSE;
  gulong handler = g_signal_connect (clock, "after-paint", G_CALLBACK (painted_cb), &painted);

  gtk_widget_queue_resize (GTK_WIDGET (f->window));
  wait_for (f, painted);
  g_signal_handler_disconnect (clock, handler);
}

/* On the page shown: every control named, every target at least 48 px. */
static void
assert_kiosk_page_usable (Fixture    *f,
                          const char *page)
{
  g_autoptr(GString) small = g_string_new (NULL);

  assert_controls_named (f, page);
  wait_for_frame (f);
  collect_small_targets (get_page (f, page), get_page (f, page), small);
  collect_small_targets (get_header_bar (f), get_header_bar (f), small);
  if (small->len > 0)
    {
      g_autofree char *message = g_strdup_printf ("on the page “%s”, too small to touch:%s", page, small->str);

      g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, message);
    }
}

static void
test_kiosk_touch_and_names (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(WwSearchResults) results = NULL;

  open_kiosk (f, 0);
  assert_kiosk_page_usable (f, "welcome");
  save_screenshot (f, "kiosk-welcome.png");
  start_visit (f);
  assert_kiosk_page_usable (f, "home");
  save_screenshot (f, "kiosk-home.png");

  /* with large text and high contrast the page still fits and works */
  click (GTK_WIDGET (get_control (get_header_bar (f), GTK_TYPE_TOGGLE_BUTTON, "Larger text")));
  click (GTK_WIDGET (get_control (get_header_bar (f), GTK_TYPE_TOGGLE_BUTTON, "High contrast")));
  g_assert_true (g_variant_get_boolean (g_action_group_get_action_state (G_ACTION_GROUP (application), "large-text")));
  g_assert_true (g_variant_get_boolean (g_action_group_get_action_state (G_ACTION_GROUP (application), "high-contrast")));
  {
    int dpi = 0;

    g_object_get (gtk_settings_get_default (), "gtk-xft-dpi", &dpi, NULL);
    g_assert_cmpint (dpi, >=, 96 * 1024 * 3 / 2);
  }
  assert_kiosk_page_usable (f, "home");
  assert_fits (f, "home");
  save_screenshot (f, "kiosk-home-large-contrast.png");
  g_action_group_change_action_state (G_ACTION_GROUP (application), "large-text", g_variant_new_boolean (FALSE));
  g_action_group_change_action_state (G_ACTION_GROUP (application), "high-contrast", g_variant_new_boolean (FALSE));
  results = open_theme (f, "care");
  assert_kiosk_page_usable (f, "results");
  save_screenshot (f, "kiosk-results.png");
  g_signal_emit_by_name (get_list_view (f), "activate", 0);
  wait_for (f, is_on_page (f, "provider"));
  assert_kiosk_page_usable (f, "provider");
  save_screenshot (f, "kiosk-provider.png");
  click (get_control (get_page (f, "provider"), GTK_TYPE_BUTTON, "Ask for an appointment"));
  wait_for (f, is_on_page (f, "booking"));
  fill_booking_form (f);
  wait_for (f, gtk_widget_get_mapped (get_control (get_page (f, "booking"), GTK_TYPE_ENTRY, "Phone number")));
  assert_kiosk_page_usable (f, "booking");
  continue_to_check (f);
  wait_for (f, gtk_widget_get_mapped (get_consent (f)));
  assert_kiosk_page_usable (f, "booking");
  save_screenshot (f, "kiosk-booking-preview.png");

  /* the idle question, over the page, for as long as the test looks */
  ww_window_set_idle_times (f->window, 1, 10 * 60 * 1000);
  wait_for (f, ww_window_get_idle_warning_shown (f->window));
  {
    GtkWidget *still_here = get_control (GTK_WIDGET (f->window), GTK_TYPE_BUTTON, "I am still here");
    GtkWidget *card = gtk_widget_get_ancestor (still_here, ADW_TYPE_CLAMP);
    g_autoptr(GString) small = g_string_new (NULL);
    g_autofree char *unnamed = NULL;

    wait_for (f, gtk_widget_get_mapped (still_here));
    wait_for_frame (f);
    unnamed = dup_unnamed_controls (card);
    g_assert_cmpstr (unnamed, ==, "");
    collect_small_targets (card, card, small);
    g_assert_cmpstr (small->str, ==, "");
    save_screenshot (f, "kiosk-idle.png");
  }
}

/* A program that stands in for a browser, a mail program, a dialler:
 * anything a kiosk might hand a link to. It leaves a file behind. */
static char *
trap_launches (Fixture *f)
{
  static const char *const schemes[] = { "http", "https", "mailto", "tel", "sms", "file", NULL };
  g_autofree char *applications = g_build_filename (g_get_user_data_dir (), "applications", NULL);
  g_autofree char *desktop_path = g_build_filename (applications, "ww-test-trap.desktop", NULL);
  g_autofree char *mimeapps = g_build_filename (g_get_user_config_dir (), "mimeapps.list", NULL);
  g_autofree char *marker = g_build_filename (f->tmpdir, "launched", NULL);
  g_autoptr(GString) desktop = g_string_new (NULL);
  g_autoptr(GString) defaults = g_string_new ("[Default Applications]\n");
  g_autoptr(GError) error = NULL;

  g_string_append_printf (desktop, "[Desktop Entry]\nType=Application\nName=Trap\n"
                          "Exec=/bin/sh -c 'echo %%u >> %s'\nMimeType=", marker);
  for (guint i = 0; schemes[i] != NULL; i++)
    {
      g_string_append_printf (desktop, "x-scheme-handler/%s;", schemes[i]);
      g_string_append_printf (defaults, "x-scheme-handler/%s=ww-test-trap.desktop\n", schemes[i]);
    }
  g_string_append_c (desktop, '\n');

  g_assert_cmpint (g_mkdir_with_parents (applications, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (g_get_user_config_dir (), 0700), ==, 0);
  g_file_set_contents (desktop_path, desktop->str, -1, &error);
  g_assert_no_error (error);
  g_file_set_contents (mimeapps, defaults->str, -1, &error);
  g_assert_no_error (error);

  return g_steal_pointer (&marker);
}

static guint
count_visible_windows (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  guint visible = 0;

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWidget) window = g_list_model_get_item (toplevels, i);

      if (gtk_widget_get_visible (window))
        visible++;
    }

  return visible;
}

/* the sensitive buttons a visitor could press now, on the page shown
 * and in the header bar (every tenth row of a long list, not all) */
static void
collect_pressable (GtkWidget *widget,
                   GPtrArray *pressable)
{
  if (!gtk_widget_get_mapped (widget) || !gtk_widget_is_sensitive (widget))
    return;

  if (GTK_IS_BUTTON (widget) || GTK_IS_CHECK_BUTTON (widget))
    {
      g_ptr_array_add (pressable, widget);
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_pressable (child, pressable);
}

/* The link trap works: a launch the program made would be seen. */
static void
test_kiosk_trap_catches (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *marker = trap_launches (f);
  g_autoptr(GError) error = NULL;

  g_app_info_launch_default_for_uri ("https://example.org/", NULL, &error);
  g_assert_no_error (error);
  wait_for (f, g_file_test (marker, G_FILE_TEST_EXISTS));
}

/* A visitor presses whatever there is to press, 300 times over, seeded
 * so that a failure can be replayed: no second window (no dialog) ever
 * opens, and no other program is started. */
static void
test_kiosk_nothing_opens (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *marker = trap_launches (f);
  GRand *rand = g_rand_new_with_seed (20261201);
  g_autoptr(GHashTable) pages_seen = g_hash_table_new (g_str_hash, g_str_equal);

  f->relay_status = 201;
  open_kiosk (f, 0);
  for (guint step = 0; step < 300; step++)
    {
      g_autoptr(GPtrArray) pressable = g_ptr_array_new ();
      GtkWidget *pressed;
      WwWindow *before = f->window;

      /* a search now and then, so that there are listings to open */
      if (is_on_page (f, "home") && g_rand_int_range (rand, 0, 3) == 0)
        gtk_editable_set_text (get_search_entry (get_page (f, "home")), "huisarts");
      /* and a listing opened now and then: its rows are no buttons */
      if (is_on_page (f, "results") && ww_results_page_get_results (get_results_page (f)) != NULL &&
          g_list_model_get_n_items (G_LIST_MODEL (ww_results_page_get_results (get_results_page (f)))) > 0 &&
          g_rand_int_range (rand, 0, 2) == 0)
        {
          g_signal_emit_by_name (get_list_view (f), "activate", 0);
          wait_for (f, is_on_page (f, "provider"));
        }

      collect_pressable (GTK_WIDGET (f->window), pressable);
      g_assert_cmpuint (pressable->len, >, 0);
      pressed = g_ptr_array_index (pressable, g_rand_int_range (rand, 0, pressable->len));
      g_test_message ("step %u on “%s”: %s “%s”", step, ww_window_get_page_name (f->window),
                      G_OBJECT_TYPE_NAME (pressed), ww_gui_get_accessible_label (pressed) ?: "");
      if (GTK_IS_CHECK_BUTTON (pressed))
        gtk_check_button_set_active (GTK_CHECK_BUTTON (pressed),
                                     !gtk_check_button_get_active (GTK_CHECK_BUTTON (pressed)));
      else
        g_signal_emit_by_name (pressed, "clicked");

      /* a reset or a language makes a new window, which is the walk's now */
      if (ww_application_get_window (application) != NULL && ww_application_get_window (application) != before)
        follow_window (f, before);
      for (guint i = 0; i < 3; i++)
        g_main_context_iteration (NULL, FALSE);

      g_hash_table_add (pages_seen, (gpointer) g_intern_string (ww_window_get_page_name (f->window)));
      g_assert_cmpuint (count_visible_windows (), ==, 1);
      g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
    }

  /* the walk went places */
  g_test_message ("pages seen: %u", g_hash_table_size (pages_seen));
  g_assert_cmpuint (g_hash_table_size (pages_seen), >=, 6);
  g_assert_true (g_hash_table_contains (pages_seen, "booking"));
  g_rand_free (rand);
}

static gboolean
is_transition_running (GtkWidget *widget)
{
  if (GTK_IS_STACK (widget) && gtk_stack_get_transition_running (GTK_STACK (widget)))
    return TRUE;
  if (GTK_IS_REVEALER (widget) &&
      gtk_revealer_get_reveal_child (GTK_REVEALER (widget)) != gtk_revealer_get_child_revealed (GTK_REVEALER (widget)))
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (is_transition_running (child))
      return TRUE;

  return FALSE;
}

/* With WW_SCREENSHOT_DIR set, the window as it is drawn now goes to
 * @name there: the README's pictures. Without it, nothing. */
static void
save_screenshot (Fixture    *f,
                 const char *name)
{
  const char *dir = g_getenv ("WW_SCREENSHOT_DIR");
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int width, height;

  if (dir == NULL)
    return;

  /* the page as it is, not half faded into the one before */
  wait_for (f, !is_transition_running (GTK_WIDGET (f->window)));
  wait_for_frame (f);
  width = gtk_widget_get_width (GTK_WIDGET (f->window));
  height = gtk_widget_get_height (GTK_WIDGET (f->window));
  paintable = gtk_widget_paintable_new (GTK_WIDGET (f->window));
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (f->window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("saved %s", path);
}

/* Nothing on @page needs more room across than the window has. */
static void
assert_fits (Fixture    *f,
             const char *page)
{
  int minimum = 0;

  wait_for_frame (f);
  gtk_widget_measure (get_page (f, page), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  if (minimum > gtk_widget_get_width (get_page (f, page)))
    g_error ("in %s the page “%s” needs %d px across and has %d", ww_language_get_current (), page,
             minimum, gtk_widget_get_width (get_page (f, page)));
  /* and the header bar, with its words on Back, the start page and quick exit */
  gtk_widget_measure (get_header_bar (f), GTK_ORIENTATION_HORIZONTAL, -1, &minimum, NULL, NULL, NULL);
  if (minimum > gtk_widget_get_width (get_header_bar (f)))
    g_error ("in %s the header bar needs %d px across and has %d", ww_language_get_current (),
             minimum, gtk_widget_get_width (get_header_bar (f)));
}

/* Every language offered: the start page in its words, the themes in
 * the plugins' words, and the booking form, each fitting the screen. */
static void
test_kiosk_every_language (Fixture       *f,
                           gconstpointer  data)
{
  const char *const *languages = ww_language_get_translated ();

  open_kiosk (f, 0);
  start_visit (f);
  for (guint i = 0; languages[i] != NULL; i++)
    {
      WwWindow *before = f->window;
      g_autoptr(GPtrArray) texts = NULL;
      g_autoptr(WwSearchResults) results = NULL;
      g_autofree char *name = NULL;
      const char *title;

      if (g_strcmp0 (ww_language_get_current (), languages[i]) != 0)
        {
          click (get_control (get_page (f, "home"), GTK_TYPE_BUTTON, ww_language_get_own_name (languages[i])));
          follow_window (f, before);
        }
      wait_until_home (f);
      g_assert_cmpstr (ww_language_get_current (), ==, languages[i]);

      /* the catalogue is there, and used */
      title = g_dgettext (GETTEXT_PACKAGE, "Find a provider");
      if (!g_str_equal (languages[i], "en"))
        g_assert_cmpstr (title, !=, "Find a provider");
      texts = dup_label_texts (get_page (f, "home"));
      assert_label_shown (texts, title);
      /* the theme's name in the same language, from its plugin */
      g_assert_cmpstr (ww_gui_get_accessible_label (GTK_WIDGET (get_theme_tile (f, "care"))), ==,
                       ww_plugin_get_name (get_care_plugin (f)));
      assert_fits (f, "home");
      name = g_strdup_printf ("kiosk-home-%s.png", languages[i]);
      save_screenshot (f, name);

      results = open_theme (f, "care");
      assert_fits (f, "results");
      g_signal_emit_by_name (get_list_view (f), "activate", 0);
      wait_for (f, is_on_page (f, "provider"));
      assert_fits (f, "provider");
      click (get_control (get_page (f, "provider"), GTK_TYPE_BUTTON,
                          g_dgettext (GETTEXT_PACKAGE, "Ask for an appointment")));
      wait_for (f, is_on_page (f, "booking"));
      assert_fits (f, "booking");
      g_free (name);
      name = g_strdup_printf ("kiosk-booking-%s.png", languages[i]);
      save_screenshot (f, name);

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.home", NULL));
      wait_until_home (f);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GStrvBuilder) mime_dirs = g_strv_builder_new ();
  g_auto(GStrv) mime_dirs_strv = NULL;
  int status;

  /* G_TEST_OPTION_ISOLATE_DIRS hides the system's data directories as
   * well as the user's. GTK tells an SVG icon (its own, from its
   * resources) by the system's MIME database, which tests may point at. */
  for (const char *const *dir = g_get_system_data_dirs (); *dir != NULL; dir++)
    {
      g_autofree char *mime_dir = g_build_filename (*dir, "mime", NULL);

      g_strv_builder_add (mime_dirs, mime_dir);
    }
  mime_dirs_strv = g_strv_builder_end (mime_dirs);
  original_data_dirs = g_strdup (g_getenv ("XDG_DATA_DIRS"));
  /* the kiosks' time zone, in which an appointment's time is shown */
  g_setenv ("TZ", "Europe/Amsterdam", TRUE);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_content_type_set_mime_dirs ((const char *const *) mime_dirs_strv);

  if (!gtk_init_check ())
    {
      /* TAP for "nothing to run here" */
      g_print ("1..0 # SKIP no display; run the tests under xvfb-run\n");
      return 0;
    }
  adw_init ();

  engine_warnings = g_ptr_array_new_with_free_func (g_free);
  g_log_set_handler ("ww-plugin-engine", G_LOG_LEVEL_WARNING | G_LOG_FLAG_FATAL,
                     engine_log_handler_cb, NULL);
  g_log_set_writer_func (log_writer_cb, NULL, NULL);

  /* one application, as the program has, whose windows the tests open */
  application = ww_application_new ();
  g_application_register (G_APPLICATION (application), NULL, &error);
  g_assert_no_error (error);

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD_TEST ("/gui/window/opens", test_window_opens);
  ADD_TEST ("/gui/window/about", test_window_about);
  ADD_TEST ("/gui/search/typing", test_search_typing);
  ADD_TEST ("/gui/search/typed-once", test_search_typed_once);
  ADD_TEST ("/gui/theme/tile-opens-list", test_theme_tile_opens_list);
  ADD_TEST ("/gui/theme/filter-narrows", test_theme_filter_narrows);
  ADD_TEST ("/gui/provider/shows-facts", test_provider_shows_facts);
  ADD_TEST ("/gui/provider/plain-text", test_provider_plain_text);
  ADD_TEST ("/gui/info/opens", test_info_opens);
  ADD_TEST ("/gui/navigation/back", test_navigation_back);
  ADD_TEST ("/gui/booking/form-validates", test_booking_form_validates);
  ADD_TEST ("/gui/booking/preview-matches", test_booking_preview_matches);
  ADD_TEST ("/gui/booking/consent-required", test_booking_consent_required);
  ADD_TEST ("/gui/booking/sent-shows-code", test_booking_sent_shows_code);
  ADD_TEST ("/gui/booking/saved-when-offline", test_booking_saved_when_offline);
  ADD_TEST ("/gui/booking/done-clears", test_booking_done_clears);
  ADD_TEST ("/gui/booking/hidden-without-relay", test_booking_hidden_without_relay);
  ADD_TEST ("/gui/booking/sent-shows-qr", test_booking_sent_shows_qr);
  ADD_TEST ("/gui/booking/sent-without-status-url", test_booking_sent_without_status_url);
  ADD_TEST ("/gui/booking/sent-later", test_booking_sent_later);
  ADD_TEST ("/gui/check/accepted", test_check_accepted);
  ADD_TEST ("/gui/check/declined", test_check_declined);
  ADD_TEST ("/gui/check/every-status", test_check_every_status);
  ADD_TEST ("/gui/check/wrong-pin", test_check_wrong_pin);
  ADD_TEST ("/gui/check/locked", test_check_locked);
  ADD_TEST ("/gui/check/unreachable", test_check_unreachable);
  ADD_TEST ("/gui/check/typos", test_check_typos);
  ADD_TEST ("/gui/check/leaving-clears", test_check_leaving_clears);
  ADD_TEST ("/gui/check/from-confirmation", test_check_from_confirmation);
  ADD_TEST ("/gui/check/hidden-without-relay", test_check_hidden_without_relay);
  ADD_TEST ("/gui/a11y/names", test_a11y_names);
  ADD_TEST ("/gui/a11y/unnamed-is-caught", test_a11y_unnamed_is_caught);
  ADD_TEST ("/gui/problem/corrupt-database", test_problem_corrupt_database);
  ADD_TEST ("/gui/problem/broken-plugin", test_problem_broken_plugin);
  ADD_TEST ("/gui/problem/no-plugins", test_problem_no_plugins);
  ADD_TEST ("/gui/problem/empty-directory", test_problem_empty_directory);
  ADD_TEST ("/gui/problem/unopenable", test_problem_unopenable);
  ADD_TEST ("/gui/problem/read-only", test_problem_read_only);
  ADD_TEST ("/gui/kiosk/lockdown", test_kiosk_lockdown);
  ADD_TEST ("/gui/kiosk/idle-reset", test_kiosk_idle_reset);
  ADD_TEST ("/gui/kiosk/quick-exit-button", test_kiosk_quick_exit_button);
  ADD_TEST ("/gui/kiosk/quick-exit-keys", test_kiosk_quick_exit_keys);
  ADD_TEST ("/gui/kiosk/language-switch", test_kiosk_language_switch);
  ADD_TEST ("/gui/kiosk/keyboard", test_kiosk_keyboard);
  ADD_TEST ("/gui/kiosk/every-language", test_kiosk_every_language);
  ADD_TEST ("/gui/kiosk/touch-and-names", test_kiosk_touch_and_names);
  ADD_TEST ("/gui/kiosk/trap-catches", test_kiosk_trap_catches);
  ADD_TEST ("/gui/kiosk/nothing-opens", test_kiosk_nothing_opens);

#undef ADD_TEST

  status = g_test_run ();

  g_clear_object (&application);
  g_clear_pointer (&engine_warnings, g_ptr_array_unref);
  g_clear_pointer (&original_data_dirs, g_free);

  return status;
}
