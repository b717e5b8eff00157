/* ww-hsds.c
 *
 * Open Referral HSDS 3.0 service records in and out. We store one
 * location (with one address) and one phone per service; theme, category
 * and the friendly facts travel as attributes in our taxonomies.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-hsds"

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ww-error.h"
#include "ww-hsds.h"
#include "ww-text.h"

/* Bounds that keep a hostile file from growing the directory without end;
 * real listings are far below them. */
#define MAX_ID_LENGTH     128
#define MAX_SHORT_LENGTH  500
#define MAX_TEXT_LENGTH   8000
#define MAX_LIST_LENGTH   64

typedef struct {
  GString *path;
} Walker;

static gboolean G_GNUC_PRINTF (3, 4)
fail (Walker      *walker,
      GError     **error,
      const char  *format,
      ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_set_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_INVALID_RECORD,
               "%s: %s", walker->path->str, message);
  return FALSE;
}

/* Pushes ".member" (or "[i]") on the path; pop with path_pop(). */
static gsize
path_push (Walker     *walker,
           const char *member)
{
  gsize old_len = walker->path->len;

  if (walker->path->len > 0)
    g_string_append_c (walker->path, '.');
  g_string_append (walker->path, member);

  return old_len;
}

static gsize
path_push_index (Walker *walker,
                 guint   index)
{
  gsize old_len = walker->path->len;

  g_string_append_printf (walker->path, "[%u]", index);

  return old_len;
}

static void
path_pop (Walker *walker,
          gsize   old_len)
{
  g_string_truncate (walker->path, old_len);
}

/* Reads an optional string member; a member that is there must be a
 * string (or null) no longer than @max_length characters. */
static gboolean
read_string (Walker      *walker,
             JsonObject  *object,
             const char  *member,
             gsize        max_length,
             gboolean     required,
             const char **out,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  const char *value = NULL;
  gsize old = path_push (walker, member);

  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_VALUE (node) ||
          json_node_get_value_type (node) != G_TYPE_STRING)
        return fail (walker, error, "must be a string");

      value = json_node_get_string (node);
      if (g_utf8_strlen (value, -1) > (glong) max_length)
        return fail (walker, error, "is longer than %" G_GSIZE_FORMAT " characters",
                     max_length);
      if (*value == '\0')
        value = NULL;
    }

  if (value == NULL && required)
    return fail (walker, error, "is missing");

  path_pop (walker, old);
  *out = value;
  return TRUE;
}

static gboolean
read_array (Walker      *walker,
            JsonObject  *object,
            const char  *member,
            JsonArray  **out,
            GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  gsize old = path_push (walker, member);

  *out = NULL;
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_ARRAY (node))
        return fail (walker, error, "must be an array");
      *out = json_node_get_array (node);
      if (json_array_get_length (*out) > MAX_LIST_LENGTH)
        return fail (walker, error, "has more than %d entries", MAX_LIST_LENGTH);
    }

  path_pop (walker, old);
  return TRUE;
}

static gboolean
read_object (Walker      *walker,
             JsonObject  *object,
             const char  *member,
             gboolean     required,
             JsonObject **out,
             GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);
  gsize old = path_push (walker, member);

  *out = NULL;
  if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
    {
      if (!JSON_NODE_HOLDS_OBJECT (node))
        return fail (walker, error, "must be an object");
      *out = json_node_get_object (node);
    }
  else if (required)
    return fail (walker, error, "is missing");

  path_pop (walker, old);
  return TRUE;
}

static gboolean
array_object (Walker      *walker,
              JsonArray   *array,
              guint        index,
              JsonObject **out,
              GError     **error)
{
  JsonNode *node = json_array_get_element (array, index);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      gsize old = path_push_index (walker, index);
      fail (walker, error, "must be an object");
      path_pop (walker, old);
      return FALSE;
    }

  *out = json_node_get_object (node);
  return TRUE;
}

/* Copies string members of @object into provider fields. */
typedef struct {
  const char      *member;
  WwProviderField  field;
  gsize            max_length;
} FieldMap;

