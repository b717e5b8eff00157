/* ww-admin-verify.c: wegwijzer-admin plugins verify
 *
 * Loads a plugin set as the program would and says, plugin by plugin,
 * what keeps each one from loading and how to fix it. Beyond what
 * loading checks it warns about what an administrator should fix all
 * the same: names the visitors read in English, plugins built for
 * another ABI lying beside the searched folder, and modules that others
 * could replace.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-admin"

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gmodule.h>

#include "ww-admin-private.h"

#define PLUGIN_ABI_DIR "plugins-" G_STRINGIFY (WW_PLUGIN_ABI_VERSION)
/* what ww_plugin_engine_dup_flatpak_search_path() looks for below a
 * mount and below each extension in it, whatever the ABI */
#define FLATPAK_PLUGIN_PARENT "lib" G_DIR_SEPARATOR_S "wegwijzer"

/* What verify says about one plugin, or about a folder. */
typedef struct
{
  char      *id;
  char      *name;
  char      *key_file;
  char      *module;
  int        abi;
  char      *folder;
  GPtrArray *errors;
  GPtrArray *warnings;
} Report;

static Report *
report_new (void)
{
  Report *report = g_new0 (Report, 1);

  report->errors = g_ptr_array_new_with_free_func (g_free);
  report->warnings = g_ptr_array_new_with_free_func (g_free);

  return report;
}

static void
report_free (Report *report)
{
  g_free (report->id);
  g_free (report->name);
  g_free (report->key_file);
  g_free (report->module);
  g_free (report->folder);
  g_ptr_array_unref (report->errors);
  g_ptr_array_unref (report->warnings);
  g_free (report);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Report, report_free)

static void G_GNUC_PRINTF (2, 3)
add_error (Report     *report,
           const char *format,
           ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (report->errors, g_strdup_vprintf (format, args));
  va_end (args);
}

static void G_GNUC_PRINTF (2, 3)
add_warning (Report     *report,
             const char *format,
             ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (report->warnings, g_strdup_vprintf (format, args));
  va_end (args);
}

/* --- the folders ----------------------------------------------------------- */

static gboolean
has_plugin_file (const char *directory)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.' && g_str_has_suffix (name, ".plugin"))
      return TRUE;

  return FALSE;
}

/* .plugin files where the engine looks for them: in @directory and in
 * its direct subfolders */
static gboolean
has_plugin_files (const char *directory)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  const char *name;

  if (has_plugin_file (directory))
    return TRUE;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (directory, name, NULL);

      if (name[0] != '.' && g_file_test (path, G_FILE_TEST_IS_DIR) && has_plugin_file (path))
        return TRUE;
    }

  return FALSE;
}

/* lib/wegwijzer/ below @directory or below one of its subfolders: what
 * the extension point's mount holds, merged and per extension */
static gboolean
looks_like_flatpak_mount (const char *directory)
{
  g_autofree char *merged = g_build_filename (directory, FLATPAK_PLUGIN_PARENT, NULL);
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (g_file_test (merged, G_FILE_TEST_IS_DIR))
    return TRUE;

  dir = g_dir_open (directory, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *own = g_build_filename (directory, name, FLATPAK_PLUGIN_PARENT, NULL);

      if (g_file_test (own, G_FILE_TEST_IS_DIR))
        return TRUE;
    }

  return FALSE;
}

/* The engine's search path for the --path folders: each as it is, or
 * the Flatpak folders below it when it is an extension mount. A folder
 * that is not there is reported; the others are searched all the same. */
static GStrv
dup_search_path (const char *const *paths,
                 GPtrArray         *folder_reports)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; paths[i] != NULL; i++)
    {
      const char *path = paths[i];

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        {
          Report *report = report_new ();

          report->folder = g_strdup (path);
          add_error (report, _("no such folder; check the --path given"));
          g_ptr_array_add (folder_reports, report);
        }
      else if (!g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          Report *report = report_new ();

          report->folder = g_strdup (path);
          add_error (report, _("this is a file, not a folder; give --path the folder "
                               "the .plugin files are in"));
          g_ptr_array_add (folder_reports, report);
        }
      else if (!has_plugin_files (path) && looks_like_flatpak_mount (path))
        {
          g_auto(GStrv) flatpak = ww_plugin_engine_dup_flatpak_search_path (path);

          g_strv_builder_addv (builder, (const char **) flatpak);
        }
      else
        {
          g_strv_builder_add (builder, path);
        }
    }

  return g_strv_builder_end (builder);
}

