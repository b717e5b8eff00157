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

/* Books GOOD_BODY, signed @skew seconds from now, and checks the
 * answer; returns it parsed. */
static JsonObject *
assert_good_booking_at (Fixture *fixture,
                        gint64   skew)
{
  g_autofree char *key = g_uuid_string_random ();
  SendOptions options = { .idempotency_key = key, .skew = skew };
  g_autoptr(Response) response = post_booking_full (fixture, GOOD_BODY, strlen (GOOD_BODY), &options);
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

static JsonObject *
assert_good_booking (Fixture *fixture)
{
  return assert_good_booking_at (fixture, 0);
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


#define OTHER_BODY \
  "{\"provider_id\":\"sample-clinic-2\",\"fields\":{},\"contact\":{\"method\":\"none\"}," \
  "\"name\":\"S\",\"language\":\"en\",\"consent\":true}"

/* Keys are kept at least 24 hours (Stripe's promise), then forgotten. */
static void
test_idempotency_kept_a_day (Fixture       *fixture,
                             gconstpointer  data)
{
  SendOptions options = { .idempotency_key = "kept-a-day" };
  g_autoptr(Response) first = post_booking_full (fixture, GOOD_BODY, strlen (GOOD_BODY), &options);
  g_autoptr(Response) next_day = NULL;
  g_autoptr(Response) other_body = NULL;
  g_autoptr(Response) much_later = NULL;

  g_assert_cmpuint (first->status, ==, SOUP_STATUS_CREATED);

  /* a minute short of a day, with writes in between (which forget old
   * keys): the same answer, and still no other body */
  fixture->clock_offset = WW_RELAY_IDEMPOTENCY_SECONDS - 60;
  options.skew = fixture->clock_offset;
  {
    g_autoptr(JsonObject) unrelated = assert_good_booking_at (fixture, fixture->clock_offset);
  }
  next_day = post_booking_full (fixture, GOOD_BODY, strlen (GOOD_BODY), &options);
  g_assert_cmpuint (next_day->status, ==, SOUP_STATUS_CREATED);
  g_assert_cmpstr (next_day->body, ==, first->body);
  other_body = post_booking_full (fixture, OTHER_BODY, strlen (OTHER_BODY), &options);
  assert_problem (other_body, SOUP_STATUS_UNPROCESSABLE_ENTITY, "kept-a-day");
  g_assert_cmpint (count_bookings (fixture), ==, 2);

  /* two days on, after a write, the key is free again */
  fixture->clock_offset = 2 * WW_RELAY_IDEMPOTENCY_SECONDS;
  options.skew = fixture->clock_offset;
  {
    g_autoptr(JsonObject) unrelated = assert_good_booking_at (fixture, fixture->clock_offset);
  }
  much_later = post_booking_full (fixture, GOOD_BODY, strlen (GOOD_BODY), &options);
  g_assert_cmpuint (much_later->status, ==, SOUP_STATUS_CREATED);
  g_assert_cmpstr (much_later->body, !=, first->body);
  g_assert_cmpint (count_bookings (fixture), ==, 4);
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


/* --- providers: webhooks, answers, the inbox and the status page ------- */

#define PROVIDER_ID "sample-clinic-1"

/* A provider's webhook endpoint: fails the first @failures deliveries
 * with 500, then takes them; it checks every signature. */
typedef struct {
  SoupServer *server;
  char       *url;
  char       *secret;
  guint       failures;
  guint       calls;
  guint       accepted;
  GPtrArray  *ids;       /* webhook-id of each call */
  GPtrArray  *bodies;
} Hook;

static void
hook_cb (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Hook *hook = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(GError) error = NULL;
  const char *id = soup_message_headers_get_one (headers, "webhook-id");

  hook->calls++;
  g_ptr_array_add (hook->ids, g_strdup (id));
  g_ptr_array_add (hook->bodies, g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes)));

  /* a delivery the provider cannot verify would be a bug */
  if (!ww_signature_verify (hook->secret, id,
                            soup_message_headers_get_one (headers, "webhook-timestamp"),
                            soup_message_headers_get_one (headers, "webhook-signature"),
                            g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                            g_get_real_time () / G_USEC_PER_SEC, 300000, &error))
    g_error ("a delivery's signature does not verify: %s", error->message);

  if (hook->calls <= hook->failures)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, NULL);
      return;
    }
  hook->accepted++;
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
}

static void
hook_start (Hook    *hook,
            Fixture *fixture,
            guint    failures)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;

  hook->failures = failures;
  hook->ids = g_ptr_array_new_with_free_func (g_free);
  hook->bodies = g_ptr_array_new_with_free_func (g_free);
  hook->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (hook->server, "/hook", hook_cb, hook, NULL);
  soup_server_listen_local (hook->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (hook->server);
  hook->url = g_strdup_printf ("http://127.0.0.1:%d/hook", g_uri_get_port (uris->data));
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  ww_relay_store_set_provider_webhook (WW_RELAY_STORE (fixture->store), PROVIDER_ID, hook->url,
                                       &hook->secret, &error);
  g_assert_no_error (error);
}

