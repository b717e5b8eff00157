/* ww-relay-server.c: the relay's HTTP routes
 *
 * SoupServer runs on the thread-default main context; each handler
 * answers before it returns. The store is synchronous SQLite, so a slow
 * disk holds up other clients for the length of one commit: acceptable
 * while one relay serves a handful of kiosks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-relay-server"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "wegwijzer.h"
#include "ww-relay-server.h"

#define MAX_STRING_CHARS 2000
#define MAX_NAME_CHARS 80
#define MAX_JSON_DEPTH 8
#define MAX_HEADER_TOKEN 200
#define REFERENCE_LENGTH 8
#define PIN_DIGITS 6
#define SALT_BYTES 16

/* Easy to read aloud and to type from a slip of paper: no 0/O, 1/I/L. */
static const char reference_alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/* Why a request was refused with 401, as /metrics counts it. */
typedef enum {
  AUTH_FAILURE_UNSIGNED,
  AUTH_FAILURE_MALFORMED,
  AUTH_FAILURE_UNKNOWN_DEVICE,
  AUTH_FAILURE_REVOKED,
  AUTH_FAILURE_BAD_SIGNATURE,
  AUTH_FAILURE_CLOCK_SKEW,
  AUTH_FAILURE_REPLAYED,
  N_AUTH_FAILURES
} AuthFailure;

static const char * const auth_failure_names[N_AUTH_FAILURES] = {
  [AUTH_FAILURE_UNSIGNED] = "unsigned",
  [AUTH_FAILURE_MALFORMED] = "malformed",
  [AUTH_FAILURE_UNKNOWN_DEVICE] = "unknown-device",
  [AUTH_FAILURE_REVOKED] = "revoked",
  [AUTH_FAILURE_BAD_SIGNATURE] = "bad-signature",
  [AUTH_FAILURE_CLOCK_SKEW] = "clock-skew",
  [AUTH_FAILURE_REPLAYED] = "replayed",
};

/* Every route the relay serves, as data/openapi.yaml documents them; the
 * OpenAPI test reads this table from the source, so keep one route to a
 * line. The templates are also the route labels of /metrics. */
typedef enum {
  ROUTE_HEALTHZ,
  ROUTE_METRICS,
  ROUTE_BOOKINGS,
  ROUTE_BOOKING,
  N_ROUTES
} Route;

static const struct {
  const char *path;
  const char *method;
} routes[N_ROUTES] = {
  [ROUTE_HEALTHZ] = { "/healthz", "GET" },
  [ROUTE_METRICS] = { "/metrics", "GET" },
  [ROUTE_BOOKINGS] = { "/v1/bookings", "POST" },
  [ROUTE_BOOKING] = { "/v1/bookings/{reference}", "GET" },
};

#define BOOKING_PREFIX "/v1/bookings/"

/* libsoup has no name for it (RFC 6585) */
#define STATUS_TOO_MANY_REQUESTS 429

struct _WwRelayServer
{
  GObject           parent_instance;

  SoupServer       *soup;
  WwRelayStore     *store;
  gsize             max_body_bytes;
  guint             clock_skew;
  WwRelayClockFunc  clock;
  gpointer          clock_data;

  /* /metrics: counted since the start, as Prometheus counters are */
  GHashTable       *request_counts;   /* "route\tstatus" → guint64 * */
  guint64           bookings_created;
  guint64           auth_failures[N_AUTH_FAILURES];
  guint64           pin_lockouts;
};

G_DEFINE_FINAL_TYPE (WwRelayServer, ww_relay_server, G_TYPE_OBJECT)

/* The request body as the relay collects it: libsoup's own buffer is
 * switched off, so that a body over the limit is never held whole. */
typedef struct {
  GByteArray *data;
  gsize       max;
  gboolean    too_large;
} RequestBody;

static void
request_body_free (gpointer data)
{
  RequestBody *body = data;

  g_clear_pointer (&body->data, g_byte_array_unref);
  g_free (body);
}

static void
answer_json (SoupServerMessage *msg,
             guint              status,
             const char        *content_type,
             const char        *text)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY,
                                    text, strlen (text));
}

/* RFC 9457 problem details; @detail says what is wrong, for a person. */
static void
answer_problem (SoupServerMessage *msg,
                guint              status,
                const char        *slug,
                const char        *title,
                const char        *detail)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *type = g_strconcat ("urn:wegwijzer:problem:", slug, NULL);
  g_autofree char *text = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  json_builder_set_member_name (builder, "title");
  json_builder_add_string_value (builder, title);
  json_builder_set_member_name (builder, "status");
  json_builder_add_int_value (builder, status);
  json_builder_set_member_name (builder, "detail");
  json_builder_add_string_value (builder, detail);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  answer_json (msg, status, "application/problem+json", text);
}

