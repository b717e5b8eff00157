/* ww-plugin.c: the base class every theme plugin derives from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-plugin"

#include "config.h"

#include <string.h>

#include "ww-error.h"
#include "ww-plugin.h"
#include "ww-text.h"

/* What a plugin with nothing to seed hands the directory. */
#define EMPTY_PROVIDERS "[]"

typedef struct
{
  char *id;
  WwLocalized *name;
  WwLocalized *description;
  char *icon_name;
  int order;

  /* Set from the .plugin file by the engine; only read in constructed()
   * for the translations of Name and Description. */
  GKeyFile *key_file;

  GListStore *categories;
  GStrv facets;
  GListStore *form_fields;
  GListStore *info_pages;
} WwPluginPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (WwPlugin, ww_plugin, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_DESCRIPTION,
  PROP_ICON_NAME,
  PROP_ORDER,
  PROP_KEY_FILE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Name and Name[nl] of a .plugin file as translations, so that the name
 * follows ww_set_language() at run time. Returns %NULL when the key file
 * has no such key. */
static WwLocalized *
localized_from_key_file (GKeyFile   *key_file,
                         const char *group,
                         const char *key)
{
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_autoptr(WwLocalized) localized = NULL;
  g_autofree char *untranslated = NULL;
  g_autofree char *prefix = NULL;
  g_auto(GStrv) keys = NULL;
  gsize prefix_length;

  untranslated = g_key_file_get_string (key_file, group, key, NULL);
  if (untranslated == NULL)
    return NULL;

  /* The untranslated value of a desktop-style key file is English. */
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "en");
  json_builder_add_string_value (builder, untranslated);
  seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_add (seen, g_strdup ("en"));

  prefix = g_strconcat (key, "[", NULL);
  prefix_length = strlen (prefix);
  keys = g_key_file_get_keys (key_file, group, NULL, NULL);
  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autofree char *language = NULL;
      g_autofree char *value = NULL;

      if (!g_str_has_prefix (keys[i], prefix) || !g_str_has_suffix (keys[i], "]"))
        continue;

      /* Name[nl_BE] and Name[nl] both become "nl"; the first one wins. */
      language = g_ascii_strdown (keys[i] + prefix_length,
                                  strcspn (keys[i] + prefix_length, "_.@-]"));
      if (g_hash_table_contains (seen, language))
        continue;

      value = g_key_file_get_string (key_file, group, keys[i], NULL);
      if (value == NULL || *value == '\0')
        continue;

      json_builder_set_member_name (builder, language);
      json_builder_add_string_value (builder, value);
      g_hash_table_add (seen, g_steal_pointer (&language));
    }
  json_builder_end_object (builder);

  /* Only the language codes can be refused; a key file with an odd
   * locale still gets its untranslated text. */
  node = json_builder_get_root (builder);
  localized = ww_localized_new_from_json (node, NULL);
  if (localized == NULL)
    return ww_localized_new (untranslated);

  return g_steal_pointer (&localized);
}

static void
ww_plugin_constructed (GObject *object)
{
  WwPlugin *self = WW_PLUGIN (object);
  WwPluginPrivate *priv = ww_plugin_get_instance_private (self);

  G_OBJECT_CLASS (ww_plugin_parent_class)->constructed (object);

  if (priv->key_file != NULL)
    {
      WwLocalized *name = localized_from_key_file (priv->key_file, "Plugin", "Name");
      WwLocalized *description = localized_from_key_file (priv->key_file, "Plugin", "Description");

      if (name != NULL)
        {
          g_clear_pointer (&priv->name, ww_localized_free);
          priv->name = name;
        }
      if (description != NULL)
        {
          g_clear_pointer (&priv->description, ww_localized_free);
          priv->description = description;
        }

      g_clear_pointer (&priv->key_file, g_key_file_unref);
    }
}

static void
ww_plugin_finalize (GObject *object)
{
  WwPlugin *self = WW_PLUGIN (object);
  WwPluginPrivate *priv = ww_plugin_get_instance_private (self);

  g_clear_pointer (&priv->id, g_free);
  g_clear_pointer (&priv->name, ww_localized_free);
  g_clear_pointer (&priv->description, ww_localized_free);
  g_clear_pointer (&priv->icon_name, g_free);
  g_clear_pointer (&priv->key_file, g_key_file_unref);
  g_clear_object (&priv->categories);
  g_clear_pointer (&priv->facets, g_strfreev);
  g_clear_object (&priv->form_fields);
  g_clear_object (&priv->info_pages);

  G_OBJECT_CLASS (ww_plugin_parent_class)->finalize (object);
}