static void
hook_stop (Hook *hook)
{
  soup_server_disconnect (hook->server);
  g_clear_object (&hook->server);
  g_free (hook->url);
  g_free (hook->secret);
  g_ptr_array_unref (hook->ids);
  g_ptr_array_unref (hook->bodies);
}

static gboolean
give_up_waiting_cb (gpointer user_data)
{
  g_error ("%s did not happen", (const char *) user_data);
  return G_SOURCE_REMOVE;
}

/* Iterates the main context until @done is TRUE; a hang is the failure,
 * with a bound far above what it takes. */
#define WAIT_FOR(fixture, done) G_STMT_START {                               \
    guint _timeout = g_timeout_add_seconds (60, give_up_waiting_cb, (gpointer) #done); \
    while (!(done))                                                          \
      g_main_context_iteration (NULL, TRUE);                                 \
    g_source_remove (_timeout);                                              \
  } G_STMT_END

static const WwRelayCourierConfig quick_delivery = {
  .backoff_base = 1,
  .backoff_max = 2,
  .give_up_after = 3600,
  .timeout = 5,
};

static char *
booking_status (Fixture    *fixture,
                const char *reference)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WwRelayBooking) booking = ww_relay_store_lookup_booking (WW_RELAY_STORE (fixture->store),
                                                                     reference, &error);

  g_assert_no_error (error);
  return g_strdup (booking->status);
}

static gboolean
status_is (Fixture    *fixture,
           const char *reference,
           const char *status)
{
  g_autofree char *now = booking_status (fixture, reference);

  return g_str_equal (now, status);
}

static void
test_webhook_retried (Fixture       *fixture,
                      gconstpointer  data)
{
  Hook hook = { 0 };
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(JsonObject) delivered = NULL;
  JsonObject *inner;
  const char *id;

  hook_start (&hook, fixture, 2);
  ww_relay_server_set_public_url (fixture->server, "https://relay.example/");
  ww_relay_server_start_delivery (fixture->server, &quick_delivery);
  answer = assert_good_booking (fixture);
  id = json_object_get_string_member (answer, "id");

  /* two failures, each with a backoff of at least half a second, then
   * the third attempt is taken */
  while (hook.accepted == 0)
    {
      guint calls = hook.calls;

      WAIT_FOR (fixture, hook.calls > calls);
      /* the backoff is in the relay's clock: move it past it */
      fixture->clock_offset += quick_delivery.backoff_max + 1;
    }
  g_assert_cmpuint (hook.calls, ==, 3);
  WAIT_FOR (fixture, status_is (fixture, json_object_get_string_member (answer, "reference"),
                                WW_RELAY_STATUS_DELIVERED));

  /* every attempt: webhook-id = the booking id, and the same body */
  for (guint i = 0; i < hook.ids->len; i++)
    {
      g_assert_cmpstr (g_ptr_array_index (hook.ids, i), ==, id);
      g_assert_cmpstr (g_ptr_array_index (hook.bodies, i), ==, g_ptr_array_index (hook.bodies, 0));
    }
  delivered = parse_object (g_ptr_array_index (hook.bodies, 0));
  g_assert_cmpstr (json_object_get_string_member (delivered, "type"), ==, "booking.created");
  inner = json_object_get_object_member (delivered, "data");
  g_assert_cmpstr (json_object_get_string_member (inner, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (inner, "provider_id"), ==, PROVIDER_ID);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (inner, "request"), "name"),
                   ==, "Sample Visitor");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (inner, "answer_url"),
                                   "https://relay.example/v1/provider/bookings/"));

  /* delivered once: no more calls */
  fixture->clock_offset += 3600;
  for (guint i = 0; i < 3; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (hook.calls, ==, 3);
  hook_stop (&hook);
}

static void
test_webhook_survives_restart (Fixture       *fixture,
                               gconstpointer  data)
{
  Hook hook = { 0 };
  g_autoptr(JsonObject) answer = NULL;

  /* stored while nobody delivers, as when the relay stops right after */
  hook_start (&hook, fixture, 0);
  answer = assert_good_booking (fixture);
  g_assert_cmpuint (hook.calls, ==, 0);

  stop_server (fixture);
  start_server (fixture);
  ww_relay_server_start_delivery (fixture->server, &quick_delivery);
  WAIT_FOR (fixture, hook.accepted == 1);
  g_assert_cmpstr (g_ptr_array_index (hook.ids, 0), ==, json_object_get_string_member (answer, "id"));
  hook_stop (&hook);
}