/* for g_ptr_array_sort(), which hands over pointers to the elements */
static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static gboolean
parse_abi_folder (const char *name,
                  int        *abi)
{
  guint64 value = 0;

  if (!g_str_has_prefix (name, "plugins-"))
    return FALSE;
  if (!g_ascii_string_to_unsigned (name + strlen ("plugins-"), 10, 0, G_MAXINT, &value, NULL))
    return FALSE;

  *abi = (int) value;
  return TRUE;
}

/* Resolved, so that a folder reached by two routes counts once. */
static char *
dup_real_path (const char *path)
{
  char *resolved = realpath (path, NULL);
  char *copy;

  if (resolved == NULL)
    return g_strdup (path);

  copy = g_strdup (resolved);
  free (resolved);

  return copy;
}

/* the plugins-<N> folders in @parent, other than ours, that hold plugins */
static void
check_abi_folders_in (const char *parent,
                      GHashTable *seen,
                      GPtrArray  *folder_reports)
{
  g_autoptr(GDir) dir = g_dir_open (parent, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_strings);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *folder = g_build_filename (parent, g_ptr_array_index (names, i), NULL);
      g_autofree char *real = NULL;
      Report *report;
      int abi = 0;

      if (!parse_abi_folder (g_ptr_array_index (names, i), &abi)
          || abi == WW_PLUGIN_ABI_VERSION
          || !g_file_test (folder, G_FILE_TEST_IS_DIR)
          || !has_plugin_files (folder))
        continue;

      real = dup_real_path (folder);
      if (!g_hash_table_add (seen, g_steal_pointer (&real)))
        continue;

      report = report_new ();
      report->folder = g_steal_pointer (&folder);
      report->abi = abi;
      add_warning (report,
                   _("these plugins were built for ABI %d, and this program takes ABI %d; "
                     "install builds of them for ABI %d, or remove them"),
                   abi, WW_PLUGIN_ABI_VERSION, WW_PLUGIN_ABI_VERSION);
      g_ptr_array_add (folder_reports, report);
    }
}

/* plugins-2 beside plugins-1: most likely plugins an update left behind,
 * or builds for a newer program. Either way the program never loads
 * them, and the administrator may well think it does. Below a Flatpak
 * mount (MOUNT/lib/wegwijzer/plugins-1, merged) each extension's
 * lib/wegwijzer/ is looked at as well: an extension built for another
 * ABI has no plugins-1 folder at all, so it is not on the search path. */
static void
check_abi_siblings (const char *const *search_path,
                    GPtrArray         *folder_reports)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; search_path[i] != NULL; i++)
    {
      g_autofree char *base = g_path_get_basename (search_path[i]);
      g_autofree char *parent = NULL;
      g_autofree char *parent_base = NULL;
      g_autofree char *lib = NULL;
      g_autofree char *lib_base = NULL;
      g_autofree char *mount = NULL;
      g_autoptr(GDir) dir = NULL;
      g_autoptr(GPtrArray) extensions = NULL;
      const char *name;

      if (!g_str_equal (base, PLUGIN_ABI_DIR))
        continue;

      parent = g_path_get_dirname (search_path[i]);
      check_abi_folders_in (parent, seen, folder_reports);

      parent_base = g_path_get_basename (parent);
      lib = g_path_get_dirname (parent);
      lib_base = g_path_get_basename (lib);
      if (!g_str_equal (parent_base, "wegwijzer") || !g_str_equal (lib_base, "lib"))
        continue;

      mount = g_path_get_dirname (lib);
      dir = g_dir_open (mount, 0, NULL);
      extensions = g_ptr_array_new_with_free_func (g_free);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        if (!g_str_equal (name, "lib"))
          g_ptr_array_add (extensions, g_build_filename (mount, name, FLATPAK_PLUGIN_PARENT, NULL));
      g_ptr_array_sort (extensions, compare_strings);

      for (guint j = 0; j < extensions->len; j++)
        check_abi_folders_in (g_ptr_array_index (extensions, j), seen, folder_reports);
    }
}