static void
ww_plugin_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  WwPlugin *self = WW_PLUGIN (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, ww_plugin_get_id (self));
      break;

    case PROP_NAME:
      g_value_set_string (value, ww_plugin_get_name (self));
      break;

    case PROP_DESCRIPTION:
      g_value_set_string (value, ww_plugin_get_description (self));
      break;

    case PROP_ICON_NAME:
      g_value_set_string (value, ww_plugin_get_icon_name (self));
      break;

    case PROP_ORDER:
      g_value_set_int (value, ww_plugin_get_order (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ww_plugin_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  WwPlugin *self = WW_PLUGIN (object);
  WwPluginPrivate *priv = ww_plugin_get_instance_private (self);
  const char *text;

  switch (prop_id)
    {
    case PROP_ID:
      priv->id = g_value_dup_string (value);
      break;

    case PROP_NAME:
      text = g_value_get_string (value);
      g_clear_pointer (&priv->name, ww_localized_free);
      priv->name = text != NULL ? ww_localized_new (text) : NULL;
      break;

    case PROP_DESCRIPTION:
      text = g_value_get_string (value);
      g_clear_pointer (&priv->description, ww_localized_free);
      priv->description = text != NULL ? ww_localized_new (text) : NULL;
      break;

    case PROP_ICON_NAME:
      priv->icon_name = g_value_dup_string (value);
      break;

    case PROP_ORDER:
      priv->order = g_value_get_int (value);
      break;

    case PROP_KEY_FILE:
      priv->key_file = g_value_dup_boxed (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Reads one array member of theme.json into @store, turning each element
 * into a descriptor with @parse. */
typedef gpointer (*ParseFunc) (JsonObject *object,
                               GError    **error);
typedef const char *(*GetIdFunc) (gpointer descriptor);

static gboolean
parse_descriptor_array (JsonObject  *root,
                        const char  *member,
                        gboolean     required,
                        ParseFunc    parse,
                        GetIdFunc    get_id,
                        GListStore  *store,
                        GError     **error)
{
  JsonNode *node = json_object_get_member (root, member);
  JsonArray *array;
  guint length;

  if (node == NULL)
    {
      if (required)
        {
          g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA,
                       "%s: is missing", member);
          return FALSE;
        }
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA,
                   "%s: expected an array", member);
      return FALSE;
    }

  array = json_node_get_array (node);
  length = json_array_get_length (array);
  if (required && length == 0)
    {
      g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA,
                   "%s: is empty; a theme needs at least one", member);
      return FALSE;
    }

  for (guint i = 0; i < length; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autoptr(GObject) descriptor = NULL;
      const char *id;

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA,
                       "%s[%u]: expected an object", member, i);
          return FALSE;
        }

      descriptor = parse (json_node_get_object (element), error);
      if (descriptor == NULL)
        {
          g_prefix_error (error, "%s[%u].", member, i);
          return FALSE;
        }

      /* Ids are what records, filters and submitted forms refer to, so
       * two with one id would make either unreachable. */
      id = get_id (descriptor);
      for (guint j = 0; j < i; j++)
        {
          g_autoptr(GObject) earlier = g_list_model_get_item (G_LIST_MODEL (store), j);

          if (g_str_equal (get_id (earlier), id))
            {
              g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA,
                           "%s[%u].id: '%s' is already used by %s[%u]",
                           member, i, id, member, j);
              return FALSE;
            }
        }

      g_list_store_append (store, descriptor);
    }

  return TRUE;
}