static gint64
get_now (WwRelayServer *self)
{
  if (self->clock != NULL)
    return self->clock (self->clock_data);
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
answer_unauthorized (WwRelayServer     *self,
                     SoupServerMessage *msg,
                     AuthFailure        reason,
                     const char        *detail)
{
  self->auth_failures[reason]++;
  answer_problem (msg, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                  "The request is not signed by a known device", detail);
}

static void
answer_bad_request (SoupServerMessage *msg,
                    const char        *detail)
{
  answer_problem (msg, SOUP_STATUS_BAD_REQUEST, "invalid-request",
                  "The request is not valid", detail);
}

static void
answer_too_large (SoupServerMessage *msg,
                  gsize              max)
{
  g_autofree char *detail = g_strdup_printf ("the body is over the limit of %" G_GSIZE_FORMAT " bytes", max);

  answer_problem (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too-large",
                  "The request body is too large", detail);
  /* The rest of the body is not wanted; do not wait for another request
   * on this connection. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Connection", "close");
}

static void
answer_internal_error (SoupServerMessage *msg,
                       const GError      *error)
{
  /* Store messages name tables and keys, never personal data */
  g_warning ("Store failed: %s", error->message);
  answer_problem (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                  "The relay could not do this now",
                  "the relay's store failed; try again later");
}

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  RequestBody *body = user_data;
  gsize size = g_bytes_get_size (chunk);

  if (body->too_large)
    return;

  if (body->data->len + size > body->max)
    {
      /* Stop keeping it; the handler answers 413 */
      body->too_large = TRUE;
      g_byte_array_set_size (body->data, 0);
      return;
    }

  g_byte_array_append (body->data, g_bytes_get_data (chunk, NULL), size);
}

/* Runs when the headers are in and before any of the body is read. */
static void
early_handler_cb (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  WwRelayServer *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  RequestBody *body;

  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);

  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > (goffset) self->max_body_bytes)
    {
      /* With "Expect: 100-continue" the client never sends the body;
       * otherwise libsoup drains it, and nothing keeps it. */
      answer_too_large (msg, self->max_body_bytes);
      return;
    }

  body = g_new0 (RequestBody, 1);
  body->data = g_byte_array_new ();
  body->max = self->max_body_bytes;
  g_object_set_data_full (G_OBJECT (msg), "ww-request-body", body, request_body_free);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), body);
}

static gboolean
is_header_token (const char *value)
{
  gsize len = value ? strlen (value) : 0;

  if (len == 0 || len > MAX_HEADER_TOKEN)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isgraph (value[i]))
      return FALSE;
  return TRUE;
}

/* Counted on the raw text, before parsing, so that a deeply nested body
 * never reaches the recursive parser. */
static gboolean
json_depth_within (const char *text,
                   gsize       length,
                   guint       max_depth)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '{' || c == '[')
        {
          if (++depth > max_depth)
            return FALSE;
        }
      else if ((c == '}' || c == ']') && depth > 0)
        depth--;
    }

  return TRUE;
}

static gboolean
strings_within (JsonNode    *node,
                const char  *where,
                GError     **error)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, &name, &member))
          {
            g_autofree char *inner = where ? g_strconcat (where, ".", name, NULL) : g_strdup (name);

            if (g_utf8_strlen (name, -1) > MAX_STRING_CHARS)
              {
                g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                             "a member name in '%s' is longer than %d characters",
                             where ? where : "the body", MAX_STRING_CHARS);
                return FALSE;
              }
            if (!strings_within (member, inner, error))
              return FALSE;
          }
        return TRUE;
      }

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          {
            g_autofree char *inner = g_strdup_printf ("%s[%u]", where ? where : "", i);

            if (!strings_within (json_array_get_element (array, i), inner, error))
              return FALSE;
          }
        return TRUE;
      }

    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING &&
          g_utf8_strlen (json_node_get_string (node), -1) > MAX_STRING_CHARS)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "'%s' is longer than %d characters", where, MAX_STRING_CHARS);
          return FALSE;
        }
      return TRUE;

    case JSON_NODE_NULL:
    default:
      return TRUE;
    }
}

static const char *
get_string_member (JsonObject  *object,
                   const char  *member,
                   const char  *where,
                   gboolean     required,
                   GError     **error)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL)
    {
      if (required)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     "'%s' is missing", where);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "'%s' must be a string", where);
      return NULL;
    }
  return json_node_get_string (node);
}

