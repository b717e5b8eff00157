/* test-relay.c: wegwijzer-relay's routes, over HTTP on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "wegwijzer.h"
#include "ww-relay-server.h"
#include "ww-relay-store-sqlite.h"

/* Fictional sample data, as every test's */
#define GOOD_BODY \
  "{\"provider_id\":\"sample-clinic-1\"," \
  "\"fields\":{\"topic\":\"sti-test\",\"when\":\"morning\"}," \
  "\"contact\":{\"method\":\"none\"}," \
  "\"name\":\"Sample Visitor\",\"language\":\"nl\",\"consent\":true}"

static const char reference_alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

typedef struct {
  char               *dir;
  char               *db_path;
  WwRelayStoreSqlite *store;
  WwRelayServer      *server;
  SoupSession        *session;
  char               *base;
  char               *device_id;
  char               *secret;
  /* added to the real time, to move the relay's clock forward */
  gint64              clock_offset;
} Fixture;

typedef struct {
  guint  status;
  char  *content_type;
  char  *content_version;
  char  *retry_after;
  char  *body;
} Response;

static void
response_free (Response *response)
{
  g_free (response->content_type);
  g_free (response->content_version);
  g_free (response->retry_after);
  g_free (response->body);
  g_free (response);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Response, response_free)

static gint64
fixture_clock (gpointer user_data)
{
  Fixture *fixture = user_data;

  return g_get_real_time () / G_USEC_PER_SEC + fixture->clock_offset;
}

static void
start_server (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  fixture->store = ww_relay_store_sqlite_new (fixture->db_path, &error);
  g_assert_no_error (error);
  fixture->server = ww_relay_server_new (WW_RELAY_STORE (fixture->store),
                                         WW_RELAY_DEFAULT_MAX_BODY_BYTES,
                                         WW_RELAY_DEFAULT_CLOCK_SKEW);
  ww_relay_server_set_clock (fixture->server, fixture_clock, fixture);
  ww_relay_server_listen (fixture->server, "127.0.0.1", 0, &error);
  g_assert_no_error (error);
  g_clear_pointer (&fixture->base, g_free);
  fixture->base = g_strdup_printf ("http://127.0.0.1:%u", ww_relay_server_get_port (fixture->server));
}

static void
stop_server (Fixture *fixture)
{
  g_clear_object (&fixture->server);
  g_clear_object (&fixture->store);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-relay-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->db_path = g_build_filename (fixture->dir, "relay.db", NULL);
  start_server (fixture);
  /* no proxy on loopback; the default resolver would want GSettings */
  fixture->session = soup_session_new_with_options ("proxy-resolver", NULL, NULL);

  ww_relay_store_add_device (WW_RELAY_STORE (fixture->store), "kiosk 1",
                             &fixture->device_id, &fixture->secret, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  g_clear_object (&fixture->session);
  stop_server (fixture);
  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (fixture->db_path, suffixes[i], NULL);

      g_unlink (path);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db_path);
  g_free (fixture->base);
  g_free (fixture->device_id);
  g_free (fixture->secret);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* The server runs on this thread's main context, so the client must not
 * block it: send asynchronously and iterate until the answer is in. */
static Response *
send (Fixture    *fixture,
      SoupMessage *msg)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  Response *response = g_new0 (Response, 1);
  g_autoptr(GHashTable) params = NULL;
  const char *content_type;

  soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT,
                                    NULL, sent_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  bytes = soup_session_send_and_read_finish (fixture->session, result, &error);
  g_assert_no_error (error);

  response->status = soup_message_get_status (msg);
  content_type = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), &params);
  response->content_type = g_strdup (content_type);
  if (params != NULL)
    response->content_version = g_strdup (g_hash_table_lookup (params, "version"));
  response->retry_after = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                                  "Retry-After"));
  response->body = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  return response;
}

static SoupMessage *
new_message (Fixture    *fixture,
             const char *method,
             const char *path)
{
  g_autofree char *uri = g_strconcat (fixture->base, path, NULL);

  return soup_message_new (method, uri);
}

typedef struct {
  const char *device_id;
  const char *secret;
  const char *msg_id;
  gint64      skew;
  const char *idempotency_key;
  gboolean    unsigned_request;
  gboolean    chunked;
} SendOptions;

