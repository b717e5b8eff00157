/* ww-relay-server.c: the relay's HTTP routes
 *
 * SoupServer runs on the main context; a route that needs the store
 * pauses its message and does its work in a worker thread, so that one
 * client's commit never holds up another's request, and concurrent
 * bookings can share a commit (see ww-relay-store-sqlite.c). A worker
 * never touches the SoupServerMessage: it reads a copy of the request
 * (an Exchange) and writes its answer there, which the main thread then
 * puts on the message.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-relay-server"

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "wegwijzer.h"
#include "ww-relay-courier.h"
#include "ww-relay-deadline.h"
#include "ww-relay-pages.h"
#include "ww-relay-server.h"

#define MAX_STRING_CHARS 2000
#define MAX_NAME_CHARS 80
#define MAX_REASON_CHARS 500
#define MAX_JSON_DEPTH 8
#define MAX_HEADER_TOKEN 200
#define REFERENCE_LENGTH 8
#define PIN_DIGITS 6
#define SALT_BYTES 16
#define INBOX_LIMIT 200
#define MAX_PREVIEW_LINES 40
/* an appointment an hour ago may still be written down late; not more */
#define ANSWER_PAST_SECONDS 3600

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
 * line. The templates are also the route labels of /metrics; "{…}"
 * matches one path segment. */
typedef enum {
  ROUTE_HEALTHZ,
  ROUTE_METRICS,
  ROUTE_BOOKINGS,
  ROUTE_BOOKING,
  ROUTE_ANSWER,
  ROUTE_DIRECTORY,
  ROUTE_STATUS_PAGE,
  ROUTE_STATUS_CHECK,
  ROUTE_INBOX,
  ROUTE_INBOX_ANSWER,
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
  [ROUTE_ANSWER] = { "/v1/provider/bookings/{id}/answer", "POST" },
  [ROUTE_DIRECTORY] = { "/v1/directory", "GET" },
  [ROUTE_STATUS_PAGE] = { "/status", "GET" },
  [ROUTE_STATUS_CHECK] = { "/status", "POST" },
  [ROUTE_INBOX] = { "/inbox/{key}", "GET" },
  [ROUTE_INBOX_ANSWER] = { "/inbox/{key}/bookings/{id}", "POST" },
};

#define MAX_ROUTE_ARGS 2

/* libsoup has no name for it (RFC 6585) */
#define STATUS_TOO_MANY_REQUESTS 429

/* Pages: no script, nothing from elsewhere, forms only to the relay. */
#define PAGE_SECURITY_POLICY \
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

struct _WwRelayServer
{
  GObject           parent_instance;

  SoupServer       *soup;
  WwRelayStore     *store;
  WwDirectory      *directory;
  WwRelayCourier   *courier;
  gsize             max_body_bytes;
  guint             clock_skew;
  char             *public_url;
  guint             request_deadline;
  gboolean          deadline_attached;
  WwRelayClockFunc  clock;
  gpointer          clock_data;

  /* /metrics: counted since the start, as Prometheus counters are;
   * workers count too, so under a lock */
  GMutex            metrics_lock;
  GHashTable       *request_counts;   /* "route\tstatus" → guint64 * */
  guint64           bookings_created;
  guint64           answers;
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

/* One request and its answer, as a worker sees them. */
typedef struct {
  WwRelayServer      *self;
  SoupServerMessage  *msg;            /* the main thread's only */
  Route               route;
  char               *args[MAX_ROUTE_ARGS];
  SoupMessageHeaders *headers;        /* the request's, read only */
  GByteArray         *body;           /* NULL when it was too large */
  GHashTable         *query;          /* owned */
  char               *client_key;
  gint64              now;

  guint               status;
  char               *content_type;
  char               *response;
  GPtrArray          *response_headers;   /* name, value, name, value, … */
  gboolean            booking_created;
} Exchange;

static void
exchange_free (Exchange *ex)
{
  g_clear_object (&ex->self);
  g_clear_object (&ex->msg);
  for (guint i = 0; i < MAX_ROUTE_ARGS; i++)
    g_free (ex->args[i]);
  g_clear_pointer (&ex->headers, soup_message_headers_unref);
  g_clear_pointer (&ex->body, g_byte_array_unref);
  g_clear_pointer (&ex->query, g_hash_table_unref);
  g_free (ex->client_key);
  g_free (ex->content_type);
  g_free (ex->response);
  g_clear_pointer (&ex->response_headers, g_ptr_array_unref);
  g_free (ex);
}

static const char *
request_header (Exchange   *ex,
                const char *name)
{
  return soup_message_headers_get_one (ex->headers, name);
}

static void
add_response_header (Exchange   *ex,
                     const char *name,
                     const char *value)
{
  g_ptr_array_add (ex->response_headers, g_strdup (name));
  g_ptr_array_add (ex->response_headers, g_strdup (value));
}

static void
answer_text (Exchange   *ex,
             guint       status,
             const char *content_type,
             const char *text)
{
  ex->status = status;
  g_free (ex->content_type);
  ex->content_type = g_strdup (content_type);
  g_free (ex->response);
  ex->response = g_strdup (text);
}

static void
answer_json (Exchange   *ex,
             guint       status,
             const char *text)
{
  answer_text (ex, status, "application/json", text);
}

static void
answer_html (Exchange   *ex,
             guint       status,
             char       *html)
{
  answer_text (ex, status, "text/html; charset=utf-8", html);
  g_free (html);
  add_response_header (ex, "Content-Security-Policy", PAGE_SECURITY_POLICY);
  add_response_header (ex, "Referrer-Policy", "no-referrer");
  add_response_header (ex, "X-Content-Type-Options", "nosniff");
  /* a status or an inbox is nobody else's: never kept by a cache */
  add_response_header (ex, "Cache-Control", "no-store");
}

/* RFC 9457 problem details; @detail says what is wrong, for a person. */
static void
answer_problem (Exchange   *ex,
                guint       status,
                const char *slug,
                const char *title,
                const char *detail)
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
  answer_text (ex, status, "application/problem+json", text);
}

