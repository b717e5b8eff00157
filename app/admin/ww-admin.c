/* ww-admin.c: wegwijzer-admin, the command-line administration tool
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-admin"

#include "config.h"

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>

#include "ww-admin-private.h"

typedef struct
{
  const char         *name;
  const char         *summary;
  WwAdminCommandFunc  func;
} WwAdminCommand;

static const WwAdminCommand commands[] = {
  { "search",   N_("Search the directory"),                       ww_admin_search },
  { "import",   N_("Add or replace providers from an HSDS file"), ww_admin_import },
  { "validate", N_("Check an HSDS file without importing it"),    ww_admin_validate },
  { "export",   N_("Write the providers as HSDS NDJSON"),         ww_admin_export },
  { "plugins",  N_("List or check the theme plugins"),            ww_admin_plugins },
  { "generate", N_("Add fictional providers for load tests"),     ww_admin_generate },
  { "kiosk",    N_("Add, list or revoke the relay’s kiosks"),     ww_admin_kiosk },
  { "provider", N_("Set a provider’s webhook or make its inbox"), ww_admin_provider },
  { "sync",     N_("Fetch what changed in a relay’s directory"),  ww_admin_sync },
  { "help",     N_("Show the help of a command"),                 NULL },
};

void
ww_admin_printerr (const char *format,
                   ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_printerr ("wegwijzer-admin: %s\n", message);
}

int
ww_admin_usage_error (const char *command,
                      const char *format,
                      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  ww_admin_printerr ("%s", message);
  if (command != NULL)
    g_printerr (_("Run “wegwijzer-admin %s --help” to see its options.\n"), command);
  else
    g_printerr (_("Run “wegwijzer-admin --help” to see the commands.\n"));

  return WW_ADMIN_EXIT_USAGE;
}

static gboolean
set_db_path_cb (const char  *option_name,
                const char  *value,
                gpointer     user_data,
                GError     **error)
{
  WwAdmin *admin = user_data;

  if (value == NULL || value[0] == '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s needs the file name of a directory database"), option_name);
      return FALSE;
    }

  g_free (admin->db_path);
  admin->db_path = g_strdup (value);

  return TRUE;
}

/* The help of --db shows the real default path; the string lives as
 * long as @admin, as GOption wants. */
static const char *
get_db_description (WwAdmin *admin)
{
  if (admin->db_description == NULL)
    {
      g_autofree char *default_path = ww_directory_dup_default_path ();

      admin->db_description = g_strdup_printf (_("The directory database (default: %s)"),
                                               default_path);
    }

  return admin->db_description;
}

/* --db and --help, which every command takes; --help is our own entry
 * (GOption's would exit() from inside the parser) so that main()
 * returns and cleans up as after any other command. */
static GOptionGroup *
create_main_group (WwAdmin            *admin,
                   const GOptionEntry *entries)
{
  const GOptionEntry common_entries[] = {
    { "db", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, (gpointer) set_db_path_cb,
      get_db_description (admin), N_("FILE") },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &admin->show_help,
      N_("Show this help"), NULL },
    G_OPTION_ENTRY_NULL
  };
  GOptionGroup *group;

  group = g_option_group_new (NULL, NULL, NULL, admin, NULL);
  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  if (entries != NULL)
    g_option_group_add_entries (group, entries);
  g_option_group_add_entries (group, common_entries);

  return group;
}

gboolean
ww_admin_parse_options (WwAdmin             *admin,
                        const char          *command,
                        const char          *parameter_string,
                        const char          *summary,
                        const char          *description,
                        const GOptionEntry  *entries,
                        int                 *argc,
                        char              ***argv,
                        int                 *exit_status)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prgname = NULL;

  /* so that the usage line reads "wegwijzer-admin search [OPTION…]" */
  prgname = g_strdup_printf ("wegwijzer-admin %s", command);
  g_set_prgname (prgname);

  context = g_option_context_new (parameter_string);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context, description);
  g_option_context_set_main_group (context, create_main_group (admin, entries));

  admin->show_help = FALSE;
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *exit_status = ww_admin_usage_error (command, "%s", error->message);
      return FALSE;
    }

  if (admin->show_help)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_print ("%s", help);
      *exit_status = WW_ADMIN_EXIT_OK;
      return FALSE;
    }

  return TRUE;
}

