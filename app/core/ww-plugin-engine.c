/* ww-plugin-engine.c: finds, checks and loads theme plugins
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-plugin-engine"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gmodule.h>

#include "ww-error.h"
#include "ww-plugin-engine.h"

/* meson's plugin_abi names the install directory, the header's constant
 * is what plugins are checked against; they must never drift apart. */
G_STATIC_ASSERT (WW_PLUGIN_ABI == WW_PLUGIN_ABI_VERSION);

#define PLUGIN_GROUP "Plugin"
#define PLUGIN_ABI_DIR "plugins-" G_STRINGIFY (WW_PLUGIN_ABI_VERSION)

/* Where Flatpak mounts the extension point nl.wegwijzer.Wegwijzer.Plugin
 * (its "directory", flatpak/nl.wegwijzer.Wegwijzer.json). Each extension
 * is mounted in a subdirectory of its own ("subdirectories"), and
 * "merge-dirs" links every extension's plugin folder into one, below the
 * mount itself. The plugin folder is the ABI-versioned one that meson
 * installs to under an extension's prefix. */
#define FLATPAK_PLUGIN_MOUNT "/app/plugins"
#define FLATPAK_PLUGIN_SUBDIR "lib" G_DIR_SEPARATOR_S "wegwijzer" G_DIR_SEPARATOR_S PLUGIN_ABI_DIR

/* A plugin without Order comes after the ones that say where they go. */
#define DEFAULT_ORDER 1000

/* WwPluginInfo */

struct _WwPluginInfo
{
  GObject parent_instance;

  char *id;
  char *name;
  char *key_file;
  char *module_path;
  int abi_version;
  WwPlugin *plugin;
  GError *error;
};

G_DEFINE_FINAL_TYPE (WwPluginInfo, ww_plugin_info, G_TYPE_OBJECT)

enum {
  INFO_PROP_0,
  INFO_PROP_ID,
  INFO_PROP_NAME,
  INFO_PROP_KEY_FILE,
  INFO_PROP_MODULE_PATH,
  INFO_PROP_ABI_VERSION,
  INFO_PROP_PLUGIN,
  INFO_PROP_ERROR,
  INFO_N_PROPS
};

static GParamSpec *info_properties[INFO_N_PROPS];

static void
ww_plugin_info_finalize (GObject *object)
{
  WwPluginInfo *self = WW_PLUGIN_INFO (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->key_file, g_free);
  g_clear_pointer (&self->module_path, g_free);
  g_clear_object (&self->plugin);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (ww_plugin_info_parent_class)->finalize (object);
}

