/* ww-booking.c
 *
 * A booking request as the kiosk builds it. Everything in it but the
 * provider id and the choice answers is personal, so the strings are
 * overwritten before they are freed and nothing here logs a value.
 *
 * The error messages and the fixed preview labels are English for now:
 * the booking pages translate by error code, and the strings move into
 * po/ when those pages land (the po test wants every string translated).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-booking"

#include "config.h"

#include <string.h>

#include "ww-booking.h"
#include "ww-error.h"
#include "ww-text.h"

#define PHONE_MIN_DIGITS 6
#define PHONE_MAX_DIGITS 20

struct _WwBookingRequest
{
  GObject          parent_instance;

  char            *id;
  char            *idempotency_key;
  char            *provider_id;
  GHashTable      *fields;          /* field id → value, both owned */
  WwContactMethod  contact_method;
  char            *contact_value;
  char            *name;
  char            *language;
  WwDayParts       day_parts;
  gboolean         consent;
  GPtrArray       *preview;         /* WwBookingPreviewLine *, or NULL */
};

G_DEFINE_FINAL_TYPE (WwBookingRequest, ww_booking_request, G_TYPE_OBJECT)

static const struct {
  WwContactMethod  method;
  const char      *string;
} contact_methods[] = {
  { WW_CONTACT_METHOD_NONE,           "none" },
  { WW_CONTACT_METHOD_PHONE,          "phone" },
  { WW_CONTACT_METHOD_EMAIL,          "email" },
  { WW_CONTACT_METHOD_SMS,            "sms" },
  { WW_CONTACT_METHOD_VIA_CASEWORKER, "via-caseworker" },
};

static const struct {
  WwDayParts  part;
  const char *id;
  const char *label;
} day_parts[] = {
  { WW_DAY_PART_MORNING,   "morning",   "Morning" },
  { WW_DAY_PART_AFTERNOON, "afternoon", "Afternoon" },
  { WW_DAY_PART_EVENING,   "evening",   "Evening" },
};

const char *
ww_contact_method_to_string (WwContactMethod method)
{
  for (guint i = 0; i < G_N_ELEMENTS (contact_methods); i++)
    if (contact_methods[i].method == method)
      return contact_methods[i].string;

  g_return_val_if_reached (NULL);
}

gboolean
ww_contact_method_from_string (const char      *string,
                               WwContactMethod *method)
{
  g_return_val_if_fail (method != NULL, FALSE);

  for (guint i = 0; string != NULL && i < G_N_ELEMENTS (contact_methods); i++)
    if (g_str_equal (contact_methods[i].string, string))
      {
        *method = contact_methods[i].method;
        return TRUE;
      }

  return FALSE;
}

/* Overwrites a string before freeing it; the volatile pointer keeps the
 * compiler from dropping stores to memory that is about to be freed. */
static void
wipe_string (gpointer data)
{
  volatile char *p = data;

  if (p == NULL)
    return;
  while (*p != '\0')
    *p++ = '\0';
  g_free (data);
}

static void
replace_personal (char       **slot,
                  const char  *value)
{
  char *copy = g_strdup (value);

  wipe_string (*slot);
  *slot = copy;
}

void
ww_booking_preview_line_free (WwBookingPreviewLine *line)
{
  if (line == NULL)
    return;
  wipe_string (line->label);
  wipe_string (line->value);
  g_free (line);
}

static void
ww_booking_request_finalize (GObject *object)
{
  WwBookingRequest *self = WW_BOOKING_REQUEST (object);

  g_free (self->id);
  g_free (self->idempotency_key);
  g_free (self->provider_id);
  g_hash_table_unref (self->fields);
  wipe_string (self->contact_value);
  wipe_string (self->name);
  g_free (self->language);
  g_clear_pointer (&self->preview, g_ptr_array_unref);

  G_OBJECT_CLASS (ww_booking_request_parent_class)->finalize (object);
}

static void
ww_booking_request_class_init (WwBookingRequestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ww_booking_request_finalize;
}

