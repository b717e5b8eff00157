/* ww-descriptors.c: what a plugin describes (categories, form fields, info pages)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-descriptors"

#include "config.h"

#include <string.h>

#include "ww-descriptors.h"
#include "ww-error.h"

/* Limits keep a hostile or mistaken theme.json from putting a novel on
 * a kiosk screen or asking the relay to accept megabytes per field. */
#define MAX_FORM_FIELD_LENGTH 10000

static void set_invalid (GError     **error,
                         const char  *path,
                         const char  *format,
                         ...) G_GNUC_PRINTF (3, 4);

/* Every validation message starts with where the problem is
 * ("choices[1].label.nl: …"), so that the caller only has to prefix its
 * own part of the path. */
static void
set_invalid (GError     **error,
             const char  *path,
             const char  *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (path != NULL)
    g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA,
                 "%s: %s", path, message);
  else
    g_set_error_literal (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA,
                         message);
}

static char *
join_path (const char *path,
           const char *member)
{
  return path != NULL ? g_strdup_printf ("%s.%s", path, member) : g_strdup (member);
}

static const char *
describe_node (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return "an object";
    case JSON_NODE_ARRAY:
      return "an array";
    case JSON_NODE_NULL:
      return "null";
    case JSON_NODE_VALUE:
      {
        GType type = json_node_get_value_type (node);

        if (type == G_TYPE_STRING)
          return "a string";
        if (type == G_TYPE_BOOLEAN)
          return "true or false";
        if (type == G_TYPE_DOUBLE)
          return "a fraction";
        return "a number";
      }
    default:
      return "something else";
    }
}

static gboolean
node_holds_string (JsonNode *node)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

/* Ids end up in taxonomy codes, URLs and form submissions, so they are
 * kept to one plain shape. */
static gboolean
is_valid_id (const char *id)
{
  if (id == NULL || !g_ascii_islower (id[0]))
    return FALSE;

  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_islower (*p) && !g_ascii_isdigit (*p) && *p != '-')
      return FALSE;

  return TRUE;
}

/* "nl", "en", "pt-BR", "sr_RS": a language code, optionally with a region. */
static gboolean
is_valid_language (const char *language)
{
  gsize n_letters = 0;

  while (g_ascii_islower (language[n_letters]))
    n_letters++;

  if (n_letters < 2 || n_letters > 3)
    return FALSE;

  if (language[n_letters] == '\0')
    return TRUE;

  if (language[n_letters] != '-' && language[n_letters] != '_')
    return FALSE;

  if (language[n_letters + 1] == '\0')
    return FALSE;

  for (const char *p = language + n_letters + 1; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p))
      return FALSE;

  return TRUE;
}

static char *
dup_id_member (JsonObject  *object,
               const char  *member,
               const char  *path,
               GError     **error)
{
  g_autofree char *member_path = join_path (path, member);
  JsonNode *node = json_object_get_member (object, member);
  const char *id;

  if (node == NULL)
    {
      set_invalid (error, member_path, "is missing");
      return NULL;
    }

  if (!node_holds_string (node))
    {
      set_invalid (error, member_path, "expected a string, not %s", describe_node (node));
      return NULL;
    }

  id = json_node_get_string (node);
  if (!is_valid_id (id))
    {
      set_invalid (error, member_path,
                   "'%s' is not a valid id; use lower-case letters, digits and '-', "
                   "starting with a letter", id);
      return NULL;
    }

  return g_strdup (id);
}

static gboolean
get_boolean_member (JsonObject  *object,
                    const char  *member,
                    gboolean     default_value,
                    gboolean    *value,
                    GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL)
    {
      *value = default_value;
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      set_invalid (error, member, "expected true or false, not %s", describe_node (node));
      return FALSE;
    }

  *value = json_node_get_boolean (node);
  return TRUE;
}

/* WwLocalized */

typedef struct
{
  char *language;
  char *text;
} Translation;

struct _WwLocalized
{
  /* A handful of languages at most, so a short array in the order the
   * data gave them beats a hash table and keeps dup_all() stable. */
  GArray *translations;
};

static void
translation_clear (gpointer data)
{
  Translation *translation = data;

  g_clear_pointer (&translation->language, g_free);
  g_clear_pointer (&translation->text, g_free);
}