static gboolean
read_fields (Walker         *walker,
             JsonObject     *object,
             const FieldMap *map,
             gsize           n_map,
             WwProvider     *provider,
             GError        **error)
{
  for (gsize i = 0; i < n_map; i++)
    {
      const char *value = NULL;

      if (!read_string (walker, object, map[i].member, map[i].max_length,
                        FALSE, &value, error))
        return FALSE;
      ww_provider_set_field (provider, map[i].field, value);
    }

  return TRUE;
}

static gboolean
parse_time (const char *text,
            guint16    *minutes)
{
  guint hour, minute, second = 0;
  char tail;
  int n;

  if (text == NULL)
    return FALSE;

  n = sscanf (text, "%2u:%2u:%2u%c", &hour, &minute, &second, &tail);
  if (n != 2 && n != 3)
    return FALSE;
  if (strlen (text) != (n == 2 ? 5u : 8u))
    return FALSE;
  if (hour > 24 || minute > 59 || second > 59 || (hour == 24 && (minute || second)))
    return FALSE;

  *minutes = hour * 60 + minute;
  return TRUE;
}

static gboolean
is_iso_date (const char *text)
{
  g_autoptr(GDate) date = NULL;
  guint year, month, day;
  char tail;

  if (strlen (text) != 10 ||
      sscanf (text, "%4u-%2u-%2u%c", &year, &month, &day, &tail) != 3)
    return FALSE;

  return g_date_valid_dmy (day, month, year);
}

static gboolean
is_language_code (const char *code)
{
  gsize len = strlen (code);

  if (len < 2 || len > 3)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_islower (code[i]))
      return FALSE;

  return TRUE;
}

static gboolean
parse_schedules (Walker     *walker,
                 JsonObject *object,
                 WwProvider *provider,
                 GError    **error)
{
  JsonArray *schedules;
  gsize old;

  if (!read_array (walker, object, "schedules", &schedules, error))
    return FALSE;
  if (schedules == NULL)
    return TRUE;

  old = path_push (walker, "schedules");
  for (guint i = 0; i < json_array_get_length (schedules); i++)
    {
      JsonObject *schedule;
      const char *id, *freq, *byday, *opens_at, *closes_at;
      guint16 opens, closes;
      guint days;
      gsize item = path_push_index (walker, i);

      if (!array_object (walker, schedules, i, &schedule, error))
        return FALSE;
      if (!read_string (walker, schedule, "id", MAX_ID_LENGTH, FALSE, &id, error) ||
          !read_string (walker, schedule, "freq", 16, FALSE, &freq, error) ||
          !read_string (walker, schedule, "byday", 32, TRUE, &byday, error) ||
          !read_string (walker, schedule, "opens_at", 8, TRUE, &opens_at, error) ||
          !read_string (walker, schedule, "closes_at", 8, TRUE, &closes_at, error))
        return FALSE;

      if (freq != NULL && g_ascii_strcasecmp (freq, "WEEKLY") != 0)
        {
          path_push (walker, "freq");
          return fail (walker, error, "only WEEKLY schedules are supported, not '%s'", freq);
        }
      days = ww_days_from_string (byday);
      if (days == 0)
        {
          path_push (walker, "byday");
          return fail (walker, error, "'%s' is not a list of days such as MO,TU,WE", byday);
        }
      if (!parse_time (opens_at, &opens))
        {
          path_push (walker, "opens_at");
          return fail (walker, error, "'%s' is not a time such as 09:00", opens_at);
        }
      if (!parse_time (closes_at, &closes))
        {
          path_push (walker, "closes_at");
          return fail (walker, error, "'%s' is not a time such as 17:00", closes_at);
        }
      if (closes <= opens)
        {
          path_push (walker, "closes_at");
          return fail (walker, error, "%s is not after opens_at %s", closes_at, opens_at);
        }

      ww_provider_add_schedule (provider, ww_schedule_new (id, days, opens, closes));
      path_pop (walker, item);
    }
  path_pop (walker, old);

  return TRUE;
}