/* --- one plugin -------------------------------------------------------------- */

/* The engine's messages begin with "Plugin file PATH", which the report
 * shows already; what follows says what is wrong. Should the wording
 * change, the message is kept whole. */
static const char *
skip_prefix (const char *message,
             const char *prefix)
{
  if (prefix == NULL || !g_str_has_prefix (message, prefix))
    return message;

  message += strlen (prefix);
  if (message[0] == ':')
    message++;
  while (message[0] == ' ')
    message++;

  return message;
}

static char *
dup_engine_reason (WwPluginInfo *info)
{
  const GError *error = ww_plugin_info_get_error (info);
  g_autofree char *file_prefix = g_strconcat ("Plugin file ", ww_plugin_info_get_key_file (info), NULL);
  g_autofree char *data_prefix = NULL;
  const char *reason = skip_prefix (error->message, file_prefix);

  if (ww_plugin_info_get_id (info) != NULL)
    {
      data_prefix = g_strdup_printf ("plugin “%s” has invalid data", ww_plugin_info_get_id (info));
      reason = skip_prefix (reason, data_prefix);
    }

  return g_strdup (reason);
}

/* (transfer none): the list keeps it */
static WwPluginInfo *
find_loaded (GListModel *infos,
             const char *id)
{
  for (guint i = 0; i < g_list_model_get_n_items (infos); i++)
    {
      g_autoptr(WwPluginInfo) info = g_list_model_get_item (infos, i);

      if (ww_plugin_info_get_plugin (info) != NULL
          && g_strcmp0 (ww_plugin_info_get_id (info), id) == 0)
        return info;
    }

  return NULL;
}

/* Why the engine skipped the plugin, in words the administrator can act
 * on. The engine's own message carries what only it knows: which key,
 * which datum. */
static void
explain_error (Report       *report,
               WwPluginInfo *info,
               GListModel   *infos,
               GKeyFile     *key_file,
               const GError *key_file_error)
{
  const GError *error = ww_plugin_info_get_error (info);
  g_autofree char *reason = dup_engine_reason (info);
  const char *module = ww_plugin_info_get_module_path (info);

  if (error->domain != WW_PLUGIN_ERROR)
    {
      add_error (report, "%s", reason);
      return;
    }

  switch ((WwPluginError) error->code)
    {
    case WW_PLUGIN_ERROR_INVALID_KEY_FILE:
      if (key_file == NULL && key_file_error != NULL)
        add_error (report, _("the .plugin file cannot be read: %s; reinstall the plugin, "
                             "or remove the file"),
                   key_file_error->message);
      else
        add_error (report, _("the .plugin file is not valid: %s"), reason);
      break;

    case WW_PLUGIN_ERROR_MODULE_MISSING:
      if (!g_file_test (module, G_FILE_TEST_EXISTS))
        {
          add_error (report, _("its module %s is missing; reinstall the plugin, or remove "
                               "its .plugin file"),
                     module);
        }
      else
        {
          /* Once more for the loader's reason: a module that failed to
           * load has run none of its code. */
          GModule *handle = g_module_open (module, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);

          if (handle == NULL)
            add_error (report, _("its module %s cannot be loaded: %s; reinstall the plugin, "
                                 "or install the libraries it needs"),
                       module, g_module_error ());
          else
            add_error (report, "%s", reason);
          g_clear_pointer (&handle, g_module_close);
        }
      break;

    case WW_PLUGIN_ERROR_SYMBOL_MISSING:
      /* Translators: the second %s is the name of the function, ww_plugin_query_type */
      add_error (report, _("its module %s does not export %s(): it is not a Wegwijzer plugin, "
                           "or it was built without G_MODULE_EXPORT; reinstall the plugin, "
                           "or remove it"),
                 module, WW_PLUGIN_QUERY_TYPE_SYMBOL);
      break;

    case WW_PLUGIN_ERROR_WRONG_TYPE:
      add_error (report, _("its module %s does not return a plugin type of its own derived "
                           "from WwPlugin; rebuild the plugin against this version of Wegwijzer"),
                 module);
      break;

    case WW_PLUGIN_ERROR_ABI_MISMATCH:
      add_error (report, _("it was built for plugin ABI %d, and this program takes ABI %d; "
                           "install a build of the plugin for ABI %d, or remove it"),
                 ww_plugin_info_get_abi_version (info), WW_PLUGIN_ABI_VERSION,
                 WW_PLUGIN_ABI_VERSION);
      break;

    case WW_PLUGIN_ERROR_DUPLICATE_ID:
      {
        WwPluginInfo *first = find_loaded (infos, ww_plugin_info_get_id (info));

        if (first != NULL)
          add_error (report, _("its Id “%s” is the Id of %s too, which the program finds first "
                               "and loads, so this one is skipped; remove one of the two"),
                     ww_plugin_info_get_id (info), ww_plugin_info_get_key_file (first));
        else
          add_error (report, "%s", reason);
      }
      break;

    case WW_PLUGIN_ERROR_INVALID_DATA:
      add_error (report, _("its data is not valid: %s; install a corrected build of the plugin, "
                           "or remove it"),
                 reason);
      break;

    default:
      add_error (report, "%s", reason);
    }
}