static gboolean
only_members (JsonObject         *object,
              const char * const *allowed,
              const char         *where,
              GError            **error)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  json_object_iter_init (&iter, object);
  while (json_object_iter_next (&iter, &name, &member))
    if (!g_strv_contains (allowed, name))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                     "'%s%s%s' is not a known member", where ? where : "", where ? "." : "", name);
        return FALSE;
      }
  return TRUE;
}

/* Checks a booking request against the contract in DESIGN.md; the error
 * names the member that is wrong. Returns the provider id. */
static const char *
validate_booking (JsonNode  *root,
                  GError   **error)
{
  static const char * const top_members[] = {
    "provider_id", "fields", "contact", "name", "language", "day_parts", "consent", NULL
  };
  static const char * const day_parts[] = { "morning", "afternoon", "evening", NULL };
  static const char * const contact_members[] = { "method", "value", NULL };
  static const char * const contact_methods[] = {
    "none", "phone", "email", "sms", "via-caseworker", NULL
  };
  JsonObject *object;
  JsonNode *node;
  const char *provider_id;
  const char *name;
  const char *language;
  const char *method;
  const char *value;
  gsize language_length;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "the body must be a JSON object");
      return NULL;
    }
  object = json_node_get_object (root);

  if (!strings_within (root, NULL, error) ||
      !only_members (object, top_members, NULL, error))
    return NULL;

  if (!(provider_id = get_string_member (object, "provider_id", "provider_id", TRUE, error)))
    return NULL;
  if (*provider_id == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "'provider_id' is empty");
      return NULL;
    }

  node = json_object_get_member (object, "fields");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   node ? "'fields' must be an object of strings" : "'fields' is missing");
      return NULL;
    }
  else
    {
      JsonObjectIter iter;
      const char *field;
      JsonNode *field_value;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &field, &field_value))
        if (!JSON_NODE_HOLDS_VALUE (field_value) ||
            json_node_get_value_type (field_value) != G_TYPE_STRING)
          {
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                         "'fields.%s' must be a string", field);
            return NULL;
          }
    }

  node = json_object_get_member (object, "contact");
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   node ? "'contact' must be an object" : "'contact' is missing");
      return NULL;
    }
  if (!only_members (json_node_get_object (node), contact_members, "contact", error))
    return NULL;
  if (!(method = get_string_member (json_node_get_object (node), "method", "contact.method", TRUE, error)))
    return NULL;
  if (!g_strv_contains (contact_methods, method))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "'contact.method' must be one of none, phone, email, sms, via-caseworker");
      return NULL;
    }
  value = get_string_member (json_node_get_object (node), "value", "contact.value", FALSE, error);
  if (error && *error)
    return NULL;
  if ((g_str_equal (method, "phone") || g_str_equal (method, "email") || g_str_equal (method, "sms")) &&
      (value == NULL || *value == '\0'))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "'contact.value' is needed when 'contact.method' is %s", method);
      return NULL;
    }

  if (!(name = get_string_member (object, "name", "name", TRUE, error)))
    return NULL;
  if (*name == '\0' || g_utf8_strlen (name, -1) > MAX_NAME_CHARS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "'name' must be 1 to %d characters", MAX_NAME_CHARS);
      return NULL;
    }

  if (!(language = get_string_member (object, "language", "language", TRUE, error)))
    return NULL;
  language_length = strlen (language);
  for (gsize i = 0; i < language_length; i++)
    if (!g_ascii_isalpha (language[i]))
      language_length = 0;
  if (language_length < 2 || language_length > 3)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "'language' must be a language code of 2 or 3 letters");
      return NULL;
    }

  /* when suits the visitor: optional, a list of day parts */
  node = json_object_get_member (object, "day_parts");
  if (node != NULL)
    {
      JsonArray *parts = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

      if (parts == NULL || json_array_get_length (parts) > G_N_ELEMENTS (day_parts) - 1)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "'day_parts' must be a list of morning, afternoon and evening");
          return NULL;
        }
      for (guint i = 0; i < json_array_get_length (parts); i++)
        {
          JsonNode *part = json_array_get_element (parts, i);

          if (!JSON_NODE_HOLDS_VALUE (part) || json_node_get_value_type (part) != G_TYPE_STRING ||
              !g_strv_contains (day_parts, json_node_get_string (part)))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "'day_parts[%u]' must be morning, afternoon or evening", i);
              return NULL;
            }
        }
    }

  node = json_object_get_member (object, "consent");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   node ? "'consent' must be true or false" : "'consent' is missing");
      return NULL;
    }
  if (!json_node_get_boolean (node))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "'consent' must be true: without it nothing is sent to the provider");
      return NULL;
    }

  return provider_id;
}