static Response *
post_booking_full (Fixture           *fixture,
                   const char        *body,
                   gsize              length,
                   const SendOptions *options)
{
  g_autoptr(SoupMessage) msg = new_message (fixture, "POST", "/v1/bookings");
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  g_autofree char *msg_id = options->msg_id ? g_strdup (options->msg_id) : g_uuid_string_random ();
  gint64 timestamp = g_get_real_time () / G_USEC_PER_SEC + options->skew;
  g_autofree char *timestamp_text = g_strdup_printf ("%" G_GINT64_FORMAT, timestamp);
  g_autoptr(GBytes) bytes = g_bytes_new (body, length);

  if (!options->unsigned_request)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *signature = NULL;

      signature = ww_signature_sign (options->secret ? options->secret : fixture->secret,
                                     msg_id, timestamp, body, length, &error);
      g_assert_no_error (error);
      soup_message_headers_append (headers, "X-Wegwijzer-Device",
                                   options->device_id ? options->device_id : fixture->device_id);
      soup_message_headers_append (headers, "webhook-id", msg_id);
      soup_message_headers_append (headers, "webhook-timestamp", timestamp_text);
      soup_message_headers_append (headers, "webhook-signature", signature);
    }
  if (options->idempotency_key != NULL)
    soup_message_headers_append (headers, "Idempotency-Key", options->idempotency_key);

  if (options->chunked)
    {
      g_autoptr(GInputStream) stream = g_memory_input_stream_new_from_bytes (bytes);

      soup_message_set_request_body (msg, "application/json", stream, -1);
    }
  else
    soup_message_set_request_body_from_bytes (msg, "application/json", bytes);

  return send (fixture, msg);
}

static Response *
post_booking (Fixture    *fixture,
              const char *body,
              const char *idempotency_key)
{
  g_autofree char *key = idempotency_key ? NULL : g_uuid_string_random ();
  SendOptions options = { .idempotency_key = idempotency_key ? idempotency_key : key };

  return post_booking_full (fixture, body, strlen (body), &options);
}

static Response *
get_status (Fixture    *fixture,
            const char *reference,
            const char *pin)
{
  g_autofree char *path = g_strconcat ("/v1/bookings/", reference, NULL);
  g_autoptr(SoupMessage) msg = new_message (fixture, "GET", path);

  if (pin != NULL)
    soup_message_headers_append (soup_message_get_request_headers (msg), "X-Wegwijzer-Pin", pin);
  return send (fixture, msg);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

/* Checks an RFC 9457 answer and that its detail mentions @detail_part. */
static void
assert_problem (Response   *response,
                guint       status,
                const char *detail_part)
{
  g_autoptr(JsonObject) problem = NULL;

  if (response->status != status)
    g_test_message ("unexpected answer %u: %s", response->status, response->body);
  g_assert_cmpuint (response->status, ==, status);
  g_assert_cmpstr (response->content_type, ==, "application/problem+json");
  problem = parse_object (response->body);
  g_assert_true (json_object_has_member (problem, "type"));
  g_assert_true (json_object_has_member (problem, "title"));
  g_assert_cmpint (json_object_get_int_member (problem, "status"), ==, status);
  if (detail_part != NULL && strstr (json_object_get_string_member (problem, "detail"), detail_part) == NULL)
    g_error ("detail '%s' does not mention '%s'",
             json_object_get_string_member (problem, "detail"), detail_part);
}

static gint64
count_bookings (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  gint64 count = ww_relay_store_count_bookings (WW_RELAY_STORE (fixture->store), &error);

  g_assert_no_error (error);
  return count;
}

/* Books GOOD_BODY and checks the answer; returns it parsed. */
static JsonObject *
assert_good_booking (Fixture *fixture)
{
  g_autoptr(Response) response = post_booking (fixture, GOOD_BODY, NULL);
  JsonObject *answer;
  const char *reference;
  const char *pin;

  if (response->status != SOUP_STATUS_CREATED)
    g_test_message ("unexpected answer %u: %s", response->status, response->body);
  g_assert_cmpuint (response->status, ==, SOUP_STATUS_CREATED);
  g_assert_cmpstr (response->content_type, ==, "application/json");
  answer = parse_object (response->body);

  reference = json_object_get_string_member (answer, "reference");
  g_assert_cmpuint (strlen (reference), ==, 8);
  g_assert_cmpuint (strspn (reference, reference_alphabet), ==, 8);
  pin = json_object_get_string_member (answer, "pin");
  g_assert_cmpuint (strlen (pin), ==, 6);
  g_assert_cmpuint (strspn (pin, "0123456789"), ==, 6);
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (answer, "id")));
  g_assert_cmpstr (json_object_get_string_member (answer, "status"), ==, "received");
  return answer;
}