/* "nl" of Name[nl_BE], as WwPlugin reads the translations */
static char *
dup_key_language (const char *key,
                  const char *name)
{
  gsize name_length = strlen (name);
  const char *locale;

  if (strncmp (key, name, name_length) != 0 || key[name_length] != '[' || !g_str_has_suffix (key, "]"))
    return NULL;

  locale = key + name_length + 1;
  return g_ascii_strdown (locale, strcspn (locale, "_.@-]"));
}

/* A name without a translation reads in English on a kiosk set to
 * Romanian; the plugin loads all the same, so this is a warning. */
static void
check_translations (Report     *report,
                    GKeyFile   *key_file,
                    const char *name)
{
  const char *const *languages = ww_language_get_translated ();
  g_autoptr(GHashTable) translated = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) missing = g_ptr_array_new ();
  g_auto(GStrv) keys = NULL;
  g_autofree char *untranslated = NULL;
  g_autofree char *list = NULL;

  untranslated = g_key_file_get_string (key_file, "Plugin", name, NULL);
  if (untranslated == NULL)
    return;

  keys = g_key_file_get_keys (key_file, "Plugin", NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autofree char *language = dup_key_language (keys[i], name);
      g_autofree char *value = NULL;

      if (language == NULL)
        continue;
      value = g_key_file_get_string (key_file, "Plugin", keys[i], NULL);
      if (value != NULL && value[0] != '\0')
        g_hash_table_add (translated, g_steal_pointer (&language));
    }

  for (guint i = 0; languages[i] != NULL; i++)
    {
      /* the untranslated text is English */
      if (!g_str_equal (languages[i], "en") && !g_hash_table_contains (translated, languages[i]))
        g_ptr_array_add (missing, (gpointer) languages[i]);
    }

  if (missing->len == 0)
    return;

  g_ptr_array_add (missing, NULL);
  list = g_strjoinv (", ", (char **) missing->pdata);
  /* Translators: the first and last %s are a key of the .plugin file,
   * Name or Description; the second is a list of language codes */
  add_warning (report, _("%s has no translation for %s, so visitors who choose those languages "
                         "read it in English; add a line %s[CODE]=… for each to the .plugin file"),
               name, list, name);
}

/* Whoever can change the module, or swap it in its folder, runs their
 * code in the program: on a kiosk, next to what visitors type. */