static gint64
get_now (WwRelayServer *self)
{
  if (self->clock != NULL)
    return self->clock (self->clock_data);
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
count_auth_failure (WwRelayServer *self,
                    AuthFailure    reason)
{
  g_mutex_lock (&self->metrics_lock);
  self->auth_failures[reason]++;
  g_mutex_unlock (&self->metrics_lock);
}

static void
answer_unauthorized (Exchange    *ex,
                     AuthFailure  reason,
                     const char  *detail)
{
  count_auth_failure (ex->self, reason);
  answer_problem (ex, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                  "The request is not signed by a known device", detail);
}

static void
answer_bad_request (Exchange   *ex,
                    const char *detail)
{
  answer_problem (ex, SOUP_STATUS_BAD_REQUEST, "invalid-request",
                  "The request is not valid", detail);
}

static void
answer_not_found (Exchange   *ex,
                  const char *detail)
{
  answer_problem (ex, SOUP_STATUS_NOT_FOUND, "not-found", "Not found", detail);
}

static void
answer_too_large (Exchange *ex)
{
  g_autofree char *detail = g_strdup_printf ("the body is over the limit of %" G_GSIZE_FORMAT " bytes",
                                             ex->self->max_body_bytes);

  answer_problem (ex, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "too-large",
                  "The request body is too large", detail);
  /* The rest of the body is not wanted; do not wait for another request
   * on this connection. */
  add_response_header (ex, "Connection", "close");
}

static void
answer_internal_error (Exchange     *ex,
                       const GError *error)
{
  /* Store messages name tables and keys, never personal data */
  g_warning ("Store failed: %s", error->message);
  answer_problem (ex, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
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
      g_autofree char *detail = g_strdup_printf ("the body is over the limit of %" G_GSIZE_FORMAT " bytes",
                                                 self->max_body_bytes);
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      /* With "Expect: 100-continue" the client never sends the body;
       * otherwise libsoup drains it, and nothing keeps it. */
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, "urn:wegwijzer:problem:too-large");
      json_builder_set_member_name (builder, "title");
      json_builder_add_string_value (builder, "The request body is too large");
      json_builder_set_member_name (builder, "status");
      json_builder_add_int_value (builder, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE);
      json_builder_set_member_name (builder, "detail");
      json_builder_add_string_value (builder, detail);
      json_builder_end_object (builder);
      root = json_builder_get_root (builder);
      text = json_to_string (root, FALSE);

      soup_server_message_set_status (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL);
      soup_server_message_set_response (msg, "application/problem+json", SOUP_MEMORY_COPY,
                                        text, strlen (text));
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Connection", "close");
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
    "provider_id", "fields", "contact", "name", "language", "day_parts", "consent", "preview", NULL
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

  /* what the visitor saw before consenting, for the provider to see:
   * optional, a short list of label and value */
  node = json_object_get_member (object, "preview");
  if (node != NULL)
    {
      static const char * const line_members[] = { "label", "value", NULL };
      JsonArray *lines = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

      if (lines == NULL || json_array_get_length (lines) > MAX_PREVIEW_LINES)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "'preview' must be a list of at most %d lines", MAX_PREVIEW_LINES);
          return NULL;
        }
      for (guint i = 0; i < json_array_get_length (lines); i++)
        {
          JsonNode *line = json_array_get_element (lines, i);
          g_autofree char *where = g_strdup_printf ("preview[%u]", i);
          g_autofree char *label_where = g_strdup_printf ("preview[%u].label", i);
          g_autofree char *value_where = g_strdup_printf ("preview[%u].value", i);

          if (!JSON_NODE_HOLDS_OBJECT (line))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "'%s' must be an object with a label and a value", where);
              return NULL;
            }
          if (!only_members (json_node_get_object (line), line_members, where, error) ||
              !get_string_member (json_node_get_object (line), "label", label_where, TRUE, error) ||
              !get_string_member (json_node_get_object (line), "value", value_where, TRUE, error))
            return NULL;
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
  static const char hex[] = "0123456789abcdef";
  guint8 salt[SALT_BYTES];
  char salt_text[2 * SALT_BYTES + 1];

  ww_signature_fill_random (salt, sizeof salt);
  for (gsize i = 0; i < sizeof salt; i++)
    {
      salt_text[2 * i] = hex[salt[i] >> 4];
      salt_text[2 * i + 1] = hex[salt[i] & 0xf];
    }
  salt_text[2 * SALT_BYTES] = '\0';

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


/* The status page, in the visitor's language where it has it. */
static char *
booking_answer (WwRelayServer *self,
                const char    *id,
                const char    *reference,
                const char    *pin,
                const char    *status,
                const char    *language)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  const char *page_language = ww_relay_pages_pick_language (language, NULL);
  g_autofree char *status_url = g_strdup_printf ("%s/status?reference=%s&lang=%s",
                                                 self->public_url, reference, page_language);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "reference");
  json_builder_add_string_value (builder, reference);
  json_builder_set_member_name (builder, "pin");
  json_builder_add_string_value (builder, pin);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, status);
  json_builder_set_member_name (builder, "status_url");
  json_builder_add_string_value (builder, status_url);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

typedef enum {
  SIGNER_DEVICE,
  SIGNER_PROVIDER,
} Signer;

/* Whoever signed the request, or NULL with the answer given. A device
 * signs with its own secret under X-Wegwijzer-Device; a provider with
 * its webhook secret under X-Wegwijzer-Provider. */
static const char *
authenticate (Exchange *ex,
              Signer    signer)
{
  WwRelayServer *self = ex->self;
  const char *id_header = signer == SIGNER_DEVICE ? "X-Wegwijzer-Device" : "X-Wegwijzer-Provider";
  const char *signer_id = request_header (ex, id_header);
  const char *msg_id = request_header (ex, "webhook-id");
  const char *timestamp = request_header (ex, "webhook-timestamp");
  const char *signature = request_header (ex, "webhook-signature");
  g_autofree char *secret = NULL;
  g_autofree char *seen_key = NULL;
  g_autoptr(GError) error = NULL;
  gboolean revoked = FALSE;
  gboolean seen = FALSE;

  if (signer_id == NULL || msg_id == NULL || timestamp == NULL || signature == NULL)
    {
      g_autofree char *detail = g_strdup_printf ("the request is not signed: it needs the headers %s, "
                                                 "webhook-id, webhook-timestamp and webhook-signature",
                                                 id_header);

      answer_unauthorized (ex, AUTH_FAILURE_UNSIGNED, detail);
      return NULL;
    }
  if (!is_header_token (signer_id) || !is_header_token (msg_id))
    {
      g_autofree char *detail = g_strdup_printf ("%s and webhook-id must be 1 to 200 visible characters",
                                                 id_header);

      answer_unauthorized (ex, AUTH_FAILURE_MALFORMED, detail);
      return NULL;
    }

  if (signer == SIGNER_DEVICE)
    {
      if (!ww_relay_store_lookup_device (self->store, signer_id, &secret, &revoked, &error))
        {
          if (g_error_matches (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_NOT_FOUND))
            answer_unauthorized (ex, AUTH_FAILURE_UNKNOWN_DEVICE,
                                 "the device in X-Wegwijzer-Device is not known to this relay");
          else
            answer_internal_error (ex, error);
          return NULL;
        }
      if (revoked)
        {
          answer_unauthorized (ex, AUTH_FAILURE_REVOKED, "the device in X-Wegwijzer-Device was revoked");
          return NULL;
        }
      seen_key = g_strdup (signer_id);
    }
  else
    {
      g_autoptr(WwRelayProvider) provider = ww_relay_store_lookup_provider (self->store, signer_id, &error);

      if (provider == NULL && !g_error_matches (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_NOT_FOUND))
        {
          answer_internal_error (ex, error);
          return NULL;
        }
      if (provider == NULL || provider->secret == NULL)
        {
          answer_unauthorized (ex, AUTH_FAILURE_UNKNOWN_DEVICE,
                               "the provider in X-Wegwijzer-Provider has no webhook secret on this relay");
          return NULL;
        }
      secret = g_steal_pointer (&provider->secret);
      /* kept apart from device ids in the replay table */
      seen_key = g_strconcat ("provider:", signer_id, NULL);
    }

  if (!ww_signature_verify (secret, msg_id, timestamp, signature,
                            ex->body->data, ex->body->len,
                            ex->now, self->clock_skew,
                            &error))
    {
      AuthFailure reason = AUTH_FAILURE_MALFORMED;

      if (g_error_matches (error, WW_SIGNATURE_ERROR, WW_SIGNATURE_ERROR_MISMATCH))
        reason = AUTH_FAILURE_BAD_SIGNATURE;
      else if (g_error_matches (error, WW_SIGNATURE_ERROR, WW_SIGNATURE_ERROR_EXPIRED))
        reason = AUTH_FAILURE_CLOCK_SKEW;
      answer_unauthorized (ex, reason, error->message);
      return NULL;
    }

  /* A booking's transaction marks its message seen for good; anything
   * else is marked here. */
  if (signer == SIGNER_DEVICE)
    {
      if (!ww_relay_store_message_seen (self->store, seen_key, msg_id, &seen, &error))
        {
          answer_internal_error (ex, error);
          return NULL;
        }
    }
  else if (!ww_relay_store_remember_message (self->store, seen_key, msg_id, ex->now, &error))
    {
      if (!g_error_matches (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_REPLAYED))
        {
          answer_internal_error (ex, error);
          return NULL;
        }
      seen = TRUE;
    }
  if (seen)
    {
      answer_unauthorized (ex, AUTH_FAILURE_REPLAYED,
                           "this webhook-id was already used; sign every attempt with a new one");
      return NULL;
    }

  return signer_id;
}