static void
test_healthz (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(SoupMessage) msg = new_message (fixture, "GET", "/healthz");
  g_autoptr(Response) response = send (fixture, msg);
  g_autoptr(SoupMessage) elsewhere = new_message (fixture, "GET", "/nothing-here");
  g_autoptr(Response) missing = send (fixture, elsewhere);

  g_assert_cmpuint (response->status, ==, SOUP_STATUS_OK);
  g_assert_cmpstr (response->content_type, ==, "application/json");
  g_assert_cmpstr (response->body, ==, "{\"status\":\"ok\"}");
  assert_problem (missing, SOUP_STATUS_NOT_FOUND, NULL);
}

/* The relay takes what the kiosk's own WwBookingRequest writes: the two
 * ends of the contract are tested together. */
static void
test_kiosk_request (Fixture       *fixture,
                    gconstpointer  data)
{
  const WwContactMethod methods[] = { WW_CONTACT_METHOD_NONE, WW_CONTACT_METHOD_EMAIL };

  for (guint i = 0; i < G_N_ELEMENTS (methods); i++)
    {
      g_autoptr(WwBookingRequest) request = ww_booking_request_new ("test-care-01");
      g_autoptr(Response) response = NULL;
      g_autofree char *body = NULL;

      ww_booking_request_set_field (request, "topic", "prep");
      ww_booking_request_set_contact (request, methods[i],
                                      methods[i] == WW_CONTACT_METHOD_EMAIL ? "rosa@voorbeeld.example" : NULL);
      ww_booking_request_set_name (request, "Rosa");
      ww_booking_request_set_day_parts (request, WW_DAY_PART_MORNING | WW_DAY_PART_EVENING);
      ww_booking_request_set_consent (request, TRUE);
      body = ww_booking_request_to_json_string (request);

      response = post_booking (fixture, body, NULL);
      if (response->status != SOUP_STATUS_CREATED)
        g_error ("the relay refused the kiosk's request %s: %u %s", body, response->status, response->body);
    }
}

static void
test_book_and_check (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(JsonObject) answer = assert_good_booking (fixture);
  const char *reference = json_object_get_string_member (answer, "reference");
  const char *pin = json_object_get_string_member (answer, "pin");
  g_autofree char *lower = g_ascii_strdown (reference, -1);
  g_autofree char *wrong_pin = g_strdup_printf ("%06d", (atoi (pin) + 1) % 1000000);
  g_autoptr(Response) status = get_status (fixture, reference, pin);
  g_autoptr(Response) typed_lower = get_status (fixture, lower, pin);
  g_autoptr(Response) wrong = get_status (fixture, reference, wrong_pin);
  g_autoptr(Response) unknown = get_status (fixture, "ABCDEFGH", pin);
  g_autoptr(Response) no_pin = get_status (fixture, reference, NULL);
  g_autoptr(JsonObject) shown = NULL;
  g_autoptr(JsonObject) wrong_problem = NULL;
  g_autoptr(JsonObject) unknown_problem = NULL;

  g_assert_cmpuint (status->status, ==, SOUP_STATUS_OK);
  shown = parse_object (status->body);
  g_assert_cmpstr (json_object_get_string_member (shown, "reference"), ==, reference);
  g_assert_cmpstr (json_object_get_string_member (shown, "status"), ==, "received");
  g_assert_true (json_object_get_null_member (shown, "answer"));
  g_assert_cmpuint (typed_lower->status, ==, SOUP_STATUS_OK);

  /* A wrong PIN and an unknown reference look the same */
  assert_problem (wrong, SOUP_STATUS_NOT_FOUND, NULL);
  assert_problem (unknown, SOUP_STATUS_NOT_FOUND, NULL);
  g_assert_cmpstr (wrong->body, ==, unknown->body);
  assert_problem (no_pin, SOUP_STATUS_BAD_REQUEST, "X-Wegwijzer-Pin");
}