static void
test_webhook_gives_up (Fixture       *fixture,
                       gconstpointer  data)
{
  Hook hook = { 0 };
  g_autoptr(JsonObject) answer = NULL;
  WwRelayCourierConfig config = quick_delivery;
  const char *reference;
  g_autoptr(Response) status = NULL;
  g_autoptr(JsonObject) shown = NULL;

  config.give_up_after = 10;
  hook_start (&hook, fixture, G_MAXUINT);
  ww_relay_server_start_delivery (fixture->server, &config);
  answer = assert_good_booking (fixture);
  reference = json_object_get_string_member (answer, "reference");

  WAIT_FOR (fixture, hook.calls >= 1);
  g_assert_true (status_is (fixture, reference, WW_RELAY_STATUS_RECEIVED));
  fixture->clock_offset += config.give_up_after + 1;
  g_test_expect_message ("ww-relay-courier", G_LOG_LEVEL_WARNING, "Giving up delivering booking*");
  WAIT_FOR (fixture, status_is (fixture, reference, WW_RELAY_STATUS_UNDELIVERABLE));
  g_test_assert_expected_messages ();

  status = get_status (fixture, reference, json_object_get_string_member (answer, "pin"));
  shown = parse_object (status->body);
  g_assert_cmpstr (json_object_get_string_member (shown, "status"), ==, WW_RELAY_STATUS_UNDELIVERABLE);
  hook_stop (&hook);
}

static Response *
post_answer (Fixture    *fixture,
             const char *booking_id,
             const char *provider_id,
             const char *secret,
             const char *body)
{
  g_autofree char *path = g_strdup_printf ("/v1/provider/bookings/%s/answer", booking_id);
  g_autoptr(SoupMessage) msg = new_message (fixture, "POST", path);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  g_autofree char *msg_id = g_uuid_string_random ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *timestamp = g_strdup_printf ("%" G_GINT64_FORMAT, now);
  g_autoptr(GError) error = NULL;
  g_autofree char *signature = ww_signature_sign (secret, msg_id, now, body, strlen (body), &error);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

  g_assert_no_error (error);
  soup_message_headers_append (headers, "X-Wegwijzer-Provider", provider_id);
  soup_message_headers_append (headers, "webhook-id", msg_id);
  soup_message_headers_append (headers, "webhook-timestamp", timestamp);
  soup_message_headers_append (headers, "webhook-signature", signature);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  return send (fixture, msg);
}

static void
test_provider_answers (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(JsonObject) answer = assert_good_booking (fixture);
  const char *id = json_object_get_string_member (answer, "id");
  const char *reference = json_object_get_string_member (answer, "reference");
  const char *pin = json_object_get_string_member (answer, "pin");
  g_autofree char *secret = NULL;
  g_autofree char *other_secret = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Response) accepted = NULL;
  g_autoptr(Response) seen = NULL;
  g_autoptr(Response) declined = NULL;
  g_autoptr(Response) seen_again = NULL;
  g_autoptr(Response) not_theirs = NULL;
  g_autoptr(Response) no_reason = NULL;
  g_autoptr(JsonObject) shown = NULL;
  g_autoptr(JsonObject) shown_again = NULL;
  JsonObject *given;

  ww_relay_store_set_provider_webhook (WW_RELAY_STORE (fixture->store), PROVIDER_ID,
                                       "http://127.0.0.1:9/hook", &secret, &error);
  g_assert_no_error (error);
  ww_relay_store_set_provider_webhook (WW_RELAY_STORE (fixture->store), "sample-clinic-2",
                                       "http://127.0.0.1:9/hook", &other_secret, &error);
  g_assert_no_error (error);

  /* an offset in another zone is kept as Amsterdam time */
  accepted = post_answer (fixture, id, PROVIDER_ID, secret,
                          "{\"status\":\"accepted\",\"time\":\"2099-12-03T09:00:00Z\"}");
  g_assert_cmpuint (accepted->status, ==, SOUP_STATUS_OK);

  seen = get_status (fixture, reference, pin);
  shown = parse_object (seen->body);
  g_assert_cmpstr (json_object_get_string_member (shown, "status"), ==, "accepted");
  given = json_object_get_object_member (shown, "answer");
  g_assert_cmpstr (json_object_get_string_member (given, "status"), ==, "accepted");
  g_assert_cmpstr (json_object_get_string_member (given, "time"), ==, "2099-12-03T10:00:00+01:00");
  g_assert_true (json_object_get_null_member (given, "reason"));

  /* a later answer replaces it */
  declined = post_answer (fixture, id, PROVIDER_ID, secret,
                          "{\"status\":\"declined\",\"reason\":\"We are closed that week\"}");
  g_assert_cmpuint (declined->status, ==, SOUP_STATUS_OK);
  seen_again = get_status (fixture, reference, pin);
  shown_again = parse_object (seen_again->body);
  given = json_object_get_object_member (shown_again, "answer");
  g_assert_cmpstr (json_object_get_string_member (given, "status"), ==, "declined");
  g_assert_cmpstr (json_object_get_string_member (given, "reason"), ==, "We are closed that week");
  g_assert_true (json_object_get_null_member (given, "time"));

  /* another provider cannot answer it, and cannot tell it exists */
  not_theirs = post_answer (fixture, id, "sample-clinic-2", other_secret,
                            "{\"status\":\"accepted\",\"time\":\"2099-12-03T10:00:00+01:00\"}");
  assert_problem (not_theirs, SOUP_STATUS_NOT_FOUND, NULL);
  no_reason = post_answer (fixture, id, PROVIDER_ID, secret, "{\"status\":\"declined\",\"reason\":\"  \"}");
  assert_problem (no_reason, SOUP_STATUS_BAD_REQUEST, "reason");
}

