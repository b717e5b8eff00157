/* test-plugin-engine.c: finding, checking and loading plugins
 *
 * The fixtures under tests/plugins/ are built into the build tree, one
 * directory each, so that a test puts exactly the ones it needs on the
 * search path.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-plugin-engine"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>

#include "wegwijzer.h"

/* The engine's warnings are collected and counted here rather than with
 * g_test_expect_message(), which in GLib 2.74 does not see messages
 * logged with G_LOG_USE_STRUCTURED; this way the tests hold whichever way
 * libwegwijzer is built. Every other warning stays fatal. */
static GPtrArray *engine_warnings;

static gboolean
is_engine_warning (GLogLevelFlags  log_level,
                   const char     *domain)
{
  return (log_level & G_LOG_LEVEL_WARNING) != 0 && g_strcmp0 (domain, "ww-plugin-engine") == 0;
}

/* g_warning() without structured logging comes here instead of to the
 * writer, flagged fatal by g_test_init(); fatal_log_cb() then keeps it
 * from aborting. */
static void
log_handler_cb (const char     *log_domain,
                GLogLevelFlags  log_level,
                const char     *message,
                gpointer        user_data)
{
  g_ptr_array_add (engine_warnings, g_strdup (message));
}

static gboolean
fatal_log_cb (const char     *log_domain,
              GLogLevelFlags  log_level,
              const char     *message,
              gpointer        user_data)
{
  return !is_engine_warning (log_level, log_domain);
}

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

  if (is_engine_warning (log_level, domain))
    {
      g_ptr_array_add (engine_warnings, g_strdup (message));
      return G_LOG_WRITER_HANDLED;
    }

  return g_log_writer_default (log_level, fields, n_fields, user_data);
}

static char *
fixture_dir (const char *name)
{
  return g_test_build_filename (G_TEST_BUILT, name, NULL);
}

/* The engine reports key files by their canonical path. */
static char *
fixture_file (const char *directory,
              const char *file)
{
  g_autofree char *dir = fixture_dir (directory);
  g_autofree char *path = g_build_filename (dir, file, NULL);
  char *resolved = realpath (path, NULL);
  char *canonical;

  g_assert_nonnull (resolved);
  canonical = g_strdup (resolved);
  free (resolved);

  return canonical;
}

static WwPluginEngine *
load_directories (const char *const *directories)
{
  WwPluginEngine *engine = ww_plugin_engine_new ();

  ww_plugin_engine_set_search_path (engine, directories);
  ww_plugin_engine_load (engine);

  return engine;
}

/* Loads the named fixture directories, in order. */
static WwPluginEngine *
load_fixtures (const char *first,
               ...)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) directories = NULL;
  va_list args;

  va_start (args, first);
  for (const char *name = first; name != NULL; name = va_arg (args, const char *))
    {
      g_autofree char *directory = fixture_dir (name);

      g_strv_builder_add (builder, directory);
    }
  va_end (args);

  directories = g_strv_builder_end (builder);

  return load_directories ((const char *const *) directories);
}

static WwPluginInfo *
find_info (WwPluginEngine *engine,
           const char     *key_file)
{
  GListModel *infos = ww_plugin_engine_get_infos (engine);

  for (guint i = 0; i < g_list_model_get_n_items (infos); i++)
    {
      g_autoptr(WwPluginInfo) info = g_list_model_get_item (infos, i);

      if (g_strcmp0 (ww_plugin_info_get_key_file (info), key_file) == 0)
        return info;
    }

  return NULL;
}

/* Every test that loads plugins starts here. */
static void
setup_warnings (void)
{
  g_ptr_array_set_size (engine_warnings, 0);

  /* GLib resets this handler at the start of each test case. */
  g_test_log_set_fatal_handler (fatal_log_cb, NULL);
}

static void
assert_category_ids (WwPlugin   *plugin,
                     const char *const *ids)
{
  GListModel *categories = ww_plugin_get_categories (plugin);

  g_assert_cmpuint (g_list_model_get_n_items (categories), ==, g_strv_length ((GStrv) ids));
  for (guint i = 0; ids[i] != NULL; i++)
    {
      g_autoptr(WwCategory) category = g_list_model_get_item (categories, i);

      g_assert_cmpstr (ww_category_get_id (category), ==, ids[i]);
    }
}