/* The body as text, checked for what every JSON route refuses; NULL
 * with the answer given. */
static JsonParser *
parse_json_body (Exchange *ex)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  const char *text = (const char *) ex->body->data;

  if (!g_utf8_validate (text, ex->body->len, NULL))
    {
      answer_bad_request (ex, "the body is not UTF-8 text");
      return NULL;
    }
  if (!json_depth_within (text, ex->body->len, MAX_JSON_DEPTH))
    {
      g_autofree char *detail = g_strdup_printf ("the body is nested deeper than %d levels", MAX_JSON_DEPTH);

      answer_bad_request (ex, detail);
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (ex->body->len == 0 ||
      !json_parser_load_from_data (parser, text, ex->body->len, &error))
    {
      g_autofree char *detail = g_strdup_printf ("the body is not valid JSON: %s",
                                                 error ? error->message : "it is empty");

      answer_bad_request (ex, detail);
      return NULL;
    }
  if (!strings_within (json_parser_get_root (parser), NULL, &error))
    {
      answer_bad_request (ex, error->message);
      return NULL;
    }

  return g_steal_pointer (&parser);
}

static void
handle_create_booking (Exchange *ex)
{
  WwRelayServer *self = ex->self;
  const char *device_id;
  const char *msg_id = request_header (ex, "webhook-id");
  const char *idempotency_key;
  const char *provider_id;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *request_hash = NULL;
  g_autofree char *answered_body = NULL;
  guint answered_status = 0;
  gboolean created = FALSE;

  if (!(device_id = authenticate (ex, SIGNER_DEVICE)))
    return;

  idempotency_key = request_header (ex, "Idempotency-Key");
  if (idempotency_key == NULL)
    {
      answer_bad_request (ex, "the header Idempotency-Key is missing; send a new random key "
                              "for each booking and the same one when retrying it");
      return;
    }
  if (!is_header_token (idempotency_key))
    {
      answer_bad_request (ex, "Idempotency-Key must be 1 to 200 visible characters");
      return;
    }

  if (!(parser = parse_json_body (ex)))
    return;
  if (!(provider_id = validate_booking (json_parser_get_root (parser), &error)))
    {
      answer_bad_request (ex, error->message);
      return;
    }

  /* the payload is stored as a C string: make sure it ends */
  g_byte_array_append (ex->body, (const guint8 *) "", 1);
  g_byte_array_set_size (ex->body, ex->body->len - 1);

  request_hash = g_compute_checksum_for_data (G_CHECKSUM_SHA256, ex->body->data, ex->body->len);

  /* A reference drawn twice is refused by the store (REFERENCE_TAKEN); with
   * 31^8 references a second clash in a row means something else. */
  for (guint attempt = 0; attempt < 5 && !created; attempt++)
    {
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *reference = new_reference ();
      g_autofree char *pin = new_pin ();
      g_autofree char *pin_hash = new_pin_hash (pin);
      g_autofree char *answer = booking_answer (self, id, reference, pin, WW_RELAY_STATUS_RECEIVED,
                                                json_object_get_string_member (json_node_get_object (json_parser_get_root (parser)),
                                                                               "language"));
      WwRelayNewBooking booking = {
        .id = id,
        .reference = reference,
        .pin_hash = pin_hash,
        .provider_id = provider_id,
        .status = WW_RELAY_STATUS_RECEIVED,
        .payload = (const char *) ex->body->data,
        .created_at = ex->now,
      };
      WwRelayRequestKeys keys = {
        .device_id = device_id,
        .msg_id = msg_id,
        .idempotency_key = idempotency_key,
        .request_hash = request_hash,
        .now = ex->now,
      };

      g_clear_error (&error);
      g_clear_pointer (&answered_body, g_free);
      created = ww_relay_store_create_booking (self->store, &keys, &booking,
                                               SOUP_STATUS_CREATED, answer,
                                               &answered_status, &answered_body,
                                               &error);
      /* a kept answer holds another booking's id: only a new one is
       * answered with the text just made */
      if (created && g_strcmp0 (answered_body, answer) == 0)
        ex->booking_created = TRUE;
      if (!created && !g_error_matches (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_REFERENCE_TAKEN))
        break;
    }

  if (!created)
    {
      if (g_error_matches (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_KEY_REUSED))
        answer_problem (ex, SOUP_STATUS_UNPROCESSABLE_ENTITY, "idempotency-key-reused",
                        "The Idempotency-Key was used for another request", error->message);
      else if (g_error_matches (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_REPLAYED))
        answer_unauthorized (ex, AUTH_FAILURE_REPLAYED,
                             "this webhook-id was already used; sign every attempt with a new one");
      else
        answer_internal_error (ex, error);
      return;
    }

  answer_json (ex, answered_status, answered_body);
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

typedef enum {
  LOOKUP_FOUND,
  LOOKUP_NOT_FOUND,   /* unknown, or a wrong PIN: the same to the asker */
  LOOKUP_LOCKED,
  LOOKUP_FAILED,
} LookupResult;

/* A booking by reference and PIN, with the wrong-PIN limits; shared by
 * the API and the status page. *retry_after is set when locked. */
static LookupResult
lookup_with_pin (Exchange         *ex,
                 const char       *reference_text,
                 const char       *pin,
                 WwRelayBooking  **booking_out,
                 gint64           *retry_after,
                 GError          **error)
{
  WwRelayServer *self = ex->self;
  g_autofree char *reference = g_ascii_strup (reference_text, -1);
  g_autofree char *reference_key = NULL;
  g_autoptr(WwRelayBooking) booking = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 reference_until = 0;
  gint64 client_until = 0;
  gboolean well_formed;
  const char *keys[3];

  /* Counted whether or not the reference exists, so that a lock tells
   * nothing about that either. A malformed reference never matches, and
   * counts against the client only. */
  g_strdelimit (reference, " -", '\0');
  well_formed = strlen (reference) == REFERENCE_LENGTH &&
                strspn (reference, reference_alphabet) == REFERENCE_LENGTH;
  if (well_formed)
    reference_key = g_strconcat ("reference:", reference, NULL);

  /* before the PIN is looked at: a locked reference stays locked even
   * for the right PIN */
  if ((reference_key != NULL &&
       !ww_relay_store_pin_locked_until (self->store, reference_key, ex->now,
                                         WW_RELAY_PIN_WINDOW_SECONDS,
                                         WW_RELAY_PIN_LIMIT_PER_REFERENCE,
                                         &reference_until, error)) ||
      !ww_relay_store_pin_locked_until (self->store, ex->client_key, ex->now,
                                        WW_RELAY_PIN_WINDOW_SECONDS,
                                        WW_RELAY_PIN_LIMIT_PER_CLIENT,
                                        &client_until, error))
    return LOOKUP_FAILED;

  if (MAX (reference_until, client_until) > ex->now)
    {
      g_mutex_lock (&self->metrics_lock);
      self->pin_lockouts++;
      g_mutex_unlock (&self->metrics_lock);
      *retry_after = MAX (reference_until, client_until) - ex->now;
      return LOOKUP_LOCKED;
    }

  if (well_formed)
    booking = ww_relay_store_lookup_booking (self->store, reference, &local_error);
  if (local_error != NULL && !g_error_matches (local_error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return LOOKUP_FAILED;
    }

  /* An unknown reference costs a hash too, and gets the same answer as
   * a wrong PIN, so that neither time nor text tells them apart. */
  if (!pin_matches (booking ? booking->pin_hash : "sha256$00000000000000000000000000000000$-", pin) ||
      booking == NULL)
    {
      keys[0] = ex->client_key;
      keys[1] = reference_key;
      keys[2] = NULL;
      if (!ww_relay_store_add_pin_failure (self->store, keys, ex->now,
                                           WW_RELAY_PIN_WINDOW_SECONDS, error))
        return LOOKUP_FAILED;
      return LOOKUP_NOT_FOUND;
    }

  *booking_out = g_steal_pointer (&booking);
  return LOOKUP_FOUND;
}

/* The booking as GET /v1/bookings/{reference} shows it: no PIN hash,
 * nothing the visitor wrote. */
static char *
booking_status_json (const WwRelayBooking *booking)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "reference");
  json_builder_add_string_value (builder, booking->reference);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, booking->status);
  json_builder_set_member_name (builder, "answer");
  if (booking->answer_status == NULL)
    json_builder_add_null_value (builder);
  else
    {
      g_autoptr(GDateTime) answered = g_date_time_new_from_unix_utc (booking->answered_at);
      g_autofree char *answered_text = answered ? g_date_time_format_iso8601 (answered) : NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "status");
      json_builder_add_string_value (builder, booking->answer_status);
      json_builder_set_member_name (builder, "time");
      if (booking->answer_time != NULL)
        json_builder_add_string_value (builder, booking->answer_time);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "reason");
      if (booking->answer_reason != NULL)
        json_builder_add_string_value (builder, booking->answer_reason);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "answered_at");
      json_builder_add_string_value (builder, answered_text ? answered_text : "");
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static void
answer_locked (Exchange *ex,
               gint64    retry_after)
{
  g_autofree char *retry_text = g_strdup_printf ("%" G_GINT64_FORMAT, retry_after);
  g_autofree char *detail = g_strdup_printf ("too many wrong PINs were tried for this reference or from this "
                                             "address; it is locked for a while: try again in %" G_GINT64_FORMAT
                                             " seconds", retry_after);

  answer_problem (ex, STATUS_TOO_MANY_REQUESTS, "pin-locked", "Locked after too many wrong PINs", detail);
  add_response_header (ex, "Retry-After", retry_text);
}