static void
test_unauthorized (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *other_secret = ww_signature_new_secret ();
  g_autofree char *revoked_id = NULL;
  g_autofree char *revoked_secret = NULL;
  g_autoptr(GError) error = NULL;
  struct {
    const char *name;
    SendOptions options;
    const char *detail;
  } cases[] = {
    { "unsigned", { .unsigned_request = TRUE }, "not signed" },
    { "wrong signature", { .secret = other_secret }, "no signature matches" },
    { "unknown device", { .device_id = "no-such-device" }, "not known" },
    { "revoked device", { .device_id = NULL }, "revoked" },
    { "301 s behind", { .skew = -301 }, "clock" },
    { "301 s ahead", { .skew = 301 }, "clock" },
  };

  ww_relay_store_add_device (WW_RELAY_STORE (fixture->store), "kiosk 2",
                             &revoked_id, &revoked_secret, &error);
  g_assert_no_error (error);
  ww_relay_store_revoke_device (WW_RELAY_STORE (fixture->store), revoked_id, &error);
  g_assert_no_error (error);
  cases[3].options.device_id = revoked_id;
  cases[3].options.secret = revoked_secret;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *key = g_uuid_string_random ();
      g_autoptr(Response) response = NULL;

      g_test_message ("case: %s", cases[i].name);
      cases[i].options.idempotency_key = key;
      response = post_booking_full (fixture, GOOD_BODY, strlen (GOOD_BODY), &cases[i].options);
      assert_problem (response, SOUP_STATUS_UNAUTHORIZED, cases[i].detail);
    }

  g_assert_cmpint (count_bookings (fixture), ==, 0);
}

static void
test_replayed_message (Fixture       *fixture,
                       gconstpointer  data)
{
  SendOptions options = { .msg_id = "msg-once", .idempotency_key = "key-1" };
  g_autoptr(Response) first = post_booking_full (fixture, GOOD_BODY, strlen (GOOD_BODY), &options);
  g_autoptr(Response) again = NULL;
  g_autoptr(Response) other_key = NULL;

  g_assert_cmpuint (first->status, ==, SOUP_STATUS_CREATED);
  again = post_booking_full (fixture, GOOD_BODY, strlen (GOOD_BODY), &options);
  assert_problem (again, SOUP_STATUS_UNAUTHORIZED, "already used");
  options.idempotency_key = "key-2";
  other_key = post_booking_full (fixture, GOOD_BODY, strlen (GOOD_BODY), &options);
  assert_problem (other_key, SOUP_STATUS_UNAUTHORIZED, "already used");
  g_assert_cmpint (count_bookings (fixture), ==, 1);
}

static void
test_idempotency (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(Response) missing = NULL;
  g_autoptr(Response) first = post_booking (fixture, GOOD_BODY, "same-key");
  g_autoptr(Response) second = post_booking (fixture, GOOD_BODY, "same-key");
  g_autoptr(Response) other_body = NULL;
  SendOptions no_key = { 0 };

  missing = post_booking_full (fixture, GOOD_BODY, strlen (GOOD_BODY), &no_key);
  assert_problem (missing, SOUP_STATUS_BAD_REQUEST, "Idempotency-Key");

  g_assert_cmpuint (first->status, ==, SOUP_STATUS_CREATED);
  g_assert_cmpuint (second->status, ==, first->status);
  g_assert_cmpstr (second->body, ==, first->body);
  g_assert_cmpint (count_bookings (fixture), ==, 1);

  other_body = post_booking (fixture,
                             "{\"provider_id\":\"sample-clinic-2\",\"fields\":{},"
                             "\"contact\":{\"method\":\"none\"},\"name\":\"Sample\","
                             "\"language\":\"en\",\"consent\":true}",
                             "same-key");
  assert_problem (other_body, SOUP_STATUS_UNPROCESSABLE_ENTITY, "same-key");
  g_assert_cmpint (count_bookings (fixture), ==, 1);
}

static void
test_too_large (Fixture       *fixture,
                gconstpointer  data)
{
  gsize length = WW_RELAY_DEFAULT_MAX_BODY_BYTES + 1;
  g_autofree char *body = g_malloc (length);
  SendOptions options = { .idempotency_key = "big" };
  g_autoptr(Response) sized = NULL;
  g_autoptr(Response) chunked = NULL;
  g_autoptr(JsonObject) answer = NULL;

  /* a string inside a valid object, so that only the size is wrong */
  memset (body, 'a', length);
  memcpy (body, "{\"x\":\"", 6);
  memcpy (body + length - 2, "\"}", 2);

  sized = post_booking_full (fixture, body, length, &options);
  assert_problem (sized, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "65536");

  options.chunked = TRUE;
  options.idempotency_key = "big-chunked";
  chunked = post_booking_full (fixture, body, length, &options);
  assert_problem (chunked, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "65536");

  answer = assert_good_booking (fixture);
}

