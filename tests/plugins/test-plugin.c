/* test-plugin.c: what WwPlugin does for a data-only theme
 *
 * The theme files are compiled into this program's own GResource
 * (test-plugin.gresource.xml), one directory each, and a test subclass
 * points its resource path at the one a test needs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-plugin"

#include "config.h"

#include <string.h>

#include "wegwijzer.h"

#define THEMES "/nl/wegwijzer/tests/themes"

#define WW_TYPE_TEST_THEME_PLUGIN (ww_test_theme_plugin_get_type ())
G_DECLARE_FINAL_TYPE (WwTestThemePlugin, ww_test_theme_plugin, WW, TEST_THEME_PLUGIN, WwPlugin)

struct _WwTestThemePlugin
{
  WwPlugin parent_instance;
};

G_DEFINE_FINAL_TYPE (WwTestThemePlugin, ww_test_theme_plugin, WW_TYPE_PLUGIN)

static void
ww_test_theme_plugin_class_init (WwTestThemePluginClass *klass)
{
}

static void
ww_test_theme_plugin_init (WwTestThemePlugin *self)
{
}

/* A plugin that sets no resource path: it describes nothing. */
#define WW_TYPE_TEST_BARE_PLUGIN (ww_test_bare_plugin_get_type ())
G_DECLARE_FINAL_TYPE (WwTestBarePlugin, ww_test_bare_plugin, WW, TEST_BARE_PLUGIN, WwPlugin)

struct _WwTestBarePlugin
{
  WwPlugin parent_instance;
};

G_DEFINE_FINAL_TYPE (WwTestBarePlugin, ww_test_bare_plugin, WW_TYPE_PLUGIN)

static void
ww_test_bare_plugin_class_init (WwTestBarePluginClass *klass)
{
}

static void
ww_test_bare_plugin_init (WwTestBarePlugin *self)
{
}

/* One class serves every theme, so each test points it at its own. */
static WwPlugin *
new_theme_plugin (const char *theme)
{
  g_autoptr(GTypeClass) klass = g_type_class_ref (WW_TYPE_TEST_THEME_PLUGIN);
  g_autofree char *resource_path = g_strdup_printf (THEMES "/%s/", theme);

  ww_plugin_class_set_resource_path (WW_PLUGIN_CLASS (klass), resource_path);

  return g_object_new (WW_TYPE_TEST_THEME_PLUGIN, "id", "test", NULL);
}

static void
assert_empty (WwPlugin *plugin)
{
  g_assert_nonnull (ww_plugin_get_categories (plugin));
  g_assert_cmpuint (g_list_model_get_n_items (ww_plugin_get_categories (plugin)), ==, 0);
  g_assert_nonnull (ww_plugin_get_facets (plugin));
  g_assert_null (ww_plugin_get_facets (plugin)[0]);
  g_assert_nonnull (ww_plugin_get_form_fields (plugin));
  g_assert_cmpuint (g_list_model_get_n_items (ww_plugin_get_form_fields (plugin)), ==, 0);
  g_assert_nonnull (ww_plugin_get_info_pages (plugin));
  g_assert_cmpuint (g_list_model_get_n_items (ww_plugin_get_info_pages (plugin)), ==, 0);
}

static void
test_before_setup (void)
{
  g_autoptr(WwPlugin) plugin = new_theme_plugin ("minimal");
  g_autoptr(GError) error = NULL;
  GListModel *categories = ww_plugin_get_categories (plugin);

  assert_empty (plugin);

  /* setup fills the models one already holds */
  g_assert_true (ww_plugin_setup (plugin, &error));
  g_assert_no_error (error);
  g_assert_true (ww_plugin_get_categories (plugin) == categories);
  g_assert_cmpuint (g_list_model_get_n_items (categories), ==, 1);
  g_assert_nonnull (ww_plugin_lookup_category (plugin, "only"));
  g_assert_null (ww_plugin_get_facets (plugin)[0]);
  g_assert_cmpuint (g_list_model_get_n_items (ww_plugin_get_form_fields (plugin)), ==, 0);
}

static void
test_missing_providers (void)
{
  g_autoptr(WwPlugin) plugin = new_theme_plugin ("minimal");
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *checksum = NULL;

  stream = ww_plugin_open_providers (plugin, &error);
  g_assert_null (stream);
  g_assert_error (error, G_RESOURCE_ERROR, G_RESOURCE_ERROR_NOT_FOUND);
  g_assert_true (g_str_has_prefix (error->message, "Plugin test: resource://" THEMES
                                   "/minimal/providers.json: "));
  g_clear_error (&error);

  checksum = ww_plugin_dup_providers_checksum (plugin, &error);
  g_assert_null (checksum);
  g_assert_error (error, G_RESOURCE_ERROR, G_RESOURCE_ERROR_NOT_FOUND);
}