/* Uniform draws by rejection: a plain modulo would favour some symbols. */
static guint
random_below (guint bound)
{
  guint32 limit = G_MAXUINT32 - (G_MAXUINT32 % bound);
  guint32 value;

  do
    ww_signature_fill_random ((guint8 *) &value, sizeof value);
  while (value >= limit);

  return value % bound;
}

static char *
new_reference (void)
{
  char *reference = g_new0 (char, REFERENCE_LENGTH + 1);

  for (guint i = 0; i < REFERENCE_LENGTH; i++)
    reference[i] = reference_alphabet[random_below (sizeof reference_alphabet - 1)];
  return reference;
}

static char *
new_pin (void)
{
  return g_strdup_printf ("%06u", random_below (1000000));
}

static char *
hash_pin (const char *salt_hex,
          const char *pin)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  g_checksum_update (checksum, (const guchar *) salt_hex, strlen (salt_hex));
  g_checksum_update (checksum, (const guchar *) pin, strlen (pin));
  return g_strdup_printf ("sha256$%s$%s", salt_hex, g_checksum_get_string (checksum));
}

static char *
new_pin_hash (const char *pin)
{
  guint8 salt[SALT_BYTES];
  GString *salt_hex = g_string_new (NULL);
  g_autofree char *salt_text = NULL;

  ww_signature_fill_random (salt, sizeof salt);
  for (gsize i = 0; i < sizeof salt; i++)
    g_string_append_printf (salt_hex, "%02x", salt[i]);
  salt_text = g_string_free (salt_hex, FALSE);

  return hash_pin (salt_text, pin);
}

/* Constant time in the length of the stored hash, which is fixed. */
static gboolean
pin_matches (const char *pin_hash,
             const char *pin)
{
  g_auto(GStrv) parts = g_strsplit (pin_hash, "$", 3);
  g_autofree char *computed = NULL;
  gsize length;
  guint8 difference = 0;

  if (g_strv_length (parts) != 3 || !g_str_equal (parts[0], "sha256"))
    return FALSE;

  computed = hash_pin (parts[1], pin);
  length = strlen (pin_hash);
  if (strlen (computed) != length)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    difference |= computed[i] ^ pin_hash[i];
  return difference == 0;
}

static char *
booking_answer (const char *id,
                const char *reference,
                const char *pin,
                const char *status)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "reference");
  json_builder_add_string_value (builder, reference);
  json_builder_set_member_name (builder, "pin");
  json_builder_add_string_value (builder, pin);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, status);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* Whoever signed the request, or FALSE with the answer given. */
static gboolean
authenticate (WwRelayServer     *self,
              SoupServerMessage *msg,
              const GByteArray  *body,
              const char       **device_id_out,
              const char       **msg_id_out)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *device_id = soup_message_headers_get_one (headers, "X-Wegwijzer-Device");
  const char *msg_id = soup_message_headers_get_one (headers, "webhook-id");
  const char *timestamp = soup_message_headers_get_one (headers, "webhook-timestamp");
  const char *signature = soup_message_headers_get_one (headers, "webhook-signature");
  g_autofree char *secret = NULL;
  g_autoptr(GError) error = NULL;
  gboolean revoked = FALSE;
  gboolean seen = FALSE;

  if (device_id == NULL || msg_id == NULL || timestamp == NULL || signature == NULL)
    {
      answer_unauthorized (self, msg, AUTH_FAILURE_UNSIGNED,
                           "the request is not signed: it needs the headers X-Wegwijzer-Device, "
                                "webhook-id, webhook-timestamp and webhook-signature");
      return FALSE;
    }
  if (!is_header_token (device_id) || !is_header_token (msg_id))
    {
      answer_unauthorized (self, msg, AUTH_FAILURE_MALFORMED,
                           "X-Wegwijzer-Device and webhook-id must be 1 to 200 visible characters");
      return FALSE;
    }

  if (!ww_relay_store_lookup_device (self->store, device_id, &secret, &revoked, &error))
    {
      if (g_error_matches (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_NOT_FOUND))
        answer_unauthorized (self, msg, AUTH_FAILURE_UNKNOWN_DEVICE,
                             "the device in X-Wegwijzer-Device is not known to this relay");
      else
        answer_internal_error (msg, error);
      return FALSE;
    }
  if (revoked)
    {
      answer_unauthorized (self, msg, AUTH_FAILURE_REVOKED,
                           "the device in X-Wegwijzer-Device was revoked");
      return FALSE;
    }

  if (!ww_signature_verify (secret, msg_id, timestamp, signature,
                            body->data, body->len,
                            get_now (self), self->clock_skew,
                            &error))
    {
      AuthFailure reason = AUTH_FAILURE_MALFORMED;

      if (g_error_matches (error, WW_SIGNATURE_ERROR, WW_SIGNATURE_ERROR_MISMATCH))
        reason = AUTH_FAILURE_BAD_SIGNATURE;
      else if (g_error_matches (error, WW_SIGNATURE_ERROR, WW_SIGNATURE_ERROR_EXPIRED))
        reason = AUTH_FAILURE_CLOCK_SKEW;
      answer_unauthorized (self, msg, reason, error->message);
      return FALSE;
    }

  /* Checked here to refuse early; the booking's transaction marks it
   * seen for good. */
  if (!ww_relay_store_message_seen (self->store, device_id, msg_id, &seen, &error))
    {
      answer_internal_error (msg, error);
      return FALSE;
    }
  if (seen)
    {
      answer_unauthorized (self, msg, AUTH_FAILURE_REPLAYED,
                           "this webhook-id was already used; sign every attempt with a new one");
      return FALSE;
    }

  *device_id_out = device_id;
  *msg_id_out = msg_id;
  return TRUE;
}