static void
test_chunked_good (Fixture       *fixture,
                   gconstpointer  data)
{
  SendOptions options = { .idempotency_key = "chunked", .chunked = TRUE };
  g_autoptr(Response) response = post_booking_full (fixture, GOOD_BODY, strlen (GOOD_BODY), &options);

  g_assert_cmpuint (response->status, ==, SOUP_STATUS_CREATED);
}

typedef struct {
  const char *name;
  const char *body;
  const char *detail;
} BadBody;

static const BadBody bad_bodies[] = {
  { "empty", "", "not valid JSON" },
  { "malformed", "{\"provider_id\":", "not valid JSON" },
  { "not an object", "[1,2,3]", "JSON object" },
  { "not UTF-8", "{\"name\":\"\xff\"}", "UTF-8" },
  { "provider_id missing",
    "{\"fields\":{},\"contact\":{\"method\":\"none\"},\"name\":\"S\",\"language\":\"nl\",\"consent\":true}",
    "provider_id" },
  { "provider_id a number",
    "{\"provider_id\":7,\"fields\":{},\"contact\":{\"method\":\"none\"},\"name\":\"S\",\"language\":\"nl\",\"consent\":true}",
    "provider_id" },
  { "fields an array",
    "{\"provider_id\":\"p\",\"fields\":[],\"contact\":{\"method\":\"none\"},\"name\":\"S\",\"language\":\"nl\",\"consent\":true}",
    "fields" },
  { "field not a string",
    "{\"provider_id\":\"p\",\"fields\":{\"topic\":3},\"contact\":{\"method\":\"none\"},\"name\":\"S\",\"language\":\"nl\",\"consent\":true}",
    "fields.topic" },
  { "consent false",
    "{\"provider_id\":\"p\",\"fields\":{},\"contact\":{\"method\":\"none\"},\"name\":\"S\",\"language\":\"nl\",\"consent\":false}",
    "consent" },
  { "consent a string",
    "{\"provider_id\":\"p\",\"fields\":{},\"contact\":{\"method\":\"none\"},\"name\":\"S\",\"language\":\"nl\",\"consent\":\"yes\"}",
    "consent" },
  { "consent missing",
    "{\"provider_id\":\"p\",\"fields\":{},\"contact\":{\"method\":\"none\"},\"name\":\"S\",\"language\":\"nl\"}",
    "consent" },
  { "unknown contact method",
    "{\"provider_id\":\"p\",\"fields\":{},\"contact\":{\"method\":\"pigeon\"},\"name\":\"S\",\"language\":\"nl\",\"consent\":true}",
    "contact.method" },
  { "phone without a number",
    "{\"provider_id\":\"p\",\"fields\":{},\"contact\":{\"method\":\"phone\"},\"name\":\"S\",\"language\":\"nl\",\"consent\":true}",
    "contact.value" },
  { "contact a string",
    "{\"provider_id\":\"p\",\"fields\":{},\"contact\":\"none\",\"name\":\"S\",\"language\":\"nl\",\"consent\":true}",
    "contact" },
  { "name too long",
    "{\"provider_id\":\"p\",\"fields\":{},\"contact\":{\"method\":\"none\"},"
    "\"name\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
    "\"language\":\"nl\",\"consent\":true}",
    "name" },
  { "name empty",
    "{\"provider_id\":\"p\",\"fields\":{},\"contact\":{\"method\":\"none\"},\"name\":\"\",\"language\":\"nl\",\"consent\":true}",
    "name" },
  { "language too long",
    "{\"provider_id\":\"p\",\"fields\":{},\"contact\":{\"method\":\"none\"},\"name\":\"S\",\"language\":\"dutch\",\"consent\":true}",
    "language" },
  { "language with digits",
    "{\"provider_id\":\"p\",\"fields\":{},\"contact\":{\"method\":\"none\"},\"name\":\"S\",\"language\":\"n1\",\"consent\":true}",
    "language" },
  { "unknown member",
    "{\"provider_id\":\"p\",\"fields\":{},\"contact\":{\"method\":\"none\"},\"name\":\"S\",\"language\":\"nl\",\"consent\":true,\"bsn\":\"1\"}",
    "bsn" },
  { "nesting too deep",
    "{\"provider_id\":\"p\",\"fields\":{\"a\":[[[[[[[[\"x\"]]]]]]]]},\"contact\":{\"method\":\"none\"},"
    "\"name\":\"S\",\"language\":\"nl\",\"consent\":true}",
    "nested" },
};