static gboolean
parse_location (Walker     *walker,
                JsonObject *object,
                WwProvider *provider,
                GError    **error)
{
  static const FieldMap location_fields[] = {
    { "id", WW_PROVIDER_LOCATION_ID, MAX_ID_LENGTH },
    { "name", WW_PROVIDER_LOCATION_NAME, MAX_SHORT_LENGTH },
  };
  static const FieldMap address_fields[] = {
    { "address_1", WW_PROVIDER_STREET, MAX_SHORT_LENGTH },
    { "postal_code", WW_PROVIDER_POSTAL_CODE, 16 },
    { "city", WW_PROVIDER_CITY, 100 },
    { "region", WW_PROVIDER_REGION, 100 },
    { "country", WW_PROVIDER_COUNTRY, 2 },
  };
  JsonArray *sals, *addresses;
  JsonObject *sal, *location, *address = NULL;
  JsonNode *lat_node, *lon_node;
  gsize old;

  if (!read_array (walker, object, "service_at_locations", &sals, error))
    return FALSE;

  old = path_push (walker, "service_at_locations");
  if (sals == NULL || json_array_get_length (sals) == 0)
    return fail (walker, error, "is missing: a service needs one location with an address");
  if (json_array_get_length (sals) > 1)
    return fail (walker, error,
                 "has %u locations; Wegwijzer keeps one location per service, "
                 "so give each location its own service record",
                 json_array_get_length (sals));

  path_push_index (walker, 0);
  if (!array_object (walker, sals, 0, &sal, error) ||
      !read_object (walker, sal, "location", TRUE, &location, error))
    return FALSE;

  path_push (walker, "location");
  if (!read_fields (walker, location, location_fields, G_N_ELEMENTS (location_fields),
                    provider, error))
    return FALSE;

  lat_node = json_object_get_member (location, "latitude");
  lon_node = json_object_get_member (location, "longitude");
  if ((lat_node == NULL || JSON_NODE_HOLDS_NULL (lat_node)) !=
      (lon_node == NULL || JSON_NODE_HOLDS_NULL (lon_node)))
    return fail (walker, error, "latitude and longitude: give both or neither");

  if (lat_node != NULL && !JSON_NODE_HOLDS_NULL (lat_node))
    {
      double lat, lon;
      gsize sub = path_push (walker, "latitude");

      if (!JSON_NODE_HOLDS_VALUE (lat_node) ||
          (json_node_get_value_type (lat_node) != G_TYPE_DOUBLE &&
           json_node_get_value_type (lat_node) != G_TYPE_INT64))
        return fail (walker, error, "must be a number");
      lat = json_node_get_double (lat_node);
      if (!(lat >= -90 && lat <= 90))
        return fail (walker, error, "%g is not between -90 and 90", lat);
      path_pop (walker, sub);

      sub = path_push (walker, "longitude");
      if (!JSON_NODE_HOLDS_VALUE (lon_node) ||
          (json_node_get_value_type (lon_node) != G_TYPE_DOUBLE &&
           json_node_get_value_type (lon_node) != G_TYPE_INT64))
        return fail (walker, error, "must be a number");
      lon = json_node_get_double (lon_node);
      if (!(lon >= -180 && lon <= 180))
        return fail (walker, error, "%g is not between -180 and 180", lon);
      path_pop (walker, sub);

      ww_provider_set_coordinates (provider, lat, lon);
    }

  if (!read_array (walker, location, "addresses", &addresses, error))
    return FALSE;

  {
    gsize sub = path_push (walker, "addresses");
    guint n = addresses ? json_array_get_length (addresses) : 0;

    if (n == 0)
      return fail (walker, error, "is missing: the location needs an address with a city");

    /* The physical address is where a visitor goes; take the first
     * physical one, or the first of all. */
    for (guint i = 0; i < n && address == NULL; i++)
      {
        JsonObject *candidate;
        const char *type;

        if (!array_object (walker, addresses, i, &candidate, error))
          return FALSE;
        type = json_object_get_string_member_with_default (candidate, "address_type", NULL);
        if (type == NULL || g_strcmp0 (type, "physical") == 0)
          {
            path_push_index (walker, i);
            address = candidate;
          }
      }
    if (address == NULL)
      {
        if (!array_object (walker, addresses, 0, &address, error))
          return FALSE;
        path_push_index (walker, 0);
      }

    if (!read_fields (walker, address, address_fields, G_N_ELEMENTS (address_fields),
                      provider, error))
      return FALSE;
    if (ww_provider_get_city (provider) == NULL)
      {
        path_push (walker, "city");
        return fail (walker, error, "is missing");
      }
    path_pop (walker, sub);
  }

  path_pop (walker, old);
  return TRUE;
}