static WwLocalized *
localized_new_empty (void)
{
  WwLocalized *self = g_new0 (WwLocalized, 1);

  self->translations = g_array_new (FALSE, TRUE, sizeof (Translation));
  g_array_set_clear_func (self->translations, translation_clear);

  return self;
}

static const char *
localized_lookup (const WwLocalized *self,
                  const char        *language)
{
  for (guint i = 0; i < self->translations->len; i++)
    {
      const Translation *translation = &g_array_index (self->translations, Translation, i);

      if (g_strcmp0 (translation->language, language) == 0)
        return translation->text;
    }

  return NULL;
}

static void
localized_add (WwLocalized *self,
               const char  *language,
               const char  *text)
{
  Translation translation = { g_strdup (language), g_strdup (text) };

  g_array_append_val (self->translations, translation);
}

/* Appends the words of a keywords value, which may be one string or an
 * array of strings per language. */
static gboolean
localized_add_from_node (WwLocalized  *self,
                         const char   *language,
                         JsonNode     *node,
                         gboolean      allow_array,
                         const char   *path,
                         GError      **error)
{
  g_autofree char *language_path = join_path (path, language);
  const char *text;

  if (allow_array && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint length = json_array_get_length (array);
      g_autoptr(GStrvBuilder) words = g_strv_builder_new ();
      g_auto(GStrv) strv = NULL;
      g_autofree char *joined = NULL;

      for (guint i = 0; i < length; i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (!node_holds_string (element) || *json_node_get_string (element) == '\0')
            {
              g_autofree char *element_path = g_strdup_printf ("%s[%u]", language_path, i);

              set_invalid (error, element_path, "expected a non-empty string, not %s",
                           describe_node (element));
              return FALSE;
            }
          g_strv_builder_add (words, json_node_get_string (element));
        }

      if (length == 0)
        {
          set_invalid (error, language_path, "is empty");
          return FALSE;
        }

      strv = g_strv_builder_end (words);
      joined = g_strjoinv (" ", strv);
      localized_add (self, language, joined);
      return TRUE;
    }

  if (!node_holds_string (node))
    {
      set_invalid (error, language_path, "expected %s, not %s",
                   allow_array ? "a string or an array of strings" : "a string",
                   describe_node (node));
      return FALSE;
    }

  text = json_node_get_string (node);
  if (*text == '\0')
    {
      set_invalid (error, language_path, "is empty; leave the language out instead");
      return FALSE;
    }

  if (!g_utf8_validate (text, -1, NULL))
    {
      set_invalid (error, language_path, "is not valid UTF-8");
      return FALSE;
    }

  localized_add (self, language, text);
  return TRUE;
}

static WwLocalized *
localized_parse (JsonNode    *node,
                 gboolean     allow_arrays,
                 const char  *path,
                 GError     **error)
{
  g_autoptr(WwLocalized) self = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  if (node == NULL)
    {
      set_invalid (error, path, "is missing");
      return NULL;
    }

  /* A bare string is accepted as English, which keeps hand-written
   * fixtures and single-language themes short. */
  if (node_holds_string (node))
    {
      self = localized_new_empty ();
      if (!localized_add_from_node (self, "en", node, FALSE, path, error))
        return NULL;
      return g_steal_pointer (&self);
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      set_invalid (error, path,
                   "expected translations such as {\"en\": \"…\", \"nl\": \"…\"}, not %s",
                   describe_node (node));
      return NULL;
    }

  object = json_node_get_object (node);
  members = json_object_get_members (object);
  if (members == NULL)
    {
      set_invalid (error, path, "has no text in any language");
      return NULL;
    }

  self = localized_new_empty ();
  for (const GList *l = members; l != NULL; l = l->next)
    {
      const char *language = l->data;

      if (!is_valid_language (language))
        {
          set_invalid (error, path,
                       "'%s' is not a language code; use codes such as \"en\" and \"nl\"",
                       language);
          return NULL;
        }

      if (!localized_add_from_node (self, language,
                                    json_object_get_member (object, language),
                                    allow_arrays, path, error))
        return NULL;
    }

  return g_steal_pointer (&self);
}

/**
 * ww_localized_new_from_json:
 * @node: a JSON object of language → text, or a plain string (English)
 * @error: return location for a #WW_PLUGIN_ERROR_INVALID_DATA error
 *
 * Returns: (transfer full): the translations, or %NULL with @error set
 */
