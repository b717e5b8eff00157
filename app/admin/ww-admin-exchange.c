/* ww-admin-exchange.c: wegwijzer-admin import, validate and export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-admin"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ww-admin-private.h"

#define EXPORT_BUFFER_SIZE (64 * 1024)

/* Whether @error is about the file rather than what is in it. */
static gboolean
is_io_error (const GError *error)
{
  if (error->domain == G_FILE_ERROR)
    return TRUE;

  if (error->domain == G_IO_ERROR)
    return !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA) &&
           !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT) &&
           !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);

  return FALSE;
}

/* Every record must belong to a loaded theme and to one of its
 * categories: the directory would show nothing for it otherwise. */
static gboolean
check_providers (WwAdmin    *admin,
                 GPtrArray  *providers,
                 GError    **error)
{
  WwPluginEngine *engine = ww_admin_get_engine (admin);

  for (guint i = 0; i < providers->len; i++)
    {
      WwProvider *provider = g_ptr_array_index (providers, i);
      const char *theme = ww_provider_get_theme (provider);
      const char *category = ww_provider_get_category (provider);
      WwPlugin *plugin;

      if (theme == NULL || theme[0] == '\0')
        {
          g_set_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_INVALID_RECORD,
                       _("record %u: theme: missing; give the record an attribute in the "
                         "taxonomy “%s”, or give --theme"),
                       i + 1, WW_TAXONOMY_THEME);
          return FALSE;
        }

      plugin = ww_plugin_engine_lookup (engine, theme);
      if (plugin == NULL)
        {
          g_autofree char *themes = ww_admin_dup_theme_list (admin);

          g_set_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_INVALID_RECORD,
                       _("record %u: theme: “%s” is not an installed theme; "
                         "the installed themes are: %s"),
                       i + 1, theme, themes);
          return FALSE;
        }

      if (category == NULL || category[0] == '\0')
        {
          g_autofree char *categories = ww_admin_dup_category_list (plugin);

          g_set_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_INVALID_RECORD,
                       _("record %u: category: missing; give the record an attribute in "
                         "the taxonomy “%s”, one of: %s"),
                       i + 1, WW_TAXONOMY_CATEGORY, categories);
          return FALSE;
        }

      if (ww_plugin_lookup_category (plugin, category) == NULL)
        {
          g_autofree char *categories = ww_admin_dup_category_list (plugin);

          g_set_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_INVALID_RECORD,
                       _("record %u: category: “%s” is not a category of theme “%s”; "
                         "its categories are: %s"),
                       i + 1, category, theme, categories);
          return FALSE;
        }
    }

  return TRUE;
}

/* Reads and checks @path ("-": standard input). On failure the error
 * has been printed and *exit_status says why. */
static GPtrArray *
read_providers (WwAdmin    *admin,
                const char *path,
                const char *default_theme,
                int        *exit_status)
{
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GError) error = NULL;

  if (default_theme != NULL &&
      ww_plugin_engine_lookup (ww_admin_get_engine (admin), default_theme) == NULL)
    {
      g_autofree char *themes = ww_admin_dup_theme_list (admin);

      ww_admin_printerr (_("unknown theme “%s” for --theme; the installed themes are: %s"),
                         default_theme, themes);
      *exit_status = WW_ADMIN_EXIT_DATA;
      return NULL;
    }

  if (g_str_equal (path, "-"))
    {
      g_autoptr(GInputStream) stream = ww_admin_open_stdin ();

      providers = ww_hsds_parse_stream (stream, default_theme, NULL, &error);
    }
  else
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (path);

      providers = ww_hsds_parse_file (file, default_theme, NULL, &error);
    }

  if (providers == NULL)
    {
      /* GIO's messages name the file already */
      if (is_io_error (error))
        {
          ww_admin_printerr ("%s", error->message);
          *exit_status = WW_ADMIN_EXIT_FAILURE;
        }
      else
        {
          ww_admin_printerr ("%s: %s", path, error->message);
          *exit_status = WW_ADMIN_EXIT_DATA;
        }
      return NULL;
    }

  if (!check_providers (admin, providers, &error))
    {
      ww_admin_printerr ("%s: %s", path, error->message);
      *exit_status = WW_ADMIN_EXIT_DATA;
      return NULL;
    }

  *exit_status = WW_ADMIN_EXIT_OK;
  return g_steal_pointer (&providers);
}

static const char *exchange_description =
  N_("FILE holds Open Referral HSDS 3.0 service records: a JSON array of them,\n"
     "or one JSON object per line (NDJSON); “-” reads standard input. A\n"
     "record’s theme and category are attributes in the taxonomies\n"
     "“wegwijzer-theme” (a plugin id) and “wegwijzer-category” (a category of\n"
     "that plugin).");