static void
handle_create_booking (WwRelayServer     *self,
                       SoupServerMessage *msg)
{
  RequestBody *request = g_object_get_data (G_OBJECT (msg), "ww-request-body");
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *device_id = NULL;
  const char *msg_id = NULL;
  const char *idempotency_key;
  const char *provider_id;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *request_hash = NULL;
  g_autofree char *answered_body = NULL;
  guint answered_status = 0;
  gint64 now = get_now (self);
  gboolean created = FALSE;

  if (request == NULL || request->too_large)
    {
      answer_too_large (msg, self->max_body_bytes);
      return;
    }

  if (!authenticate (self, msg, request->data, &device_id, &msg_id))
    return;

  idempotency_key = soup_message_headers_get_one (headers, "Idempotency-Key");
  if (idempotency_key == NULL)
    {
      answer_bad_request (msg, "the header Idempotency-Key is missing; send a new random key "
                               "for each booking and the same one when retrying it");
      return;
    }
  if (!is_header_token (idempotency_key))
    {
      answer_bad_request (msg, "Idempotency-Key must be 1 to 200 visible characters");
      return;
    }

  if (!g_utf8_validate ((const char *) request->data->data, request->data->len, NULL))
    {
      answer_bad_request (msg, "the body is not UTF-8 text");
      return;
    }
  if (!json_depth_within ((const char *) request->data->data, request->data->len, MAX_JSON_DEPTH))
    {
      g_autofree char *detail = g_strdup_printf ("the body is nested deeper than %d levels", MAX_JSON_DEPTH);

      answer_bad_request (msg, detail);
      return;
    }

  parser = json_parser_new_immutable ();
  if (request->data->len == 0 ||
      !json_parser_load_from_data (parser, (const char *) request->data->data,
                                   request->data->len, &error))
    {
      g_autofree char *detail = g_strdup_printf ("the body is not valid JSON: %s",
                                                 error ? error->message : "it is empty");

      answer_bad_request (msg, detail);
      return;
    }
  if (!(provider_id = validate_booking (json_parser_get_root (parser), &error)))
    {
      answer_bad_request (msg, error->message);
      return;
    }

  /* the payload is stored as a C string: make sure it ends */
  g_byte_array_append (request->data, (const guint8 *) "", 1);
  g_byte_array_set_size (request->data, request->data->len - 1);

  request_hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                              request->data->data, request->data->len);

  /* A reference drawn twice is refused by the UNIQUE constraint; with
   * 31^8 references a second clash in a row means something else. */
  for (guint attempt = 0; attempt < 5 && !created; attempt++)
    {
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *reference = new_reference ();
      g_autofree char *pin = new_pin ();
      g_autofree char *pin_hash = new_pin_hash (pin);
      g_autofree char *answer = booking_answer (id, reference, pin, "received");
      WwRelayNewBooking booking = {
        .id = id,
        .reference = reference,
        .pin_hash = pin_hash,
        .provider_id = provider_id,
        .status = "received",
        .payload = (const char *) request->data->data,
        .created_at = now,
      };
      WwRelayRequestKeys keys = {
        .device_id = device_id,
        .msg_id = msg_id,
        .idempotency_key = idempotency_key,
        .request_hash = request_hash,
        .now = now,
      };

      g_clear_error (&error);
      created = ww_relay_store_create_booking (self->store, &keys, &booking,
                                               SOUP_STATUS_CREATED, answer,
                                               &answered_status, &answered_body,
                                               &error);
      /* a kept answer holds another booking's id: only a new one is
       * answered with the text just made */
      if (created && g_strcmp0 (answered_body, answer) == 0)
        self->bookings_created++;
      if (!created && !g_error_matches (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_REFERENCE_TAKEN))
        break;
    }

  if (!created)
    {
      if (g_error_matches (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_KEY_REUSED))
        answer_problem (msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, "idempotency-key-reused",
                        "The Idempotency-Key was used for another request", error->message);
      else if (g_error_matches (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_REPLAYED))
        answer_unauthorized (self, msg, AUTH_FAILURE_REPLAYED,
                             "this webhook-id was already used; sign every attempt with a new one");
      else
        answer_internal_error (msg, error);
      return;
    }

  answer_json (msg, answered_status, "application/json", answered_body);
}