static gboolean
attribute_is_set (JsonObject *attribute)
{
  JsonNode *value = json_object_get_member (attribute, "value");

  if (value == NULL || JSON_NODE_HOLDS_NULL (value))
    return TRUE;
  if (json_node_get_value_type (value) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (value);
  if (json_node_get_value_type (value) == G_TYPE_STRING)
    return g_ascii_strcasecmp (json_node_get_string (value), "false") != 0;

  return TRUE;
}

static gboolean
parse_attributes (Walker     *walker,
                  JsonObject *object,
                  WwProvider *provider,
                  GError    **error)
{
  JsonArray *attributes;
  gsize old;

  if (!read_array (walker, object, "attributes", &attributes, error))
    return FALSE;
  if (attributes == NULL)
    return TRUE;

  old = path_push (walker, "attributes");
  for (guint i = 0; i < json_array_get_length (attributes); i++)
    {
      JsonObject *attribute, *term;
      const char *code, *taxonomy;
      gsize item = path_push_index (walker, i);

      if (!array_object (walker, attributes, i, &attribute, error) ||
          !read_object (walker, attribute, "taxonomy_term", TRUE, &term, error))
        return FALSE;

      path_push (walker, "taxonomy_term");
      if (!read_string (walker, term, "code", MAX_ID_LENGTH, TRUE, &code, error) ||
          !read_string (walker, term, "taxonomy", MAX_ID_LENGTH, FALSE, &taxonomy, error))
        return FALSE;

      if (g_strcmp0 (taxonomy, WW_TAXONOMY_THEME) == 0 ||
          g_strcmp0 (taxonomy, WW_TAXONOMY_CATEGORY) == 0)
        {
          WwProviderField field = g_strcmp0 (taxonomy, WW_TAXONOMY_THEME) == 0
                                  ? WW_PROVIDER_THEME : WW_PROVIDER_CATEGORY;
          const char *before = ww_provider_get_field (provider, field);

          if (before != NULL && strcmp (before, code) != 0)
            return fail (walker, error,
                         "a second '%s' term ('%s' after '%s'); a service has one",
                         taxonomy, code, before);
          ww_provider_set_field (provider, field, code);
        }
      else if (g_strcmp0 (taxonomy, WW_TAXONOMY_FACTS) == 0)
        {
          if (strcmp (code, WW_ATTRIBUTE_SAMPLE) == 0)
            ww_provider_set_sample (provider, attribute_is_set (attribute));
          else if (!ww_attribute_is_known (code))
            {
              g_autofree char *known = g_strjoinv (", ", (char **) ww_attribute_get_all ());
              path_push (walker, "code");
              return fail (walker, error, "'%s' is not a known fact; use one of %s, %s",
                           code, known, WW_ATTRIBUTE_SAMPLE);
            }
          else if (attribute_is_set (attribute))
            ww_provider_add_attribute (provider, code);
        }
      /* Terms of other taxonomies are not ours to keep. */

      path_pop (walker, item);
    }
  path_pop (walker, old);

  return TRUE;
}

WwProvider *
ww_hsds_provider_from_json (JsonNode   *node,
                            const char *default_theme,
                            GError    **error)
{
  static const FieldMap service_fields[] = {
    { "name", WW_PROVIDER_NAME, MAX_SHORT_LENGTH },
    { "description", WW_PROVIDER_DESCRIPTION, MAX_TEXT_LENGTH },
    { "url", WW_PROVIDER_URL, MAX_SHORT_LENGTH },
    { "email", WW_PROVIDER_EMAIL, MAX_SHORT_LENGTH },
    { "status", WW_PROVIDER_STATUS, 32 },
    { "assured_date", WW_PROVIDER_ASSURED_DATE, 10 },
    { "assurer_email", WW_PROVIDER_ASSURER_EMAIL, MAX_SHORT_LENGTH },
  };
  static const FieldMap organization_fields[] = {
    { "id", WW_PROVIDER_ORGANIZATION_ID, MAX_ID_LENGTH },
    { "name", WW_PROVIDER_ORGANIZATION_NAME, MAX_SHORT_LENGTH },
    { "description", WW_PROVIDER_ORGANIZATION_DESCRIPTION, MAX_TEXT_LENGTH },
    { "website", WW_PROVIDER_ORGANIZATION_WEBSITE, MAX_SHORT_LENGTH },
  };
  static const char *statuses[] = { "active", "inactive", "defunct", "temporarily closed", NULL };
  g_autoptr(WwProvider) provider = ww_provider_new ();
  g_autoptr(GString) path = g_string_new (NULL);
  Walker walker = { path };
  JsonObject *object, *organization;
  JsonArray *phones, *languages;
  const char *id, *value;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error_literal (error, WW_HSDS_ERROR, WW_HSDS_ERROR_INVALID_RECORD,
                           "not a service object");
      return NULL;
    }
  object = json_node_get_object (node);

  if (!read_string (&walker, object, "id", MAX_ID_LENGTH, TRUE, &id, error))
    return NULL;
  ww_provider_set_field (provider, WW_PROVIDER_ID, id);

  if (!read_fields (&walker, object, service_fields, G_N_ELEMENTS (service_fields),
                    provider, error))
    return NULL;

  if (ww_provider_get_name (provider) == NULL)
    {
      path_push (&walker, "name");
      fail (&walker, error, "is missing");
      return NULL;
    }

  value = ww_provider_get_field (provider, WW_PROVIDER_STATUS);
  if (value != NULL && !g_strv_contains (statuses, value))
    {
      path_push (&walker, "status");
      fail (&walker, error, "'%s' is not active, inactive, defunct or temporarily closed", value);
      return NULL;
    }

  value = ww_provider_get_field (provider, WW_PROVIDER_ASSURED_DATE);
  if (value != NULL && !is_iso_date (value))
    {
      path_push (&walker, "assured_date");
      fail (&walker, error, "'%s' is not a date such as 2026-05-31", value);
      return NULL;
    }

  if (!read_object (&walker, object, "organization", FALSE, &organization, error))
    return NULL;
  if (organization != NULL)
    {
      path_push (&walker, "organization");
      if (!read_fields (&walker, organization, organization_fields,
                        G_N_ELEMENTS (organization_fields), provider, error))
        return NULL;
      g_string_truncate (path, 0);
    }

  if (!read_array (&walker, object, "phones", &phones, error))
    return NULL;
  if (phones != NULL && json_array_get_length (phones) > 0)
    {
      static const FieldMap phone_fields[] = {
        { "number", WW_PROVIDER_PHONE, 40 },
        { "type", WW_PROVIDER_PHONE_TYPE, 32 },
      };
      JsonObject *phone;

      path_push (&walker, "phones");
      path_push_index (&walker, 0);
      if (!array_object (&walker, phones, 0, &phone, error) ||
          !read_fields (&walker, phone, phone_fields, G_N_ELEMENTS (phone_fields),
                        provider, error))
        return NULL;
      if (ww_provider_get_field (provider, WW_PROVIDER_PHONE) == NULL)
        {
          path_push (&walker, "number");
          fail (&walker, error, "is missing");
          return NULL;
        }
      g_string_truncate (path, 0);
    }

  if (!read_array (&walker, object, "languages", &languages, error))
    return NULL;
  for (guint i = 0; languages != NULL && i < json_array_get_length (languages); i++)
    {
      JsonObject *language;
      const char *code;

      path_push (&walker, "languages");
      path_push_index (&walker, i);
      if (!array_object (&walker, languages, i, &language, error) ||
          !read_string (&walker, language, "code", 3, TRUE, &code, error))
        return NULL;
      if (!is_language_code (code))
        {
          path_push (&walker, "code");
          fail (&walker, error, "'%s' is not a two- or three-letter language code such as nl", code);
          return NULL;
        }
      ww_provider_add_language (provider, code);
      g_string_truncate (path, 0);
    }

  if (!parse_schedules (&walker, object, provider, error) ||
      !parse_location (&walker, object, provider, error) ||
      !parse_attributes (&walker, object, provider, error))
    return NULL;

  if (ww_provider_get_theme (provider) == NULL)
    {
      if (default_theme == NULL)
        {
          g_set_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_INVALID_RECORD,
                       "attributes: no '%s' term names the theme, and no default theme was given",
                       WW_TAXONOMY_THEME);
          return NULL;
        }
      ww_provider_set_field (provider, WW_PROVIDER_THEME, default_theme);
    }

  if (ww_provider_get_category (provider) == NULL)
    {
      g_set_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_INVALID_RECORD,
                   "attributes: no '%s' term names the category", WW_TAXONOMY_CATEGORY);
      return NULL;
    }

  return g_steal_pointer (&provider);
}