/* GET or POST a page; @form is urlencoded */
static Response *
get_page (Fixture    *fixture,
          const char *method,
          const char *path,
          const char *form)
{
  g_autoptr(SoupMessage) msg = new_message (fixture, method, path);

  soup_message_set_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  if (form != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (form, strlen (form));

      soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", bytes);
    }
  return send (fixture, msg);
}

static void
test_inbox (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(JsonObject) answer = assert_good_booking (fixture);
  const char *id = json_object_get_string_member (answer, "id");
  const char *reference = json_object_get_string_member (answer, "reference");
  const char *pin = json_object_get_string_member (answer, "pin");
  g_autofree char *key = NULL;
  g_autofree char *inbox_path = NULL;
  g_autofree char *answer_path = NULL;
  g_autofree char *section = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Response) inbox = NULL;
  g_autoptr(Response) unknown = NULL;
  g_autoptr(Response) no_time = NULL;
  g_autoptr(Response) accepted = NULL;
  g_autoptr(Response) after = NULL;
  g_autoptr(Response) status = NULL;
  g_autoptr(JsonObject) shown = NULL;

  ww_relay_store_add_provider_inbox (WW_RELAY_STORE (fixture->store), PROVIDER_ID, &key, &error);
  g_assert_no_error (error);
  inbox_path = g_strdup_printf ("/inbox/%s?lang=en", key);
  answer_path = g_strdup_printf ("/inbox/%s/bookings/%s", key, id);
  section = g_strdup_printf ("id=\"booking-%s\" data-reference=\"%s\" data-status=\"received\"", id, reference);

  g_assert_true (status_is (fixture, reference, WW_RELAY_STATUS_RECEIVED));
  inbox = get_page (fixture, "GET", inbox_path, NULL);
  g_assert_cmpuint (inbox->status, ==, SOUP_STATUS_OK);
  g_assert_cmpstr (inbox->content_type, ==, "text/html");
  g_assert_nonnull (strstr (inbox->body, section));
  g_assert_nonnull (strstr (inbox->body, "Sample Visitor"));
  g_assert_null (strstr (inbox->body, "<script"));
  /* shown to the provider: delivered */
  g_assert_true (status_is (fixture, reference, WW_RELAY_STATUS_DELIVERED));

  unknown = get_page (fixture, "GET", "/inbox/not-the-key", NULL);
  g_assert_cmpuint (unknown->status, ==, SOUP_STATUS_NOT_FOUND);

  no_time = get_page (fixture, "POST", answer_path, "action=accept&time=&lang=en");
  g_assert_cmpuint (no_time->status, ==, SOUP_STATUS_BAD_REQUEST);
  g_assert_nonnull (strstr (no_time->body, "Choose a time"));
  g_assert_true (status_is (fixture, reference, WW_RELAY_STATUS_DELIVERED));

  accepted = get_page (fixture, "POST", answer_path, "action=accept&time=2099-12-03T10%3A00&reason=&lang=en");
  g_assert_cmpuint (accepted->status, ==, SOUP_STATUS_SEE_OTHER);
  after = get_page (fixture, "GET", inbox_path, NULL);
  g_assert_nonnull (strstr (after->body, "data-status=\"accepted\""));

  status = get_status (fixture, reference, pin);
  shown = parse_object (status->body);
  g_assert_cmpstr (json_object_get_string_member (shown, "status"), ==, "accepted");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (shown, "answer"), "time"),
                   ==, "2099-12-03T10:00:00+01:00");

  /* a request with the kiosk's preview shows those lines, as text */
  {
    g_autoptr(Response) previewed = post_booking (fixture,
      "{\"provider_id\":\"" PROVIDER_ID "\",\"fields\":{\"topic\":\"prep\"},"
      "\"contact\":{\"method\":\"none\"},\"name\":\"Sample & Co\",\"language\":\"en\",\"consent\":true,"
      "\"preview\":[{\"label\":\"What is it about?\",\"value\":\"PrEP <first visit>\"}]}", NULL);
    g_autoptr(Response) listed = NULL;

    g_assert_cmpuint (previewed->status, ==, SOUP_STATUS_CREATED);
    listed = get_page (fixture, "GET", inbox_path, NULL);
    g_assert_nonnull (strstr (listed->body, "<dt>What is it about?</dt><dd>PrEP &lt;first visit&gt;</dd>"));
    /* answered ones keep their form behind a deliberate step */
    g_assert_nonnull (strstr (listed->body, "<details><summary>Change the answer</summary>"));
  }
}