static void
ww_plugin_info_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  WwPluginInfo *self = WW_PLUGIN_INFO (object);

  switch (prop_id)
    {
    case INFO_PROP_ID:
      g_value_set_string (value, ww_plugin_info_get_id (self));
      break;

    case INFO_PROP_NAME:
      g_value_set_string (value, ww_plugin_info_get_name (self));
      break;

    case INFO_PROP_KEY_FILE:
      g_value_set_string (value, ww_plugin_info_get_key_file (self));
      break;

    case INFO_PROP_MODULE_PATH:
      g_value_set_string (value, ww_plugin_info_get_module_path (self));
      break;

    case INFO_PROP_ABI_VERSION:
      g_value_set_int (value, ww_plugin_info_get_abi_version (self));
      break;

    case INFO_PROP_PLUGIN:
      g_value_set_object (value, ww_plugin_info_get_plugin (self));
      break;

    case INFO_PROP_ERROR:
      g_value_set_boxed (value, ww_plugin_info_get_error (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ww_plugin_info_class_init (WwPluginInfoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ww_plugin_info_finalize;
  object_class->get_property = ww_plugin_info_get_property;

  info_properties[INFO_PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  info_properties[INFO_PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  info_properties[INFO_PROP_KEY_FILE] =
    g_param_spec_string ("key-file", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  info_properties[INFO_PROP_MODULE_PATH] =
    g_param_spec_string ("module-path", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  info_properties[INFO_PROP_ABI_VERSION] =
    g_param_spec_int ("abi-version", NULL, NULL, G_MININT, G_MAXINT, 0,
                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  info_properties[INFO_PROP_PLUGIN] =
    g_param_spec_object ("plugin", NULL, NULL, WW_TYPE_PLUGIN,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  info_properties[INFO_PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, INFO_N_PROPS, info_properties);
}

static void
ww_plugin_info_init (WwPluginInfo *self)
{
}

/**
 * ww_plugin_info_get_id:
 *
 * Returns: (nullable): the Id of the .plugin file, or %NULL when the file
 *   could not be read
 */
const char *
ww_plugin_info_get_id (WwPluginInfo *self)
{
  g_return_val_if_fail (WW_IS_PLUGIN_INFO (self), NULL);

  return self->id;
}

/**
 * ww_plugin_info_get_name:
 *
 * Returns: (nullable): the plugin's name in the user interface language
 *   when it loaded, else the untranslated Name of its .plugin file
 */
const char *
ww_plugin_info_get_name (WwPluginInfo *self)
{
  g_return_val_if_fail (WW_IS_PLUGIN_INFO (self), NULL);

  if (self->plugin != NULL)
    return ww_plugin_get_name (self->plugin);

  return self->name != NULL ? self->name : self->id;
}

/* the canonical path of the .plugin file */
const char *
ww_plugin_info_get_key_file (WwPluginInfo *self)
{
  g_return_val_if_fail (WW_IS_PLUGIN_INFO (self), NULL);

  return self->key_file;
}

/**
 * ww_plugin_info_get_module_path:
 *
 * Returns: (nullable): where the module should be, or %NULL when the
 *   .plugin file did not say
 */
const char *
ww_plugin_info_get_module_path (WwPluginInfo *self)
{
  g_return_val_if_fail (WW_IS_PLUGIN_INFO (self), NULL);

  return self->module_path;
}

/* 0 when the .plugin file did not say */
int
ww_plugin_info_get_abi_version (WwPluginInfo *self)
{
  g_return_val_if_fail (WW_IS_PLUGIN_INFO (self), 0);

  return self->abi_version;
}

WwPlugin *
ww_plugin_info_get_plugin (WwPluginInfo *self)
{
  g_return_val_if_fail (WW_IS_PLUGIN_INFO (self), NULL);

  return self->plugin;
}

const GError *
ww_plugin_info_get_error (WwPluginInfo *self)
{
  g_return_val_if_fail (WW_IS_PLUGIN_INFO (self), NULL);

  return self->error;
}

/* WwPluginEngine */

struct _WwPluginEngine
{
  GObject parent_instance;

  /* NULL until set or first needed: working out the default lists the
   * Flatpak mount, which has no place in init. */
  GStrv search_path;

  GListStore *plugins;
  GListStore *infos;
  /* id → WwPluginInfo of the plugin that loaded with that id */
  GHashTable *loaded_ids;
  gboolean loaded;
};

G_DEFINE_FINAL_TYPE (WwPluginEngine, ww_plugin_engine, G_TYPE_OBJECT)

static void
ww_plugin_engine_finalize (GObject *object)
{
  WwPluginEngine *self = WW_PLUGIN_ENGINE (object);

  g_clear_pointer (&self->search_path, g_strfreev);
  g_clear_pointer (&self->loaded_ids, g_hash_table_unref);
  g_clear_object (&self->plugins);
  g_clear_object (&self->infos);

  G_OBJECT_CLASS (ww_plugin_engine_parent_class)->finalize (object);
}

static void
ww_plugin_engine_class_init (WwPluginEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ww_plugin_engine_finalize;
}

static void
ww_plugin_engine_init (WwPluginEngine *self)
{
  self->plugins = g_list_store_new (WW_TYPE_PLUGIN);
  self->infos = g_list_store_new (WW_TYPE_PLUGIN_INFO);
  self->loaded_ids = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
}

WwPluginEngine *
ww_plugin_engine_new (void)
{
  return g_object_new (WW_TYPE_PLUGIN_ENGINE, NULL);
}

/* for g_ptr_array_sort(), which hands over pointers to the elements */
static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The merged folder should hold every extension's plugins already;
 * listing each extension's own folder too finds the plugins of one that
 * was not merged (an extension installed while the program ran, or a
 * merge that two extensions' same file names spoilt). The engine skips
 * the files it has already seen through the merged folder. */
static void
add_flatpak_directories (GStrvBuilder *builder,
                         const char   *mount)
{
  g_autoptr(GDir) dir = g_dir_open (mount, 0, NULL);
  g_autoptr(GPtrArray) extensions = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *merged = g_build_filename (mount, FLATPAK_PLUGIN_SUBDIR, NULL);
  const char *name;

  g_strv_builder_add (builder, merged);

  if (dir == NULL)
    return;

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *directory = NULL;

      /* the merged folder's own top, lib/ */
      if (g_str_equal (name, "lib"))
        continue;

      directory = g_build_filename (mount, name, FLATPAK_PLUGIN_SUBDIR, NULL);
      if (g_file_test (directory, G_FILE_TEST_IS_DIR))
        g_ptr_array_add (extensions, g_steal_pointer (&directory));
    }

  g_ptr_array_sort (extensions, compare_strings);
  for (guint i = 0; i < extensions->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (extensions, i));
}

/**
 * ww_plugin_engine_dup_flatpak_search_path:
 * @mount: where the plugin extension point is mounted; `/app/plugins`
 *   inside the Flatpak
 *
 * Returns: (transfer full): the merged plugin folder below @mount, then
 *   each extension's own plugin folder that exists, by name
 */
char **
ww_plugin_engine_dup_flatpak_search_path (const char *mount)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (mount != NULL, NULL);

  add_flatpak_directories (builder, mount);

  return g_strv_builder_end (builder);
}

/**
 * ww_plugin_engine_dup_default_search_path:
 *
 * Returns: (transfer full): the directories searched when none were set:
 *   each of `WEGWIJZER_PLUGIN_PATH`, the build tree when
 *   `WEGWIJZER_UNINSTALLED` is set, the install directory, and the
 *   Flatpak extension folders (ww_plugin_engine_dup_flatpak_search_path())
 */
char **
ww_plugin_engine_dup_default_search_path (void)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *plugin_path = g_getenv ("WEGWIJZER_PLUGIN_PATH");

  if (plugin_path != NULL)
    {
      g_auto(GStrv) directories = g_strsplit (plugin_path, G_SEARCHPATH_SEPARATOR_S, -1);

      for (guint i = 0; directories[i] != NULL; i++)
        if (directories[i][0] != '\0')
          g_strv_builder_add (builder, directories[i]);
    }

  if (g_getenv ("WEGWIJZER_UNINSTALLED") != NULL)
    g_strv_builder_add (builder, WW_BUILD_PLUGIN_DIR);

  g_strv_builder_add (builder, WW_PLUGIN_DIR);
  add_flatpak_directories (builder, FLATPAK_PLUGIN_MOUNT);

  return g_strv_builder_end (builder);
}

/**
 * ww_plugin_engine_set_search_path:
 * @directories: (nullable): the directories to search, in order; %NULL
 *   for the default
 */
void
ww_plugin_engine_set_search_path (WwPluginEngine    *self,
                                  const char *const *directories)
{
  g_return_if_fail (WW_IS_PLUGIN_ENGINE (self));
  g_return_if_fail (!self->loaded);

  g_clear_pointer (&self->search_path, g_strfreev);
  if (directories != NULL)
    self->search_path = g_strdupv ((GStrv) directories);
}

const char *const *
ww_plugin_engine_get_search_path (WwPluginEngine *self)
{
  g_return_val_if_fail (WW_IS_PLUGIN_ENGINE (self), NULL);

  if (self->search_path == NULL)
    self->search_path = ww_plugin_engine_dup_default_search_path ();

  return (const char *const *) self->search_path;
}

static GPtrArray *
list_sorted (const char *directory)
{
  g_autoptr(GDir) dir = g_dir_open (directory, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    return names;

  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));

  g_ptr_array_sort (names, compare_strings);

  return names;
}

/* The .plugin files in @directory and in its direct subdirectories, which
 * is how the build tree lays plugins out (build/plugins/<id>/). A
 * directory that does not exist has none. */
static GPtrArray *
find_plugin_files (const char *directory)
{
  g_autoptr(GPtrArray) names = list_sorted (directory);
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (directory, name, NULL);

      if (g_str_has_suffix (name, ".plugin"))
        {
          if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
            g_ptr_array_add (files, g_steal_pointer (&path));
        }
      else if (g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GPtrArray) subnames = list_sorted (path);

          for (guint j = 0; j < subnames->len; j++)
            {
              const char *subname = g_ptr_array_index (subnames, j);
              g_autofree char *subpath = NULL;

              if (!g_str_has_suffix (subname, ".plugin"))
                continue;

              subpath = g_build_filename (path, subname, NULL);
              if (g_file_test (subpath, G_FILE_TEST_IS_REGULAR))
                g_ptr_array_add (files, g_steal_pointer (&subpath));
            }
        }
    }

  return files;
}

/* Symlinks resolved, so that one file reached through the Flatpak merged
 * directory and through its extension's own directory counts once. */
static char *
canonicalize_path (const char *path)
{
  char *resolved = realpath (path, NULL);
  char *canonical;

  if (resolved == NULL)
    return g_canonicalize_filename (path, NULL);

  canonical = g_strdup (resolved);
  free (resolved);

  return canonical;
}

static gboolean
is_valid_plugin_id (const char *id)
{
  if (!g_ascii_islower (id[0]))
    return FALSE;

  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
      return FALSE;

  return TRUE;
}

static char *
dup_required_key (GKeyFile    *key_file,
                  const char  *path,
                  const char  *key,
                  GError     **error)
{
  g_autofree char *value = g_key_file_get_string (key_file, PLUGIN_GROUP, key, NULL);

  if (value == NULL || *value == '\0')
    {
      g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_KEY_FILE,
                   "Plugin file %s: [" PLUGIN_GROUP "] has no %s key; add it",
                   path, key);
      return NULL;
    }

  return g_steal_pointer (&value);
}

static gboolean
get_integer_key (GKeyFile    *key_file,
                 const char  *path,
                 const char  *key,
                 gboolean     required,
                 int          default_value,
                 int         *value,
                 GError     **error)
{
  g_autoptr(GError) local_error = NULL;

  if (!g_key_file_has_key (key_file, PLUGIN_GROUP, key, NULL))
    {
      if (required)
        {
          g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_KEY_FILE,
                       "Plugin file %s: [" PLUGIN_GROUP "] has no %s key; add it",
                       path, key);
          return FALSE;
        }
      *value = default_value;
      return TRUE;
    }

  *value = g_key_file_get_integer (key_file, PLUGIN_GROUP, key, &local_error);
  if (local_error != NULL)
    {
      g_autofree char *raw = g_key_file_get_value (key_file, PLUGIN_GROUP, key, NULL);

      g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_KEY_FILE,
                   "Plugin file %s: %s must be a whole number, not “%s”",
                   path, key, raw != NULL ? raw : "");
      return FALSE;
    }

  return TRUE;
}

/* Everything the engine checks before it lets any plugin code run. */
static GKeyFile *
read_key_file (WwPluginInfo  *info,
               int           *order,
               GError       **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *module = NULL;
  g_autofree char *expected_module = NULL;
  g_autofree char *directory = NULL;
  const char *path = info->key_file;

  /* Every translation is kept: the kiosk switches language at run time. */
  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_KEEP_TRANSLATIONS, &local_error))
    {
      g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_KEY_FILE,
                   "Plugin file %s cannot be read: %s; fix or remove it",
                   path, local_error->message);
      return NULL;
    }

  if (!g_key_file_has_group (key_file, PLUGIN_GROUP))
    {
      g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_KEY_FILE,
                   "Plugin file %s has no [" PLUGIN_GROUP "] group; "
                   "it is not a Wegwijzer plugin file", path);
      return NULL;
    }

  if (!(info->id = dup_required_key (key_file, path, "Id", error)))
    return NULL;

  if (!is_valid_plugin_id (info->id))
    {
      g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_KEY_FILE,
                   "Plugin file %s: Id “%s” is not valid; use lower-case letters, "
                   "digits and '-', starting with a letter", path, info->id);
      return NULL;
    }

  if (!(info->name = dup_required_key (key_file, path, "Name", error)))
    return NULL;

  if (!get_integer_key (key_file, path, "AbiVersion", TRUE, 0, &info->abi_version, error)
      || !get_integer_key (key_file, path, "Order", FALSE, DEFAULT_ORDER, order, error))
    return NULL;

  if (!(module = dup_required_key (key_file, path, "Module", error)))
    return NULL;

  /* A fixed name beside the .plugin file: a key file must not be able to
   * make the engine load some other library from elsewhere. */
  expected_module = g_strdup_printf ("libww-plugin-%s.so", info->id);
  if (!g_str_equal (module, expected_module))
    {
      g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_KEY_FILE,
                   "Plugin file %s: Module must be “%s”, not “%s”",
                   path, expected_module, module);
      return NULL;
    }

  directory = g_path_get_dirname (path);
  info->module_path = g_build_filename (directory, module, NULL);

  return g_steal_pointer (&key_file);
}