int
ww_admin_import (WwAdmin  *admin,
                 int       argc,
                 char    **argv)
{
  g_autofree char *theme = NULL;
  const GOptionEntry entries[] = {
    { "theme", 0, 0, G_OPTION_ARG_STRING, &theme,
      N_("The theme of records that name none (a plugin id)"), N_("ID") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GError) error = NULL;
  WwDirectory *directory;
  int status;

  if (!ww_admin_parse_options (admin, "import", N_("FILE"),
                               N_("Add or replace providers from an HSDS file: all of them\n"
                                  "or, when one record is bad, none."),
                               exchange_description, entries, &argc, &argv, &status))
    return status;

  if (argc != 2)
    return ww_admin_usage_error ("import", _("import takes one FILE (“-” reads standard input)"));

  providers = read_providers (admin, argv[1], theme, &status);
  if (providers == NULL)
    return status;

  directory = ww_admin_open_directory (admin, &error);
  if (directory == NULL)
    {
      ww_admin_printerr ("%s", error->message);
      return WW_ADMIN_EXIT_FAILURE;
    }

  if (!ww_directory_add_providers (directory, providers, "import", &error))
    {
      ww_admin_printerr (_("cannot import %s into %s: %s"), argv[1], admin->db_path, error->message);
      return WW_ADMIN_EXIT_FAILURE;
    }

  g_print (ngettext ("Imported %u provider\n", "Imported %u providers\n", providers->len),
           providers->len);

  return WW_ADMIN_EXIT_OK;
}

int
ww_admin_validate (WwAdmin  *admin,
                   int       argc,
                   char    **argv)
{
  g_autofree char *theme = NULL;
  const GOptionEntry entries[] = {
    { "theme", 0, 0, G_OPTION_ARG_STRING, &theme,
      N_("The theme of records that name none (a plugin id)"), N_("ID") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GPtrArray) providers = NULL;
  int status;

  if (!ww_admin_parse_options (admin, "validate", N_("FILE"),
                               N_("Check an HSDS file as import would, without writing anything."),
                               exchange_description, entries, &argc, &argv, &status))
    return status;

  if (argc != 2)
    return ww_admin_usage_error ("validate", _("validate takes one FILE (“-” reads standard input)"));

  /* only the plugins are needed; the directory is not even opened */
  providers = read_providers (admin, argv[1], theme, &status);
  if (providers == NULL)
    return status;

  g_print (ngettext ("%s: %u record, valid\n", "%s: %u records, valid\n", providers->len),
           argv[1], providers->len);

  return WW_ADMIN_EXIT_OK;
}

typedef struct
{
  GOutputStream *stream;
  guint          n_written;
} ExportData;

static gboolean
export_provider_cb (WwProvider  *provider,
                    gpointer     user_data,
                    GError     **error)
{
  ExportData *data = user_data;
  g_autofree char *line = ww_hsds_provider_to_ndjson (provider);

  if (!g_output_stream_write_all (data->stream, line, strlen (line), NULL, NULL, error) ||
      !g_output_stream_write_all (data->stream, "\n", 1, NULL, NULL, error))
    return FALSE;

  data->n_written++;
  return TRUE;
}

int
ww_admin_export (WwAdmin  *admin,
                 int       argc,
                 char    **argv)
{
  g_autofree char *format = NULL;
  g_autofree char *output = NULL;
  g_autofree char *theme = NULL;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format,
      N_("The file format; only “ndjson” (the default) is supported"), N_("FORMAT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Write to FILE, replacing it once all is written (default: standard output)"),
      N_("FILE") },
    { "theme", 0, 0, G_OPTION_ARG_STRING, &theme,
      N_("Only providers of this theme (a plugin id)"), N_("ID") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GFile) file = NULL;
  g_autoptr(GOutputStream) base_stream = NULL;
  g_autoptr(GOutputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  ExportData data = { 0 };
  WwDirectory *directory;
  int status;

  if (!ww_admin_parse_options (admin, "export", NULL,
                               N_("Write the providers as HSDS 3.0 service records, one JSON\n"
                                  "object per line (NDJSON), ordered by id."),
                               N_("The output can be imported again, here or into another directory."),
                               entries, &argc, &argv, &status))
    return status;

  if (argc > 1)
    return ww_admin_usage_error ("export", _("export takes no arguments; give --output FILE "
                                             "to write to a file"));

  if (format != NULL && !g_str_equal (format, "ndjson"))
    return ww_admin_usage_error ("export", _("unknown format “%s”; the only format is “ndjson”"),
                                 format);

  if (theme != NULL && ww_plugin_engine_lookup (ww_admin_get_engine (admin), theme) == NULL)
    {
      g_autofree char *themes = ww_admin_dup_theme_list (admin);

      ww_admin_printerr (_("unknown theme “%s” for --theme; the installed themes are: %s"),
                         theme, themes);
      return WW_ADMIN_EXIT_DATA;
    }

  directory = ww_admin_open_directory (admin, &error);
  if (directory == NULL)
    {
      ww_admin_printerr ("%s", error->message);
      return WW_ADMIN_EXIT_FAILURE;
    }

  if (output != NULL)
    {
      /* g_file_replace() writes a temporary file and renames it over
       * FILE on close, so a failed export leaves the old FILE as it was */
      file = g_file_new_for_commandline_arg (output);
      base_stream = G_OUTPUT_STREAM (g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE,
                                                     NULL, &error));
      if (base_stream == NULL)
        {
          ww_admin_printerr (_("cannot write %s: %s"), output, error->message);
          return WW_ADMIN_EXIT_FAILURE;
        }
    }
  else
    {
      base_stream = ww_admin_open_stdout ();
    }

  stream = g_buffered_output_stream_new_sized (base_stream, EXPORT_BUFFER_SIZE);
  data.stream = stream;

  if (!ww_directory_foreach (directory, theme, export_provider_cb, &data, &error) ||
      !g_output_stream_close (stream, NULL, &error))
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();

      /* closing while cancelled throws the temporary file away */
      g_cancellable_cancel (cancellable);
      g_output_stream_close (stream, cancellable, NULL);
      g_output_stream_close (base_stream, cancellable, NULL);

      ww_admin_printerr (_("cannot export to %s: %s"),
                         output != NULL ? output : _("standard output"), error->message);
      return WW_ADMIN_EXIT_FAILURE;
    }

  if (output != NULL)
    g_print (ngettext ("Exported %u provider to %s\n", "Exported %u providers to %s\n",
                       data.n_written),
             data.n_written, output);

  return WW_ADMIN_EXIT_OK;
}