static void
test_status_page (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(JsonObject) answer = assert_good_booking (fixture);
  const char *reference = json_object_get_string_member (answer, "reference");
  const char *pin = json_object_get_string_member (answer, "pin");
  g_autofree char *page_path = g_strdup_printf ("/status?reference=%s&lang=en", reference);
  g_autofree char *good = g_strdup_printf ("reference=%s&pin=%s&lang=nl", reference, pin);
  g_autofree char *wrong = g_strdup_printf ("reference=%s&pin=%06d&lang=en", reference, (atoi (pin) + 1) % 1000000);
  g_autofree char *status_url = g_strdup_printf ("%s/status?reference=%s&lang=nl",
                                                 ww_relay_server_get_public_url (fixture->server), reference);
  g_autoptr(Response) form = NULL;
  g_autoptr(Response) shown = NULL;
  g_autoptr(Response) refused = NULL;
  g_autoptr(Response) locked = NULL;

  g_assert_cmpstr (json_object_get_string_member (answer, "status_url"), ==, status_url);

  form = get_page (fixture, "GET", page_path, NULL);
  g_assert_cmpuint (form->status, ==, SOUP_STATUS_OK);
  g_assert_nonnull (strstr (form->body, reference));
  g_assert_nonnull (strstr (form->body, "id=\"pin\""));

  shown = get_page (fixture, "POST", "/status", good);
  g_assert_cmpuint (shown->status, ==, SOUP_STATUS_OK);
  g_assert_nonnull (strstr (shown->body, "data-status=\"received\""));
  g_assert_nonnull (strstr (shown->body, "lang=\"nl\""));
  g_assert_null (strstr (shown->body, pin));

  for (guint i = 0; i < WW_RELAY_PIN_LIMIT_PER_REFERENCE; i++)
    {
      g_autoptr(Response) again = get_page (fixture, "POST", "/status", wrong);

      g_assert_cmpuint (again->status, ==, SOUP_STATUS_NOT_FOUND);
      g_assert_nonnull (strstr (again->body, "id=\"error\""));
    }
  refused = get_page (fixture, "POST", "/status", good);
  g_assert_cmpuint (refused->status, ==, 429);
  g_assert_nonnull (refused->retry_after);

  /* the same limit as the API's */
  locked = get_status (fixture, reference, pin);
  assert_locked (locked);
}


/* --- at least 40 kinds of bad request, across every route ------------- */

typedef enum {
  SIGN_NONE,
  SIGN_DEVICE,
  SIGN_PROVIDER,
} Signing;

typedef struct {
  const char *name;
  const char *method;
  const char *path;          /* "@ID" becomes the booking's id, "@KEY" the inbox key */
  const char *content_type;
  const char *body;
  Signing     signing;
  const char *header;        /* "Name: value", or NULL */
  guint       status;
  const char *detail;        /* in the problem's detail, or in the page */
} BadRequest;

#define ANSWER_PATH "/v1/provider/bookings/@ID/answer"
#define JSON "application/json"
#define FORM "application/x-www-form-urlencoded"