static WwPlugin *
load_module (WwPluginInfo  *info,
             GKeyFile      *key_file,
             int            order,
             GError       **error)
{
  g_autoptr(WwPlugin) plugin = NULL;
  g_autoptr(GError) setup_error = NULL;
  g_autofree char *description = NULL;
  g_autofree char *icon_name = NULL;
  WwPluginQueryTypeFunc query_type = NULL;
  GModule *module;
  GType type;

  if (!g_file_test (info->module_path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_MODULE_MISSING,
                   "Plugin file %s: its module %s does not exist; "
                   "reinstall the plugin or remove the .plugin file",
                   info->key_file, info->module_path);
      return NULL;
    }

  /* Local binding keeps two plugins' symbols apart; lazy binding lets a
   * plugin load on a system where a function it never calls is absent. */
  module = g_module_open (info->module_path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL)
    {
      g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_MODULE_MISSING,
                   "Plugin file %s: its module %s cannot be loaded: %s",
                   info->key_file, info->module_path, g_module_error ());
      return NULL;
    }

  if (!g_module_symbol (module, WW_PLUGIN_QUERY_TYPE_SYMBOL, (gpointer *) &query_type)
      || query_type == NULL)
    {
      g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_SYMBOL_MISSING,
                   "Plugin file %s: its module %s does not export "
                   WW_PLUGIN_QUERY_TYPE_SYMBOL "(); it is not a Wegwijzer plugin, "
                   "or it was built without G_MODULE_EXPORT",
                   info->key_file, info->module_path);
      g_module_close (module);
      return NULL;
    }

  type = query_type ();

  /* The module may have registered types, whatever it returned, and
   * GType cannot forget a type: unloading would leave it pointing into
   * unmapped code. */
  g_module_make_resident (module);

  if (type == G_TYPE_INVALID || !g_type_is_a (type, WW_TYPE_PLUGIN))
    {
      g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_WRONG_TYPE,
                   "Plugin file %s: " WW_PLUGIN_QUERY_TYPE_SYMBOL "() in %s returns %s, "
                   "which is not a WwPlugin; rebuild the plugin against libwegwijzer",
                   info->key_file, info->module_path,
                   type == G_TYPE_INVALID ? "no type" : g_type_name (type));
      return NULL;
    }

  if (G_TYPE_IS_ABSTRACT (type))
    {
      g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_WRONG_TYPE,
                   "Plugin file %s: " WW_PLUGIN_QUERY_TYPE_SYMBOL "() in %s returns "
                   "the abstract type %s; it must return the plugin's own final type",
                   info->key_file, info->module_path, g_type_name (type));
      return NULL;
    }

  description = g_key_file_get_string (key_file, PLUGIN_GROUP, "Description", NULL);
  icon_name = g_key_file_get_string (key_file, PLUGIN_GROUP, "Icon", NULL);

  plugin = g_object_new (type,
                         "id", info->id,
                         "name", info->name,
                         "description", description,
                         "icon-name", icon_name,
                         "order", order,
                         "key-file", key_file,
                         NULL);

  /* Whatever domain a plugin's own setup reports in, for the engine it
   * is data the plugin cannot work with. */
  if (!ww_plugin_setup (plugin, &setup_error))
    {
      g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA,
                   "Plugin file %s: plugin “%s” has invalid data: %s",
                   info->key_file, info->id, setup_error->message);
      return NULL;
    }

  return g_steal_pointer (&plugin);
}