static GStrv
parse_facets (JsonObject  *root,
              GError     **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  JsonNode *node = json_object_get_member (root, "facets");
  JsonArray *array;

  if (node == NULL)
    return g_strv_builder_end (builder);

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA,
                   "facets: expected an array of friendly-fact codes");
      return NULL;
    }

  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      const char *code;

      if (!JSON_NODE_HOLDS_VALUE (element) || json_node_get_value_type (element) != G_TYPE_STRING)
        {
          g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA,
                       "facets[%u]: expected a string", i);
          return NULL;
        }

      /* A facet the directory does not know has no label to show and no
       * record that could match it. */
      code = json_node_get_string (element);
      if (!ww_attribute_is_known (code))
        {
          g_autofree char *known = g_strjoinv (", ", (GStrv) ww_attribute_get_all ());

          g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA,
                       "facets[%u]: '%s' is not a friendly fact; use one of %s",
                       i, code, known);
          return NULL;
        }

      if (!g_hash_table_add (seen, (gpointer) code))
        {
          g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA,
                       "facets[%u]: '%s' is listed twice", i, code);
          return NULL;
        }

      g_strv_builder_add (builder, code);
    }

  return g_strv_builder_end (builder);
}

static gpointer
parse_category (JsonObject  *object,
                GError     **error)
{
  return ww_category_new_from_json (object, error);
}

static gpointer
parse_form_field (JsonObject  *object,
                  GError     **error)
{
  return ww_form_field_new_from_json (object, error);
}

static gpointer
parse_info_page (JsonObject  *object,
                 GError     **error)
{
  return ww_info_page_new_from_json (object, error);
}

static const char *
category_get_id (gpointer descriptor)
{
  return ww_category_get_id (descriptor);
}

static const char *
form_field_get_id (gpointer descriptor)
{
  return ww_form_field_get_id (descriptor);
}

static const char *
info_page_get_id (gpointer descriptor)
{
  return ww_info_page_get_id (descriptor);
}

/* In place, so that whoever holds the model sees one items-changed. */
static void
store_replace_all (GListStore *store,
                   GListModel *items)
{
  guint n_items = g_list_model_get_n_items (items);
  g_autoptr(GPtrArray) array = g_ptr_array_new_full (n_items, g_object_unref);

  for (guint i = 0; i < n_items; i++)
    g_ptr_array_add (array, g_list_model_get_item (items, i));

  g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)),
                       array->pdata, n_items);
}

static gboolean
load_theme (WwPlugin    *self,
            GBytes      *bytes,
            GError     **error)
{
  WwPluginPrivate *priv = ww_plugin_get_instance_private (self);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GListStore) categories = g_list_store_new (WW_TYPE_CATEGORY);
  g_autoptr(GListStore) form_fields = g_list_store_new (WW_TYPE_FORM_FIELD);
  g_autoptr(GListStore) info_pages = g_list_store_new (WW_TYPE_INFO_PAGE);
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) facets = NULL;
  JsonNode *root;
  JsonObject *object;
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  if (!json_parser_load_from_data (parser, data, size, &local_error))
    {
      g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA,
                   "not valid JSON: %s", local_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA,
                           "expected an object with \"categories\", \"facets\", "
                           "\"form\" and \"info_pages\"");
      return FALSE;
    }
  object = json_node_get_object (root);

  if (!parse_descriptor_array (object, "categories", TRUE,
                               parse_category, category_get_id,
                               categories, error))
    return FALSE;

  if (!(facets = parse_facets (object, error)))
    return FALSE;

  if (!parse_descriptor_array (object, "form", FALSE,
                               parse_form_field, form_field_get_id,
                               form_fields, error))
    return FALSE;

  if (!parse_descriptor_array (object, "info_pages", FALSE,
                               parse_info_page, info_page_get_id,
                               info_pages, error))
    return FALSE;

  /* Only a theme that is valid as a whole replaces what was there, so a
   * failed setup leaves the (empty) models consistent. */
  store_replace_all (priv->categories, G_LIST_MODEL (categories));
  store_replace_all (priv->form_fields, G_LIST_MODEL (form_fields));
  store_replace_all (priv->info_pages, G_LIST_MODEL (info_pages));
  g_strfreev (priv->facets);
  priv->facets = g_steal_pointer (&facets);

  return TRUE;
}

static char *
dup_resource_path (WwPlugin   *self,
                   const char *name)
{
  const char *resource_path = WW_PLUGIN_GET_CLASS (self)->resource_path;

  if (resource_path == NULL)
    return NULL;

  return g_strconcat (resource_path, "/", name, NULL);
}