static const BadRequest bad_requests[] = {
  { "no such path", "GET", "/v2/bookings", NULL, NULL, SIGN_NONE, NULL, 404, "nothing at this path" },
  { "path with a trailing slash", "GET", "/healthz/", NULL, NULL, SIGN_NONE, NULL, 404, "nothing at this path" },
  { "booking path without a reference", "GET", "/v1/bookings/", NULL, NULL, SIGN_NONE, NULL, 404, "nothing at this path" },
  { "booking path a segment too long", "GET", "/v1/bookings/ABCDEFGH/more", NULL, NULL, SIGN_NONE, NULL, 404, "nothing at this path" },
  { "path with a doubled slash", "GET", "/v1//bookings", NULL, NULL, SIGN_NONE, NULL, 404, "nothing at this path" },
  { "DELETE a booking", "DELETE", "/v1/bookings/ABCDEFGH", NULL, NULL, SIGN_NONE, NULL, 405, "use GET" },
  { "PUT the bookings", "PUT", "/v1/bookings", JSON, "{}", SIGN_NONE, NULL, 405, "use POST" },
  { "GET the answer endpoint", "GET", ANSWER_PATH, NULL, NULL, SIGN_NONE, NULL, 405, "use POST" },
  { "PATCH the status page", "PATCH", "/status", FORM, "", SIGN_NONE, NULL, 405, "GET, POST" },
  { "booking without Idempotency-Key", "POST", "/v1/bookings", JSON, GOOD_BODY, SIGN_DEVICE, "X-Omit-Key: 1", 400, "Idempotency-Key" },
  { "Idempotency-Key with a space", "POST", "/v1/bookings", JSON, GOOD_BODY, SIGN_DEVICE, "Idempotency-Key: a b", 400, "Idempotency-Key" },
  { "unsigned booking", "POST", "/v1/bookings", JSON, GOOD_BODY, SIGN_NONE, "Idempotency-Key: k", 401, "not signed" },
  { "signature not base64", "POST", "/v1/bookings", JSON, GOOD_BODY, SIGN_DEVICE, "X-Bad-Signature: v1,%%%", 401, NULL },
  { "timestamp not a number", "POST", "/v1/bookings", JSON, GOOD_BODY, SIGN_DEVICE, "X-Bad-Timestamp: soon", 401, NULL },
  { "booking body a string", "POST", "/v1/bookings", JSON, "\"book\"", SIGN_DEVICE, NULL, 400, "JSON object" },
  { "booking body null", "POST", "/v1/bookings", JSON, "null", SIGN_DEVICE, NULL, 400, "JSON object" },
  { "booking body truncated", "POST", "/v1/bookings", JSON, "{\"provider_id\":\"p\",\"fields\":{", SIGN_DEVICE, NULL, 400, "not valid JSON" },
  { "booking body with a NUL", "POST", "/v1/bookings", JSON, "{\"name\":\"a\\u0000b\"}", SIGN_DEVICE, NULL, 400, NULL },
  { "day_parts not a list", "POST", "/v1/bookings", JSON,
    "{\"provider_id\":\"p\",\"fields\":{},\"contact\":{\"method\":\"none\"},\"name\":\"S\",\"language\":\"nl\",\"consent\":true,\"day_parts\":\"morning\"}",
    SIGN_DEVICE, NULL, 400, "day_parts" },
  { "day_parts unknown", "POST", "/v1/bookings", JSON,
    "{\"provider_id\":\"p\",\"fields\":{},\"contact\":{\"method\":\"none\"},\"name\":\"S\",\"language\":\"nl\",\"consent\":true,\"day_parts\":[\"night\"]}",
    SIGN_DEVICE, NULL, 400, "day_parts[0]" },
  { "contact with an unknown member", "POST", "/v1/bookings", JSON,
    "{\"provider_id\":\"p\",\"fields\":{},\"contact\":{\"method\":\"none\",\"address\":\"x\"},\"name\":\"S\",\"language\":\"nl\",\"consent\":true}",
    SIGN_DEVICE, NULL, 400, "contact.address" },
  { "provider_id empty", "POST", "/v1/bookings", JSON,
    "{\"provider_id\":\"\",\"fields\":{},\"contact\":{\"method\":\"none\"},\"name\":\"S\",\"language\":\"nl\",\"consent\":true}",
    SIGN_DEVICE, NULL, 400, "provider_id" },
  { "status without a PIN", "GET", "/v1/bookings/ABCDEFGH", NULL, NULL, SIGN_NONE, NULL, 400, "X-Wegwijzer-Pin" },
  { "status of a malformed reference", "GET", "/v1/bookings/not-a-reference!", NULL, NULL, SIGN_NONE, "X-Wegwijzer-Pin: 123456", 404, "no booking" },
  { "status with a letter PIN", "GET", "/v1/bookings/ABCDEFGH", NULL, NULL, SIGN_NONE, "X-Wegwijzer-Pin: abcdef", 404, "no booking" },
  { "answer unsigned", "POST", ANSWER_PATH, JSON, "{\"status\":\"accepted\"}", SIGN_NONE, NULL, 401, "X-Wegwijzer-Provider" },
  { "answer signed by a kiosk", "POST", ANSWER_PATH, JSON, "{\"status\":\"declined\",\"reason\":\"x\"}", SIGN_DEVICE, "X-As-Kiosk: 1", 401, NULL },
  { "answer not JSON", "POST", ANSWER_PATH, JSON, "accepted", SIGN_PROVIDER, NULL, 400, "not valid JSON" },
  { "answer an array", "POST", ANSWER_PATH, JSON, "[\"accepted\"]", SIGN_PROVIDER, NULL, 400, "JSON object" },
  { "answer with an unknown status", "POST", ANSWER_PATH, JSON, "{\"status\":\"maybe\"}", SIGN_PROVIDER, NULL, 400, "'status'" },
  { "answer without a status", "POST", ANSWER_PATH, JSON, "{\"time\":\"2099-12-03T10:00:00+01:00\"}", SIGN_PROVIDER, NULL, 400, "'status' is missing" },
  { "accepted without a time", "POST", ANSWER_PATH, JSON, "{\"status\":\"accepted\"}", SIGN_PROVIDER, NULL, 400, "'time' is needed" },
  { "proposed with a garbled time", "POST", ANSWER_PATH, JSON, "{\"status\":\"proposed\",\"time\":\"next tuesday\"}", SIGN_PROVIDER, NULL, 400, "ISO 8601" },
  { "accepted with a time as a number", "POST", ANSWER_PATH, JSON, "{\"status\":\"accepted\",\"time\":1700000000}", SIGN_PROVIDER, NULL, 400, "'time' must be a string" },
  { "accepted for a time in the past", "POST", ANSWER_PATH, JSON, "{\"status\":\"accepted\",\"time\":\"2020-01-01T10:00:00+01:00\"}", SIGN_PROVIDER, NULL, 400, "in the past" },
  { "inbox answer for a time in the past", "POST", "/inbox/@KEY/bookings/@ID", FORM, "action=accept&time=2020-01-01T10%3A00&lang=en", SIGN_NONE, NULL, 400, "has passed" },
  { "preview not a list", "POST", "/v1/bookings", JSON,
    "{\"provider_id\":\"p\",\"fields\":{},\"contact\":{\"method\":\"none\"},\"name\":\"S\",\"language\":\"nl\",\"consent\":true,\"preview\":\"all\"}",
    SIGN_DEVICE, NULL, 400, "'preview'" },
  { "preview line without a value", "POST", "/v1/bookings", JSON,
    "{\"provider_id\":\"p\",\"fields\":{},\"contact\":{\"method\":\"none\"},\"name\":\"S\",\"language\":\"nl\",\"consent\":true,\"preview\":[{\"label\":\"Name\"}]}",
    SIGN_DEVICE, NULL, 400, "preview[0].value" },
  { "declined without a reason", "POST", ANSWER_PATH, JSON, "{\"status\":\"declined\"}", SIGN_PROVIDER, NULL, 400, "'reason' is needed" },
  { "answer with an unknown member", "POST", ANSWER_PATH, JSON, "{\"status\":\"declined\",\"reason\":\"x\",\"note\":\"y\"}", SIGN_PROVIDER, NULL, 400, "note" },
  { "answer to no such booking", "POST", "/v1/provider/bookings/nope/answer", JSON, "{\"status\":\"declined\",\"reason\":\"x\"}", SIGN_PROVIDER, NULL, 404, "no booking" },
  { "directory since negative", "GET", "/v1/directory?since=-1", NULL, NULL, SIGN_NONE, NULL, 400, "change number" },
  { "directory since a word", "GET", "/v1/directory?since=yesterday", NULL, NULL, SIGN_NONE, NULL, 400, "change number" },
  { "directory since too large", "GET", "/v1/directory?since=999999999999999999999", NULL, NULL, SIGN_NONE, NULL, 400, "change number" },
  { "directory when there is none", "GET", "/v1/directory", NULL, NULL, SIGN_NONE, NULL, 503, "--directory" },
  { "status form without a PIN", "POST", "/status", FORM, "reference=ABCDEFGH&lang=en", SIGN_NONE, NULL, 400, "id=\"error\"" },
  { "status form with a long reference", "POST", "/status", FORM, "reference=ABCDEFGHABCDEFGHABCDEFGH&pin=123456&lang=en", SIGN_NONE, NULL, 400, "id=\"error\"" },
  { "status form not UTF-8", "POST", "/status", FORM, "reference=\xff\xfe&pin=123456", SIGN_NONE, NULL, 400, "could not be read" },
  { "status form of an unknown reference", "POST", "/status", FORM, "reference=ZZZZZZZZ&pin=123456&lang=en", SIGN_NONE, NULL, 404, "id=\"error\"" },
  { "inbox of an unknown key", "GET", "/inbox/guess?lang=en", NULL, NULL, SIGN_NONE, NULL, 404, "opens no inbox" },
  { "inbox answer with an unknown action", "POST", "/inbox/@KEY/bookings/@ID", FORM, "action=maybe&lang=en", SIGN_NONE, NULL, 400, "Choose accept" },
  { "inbox answer without a reason", "POST", "/inbox/@KEY/bookings/@ID", FORM, "action=decline&reason=+&lang=en", SIGN_NONE, NULL, 400, "reason" },
  { "inbox answer with a garbled time", "POST", "/inbox/@KEY/bookings/@ID", FORM, "action=propose&time=soon&lang=en", SIGN_NONE, NULL, 400, "could not be read" },
  { "inbox answer to another's booking", "POST", "/inbox/@KEY/bookings/not-this", FORM, "action=decline&reason=x&lang=en", SIGN_NONE, NULL, 404, "not in your inbox" },
  { "inbox answer with an unknown key", "POST", "/inbox/guess/bookings/@ID", FORM, "action=decline&reason=x&lang=en", SIGN_NONE, NULL, 404, "opens no inbox" },
};