static void
test_bad_bodies (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GString) long_field = g_string_new ("{\"provider_id\":\"p\",\"fields\":{\"topic\":\"");
  g_autoptr(Response) too_long = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (bad_bodies); i++)
    {
      g_autoptr(Response) response = NULL;

      g_test_message ("case: %s", bad_bodies[i].name);
      response = post_booking (fixture, bad_bodies[i].body, NULL);
      assert_problem (response, SOUP_STATUS_BAD_REQUEST, bad_bodies[i].detail);
    }

  for (guint i = 0; i < 2001; i++)
    g_string_append_c (long_field, 'x');
  g_string_append (long_field, "\"},\"contact\":{\"method\":\"none\"},\"name\":\"S\","
                               "\"language\":\"nl\",\"consent\":true}");
  too_long = post_booking (fixture, long_field->str, NULL);
  assert_problem (too_long, SOUP_STATUS_BAD_REQUEST, "fields.topic");

  g_assert_cmpint (count_bookings (fixture), ==, 0);

  /* and the relay still serves good requests */
  answer = assert_good_booking (fixture);
  g_assert_cmpint (count_bookings (fixture), ==, 1);
}

static void
test_durable (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(JsonObject) answer = assert_good_booking (fixture);
  const char *reference = json_object_get_string_member (answer, "reference");
  const char *pin = json_object_get_string_member (answer, "pin");
  g_autoptr(Response) status = NULL;

  stop_server (fixture);
  start_server (fixture);

  g_assert_cmpint (count_bookings (fixture), ==, 1);
  status = get_status (fixture, reference, pin);
  g_assert_cmpuint (status->status, ==, SOUP_STATUS_OK);
}

static char *
other_pin (const char *pin)
{
  return g_strdup_printf ("%06d", (atoi (pin) + 1) % 1000000);
}

static void
assert_locked (Response *response)
{
  guint64 retry_after = 0;

  assert_problem (response, 429, "locked for a while");
  g_assert_nonnull (response->retry_after);
  g_assert_true (g_ascii_string_to_unsigned (response->retry_after, 10, 1,
                                             WW_RELAY_PIN_WINDOW_SECONDS, &retry_after, NULL));
}

static void
test_pin_locked_per_reference (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(JsonObject) answer = assert_good_booking (fixture);
  g_autoptr(JsonObject) other = assert_good_booking (fixture);
  const char *reference = json_object_get_string_member (answer, "reference");
  const char *pin = json_object_get_string_member (answer, "pin");
  g_autofree char *wrong_pin = other_pin (pin);
  g_autoptr(Response) locked = NULL;
  g_autoptr(Response) still_locked = NULL;
  g_autoptr(Response) other_reference = NULL;
  g_autoptr(Response) unlocked = NULL;

  for (guint i = 0; i < WW_RELAY_PIN_LIMIT_PER_REFERENCE; i++)
    {
      g_autoptr(Response) wrong = get_status (fixture, reference, wrong_pin);

      assert_problem (wrong, SOUP_STATUS_NOT_FOUND, NULL);
    }

  /* the right PIN is refused too, until the window has passed */
  locked = get_status (fixture, reference, pin);
  assert_locked (locked);

  /* another reference from the same client is not locked */
  other_reference = get_status (fixture,
                                json_object_get_string_member (other, "reference"),
                                json_object_get_string_member (other, "pin"));
  g_assert_cmpuint (other_reference->status, ==, SOUP_STATUS_OK);

  /* the count is in the store: a restart does not reset it */
  stop_server (fixture);
  start_server (fixture);
  still_locked = get_status (fixture, reference, pin);
  assert_locked (still_locked);

  fixture->clock_offset = WW_RELAY_PIN_WINDOW_SECONDS + 1;
  unlocked = get_status (fixture, reference, pin);
  g_assert_cmpuint (unlocked->status, ==, SOUP_STATUS_OK);
}