static gboolean
ww_plugin_real_setup (WwPlugin  *self,
                      GError   **error)
{
  g_autofree char *path = dup_resource_path (self, "theme.json");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;

  /* A plugin without a resource path describes nothing, which is valid. */
  if (path == NULL)
    return TRUE;

  bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE, &local_error);
  if (bytes == NULL)
    {
      g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA,
                   "resource://%s is not in the plugin module (%s); "
                   "is theme.json listed in its .gresource.xml?",
                   path, local_error->message);
      return FALSE;
    }

  if (!load_theme (self, bytes, error))
    {
      g_prefix_error (error, "resource://%s: ", path);
      return FALSE;
    }

  return TRUE;
}

static GListModel *
ww_plugin_real_get_categories (WwPlugin *self)
{
  WwPluginPrivate *priv = ww_plugin_get_instance_private (self);

  return G_LIST_MODEL (priv->categories);
}

static const char *const *
ww_plugin_real_get_facets (WwPlugin *self)
{
  WwPluginPrivate *priv = ww_plugin_get_instance_private (self);

  return (const char *const *) priv->facets;
}

static GListModel *
ww_plugin_real_get_form_fields (WwPlugin *self)
{
  WwPluginPrivate *priv = ww_plugin_get_instance_private (self);

  return G_LIST_MODEL (priv->form_fields);
}

static GListModel *
ww_plugin_real_get_info_pages (WwPlugin *self)
{
  WwPluginPrivate *priv = ww_plugin_get_instance_private (self);

  return G_LIST_MODEL (priv->info_pages);
}

static GInputStream *
empty_providers_stream (void)
{
  return g_memory_input_stream_new_from_data (EMPTY_PROVIDERS, strlen (EMPTY_PROVIDERS), NULL);
}