static char *
expand_path (const char *path,
             const char *id,
             const char *key)
{
  g_autoptr(GString) expanded = g_string_new (path);

  g_string_replace (expanded, "@ID", id, 0);
  g_string_replace (expanded, "@KEY", key, 0);
  return g_string_free (g_steal_pointer (&expanded), FALSE);
}

static Response *
send_bad_request (Fixture          *fixture,
                  const BadRequest *bad,
                  const char       *booking_id,
                  const char       *key,
                  const char       *provider_secret)
{
  g_autofree char *path = expand_path (bad->path, booking_id, key);
  g_autoptr(SoupMessage) msg = new_message (fixture, bad->method, path);
  SoupMessageHeaders *headers;
  const char *body = bad->body ? bad->body : "";
  g_autofree char *msg_id = g_uuid_string_random ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *timestamp = g_strdup_printf ("%" G_GINT64_FORMAT, now);
  gboolean omit_key = g_strcmp0 (bad->header, "X-Omit-Key: 1") == 0;

  g_assert_nonnull (msg);
  headers = soup_message_get_request_headers (msg);
  soup_message_set_flags (msg, SOUP_MESSAGE_NO_REDIRECT);

  if (bad->signing != SIGN_NONE)
    {
      const char *secret = bad->signing == SIGN_PROVIDER ? provider_secret : fixture->secret;
      g_autoptr(GError) error = NULL;
      g_autofree char *signature = ww_signature_sign (secret, msg_id, now, body, strlen (body), &error);

      g_assert_no_error (error);
      if (bad->signing == SIGN_PROVIDER)
        soup_message_headers_append (headers, "X-Wegwijzer-Provider", PROVIDER_ID);
      else if (g_strcmp0 (bad->header, "X-As-Kiosk: 1") == 0)
        soup_message_headers_append (headers, "X-Wegwijzer-Provider", fixture->device_id);
      else
        soup_message_headers_append (headers, "X-Wegwijzer-Device", fixture->device_id);
      soup_message_headers_append (headers, "webhook-id", msg_id);
      soup_message_headers_append (headers, "webhook-timestamp",
                                   g_strcmp0 (bad->header, "X-Bad-Timestamp: soon") == 0 ? "soon" : timestamp);
      soup_message_headers_append (headers, "webhook-signature",
                                   g_strcmp0 (bad->header, "X-Bad-Signature: v1,%%%") == 0 ? "v1,%%%" : signature);
      if (!omit_key && g_strcmp0 (bad->header, "Idempotency-Key: a b") != 0)
        {
          g_autofree char *idempotency_key = g_uuid_string_random ();

          soup_message_headers_append (headers, "Idempotency-Key", idempotency_key);
        }
    }
  /* X-Omit-Key and the like are instructions above, not headers */
  if (bad->header != NULL &&
      (!g_str_has_prefix (bad->header, "X-") || g_str_has_prefix (bad->header, "X-Wegwijzer-")))
    {
      g_auto(GStrv) parts = g_strsplit (bad->header, ": ", 2);

      soup_message_headers_append (headers, parts[0], parts[1]);
    }

  if (bad->body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (bad->body, strlen (bad->body));

      soup_message_set_request_body_from_bytes (msg, bad->content_type, bytes);
    }
  return send (fixture, msg);
}