static void
test_good (void)
{
  g_autoptr(WwPluginEngine) engine = NULL;
  g_autoptr(WwFormField) topic = NULL;
  g_autoptr(WwFormField) details = NULL;
  g_autoptr(WwInfoPage) page = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *key_file = fixture_file ("good", "good.plugin");
  g_autofree char *module_path = fixture_file ("good", "libww-plugin-good.so");
  g_autofree char *search_terms = NULL;
  g_autofree char *checksum = NULL;
  g_autofree char *source_providers = NULL;
  g_autofree char *expected_checksum = NULL;
  gsize source_length;
  const char *const category_ids[] = { "clinic", "desk", NULL };
  const char *const facets[] = { "working-name-ok", "anonymous-ok", NULL };
  const char *const field_ids[] = { "topic", "days", "details", "phone", "email", "name", NULL };
  const WwFormFieldType field_types[] = {
    WW_FORM_FIELD_CHOICE, WW_FORM_FIELD_MULTI_CHOICE, WW_FORM_FIELD_MULTILINE,
    WW_FORM_FIELD_PHONE, WW_FORM_FIELD_EMAIL, WW_FORM_FIELD_TEXT,
  };
  GListModel *infos;
  GListModel *plugins;
  GListModel *fields;
  GListModel *pages;
  WwPluginInfo *info;
  WwPlugin *plugin;
  WwCategory *clinic;

  setup_warnings ();
  engine = load_fixtures ("good", NULL);
  g_assert_cmpuint (engine_warnings->len, ==, 0);

  infos = ww_plugin_engine_get_infos (engine);
  g_assert_cmpuint (g_list_model_get_n_items (infos), ==, 1);
  info = find_info (engine, key_file);
  g_assert_nonnull (info);
  g_assert_null (ww_plugin_info_get_error (info));
  g_assert_cmpstr (ww_plugin_info_get_id (info), ==, "good");
  g_assert_cmpstr (ww_plugin_info_get_module_path (info), ==, module_path);
  g_assert_cmpint (ww_plugin_info_get_abi_version (info), ==, WW_PLUGIN_ABI_VERSION);

  plugins = ww_plugin_engine_get_plugins (engine);
  g_assert_cmpuint (g_list_model_get_n_items (plugins), ==, 1);
  plugin = ww_plugin_info_get_plugin (info);
  g_assert_true (WW_IS_PLUGIN (plugin));
  g_assert_true (ww_plugin_engine_lookup (engine, "good") == plugin);
  g_assert_null (ww_plugin_engine_lookup (engine, "care"));
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (plugin), ==, "WwTestGoodPlugin");

  /* What the .plugin file says, in the language asked for. */
  g_assert_cmpstr (ww_plugin_get_id (plugin), ==, "good");
  g_assert_cmpstr (ww_plugin_get_icon_name (plugin), ==, "emblem-ok-symbolic");
  g_assert_cmpint (ww_plugin_get_order (plugin), ==, 5);
  ww_set_language ("nl");
  g_assert_cmpstr (ww_plugin_get_name (plugin), ==, "Goed testthema");
  g_assert_cmpstr (ww_plugin_info_get_name (info), ==, "Goed testthema");
  g_assert_cmpstr (ww_plugin_get_description (plugin), ==, "Een thema dat laadt");
  ww_set_language ("en");
  g_assert_cmpstr (ww_plugin_get_name (plugin), ==, "Good test theme");
  g_assert_cmpstr (ww_plugin_get_description (plugin), ==, "A theme that loads");
  ww_set_language ("ro");
  g_assert_cmpstr (ww_plugin_get_name (plugin), ==, "Good test theme");

  /* What its theme.json says. */
  assert_category_ids (plugin, category_ids);
  clinic = ww_plugin_lookup_category (plugin, "clinic");
  g_assert_nonnull (clinic);
  g_assert_null (ww_plugin_lookup_category (plugin, "gp"));
  ww_set_language ("nl");
  g_assert_cmpstr (ww_category_get_label (clinic), ==, "Klinieken");
  g_assert_cmpstr (ww_category_get_description (clinic), ==, "Verzonnen klinieken voor tests.");
  ww_set_language ("en");
  g_assert_cmpstr (ww_category_get_label (clinic), ==, "Clinics");
  search_terms = ww_category_dup_search_terms (clinic);
  g_assert_cmpstr (search_terms, ==,
                   "Clinics Klinieken Fictional clinics for tests. "
                   "Verzonnen klinieken voor tests. walk in spreekuur");

  g_assert_cmpstrv (ww_plugin_get_facets (plugin), facets);

  fields = ww_plugin_get_form_fields (plugin);
  g_assert_cmpuint (g_list_model_get_n_items (fields), ==, G_N_ELEMENTS (field_types));
  for (guint i = 0; i < G_N_ELEMENTS (field_types); i++)
    {
      g_autoptr(WwFormField) field = g_list_model_get_item (fields, i);

      g_assert_cmpstr (ww_form_field_get_id (field), ==, field_ids[i]);
      g_assert_cmpint (ww_form_field_get_field_type (field), ==, field_types[i]);
    }

  topic = g_list_model_get_item (fields, 0);
  g_assert_true (ww_form_field_get_required (topic));
  g_assert_false (ww_form_field_get_personal (topic));
  g_assert_cmpuint (ww_form_field_get_max_length (topic), ==, 0);
  g_assert_cmpuint (ww_form_field_get_n_choices (topic), ==, 2);
  g_assert_cmpstr (ww_form_field_get_choice_id (topic, 0), ==, "first-visit");
  g_assert_cmpstr (ww_form_field_get_choice_label (topic, 1), ==, "Something else");

  details = g_list_model_get_item (fields, 2);
  g_assert_false (ww_form_field_get_required (details));
  g_assert_true (ww_form_field_get_personal (details));
  g_assert_cmpuint (ww_form_field_get_max_length (details), ==, 300);

  pages = ww_plugin_get_info_pages (plugin);
  g_assert_cmpuint (g_list_model_get_n_items (pages), ==, 2);
  page = g_list_model_get_item (pages, 1);
  g_assert_cmpstr (ww_info_page_get_id (page), ==, "privacy");
  ww_set_language ("nl");
  g_assert_cmpstr (ww_info_page_get_body (page), ==, "Er wordt niets bewaard.");
  ww_set_language ("en");
  g_assert_cmpstr (ww_info_page_get_body (page), ==, "Nothing is kept.");

  /* Its providers, and a checksum over exactly those bytes. */
  stream = ww_plugin_open_providers (plugin, &error);
  g_assert_no_error (error);
  json_parser_load_from_stream (parser, stream, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (json_parser_get_root (parser))), ==, 1);

  checksum = ww_plugin_dup_providers_checksum (plugin, &error);
  g_assert_no_error (error);
  g_file_get_contents (g_test_get_filename (G_TEST_DIST, "good", "data", "providers.json", NULL),
                       &source_providers, &source_length, &error);
  g_assert_no_error (error);
  expected_checksum = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                                   (const guchar *) source_providers,
                                                   source_length);
  g_assert_cmpstr (checksum, ==, expected_checksum);

  ww_set_language (NULL);
}