static void
handle_booking_status (Exchange *ex)
{
  const char *pin = request_header (ex, "X-Wegwijzer-Pin");
  g_autoptr(WwRelayBooking) booking = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  gint64 retry_after = 0;

  if (pin == NULL)
    {
      answer_bad_request (ex, "the header X-Wegwijzer-Pin is missing");
      return;
    }

  switch (lookup_with_pin (ex, ex->args[0], pin, &booking, &retry_after, &error))
    {
    case LOOKUP_FOUND:
      text = booking_status_json (booking);
      answer_json (ex, SOUP_STATUS_OK, text);
      break;
    case LOOKUP_NOT_FOUND:
      answer_problem (ex, SOUP_STATUS_NOT_FOUND, "not-found", "No such booking",
                      "no booking has this reference and PIN");
      break;
    case LOOKUP_LOCKED:
      answer_locked (ex, retry_after);
      break;
    case LOOKUP_FAILED:
    default:
      answer_internal_error (ex, error);
      break;
    }
}

static gboolean
is_blank (const char *text)
{
  for (; text != NULL && *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

/* An answer's parts, checked; the error names what is wrong. */
static gboolean
check_answer (const char  *status,
              const char  *time_text,
              const char  *reason,
              gint64       now,
              char       **time_out,
              GError     **error)
{
  if (g_strcmp0 (status, WW_RELAY_STATUS_ACCEPTED) == 0 ||
      g_strcmp0 (status, WW_RELAY_STATUS_PROPOSED) == 0)
    {
      if (time_text == NULL || *time_text == '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "'time' is needed when 'status' is %s", status);
          return FALSE;
        }
      if (!(*time_out = ww_relay_normalize_time (time_text)))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "'time' must be ISO 8601 with an offset, such as 2026-12-03T10:00:00+01:00");
          return FALSE;
        }
      else
        {
          g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (*time_out, NULL);

          if (g_date_time_to_unix (time) < now - ANSWER_PAST_SECONDS)
            {
              g_clear_pointer (time_out, g_free);
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "'time' is in the past: give the time of the appointment");
              return FALSE;
            }
        }
    }
  else if (g_strcmp0 (status, WW_RELAY_STATUS_DECLINED) == 0)
    {
      if (is_blank (reason))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "'reason' is needed when 'status' is declined: say briefly why");
          return FALSE;
        }
    }
  else
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "'status' must be accepted, proposed or declined");
      return FALSE;
    }

  if (reason != NULL && g_utf8_strlen (reason, -1) > MAX_REASON_CHARS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "'reason' is longer than %d characters", MAX_REASON_CHARS);
      return FALSE;
    }
  return TRUE;
}