static void
test_bad_requests (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(JsonObject) answer = assert_good_booking (fixture);
  const char *id = json_object_get_string_member (answer, "id");
  g_autofree char *key = NULL;
  g_autofree char *secret = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) after = NULL;
  gsize kinds = G_N_ELEMENTS (bad_requests) + G_N_ELEMENTS (bad_bodies);

  ww_relay_store_add_provider_inbox (WW_RELAY_STORE (fixture->store), PROVIDER_ID, &key, &error);
  g_assert_no_error (error);
  ww_relay_store_set_provider_webhook (WW_RELAY_STORE (fixture->store), PROVIDER_ID,
                                       "http://127.0.0.1:9/hook", &secret, &error);
  g_assert_no_error (error);

  for (gsize i = 0; i < G_N_ELEMENTS (bad_requests); i++)
    {
      const BadRequest *bad = &bad_requests[i];
      g_autoptr(Response) response = NULL;

      g_test_message ("case: %s", bad->name);
      response = send_bad_request (fixture, bad, id, key, secret);
      if (response->status != bad->status)
        g_error ("%s: %u (wanted %u): %s", bad->name, response->status, bad->status, response->body);
      if (g_strcmp0 (response->content_type, "application/problem+json") == 0)
        assert_problem (response, bad->status, bad->detail);
      else
        {
          g_assert_cmpstr (response->content_type, ==, "text/html");
          if (bad->detail != NULL && strstr (response->body, bad->detail) == NULL)
            g_error ("%s: the page does not say '%s': %s", bad->name, bad->detail, response->body);
        }
    }

  /* the bad bodies of /relay/bookings/bad-bodies count too */
  g_test_message ("%" G_GSIZE_FORMAT " kinds of bad request", kinds);
  g_assert_cmpuint (kinds, >=, 40);

  /* nothing was stored or answered, and good requests are served */
  g_assert_cmpint (count_bookings (fixture), ==, 1);
  /* the inbox showed it (delivered), but no answer was taken */
  g_assert_true (status_is (fixture, json_object_get_string_member (answer, "reference"),
                            WW_RELAY_STATUS_DELIVERED));
  after = assert_good_booking (fixture);
  g_assert_cmpint (count_bookings (fixture), ==, 2);
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
  ADD ("/relay/bookings/idempotency-kept-a-day", test_idempotency_kept_a_day);
  ADD ("/relay/bookings/too-large", test_too_large);
  ADD ("/relay/bookings/bad-bodies", test_bad_bodies);
  ADD ("/relay/store/durable", test_durable);
  ADD ("/relay/pin/locked-per-reference", test_pin_locked_per_reference);
  ADD ("/relay/pin/locked-per-client", test_pin_locked_per_client);
  ADD ("/relay/metrics", test_metrics);
  ADD ("/relay/admin/provisioned-kiosk", test_admin_provisioned_kiosk);
  ADD ("/relay/delivery/retried", test_webhook_retried);
  ADD ("/relay/delivery/survives-restart", test_webhook_survives_restart);
  ADD ("/relay/delivery/gives-up", test_webhook_gives_up);
  ADD ("/relay/provider/answers", test_provider_answers);
  ADD ("/relay/provider/inbox", test_inbox);
  ADD ("/relay/status-page", test_status_page);
  ADD ("/relay/bad-requests", test_bad_requests);

#undef ADD

  return g_test_run ();
}