typedef struct
{
  const char *directory;
  const char *key_file;
  WwPluginError code;
  /* besides the key file's path, the message must say this */
  const char *says;
} BrokenCase;

static const BrokenCase broken_cases[] = {
  { "bad-keyfile", "bad-keyfile.plugin", WW_PLUGIN_ERROR_INVALID_KEY_FILE,
    "cannot be read" },
  { "missing-module", "missing-module.plugin", WW_PLUGIN_ERROR_MODULE_MISSING,
    "libww-plugin-missing-module.so does not exist" },
  { "missing-symbol", "missing-symbol.plugin", WW_PLUGIN_ERROR_SYMBOL_MISSING,
    "does not export ww_plugin_query_type()" },
  { "wrong-abi", "wrong-abi.plugin", WW_PLUGIN_ERROR_ABI_MISMATCH,
    "built for plugin ABI 999, but this program takes ABI 1; "
    "install a build of the plugin for ABI 1" },
  { "wrong-type", "wrong-type.plugin", WW_PLUGIN_ERROR_WRONG_TYPE,
    "returns WwTestNotAPlugin, which is not a WwPlugin" },
  { "bad-data", "bad-data.plugin", WW_PLUGIN_ERROR_INVALID_DATA,
    "form[2].type: 'date' is not a field type; use text, multiline, choice, "
    "multi-choice, phone or email" },
};

static void
assert_skipped_with_one_warning (WwPluginEngine *engine,
                                 const char     *key_file,
                                 WwPluginError   code,
                                 const char     *says)
{
  WwPluginInfo *info = find_info (engine, key_file);
  const GError *error;

  g_assert_nonnull (info);
  g_assert_null (ww_plugin_info_get_plugin (info));

  error = ww_plugin_info_get_error (info);
  g_assert_error (error, WW_PLUGIN_ERROR, (int) code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, key_file));
  g_assert_nonnull (strstr (error->message, says));

  g_assert_cmpuint (engine_warnings->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (engine_warnings, 0), ==, error->message);
}

static void
assert_good_loaded (WwPluginEngine *engine,
                    const char     *type_name)
{
  WwPlugin *good = ww_plugin_engine_lookup (engine, "good");

  g_assert_nonnull (good);
  g_assert_cmpstr (G_OBJECT_TYPE_NAME (good), ==, type_name);
  g_assert_cmpuint (g_list_model_get_n_items (ww_plugin_engine_get_plugins (engine)), ==, 1);
}

/* The broken plugin is found first, so the test also shows that the
 * engine goes on after it. */