static void
count_answer (WwRelayServer *self)
{
  g_mutex_lock (&self->metrics_lock);
  self->answers++;
  g_mutex_unlock (&self->metrics_lock);
}

static void
handle_provider_answer (Exchange *ex)
{
  static const char * const members[] = { "status", "time", "reason", NULL };
  const char *provider_id;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(WwRelayBooking) booking = NULL;
  g_autofree char *time = NULL;
  g_autofree char *text = NULL;
  JsonObject *object;
  const char *status;
  const char *time_text;
  const char *reason;

  if (!(provider_id = authenticate (ex, SIGNER_PROVIDER)))
    return;
  if (!(parser = parse_json_body (ex)))
    return;

  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      answer_bad_request (ex, "the body must be a JSON object");
      return;
    }
  object = json_node_get_object (json_parser_get_root (parser));
  if (!only_members (object, members, NULL, &error) ||
      !(status = get_string_member (object, "status", "status", TRUE, &error)) ||
      ((time_text = get_string_member (object, "time", "time", FALSE, &error)), error != NULL) ||
      ((reason = get_string_member (object, "reason", "reason", FALSE, &error)), error != NULL) ||
      !check_answer (status, time_text, reason, ex->now, &time, &error))
    {
      answer_bad_request (ex, error->message);
      return;
    }

  booking = ww_relay_store_answer_booking (ex->self->store, ex->args[0], provider_id, status,
                                           time, g_str_equal (status, WW_RELAY_STATUS_DECLINED) ? reason : NULL,
                                           ex->now, &error);
  if (booking == NULL)
    {
      if (g_error_matches (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_NOT_FOUND))
        answer_not_found (ex, "this provider has no booking with this id");
      else
        answer_internal_error (ex, error);
      return;
    }

  count_answer (ex->self);
  text = booking_status_json (booking);
  answer_json (ex, SOUP_STATUS_OK, text);
}

/* At most this many listings an answer; a kiosk asks again from
 * X-Wegwijzer-Next-Since until an answer is empty. */
#define DIRECTORY_PAGE 5000

static void
handle_directory (Exchange *ex)
{
  WwRelayServer *self = ex->self;
  const char *since_text = ex->query ? g_hash_table_lookup (ex->query, "since") : NULL;
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *next_text = NULL;
  guint64 since = 0;
  gint64 next = 0;

  if (since_text != NULL &&
      !g_ascii_string_to_unsigned (since_text, 10, 0, G_MAXINT64, &since, NULL))
    {
      answer_bad_request (ex, "'since' must be a change number: 0, or the X-Wegwijzer-Next-Since "
                              "of the last answer");
      return;
    }
  if (self->directory == NULL)
    {
      answer_problem (ex, SOUP_STATUS_SERVICE_UNAVAILABLE, "no-directory",
                      "This relay serves no directory",
                      "start the relay with --directory FILE to serve one");
      return;
    }

  out = g_memory_output_stream_new_resizable ();
  if (!ww_directory_write_changes (self->directory, since, DIRECTORY_PAGE, out, &next, NULL, &error) ||
      !g_output_stream_write_all (out, "", 1, NULL, NULL, &error) ||
      !g_output_stream_close (out, NULL, &error))
    {
      g_warning ("Cannot read the directory's changes: %s", error->message);
      answer_problem (ex, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal",
                      "The relay could not do this now",
                      "the relay's directory could not be read; try again later");
      return;
    }

  answer_text (ex, SOUP_STATUS_OK, "application/x-ndjson",
               g_memory_output_stream_get_data (G_MEMORY_OUTPUT_STREAM (out)));
  next_text = g_strdup_printf ("%" G_GINT64_FORMAT, next);
  add_response_header (ex, "X-Wegwijzer-Next-Since", next_text);
}

static const char *
page_language (Exchange   *ex,
               GHashTable *form)
{
  const char *asked = form ? g_hash_table_lookup (form, "lang") : NULL;

  if (asked == NULL && ex->query != NULL)
    asked = g_hash_table_lookup (ex->query, "lang");
  return ww_relay_pages_pick_language (asked, request_header (ex, "Accept-Language"));
}

static void
handle_status_page (Exchange *ex)
{
  const char *reference = ex->query ? g_hash_table_lookup (ex->query, "reference") : NULL;
  g_autofree char *shown = NULL;

  /* what the QR code held; only shown back, never looked up here */
  if (reference != NULL && g_utf8_validate (reference, -1, NULL) && strlen (reference) <= 16)
    shown = g_ascii_strup (reference, -1);
  answer_html (ex, SOUP_STATUS_OK, ww_relay_page_status_form (page_language (ex, NULL), shown, NULL));
}

/* A form body; NULL with the answer given when it is not one. */
static GHashTable *
parse_form (Exchange *ex)
{
  g_autofree char *text = NULL;

  if (!g_utf8_validate ((const char *) ex->body->data, ex->body->len, NULL) ||
      memchr (ex->body->data, '\0', ex->body->len) != NULL)
    {
      answer_html (ex, SOUP_STATUS_BAD_REQUEST,
                   ww_relay_page_message (page_language (ex, NULL), "Wegwijzer",
                                          "The form could not be read."));
      return NULL;
    }
  text = g_strndup ((const char *) ex->body->data, ex->body->len);
  return soup_form_decode (text);
}

static void
handle_status_check (Exchange *ex)
{
  g_autoptr(GHashTable) form = NULL;
  g_autoptr(WwRelayBooking) booking = NULL;
  g_autoptr(GError) error = NULL;
  const char *language;
  const char *reference;
  const char *pin;
  gint64 retry_after = 0;

  if (!(form = parse_form (ex)))
    return;
  language = page_language (ex, form);
  reference = g_hash_table_lookup (form, "reference");
  pin = g_hash_table_lookup (form, "pin");

  if (reference == NULL || pin == NULL || *reference == '\0' || strlen (reference) > 16 ||
      strlen (pin) != PIN_DIGITS || strspn (pin, "0123456789") != PIN_DIGITS)
    {
      answer_html (ex, SOUP_STATUS_BAD_REQUEST,
                   ww_relay_page_status_form (language, reference && strlen (reference) <= 16 ? reference : NULL,
                                              ww_relay_page_status_error (language, "invalid")));
      return;
    }

  switch (lookup_with_pin (ex, reference, pin, &booking, &retry_after, &error))
    {
    case LOOKUP_FOUND:
      answer_html (ex, SOUP_STATUS_OK, ww_relay_page_status (language, booking));
      break;
    case LOOKUP_NOT_FOUND:
      answer_html (ex, SOUP_STATUS_NOT_FOUND,
                   ww_relay_page_status_form (language, reference,
                                              ww_relay_page_status_error (language, "not-found")));
      break;
    case LOOKUP_LOCKED:
      {
        g_autofree char *retry_text = g_strdup_printf ("%" G_GINT64_FORMAT, retry_after);

        answer_html (ex, STATUS_TOO_MANY_REQUESTS,
                     ww_relay_page_status_form (language, reference,
                                                ww_relay_page_status_error (language, "locked")));
        add_response_header (ex, "Retry-After", retry_text);
      }
      break;
    case LOOKUP_FAILED:
    default:
      g_warning ("Store failed: %s", error->message);
      answer_html (ex, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                   ww_relay_page_message (language, "Wegwijzer",
                                          "The relay could not do this now; try again later."));
      break;
    }
}