static void
check_writable (Report     *report,
                const char *module)
{
  g_autofree char *real = NULL;
  g_autofree char *folder = NULL;
  GStatBuf buf;

  if (module == NULL || g_stat (module, &buf) != 0)
    return;

  if ((buf.st_mode & (S_IWGRP | S_IWOTH)) != 0)
    add_warning (report, _("its module %s can be changed by users other than its owner, and "
                           "whoever changes it runs their code in the program; make it "
                           "writable by its owner only (chmod go-w)"),
                 module);

  /* A sticky folder (/tmp) lets nobody replace another's file. */
  real = dup_real_path (module);
  folder = g_path_get_dirname (real);
  if (g_stat (folder, &buf) == 0
      && (buf.st_mode & (S_IWGRP | S_IWOTH)) != 0
      && (buf.st_mode & S_ISVTX) == 0)
    add_warning (report, _("the folder %s can be changed by users other than its owner, who "
                           "could put a module of their own in the plugin’s place; make it "
                           "writable by its owner only (chmod go-w)"),
                 folder);
}

/* A plugin that loads while another file claims its Id and fails for
 * another reason: fixing that one would leave one of the two skipped. */
static void
check_shared_id (Report       *report,
                 WwPluginInfo *info,
                 GListModel   *infos)
{
  const char *id = ww_plugin_info_get_id (info);

  if (id == NULL)
    return;

  for (guint i = 0; i < g_list_model_get_n_items (infos); i++)
    {
      g_autoptr(WwPluginInfo) other = g_list_model_get_item (infos, i);
      const GError *error = ww_plugin_info_get_error (other);

      if (other == info || g_strcmp0 (ww_plugin_info_get_id (other), id) != 0)
        continue;
      /* the engine's own duplicate error names both already */
      if (g_error_matches (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_DUPLICATE_ID)
          || g_error_matches (ww_plugin_info_get_error (info), WW_PLUGIN_ERROR,
                              WW_PLUGIN_ERROR_DUPLICATE_ID))
        continue;

      add_warning (report, _("its Id “%s” is the Id of %s too; only one of the two can load, "
                             "so remove one of them"),
                   id, ww_plugin_info_get_key_file (other));
    }
}

static Report *
verify_plugin (WwPluginInfo *info,
               GListModel   *infos)
{
  Report *report = report_new ();
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) key_file_error = NULL;
  const char *path = ww_plugin_info_get_key_file (info);

  report->id = g_strdup (ww_plugin_info_get_id (info));
  /* the name only when the key file gave one, not the id again */
  if (ww_plugin_info_get_id (info) != NULL
      && g_strcmp0 (ww_plugin_info_get_name (info), ww_plugin_info_get_id (info)) != 0)
    report->name = g_strdup (ww_plugin_info_get_name (info));
  report->key_file = g_strdup (path);
  report->module = g_strdup (ww_plugin_info_get_module_path (info));
  report->abi = ww_plugin_info_get_abi_version (info);
  report->folder = g_path_get_dirname (path);

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_KEEP_TRANSLATIONS, &key_file_error))
    g_clear_pointer (&key_file, g_key_file_unref);

  if (ww_plugin_info_get_error (info) != NULL)
    explain_error (report, info, infos, key_file, key_file_error);

  if (key_file != NULL)
    {
      check_translations (report, key_file, "Name");
      check_translations (report, key_file, "Description");
    }
  check_writable (report, report->module);
  check_shared_id (report, info, infos);

  return report;
}

/* --- output ------------------------------------------------------------------ */

static void
add_string_array (JsonBuilder *builder,
                  const char  *name,
                  GPtrArray   *strings)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < strings->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (strings, i));
  json_builder_end_array (builder);
}

static void
add_report_object (JsonBuilder *builder,
                   Report      *report)
{
  json_builder_begin_object (builder);
  ww_admin_json_add_string (builder, "id", report->id);
  ww_admin_json_add_string (builder, "name", report->name);
  ww_admin_json_add_string (builder, "key_file", report->key_file);
  ww_admin_json_add_string (builder, "module", report->module);
  json_builder_set_member_name (builder, "abi");
  if (report->abi != 0)
    json_builder_add_int_value (builder, report->abi);
  else
    json_builder_add_null_value (builder);
  ww_admin_json_add_string (builder, "folder", report->folder);
  json_builder_set_member_name (builder, "ok");
  json_builder_add_boolean_value (builder, report->errors->len == 0);
  add_string_array (builder, "errors", report->errors);
  add_string_array (builder, "warnings", report->warnings);
  json_builder_end_object (builder);
}