WwPluginEngine *
ww_admin_get_engine (WwAdmin *admin)
{
  if (admin->engine == NULL)
    {
      admin->engine = ww_plugin_engine_new ();
      ww_plugin_engine_load (admin->engine);
    }

  return admin->engine;
}

WwDirectory *
ww_admin_open_directory (WwAdmin  *admin,
                         GError  **error)
{
  g_autoptr(WwDirectory) directory = NULL;
  WwPluginEngine *engine;
  const char *recovered;

  if (admin->directory != NULL)
    return admin->directory;

  engine = ww_admin_get_engine (admin);

  /* ww_directory_open() makes the folder when it is not there yet */
  if (admin->db_path == NULL)
    admin->db_path = ww_directory_dup_default_path ();

  directory = ww_directory_open (admin->db_path, error);
  if (directory == NULL)
    {
      g_prefix_error (error, _("cannot open the directory %s: "), admin->db_path);
      return NULL;
    }

  recovered = ww_directory_get_recovered_path (directory);
  if (recovered != NULL)
    ww_admin_printerr (_("the directory database %s was damaged. It was moved to %s, "
                         "and the directory is rebuilt from the installed plugins; "
                         "import your own files again."),
                       admin->db_path, recovered);

  ww_directory_set_plugin_engine (directory, engine);
  if (!ww_directory_seed (directory, engine, error))
    {
      g_prefix_error (error, _("cannot add the plugins’ providers to %s: "), admin->db_path);
      return NULL;
    }

  admin->directory = g_steal_pointer (&directory);

  return admin->directory;
}

char *
ww_admin_dup_theme_list (WwAdmin *admin)
{
  GListModel *plugins = ww_plugin_engine_get_plugins (ww_admin_get_engine (admin));
  g_autoptr(GString) list = g_string_new (NULL);
  guint n_plugins = g_list_model_get_n_items (plugins);

  if (n_plugins == 0)
    return g_strdup (_("none (no plugins are loaded)"));

  for (guint i = 0; i < n_plugins; i++)
    {
      g_autoptr(WwPlugin) plugin = g_list_model_get_item (plugins, i);

      if (list->len > 0)
        g_string_append (list, ", ");
      g_string_append (list, ww_plugin_get_id (plugin));
    }

  return g_string_free (g_steal_pointer (&list), FALSE);
}

char *
ww_admin_dup_category_list (WwPlugin *plugin)
{
  GListModel *categories = ww_plugin_get_categories (plugin);
  g_autoptr(GString) list = g_string_new (NULL);
  guint n_categories = categories != NULL ? g_list_model_get_n_items (categories) : 0;

  if (n_categories == 0)
    return g_strdup (_("none"));

  for (guint i = 0; i < n_categories; i++)
    {
      g_autoptr(WwCategory) category = g_list_model_get_item (categories, i);

      if (list->len > 0)
        g_string_append (list, ", ");
      g_string_append (list, ww_category_get_id (category));
    }

  return g_string_free (g_steal_pointer (&list), FALSE);
}

const char *
ww_admin_get_category_label (WwAdmin    *admin,
                             const char *theme_id,
                             const char *category_id)
{
  WwPlugin *plugin;
  WwCategory *category;

  if (theme_id == NULL || category_id == NULL)
    return category_id;

  plugin = ww_plugin_engine_lookup (ww_admin_get_engine (admin), theme_id);
  if (plugin == NULL)
    return category_id;

  category = ww_plugin_lookup_category (plugin, category_id);
  if (category == NULL || ww_category_get_label (category) == NULL)
    return category_id;

  return ww_category_get_label (category);
}

GOutputStream *
ww_admin_open_stdout (void)
{
  return g_unix_output_stream_new (STDOUT_FILENO, FALSE);
}

GInputStream *
ww_admin_open_stdin (void)
{
  return g_unix_input_stream_new (STDIN_FILENO, FALSE);
}