/* The key a client's wrong PINs are counted under. The address is
 * hashed so that the store keeps no addresses; the rows go once the
 * window has passed. */
static char *
dup_client_key (SoupServerMessage *msg)
{
  const char *host = soup_server_message_get_remote_host (msg);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, host ? host : "", -1);

  return g_strconcat ("client:", hash, NULL);
}

/* Whether @reference_key or @client_key has had too many wrong PINs; if
 * so the answer (429) is given. */
static gboolean
pin_locked (WwRelayServer     *self,
            SoupServerMessage *msg,
            const char        *reference_key,
            const char        *client_key,
            gint64             now)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *retry_after = NULL;
  g_autofree char *detail = NULL;
  gint64 reference_until = 0;
  gint64 client_until = 0;
  gint64 until;

  if ((reference_key != NULL &&
       !ww_relay_store_pin_locked_until (self->store, reference_key, now,
                                         WW_RELAY_PIN_WINDOW_SECONDS,
                                         WW_RELAY_PIN_LIMIT_PER_REFERENCE,
                                         &reference_until, &error)) ||
      !ww_relay_store_pin_locked_until (self->store, client_key, now,
                                        WW_RELAY_PIN_WINDOW_SECONDS,
                                        WW_RELAY_PIN_LIMIT_PER_CLIENT,
                                        &client_until, &error))
    {
      answer_internal_error (msg, error);
      return TRUE;
    }

  until = MAX (reference_until, client_until);
  if (until <= now)
    return FALSE;

  self->pin_lockouts++;
  retry_after = g_strdup_printf ("%" G_GINT64_FORMAT, until - now);
  detail = g_strdup_printf ("too many wrong PINs were tried for this reference or from this "
                            "address; it is locked for a while: try again in %" G_GINT64_FORMAT
                            " seconds", until - now);
  answer_problem (msg, STATUS_TOO_MANY_REQUESTS, "pin-locked",
                  "Locked after too many wrong PINs", detail);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Retry-After", retry_after);
  return TRUE;
}

static void
handle_booking_status (WwRelayServer     *self,
                       SoupServerMessage *msg,
                       const char        *reference_text)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *pin = soup_message_headers_get_one (headers, "X-Wegwijzer-Pin");
  g_autofree char *reference = g_ascii_strup (reference_text, -1);
  g_autofree char *status = NULL;
  g_autofree char *pin_hash = NULL;
  g_autofree char *reference_key = NULL;
  g_autofree char *client_key = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  gint64 now = get_now (self);
  gboolean well_formed;
  gboolean found;

  if (pin == NULL)
    {
      answer_bad_request (msg, "the header X-Wegwijzer-Pin is missing");
      return;
    }

  /* Counted whether or not the reference exists, so that a lock tells
   * nothing about that either. A malformed reference never matches, and
   * counts against the client only. */
  well_formed = strlen (reference) == REFERENCE_LENGTH &&
                strspn (reference, reference_alphabet) == REFERENCE_LENGTH;
  if (well_formed)
    reference_key = g_strconcat ("reference:", reference, NULL);
  client_key = dup_client_key (msg);

  /* before the PIN is looked at: a locked reference stays locked even
   * for the right PIN */
  if (pin_locked (self, msg, reference_key, client_key, now))
    return;

  found = well_formed &&
          ww_relay_store_lookup_booking (self->store, reference, &status, &pin_hash, &error);
  if (error != NULL && !g_error_matches (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_NOT_FOUND))
    {
      answer_internal_error (msg, error);
      return;
    }

  /* An unknown reference costs a hash too, and gets the same answer as
   * a wrong PIN, so that neither time nor text tells them apart. */
  if (!pin_matches (found ? pin_hash : "sha256$00000000000000000000000000000000$-", pin) || !found)
    {
      const char *keys[] = { client_key, reference_key, NULL };

      g_clear_error (&error);
      if (!ww_relay_store_add_pin_failure (self->store, keys, now,
                                           WW_RELAY_PIN_WINDOW_SECONDS, &error))
        {
          answer_internal_error (msg, error);
          return;
        }
      answer_problem (msg, SOUP_STATUS_NOT_FOUND, "not-found", "No such booking",
                      "no booking has this reference and PIN");
      return;
    }

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "reference");
  json_builder_add_string_value (builder, reference);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, status);
  json_builder_set_member_name (builder, "answer");
  json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  answer_json (msg, SOUP_STATUS_OK, "application/json", text);
}