/* The provider whose inbox the key in the path opens; NULL with a 404
 * page given. */
static char *
open_inbox (Exchange   *ex,
            const char *language)
{
  g_autoptr(GError) error = NULL;
  char *provider_id = ww_relay_store_find_inbox (ex->self->store, ex->args[0], &error);

  if (provider_id == NULL)
    {
      if (!g_error_matches (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_NOT_FOUND))
        g_warning ("Store failed: %s", error->message);
      answer_html (ex, SOUP_STATUS_NOT_FOUND,
                   ww_relay_page_message (language, "Wegwijzer",
                                          g_str_equal (language, "nl")
                                          ? "Deze link opent geen inbox. Vraag de beheerder om een nieuwe."
                                          : "This link opens no inbox. Ask the administrator for a new one."));
    }
  return provider_id;
}

static void
show_inbox (Exchange   *ex,
            const char *language,
            const char *provider_id,
            guint       status,
            const char *notice)
{
  g_autoptr(GPtrArray) bookings = NULL;
  g_autoptr(GPtrArray) shown = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  bookings = ww_relay_store_list_provider_bookings (ex->self->store, provider_id, INBOX_LIMIT, &error);
  if (bookings == NULL)
    {
      g_warning ("Store failed: %s", error->message);
      answer_html (ex, SOUP_STATUS_INTERNAL_SERVER_ERROR,
                   ww_relay_page_message (language, "Wegwijzer",
                                          "The relay could not do this now; try again later."));
      return;
    }

  /* the provider has seen these now */
  for (guint i = 0; i < bookings->len; i++)
    {
      WwRelayBooking *booking = g_ptr_array_index (bookings, i);

      if (g_str_equal (booking->status, WW_RELAY_STATUS_RECEIVED))
        g_ptr_array_add (shown, booking->id);
    }
  g_ptr_array_add (shown, NULL);
  if (!ww_relay_store_mark_delivered (ex->self->store, (const char * const *) shown->pdata, ex->now, &error))
    g_warning ("Cannot mark bookings delivered: %s", error->message);

  answer_html (ex, status, ww_relay_page_inbox (language, ex->args[0], provider_id, bookings, notice));
}

static void
handle_inbox (Exchange *ex)
{
  const char *language = page_language (ex, NULL);
  g_autofree char *provider_id = open_inbox (ex, language);

  /* back from an answer (Post/Redirect/Get): say it was kept */
  if (provider_id != NULL)
    show_inbox (ex, language, provider_id, SOUP_STATUS_OK,
                ex->query != NULL && g_hash_table_contains (ex->query, "answered")
                ? ww_relay_page_inbox_error (language, "saved") : NULL);
}

static void
handle_inbox_answer (Exchange *ex)
{
  g_autoptr(GHashTable) form = NULL;
  g_autofree char *provider_id = NULL;
  g_autoptr(WwRelayBooking) booking = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *time = NULL;
  const char *language;
  const char *action;
  const char *time_text;
  const char *reason;
  const char *status = NULL;
  const char *problem = NULL;
  g_autofree char *stripped_reason = NULL;

  if (!(form = parse_form (ex)))
    return;
  language = page_language (ex, form);
  if (!(provider_id = open_inbox (ex, language)))
    return;

  action = g_hash_table_lookup (form, "action");
  time_text = g_hash_table_lookup (form, "time");
  reason = g_hash_table_lookup (form, "reason");
  if (g_strcmp0 (action, "accept") == 0)
    status = WW_RELAY_STATUS_ACCEPTED;
  else if (g_strcmp0 (action, "propose") == 0)
    status = WW_RELAY_STATUS_PROPOSED;
  else if (g_strcmp0 (action, "decline") == 0)
    status = WW_RELAY_STATUS_DECLINED;

  if (status == NULL)
    problem = "bad-action";
  else if (!g_str_equal (status, WW_RELAY_STATUS_DECLINED) && (time_text == NULL || *time_text == '\0'))
    problem = "no-time";
  else if (g_str_equal (status, WW_RELAY_STATUS_DECLINED) && is_blank (reason))
    problem = "no-reason";
  else if (reason != NULL && g_utf8_strlen (reason, -1) > MAX_REASON_CHARS)
    problem = "bad-reason";
  else if (!check_answer (status, time_text, reason, ex->now, &time, &error))
    problem = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT)
              ? "past-time" : "bad-time";

  if (problem != NULL)
    {
      show_inbox (ex, language, provider_id, SOUP_STATUS_BAD_REQUEST,
                  ww_relay_page_inbox_error (language, problem));
      return;
    }

  stripped_reason = g_str_equal (status, WW_RELAY_STATUS_DECLINED) ? g_strstrip (g_strdup (reason)) : NULL;
  booking = ww_relay_store_answer_booking (ex->self->store, ex->args[1], provider_id, status, time,
                                           stripped_reason, ex->now, &error);
  if (booking == NULL)
    {
      if (!g_error_matches (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_NOT_FOUND))
        g_warning ("Store failed: %s", error->message);
      answer_html (ex, SOUP_STATUS_NOT_FOUND,
                   ww_relay_page_message (language, "Wegwijzer",
                                          g_str_equal (language, "nl")
                                          ? "Deze aanvraag staat niet in uw inbox."
                                          : "This request is not in your inbox."));
      return;
    }

  count_answer (ex->self);
  /* Post/Redirect/Get: a reload does not send the answer twice */
  {
    g_autofree char *location = g_strdup_printf ("/inbox/%s?lang=%s&answered=%s#booking-%s",
                                                 ex->args[0], language, booking->id, booking->id);

    ex->status = SOUP_STATUS_SEE_OTHER;
    g_free (ex->content_type);
    ex->content_type = g_strdup ("text/plain; charset=utf-8");
    g_free (ex->response);
    ex->response = g_strdup ("");
    add_response_header (ex, "Location", location);
    add_response_header (ex, "Cache-Control", "no-store");
  }
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
handle_metrics (Exchange *ex)
{
  WwRelayServer *self = ex->self;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->metrics_lock);
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

  append_counter_header (text, "wegwijzer_relay_answers_total",
                         "Answers from providers, through the API or the inbox.");
  g_string_append_printf (text, "wegwijzer_relay_answers_total %" G_GUINT64_FORMAT "\n", self->answers);

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

  answer_text (ex, SOUP_STATUS_OK, "text/plain; version=0.0.4; charset=utf-8", text->str);
}