WwLocalized *
ww_localized_new_from_json (JsonNode  *node,
                            GError   **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return localized_parse (node, FALSE, NULL, error);
}

WwLocalized *
ww_localized_new (const char *english)
{
  WwLocalized *self;

  g_return_val_if_fail (english != NULL, NULL);

  self = localized_new_empty ();
  localized_add (self, "en", english);

  return self;
}

void
ww_localized_free (WwLocalized *self)
{
  if (self == NULL)
    return;

  g_array_unref (self->translations);
  g_free (self);
}

/**
 * ww_localized_get_for:
 * @language: a language code such as "nl"
 *
 * Returns: the text in @language, else in its base language ("pt" for
 *   "pt-BR"), else in English, else in whichever language there is
 */
const char *
ww_localized_get_for (const WwLocalized *self,
                      const char        *language)
{
  const char *text = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (language != NULL)
    {
      text = localized_lookup (self, language);

      if (text == NULL)
        {
          gsize base_length = strcspn (language, "-_.@");

          if (language[base_length] != '\0')
            {
              g_autofree char *base = g_strndup (language, base_length);

              text = localized_lookup (self, base);
            }
        }
    }

  if (text == NULL)
    text = localized_lookup (self, "en");

  if (text == NULL && self->translations->len > 0)
    text = g_array_index (self->translations, Translation, 0).text;

  return text;
}

const char *
ww_localized_get (const WwLocalized *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return ww_localized_get_for (self, ww_get_language ());
}

/**
 * ww_localized_dup_all:
 *
 * Returns: (transfer full): every translation, joined by spaces
 */
char *
ww_localized_dup_all (const WwLocalized *self)
{
  g_autoptr(GString) all = g_string_new (NULL);

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->translations->len; i++)
    {
      const Translation *translation = &g_array_index (self->translations, Translation, i);

      if (all->len > 0)
        g_string_append_c (all, ' ');
      g_string_append (all, translation->text);
    }

  return g_string_free (g_steal_pointer (&all), FALSE);
}

/* The user interface language */

/* Interned strings are never freed, so ww_get_language() can hand out a
 * pointer that stays valid while another thread switches the language. */
static const char *current_language;

/* "nl_NL.UTF-8" → "nl"; "C", "POSIX" and anything unreadable → "en". */
static const char *
intern_language (const char *locale)
{
  g_autofree char *language = NULL;
  gsize length;

  if (locale == NULL || g_str_equal (locale, "C") || g_str_equal (locale, "POSIX")
      || g_str_has_prefix (locale, "C."))
    return g_intern_static_string ("en");

  length = strcspn (locale, "-_.@");
  language = g_ascii_strdown (locale, length);
  if (!is_valid_language (language))
    return g_intern_static_string ("en");

  return g_intern_string (language);
}

const char *
ww_get_language (void)
{
  const char *language = g_atomic_pointer_get (&current_language);

  if (G_UNLIKELY (language == NULL))
    {
      const char *const *names = g_get_language_names ();

      /* Two threads may both compute the default; they agree on it, and
       * a language set meanwhile by ww_set_language() wins. */
      g_atomic_pointer_compare_and_exchange (&current_language, NULL,
                                             intern_language (names[0]));
      language = g_atomic_pointer_get (&current_language);
    }

  return language;
}

/**
 * ww_set_language:
 * @language: (nullable): a language code or locale name such as "nl" or
 *   "nl_NL.UTF-8"; %NULL goes back to the locale's language
 */
void
ww_set_language (const char *language)
{
  if (language == NULL)
    language = g_get_language_names ()[0];

  g_atomic_pointer_set (&current_language, intern_language (language));
}

/* WwCategory */

struct _WwCategory
{
  GObject parent_instance;

  char *id;
  WwLocalized *label;
  WwLocalized *description;
  WwLocalized *keywords;
};

G_DEFINE_FINAL_TYPE (WwCategory, ww_category, G_TYPE_OBJECT)

enum {
  CATEGORY_PROP_0,
  CATEGORY_PROP_ID,
  CATEGORY_PROP_LABEL,
  CATEGORY_PROP_DESCRIPTION,
  CATEGORY_N_PROPS
};