static int
compare_plugins (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  WwPlugin *plugin_a = (WwPlugin *) a;
  WwPlugin *plugin_b = (WwPlugin *) b;
  int order_a = ww_plugin_get_order (plugin_a);
  int order_b = ww_plugin_get_order (plugin_b);

  if (order_a != order_b)
    return order_a < order_b ? -1 : 1;

  return g_strcmp0 (ww_plugin_get_id (plugin_a), ww_plugin_get_id (plugin_b));
}

static WwPluginInfo *
load_plugin_file (WwPluginEngine *self,
                  const char     *path)
{
  g_autoptr(WwPluginInfo) info = g_object_new (WW_TYPE_PLUGIN_INFO, NULL);
  g_autoptr(GKeyFile) key_file = NULL;
  WwPluginInfo *first;
  int order = DEFAULT_ORDER;

  info->key_file = g_strdup (path);

  key_file = read_key_file (info, &order, &info->error);
  if (key_file == NULL)
    return g_steal_pointer (&info);

  /* Checked before the module is opened: a second copy of a plugin most
   * likely registers the same GType names, which GLib refuses loudly. */
  first = g_hash_table_lookup (self->loaded_ids, info->id);
  if (first != NULL)
    {
      g_set_error (&info->error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_DUPLICATE_ID,
                   "Plugin file %s: Id “%s” is taken by %s, which was found first; "
                   "this one was skipped. Remove one of the two",
                   info->key_file, info->id, first->key_file);
      return g_steal_pointer (&info);
    }

  if (info->abi_version != WW_PLUGIN_ABI_VERSION)
    {
      g_set_error (&info->error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_ABI_MISMATCH,
                   "Plugin file %s: the plugin was built for plugin ABI %d, but this "
                   "program takes ABI %d; install a build of the plugin for ABI %d",
                   info->key_file, info->abi_version, WW_PLUGIN_ABI_VERSION,
                   WW_PLUGIN_ABI_VERSION);
      return g_steal_pointer (&info);
    }

  info->plugin = load_module (info, key_file, order, &info->error);

  return g_steal_pointer (&info);
}