static void
ww_booking_request_init (WwBookingRequest *self)
{
  self->id = g_uuid_string_random ();
  /* Its own UUID rather than the id: the key goes in a header that
   * proxies may log, and says nothing about the booking but that. */
  self->idempotency_key = g_uuid_string_random ();
  self->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, wipe_string);
  self->contact_method = WW_CONTACT_METHOD_NONE;
  self->language = g_strdup (ww_get_language ());
}

WwBookingRequest *
ww_booking_request_new (const char *provider_id)
{
  WwBookingRequest *self = g_object_new (WW_TYPE_BOOKING_REQUEST, NULL);

  self->provider_id = g_strdup (provider_id);

  return self;
}

const char *
ww_booking_request_get_id (WwBookingRequest *self)
{
  g_return_val_if_fail (WW_IS_BOOKING_REQUEST (self), NULL);

  return self->id;
}

const char *
ww_booking_request_get_idempotency_key (WwBookingRequest *self)
{
  g_return_val_if_fail (WW_IS_BOOKING_REQUEST (self), NULL);

  return self->idempotency_key;
}

const char *
ww_booking_request_get_provider_id (WwBookingRequest *self)
{
  g_return_val_if_fail (WW_IS_BOOKING_REQUEST (self), NULL);

  return self->provider_id;
}

void
ww_booking_request_set_field (WwBookingRequest *self,
                              const char       *field_id,
                              const char       *value)
{
  g_return_if_fail (WW_IS_BOOKING_REQUEST (self));
  g_return_if_fail (field_id != NULL);

  if (value == NULL || *value == '\0')
    g_hash_table_remove (self->fields, field_id);
  else
    g_hash_table_replace (self->fields, g_strdup (field_id), g_strdup (value));
}