static void
append_counter_header (GString    *text,
                       const char *name,
                       const char *help)
{
  g_string_append_printf (text, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
}

static int
compare_keys (const void *a,
              const void *b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Prometheus text format 0.0.4. No label holds personal data, a
 * reference or a device id: routes are templates, and requests to
 * paths the relay does not serve are counted as "unmatched". */
static void
handle_metrics (WwRelayServer     *self,
                SoupServerMessage *msg)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree const char **keys = NULL;
  guint n_keys = 0;

  append_counter_header (text, "wegwijzer_relay_requests_total",
                         "HTTP requests answered, by route template and status.");
  keys = (const char **) g_hash_table_get_keys_as_array (self->request_counts, &n_keys);
  qsort (keys, n_keys, sizeof (char *), compare_keys);
  for (guint i = 0; i < n_keys; i++)
    {
      const guint64 *count = g_hash_table_lookup (self->request_counts, keys[i]);
      const char *tab = strchr (keys[i], '\t');

      g_string_append_printf (text, "wegwijzer_relay_requests_total{route=\"%.*s\",status=\"%s\"} %"
                              G_GUINT64_FORMAT "\n",
                              (int) (tab - keys[i]), keys[i], tab + 1, *count);
    }

  append_counter_header (text, "wegwijzer_relay_bookings_total",
                         "Bookings accepted and stored (not answers repeated for a known Idempotency-Key).");
  g_string_append_printf (text, "wegwijzer_relay_bookings_total %" G_GUINT64_FORMAT "\n",
                          self->bookings_created);

  append_counter_header (text, "wegwijzer_relay_auth_failures_total",
                         "Requests refused with 401, by reason.");
  for (guint i = 0; i < N_AUTH_FAILURES; i++)
    g_string_append_printf (text, "wegwijzer_relay_auth_failures_total{reason=\"%s\"} %"
                            G_GUINT64_FORMAT "\n",
                            auth_failure_names[i], self->auth_failures[i]);

  append_counter_header (text, "wegwijzer_relay_pin_lockouts_total",
                         "Booking look-ups refused with 429 after too many wrong PINs.");
  g_string_append_printf (text, "wegwijzer_relay_pin_lockouts_total %" G_GUINT64_FORMAT "\n",
                          self->pin_lockouts);

  answer_json (msg, SOUP_STATUS_OK, "text/plain; version=0.0.4; charset=utf-8", text->str);
}

static void
answer_method_not_allowed (SoupServerMessage *msg,
                           const char        *allowed)
{
  g_autofree char *detail = g_strdup_printf ("%s is not allowed here; use %s",
                                             soup_server_message_get_method (msg), allowed);

  answer_problem (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method-not-allowed",
                  "Method not allowed", detail);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", allowed);
}

static Route
match_route (const char *path)
{
  const char *reference;

  for (guint i = 0; i < N_ROUTES; i++)
    if (i != ROUTE_BOOKING && g_str_equal (path, routes[i].path))
      return i;

  if (g_str_has_prefix (path, BOOKING_PREFIX))
    {
      reference = path + strlen (BOOKING_PREFIX);
      if (*reference != '\0' && strchr (reference, '/') == NULL)
        return ROUTE_BOOKING;
    }

  return N_ROUTES;
}

/* One handler for every path, so that the early handler (which libsoup
 * pairs with the handler of the same path) sees every request. */
static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  WwRelayServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  Route route = match_route (path);

  if (route == N_ROUTES)
    {
      answer_problem (msg, SOUP_STATUS_NOT_FOUND, "not-found", "Not found",
                      "there is nothing at this path");
      return;
    }

  /* HEAD goes wherever GET does; libsoup leaves out the body */
  if (!g_str_equal (method, routes[route].method) &&
      !(g_str_equal (routes[route].method, "GET") && method == SOUP_METHOD_HEAD))
    {
      answer_method_not_allowed (msg, routes[route].method);
      return;
    }

  switch (route)
    {
    case ROUTE_HEALTHZ:
      answer_json (msg, SOUP_STATUS_OK, "application/json", "{\"status\":\"ok\"}");
      break;
    case ROUTE_METRICS:
      handle_metrics (self, msg);
      break;
    case ROUTE_BOOKINGS:
      handle_create_booking (self, msg);
      break;
    case ROUTE_BOOKING:
      handle_booking_status (self, msg, path + strlen (BOOKING_PREFIX));
      break;
    case N_ROUTES:
    default:
      g_assert_not_reached ();
    }
}