static void
test_broken (gconstpointer data)
{
  const BrokenCase *broken = data;
  g_autoptr(WwPluginEngine) engine = NULL;
  g_autofree char *key_file = fixture_file (broken->directory, broken->key_file);

  setup_warnings ();
  engine = load_fixtures (broken->directory, "good", NULL);

  g_assert_cmpuint (g_list_model_get_n_items (ww_plugin_engine_get_infos (engine)), ==, 2);
  assert_skipped_with_one_warning (engine, key_file, broken->code, broken->says);
  assert_good_loaded (engine, "WwTestGoodPlugin");
}

static void
test_duplicate (void)
{
  g_autoptr(WwPluginEngine) engine = NULL;
  g_autofree char *good_file = fixture_file ("good", "good.plugin");
  g_autofree char *duplicate_file = fixture_file ("duplicate", "duplicate.plugin");
  const char *message;

  setup_warnings ();
  engine = load_fixtures ("good", "duplicate", NULL);

  assert_skipped_with_one_warning (engine, duplicate_file, WW_PLUGIN_ERROR_DUPLICATE_ID,
                                   "Id “good” is taken by");
  message = ww_plugin_info_get_error (find_info (engine, duplicate_file))->message;
  g_assert_nonnull (strstr (message, good_file));
  assert_good_loaded (engine, "WwTestGoodPlugin");
  g_assert_null (ww_plugin_info_get_error (find_info (engine, good_file)));
}

/* Whichever comes first on the search path wins, not a fixed favourite. */
static void
test_duplicate_reversed (void)
{
  g_autoptr(WwPluginEngine) engine = NULL;
  g_autofree char *good_file = fixture_file ("good", "good.plugin");
  g_autofree char *duplicate_file = fixture_file ("duplicate", "duplicate.plugin");
  const char *const category_ids[] = { "duplicate-only", NULL };

  setup_warnings ();
  engine = load_fixtures ("duplicate", "good", NULL);

  assert_skipped_with_one_warning (engine, good_file, WW_PLUGIN_ERROR_DUPLICATE_ID,
                                   duplicate_file);
  assert_good_loaded (engine, "WwTestDuplicatePlugin");
  assert_category_ids (ww_plugin_engine_lookup (engine, "good"), category_ids);
}

/* Every broken fixture at once: one warning each, and the one good
 * plugin still loads. */
static void
test_all_broken (void)
{
  g_autoptr(WwPluginEngine) engine = NULL;
  GListModel *infos;

  setup_warnings ();
  engine = load_fixtures ("good", "bad-keyfile", "missing-module", "missing-symbol",
                          "wrong-abi", "wrong-type", "duplicate", "bad-data", NULL);

  infos = ww_plugin_engine_get_infos (engine);
  g_assert_cmpuint (g_list_model_get_n_items (infos), ==, 8);
  g_assert_cmpuint (engine_warnings->len, ==, 7);
  assert_good_loaded (engine, "WwTestGoodPlugin");

  /* in search order */
  for (guint i = 0; i < g_list_model_get_n_items (infos); i++)
    {
      g_autoptr(WwPluginInfo) info = g_list_model_get_item (infos, i);
      const GError *error = ww_plugin_info_get_error (info);

      g_assert_true ((i == 0) == (error == NULL));
      if (error != NULL)
        g_assert_cmpstr (g_ptr_array_index (engine_warnings, i - 1), ==, error->message);
    }
}

typedef struct
{
  const char *name;
  const char *contents;
  const char *says;
} KeyFileCase;

static const KeyFileCase key_file_cases[] = {
  { "no-group", "[Theme]\nId=odd\n", "has no [Plugin] group" },
  { "no-id", "[Plugin]\nModule=libww-plugin-odd.so\nName=Odd\nAbiVersion=1\n",
    "[Plugin] has no Id key" },
  { "bad-id", "[Plugin]\nId=Odd_One\nModule=libww-plugin-Odd_One.so\nName=Odd\nAbiVersion=1\n",
    "Id “Odd_One” is not valid" },
  { "no-name", "[Plugin]\nId=odd\nModule=libww-plugin-odd.so\nAbiVersion=1\n",
    "[Plugin] has no Name key" },
  { "no-abi", "[Plugin]\nId=odd\nModule=libww-plugin-odd.so\nName=Odd\n",
    "[Plugin] has no AbiVersion key" },
  { "abi-not-a-number", "[Plugin]\nId=odd\nModule=libww-plugin-odd.so\nName=Odd\nAbiVersion=one\n",
    "AbiVersion must be a whole number, not “one”" },
  { "order-not-a-number",
    "[Plugin]\nId=odd\nModule=libww-plugin-odd.so\nName=Odd\nAbiVersion=1\nOrder=first\n",
    "Order must be a whole number, not “first”" },
  /* a key file must not point the engine at a library elsewhere */
  { "module-elsewhere",
    "[Plugin]\nId=odd\nModule=../../usr/lib/libevil.so\nName=Odd\nAbiVersion=1\n",
    "Module must be “libww-plugin-odd.so”, not “../../usr/lib/libevil.so”" },
  { "module-other-name",
    "[Plugin]\nId=odd\nModule=libww-plugin-good.so\nName=Odd\nAbiVersion=1\n",
    "Module must be “libww-plugin-odd.so”" },
};

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_assert_no_errno (g_unlink (child));
    }

  g_assert_no_errno (g_rmdir (path));
}