static void
test_pin_locked_per_client (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(JsonObject) answer = assert_good_booking (fixture);
  const char *reference = json_object_get_string_member (answer, "reference");
  const char *pin = json_object_get_string_member (answer, "pin");
  g_autoptr(Response) before = NULL;
  g_autoptr(Response) last_wrong = NULL;
  g_autoptr(Response) locked = NULL;
  g_autoptr(Response) unlocked = NULL;
  guint tried = 0;

  /* fewer than the per-reference limit on each of several references
   * (made up, so unknown: they count the same) */
  while (tried < WW_RELAY_PIN_LIMIT_PER_CLIENT - 1)
    {
      /* GUESSAAA, GUESSAAB, …: of the reference alphabet */
      g_autofree char *guess = g_strdup_printf ("GUESSAA%c",
                                                'A' + tried / (WW_RELAY_PIN_LIMIT_PER_REFERENCE - 1));
      g_autoptr(Response) wrong = NULL;

      wrong = get_status (fixture, guess, "000000");
      assert_problem (wrong, SOUP_STATUS_NOT_FOUND, NULL);
      tried++;
    }

  before = get_status (fixture, reference, pin);
  g_assert_cmpuint (before->status, ==, SOUP_STATUS_OK);

  /* a malformed reference counts against the client too */
  last_wrong = get_status (fixture, "not-a-reference", "000000");
  assert_problem (last_wrong, SOUP_STATUS_NOT_FOUND, NULL);

  locked = get_status (fixture, reference, pin);
  assert_locked (locked);

  fixture->clock_offset = WW_RELAY_PIN_WINDOW_SECONDS + 1;
  unlocked = get_status (fixture, reference, pin);
  g_assert_cmpuint (unlocked->status, ==, SOUP_STATUS_OK);
}

/* "name{labels}" → value, from Prometheus text */
static GHashTable *
parse_metrics (const char *text)
{
  GHashTable *samples = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *space;
      guint64 value;

      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;
      space = strrchr (lines[i], ' ');
      g_assert_nonnull (space);
      g_assert_true (g_ascii_string_to_unsigned (space + 1, 10, 0, G_MAXUINT64, &value, NULL));
      g_hash_table_insert (samples, g_strndup (lines[i], space - lines[i]), GSIZE_TO_POINTER (value));
    }

  return samples;
}

static void
assert_sample (GHashTable *samples,
               const char *name,
               gsize       value)
{
  gpointer found = NULL;

  if (!g_hash_table_lookup_extended (samples, name, NULL, &found))
    g_error ("/metrics has no %s", name);
  g_assert_cmpuint (GPOINTER_TO_SIZE (found), ==, value);
}

static void
test_metrics (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(SoupMessage) health = new_message (fixture, "GET", "/healthz");
  g_autoptr(Response) healthy = send (fixture, health);
  g_autoptr(JsonObject) answer = assert_good_booking (fixture);
  const char *reference = json_object_get_string_member (answer, "reference");
  g_autoptr(Response) first = post_booking (fixture, GOOD_BODY, "metrics-key");
  g_autoptr(Response) repeated = post_booking (fixture, GOOD_BODY, "metrics-key");
  SendOptions unsigned_options = { .unsigned_request = TRUE, .idempotency_key = "k" };
  g_autoptr(Response) refused = post_booking_full (fixture, GOOD_BODY, strlen (GOOD_BODY), &unsigned_options);
  g_autoptr(Response) wrong = get_status (fixture, reference, "000000");
  g_autoptr(SoupMessage) elsewhere = new_message (fixture, "GET", "/private/ABCDEFGH");
  g_autoptr(Response) missing = send (fixture, elsewhere);
  g_autoptr(SoupMessage) scrape = new_message (fixture, "GET", "/metrics");
  g_autoptr(Response) metrics = send (fixture, scrape);
  g_autoptr(GHashTable) samples = NULL;

  g_assert_cmpuint (first->status, ==, SOUP_STATUS_CREATED);
  g_assert_cmpstr (repeated->body, ==, first->body);

  g_assert_cmpuint (metrics->status, ==, SOUP_STATUS_OK);
  g_assert_cmpstr (metrics->content_type, ==, "text/plain");
  g_assert_cmpstr (metrics->content_version, ==, "0.0.4");
  g_assert_null (strstr (metrics->body, reference));
  g_assert_null (strstr (metrics->body, fixture->device_id));
  g_assert_null (strstr (metrics->body, "ABCDEFGH"));

  samples = parse_metrics (metrics->body);
  assert_sample (samples, "wegwijzer_relay_requests_total{route=\"/healthz\",status=\"200\"}", 1);
  assert_sample (samples, "wegwijzer_relay_requests_total{route=\"/v1/bookings\",status=\"201\"}", 3);
  assert_sample (samples, "wegwijzer_relay_requests_total{route=\"/v1/bookings\",status=\"401\"}", 1);
  assert_sample (samples, "wegwijzer_relay_requests_total{route=\"/v1/bookings/{reference}\",status=\"404\"}", 1);
  assert_sample (samples, "wegwijzer_relay_requests_total{route=\"unmatched\",status=\"404\"}", 1);
  /* the repeated key gave the kept answer, not a booking */
  assert_sample (samples, "wegwijzer_relay_bookings_total", 2);
  assert_sample (samples, "wegwijzer_relay_auth_failures_total{reason=\"unsigned\"}", 1);
  assert_sample (samples, "wegwijzer_relay_auth_failures_total{reason=\"bad-signature\"}", 0);
  assert_sample (samples, "wegwijzer_relay_pin_lockouts_total", 0);
  g_assert_cmpint (count_bookings (fixture), ==, 2);
}

