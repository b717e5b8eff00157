/* ww-admin-plugins.c: wegwijzer-admin plugins
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-admin"

#include "config.h"

#include <errno.h>
#include <stdio.h>

#include <glib/gi18n.h>

#include "ww-admin-private.h"

enum {
  COLUMN_ID,
  COLUMN_NAME,
  COLUMN_PROVIDERS,
  COLUMN_ABI,
  COLUMN_MODULE,
  COLUMN_STATUS,
  N_COLUMNS
};

static char *
dup_cell (const char *text)
{
  return g_strdup (text != NULL && text[0] != '\0' ? text : "-");
}

/* The skipped plugins' rows have no provider count. */
static char **
dup_row (WwPluginInfo *info,
         WwDirectory  *directory)
{
  char **row = g_new0 (char *, N_COLUMNS + 1);
  WwPlugin *plugin = ww_plugin_info_get_plugin (info);
  const GError *error = ww_plugin_info_get_error (info);

  row[COLUMN_ID] = dup_cell (ww_plugin_info_get_id (info));
  row[COLUMN_NAME] = dup_cell (ww_plugin_info_get_name (info));
  if (plugin != NULL)
    row[COLUMN_PROVIDERS] = g_strdup_printf ("%u", ww_directory_count (directory, ww_plugin_get_id (plugin)));
  else
    row[COLUMN_PROVIDERS] = dup_cell (NULL);
  row[COLUMN_ABI] = g_strdup_printf ("%d", ww_plugin_info_get_abi_version (info));
  row[COLUMN_MODULE] = dup_cell (ww_plugin_info_get_module_path (info));
  if (plugin != NULL)
    row[COLUMN_STATUS] = g_strdup (_("loaded"));
  else
    row[COLUMN_STATUS] = g_strdup_printf (_("skipped: %s"),
                                          error != NULL ? error->message : _("unknown reason"));

  return row;
}

static void
print_table (GPtrArray *rows,
             gboolean   with_status)
{
  guint n_columns = with_status ? N_COLUMNS : COLUMN_STATUS;
  guint widths[N_COLUMNS] = { 0 };

  for (guint i = 0; i < rows->len; i++)
    {
      char **row = g_ptr_array_index (rows, i);

      for (guint c = 0; c < n_columns; c++)
        widths[c] = MAX (widths[c], (guint) g_utf8_strlen (row[c], -1));
    }

  for (guint i = 0; i < rows->len; i++)
    {
      char **row = g_ptr_array_index (rows, i);
      g_autoptr(GString) line = g_string_new (NULL);

      for (guint c = 0; c < n_columns; c++)
        {
          g_string_append (line, row[c]);
          if (c + 1 == n_columns)
            break;
          for (glong n = g_utf8_strlen (row[c], -1); n < (glong) widths[c] + 2; n++)
            g_string_append_c (line, ' ');
        }
      g_print ("%s\n", line->str);
    }
}

static void
add_info_object (JsonBuilder  *builder,
                 WwPluginInfo *info,
                 WwDirectory  *directory)
{
  WwPlugin *plugin = ww_plugin_info_get_plugin (info);
  const GError *error = ww_plugin_info_get_error (info);

  json_builder_begin_object (builder);
  ww_admin_json_add_string (builder, "id", ww_plugin_info_get_id (info));
  ww_admin_json_add_string (builder, "name", ww_plugin_info_get_name (info));
  json_builder_set_member_name (builder, "loaded");
  json_builder_add_boolean_value (builder, plugin != NULL);
  json_builder_set_member_name (builder, "providers");
  if (plugin != NULL)
    json_builder_add_int_value (builder, ww_directory_count (directory, ww_plugin_get_id (plugin)));
  else
    json_builder_add_null_value (builder);
  ww_admin_json_add_string (builder, "module", ww_plugin_info_get_module_path (info));
  ww_admin_json_add_string (builder, "key_file", ww_plugin_info_get_key_file (info));
  json_builder_set_member_name (builder, "abi");
  json_builder_add_int_value (builder, ww_plugin_info_get_abi_version (info));
  ww_admin_json_add_string (builder, "error", error != NULL ? error->message : NULL);
  json_builder_end_object (builder);
}