static gboolean
add_record (GPtrArray   *providers,
            GHashTable  *seen,
            JsonNode    *node,
            guint        number,
            const char  *default_theme,
            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  WwProvider *provider;
  const char *id;

  provider = ww_hsds_provider_from_json (node, default_theme, &local_error);
  if (provider == NULL)
    {
      g_set_error (error, WW_HSDS_ERROR, local_error->code,
                   "record %u: %s", number, local_error->message);
      return FALSE;
    }

  g_ptr_array_add (providers, provider);
  id = ww_provider_get_id (provider);
  if (g_hash_table_contains (seen, id))
    {
      g_set_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_DUPLICATE_ID,
                   "record %u: id: '%s' is also record %u",
                   number, id, GPOINTER_TO_UINT (g_hash_table_lookup (seen, id)));
      return FALSE;
    }
  g_hash_table_insert (seen, (gpointer) id, GUINT_TO_POINTER (number));

  return TRUE;
}

static GPtrArray *
parse_array (const char *data,
             gsize       length,
             const char *default_theme,
             GError    **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GPtrArray) providers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) local_error = NULL;
  JsonArray *array;

  if (!json_parser_load_from_data (parser, data, length, &local_error))
    {
      g_set_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_SYNTAX,
                   "not valid JSON: %s", local_error->message);
      return NULL;
    }

  array = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (!add_record (providers, seen, json_array_get_element (array, i),
                     i + 1, default_theme, error))
      return NULL;

  return g_steal_pointer (&providers);
}