static GInputStream *
ww_plugin_real_open_providers (WwPlugin  *self,
                               GError   **error)
{
  g_autofree char *path = dup_resource_path (self, "providers.json");
  GInputStream *stream;

  if (path == NULL)
    return empty_providers_stream ();

  stream = g_resources_open_stream (path, G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (stream == NULL)
    g_prefix_error (error, "Plugin %s: resource://%s: ",
                    ww_plugin_get_id (self), path);

  return stream;
}

static void
ww_plugin_class_init (WwPluginClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = ww_plugin_constructed;
  object_class->finalize = ww_plugin_finalize;
  object_class->get_property = ww_plugin_get_property;
  object_class->set_property = ww_plugin_set_property;

  klass->setup = ww_plugin_real_setup;
  klass->get_categories = ww_plugin_real_get_categories;
  klass->get_facets = ww_plugin_real_get_facets;
  klass->get_form_fields = ww_plugin_real_get_form_fields;
  klass->get_info_pages = ww_plugin_real_get_info_pages;
  klass->open_providers = ww_plugin_real_open_providers;

  /**
   * WwPlugin:id:
   *
   * The plugin's id, from the Id key of its .plugin file; also the code of
   * its term in the `wegwijzer-theme` taxonomy.
   */
  properties[PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * WwPlugin:name:
   *
   * The name in the user interface language. Set, it is the English name;
   * translations come from #WwPlugin:key-file.
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * WwPlugin:description:
   *
   * Like #WwPlugin:name, for the one-line description.
   */
  properties[PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  properties[PROP_ICON_NAME] =
    g_param_spec_string ("icon-name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * WwPlugin:order:
   *
   * Where the theme appears among the others; lower comes first.
   */
  properties[PROP_ORDER] =
    g_param_spec_int ("order", NULL, NULL, G_MININT, G_MAXINT, 0,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  /**
   * WwPlugin:key-file:
   *
   * The plugin's .plugin file; its Name[lang] and Description[lang] keys
   * translate #WwPlugin:name and #WwPlugin:description.
   */
  properties[PROP_KEY_FILE] =
    g_param_spec_boxed ("key-file", NULL, NULL, G_TYPE_KEY_FILE,
                        G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ww_plugin_init (WwPlugin *self)
{
  WwPluginPrivate *priv = ww_plugin_get_instance_private (self);

  priv->categories = g_list_store_new (WW_TYPE_CATEGORY);
  priv->facets = g_new0 (char *, 1);
  priv->form_fields = g_list_store_new (WW_TYPE_FORM_FIELD);
  priv->info_pages = g_list_store_new (WW_TYPE_INFO_PAGE);
}

/**
 * ww_plugin_class_set_resource_path:
 * @resource_path: where the plugin's theme.json and providers.json sit in
 *   its GResource, such as "/nl/wegwijzer/plugins/care"
 */
void
ww_plugin_class_set_resource_path (WwPluginClass *klass,
                                   const char    *resource_path)
{
  g_autofree char *trimmed = NULL;

  g_return_if_fail (WW_IS_PLUGIN_CLASS (klass));
  g_return_if_fail (resource_path != NULL && resource_path[0] == '/');

  /* A trailing slash would make the lookups ask for "…//theme.json". */
  trimmed = g_strdup (resource_path);
  while (strlen (trimmed) > 1 && g_str_has_suffix (trimmed, "/"))
    trimmed[strlen (trimmed) - 1] = '\0';

  /* Classes live as long as the program, and so does an interned string. */
  klass->resource_path = g_intern_string (trimmed);
}

const char *
ww_plugin_get_id (WwPlugin *self)
{
  WwPluginPrivate *priv;

  g_return_val_if_fail (WW_IS_PLUGIN (self), NULL);

  priv = ww_plugin_get_instance_private (self);
  return priv->id;
}

/**
 * ww_plugin_get_name:
 *
 * Returns: the name in the language of ww_get_language(), or the id when
 *   the plugin has no name
 */
const char *
ww_plugin_get_name (WwPlugin *self)
{
  WwPluginPrivate *priv;

  g_return_val_if_fail (WW_IS_PLUGIN (self), NULL);

  priv = ww_plugin_get_instance_private (self);
  return priv->name != NULL ? ww_localized_get (priv->name) : priv->id;
}

/**
 * ww_plugin_get_description:
 *
 * Returns: (nullable): the description in the language of ww_get_language()
 */
const char *
ww_plugin_get_description (WwPlugin *self)
{
  WwPluginPrivate *priv;

  g_return_val_if_fail (WW_IS_PLUGIN (self), NULL);

  priv = ww_plugin_get_instance_private (self);
  return priv->description != NULL ? ww_localized_get (priv->description) : NULL;
}

const char *
ww_plugin_get_icon_name (WwPlugin *self)
{
  WwPluginPrivate *priv;

  g_return_val_if_fail (WW_IS_PLUGIN (self), NULL);

  priv = ww_plugin_get_instance_private (self);
  return priv->icon_name;
}

int
ww_plugin_get_order (WwPlugin *self)
{
  WwPluginPrivate *priv;

  g_return_val_if_fail (WW_IS_PLUGIN (self), 0);

  priv = ww_plugin_get_instance_private (self);
  return priv->order;
}

/**
 * ww_plugin_setup:
 * @error: return location for an error
 *
 * Loads what the plugin describes. The engine calls it once, right after
 * it has created the plugin.
 *
 * Returns: %TRUE on success
 */
gboolean
ww_plugin_setup (WwPlugin  *self,
                 GError   **error)
{
  WwPluginClass *klass;

  g_return_val_if_fail (WW_IS_PLUGIN (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  klass = WW_PLUGIN_GET_CLASS (self);
  if (klass->setup == NULL)
    return TRUE;

  return klass->setup (self, error);
}

/**
 * ww_plugin_get_categories:
 *
 * Returns: (transfer none): a #GListModel of #WwCategory, empty before
 *   ww_plugin_setup()
 */
GListModel *
ww_plugin_get_categories (WwPlugin *self)
{
  WwPluginPrivate *priv;
  WwPluginClass *klass;
  GListModel *model = NULL;

  g_return_val_if_fail (WW_IS_PLUGIN (self), NULL);

  priv = ww_plugin_get_instance_private (self);
  klass = WW_PLUGIN_GET_CLASS (self);
  if (klass->get_categories != NULL)
    model = klass->get_categories (self);

  return model != NULL ? model : G_LIST_MODEL (priv->categories);
}

/**
 * ww_plugin_lookup_category:
 *
 * Returns: (transfer none) (nullable): the category with @category_id
 */
WwCategory *
ww_plugin_lookup_category (WwPlugin   *self,
                           const char *category_id)
{
  GListModel *categories;

  g_return_val_if_fail (WW_IS_PLUGIN (self), NULL);
  g_return_val_if_fail (category_id != NULL, NULL);

  categories = ww_plugin_get_categories (self);
  for (guint i = 0; i < g_list_model_get_n_items (categories); i++)
    {
      g_autoptr(WwCategory) category = g_list_model_get_item (categories, i);

      /* The model keeps its own reference, so the pointer outlives ours. */
      if (g_strcmp0 (ww_category_get_id (category), category_id) == 0)
        return category;
    }

  return NULL;
}

/**
 * ww_plugin_get_facets:
 *
 * Returns: (transfer none): the friendly-fact codes the theme filters on,
 *   %NULL-terminated; empty before ww_plugin_setup()
 */
const char *const *
ww_plugin_get_facets (WwPlugin *self)
{
  WwPluginPrivate *priv;
  WwPluginClass *klass;
  const char *const *facets = NULL;

  g_return_val_if_fail (WW_IS_PLUGIN (self), NULL);

  priv = ww_plugin_get_instance_private (self);
  klass = WW_PLUGIN_GET_CLASS (self);
  if (klass->get_facets != NULL)
    facets = klass->get_facets (self);

  return facets != NULL ? facets : (const char *const *) priv->facets;
}

/**
 * ww_plugin_get_form_fields:
 *
 * Returns: (transfer none): a #GListModel of #WwFormField, empty before
 *   ww_plugin_setup()
 */
GListModel *
ww_plugin_get_form_fields (WwPlugin *self)
{
  WwPluginPrivate *priv;
  WwPluginClass *klass;
  GListModel *model = NULL;

  g_return_val_if_fail (WW_IS_PLUGIN (self), NULL);

  priv = ww_plugin_get_instance_private (self);
  klass = WW_PLUGIN_GET_CLASS (self);
  if (klass->get_form_fields != NULL)
    model = klass->get_form_fields (self);

  return model != NULL ? model : G_LIST_MODEL (priv->form_fields);
}

/**
 * ww_plugin_get_info_pages:
 *
 * Returns: (transfer none): a #GListModel of #WwInfoPage, empty before
 *   ww_plugin_setup()
 */
GListModel *
ww_plugin_get_info_pages (WwPlugin *self)
{
  WwPluginPrivate *priv;
  WwPluginClass *klass;
  GListModel *model = NULL;

  g_return_val_if_fail (WW_IS_PLUGIN (self), NULL);

  priv = ww_plugin_get_instance_private (self);
  klass = WW_PLUGIN_GET_CLASS (self);
  if (klass->get_info_pages != NULL)
    model = klass->get_info_pages (self);

  return model != NULL ? model : G_LIST_MODEL (priv->info_pages);
}

/**
 * ww_plugin_open_providers:
 * @error: return location for an error
 *
 * Returns: (transfer full): a stream of the HSDS 3.0 records (a JSON
 *   array) the theme seeds the directory with, or %NULL with @error set
 */
GInputStream *
ww_plugin_open_providers (WwPlugin  *self,
                          GError   **error)
{
  WwPluginClass *klass;

  g_return_val_if_fail (WW_IS_PLUGIN (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  klass = WW_PLUGIN_GET_CLASS (self);
  if (klass->open_providers == NULL)
    return empty_providers_stream ();

  return klass->open_providers (self, error);
}

/**
 * ww_plugin_dup_providers_checksum:
 * @error: return location for an error
 *
 * The directory keeps this beside what it seeded and seeds again when a
 * plugin update changes it.
 *
 * Returns: (transfer full): the SHA-256 of the providers stream, in hex,
 *   or %NULL with @error set
 */
char *
ww_plugin_dup_providers_checksum (WwPlugin  *self,
                                  GError   **error)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GChecksum) checksum = NULL;
  guint8 buffer[16384];

  g_return_val_if_fail (WW_IS_PLUGIN (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  stream = ww_plugin_open_providers (self, error);
  if (stream == NULL)
    return NULL;

  checksum = g_checksum_new (G_CHECKSUM_SHA256);
  for (;;)
    {
      gssize n_read = g_input_stream_read (stream, buffer, sizeof buffer, NULL, error);

      if (n_read < 0)
        return NULL;
      if (n_read == 0)
        break;
      g_checksum_update (checksum, buffer, (gsize) n_read);
    }

  return g_strdup (g_checksum_get_string (checksum));
}