/* Whether @path fits @template, one "/" segment after the other; a
 * "{…}" segment takes any that is not empty, and is copied to @args.
 * Twice for every request, so without allocating until it matches. */
static gboolean
match_template (const char *template,
                const char *path,
                char      **args)
{
  const char *found[MAX_ROUTE_ARGS];
  gsize found_length[MAX_ROUTE_ARGS];
  guint n_args = 0;

  for (;;)
    {
      gsize want = strcspn (template, "/");
      gsize have = strcspn (path, "/");

      if (template[0] == '{')
        {
          if (have == 0)
            return FALSE;
          if (n_args < MAX_ROUTE_ARGS)
            {
              found[n_args] = path;
              found_length[n_args++] = have;
            }
        }
      else if (want != have || strncmp (template, path, want) != 0)
        return FALSE;

      template += want;
      path += have;
      /* as many segments on both sides */
      if (template[0] == '\0' || path[0] == '\0')
        {
          if (template[0] != path[0])
            return FALSE;
          break;
        }
      template++;
      path++;
    }

  for (guint i = 0; i < n_args && args != NULL; i++)
    args[i] = g_strndup (found[i], found_length[i]);
  return TRUE;
}

/* The route of @path and @method. When the path is served but not for
 * this method, returns N_ROUTES with *allowed set to the methods it
 * takes; when nothing is at the path, *allowed is NULL. */
static Route
match_route (const char  *path,
             const char  *method,
             char       **args,
             char       **allowed)
{
  g_autoptr(GString) methods = NULL;

  for (guint i = 0; i < N_ROUTES; i++)
    {
      if (!match_template (routes[i].path, path, NULL))
        continue;

      /* HEAD goes wherever GET does; libsoup leaves out the body */
      if (method != NULL &&
          (g_str_equal (method, routes[i].method) ||
           (g_str_equal (routes[i].method, "GET") && g_str_equal (method, "HEAD"))))
        {
          match_template (routes[i].path, path, args);
          return i;
        }

      if (methods == NULL)
        methods = g_string_new (routes[i].method);
      else
        g_string_append_printf (methods, ", %s", routes[i].method);
    }

  if (allowed != NULL)
    *allowed = methods ? g_string_free (g_steal_pointer (&methods), FALSE) : NULL;
  return N_ROUTES;
}

static void
handle_exchange (Exchange *ex)
{
  switch (ex->route)
    {
    case ROUTE_HEALTHZ:
      answer_json (ex, SOUP_STATUS_OK, "{\"status\":\"ok\"}");
      break;
    case ROUTE_METRICS:
      handle_metrics (ex);
      break;
    case ROUTE_BOOKINGS:
      handle_create_booking (ex);
      break;
    case ROUTE_BOOKING:
      handle_booking_status (ex);
      break;
    case ROUTE_ANSWER:
      handle_provider_answer (ex);
      break;
    case ROUTE_DIRECTORY:
      handle_directory (ex);
      break;
    case ROUTE_STATUS_PAGE:
      handle_status_page (ex);
      break;
    case ROUTE_STATUS_CHECK:
      handle_status_check (ex);
      break;
    case ROUTE_INBOX:
      handle_inbox (ex);
      break;
    case ROUTE_INBOX_ANSWER:
      handle_inbox_answer (ex);
      break;
    case N_ROUTES:
    default:
      g_assert_not_reached ();
    }
}

/* Main thread: puts the answer on the message. */
static void
apply_exchange (Exchange *ex)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (ex->msg);

  soup_server_message_set_status (ex->msg, ex->status, NULL);
  soup_server_message_set_response (ex->msg, ex->content_type, SOUP_MEMORY_COPY,
                                    ex->response, strlen (ex->response));
  for (guint i = 0; i + 1 < ex->response_headers->len; i += 2)
    soup_message_headers_replace (headers, g_ptr_array_index (ex->response_headers, i),
                                  g_ptr_array_index (ex->response_headers, i + 1));

  if (ex->booking_created)
    {
      g_mutex_lock (&ex->self->metrics_lock);
      ex->self->bookings_created++;
      g_mutex_unlock (&ex->self->metrics_lock);
      if (ex->self->courier != NULL)
        ww_relay_courier_kick (ex->self->courier);
    }
}

static void
exchange_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  handle_exchange (task_data);
  g_task_return_boolean (task, TRUE);
}

static void
exchange_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Exchange *ex = g_task_get_task_data (G_TASK (result));

  apply_exchange (ex);
  soup_server_message_unpause (ex->msg);
}

static gboolean
route_needs_store (Route route)
{
  return route != ROUTE_HEALTHZ && route != ROUTE_METRICS && route != ROUTE_STATUS_PAGE;
}