static GPtrArray *
parse_lines (const char *data,
             gsize       length,
             const char *default_theme,
             GError    **error)
{
  g_autoptr(GPtrArray) providers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  const char *end = data + length;
  guint line = 0;
  guint record = 0;

  for (const char *p = data; p < end; )
    {
      const char *newline = memchr (p, '\n', end - p);
      const char *line_end = newline ? newline : end;
      g_autoptr(JsonParser) parser = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autofree char *text = g_strndup (p, line_end - p);

      line++;
      p = newline ? newline + 1 : end;

      if (*g_strstrip (text) == '\0')
        continue;

      record++;
      parser = json_parser_new_immutable ();
      if (!json_parser_load_from_data (parser, text, -1, &local_error))
        {
          g_set_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_SYNTAX,
                       "record %u (line %u): not valid JSON: %s",
                       record, line, local_error->message);
          return NULL;
        }

      if (!add_record (providers, seen, json_parser_get_root (parser),
                       record, default_theme, error))
        return NULL;
    }

  return g_steal_pointer (&providers);
}

GPtrArray *
ww_hsds_parse_bytes (GBytes      *bytes,
                     const char  *default_theme,
                     GError     **error)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  gsize start = 0;

  if (data == NULL)
    data = "";

  if (!g_utf8_validate_len (data, length, NULL))
    {
      g_set_error_literal (error, WW_HSDS_ERROR, WW_HSDS_ERROR_SYNTAX,
                           "not valid JSON: the file is not UTF-8 text");
      return NULL;
    }

  while (start < length && g_ascii_isspace (data[start]))
    start++;

  if (start == length)
    {
      g_set_error_literal (error, WW_HSDS_ERROR, WW_HSDS_ERROR_SYNTAX,
                           "the file is empty; expected a JSON array of services or one service per line");
      return NULL;
    }

  /* A JSON array, or NDJSON: one service object a line. */
  if (data[start] == '[')
    return parse_array (data, length, default_theme, error);
  if (data[start] == '{')
    return parse_lines (data, length, default_theme, error);

  g_set_error_literal (error, WW_HSDS_ERROR, WW_HSDS_ERROR_SYNTAX,
                       "expected a JSON array of services or one service object per line");
  return NULL;
}