/**
 * ww_plugin_engine_load:
 *
 * Loads every plugin on the search path. A plugin that cannot be loaded
 * is skipped with one warning; ww_plugin_engine_get_infos() says why.
 */
void
ww_plugin_engine_load (WwPluginEngine *self)
{
  g_autoptr(GHashTable) seen = NULL;
  const char *const *search_path;

  g_return_if_fail (WW_IS_PLUGIN_ENGINE (self));
  g_return_if_fail (!self->loaded);

  self->loaded = TRUE;
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  search_path = ww_plugin_engine_get_search_path (self);

  for (guint i = 0; search_path[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) files = find_plugin_files (search_path[i]);

      for (guint j = 0; j < files->len; j++)
        {
          g_autofree char *path = canonicalize_path (g_ptr_array_index (files, j));
          g_autoptr(WwPluginInfo) info = NULL;

          if (g_hash_table_contains (seen, path))
            continue;
          g_hash_table_add (seen, g_strdup (path));

          info = load_plugin_file (self, path);
          g_list_store_append (self->infos, info);

          if (info->error != NULL)
            {
              g_warning ("%s", info->error->message);
              continue;
            }

          g_debug ("Loaded plugin %s from %s", info->id, info->module_path);
          g_hash_table_insert (self->loaded_ids, info->id, g_object_ref (info));
          g_list_store_insert_sorted (self->plugins, info->plugin, compare_plugins, NULL);
        }
    }
}