static void
test_key_file (gconstpointer data)
{
  const KeyFileCase *key_file_case = data;
  g_autoptr(WwPluginEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *directory = g_dir_make_tmp ("ww-plugin-engine-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autofree char *canonical = NULL;
  const char *search_path[2] = { NULL, NULL };
  char *resolved;

  g_assert_no_error (error);
  path = g_build_filename (directory, "odd.plugin", NULL);
  g_file_set_contents (path, key_file_case->contents, -1, &error);
  g_assert_no_error (error);
  resolved = realpath (path, NULL);
  canonical = g_strdup (resolved);
  free (resolved);

  setup_warnings ();
  search_path[0] = directory;
  engine = load_directories (search_path);
  assert_skipped_with_one_warning (engine, canonical, WW_PLUGIN_ERROR_INVALID_KEY_FILE,
                                   key_file_case->says);

  remove_tree (directory);
}

static void
symlink_or_fail (const char *target,
                 const char *link_path)
{
  g_assert_no_errno (symlink (target, link_path));
}

/* A file as Flatpak would mount it: @extension's own copy under
 * @mount/<extension>/lib/wegwijzer/plugins-<ABI>/ (a symlink to the
 * build tree's file here), and, when @merged, the link that merge-dirs
 * makes to it in @mount/lib/wegwijzer/plugins-<ABI>/. */
static void
mount_file (const char *mount,
            const char *extension,
            const char *abi_dir,
            const char *target,
            gboolean    merged)
{
  g_autofree char *name = g_path_get_basename (target);
  g_autofree char *own_dir = g_build_filename (mount, extension, "lib", "wegwijzer", abi_dir, NULL);
  g_autofree char *own_file = g_build_filename (own_dir, name, NULL);

  g_assert_no_errno (g_mkdir_with_parents (own_dir, 0700));
  symlink_or_fail (target, own_file);

  if (merged)
    {
      g_autofree char *merged_dir = g_build_filename (mount, "lib", "wegwijzer", abi_dir, NULL);
      g_autofree char *merged_file = g_build_filename (merged_dir, name, NULL);
      /* merge-dirs links relative to the mount, as Flatpak does */
      g_autofree char *relative = g_build_filename ("..", "..", "..", extension, "lib", "wegwijzer",
                                                    abi_dir, name, NULL);

      g_assert_no_errno (g_mkdir_with_parents (merged_dir, 0700));
      symlink_or_fail (relative, merged_file);
    }
}

static void
mount_plugin (const char *mount,
              const char *extension,
              const char *abi_dir,
              const char *plugin_dir,
              const char *id,
              gboolean    merged)
{
  g_autofree char *key_file = g_strdup_printf ("%s.plugin", id);
  g_autofree char *module = g_strdup_printf ("libww-plugin-%s.so", id);
  g_autofree char *key_file_path = g_build_filename (plugin_dir, key_file, NULL);
  g_autofree char *module_path = g_build_filename (plugin_dir, module, NULL);

  mount_file (mount, extension, abi_dir, key_file_path, merged);
  mount_file (mount, extension, abi_dir, module_path, merged);
}

/* The folders the extension point nl.wegwijzer.Wegwijzer.Plugin makes
 * (flatpak/nl.wegwijzer.Wegwijzer.json), laid out in a temporary folder
 * instead of /app/plugins:
 *
 *   Care/, Legal/    themes of this repository (links to the build
 *                    tree's files), merged as well
 *   Police/          a theme whose files the merge missed
 *   Old/             a plugin built for another ABI, in the right folder
 *   Future/          an extension with only a plugins-2 folder
 *
 * The themes load once each, though two of them are seen twice; the
 * plugin for another ABI is refused with a message that says what to
 * install; nothing of plugins-2 is looked at. */
static void
test_flatpak_layout (void)
{
  g_autoptr(WwPluginEngine) engine = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *mount = g_dir_make_tmp ("ww-plugin-engine-XXXXXX", &error);
  g_autofree char *wrong_abi_dir = fixture_dir ("wrong-abi");
  g_autofree char *good_dir = fixture_dir ("good");
  g_autofree char *wrong_abi_file = fixture_file ("wrong-abi", "wrong-abi.plugin");
  g_auto(GStrv) search_path = NULL;
  const char *const extensions[] = { "Care", "Legal", "Old", "Police", NULL };
  const char *const loaded[] = { "care", "police", "legal", NULL };
  GListModel *plugins;
  WwPluginInfo *info;
  const GError *refused;

  g_assert_no_error (error);
  mount_plugin (mount, "Care", "plugins-1", WW_BUILD_PLUGIN_DIR, "care", TRUE);
  mount_plugin (mount, "Legal", "plugins-1", WW_BUILD_PLUGIN_DIR, "legal", TRUE);
  mount_plugin (mount, "Police", "plugins-1", WW_BUILD_PLUGIN_DIR, "police", FALSE);
  mount_plugin (mount, "Old", "plugins-1", wrong_abi_dir, "wrong-abi", TRUE);
  mount_plugin (mount, "Future", "plugins-2", good_dir, "good", TRUE);

  search_path = ww_plugin_engine_dup_flatpak_search_path (mount);
  g_assert_cmpuint (g_strv_length (search_path), ==, 1 + g_strv_length ((GStrv) extensions));
  {
    g_autofree char *merged = g_build_filename (mount, "lib", "wegwijzer", "plugins-1", NULL);

    g_assert_cmpstr (search_path[0], ==, merged);
  }
  for (guint i = 0; extensions[i] != NULL; i++)
    {
      g_autofree char *own = g_build_filename (mount, extensions[i], "lib", "wegwijzer", "plugins-1", NULL);

      g_assert_cmpstr (search_path[i + 1], ==, own);
    }

  setup_warnings ();
  engine = load_directories ((const char *const *) search_path);

  /* three themes and the refused plugin, each once */
  g_assert_cmpuint (g_list_model_get_n_items (ww_plugin_engine_get_infos (engine)), ==, 4);
  plugins = ww_plugin_engine_get_plugins (engine);
  g_assert_cmpuint (g_list_model_get_n_items (plugins), ==, g_strv_length ((GStrv) loaded));
  for (guint i = 0; loaded[i] != NULL; i++)
    {
      g_autoptr(WwPlugin) plugin = g_list_model_get_item (plugins, i);
      g_autofree char *key_file = g_strdup_printf ("%s.plugin", loaded[i]);
      g_autofree char *module = g_strdup_printf ("libww-plugin-%s.so", loaded[i]);
      g_autofree char *module_path = NULL;
      g_autofree char *canonical_key_file = NULL;
      g_autofree char *canonical_dir = NULL;

      g_assert_cmpstr (ww_plugin_get_id (plugin), ==, loaded[i]);

      /* reported by the file behind the links, so that both ways in count once */
      {
        g_autofree char *path = g_build_filename (WW_BUILD_PLUGIN_DIR, key_file, NULL);
        char *resolved = realpath (path, NULL);

        g_assert_nonnull (resolved);
        canonical_key_file = g_strdup (resolved);
        free (resolved);
      }
      info = find_info (engine, canonical_key_file);
      g_assert_nonnull (info);
      g_assert_true (ww_plugin_info_get_plugin (info) == plugin);
      canonical_dir = g_path_get_dirname (canonical_key_file);
      module_path = g_build_filename (canonical_dir, module, NULL);
      g_assert_cmpstr (ww_plugin_info_get_module_path (info), ==, module_path);
    }

  g_assert_null (ww_plugin_engine_lookup (engine, "good"));

  info = find_info (engine, wrong_abi_file);
  g_assert_nonnull (info);
  g_assert_null (ww_plugin_info_get_plugin (info));
  refused = ww_plugin_info_get_error (info);
  g_assert_error (refused, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_ABI_MISMATCH);
  g_assert_nonnull (strstr (refused->message, "built for plugin ABI 999"));
  g_assert_nonnull (strstr (refused->message, "install a build of the plugin for ABI 1"));

  /* one warning, for the refused plugin alone */
  g_assert_cmpuint (engine_warnings->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (engine_warnings, 0), ==, refused->message);

  remove_tree (mount);
}

/* With nothing mounted there is only the merged folder to look in. */
static void
test_flatpak_nothing_mounted (void)
{
  g_auto(GStrv) search_path = ww_plugin_engine_dup_flatpak_search_path ("/nonexistent/wegwijzer/mount");
  const char *const expected[] = { "/nonexistent/wegwijzer/mount/lib/wegwijzer/plugins-1", NULL };

  g_assert_cmpstrv (search_path, expected);
}

/* The build tree has build/plugins/<id>/: one level below a search path
 * directory is searched, deeper is not. */
static void
test_subdirectories (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *top = g_dir_make_tmp ("ww-plugin-engine-XXXXXX", &error);
  g_autofree char *nested = g_build_filename (top, "deeper", NULL);
  g_autofree char *one_level = g_build_filename (top, "good", NULL);
  g_autofree char *two_levels = g_build_filename (nested, "good", NULL);
  g_autofree char *good_dir = fixture_dir ("good");
  const char *search_path[2] = { NULL, NULL };

  g_assert_no_error (error);
  g_assert_no_errno (g_mkdir (nested, 0700));
  symlink_or_fail (good_dir, two_levels);
  search_path[0] = top;

  setup_warnings ();
  {
    g_autoptr(WwPluginEngine) engine = load_directories (search_path);

    g_assert_cmpuint (g_list_model_get_n_items (ww_plugin_engine_get_infos (engine)), ==, 0);
  }

  symlink_or_fail (good_dir, one_level);
  {
    g_autoptr(WwPluginEngine) engine = load_directories (search_path);

    g_assert_cmpuint (g_list_model_get_n_items (ww_plugin_engine_get_infos (engine)), ==, 1);
    assert_good_loaded (engine, "WwTestGoodPlugin");
  }

  g_assert_cmpuint (engine_warnings->len, ==, 0);
  remove_tree (top);
}

static void
test_missing_directory (void)
{
  g_autoptr(WwPluginEngine) engine = NULL;
  g_autofree char *missing = g_test_build_filename (G_TEST_BUILT, "no-such-directory", NULL);
  const char *search_path[] = { missing, "/nonexistent/wegwijzer/plugins", NULL };

  setup_warnings ();
  engine = load_directories (search_path);

  g_assert_cmpuint (engine_warnings->len, ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (ww_plugin_engine_get_infos (engine)), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (ww_plugin_engine_get_plugins (engine)), ==, 0);
  g_assert_cmpstrv (ww_plugin_engine_get_search_path (engine), search_path);
}

static void
test_default_search_path (void)
{
  if (g_test_subprocess ())
    {
      g_auto(GStrv) path = NULL;
      const char *prefix[] = { "/first", "/second", WW_BUILD_PLUGIN_DIR, WW_PLUGIN_DIR,
                               "/app/plugins/lib/wegwijzer/plugins-1", NULL };
      const char *installed[] = { WW_PLUGIN_DIR, "/app/plugins/lib/wegwijzer/plugins-1", NULL };

      g_setenv ("WEGWIJZER_PLUGIN_PATH", "/first" G_SEARCHPATH_SEPARATOR_S G_SEARCHPATH_SEPARATOR_S
                "/second", TRUE);
      g_setenv ("WEGWIJZER_UNINSTALLED", "1", TRUE);
      path = ww_plugin_engine_dup_default_search_path ();
      g_assert_cmpuint (g_strv_length (path), >=, 5);
      for (guint i = 0; prefix[i] != NULL; i++)
        g_assert_cmpstr (path[i], ==, prefix[i]);
      g_clear_pointer (&path, g_strfreev);

      g_unsetenv ("WEGWIJZER_PLUGIN_PATH");
      g_unsetenv ("WEGWIJZER_UNINSTALLED");
      path = ww_plugin_engine_dup_default_search_path ();
      g_assert_cmpuint (g_strv_length (path), >=, 2);
      for (guint i = 0; installed[i] != NULL; i++)
        g_assert_cmpstr (path[i], ==, installed[i]);

      /* an engine nobody gave a path uses the default */
      {
        g_autoptr(WwPluginEngine) engine = ww_plugin_engine_new ();

        g_assert_cmpstrv (ww_plugin_engine_get_search_path (engine), path);
      }
      return;
    }

  /* in a child, so that the environment of the other tests stays as it is */
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* The six themes this repository ships, from the build tree. */
static void
test_themes (void)
{
  g_autoptr(WwPluginEngine) engine = NULL;
  const char *search_path[] = { WW_BUILD_PLUGIN_DIR, NULL };
  const char *const themes[] = { "finance", "care", "police", "municipality", "media", "legal", NULL };
  GListModel *plugins;

  setup_warnings ();
  engine = load_directories (search_path);
  g_assert_cmpuint (engine_warnings->len, ==, 0);

  plugins = ww_plugin_engine_get_plugins (engine);
  g_assert_cmpuint (g_list_model_get_n_items (plugins), ==, g_strv_length ((GStrv) themes));

  for (guint i = 0; themes[i] != NULL; i++)
    {
      g_autoptr(WwPlugin) plugin = g_list_model_get_item (plugins, i);
      g_autoptr(GInputStream) stream = NULL;
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *checksum = NULL;
      g_autofree char *name_nl = NULL;
      GListModel *categories = ww_plugin_get_categories (plugin);
      GListModel *fields = ww_plugin_get_form_fields (plugin);
      GListModel *pages = ww_plugin_get_info_pages (plugin);
      gboolean has_topic = FALSE;

      g_test_message ("theme %s", themes[i]);

      /* by Order: finance 10 … legal 60 */
      g_assert_cmpstr (ww_plugin_get_id (plugin), ==, themes[i]);
      g_assert_cmpint (ww_plugin_get_order (plugin), ==, 10 * (int) (i + 1));
      g_assert_true (g_str_has_suffix (ww_plugin_get_icon_name (plugin), "-symbolic"));

      ww_set_language ("nl");
      name_nl = g_strdup (ww_plugin_get_name (plugin));
      ww_set_language ("en");
      g_assert_cmpstr (name_nl, !=, "");
      g_assert_cmpstr (ww_plugin_get_name (plugin), !=, "");
      g_assert_nonnull (ww_plugin_get_description (plugin));

      g_assert_cmpuint (g_list_model_get_n_items (categories), >=, 2);
      g_assert_nonnull (ww_plugin_get_facets (plugin)[0]);

      for (guint j = 0; j < g_list_model_get_n_items (fields); j++)
        {
          g_autoptr(WwFormField) field = g_list_model_get_item (fields, j);

          if (g_str_equal (ww_form_field_get_id (field), "topic"))
            {
              g_assert_cmpint (ww_form_field_get_field_type (field), ==, WW_FORM_FIELD_CHOICE);
              g_assert_true (ww_form_field_get_required (field));
              g_assert_cmpuint (ww_form_field_get_n_choices (field), >=, 2);
              has_topic = TRUE;
            }
        }
      g_assert_true (has_topic);

      /* Both languages really are there: the English fallback would give
       * the same text twice. */
      g_assert_cmpuint (g_list_model_get_n_items (pages), >=, 2);
      for (guint j = 0; j < g_list_model_get_n_items (pages); j++)
        {
          g_autoptr(WwInfoPage) page = g_list_model_get_item (pages, j);
          g_autofree char *title_nl = NULL;
          g_autofree char *body_nl = NULL;

          ww_set_language ("nl");
          title_nl = g_strdup (ww_info_page_get_title (page));
          body_nl = g_strdup (ww_info_page_get_body (page));
          ww_set_language ("en");
          g_assert_cmpstr (title_nl, !=, "");
          g_assert_cmpstr (ww_info_page_get_title (page), !=, "");
          g_assert_cmpstr (body_nl, !=, ww_info_page_get_body (page));
        }

      stream = ww_plugin_open_providers (plugin, &error);
      g_assert_no_error (error);
      json_parser_load_from_stream (parser, stream, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)));

      checksum = ww_plugin_dup_providers_checksum (plugin, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (strlen (checksum), ==, 64);
    }

  ww_set_language (NULL);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  engine_warnings = g_ptr_array_new_with_free_func (g_free);
  g_log_set_writer_func (log_writer_cb, NULL, NULL);
  g_log_set_handler ("ww-plugin-engine", G_LOG_LEVEL_WARNING | G_LOG_FLAG_FATAL,
                     log_handler_cb, NULL);

  g_test_add_func ("/plugin-engine/good", test_good);

  for (guint i = 0; i < G_N_ELEMENTS (broken_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/plugin-engine/broken/%s",
                                               broken_cases[i].directory);

      g_test_add_data_func (path, &broken_cases[i], test_broken);
    }
  g_test_add_func ("/plugin-engine/broken/duplicate", test_duplicate);
  g_test_add_func ("/plugin-engine/broken/duplicate-reversed", test_duplicate_reversed);
  g_test_add_func ("/plugin-engine/broken/all-at-once", test_all_broken);

  for (guint i = 0; i < G_N_ELEMENTS (key_file_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/plugin-engine/key-file/%s",
                                               key_file_cases[i].name);

      g_test_add_data_func (path, &key_file_cases[i], test_key_file);
    }

  g_test_add_func ("/plugin-engine/search-path/flatpak-layout", test_flatpak_layout);
  g_test_add_func ("/plugin-engine/search-path/flatpak-nothing-mounted", test_flatpak_nothing_mounted);
  g_test_add_func ("/plugin-engine/search-path/subdirectories", test_subdirectories);
  g_test_add_func ("/plugin-engine/search-path/missing-directory", test_missing_directory);
  g_test_add_func ("/plugin-engine/search-path/default", test_default_search_path);
  g_test_add_func ("/plugin-engine/themes", test_themes);

  return g_test_run ();
}