static int
list_plugins (WwAdmin  *admin,
              gboolean  json,
              gboolean  all)
{
  WwPluginEngine *engine = ww_admin_get_engine (admin);
  GListModel *infos = ww_plugin_engine_get_infos (engine);
  g_autoptr(GError) error = NULL;
  WwDirectory *directory;
  guint n_loaded = 0;

  directory = ww_admin_open_directory (admin, &error);
  if (directory == NULL)
    {
      ww_admin_printerr ("%s", error->message);
      return WW_ADMIN_EXIT_FAILURE;
    }

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < g_list_model_get_n_items (infos); i++)
        {
          g_autoptr(WwPluginInfo) info = g_list_model_get_item (infos, i);

          if (all || ww_plugin_info_get_plugin (info) != NULL)
            add_info_object (builder, info, directory);
        }
      json_builder_end_array (builder);

      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      json_generator_set_pretty (generator, TRUE);
      text = json_generator_to_data (generator, NULL);
      if (fputs (text, stdout) == EOF || fputs ("\n", stdout) == EOF || fflush (stdout) != 0)
        {
          ww_admin_printerr (_("cannot write the list: %s"), g_strerror (errno));
          return WW_ADMIN_EXIT_FAILURE;
        }
    }
  else
    {
      g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
      char **header = g_new0 (char *, N_COLUMNS + 1);

      header[COLUMN_ID] = g_strdup (C_("plugins list column", "ID"));
      header[COLUMN_NAME] = g_strdup (C_("plugins list column", "NAME"));
      header[COLUMN_PROVIDERS] = g_strdup (C_("plugins list column", "PROVIDERS"));
      header[COLUMN_ABI] = g_strdup (C_("plugins list column", "ABI"));
      header[COLUMN_MODULE] = g_strdup (C_("plugins list column", "MODULE"));
      header[COLUMN_STATUS] = g_strdup (C_("plugins list column", "STATUS"));
      g_ptr_array_add (rows, header);

      for (guint i = 0; i < g_list_model_get_n_items (infos); i++)
        {
          g_autoptr(WwPluginInfo) info = g_list_model_get_item (infos, i);

          if (ww_plugin_info_get_plugin (info) != NULL)
            n_loaded++;
          if (all || ww_plugin_info_get_plugin (info) != NULL)
            g_ptr_array_add (rows, dup_row (info, directory));
        }

      if (rows->len > 1)
        print_table (rows, all);

      if (n_loaded == 0)
        {
          const char *const *path = ww_plugin_engine_get_search_path (engine);
          g_autofree char *folders = path != NULL ? g_strjoinv (", ", (char **) path) : g_strdup ("-");

          g_print (_("No plugins are loaded; looked in: %s\n"), folders);
        }
    }

  return WW_ADMIN_EXIT_OK;
}

int
ww_admin_plugins (WwAdmin  *admin,
                  int       argc,
                  char    **argv)
{
  gboolean json = FALSE;
  gboolean all = FALSE;
  g_auto(GStrv) paths = NULL;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Write JSON, for scripts"), NULL },
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all,
      N_("list: also list the plugins that were skipped, and why"), NULL },
    { "path", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &paths,
      N_("verify: check the plugins in DIR instead (repeatable)"), N_("DIR") },
    G_OPTION_ENTRY_NULL
  };
  const char *action;
  int status;

  /* "list" and "verify" are what people type, so they are not translated */
  if (!ww_admin_parse_options (admin, "plugins", "list | verify",
                               N_("list     shows the theme plugins: their id, name, how many providers\n"
                                  "         they have in the directory, module and ABI version\n"
                                  "verify   checks the plugins as the program loads them, and says what\n"
                                  "         is wrong with each and how to fix it"),
                               N_("Plugins are searched for in WEGWIJZER_PLUGIN_PATH, then the installed\n"
                                  "plugin folder, then the Flatpak extension folders. A broken plugin is\n"
                                  "skipped; list --all says why.\n"
                                  "\n"
                                  "verify prints a line per plugin, “ok” or “FAIL”, its problems under\n"
                                  "it, and a count at the end. An error keeps the plugin from loading;\n"
                                  "a warning does not, but needs fixing as well: a name without a\n"
                                  "translation into one of the program’s languages, plugins for another\n"
                                  "ABI beside the plugin folder, a module or folder others can change.\n"
                                  "\n"
                                  "--path DIR checks DIR instead. A DIR with no .plugin files of its own\n"
                                  "but lib/wegwijzer/ in it or in its subfolders is taken as a Flatpak\n"
                                  "extension mount (as /app/plugins): its merged plugin folder and each\n"
                                  "extension’s own are checked.\n"
                                  "\n"
                                  "--json writes an array of {id, name, key_file, module, abi, folder,\n"
                                  "ok, errors, warnings}; a folder’s problem has the id null.\n"
                                  "\n"
                                  "verify exits with 0 when every plugin can load, warnings or not, and\n"
                                  "with 3 when one cannot, a --path folder does not exist, or no plugin\n"
                                  "was found."),
                               entries, &argc, &argv, &status))
    return status;

  if (argc < 2)
    return ww_admin_usage_error ("plugins", _("plugins needs an action: “list” or “verify”"));
  action = argv[1];

  if (g_str_equal (action, "list"))
    {
      if (argc > 2)
        return ww_admin_usage_error ("plugins", _("plugins list takes no arguments"));
      if (paths != NULL)
        return ww_admin_usage_error ("plugins", _("plugins list has no --path; it lists what "
                                                  "the program loads"));
      return list_plugins (admin, json, all);
    }
  else if (g_str_equal (action, "verify"))
    {
      if (argc > 2)
        return ww_admin_usage_error ("plugins", _("plugins verify takes no arguments; give "
                                                  "folders with --path DIR"));
      if (all)
        return ww_admin_usage_error ("plugins", _("plugins verify has no --all; it always "
                                                  "checks every plugin it finds"));
      return ww_admin_plugins_verify (admin, (const char *const *) paths, json);
    }

  return ww_admin_usage_error ("plugins", _("unknown action “%s”; use “list” or “verify”"), action);
}