typedef struct
{
  const char *ok;
  const char *fail;
  const char *warn;
  glong       width;
} Labels;

static void
print_label (const Labels *labels,
             const char   *label)
{
  g_print ("%s", label);
  for (glong n = g_utf8_strlen (label, -1); n <= labels->width; n++)
    g_print (" ");
}

static void
print_problems (const Labels *labels,
                Report       *report)
{
  for (guint i = 0; i < report->errors->len; i++)
    {
      print_label (labels, "");
      /* Translators: a problem of plugins verify that keeps a plugin from loading */
      g_print (_("error: %s\n"), (const char *) g_ptr_array_index (report->errors, i));
    }

  for (guint i = 0; i < report->warnings->len; i++)
    {
      print_label (labels, "");
      /* Translators: a problem of plugins verify that an administrator should fix,
       * although the plugin loads */
      g_print (_("warning: %s\n"), (const char *) g_ptr_array_index (report->warnings, i));
    }
}

/* "ok   care (Health and care) /…/care.plugin"; a folder's line is the
 * folder alone */
static void
print_report (const Labels *labels,
              Report       *report)
{
  if (report->errors->len > 0)
    print_label (labels, labels->fail);
  else if (report->key_file == NULL)
    print_label (labels, labels->warn);
  else
    print_label (labels, labels->ok);

  if (report->id != NULL)
    g_print ("%s ", report->id);
  if (report->name != NULL)
    g_print ("(%s) ", report->name);
  g_print ("%s\n", report->key_file != NULL ? report->key_file : report->folder);

  print_problems (labels, report);
}

static char *
dup_summary (guint n_plugins,
             guint n_ok,
             guint n_failed,
             guint n_warnings,
             guint n_bad_folders)
{
  g_autofree char *plugins = g_strdup_printf (ngettext ("%u plugin", "%u plugins", n_plugins), n_plugins);
  g_autofree char *ok = g_strdup_printf (ngettext ("%u ok", "%u ok", n_ok), n_ok);
  g_autofree char *failed = g_strdup_printf (ngettext ("%u with problems", "%u with problems", n_failed),
                                             n_failed);
  g_autofree char *warnings = g_strdup_printf (ngettext ("%u warning", "%u warnings", n_warnings),
                                               n_warnings);
  g_autofree char *folders = NULL;

  if (n_bad_folders == 0)
    /* Translators: the last line of plugins verify, "6 plugins: 5 ok, 1 with
     * problems, 2 warnings", of the four messages before it */
    return g_strdup_printf (C_("plugins verify summary", "%s: %s, %s, %s"),
                            plugins, ok, failed, warnings);

  folders = g_strdup_printf (ngettext ("%u folder with problems", "%u folders with problems",
                                       n_bad_folders),
                             n_bad_folders);
  /* Translators: as "%s: %s, %s, %s", with "1 folder with problems" added */
  return g_strdup_printf (C_("plugins verify summary", "%s: %s, %s, %s; %s"),
                          plugins, ok, failed, warnings, folders);
}

/* The engine warns of every plugin it skips; here each one is in the
 * report already, in the administrator's language, so the warnings would
 * only say it twice. libwegwijzer logs without G_LOG_USE_STRUCTURED. */
static void
drop_engine_warning_cb (const char     *log_domain,
                        GLogLevelFlags  log_level,
                        const char     *message,
                        gpointer        user_data)
{
}