GPtrArray *
ww_hsds_parse_stream (GInputStream  *stream,
                      const char    *default_theme,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GBytes) bytes = NULL;

  if (g_output_stream_splice (memory, stream,
                              G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                              cancellable, error) < 0)
    return NULL;

  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
  return ww_hsds_parse_bytes (bytes, default_theme, error);
}

GPtrArray *
ww_hsds_parse_file (GFile         *file,
                    const char    *default_theme,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(GBytes) bytes = g_file_load_bytes (file, cancellable, NULL, error);

  if (bytes == NULL)
    return NULL;

  return ww_hsds_parse_bytes (bytes, default_theme, error);
}

/* Ids for the nested objects we do not keep, made from the service id so
 * that an export is the same every time. */
static char *
derived_id (WwProvider *provider,
            const char *what,
            guint       index)
{
  g_autofree char *key = g_strdup_printf ("%s/%s/%u", ww_provider_get_id (provider), what, index);
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA1, key, -1);

  return g_strdup_printf ("%.8s-%.4s-5%.3s-8%.3s-%.12s", sum, sum + 8, sum + 13, sum + 17, sum + 20);
}

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  if (value == NULL)
    return;

  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value);
}

static void
add_attribute (JsonBuilder *builder,
               WwProvider  *provider,
               guint        index,
               const char  *taxonomy,
               const char  *code,
               const char  *value)
{
  g_autofree char *id = derived_id (provider, "attribute", index);
  g_autofree char *term_id = NULL;
  g_autofree char *key = g_strdup_printf ("%s/%s", taxonomy, code);

  term_id = g_compute_checksum_for_string (G_CHECKSUM_SHA1, key, -1);

  json_builder_begin_object (builder);
  add_string (builder, "id", id);
  add_string (builder, "link_type", "service");
  add_string (builder, "value", value);
  json_builder_set_member_name (builder, "taxonomy_term");
  json_builder_begin_object (builder);
  add_string (builder, "id", term_id);
  add_string (builder, "code", code);
  add_string (builder, "taxonomy", taxonomy);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
}

JsonNode *
ww_hsds_provider_to_json (WwProvider *provider)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  GPtrArray *schedules = ww_provider_get_schedules (provider);
  const char *const *languages = ww_provider_get_languages (provider);
  const char *const *attributes = ww_provider_get_attributes (provider);
  double latitude, longitude;
  guint n_attributes = 0;