/* Counted when the answer is written, so that answers given before the
 * handler (413 from the early handler) count too. */
static void
request_finished_cb (SoupServer        *server,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  WwRelayServer *self = user_data;
  GUri *uri = soup_server_message_get_uri (msg);
  Route route = uri != NULL ? match_route (g_uri_get_path (uri)) : N_ROUTES;
  g_autofree char *key = g_strdup_printf ("%s\t%u",
                                          route == N_ROUTES ? "unmatched" : routes[route].path,
                                          soup_server_message_get_status (msg));
  guint64 *count = g_hash_table_lookup (self->request_counts, key);

  if (count == NULL)
    {
      count = g_new0 (guint64, 1);
      g_hash_table_insert (self->request_counts, g_steal_pointer (&key), count);
    }
  (*count)++;
}

static void
ww_relay_server_dispose (GObject *object)
{
  WwRelayServer *self = (WwRelayServer *)object;

  if (self->soup != NULL)
    soup_server_disconnect (self->soup);
  g_clear_object (&self->soup);
  g_clear_object (&self->store);
  g_clear_pointer (&self->request_counts, g_hash_table_unref);

  G_OBJECT_CLASS (ww_relay_server_parent_class)->dispose (object);
}

static void
ww_relay_server_class_init (WwRelayServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ww_relay_server_dispose;
}

static void
ww_relay_server_init (WwRelayServer *self)
{
  self->soup = soup_server_new (NULL, NULL);
  soup_server_add_early_handler (self->soup, NULL, early_handler_cb, self, NULL);
  soup_server_add_handler (self->soup, NULL, handler_cb, self, NULL);
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (request_finished_cb), self);
  self->request_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

WwRelayServer *
ww_relay_server_new (WwRelayStore *store,
                     gsize         max_body_bytes,
                     guint         clock_skew)
{
  WwRelayServer *self;

  g_return_val_if_fail (WW_IS_RELAY_STORE (store), NULL);
  g_return_val_if_fail (max_body_bytes > 0, NULL);

  self = g_object_new (WW_TYPE_RELAY_SERVER, NULL);
  self->store = g_object_ref (store);
  self->max_body_bytes = max_body_bytes;
  self->clock_skew = clock_skew;
  return self;
}

/**
 * ww_relay_server_listen:
 * @address: an IP address, such as "127.0.0.1"
 * @port: a TCP port, or 0 for any free one (see ww_relay_server_get_port())
 */
gboolean
ww_relay_server_listen (WwRelayServer  *self,
                        const char     *address,
                        guint           port,
                        GError        **error)
{
  g_autoptr(GSocketAddress) socket_address = NULL;

  g_return_val_if_fail (WW_IS_RELAY_SERVER (self), FALSE);
  g_return_val_if_fail (address != NULL, FALSE);

  socket_address = g_inet_socket_address_new_from_string (address, port);
  if (socket_address == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "'%s' is not an IP address", address);
      return FALSE;
    }

  return soup_server_listen (self->soup, socket_address, 0, error);
}

/* The port of the first listening socket, or 0. */
guint
ww_relay_server_get_port (WwRelayServer *self)
{
  GSList *listeners;
  g_autoptr(GSocketAddress) address = NULL;

  g_return_val_if_fail (WW_IS_RELAY_SERVER (self), 0);

  listeners = soup_server_get_listeners (self->soup);
  if (listeners != NULL)
    address = g_socket_get_local_address (listeners->data, NULL);
  g_slist_free (listeners);

  if (address == NULL || !G_IS_INET_SOCKET_ADDRESS (address))
    return 0;
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
}

WwRelayStore *
ww_relay_server_get_store (WwRelayServer *self)
{
  g_return_val_if_fail (WW_IS_RELAY_SERVER (self), NULL);

  return self->store;
}

/**
 * ww_relay_server_set_clock:
 * @clock: (nullable): the time in seconds since 1970, or %NULL for the
 *   real time
 *
 * What signatures and the wrong-PIN windows are checked against.
 */
void
ww_relay_server_set_clock (WwRelayServer    *self,
                           WwRelayClockFunc  clock,
                           gpointer          user_data)
{
  g_return_if_fail (WW_IS_RELAY_SERVER (self));

  self->clock = clock;
  self->clock_data = user_data;
}