int
ww_admin_plugins_verify (WwAdmin           *admin,
                         const char *const *paths,
                         gboolean           json)
{
  g_autoptr(WwPluginEngine) engine = ww_plugin_engine_new ();
  g_autoptr(GPtrArray) reports = g_ptr_array_new_with_free_func ((GDestroyNotify) report_free);
  g_autoptr(GPtrArray) given_folders = g_ptr_array_new_with_free_func ((GDestroyNotify) report_free);
  g_autoptr(GPtrArray) abi_folders = g_ptr_array_new_with_free_func ((GDestroyNotify) report_free);
  g_autoptr(Report) nothing_found = NULL;
  g_auto(GStrv) search_path = NULL;
  g_autofree char *looked_in = NULL;
  GListModel *infos;
  guint handler_id;
  guint n_ok = 0, n_failed = 0, n_warnings = 0, n_bad_folders = 0;
  Labels labels = {
    C_("plugins verify", "ok"),
    C_("plugins verify", "FAIL"),
    C_("plugins verify", "warn"),
    0
  };

  if (paths != NULL && paths[0] != NULL)
    search_path = dup_search_path (paths, given_folders);
  else
    search_path = ww_plugin_engine_dup_default_search_path ();

  ww_plugin_engine_set_search_path (engine, (const char *const *) search_path);
  handler_id = g_log_set_handler ("ww-plugin-engine", G_LOG_LEVEL_WARNING | G_LOG_FLAG_FATAL,
                                  drop_engine_warning_cb, NULL);
  ww_plugin_engine_load (engine);
  g_log_remove_handler ("ww-plugin-engine", handler_id);

  infos = ww_plugin_engine_get_infos (engine);
  for (guint i = 0; i < g_list_model_get_n_items (infos); i++)
    {
      g_autoptr(WwPluginInfo) info = g_list_model_get_item (infos, i);
      Report *report = verify_plugin (info, infos);

      if (report->errors->len == 0)
        n_ok++;
      else
        n_failed++;
      n_warnings += report->warnings->len;
      g_ptr_array_add (reports, report);
    }

  check_abi_siblings ((const char *const *) search_path, abi_folders);

  for (guint i = 0; i < given_folders->len; i++)
    if (((Report *) g_ptr_array_index (given_folders, i))->errors->len > 0)
      n_bad_folders++;
  for (guint i = 0; i < abi_folders->len; i++)
    n_warnings += ((Report *) g_ptr_array_index (abi_folders, i))->warnings->len;

  /* With every --path folder missing, their errors say it already. */
  if (reports->len == 0 && search_path[0] != NULL)
    {
      looked_in = g_strjoinv (", ", search_path);
      nothing_found = report_new ();
      add_error (nothing_found, _("no plugins found in: %s; install the theme plugins, or give "
                                  "the folder they are in with --path"),
                 looked_in);
    }

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_array (builder);
      for (guint i = 0; i < given_folders->len; i++)
        add_report_object (builder, g_ptr_array_index (given_folders, i));
      for (guint i = 0; i < reports->len; i++)
        add_report_object (builder, g_ptr_array_index (reports, i));
      for (guint i = 0; i < abi_folders->len; i++)
        add_report_object (builder, g_ptr_array_index (abi_folders, i));
      if (nothing_found != NULL)
        add_report_object (builder, nothing_found);
      json_builder_end_array (builder);
      ww_admin_print_json (builder);
    }
  else
    {
      g_autofree char *summary = NULL;

      labels.width = MAX (g_utf8_strlen (labels.ok, -1), g_utf8_strlen (labels.fail, -1));
      labels.width = MAX (labels.width, g_utf8_strlen (labels.warn, -1));

      for (guint i = 0; i < given_folders->len; i++)
        print_report (&labels, g_ptr_array_index (given_folders, i));
      for (guint i = 0; i < reports->len; i++)
        print_report (&labels, g_ptr_array_index (reports, i));
      for (guint i = 0; i < abi_folders->len; i++)
        print_report (&labels, g_ptr_array_index (abi_folders, i));
      if (nothing_found != NULL)
        {
          print_label (&labels, labels.fail);
          g_print ("%s\n", (const char *) g_ptr_array_index (nothing_found->errors, 0));
        }

      summary = dup_summary (reports->len, n_ok, n_failed, n_warnings, n_bad_folders);
      g_print ("%s\n", summary);
    }

  if (n_failed > 0 || n_bad_folders > 0 || nothing_found != NULL)
    return WW_ADMIN_EXIT_DATA;

  return WW_ADMIN_EXIT_OK;
}