/* wegwijzer-admin ARGS… --relay-db <the fixture's store>, while the
 * relay has it open */
static char *
run_admin (Fixture    *fixture,
           const char *action,
           const char *argument,
           gboolean    json)
{
  const char *admin = g_getenv ("WEGWIJZER_ADMIN");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  if (admin == NULL)
    g_error ("WEGWIJZER_ADMIN must name the wegwijzer-admin program");

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  /* the slow unwinder is for this process's leak suppressions */
  if (g_getenv ("ASAN_OPTIONS") != NULL)
    {
      g_autofree char *asan_options = g_strconcat (g_getenv ("ASAN_OPTIONS"),
                                                   ":fast_unwind_on_malloc=1", NULL);

      g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", asan_options, TRUE);
    }
  process = g_subprocess_launcher_spawn (launcher, &error, admin, "kiosk", action, argument,
                                         "--relay-db", fixture->db_path,
                                         json ? "--json" : NULL, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  return out;
}

static void
test_admin_provisioned_kiosk (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *added = run_admin (fixture, "add", "Sample kiosk", TRUE);
  g_autoptr(JsonObject) kiosk = parse_object (added);
  g_autofree char *revoked = NULL;
  SendOptions options = {
    .device_id = json_object_get_string_member (kiosk, "id"),
    .secret = json_object_get_string_member (kiosk, "secret"),
    .idempotency_key = "provisioned-1",
  };
  g_autoptr(Response) accepted = post_booking_full (fixture, GOOD_BODY, strlen (GOOD_BODY), &options);
  g_autoptr(Response) refused = NULL;

  g_assert_cmpuint (accepted->status, ==, SOUP_STATUS_CREATED);

  revoked = run_admin (fixture, "revoke", options.device_id, FALSE);
  options.idempotency_key = "provisioned-2";
  refused = post_booking_full (fixture, GOOD_BODY, strlen (GOOD_BODY), &options);
  assert_problem (refused, SOUP_STATUS_UNAUTHORIZED, "revoked");
  g_assert_cmpint (count_bookings (fixture), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/relay/healthz", test_healthz);
  ADD ("/relay/bookings/create-and-check", test_book_and_check);
  ADD ("/relay/bookings/kiosk-request", test_kiosk_request);
  ADD ("/relay/bookings/chunked", test_chunked_good);
  ADD ("/relay/auth/refused", test_unauthorized);
  ADD ("/relay/auth/replayed", test_replayed_message);
  ADD ("/relay/bookings/idempotency", test_idempotency);
  ADD ("/relay/bookings/too-large", test_too_large);
  ADD ("/relay/bookings/bad-bodies", test_bad_bodies);
  ADD ("/relay/store/durable", test_durable);
  ADD ("/relay/pin/locked-per-reference", test_pin_locked_per_reference);
  ADD ("/relay/pin/locked-per-client", test_pin_locked_per_client);
  ADD ("/relay/metrics", test_metrics);
  ADD ("/relay/admin/provisioned-kiosk", test_admin_provisioned_kiosk);

#undef ADD

  return g_test_run ();
}