static GParamSpec *category_properties[CATEGORY_N_PROPS];

static void
ww_category_finalize (GObject *object)
{
  WwCategory *self = WW_CATEGORY (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->label, ww_localized_free);
  g_clear_pointer (&self->description, ww_localized_free);
  g_clear_pointer (&self->keywords, ww_localized_free);

  G_OBJECT_CLASS (ww_category_parent_class)->finalize (object);
}

static void
ww_category_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  WwCategory *self = WW_CATEGORY (object);

  switch (prop_id)
    {
    case CATEGORY_PROP_ID:
      g_value_set_string (value, ww_category_get_id (self));
      break;

    case CATEGORY_PROP_LABEL:
      g_value_set_string (value, ww_category_get_label (self));
      break;

    case CATEGORY_PROP_DESCRIPTION:
      g_value_set_string (value, ww_category_get_description (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ww_category_class_init (WwCategoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ww_category_finalize;
  object_class->get_property = ww_category_get_property;

  category_properties[CATEGORY_PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  category_properties[CATEGORY_PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  category_properties[CATEGORY_PROP_DESCRIPTION] =
    g_param_spec_string ("description", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, CATEGORY_N_PROPS, category_properties);
}

static void
ww_category_init (WwCategory *self)
{
}

/**
 * ww_category_new_from_json:
 * @object: {"id", "label", "description"?, "keywords"?}
 * @error: return location for a #WW_PLUGIN_ERROR_INVALID_DATA error whose
 *   message starts with the member at fault ("label.nl: …")
 *
 * Returns: (transfer full): the category, or %NULL with @error set
 */
WwCategory *
ww_category_new_from_json (JsonObject  *object,
                           GError     **error)
{
  g_autoptr(WwCategory) self = NULL;
  JsonNode *node;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (WW_TYPE_CATEGORY, NULL);

  if (!(self->id = dup_id_member (object, "id", NULL, error)))
    return NULL;

  if (!(self->label = localized_parse (json_object_get_member (object, "label"),
                                       FALSE, "label", error)))
    return NULL;

  node = json_object_get_member (object, "description");
  if (node != NULL && !(self->description = localized_parse (node, FALSE, "description", error)))
    return NULL;

  node = json_object_get_member (object, "keywords");
  if (node != NULL && !(self->keywords = localized_parse (node, TRUE, "keywords", error)))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
ww_category_get_id (WwCategory *self)
{
  g_return_val_if_fail (WW_IS_CATEGORY (self), NULL);

  return self->id;
}

const char *
ww_category_get_label (WwCategory *self)
{
  g_return_val_if_fail (WW_IS_CATEGORY (self), NULL);

  return self->label != NULL ? ww_localized_get (self->label) : NULL;
}

/**
 * ww_category_get_description:
 *
 * Returns: (nullable): the description, or %NULL when the theme gives none
 */
const char *
ww_category_get_description (WwCategory *self)
{
  g_return_val_if_fail (WW_IS_CATEGORY (self), NULL);

  return self->description != NULL ? ww_localized_get (self->description) : NULL;
}

char *
ww_category_dup_search_terms (WwCategory *self)
{
  WwLocalized *parts[3];
  g_autoptr(GString) terms = g_string_new (NULL);

  g_return_val_if_fail (WW_IS_CATEGORY (self), NULL);

  parts[0] = self->label;
  parts[1] = self->description;
  parts[2] = self->keywords;

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_autofree char *all = NULL;

      if (parts[i] == NULL)
        continue;

      all = ww_localized_dup_all (parts[i]);
      if (terms->len > 0)
        g_string_append_c (terms, ' ');
      g_string_append (terms, all);
    }

  return g_string_free (g_steal_pointer (&terms), FALSE);
}

/* WwFormField */

static const char *const form_field_type_names[] = {
  [WW_FORM_FIELD_TEXT] = "text",
  [WW_FORM_FIELD_MULTILINE] = "multiline",
  [WW_FORM_FIELD_CHOICE] = "choice",
  [WW_FORM_FIELD_MULTI_CHOICE] = "multi-choice",
  [WW_FORM_FIELD_PHONE] = "phone",
  [WW_FORM_FIELD_EMAIL] = "email",
};

/* When a theme gives no max_length: room for what people write in such
 * a field, and no more (an e-mail address is at most 254 characters). */
static const guint form_field_default_max_length[] = {
  [WW_FORM_FIELD_TEXT] = 200,
  [WW_FORM_FIELD_MULTILINE] = 2000,
  [WW_FORM_FIELD_CHOICE] = 0,
  [WW_FORM_FIELD_MULTI_CHOICE] = 0,
  [WW_FORM_FIELD_PHONE] = 32,
  [WW_FORM_FIELD_EMAIL] = 254,
};

const char *
ww_form_field_type_to_string (WwFormFieldType type)
{
  if ((guint) type >= G_N_ELEMENTS (form_field_type_names))
    return NULL;

  return form_field_type_names[type];
}

static gboolean
form_field_type_from_string (const char      *name,
                             WwFormFieldType *type)
{
  for (guint i = 0; i < G_N_ELEMENTS (form_field_type_names); i++)
    if (g_str_equal (name, form_field_type_names[i]))
      {
        *type = (WwFormFieldType) i;
        return TRUE;
      }

  return FALSE;
}

/* ww-descriptors.h has no public GType for WwFormFieldType, yet a
 * property needs one; registered here so "field-type" is typed. */
static GType
form_field_type_get_gtype (void)
{
  static gsize gtype_once = 0;

  if (g_once_init_enter (&gtype_once))
    {
      static const GEnumValue values[] = {
        { WW_FORM_FIELD_TEXT, "WW_FORM_FIELD_TEXT", "text" },
        { WW_FORM_FIELD_MULTILINE, "WW_FORM_FIELD_MULTILINE", "multiline" },
        { WW_FORM_FIELD_CHOICE, "WW_FORM_FIELD_CHOICE", "choice" },
        { WW_FORM_FIELD_MULTI_CHOICE, "WW_FORM_FIELD_MULTI_CHOICE", "multi-choice" },
        { WW_FORM_FIELD_PHONE, "WW_FORM_FIELD_PHONE", "phone" },
        { WW_FORM_FIELD_EMAIL, "WW_FORM_FIELD_EMAIL", "email" },
        { 0, NULL, NULL }
      };
      GType gtype = g_enum_register_static (g_intern_static_string ("WwFormFieldType"), values);

      g_once_init_leave (&gtype_once, gtype);
    }

  return gtype_once;
}

typedef struct
{
  char *id;
  WwLocalized *label;
} Choice;

static void
choice_clear (gpointer data)
{
  Choice *choice = data;

  g_clear_pointer (&choice->id, g_free);
  g_clear_pointer (&choice->label, ww_localized_free);
}

struct _WwFormField
{
  GObject parent_instance;

  char *id;
  WwFormFieldType type;
  WwLocalized *label;
  gboolean required;
  gboolean personal;
  guint max_length;
  GArray *choices;
};

G_DEFINE_FINAL_TYPE (WwFormField, ww_form_field, G_TYPE_OBJECT)

enum {
  FIELD_PROP_0,
  FIELD_PROP_ID,
  FIELD_PROP_FIELD_TYPE,
  FIELD_PROP_LABEL,
  FIELD_PROP_REQUIRED,
  FIELD_PROP_PERSONAL,
  FIELD_PROP_MAX_LENGTH,
  FIELD_PROP_N_CHOICES,
  FIELD_N_PROPS
};

static GParamSpec *field_properties[FIELD_N_PROPS];

static void
ww_form_field_finalize (GObject *object)
{
  WwFormField *self = WW_FORM_FIELD (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->label, ww_localized_free);
  g_clear_pointer (&self->choices, g_array_unref);

  G_OBJECT_CLASS (ww_form_field_parent_class)->finalize (object);
}

static void
ww_form_field_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  WwFormField *self = WW_FORM_FIELD (object);

  switch (prop_id)
    {
    case FIELD_PROP_ID:
      g_value_set_string (value, self->id);
      break;

    case FIELD_PROP_FIELD_TYPE:
      g_value_set_enum (value, self->type);
      break;

    case FIELD_PROP_LABEL:
      g_value_set_string (value, ww_form_field_get_label (self));
      break;

    case FIELD_PROP_REQUIRED:
      g_value_set_boolean (value, self->required);
      break;

    case FIELD_PROP_PERSONAL:
      g_value_set_boolean (value, self->personal);
      break;

    case FIELD_PROP_MAX_LENGTH:
      g_value_set_uint (value, self->max_length);
      break;

    case FIELD_PROP_N_CHOICES:
      g_value_set_uint (value, self->choices->len);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ww_form_field_class_init (WwFormFieldClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ww_form_field_finalize;
  object_class->get_property = ww_form_field_get_property;

  field_properties[FIELD_PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  field_properties[FIELD_PROP_FIELD_TYPE] =
    g_param_spec_enum ("field-type", NULL, NULL,
                       form_field_type_get_gtype (), WW_FORM_FIELD_TEXT,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  field_properties[FIELD_PROP_LABEL] =
    g_param_spec_string ("label", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  field_properties[FIELD_PROP_REQUIRED] =
    g_param_spec_boolean ("required", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  field_properties[FIELD_PROP_PERSONAL] =
    g_param_spec_boolean ("personal", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  field_properties[FIELD_PROP_MAX_LENGTH] =
    g_param_spec_uint ("max-length", NULL, NULL, 0, MAX_FORM_FIELD_LENGTH, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  field_properties[FIELD_PROP_N_CHOICES] =
    g_param_spec_uint ("n-choices", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, FIELD_N_PROPS, field_properties);
}

static void
ww_form_field_init (WwFormField *self)
{
  self->choices = g_array_new (FALSE, TRUE, sizeof (Choice));
  g_array_set_clear_func (self->choices, choice_clear);
}

static gboolean
form_field_parse_type (WwFormField  *self,
                       JsonObject   *object,
                       GError      **error)
{
  JsonNode *node = json_object_get_member (object, "type");
  const char *name;

  if (node == NULL)
    {
      set_invalid (error, "type", "is missing; use text, multiline, choice, "
                   "multi-choice, phone or email");
      return FALSE;
    }

  if (!node_holds_string (node))
    {
      set_invalid (error, "type", "expected a string, not %s", describe_node (node));
      return FALSE;
    }

  name = json_node_get_string (node);
  if (!form_field_type_from_string (name, &self->type))
    {
      set_invalid (error, "type", "'%s' is not a field type; use text, multiline, "
                   "choice, multi-choice, phone or email", name);
      return FALSE;
    }

  return TRUE;
}

static gboolean
form_field_parse_max_length (WwFormField  *self,
                             JsonObject   *object,
                             GError      **error)
{
  JsonNode *node = json_object_get_member (object, "max_length");
  gint64 max_length;

  if (node == NULL)
    {
      self->max_length = form_field_default_max_length[self->type];
      return TRUE;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    {
      set_invalid (error, "max_length", "expected a whole number, not %s",
                   describe_node (node));
      return FALSE;
    }

  max_length = json_node_get_int (node);

  /* A choice field's value is a choice id, so it has no length to limit;
   * 0 says as much. */
  if (self->type == WW_FORM_FIELD_CHOICE || self->type == WW_FORM_FIELD_MULTI_CHOICE)
    {
      if (max_length != 0)
        {
          set_invalid (error, "max_length", "a %s field has no maximum length; "
                       "use 0 or leave it out", ww_form_field_type_to_string (self->type));
          return FALSE;
        }
      self->max_length = 0;
      return TRUE;
    }

  if (max_length < 1 || max_length > MAX_FORM_FIELD_LENGTH)
    {
      set_invalid (error, "max_length", "%" G_GINT64_FORMAT " is out of range; "
                   "use 1 to %d", max_length, MAX_FORM_FIELD_LENGTH);
      return FALSE;
    }

  self->max_length = (guint) max_length;
  return TRUE;
}

static gboolean
form_field_parse_choices (WwFormField  *self,
                          JsonObject   *object,
                          GError      **error)
{
  JsonNode *node = json_object_get_member (object, "choices");
  gboolean has_choices = (self->type == WW_FORM_FIELD_CHOICE
                          || self->type == WW_FORM_FIELD_MULTI_CHOICE);
  JsonArray *array;
  guint length;

  if (!has_choices)
    {
      if (node != NULL)
        {
          set_invalid (error, "choices", "only choice and multi-choice fields have "
                       "choices, this one is '%s'", ww_form_field_type_to_string (self->type));
          return FALSE;
        }
      return TRUE;
    }

  if (node == NULL)
    {
      set_invalid (error, "choices", "is missing; a %s field needs at least one choice",
                   ww_form_field_type_to_string (self->type));
      return FALSE;
    }

  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      set_invalid (error, "choices", "expected an array, not %s", describe_node (node));
      return FALSE;
    }

  array = json_node_get_array (node);
  length = json_array_get_length (array);
  if (length == 0)
    {
      set_invalid (error, "choices", "is empty; a %s field needs at least one choice",
                   ww_form_field_type_to_string (self->type));
      return FALSE;
    }

  for (guint i = 0; i < length; i++)
    {
      JsonNode *element = json_array_get_element (array, i);
      g_autofree char *path = g_strdup_printf ("choices[%u]", i);
      g_autofree char *label_path = NULL;
      JsonObject *choice_object;
      Choice choice = { NULL, NULL };

      if (!JSON_NODE_HOLDS_OBJECT (element))
        {
          set_invalid (error, path, "expected an object with \"id\" and \"label\", not %s",
                       describe_node (element));
          return FALSE;
        }
      choice_object = json_node_get_object (element);

      if (!(choice.id = dup_id_member (choice_object, "id", path, error)))
        return FALSE;

      for (guint j = 0; j < self->choices->len; j++)
        if (g_str_equal (g_array_index (self->choices, Choice, j).id, choice.id))
          {
            set_invalid (error, path, "id '%s' is already used by choices[%u]",
                         choice.id, j);
            g_free (choice.id);
            return FALSE;
          }

      label_path = join_path (path, "label");
      choice.label = localized_parse (json_object_get_member (choice_object, "label"),
                                      FALSE, label_path, error);
      if (choice.label == NULL)
        {
          g_free (choice.id);
          return FALSE;
        }

      g_array_append_val (self->choices, choice);
    }

  return TRUE;
}

/**
 * ww_form_field_new_from_json:
 * @object: {"id", "type", "label", "required"?, "personal"?, "max_length"?,
 *   "choices"?}
 * @error: return location for a #WW_PLUGIN_ERROR_INVALID_DATA error whose
 *   message starts with the member at fault ("type: …")
 *
 * Returns: (transfer full): the field, or %NULL with @error set
 */
WwFormField *
ww_form_field_new_from_json (JsonObject  *object,
                             GError     **error)
{
  g_autoptr(WwFormField) self = NULL;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (WW_TYPE_FORM_FIELD, NULL);

  if (!(self->id = dup_id_member (object, "id", NULL, error)))
    return NULL;

  if (!form_field_parse_type (self, object, error))
    return NULL;

  if (!(self->label = localized_parse (json_object_get_member (object, "label"),
                                       FALSE, "label", error)))
    return NULL;

  if (!get_boolean_member (object, "required", FALSE, &self->required, error)
      || !get_boolean_member (object, "personal", FALSE, &self->personal, error))
    return NULL;

  if (!form_field_parse_max_length (self, object, error))
    return NULL;

  if (!form_field_parse_choices (self, object, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
ww_form_field_get_id (WwFormField *self)
{
  g_return_val_if_fail (WW_IS_FORM_FIELD (self), NULL);

  return self->id;
}

WwFormFieldType
ww_form_field_get_field_type (WwFormField *self)
{
  g_return_val_if_fail (WW_IS_FORM_FIELD (self), WW_FORM_FIELD_TEXT);

  return self->type;
}

const char *
ww_form_field_get_label (WwFormField *self)
{
  g_return_val_if_fail (WW_IS_FORM_FIELD (self), NULL);

  return self->label != NULL ? ww_localized_get (self->label) : NULL;
}

gboolean
ww_form_field_get_required (WwFormField *self)
{
  g_return_val_if_fail (WW_IS_FORM_FIELD (self), FALSE);

  return self->required;
}

/* Whether the value is personal data: it never reaches a log and leaves
 * the kiosk's outbox as soon as the relay has it. */
gboolean
ww_form_field_get_personal (WwFormField *self)
{
  g_return_val_if_fail (WW_IS_FORM_FIELD (self), FALSE);

  return self->personal;
}

/**
 * ww_form_field_get_max_length:
 *
 * Returns: the most characters a value may have; 0 for choice fields,
 *   whose values are choice ids
 */
guint
ww_form_field_get_max_length (WwFormField *self)
{
  g_return_val_if_fail (WW_IS_FORM_FIELD (self), 0);

  return self->max_length;
}

guint
ww_form_field_get_n_choices (WwFormField *self)
{
  g_return_val_if_fail (WW_IS_FORM_FIELD (self), 0);

  return self->choices->len;
}

const char *
ww_form_field_get_choice_id (WwFormField *self,
                             guint        position)
{
  g_return_val_if_fail (WW_IS_FORM_FIELD (self), NULL);
  g_return_val_if_fail (position < self->choices->len, NULL);

  return g_array_index (self->choices, Choice, position).id;
}

const char *
ww_form_field_get_choice_label (WwFormField *self,
                                guint        position)
{
  g_return_val_if_fail (WW_IS_FORM_FIELD (self), NULL);
  g_return_val_if_fail (position < self->choices->len, NULL);

  return ww_localized_get (g_array_index (self->choices, Choice, position).label);
}

/* WwInfoPage */

struct _WwInfoPage
{
  GObject parent_instance;

  char *id;
  WwLocalized *title;
  WwLocalized *body;
};

G_DEFINE_FINAL_TYPE (WwInfoPage, ww_info_page, G_TYPE_OBJECT)

enum {
  PAGE_PROP_0,
  PAGE_PROP_ID,
  PAGE_PROP_TITLE,
  PAGE_PROP_BODY,
  PAGE_N_PROPS
};

static GParamSpec *page_properties[PAGE_N_PROPS];

static void
ww_info_page_finalize (GObject *object)
{
  WwInfoPage *self = WW_INFO_PAGE (object);

  g_clear_pointer (&self->id, g_free);
  g_clear_pointer (&self->title, ww_localized_free);
  g_clear_pointer (&self->body, ww_localized_free);

  G_OBJECT_CLASS (ww_info_page_parent_class)->finalize (object);
}

static void
ww_info_page_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  WwInfoPage *self = WW_INFO_PAGE (object);

  switch (prop_id)
    {
    case PAGE_PROP_ID:
      g_value_set_string (value, ww_info_page_get_id (self));
      break;

    case PAGE_PROP_TITLE:
      g_value_set_string (value, ww_info_page_get_title (self));
      break;

    case PAGE_PROP_BODY:
      g_value_set_string (value, ww_info_page_get_body (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ww_info_page_class_init (WwInfoPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ww_info_page_finalize;
  object_class->get_property = ww_info_page_get_property;

  page_properties[PAGE_PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  page_properties[PAGE_PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  page_properties[PAGE_PROP_BODY] =
    g_param_spec_string ("body", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, PAGE_N_PROPS, page_properties);
}

static void
ww_info_page_init (WwInfoPage *self)
{
}

/**
 * ww_info_page_new_from_json:
 * @object: {"id", "title", "body"}
 * @error: return location for a #WW_PLUGIN_ERROR_INVALID_DATA error whose
 *   message starts with the member at fault ("body.nl: …")
 *
 * Returns: (transfer full): the page, or %NULL with @error set
 */
WwInfoPage *
ww_info_page_new_from_json (JsonObject  *object,
                            GError     **error)
{
  g_autoptr(WwInfoPage) self = NULL;

  g_return_val_if_fail (object != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (WW_TYPE_INFO_PAGE, NULL);

  if (!(self->id = dup_id_member (object, "id", NULL, error)))
    return NULL;

  if (!(self->title = localized_parse (json_object_get_member (object, "title"),
                                       FALSE, "title", error)))
    return NULL;

  if (!(self->body = localized_parse (json_object_get_member (object, "body"),
                                      FALSE, "body", error)))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
ww_info_page_get_id (WwInfoPage *self)
{
  g_return_val_if_fail (WW_IS_INFO_PAGE (self), NULL);

  return self->id;
}

const char *
ww_info_page_get_title (WwInfoPage *self)
{
  g_return_val_if_fail (WW_IS_INFO_PAGE (self), NULL);

  return self->title != NULL ? ww_localized_get (self->title) : NULL;
}

const char *
ww_info_page_get_body (WwInfoPage *self)
{
  g_return_val_if_fail (WW_IS_INFO_PAGE (self), NULL);

  return self->body != NULL ? ww_localized_get (self->body) : NULL;
}