const char *
ww_booking_request_get_field (WwBookingRequest *self,
                              const char       *field_id)
{
  g_return_val_if_fail (WW_IS_BOOKING_REQUEST (self), NULL);
  g_return_val_if_fail (field_id != NULL, NULL);

  return g_hash_table_lookup (self->fields, field_id);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

const char **
ww_booking_request_get_field_ids (WwBookingRequest *self)
{
  const char **ids;
  guint n_ids = 0;

  g_return_val_if_fail (WW_IS_BOOKING_REQUEST (self), NULL);

  /* sorted, so that the same request always makes the same body */
  ids = (const char **) g_hash_table_get_keys_as_array (self->fields, &n_ids);
  qsort (ids, n_ids, sizeof (char *), compare_strings);

  return ids;
}

void
ww_booking_request_set_contact (WwBookingRequest *self,
                                WwContactMethod   method,
                                const char       *value)
{
  g_return_if_fail (WW_IS_BOOKING_REQUEST (self));

  self->contact_method = method;
  replace_personal (&self->contact_value, value != NULL && *value != '\0' ? value : NULL);
}

WwContactMethod
ww_booking_request_get_contact_method (WwBookingRequest *self)
{
  g_return_val_if_fail (WW_IS_BOOKING_REQUEST (self), WW_CONTACT_METHOD_NONE);

  return self->contact_method;
}

const char *
ww_booking_request_get_contact_value (WwBookingRequest *self)
{
  g_return_val_if_fail (WW_IS_BOOKING_REQUEST (self), NULL);

  return self->contact_value;
}

void
ww_booking_request_set_name (WwBookingRequest *self,
                             const char       *name)
{
  g_return_if_fail (WW_IS_BOOKING_REQUEST (self));

  replace_personal (&self->name, name);
}

const char *
ww_booking_request_get_name (WwBookingRequest *self)
{
  g_return_val_if_fail (WW_IS_BOOKING_REQUEST (self), NULL);

  return self->name;
}

void
ww_booking_request_set_language (WwBookingRequest *self,
                                 const char       *language)
{
  g_return_if_fail (WW_IS_BOOKING_REQUEST (self));
  g_return_if_fail (language != NULL);

  g_free (self->language);
  self->language = g_strdup (language);
}

const char *
ww_booking_request_get_language (WwBookingRequest *self)
{
  g_return_val_if_fail (WW_IS_BOOKING_REQUEST (self), NULL);

  return self->language;
}

void
ww_booking_request_set_consent (WwBookingRequest *self,
                                gboolean          consent)
{
  g_return_if_fail (WW_IS_BOOKING_REQUEST (self));

  self->consent = !!consent;
}

gboolean
ww_booking_request_get_consent (WwBookingRequest *self)
{
  g_return_val_if_fail (WW_IS_BOOKING_REQUEST (self), FALSE);

  return self->consent;
}

void
ww_booking_request_set_day_parts (WwBookingRequest *self,
                                  WwDayParts        parts)
{
  g_return_if_fail (WW_IS_BOOKING_REQUEST (self));

  self->day_parts = parts & (WW_DAY_PART_MORNING | WW_DAY_PART_AFTERNOON | WW_DAY_PART_EVENING);
}

WwDayParts
ww_booking_request_get_day_parts (WwBookingRequest *self)
{
  g_return_val_if_fail (WW_IS_BOOKING_REQUEST (self), WW_DAY_PART_NONE);

  return self->day_parts;
}

/* Validation. Each message starts with what the person sees on the form
 * (the field's label), so the page can show it next to that field. */

static gboolean
check_text (const char  *label,
            const char  *value,
            gboolean     multiline,
            guint        max_chars,
            GError     **error)
{
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error (error, WW_BOOKING_ERROR, WW_BOOKING_ERROR_INVALID_TEXT,
                   "%s: the text has characters that cannot be read; please type it again",
                   label);
      return FALSE;
    }

  for (const char *p = value; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if ((c == '\n' || c == '\t') && multiline)
        continue;
      if (g_unichar_iscntrl (c))
        {
          g_set_error (error, WW_BOOKING_ERROR, WW_BOOKING_ERROR_INVALID_TEXT,
                       multiline ? "%s: the text has control characters; please remove them"
                                 : "%s: keep it to one line without control characters",
                       label);
          return FALSE;
        }
    }

  if (g_utf8_strlen (value, -1) > (glong) max_chars)
    {
      g_set_error (error, WW_BOOKING_ERROR, WW_BOOKING_ERROR_TOO_LONG,
                   "%s: use at most %u characters; this has %ld",
                   label, max_chars, g_utf8_strlen (value, -1));
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_phone (const char  *label,
             const char  *value,
             GError     **error)
{
  guint digits = 0;
  gboolean seen_other = FALSE;

  for (const char *p = value; *p != '\0'; p++)
    {
      if (g_ascii_isdigit (*p))
        digits++;
      else if (*p == '+' && !seen_other && digits == 0)
        ;  /* only the country prefix: "+31 6 …" */
      else if (*p != ' ' && *p != '-')
        {
          g_set_error (error, WW_BOOKING_ERROR, WW_BOOKING_ERROR_INVALID_PHONE,
                       "%s: use digits, spaces, dashes and a + at the start only",
                       label);
          return FALSE;
        }
      if (*p != ' ')
        seen_other = TRUE;
    }

  if (digits < PHONE_MIN_DIGITS || digits > PHONE_MAX_DIGITS)
    {
      g_set_error (error, WW_BOOKING_ERROR, WW_BOOKING_ERROR_INVALID_PHONE,
                   "%s: a phone number has %d to %d digits; this one has %u",
                   label, PHONE_MIN_DIGITS, PHONE_MAX_DIGITS, digits);
      return FALSE;
    }

  return TRUE;
}

/* Plausible, not verified: one @ with something before it, and a dot in
 * the part after it with something on both sides. */
static gboolean
check_email (const char  *label,
             const char  *value,
             GError     **error)
{
  const char *at = strchr (value, '@');
  const char *dot = at != NULL ? strrchr (at, '.') : NULL;

  if (at == NULL || at == value || strchr (at + 1, '@') != NULL ||
      dot == NULL || dot == at + 1 || dot[1] == '\0' ||
      strpbrk (value, " \t\r\n,;<>") != NULL)
    {
      g_set_error (error, WW_BOOKING_ERROR, WW_BOOKING_ERROR_INVALID_EMAIL,
                   "%s: this does not look like an email address (name@example.nl)",
                   label);
      return FALSE;
    }

  return TRUE;
}

static gboolean
form_field_has_choice (WwFormField *field,
                       const char  *choice_id)
{
  for (guint i = 0; i < ww_form_field_get_n_choices (field); i++)
    if (g_str_equal (ww_form_field_get_choice_id (field, i), choice_id))
      return TRUE;

  return FALSE;
}

static gboolean
check_field (WwFormField  *field,
             const char   *value,
             GError      **error)
{
  const char *label = ww_form_field_get_label (field);
  guint max_chars = ww_form_field_get_max_length (field);
  WwFormFieldType type = ww_form_field_get_field_type (field);

  if (max_chars == 0 || max_chars > WW_BOOKING_FIELD_MAX_CHARS)
    max_chars = WW_BOOKING_FIELD_MAX_CHARS;

  switch (type)
    {
    case WW_FORM_FIELD_CHOICE:
    case WW_FORM_FIELD_MULTI_CHOICE:
      {
        g_auto(GStrv) ids = g_strsplit (value, ",", -1);
        guint n_ids = g_strv_length (ids);

        if (type == WW_FORM_FIELD_CHOICE && n_ids != 1)
          {
            g_set_error (error, WW_BOOKING_ERROR, WW_BOOKING_ERROR_INVALID_CHOICE,
                         "%s: choose one of the answers offered", label);
            return FALSE;
          }
        for (guint i = 0; i < n_ids; i++)
          {
            gboolean repeated = FALSE;

            for (guint j = 0; j < i; j++)
              repeated |= g_str_equal (ids[i], ids[j]);
            if (repeated || !form_field_has_choice (field, ids[i]))
              {
                g_set_error (error, WW_BOOKING_ERROR, WW_BOOKING_ERROR_INVALID_CHOICE,
                             "%s: choose from the answers offered, each once", label);
                return FALSE;
              }
          }
        return TRUE;
      }
    case WW_FORM_FIELD_TEXT:
    case WW_FORM_FIELD_PHONE:
    case WW_FORM_FIELD_EMAIL:
      if (!check_text (label, value, FALSE, max_chars, error))
        return FALSE;
      if (type == WW_FORM_FIELD_PHONE)
        return check_phone (label, value, error);
      if (type == WW_FORM_FIELD_EMAIL)
        return check_email (label, value, error);
      return TRUE;
    case WW_FORM_FIELD_MULTILINE:
      return check_text (label, value, TRUE, max_chars, error);
    default:
      g_assert_not_reached ();
    }
}

static WwFormField *
find_form_field (GListModel *fields,
                 const char *field_id)
{
  for (guint i = 0; i < g_list_model_get_n_items (fields); i++)
    {
      g_autoptr(WwFormField) field = g_list_model_get_item (fields, i);

      if (g_str_equal (ww_form_field_get_id (field), field_id))
        return g_steal_pointer (&field);
    }

  return NULL;
}

static const char *
contact_label (WwContactMethod method)
{
  switch (method)
    {
    case WW_CONTACT_METHOD_PHONE:
      return "Phone number";
    case WW_CONTACT_METHOD_EMAIL:
      return "Email address";
    case WW_CONTACT_METHOD_SMS:
      return "Mobile number for text messages";
    case WW_CONTACT_METHOD_VIA_CASEWORKER:
      return "Caseworker";
    case WW_CONTACT_METHOD_NONE:
    default:
      return "How to reach you";
    }
}

static gboolean
check_contact (WwBookingRequest  *self,
               GError           **error)
{
  const char *label = contact_label (self->contact_method);
  const char *value = self->contact_value;

  switch (self->contact_method)
    {
    case WW_CONTACT_METHOD_NONE:
      if (value != NULL)
        {
          /* Nothing to reach the visitor by is kept when they chose not
           * to be reached; a stray value is a bug in the form. */
          g_set_error (error, WW_BOOKING_ERROR, WW_BOOKING_ERROR_UNEXPECTED_CONTACT,
                       "%s: you chose to check back with your code, so leave the "
                       "contact details empty", label);
          return FALSE;
        }
      return TRUE;
    case WW_CONTACT_METHOD_PHONE:
    case WW_CONTACT_METHOD_SMS:
    case WW_CONTACT_METHOD_EMAIL:
      if (value == NULL)
        {
          g_set_error (error, WW_BOOKING_ERROR, WW_BOOKING_ERROR_MISSING_CONTACT,
                       "%s: fill this in, or choose another way to be reached", label);
          return FALSE;
        }
      if (!check_text (label, value, FALSE, WW_BOOKING_CONTACT_MAX_CHARS, error))
        return FALSE;
      if (self->contact_method == WW_CONTACT_METHOD_EMAIL)
        return check_email (label, value, error);
      return check_phone (label, value, error);
    case WW_CONTACT_METHOD_VIA_CASEWORKER:
      /* optional: the caseworker's name or organisation */
      return value == NULL ||
             check_text (label, value, FALSE, WW_BOOKING_CONTACT_MAX_CHARS, error);
    default:
      g_set_error (error, WW_BOOKING_ERROR, WW_BOOKING_ERROR_MISSING_CONTACT,
                   "%s: choose how you want to be reached", label);
      return FALSE;
    }
}

static gboolean
check_name (const char  *name,
            GError     **error)
{
  g_autofree char *stripped = NULL;
  glong n_chars;

  if (name == NULL || !g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, WW_BOOKING_ERROR, WW_BOOKING_ERROR_INVALID_NAME,
                   "Name: fill in the name you want to be called by; "
                   "a working name is fine");
      return FALSE;
    }

  stripped = g_strstrip (g_strdup (name));
  n_chars = g_utf8_strlen (stripped, -1);
  if (n_chars < 1 || n_chars > WW_BOOKING_NAME_MAX_CHARS)
    {
      g_set_error (error, WW_BOOKING_ERROR, WW_BOOKING_ERROR_INVALID_NAME,
                   "Name: use 1 to %d characters; a working name is fine",
                   WW_BOOKING_NAME_MAX_CHARS);
      wipe_string (g_steal_pointer (&stripped));
      return FALSE;
    }
  wipe_string (g_steal_pointer (&stripped));

  return check_text ("Name", name, FALSE, WW_BOOKING_NAME_MAX_CHARS, error);
}

/**
 * ww_booking_request_validate:
 * @plugin: the theme of the provider; its form fields say what may and
 *   must be filled in
 *
 * Checks the request the way the relay will, so that the visitor hears
 * about a mistake on the form rather than after sending.
 *
 * Returns: %TRUE when it can be sent; otherwise a #WW_BOOKING_ERROR whose
 *   message starts with the label of the field at fault
 */
gboolean
ww_booking_request_validate (WwBookingRequest  *self,
                             WwPlugin          *plugin,
                             GError           **error)
{
  GListModel *fields;
  g_autofree const char **ids = NULL;

  g_return_val_if_fail (WW_IS_BOOKING_REQUEST (self), FALSE);
  g_return_val_if_fail (WW_IS_PLUGIN (plugin), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  fields = ww_plugin_get_form_fields (plugin);

  if (self->provider_id == NULL || *self->provider_id == '\0')
    {
      g_set_error (error, WW_BOOKING_ERROR, WW_BOOKING_ERROR_MISSING_PROVIDER,
                   "Provider: choose who the request is for");
      return FALSE;
    }

  ids = ww_booking_request_get_field_ids (self);
  for (guint i = 0; ids[i] != NULL; i++)
    {
      g_autoptr(WwFormField) field = find_form_field (fields, ids[i]);

      if (field == NULL)
        {
          /* the id is the plugin's, not the visitor's, so it may be named */
          g_set_error (error, WW_BOOKING_ERROR, WW_BOOKING_ERROR_UNKNOWN_FIELD,
                       "%s: the form of “%s” has no such question; "
                       "the form and the plugin do not match",
                       ids[i], ww_plugin_get_id (plugin));
          return FALSE;
        }
    }

  for (guint i = 0; i < g_list_model_get_n_items (fields); i++)
    {
      g_autoptr(WwFormField) field = g_list_model_get_item (fields, i);
      const char *value = g_hash_table_lookup (self->fields, ww_form_field_get_id (field));

      if (value == NULL)
        {
          if (ww_form_field_get_required (field))
            {
              g_set_error (error, WW_BOOKING_ERROR, WW_BOOKING_ERROR_MISSING_FIELD,
                           "%s: please answer this question",
                           ww_form_field_get_label (field));
              return FALSE;
            }
          continue;
        }

      if (!check_field (field, value, error))
        return FALSE;
    }

  if (!check_name (self->name, error))
    return FALSE;

  if (!check_contact (self, error))
    return FALSE;

  if (!self->consent)
    {
      g_set_error (error, WW_BOOKING_ERROR, WW_BOOKING_ERROR_NO_CONSENT,
                   "Consent: say that the provider may receive these details "
                   "before the request can be sent");
      return FALSE;
    }

  return TRUE;
}

/**
 * ww_booking_request_to_json:
 *
 * The body the relay gets: {provider_id, fields{}, contact{method, value?},
 * name, language, day_parts[], consent}. Field values are sorted by id so
 * the same request always gives the same bytes, which is what an
 * idempotency key compares.
 *
 * Returns: (transfer full): an object node
 */
JsonNode *
ww_booking_request_to_json (WwBookingRequest *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree const char **ids = NULL;

  g_return_val_if_fail (WW_IS_BOOKING_REQUEST (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "provider_id");
  json_builder_add_string_value (builder, self->provider_id);

  json_builder_set_member_name (builder, "fields");
  json_builder_begin_object (builder);
  ids = ww_booking_request_get_field_ids (self);
  for (guint i = 0; ids[i] != NULL; i++)
    {
      json_builder_set_member_name (builder, ids[i]);
      json_builder_add_string_value (builder, g_hash_table_lookup (self->fields, ids[i]));
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "contact");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "method");
  json_builder_add_string_value (builder, ww_contact_method_to_string (self->contact_method));
  if (self->contact_value != NULL && self->contact_method != WW_CONTACT_METHOD_NONE)
    {
      json_builder_set_member_name (builder, "value");
      json_builder_add_string_value (builder, self->contact_value);
    }
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, self->name);
  json_builder_set_member_name (builder, "language");
  json_builder_add_string_value (builder, self->language);

  json_builder_set_member_name (builder, "day_parts");
  json_builder_begin_array (builder);
  for (guint i = 0; i < G_N_ELEMENTS (day_parts); i++)
    if (self->day_parts & day_parts[i].part)
      json_builder_add_string_value (builder, day_parts[i].id);
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "consent");
  json_builder_add_boolean_value (builder, self->consent);

  /* what the visitor saw on the check page, line for line, so that the
   * provider sees the same */
  if (self->preview != NULL)
    {
      json_builder_set_member_name (builder, "preview");
      json_builder_begin_array (builder);
      for (guint i = 0; i < self->preview->len; i++)
        {
          WwBookingPreviewLine *line = g_ptr_array_index (self->preview, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "label");
          json_builder_add_string_value (builder, line->label);
          json_builder_set_member_name (builder, "value");
          json_builder_add_string_value (builder, line->value);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* Returns: (transfer full): the body as compact JSON text */
char *
ww_booking_request_to_json_string (WwBookingRequest *self)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (WW_IS_BOOKING_REQUEST (self), NULL);

  node = ww_booking_request_to_json (self);

  return json_to_string (node, FALSE);
}

static void
add_line (GPtrArray  *lines,
          const char *label,
          char       *value)
{
  WwBookingPreviewLine *line = g_new0 (WwBookingPreviewLine, 1);

  line->label = g_strdup (label);
  line->value = value;
  g_ptr_array_add (lines, line);
}

static char *
choice_labels (WwFormField *field,
               const char  *value)
{
  g_auto(GStrv) ids = g_strsplit (value, ",", -1);
  g_autoptr(GString) labels = g_string_new (NULL);

  for (guint i = 0; ids[i] != NULL; i++)
    for (guint j = 0; j < ww_form_field_get_n_choices (field); j++)
      if (g_str_equal (ww_form_field_get_choice_id (field, j), ids[i]))
        {
          if (labels->len > 0)
            g_string_append (labels, ", ");
          g_string_append (labels, ww_form_field_get_choice_label (field, j));
        }

  return g_string_free (g_steal_pointer (&labels), FALSE);
}

/**
 * ww_booking_request_dup_preview:
 * @plugin: the provider's theme, whose labels the provider sees
 *
 * What the provider will see, line by line, in the order of the form:
 * the plugin's questions that were answered (choices by their label),
 * then when suits, the name, how to reach the visitor and the language.
 * The confirmation page shows exactly this before asking for consent.
 *
 * Returns: (transfer full) (element-type WwBookingPreviewLine): the lines
 */
GPtrArray *
ww_booking_request_dup_preview (WwBookingRequest *self,
                                WwPlugin         *plugin)
{
  g_autoptr(GPtrArray) lines = NULL;
  GListModel *fields;
  g_autoptr(GString) when = NULL;
  const char *language_name;

  g_return_val_if_fail (WW_IS_BOOKING_REQUEST (self), NULL);
  g_return_val_if_fail (WW_IS_PLUGIN (plugin), NULL);

  lines = g_ptr_array_new_with_free_func ((GDestroyNotify) ww_booking_preview_line_free);
  fields = ww_plugin_get_form_fields (plugin);

  for (guint i = 0; i < g_list_model_get_n_items (fields); i++)
    {
      g_autoptr(WwFormField) field = g_list_model_get_item (fields, i);
      const char *value = g_hash_table_lookup (self->fields, ww_form_field_get_id (field));

      if (value == NULL)
        continue;

      switch (ww_form_field_get_field_type (field))
        {
        case WW_FORM_FIELD_CHOICE:
        case WW_FORM_FIELD_MULTI_CHOICE:
          add_line (lines, ww_form_field_get_label (field), choice_labels (field, value));
          break;
        case WW_FORM_FIELD_TEXT:
        case WW_FORM_FIELD_MULTILINE:
        case WW_FORM_FIELD_PHONE:
        case WW_FORM_FIELD_EMAIL:
        default:
          add_line (lines, ww_form_field_get_label (field), g_strdup (value));
          break;
        }
    }

  when = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (day_parts); i++)
    if (self->day_parts & day_parts[i].part)
      {
        if (when->len > 0)
          g_string_append (when, ", ");
        g_string_append (when, when->len > 0 ? day_parts[i].id : day_parts[i].label);
      }
  add_line (lines, "When suits", when->len > 0 ? g_string_free (g_steal_pointer (&when), FALSE)
                                               : g_strdup ("Any time of day"));

  add_line (lines, "Name", g_strdup (self->name));

  switch (self->contact_method)
    {
    case WW_CONTACT_METHOD_PHONE:
    case WW_CONTACT_METHOD_EMAIL:
    case WW_CONTACT_METHOD_SMS:
      add_line (lines, contact_label (self->contact_method), g_strdup (self->contact_value));
      break;
    case WW_CONTACT_METHOD_VIA_CASEWORKER:
      add_line (lines, "How to reach you",
                self->contact_value != NULL
                ? g_strdup_printf ("Through a caseworker: %s", self->contact_value)
                : g_strdup ("Through a caseworker"));
      break;
    case WW_CONTACT_METHOD_NONE:
    default:
      add_line (lines, "How to reach you",
                g_strdup ("Not directly: you check back with your reference code"));
      break;
    }

  language_name = ww_language_get_name (self->language);
  add_line (lines, "Language", g_strdup (language_name != NULL ? language_name : self->language));

  return g_steal_pointer (&lines);
}

/**
 * ww_booking_request_set_preview:
 * @lines: (nullable) (element-type WwBookingPreviewLine): what the check
 *   page showed the visitor, as ww_booking_request_dup_preview() gave it
 *   and in the words they read
 *
 * Sent with the request, so that the provider sees exactly these lines.
 */
void
ww_booking_request_set_preview (WwBookingRequest *self,
                                GPtrArray        *lines)
{
  g_return_if_fail (WW_IS_BOOKING_REQUEST (self));

  g_clear_pointer (&self->preview, g_ptr_array_unref);
  if (lines == NULL)
    return;

  self->preview = g_ptr_array_new_with_free_func ((GDestroyNotify) ww_booking_preview_line_free);
  for (guint i = 0; i < lines->len; i++)
    {
      const WwBookingPreviewLine *line = g_ptr_array_index (lines, i);
      WwBookingPreviewLine *copy = g_new0 (WwBookingPreviewLine, 1);

      copy->label = g_strdup (line->label);
      copy->value = g_strdup (line->value);
      g_ptr_array_add (self->preview, copy);
    }
}