static char *
dup_main_summary (void)
{
  GString *summary = g_string_new (_("Keeps the Wegwijzer provider directory up to date."));

  g_string_append (summary, "\n\n");
  g_string_append (summary, _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (summary, "\n  %-10s %s", commands[i].name, _(commands[i].summary));

  return g_string_free (summary, FALSE);
}

static GOptionContext *
create_main_context (WwAdmin  *admin,
                     gboolean *show_version)
{
  const GOptionEntry entries[] = {
    { "version", 0, 0, G_OPTION_ARG_NONE, show_version, N_("Show the version"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autofree char *summary = dup_main_summary ();
  GOptionContext *context;

  context = g_option_context_new (_("COMMAND [OPTION…] [ARGUMENT…]"));
  g_option_context_set_help_enabled (context, FALSE);
  /* options after the command name belong to the command */
  g_option_context_set_strict_posix (context, TRUE);
  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context,
    _("Exit status:\n"
      "  0  success\n"
      "  1  a runtime failure (a file or the database could not be read or written)\n"
      "  2  a usage error (unknown command or option, missing argument)\n"
      "  3  invalid input data (a bad import file, a bad filter value, a plugin\n"
      "     that cannot load)\n"
      "\n"
      "Run “wegwijzer-admin COMMAND --help” to see the options of a command."));
  g_option_context_set_main_group (context, create_main_group (admin, entries));

  return context;
}

static void
print_main_help (GOptionContext *context)
{
  g_autofree char *help = NULL;

  g_set_prgname ("wegwijzer-admin");
  help = g_option_context_get_help (context, TRUE, NULL);
  g_print ("%s", help);
}

static const WwAdminCommand *
lookup_command (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (g_str_equal (commands[i].name, name))
        return &commands[i];
    }

  return NULL;
}

static int
run_help (WwAdmin        *admin,
          GOptionContext *main_context,
          int             argc,
          char          **argv)
{
  const WwAdminCommand *command;
  g_autofree char *help_option = g_strdup ("--help");
  char *help_argv[] = { NULL, help_option, NULL };
  char **command_argv = help_argv;
  int command_argc = 2;

  if (argc < 2)
    {
      print_main_help (main_context);
      return WW_ADMIN_EXIT_OK;
    }

  if (argc > 2)
    return ww_admin_usage_error ("help", _("help takes one command name, not %d"), argc - 1);

  command = lookup_command (argv[1]);
  if (command == NULL)
    return ww_admin_usage_error (NULL, _("unknown command “%s”"), argv[1]);

  if (command->func == NULL)
    {
      print_main_help (main_context);
      return WW_ADMIN_EXIT_OK;
    }

  help_argv[0] = argv[1];
  return command->func (admin, command_argc, command_argv);
}

static void
ww_admin_clear (WwAdmin *admin)
{
  g_clear_object (&admin->directory);
  g_clear_object (&admin->engine);
  g_clear_pointer (&admin->db_path, g_free);
  g_clear_pointer (&admin->db_description, g_free);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  WwAdmin admin = { 0 };
  gboolean show_version = FALSE;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE,
                  g_getenv ("WEGWIJZER_UNINSTALLED") != NULL ? WW_BUILD_LOCALE_DIR : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("wegwijzer-admin");

  context = create_main_context (&admin, &show_version);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      status = ww_admin_usage_error (NULL, "%s", error->message);
    }
  else if (admin.show_help)
    {
      print_main_help (context);
      status = WW_ADMIN_EXIT_OK;
    }
  else if (show_version)
    {
      g_print ("wegwijzer-admin %s\n", PACKAGE_VERSION);
      status = WW_ADMIN_EXIT_OK;
    }
  else if (argc < 2)
    {
      status = ww_admin_usage_error (NULL, _("no command given"));
    }
  else
    {
      const WwAdminCommand *command = lookup_command (argv[1]);

      if (command == NULL)
        status = ww_admin_usage_error (NULL, _("unknown command “%s”"), argv[1]);
      else if (command->func == NULL)
        status = run_help (&admin, context, argc - 1, argv + 1);
      else
        status = command->func (&admin, argc - 1, argv + 1);
    }

  /* what g_print() could not write is a failure too (a full disk, a
   * closed pipe) */
  if (fflush (stdout) != 0)
    {
      if (status == WW_ADMIN_EXIT_OK)
        ww_admin_printerr (_("cannot write to standard output: %s"), g_strerror (errno));
      status = WW_ADMIN_EXIT_FAILURE;
    }
  else if (ferror (stdout))
    {
      if (status == WW_ADMIN_EXIT_OK)
        ww_admin_printerr (_("cannot write to standard output"));
      status = WW_ADMIN_EXIT_FAILURE;
    }

  ww_admin_clear (&admin);

  return status;
}