#define FIELD(member, field) add_string (builder, member, ww_provider_get_field (provider, field))

  json_builder_begin_object (builder);
  FIELD ("id", WW_PROVIDER_ID);
  FIELD ("name", WW_PROVIDER_NAME);
  FIELD ("description", WW_PROVIDER_DESCRIPTION);
  FIELD ("url", WW_PROVIDER_URL);
  FIELD ("email", WW_PROVIDER_EMAIL);
  FIELD ("status", WW_PROVIDER_STATUS);
  FIELD ("assured_date", WW_PROVIDER_ASSURED_DATE);
  FIELD ("assurer_email", WW_PROVIDER_ASSURER_EMAIL);

  if (ww_provider_get_field (provider, WW_PROVIDER_ORGANIZATION_ID) != NULL ||
      ww_provider_get_field (provider, WW_PROVIDER_ORGANIZATION_NAME) != NULL)
    {
      json_builder_set_member_name (builder, "organization");
      json_builder_begin_object (builder);
      FIELD ("id", WW_PROVIDER_ORGANIZATION_ID);
      FIELD ("name", WW_PROVIDER_ORGANIZATION_NAME);
      FIELD ("description", WW_PROVIDER_ORGANIZATION_DESCRIPTION);
      FIELD ("website", WW_PROVIDER_ORGANIZATION_WEBSITE);
      json_builder_end_object (builder);
    }

  json_builder_set_member_name (builder, "phones");
  json_builder_begin_array (builder);
  if (ww_provider_get_field (provider, WW_PROVIDER_PHONE) != NULL)
    {
      g_autofree char *id = derived_id (provider, "phone", 0);

      json_builder_begin_object (builder);
      add_string (builder, "id", id);
      FIELD ("number", WW_PROVIDER_PHONE);
      FIELD ("type", WW_PROVIDER_PHONE_TYPE);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "languages");
  json_builder_begin_array (builder);
  for (guint i = 0; languages[i] != NULL; i++)
    {
      g_autofree char *id = derived_id (provider, "language", i);

      json_builder_begin_object (builder);
      add_string (builder, "id", id);
      add_string (builder, "name", ww_language_get_name (languages[i]));
      add_string (builder, "code", languages[i]);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "schedules");
  json_builder_begin_array (builder);
  for (guint i = 0; i < schedules->len; i++)
    {
      const WwSchedule *schedule = g_ptr_array_index (schedules, i);
      g_autofree char *byday = ww_days_to_string (schedule->days);
      g_autofree char *opens = g_strdup_printf ("%02u:%02u", schedule->opens / 60, schedule->opens % 60);
      g_autofree char *closes = g_strdup_printf ("%02u:%02u", schedule->closes / 60, schedule->closes % 60);

      json_builder_begin_object (builder);
      add_string (builder, "id", schedule->id);
      add_string (builder, "freq", "WEEKLY");
      add_string (builder, "byday", byday);
      add_string (builder, "opens_at", opens);
      add_string (builder, "closes_at", closes);
      add_string (builder, "timezone", "Europe/Amsterdam");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "service_at_locations");
  json_builder_begin_array (builder);
  {
    g_autofree char *sal_id = derived_id (provider, "service_at_location", 0);
    g_autofree char *address_id = derived_id (provider, "address", 0);

    json_builder_begin_object (builder);
    add_string (builder, "id", sal_id);
    json_builder_set_member_name (builder, "location");
    json_builder_begin_object (builder);
    FIELD ("id", WW_PROVIDER_LOCATION_ID);
    add_string (builder, "location_type", "physical");
    FIELD ("name", WW_PROVIDER_LOCATION_NAME);
    if (ww_provider_get_coordinates (provider, &latitude, &longitude))
      {
        json_builder_set_member_name (builder, "latitude");
        json_builder_add_double_value (builder, latitude);
        json_builder_set_member_name (builder, "longitude");
        json_builder_add_double_value (builder, longitude);
      }
    json_builder_set_member_name (builder, "addresses");
    json_builder_begin_array (builder);
    json_builder_begin_object (builder);
    add_string (builder, "id", address_id);
    FIELD ("address_1", WW_PROVIDER_STREET);
    FIELD ("city", WW_PROVIDER_CITY);
    FIELD ("region", WW_PROVIDER_REGION);
    FIELD ("postal_code", WW_PROVIDER_POSTAL_CODE);
    FIELD ("country", WW_PROVIDER_COUNTRY);
    add_string (builder, "address_type", "physical");
    json_builder_end_object (builder);
    json_builder_end_array (builder);
    json_builder_end_object (builder);
    json_builder_end_object (builder);
  }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "attributes");
  json_builder_begin_array (builder);
  add_attribute (builder, provider, n_attributes++, WW_TAXONOMY_THEME,
                 ww_provider_get_theme (provider), ww_provider_get_theme (provider));
  add_attribute (builder, provider, n_attributes++, WW_TAXONOMY_CATEGORY,
                 ww_provider_get_category (provider), ww_provider_get_category (provider));
  for (guint i = 0; attributes[i] != NULL; i++)
    add_attribute (builder, provider, n_attributes++, WW_TAXONOMY_FACTS, attributes[i], "true");
  if (ww_provider_get_sample (provider))
    add_attribute (builder, provider, n_attributes++, WW_TAXONOMY_FACTS,
                   WW_ATTRIBUTE_SAMPLE, "true");
  json_builder_end_array (builder);

  json_builder_end_object (builder);

#undef FIELD

  return json_builder_get_root (builder);
}

char *
ww_hsds_provider_to_ndjson (WwProvider *provider)
{
  g_autoptr(JsonNode) node = ww_hsds_provider_to_json (provider);

  return json_to_string (node, FALSE);
}