static gboolean
route_takes_body (Route route)
{
  return g_str_equal (routes[route].method, "POST");
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
  RequestBody *request = g_object_get_data (G_OBJECT (msg), "ww-request-body");
  g_autofree char *allowed = NULL;
  g_autoptr(GTask) task = NULL;
  Exchange *ex;

  /* answered by the early handler already */
  if (request == NULL)
    return;

  ex = g_new0 (Exchange, 1);
  ex->self = g_object_ref (self);
  ex->msg = g_object_ref (msg);
  ex->response_headers = g_ptr_array_new_with_free_func (g_free);
  ex->headers = soup_message_headers_ref (soup_server_message_get_request_headers (msg));
  ex->now = get_now (self);
  ex->route = match_route (path, soup_server_message_get_method (msg), ex->args, &allowed);

  if (ex->route == N_ROUTES)
    {
      if (allowed == NULL)
        answer_not_found (ex, "there is nothing at this path");
      else
        {
          g_autofree char *detail = g_strdup_printf ("%s is not allowed here; use %s",
                                                     soup_server_message_get_method (msg), allowed);

          answer_problem (ex, SOUP_STATUS_METHOD_NOT_ALLOWED, "method-not-allowed",
                          "Method not allowed", detail);
          add_response_header (ex, "Allow", allowed);
        }
      apply_exchange (ex);
      exchange_free (ex);
      return;
    }

  if (route_takes_body (ex->route) && request->too_large)
    {
      answer_too_large (ex);
      apply_exchange (ex);
      exchange_free (ex);
      return;
    }

  ex->body = g_byte_array_ref (request->data);
  if (query != NULL)
    {
      GHashTableIter iter;
      gpointer key, value;

      ex->query = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_iter_init (&iter, query);
      while (g_hash_table_iter_next (&iter, &key, &value))
        g_hash_table_insert (ex->query, g_strdup (key), g_strdup (value));
    }
  ex->client_key = dup_client_key (msg);

  if (!route_needs_store (ex->route))
    {
      handle_exchange (ex);
      apply_exchange (ex);
      exchange_free (ex);
      return;
    }

  /* The store may wait on a disk sync: not on this thread. */
  soup_server_message_pause (msg);
  task = g_task_new (NULL, NULL, exchange_done_cb, NULL);
  g_task_set_source_tag (task, handler_cb);
  g_task_set_task_data (task, ex, (GDestroyNotify) exchange_free);
  g_task_run_in_thread (task, exchange_thread);
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
  g_autofree char *allowed = NULL;
  Route route = uri != NULL
                ? match_route (g_uri_get_path (uri), soup_server_message_get_method (msg), NULL, &allowed)
                : N_ROUTES;
  const char *label = "unmatched";
  g_autofree char *key = NULL;
  g_autoptr(GMutexLocker) locker = NULL;
  guint64 *count;

  /* a known path with another method counts under its template */
  if (route != N_ROUTES)
    label = routes[route].path;
  else if (allowed != NULL)
    for (guint i = 0; i < N_ROUTES; i++)
      if (match_template (routes[i].path, g_uri_get_path (uri), NULL))
        {
          label = routes[i].path;
          break;
        }

  key = g_strdup_printf ("%s\t%u", label, soup_server_message_get_status (msg));
  locker = g_mutex_locker_new (&self->metrics_lock);
  count = g_hash_table_lookup (self->request_counts, key);
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
  if (self->courier != NULL)
    ww_relay_courier_stop (self->courier);
  g_clear_object (&self->courier);
  g_clear_object (&self->store);
  g_clear_object (&self->directory);

  G_OBJECT_CLASS (ww_relay_server_parent_class)->dispose (object);
}

static void
ww_relay_server_finalize (GObject *object)
{
  WwRelayServer *self = (WwRelayServer *)object;

  g_clear_pointer (&self->request_counts, g_hash_table_unref);
  g_free (self->public_url);
  g_mutex_clear (&self->metrics_lock);

  G_OBJECT_CLASS (ww_relay_server_parent_class)->finalize (object);
}

static void
ww_relay_server_class_init (WwRelayServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ww_relay_server_dispose;
  object_class->finalize = ww_relay_server_finalize;
}

static void
ww_relay_server_init (WwRelayServer *self)
{
  g_mutex_init (&self->metrics_lock);
  self->soup = soup_server_new (NULL, NULL);
  soup_server_add_early_handler (self->soup, NULL, early_handler_cb, self, NULL);
  soup_server_add_handler (self->soup, NULL, handler_cb, self, NULL);
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (request_finished_cb), self);
  self->request_deadline = WW_RELAY_DEFAULT_REQUEST_DEADLINE;
  self->request_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->public_url = g_strdup ("http://127.0.0.1:8765");
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

  if (!self->deadline_attached)
    {
      ww_relay_deadline_attach (self->soup, self->request_deadline);
      self->deadline_attached = TRUE;
    }

  socket_address = g_inet_socket_address_new_from_string (address, port);
  if (socket_address == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "'%s' is not an IP address", address);
      return FALSE;
    }

  return soup_server_listen (self->soup, socket_address,
                             soup_server_get_tls_certificate (self->soup) != NULL
                             ? SOUP_SERVER_LISTEN_HTTPS : 0,
                             error);
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
 * What signatures, the wrong-PIN windows and deliveries are checked
 * against.
 */
void
ww_relay_server_set_clock (WwRelayServer    *self,
                           WwRelayClockFunc  clock,
                           gpointer          user_data)
{
  g_return_if_fail (WW_IS_RELAY_SERVER (self));

  self->clock = clock;
  self->clock_data = user_data;
  if (self->courier != NULL)
    ww_relay_courier_set_clock (self->courier, clock, user_data);
}

/**
 * ww_relay_server_set_public_url:
 * @url: where phones and providers reach this relay, such as
 *   "https://relay.example": the status page's address (in the QR
 *   code) and the answer URL of webhook deliveries start with it
 */
void
ww_relay_server_set_public_url (WwRelayServer *self,
                                const char    *url)
{
  g_return_if_fail (WW_IS_RELAY_SERVER (self));
  g_return_if_fail (url != NULL);

  g_free (self->public_url);
  self->public_url = g_strdup (url);
  /* "https://relay.example/" and "https://relay.example" mean one thing */
  while (g_str_has_suffix (self->public_url, "/"))
    self->public_url[strlen (self->public_url) - 1] = '\0';
}

const char *
ww_relay_server_get_public_url (WwRelayServer *self)
{
  g_return_val_if_fail (WW_IS_RELAY_SERVER (self), NULL);

  return self->public_url;
}

/**
 * ww_relay_server_set_directory:
 * @directory: (nullable): what GET /v1/directory serves the changes of
 */
void
ww_relay_server_set_directory (WwRelayServer *self,
                               WwDirectory   *directory)
{
  g_return_if_fail (WW_IS_RELAY_SERVER (self));

  g_set_object (&self->directory, directory);
}

/**
 * ww_relay_server_start_delivery:
 *
 * Starts delivering bookings to the webhooks of their providers.
 */
void
ww_relay_server_start_delivery (WwRelayServer              *self,
                                const WwRelayCourierConfig *config)
{
  g_return_if_fail (WW_IS_RELAY_SERVER (self));
  g_return_if_fail (config != NULL);

  if (self->courier != NULL)
    ww_relay_courier_stop (self->courier);
  g_clear_object (&self->courier);
  self->courier = ww_relay_courier_new (self->store, self->public_url, config);
  if (self->clock != NULL)
    ww_relay_courier_set_clock (self->courier, self->clock, self->clock_data);
  ww_relay_courier_start (self->courier);
}

/**
 * ww_relay_server_set_request_deadline:
 * @seconds: how long a client may take to send a request's headers and
 *   body; a slower one is cut off (call before listening)
 */
void
ww_relay_server_set_request_deadline (WwRelayServer *self,
                                      guint          seconds)
{
  g_return_if_fail (WW_IS_RELAY_SERVER (self));
  g_return_if_fail (seconds > 0);
  g_return_if_fail (!self->deadline_attached);

  self->request_deadline = seconds;
}

/**
 * ww_relay_server_set_tls_certificate:
 *
 * Serves HTTPS with @certificate (call before listening).
 */
void
ww_relay_server_set_tls_certificate (WwRelayServer   *self,
                                     GTlsCertificate *certificate)
{
  g_return_if_fail (WW_IS_RELAY_SERVER (self));

  soup_server_set_tls_certificate (self->soup, certificate);
}