static void
test_bare (void)
{
  g_autoptr(WwPlugin) plugin = g_object_new (WW_TYPE_TEST_BARE_PLUGIN, "id", "bare", NULL);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *checksum = NULL;
  char buffer[8] = { 0 };
  gsize n_read;

  g_assert_true (ww_plugin_setup (plugin, &error));
  g_assert_no_error (error);
  assert_empty (plugin);

  stream = ww_plugin_open_providers (plugin, &error);
  g_assert_no_error (error);
  g_input_stream_read_all (stream, buffer, sizeof buffer - 1, &n_read, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (buffer, ==, "[]");

  checksum = ww_plugin_dup_providers_checksum (plugin, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (checksum, ==, "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945");

  /* without a name, the id stands in */
  g_assert_cmpstr (ww_plugin_get_name (plugin), ==, "bare");
  g_assert_null (ww_plugin_get_description (plugin));
}

static void
test_names (void)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(WwPlugin) plugin = NULL;
  g_autoptr(WwPlugin) untranslated = NULL;
  g_autofree char *name = NULL;
  const char *data =
    "[Plugin]\n"
    "Id=names\n"
    "Name=Money and business\n"
    "Name[nl]=Geld en zakelijk\n"
    "Name[pt_BR]=Dinheiro\n"
    "Name[nl_BE]=Not this one: Name[nl] came first\n"
    "Description=Banks\n"
    "Description[nl]=Banken\n";

  g_key_file_load_from_data (key_file, data, -1, G_KEY_FILE_KEEP_TRANSLATIONS, &error);
  g_assert_no_error (error);

  plugin = g_object_new (WW_TYPE_TEST_BARE_PLUGIN,
                         "id", "names",
                         "name", "Money and business",
                         "description", "Banks",
                         "icon-name", "accessories-calculator-symbolic",
                         "order", 10,
                         "key-file", key_file,
                         NULL);

  ww_set_language ("nl");
  g_assert_cmpstr (ww_plugin_get_name (plugin), ==, "Geld en zakelijk");
  g_assert_cmpstr (ww_plugin_get_description (plugin), ==, "Banken");
  g_object_get (plugin, "name", &name, NULL);
  g_assert_cmpstr (name, ==, "Geld en zakelijk");
  ww_set_language ("pt");
  g_assert_cmpstr (ww_plugin_get_name (plugin), ==, "Dinheiro");
  g_assert_cmpstr (ww_plugin_get_description (plugin), ==, "Banks");
  ww_set_language ("en");
  g_assert_cmpstr (ww_plugin_get_name (plugin), ==, "Money and business");
  g_assert_cmpint (ww_plugin_get_order (plugin), ==, 10);
  g_assert_cmpstr (ww_plugin_get_icon_name (plugin), ==, "accessories-calculator-symbolic");

  untranslated = g_object_new (WW_TYPE_TEST_BARE_PLUGIN, "id", "plain", "name", "Plain", NULL);
  ww_set_language ("nl");
  g_assert_cmpstr (ww_plugin_get_name (untranslated), ==, "Plain");

  ww_set_language (NULL);
}

typedef struct
{
  const char *theme;
  /* after "resource://<THEMES>/<theme>/theme.json: " */
  const char *message;
} InvalidTheme;

static const InvalidTheme invalid_themes[] = {
  { "not-json", "not valid JSON: " },
  { "not-object", "expected an object with \"categories\", \"facets\", \"form\" and \"info_pages\"" },
  { "categories-missing", "categories: is missing" },
  { "categories-not-array", "categories: expected an array" },
  { "no-categories", "categories: is empty; a theme needs at least one" },
  { "duplicate-category", "categories[1].id: 'gp' is already used by categories[0]" },
  { "unknown-facet", "facets[1]: 'cash-only' is not a friendly fact; use one of working-name-ok, " },
  { "duplicate-facet", "facets[1]: 'anonymous-ok' is listed twice" },
  { "facet-not-string", "facets[0]: expected a string" },
  { "duplicate-field", "form[1].id: 'topic' is already used by form[0]" },
  { "field-not-object", "form[0]: expected an object" },
  { "bad-page", "info_pages[0].title: is missing" },
};

static void
test_invalid_theme (gconstpointer data)
{
  const InvalidTheme *invalid = data;
  g_autoptr(WwPlugin) plugin = new_theme_plugin (invalid->theme);
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = g_strdup_printf ("resource://" THEMES "/%s/theme.json: %s",
                                               invalid->theme, invalid->message);

  g_assert_false (ww_plugin_setup (plugin, &error));
  g_assert_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, expected));

  /* nothing half-read is left behind */
  assert_empty (plugin);
}

static void
test_missing_theme (void)
{
  g_autoptr(WwPlugin) plugin = new_theme_plugin ("no-such-theme");
  g_autoptr(GError) error = NULL;

  g_assert_false (ww_plugin_setup (plugin, &error));
  g_assert_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA);
  g_assert_true (g_str_has_prefix (error->message, "resource://" THEMES
                                   "/no-such-theme/theme.json is not in the plugin module"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/plugin/before-setup", test_before_setup);
  g_test_add_func ("/plugin/missing-providers", test_missing_providers);
  g_test_add_func ("/plugin/no-resource-path", test_bare);
  g_test_add_func ("/plugin/names", test_names);
  g_test_add_func ("/plugin/theme/missing", test_missing_theme);

  for (guint i = 0; i < G_N_ELEMENTS (invalid_themes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/plugin/theme/%s", invalid_themes[i].theme);

      g_test_add_data_func (path, &invalid_themes[i], test_invalid_theme);
    }

  return g_test_run ();
}