/**
 * ww_plugin_engine_get_plugins:
 *
 * Returns: (transfer none): a #GListModel of the loaded #WwPlugin, by
 *   Order, then id
 */
GListModel *
ww_plugin_engine_get_plugins (WwPluginEngine *self)
{
  g_return_val_if_fail (WW_IS_PLUGIN_ENGINE (self), NULL);

  return G_LIST_MODEL (self->plugins);
}

/**
 * ww_plugin_engine_get_infos:
 *
 * Returns: (transfer none): a #GListModel of #WwPluginInfo for every
 *   .plugin file found, loaded or skipped, in search order
 */
GListModel *
ww_plugin_engine_get_infos (WwPluginEngine *self)
{
  g_return_val_if_fail (WW_IS_PLUGIN_ENGINE (self), NULL);

  return G_LIST_MODEL (self->infos);
}

/**
 * ww_plugin_engine_lookup:
 *
 * Returns: (transfer none) (nullable): the loaded plugin with @id
 */
WwPlugin *
ww_plugin_engine_lookup (WwPluginEngine *self,
                         const char     *id)
{
  WwPluginInfo *info;

  g_return_val_if_fail (WW_IS_PLUGIN_ENGINE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  info = g_hash_table_lookup (self->loaded_ids, id);

  return info != NULL ? info->plugin : NULL;
}
