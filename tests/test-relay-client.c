/* test-relay-client.c: the kiosk sends its outbox to the relay
 *
 * The relay here is a small SoupServer of the test's own that checks each
 * request's signature and answers as the test scripts it, so that every
 * outcome (accepted, refused, down, failing) can be had on demand.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>
#include <string.h>

#include "wegwijzer.h"

#define DEVICE_ID "kiosk-test-1"

typedef struct {
  char       *tmpdir;
  char       *secret;
  SoupServer *server;
  char       *base_uri;
  WwOutbox   *outbox;
  GQueue      answers;      /* guint status codes to give, in order */
  GPtrArray  *message_ids;  /* webhook-id of every request */
  GPtrArray  *keys;         /* Idempotency-Key of every request */
  guint       bad_signatures;
  const char *status_url;   /* JSON value of "status_url" in a 201, or NULL for none */

  /* GET /v1/bookings/{reference}: what to answer, and what was asked */
  guint       lookup_status;
  const char *lookup_type;
  const char *lookup_body;
  const char *retry_after;
  guint       lookups;
  char       *lookup_path;
  char       *lookup_pin;
} Fixture;

#define TEST_REFERENCE "K7QHM2XR"
#define TEST_PIN "482913"

static void
lookup_handler (Fixture           *fixture,
                SoupServerMessage *msg,
                const char        *path)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  fixture->lookups++;
  g_free (fixture->lookup_path);
  fixture->lookup_path = g_strdup (path);
  g_free (fixture->lookup_pin);
  fixture->lookup_pin = g_strdup (soup_message_headers_get_one (headers, "X-Wegwijzer-Pin"));

  soup_server_message_set_status (msg, fixture->lookup_status, NULL);
  if (fixture->retry_after != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "Retry-After", fixture->retry_after);
  soup_server_message_set_response (msg, fixture->lookup_type, SOUP_MEMORY_COPY,
                                    fixture->lookup_body, strlen (fixture->lookup_body));
}

static void
booking_handler (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  static const char problem[] = "{\"title\": \"No\", \"detail\": \"scripted answer\"}";
  Fixture *fixture = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(GError) error = NULL;
  guint status;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  if (g_str_equal (soup_server_message_get_method (msg), "GET"))
    {
      lookup_handler (fixture, msg, path);
      return;
    }

  if (!ww_signature_verify (fixture->secret,
                            soup_message_headers_get_one (headers, "webhook-id"),
                            soup_message_headers_get_one (headers, "webhook-timestamp"),
                            soup_message_headers_get_one (headers, "webhook-signature"),
                            data, length, g_get_real_time () / G_USEC_PER_SEC, 300, &error) ||
      g_strcmp0 (soup_message_headers_get_one (headers, "X-Wegwijzer-Device"), DEVICE_ID) != 0)
    {
      fixture->bad_signatures++;
      soup_server_message_set_status (msg, 401, NULL);
      return;
    }

  g_ptr_array_add (fixture->message_ids, g_strdup (soup_message_headers_get_one (headers, "webhook-id")));
  g_ptr_array_add (fixture->keys, g_strdup (soup_message_headers_get_one (headers, "Idempotency-Key")));

  status = GPOINTER_TO_UINT (g_queue_pop_head (&fixture->answers));
  soup_server_message_set_status (msg, status, NULL);
  if (status == 201)
    {
      g_autofree char *accepted = NULL;

      accepted = g_strdup_printf ("{\"id\": \"b1\", \"reference\": \"" TEST_REFERENCE "\", "
                                  "\"pin\": \"" TEST_PIN "\", \"status\": \"received\"%s%s}",
                                  fixture->status_url ? ", \"status_url\": " : "",
                                  fixture->status_url ? fixture->status_url : "");
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                        accepted, strlen (accepted));
    }
  else
    soup_server_message_set_response (msg, "application/problem+json", SOUP_MEMORY_STATIC,
                                      problem, strlen (problem));
}

/* no waiting in the tests: every retry is due at once */
static double
no_jitter (gpointer user_data)
{
  return 0.0;
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *outbox_path = NULL;
  GSList *uris;

  fixture->tmpdir = g_dir_make_tmp ("ww-relay-client-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->secret = ww_signature_new_secret ();
  fixture->message_ids = g_ptr_array_new_with_free_func (g_free);
  fixture->keys = g_ptr_array_new_with_free_func (g_free);
  g_queue_init (&fixture->answers);

  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, "/v1/bookings", booking_handler, fixture, NULL);
  soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  fixture->base_uri = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  outbox_path = g_build_filename (fixture->tmpdir, "outbox.sqlite", NULL);
  fixture->outbox = ww_outbox_open (outbox_path, &error);
  g_assert_no_error (error);
  ww_outbox_set_random_for_testing (fixture->outbox, no_jitter, NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->tmpdir, 0, NULL);
  const char *name;

  g_clear_object (&fixture->outbox);
  g_clear_object (&fixture->server);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (fixture->tmpdir, name, NULL);
      g_remove (file);
    }
  g_rmdir (fixture->tmpdir);
  g_free (fixture->tmpdir);
  g_free (fixture->secret);
  g_free (fixture->base_uri);
  g_ptr_array_unref (fixture->message_ids);
  g_ptr_array_unref (fixture->keys);
  g_queue_clear (&fixture->answers);
  g_free (fixture->lookup_path);
  g_free (fixture->lookup_pin);
}

static char *
enqueue (Fixture *fixture)
{
  g_autoptr(WwBookingRequest) request = ww_booking_request_new ("test-care-01");
  g_autoptr(GError) error = NULL;

  ww_booking_request_set_field (request, "topic", "prep");
  ww_booking_request_set_contact (request, WW_CONTACT_METHOD_PHONE, "+31 6 1234 5678");
  ww_booking_request_set_name (request, "Rosa");
  ww_booking_request_set_consent (request, TRUE);
  g_assert_true (ww_outbox_enqueue (fixture->outbox, request, &error));
  g_assert_no_error (error);

  return g_strdup (ww_booking_request_get_id (request));
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static WwRelayReceipt *
send_next (WwRelayClient  *client,
           Fixture        *fixture,
           GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ww_relay_client_send_next_async (client, fixture->outbox, NULL, sent_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return ww_relay_client_send_next_finish (client, result, error);
}

static WwOutboxItem *
find_item (Fixture    *fixture,
           const char *id)
{
  g_autoptr(GPtrArray) items = ww_outbox_list (fixture->outbox, NULL);

  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      WwOutboxItem *item = g_ptr_array_index (items, i);

      if (g_strcmp0 (item->id, id) == 0)
        return g_steal_pointer (&items->pdata[i]);
    }

  return NULL;
}

static void
test_accepted (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(WwRelayClient) client = ww_relay_client_new (fixture->base_uri, DEVICE_ID, fixture->secret);
  g_autofree char *id = enqueue (fixture);
  g_autoptr(WwRelayReceipt) receipt = NULL;
  g_autoptr(WwOutboxItem) item = NULL;
  g_autoptr(GError) error = NULL;

  g_queue_push_tail (&fixture->answers, GUINT_TO_POINTER (201));
  receipt = send_next (client, fixture, &error);
  g_assert_no_error (error);
  g_assert_nonnull (receipt);
  g_assert_cmpstr (receipt->reference, ==, TEST_REFERENCE);
  g_assert_cmpstr (receipt->pin, ==, TEST_PIN);
  g_assert_null (receipt->status_url);
  g_assert_cmpuint (fixture->bad_signatures, ==, 0);

  /* confirmed: only the reference and the state are left */
  item = find_item (fixture, id);
  g_assert_nonnull (item);
  g_assert_cmpint (item->state, ==, WW_OUTBOX_STATE_CONFIRMED);
  g_assert_cmpstr (item->reference, ==, TEST_REFERENCE);

  /* and nothing is due any more */
  g_clear_pointer (&receipt, ww_relay_receipt_free);
  receipt = send_next (client, fixture, &error);
  g_assert_no_error (error);
  g_assert_null (receipt);
  g_assert_cmpuint (fixture->keys->len, ==, 1);
}

static void
test_retry_then_accepted (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(WwRelayClient) client = ww_relay_client_new (fixture->base_uri, DEVICE_ID, fixture->secret);
  g_autofree char *id = enqueue (fixture);
  g_autoptr(WwRelayReceipt) failed = NULL;
  g_autoptr(WwRelayReceipt) receipt = NULL;
  g_autoptr(WwOutboxItem) after_failure = NULL;
  g_autoptr(GError) error = NULL;

  g_queue_push_tail (&fixture->answers, GUINT_TO_POINTER (503));
  g_queue_push_tail (&fixture->answers, GUINT_TO_POINTER (201));

  failed = send_next (client, fixture, &error);
  g_assert_null (failed);
  g_assert_error (error, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_RETRY);
  g_assert_nonnull (strstr (error->message, "503"));
  g_clear_error (&error);

  after_failure = find_item (fixture, id);
  g_assert_cmpint (after_failure->state, ==, WW_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (after_failure->attempts, ==, 1);

  receipt = send_next (client, fixture, &error);
  g_assert_no_error (error);
  g_assert_nonnull (receipt);

  /* two attempts, each signed anew, with the request's one key */
  g_assert_cmpuint (fixture->keys->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (fixture->keys, 0), ==, g_ptr_array_index (fixture->keys, 1));
  g_assert_cmpstr (g_ptr_array_index (fixture->message_ids, 0), !=,
                   g_ptr_array_index (fixture->message_ids, 1));
  g_assert_cmpuint (fixture->bad_signatures, ==, 0);
}

static void
test_rejected (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(WwRelayClient) client = ww_relay_client_new (fixture->base_uri, DEVICE_ID, fixture->secret);
  g_autofree char *id = enqueue (fixture);
  g_autoptr(WwRelayReceipt) receipt = NULL;
  g_autoptr(WwOutboxItem) item = NULL;
  g_autoptr(GError) error = NULL;

  g_queue_push_tail (&fixture->answers, GUINT_TO_POINTER (422));
  receipt = send_next (client, fixture, &error);
  g_assert_null (receipt);
  g_assert_error (error, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "scripted answer"));
  g_clear_error (&error);

  /* refused for good: erased and never sent again */
  item = find_item (fixture, id);
  g_assert_cmpint (item->state, ==, WW_OUTBOX_STATE_FAILED);
  receipt = send_next (client, fixture, &error);
  g_assert_no_error (error);
  g_assert_null (receipt);
  g_assert_cmpuint (fixture->keys->len, ==, 1);
}

static void
test_relay_down (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(WwRelayClient) client = NULL;
  g_autofree char *id = enqueue (fixture);
  g_autoptr(WwRelayReceipt) receipt = NULL;
  g_autoptr(WwOutboxItem) item = NULL;
  g_autoptr(GError) error = NULL;

  /* nobody listens there any more */
  soup_server_disconnect (fixture->server);
  client = ww_relay_client_new (fixture->base_uri, DEVICE_ID, fixture->secret);

  receipt = send_next (client, fixture, &error);
  g_assert_null (receipt);
  g_assert_error (error, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_RETRY);

  item = find_item (fixture, id);
  g_assert_cmpint (item->state, ==, WW_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (item->attempts, ==, 1);
}

/* The 201's status_url is kept when it is a web address, and dropped
 * (the receipt is still good) when it is absent or anything else. */
static void
test_receipt_status_url (Fixture       *fixture,
                         gconstpointer  data)
{
  static const struct {
    const char *json;      /* as it stands in the answer; NULL: left out */
    const char *expected;
  } cases[] = {
    { "\"https://relay.example/status?reference=" TEST_REFERENCE "\"",
      "https://relay.example/status?reference=" TEST_REFERENCE },
    { "\"http://127.0.0.1:8765/status?reference=" TEST_REFERENCE "\"",
      "http://127.0.0.1:8765/status?reference=" TEST_REFERENCE },
    { NULL, NULL },
    { "null", NULL },
    { "\"javascript:alert(1)\"", NULL },
    { "\"ftp://relay.example/status\"", NULL },
    { "\"https://\"", NULL },
    { "\"not an address\"", NULL },
    { "42", NULL },
    { "{\"url\": \"https://relay.example/\"}", NULL },
  };
  g_autoptr(WwRelayClient) client = ww_relay_client_new (fixture->base_uri, DEVICE_ID, fixture->secret);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *id = enqueue (fixture);
      g_autoptr(WwRelayReceipt) receipt = NULL;
      g_autoptr(GError) error = NULL;

      fixture->status_url = cases[i].json;
      g_queue_push_tail (&fixture->answers, GUINT_TO_POINTER (201));
      receipt = send_next (client, fixture, &error);
      g_assert_no_error (error);
      g_assert_nonnull (receipt);
      g_assert_cmpstr (receipt->reference, ==, TEST_REFERENCE);
      g_assert_cmpstr (receipt->status_url, ==, cases[i].expected);
    }
}

static void
test_normalize (void)
{
  static const struct {
    const char *typed;
    const char *reference;
  } references[] = {
    { TEST_REFERENCE, TEST_REFERENCE },
    { "k7qhm2xr", TEST_REFERENCE },
    { "K7QH M2XR", TEST_REFERENCE },
    { " k7qh-m2xr\n", TEST_REFERENCE },
    { "k 7 q h m 2 x r", TEST_REFERENCE },
    { "23456789", "23456789" },
    { "", NULL },
    { "K7QHM2X", NULL },     /* 7 */
    { "K7QHM2XRA", NULL },   /* 9 */
    { "K7QHM2X0", NULL },    /* zero is not in the alphabet */
    { "K7QHM2XO", NULL },    /* nor O */
    { "K7QHM2XI", NULL },    /* nor I */
    { "K7QHM2XL", NULL },    /* nor L */
    { "K7QHM2X1", NULL },    /* nor 1 */
    { "K7QH_M2XR", NULL },
    { "K7QHM2XR/", NULL },
    { "K7QH\xc3\xa9M2X", NULL },
  };
  static const struct {
    const char *typed;
    const char *pin;
  } pins[] = {
    { TEST_PIN, TEST_PIN },
    { "482 913", TEST_PIN },
    { " 48 29 13 ", TEST_PIN },
    { "000000", "000000" },
    { "", NULL },
    { "48291", NULL },
    { "4829130", NULL },
    { "48291a", NULL },
    { "482-913", NULL },
    { "\xd9\xa4\xd9\xa8\xd9\xa2\xd9\xa9\xd9\xa1\xd9\xa3", NULL },  /* Arabic-Indic digits */
  };

  g_assert_null (ww_relay_normalize_reference (NULL));
  for (guint i = 0; i < G_N_ELEMENTS (references); i++)
    {
      g_autofree char *reference = ww_relay_normalize_reference (references[i].typed);

      g_assert_cmpstr (reference, ==, references[i].reference);
    }

  g_assert_null (ww_relay_normalize_pin (NULL));
  for (guint i = 0; i < G_N_ELEMENTS (pins); i++)
    {
      g_autofree char *pin = ww_relay_normalize_pin (pins[i].typed);

      g_assert_cmpstr (pin, ==, pins[i].pin);
    }
}

static void
lookup_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static WwRelayStatus *
look_up (WwRelayClient  *client,
         const char     *reference,
         const char     *pin,
         guint          *retry_after,
         GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  ww_relay_client_lookup_async (client, reference, pin, NULL, lookup_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return ww_relay_client_lookup_finish (client, result, retry_after, error);
}

static void
script_lookup (Fixture    *fixture,
               guint       status,
               const char *body)
{
  fixture->lookup_status = status;
  fixture->lookup_type = status == 200 ? "application/json" : "application/problem+json";
  fixture->lookup_body = body;
}

#define NOT_FOUND_BODY "{\"type\": \"urn:wegwijzer:problem:not-found\", \"title\": \"No such booking\", " \
                       "\"status\": 404, \"detail\": \"no booking has this reference and PIN\"}"

static void
test_lookup_answers (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(WwRelayClient) client = ww_relay_client_new (fixture->base_uri, DEVICE_ID, fixture->secret);
  g_autoptr(WwRelayStatus) status = NULL;
  g_autoptr(GDateTime) expected_time = g_date_time_new_from_iso8601 ("2026-12-03T09:00:00Z", NULL);
  g_autoptr(GDateTime) expected_answered = g_date_time_new_from_iso8601 ("2026-12-01T19:00:00Z", NULL);
  g_autoptr(GError) error = NULL;
  static const struct {
    const char           *json;
    WwRelayBookingStatus  status;
  } unanswered[] = {
    { "{\"reference\": \"" TEST_REFERENCE "\", \"status\": \"received\", \"answer\": null}",
      WW_RELAY_BOOKING_RECEIVED },
    { "{\"reference\": \"" TEST_REFERENCE "\", \"status\": \"delivered\", \"answer\": null}",
      WW_RELAY_BOOKING_DELIVERED },
    { "{\"reference\": \"" TEST_REFERENCE "\", \"status\": \"undeliverable\", \"answer\": null, "
      "\"something new\": [1, 2]}",
      WW_RELAY_BOOKING_UNDELIVERABLE },
  };

  /* typed as a person may: the relay is asked in its own form */
  script_lookup (fixture, 200,
                 "{\"reference\": \"" TEST_REFERENCE "\", \"status\": \"accepted\", \"answer\": "
                 "{\"status\": \"accepted\", \"time\": \"2026-12-03T10:00:00+01:00\", \"reason\": null, "
                 "\"answered_at\": \"2026-12-01T19:00:00Z\"}}");
  status = look_up (client, "k7qh m2xr", "482 913", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (status);
  g_assert_cmpstr (fixture->lookup_path, ==, "/v1/bookings/" TEST_REFERENCE);
  g_assert_cmpstr (fixture->lookup_pin, ==, TEST_PIN);
  g_assert_cmpstr (status->reference, ==, TEST_REFERENCE);
  g_assert_cmpint (status->status, ==, WW_RELAY_BOOKING_ACCEPTED);
  g_assert_true (status->has_answer);
  g_assert_cmpint (status->answer_status, ==, WW_RELAY_BOOKING_ACCEPTED);
  g_assert_nonnull (status->answer_time);
  g_assert_true (g_date_time_equal (status->answer_time, expected_time));
  g_assert_true (g_date_time_equal (status->answered_at, expected_answered));
  g_assert_null (status->answer_reason);
  g_clear_pointer (&status, ww_relay_status_free);

  script_lookup (fixture, 200,
                 "{\"reference\": \"" TEST_REFERENCE "\", \"status\": \"proposed\", \"answer\": "
                 "{\"status\": \"proposed\", \"time\": \"2026-12-03T10:00:00+01:00\", "
                 "\"answered_at\": \"2026-12-01T19:00:00Z\"}}");
  status = look_up (client, TEST_REFERENCE, TEST_PIN, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status->status, ==, WW_RELAY_BOOKING_PROPOSED);
  g_assert_true (g_date_time_equal (status->answer_time, expected_time));
  g_clear_pointer (&status, ww_relay_status_free);

  script_lookup (fixture, 200,
                 "{\"reference\": \"" TEST_REFERENCE "\", \"status\": \"declined\", \"answer\": "
                 "{\"status\": \"declined\", \"time\": null, \"reason\": \"  We are closed that week <b>&</b>  \", "
                 "\"answered_at\": \"2026-12-01T19:00:00Z\"}}");
  status = look_up (client, TEST_REFERENCE, TEST_PIN, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (status->status, ==, WW_RELAY_BOOKING_DECLINED);
  g_assert_null (status->answer_time);
  g_assert_cmpstr (status->answer_reason, ==, "We are closed that week <b>&</b>");
  g_clear_pointer (&status, ww_relay_status_free);

  /* an empty reason is none */
  script_lookup (fixture, 200,
                 "{\"reference\": \"" TEST_REFERENCE "\", \"status\": \"declined\", \"answer\": "
                 "{\"status\": \"declined\", \"time\": null, \"reason\": \"   \", "
                 "\"answered_at\": \"2026-12-01T19:00:00Z\"}}");
  status = look_up (client, TEST_REFERENCE, TEST_PIN, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (status->answer_reason);
  g_clear_pointer (&status, ww_relay_status_free);

  for (guint i = 0; i < G_N_ELEMENTS (unanswered); i++)
    {
      script_lookup (fixture, 200, unanswered[i].json);
      status = look_up (client, TEST_REFERENCE, TEST_PIN, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (status->status, ==, unanswered[i].status);
      g_assert_false (status->has_answer);
      g_assert_null (status->answer_time);
      g_assert_null (status->answered_at);
      g_clear_pointer (&status, ww_relay_status_free);
    }

  g_assert_cmpstr (ww_relay_booking_status_to_string (WW_RELAY_BOOKING_UNDELIVERABLE), ==, "undeliverable");
}

static void
test_lookup_errors (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(WwRelayClient) client = ww_relay_client_new (fixture->base_uri, DEVICE_ID, fixture->secret);
  g_autoptr(WwRelayStatus) status = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *in_a_minute = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = NULL;
  guint retry_after = 99;

  /* a wrong PIN and an unknown reference are one answer */
  script_lookup (fixture, 404, NOT_FOUND_BODY);
  status = look_up (client, TEST_REFERENCE, "000000", &retry_after, &error);
  g_assert_null (status);
  g_assert_error (error, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_NOT_FOUND);
  g_assert_cmpuint (retry_after, ==, 0);
  g_clear_error (&error);

  /* a 404 that is not the relay's (a wrong address) says nothing about the code */
  script_lookup (fixture, 404, "<html>Not here</html>");
  fixture->lookup_type = "text/html";
  status = look_up (client, TEST_REFERENCE, TEST_PIN, NULL, &error);
  g_assert_error (error, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_INVALID_ANSWER);
  g_clear_error (&error);

  script_lookup (fixture, 429, "{\"title\": \"Locked after too many wrong PINs\"}");
  fixture->retry_after = "120";
  status = look_up (client, TEST_REFERENCE, TEST_PIN, &retry_after, &error);
  g_assert_error (error, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_LOCKED);
  g_assert_cmpuint (retry_after, ==, 120);
  g_clear_error (&error);

  /* Retry-After may be a date too */
  later = g_date_time_add_seconds (now, 90);
  in_a_minute = g_date_time_format (later, "%a, %d %b %Y %H:%M:%S GMT");
  g_clear_pointer (&later, g_date_time_unref);
  fixture->retry_after = in_a_minute;
  status = look_up (client, TEST_REFERENCE, TEST_PIN, &retry_after, &error);
  g_assert_error (error, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_LOCKED);
  g_assert_cmpuint (retry_after, >, 0);
  g_assert_cmpuint (retry_after, <=, 90);
  g_clear_error (&error);

  fixture->retry_after = "soon";
  status = look_up (client, TEST_REFERENCE, TEST_PIN, &retry_after, &error);
  g_assert_error (error, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_LOCKED);
  g_assert_cmpuint (retry_after, ==, 0);
  g_clear_error (&error);
  fixture->retry_after = NULL;

  script_lookup (fixture, 503, "{\"title\": \"Unavailable\", \"detail\": \"scripted answer\"}");
  status = look_up (client, TEST_REFERENCE, TEST_PIN, NULL, &error);
  g_assert_error (error, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_UNREACHABLE);
  g_clear_error (&error);

  script_lookup (fixture, 400, "{\"title\": \"Bad\", \"detail\": \"scripted answer\"}");
  status = look_up (client, TEST_REFERENCE, TEST_PIN, NULL, &error);
  g_assert_error (error, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_INVALID_ANSWER);
  g_assert_nonnull (strstr (error->message, "scripted answer"));
  g_clear_error (&error);

  /* what cannot be a code or a PIN is not sent */
  fixture->lookups = 0;
  status = look_up (client, "K7QHM2X0", TEST_PIN, NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  status = look_up (client, TEST_REFERENCE, "12345", NULL, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_cmpuint (fixture->lookups, ==, 0);

  /* and nobody at the address at all */
  soup_server_disconnect (fixture->server);
  status = look_up (client, TEST_REFERENCE, TEST_PIN, NULL, &error);
  g_assert_null (status);
  g_assert_error (error, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_UNREACHABLE);
}

/* Answers that do not say what the contract says they do are refused,
 * not half read. */
static void
test_lookup_malformed (Fixture       *fixture,
                       gconstpointer  data)
{
#define ANSWER(status, fields) \
  "{\"reference\": \"" TEST_REFERENCE "\", \"status\": \"" status "\", \"answer\": " fields "}"
#define ANSWERED_AT ", \"answered_at\": \"2026-12-01T19:00:00Z\""
  static const char *const bodies[] = {
    "",
    "not JSON",
    "[]",
    "\"accepted\"",
    "{\"status\": \"received\", \"answer\": null}",                          /* no reference */
    "{\"reference\": \"ZZZZZZZZ\", \"status\": \"received\", \"answer\": null}", /* another one */
    "{\"reference\": 42, \"status\": \"received\", \"answer\": null}",
    "{\"reference\": \"" TEST_REFERENCE "\", \"answer\": null}",               /* no status */
    "{\"reference\": \"" TEST_REFERENCE "\", \"status\": \"received\"}",       /* no answer */
    ANSWER ("maybe", "null"),
    ANSWER ("Accepted", "null"),
    ANSWER ("received", "[]"),
    ANSWER ("received", "\"yes\""),
    /* answered, but not so */
    ANSWER ("accepted", "null"),
    ANSWER ("declined", "null"),
    /* status and answer disagree */
    ANSWER ("received", "{\"status\": \"accepted\", \"time\": \"2026-12-03T10:00:00+01:00\"" ANSWERED_AT "}"),
    ANSWER ("accepted", "{\"status\": \"declined\", \"time\": null, \"reason\": null" ANSWERED_AT "}"),
    ANSWER ("undeliverable", "{\"status\": \"undeliverable\", \"time\": null" ANSWERED_AT "}"),
    /* an acceptance without a time, or with one that is not one */
    ANSWER ("accepted", "{\"status\": \"accepted\", \"time\": null" ANSWERED_AT "}"),
    ANSWER ("accepted", "{\"status\": \"accepted\"" ANSWERED_AT "}"),
    ANSWER ("proposed", "{\"status\": \"proposed\", \"time\": \"tomorrow\"" ANSWERED_AT "}"),
    ANSWER ("proposed", "{\"status\": \"proposed\", \"time\": 1796371200" ANSWERED_AT "}"),
    /* no offset: which 10:00 would it be? */
    ANSWER ("accepted", "{\"status\": \"accepted\", \"time\": \"2026-12-03T10:00:00\"" ANSWERED_AT "}"),
    ANSWER ("accepted", "{\"status\": \"accepted\", \"time\": \"2026-12-03T10:00:00+01:00\"}"),
    ANSWER ("declined", "{\"status\": \"declined\", \"reason\": 7" ANSWERED_AT "}"),
    ANSWER ("declined", "{\"status\": \"declined\", \"reason\": [\"no\"]" ANSWERED_AT "}"),
    ANSWER ("declined", "{\"status\": 3" ANSWERED_AT "}"),
  };
#undef ANSWER
#undef ANSWERED_AT
  g_autoptr(WwRelayClient) client = ww_relay_client_new (fixture->base_uri, DEVICE_ID, fixture->secret);
  g_autoptr(GString) long_reason = g_string_new (NULL);
  g_autofree char *too_long = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_autoptr(WwRelayStatus) status = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("answer %u: %s", i, bodies[i]);
      script_lookup (fixture, 200, bodies[i]);
      status = look_up (client, TEST_REFERENCE, TEST_PIN, NULL, &error);
      g_assert_null (status);
      g_assert_error (error, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_INVALID_ANSWER);
    }

  /* a reason longer than the relay allows */
  for (guint i = 0; i < 2001; i++)
    g_string_append (long_reason, "\xc3\xa9");
  too_long = g_strdup_printf ("{\"reference\": \"" TEST_REFERENCE "\", \"status\": \"declined\", "
                              "\"answer\": {\"status\": \"declined\", \"reason\": \"%s\", "
                              "\"answered_at\": \"2026-12-01T19:00:00Z\"}}", long_reason->str);
  {
    g_autoptr(WwRelayStatus) status = NULL;
    g_autoptr(GError) error = NULL;

    script_lookup (fixture, 200, too_long);
    status = look_up (client, TEST_REFERENCE, TEST_PIN, NULL, &error);
    g_assert_error (error, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_INVALID_ANSWER);
  }

  /* and a good body under another content type */
  {
    g_autoptr(WwRelayStatus) status = NULL;
    g_autoptr(GError) error = NULL;

    script_lookup (fixture, 200, "{\"reference\": \"" TEST_REFERENCE "\", \"status\": \"received\", "
                                 "\"answer\": null}");
    fixture->lookup_type = "text/html";
    status = look_up (client, TEST_REFERENCE, TEST_PIN, NULL, &error);
    g_assert_error (error, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_INVALID_ANSWER);
  }
}

static void
count_sent_cb (WwRelayClient  *client,
               const char     *id,
               WwRelayReceipt *receipt,
               GPtrArray      *sent)
{
  g_assert_nonnull (receipt);
  g_ptr_array_add (sent, g_strdup (id));
}

static guint16
server_port (Fixture *fixture)
{
  g_autoptr(GUri) uri = g_uri_parse (fixture->base_uri, G_URI_FLAGS_NONE, NULL);

  g_assert_nonnull (uri);
  return (guint16) g_uri_get_port (uri);
}

/* The relay is down, then back on the same address: the background
 * sender gets the saved request there without being asked. */
static void
test_sender_down_then_up (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(WwRelayClient) client = ww_relay_client_new (fixture->base_uri, DEVICE_ID, fixture->secret);
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(WwOutboxItem) item = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = enqueue (fixture);
  guint16 port = server_port (fixture);

  g_signal_connect (client, "request-sent", G_CALLBACK (count_sent_cb), sent);
  soup_server_disconnect (fixture->server);

  ww_relay_client_start_sender (client, fixture->outbox);
  do
    {
      g_clear_pointer (&item, ww_outbox_item_free);
      g_main_context_iteration (NULL, TRUE);
      item = find_item (fixture, id);
    }
  while (item->attempts == 0);
  g_assert_cmpint (item->state, ==, WW_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (sent->len, ==, 0);

  /* not in a loop: after the failure it waits before the next look */
  while (ww_relay_client_get_sender_wait_for_testing (client) < 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (ww_relay_client_get_sender_wait_for_testing (client), >=, WW_RELAY_SENDER_RETRY_WAIT_MS);

  soup_server_listen_local (fixture->server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  g_queue_push_tail (&fixture->answers, GUINT_TO_POINTER (201));

  while (sent->len == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpstr (g_ptr_array_index (sent, 0), ==, id);
  g_clear_pointer (&item, ww_outbox_item_free);
  item = find_item (fixture, id);
  g_assert_cmpint (item->state, ==, WW_OUTBOX_STATE_CONFIRMED);
  g_assert_cmpstr (item->reference, ==, TEST_REFERENCE);
  g_assert_cmpuint (fixture->keys->len, ==, 1);
  g_assert_cmpuint (fixture->bad_signatures, ==, 0);

  /* nothing left: after one more look, it looks again only after the
   * longest wait */
  while (ww_relay_client_get_sender_wait_for_testing (client) <= 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (ww_relay_client_get_sender_wait_for_testing (client), ==, WW_RELAY_SENDER_MAX_WAIT_MS);

  ww_relay_client_stop_sender (client);
  g_assert_cmpint (ww_relay_client_get_sender_wait_for_testing (client), ==, -1);
}

static double
full_jitter (gpointer user_data)
{
  return 1.0;
}

/* The sender sleeps until the next request is due, not longer. */
static void
test_sender_waits_for_due (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(WwRelayClient) client = ww_relay_client_new (fixture->base_uri, DEVICE_ID, fixture->secret);
  g_autoptr(GError) error = NULL;
  g_autofree char *id = enqueue (fixture);
  gint64 wait;

  /* one failure puts it WW_OUTBOX_BACKOFF_BASE_US off */
  ww_outbox_set_random_for_testing (fixture->outbox, full_jitter, NULL);
  g_assert_true (ww_outbox_mark_failed_attempt (fixture->outbox, id, g_get_real_time (), &error));
  g_assert_no_error (error);

  ww_relay_client_start_sender (client, fixture->outbox);
  /* the first look, at once, finds nothing due */
  g_assert_cmpint (ww_relay_client_get_sender_wait_for_testing (client), ==, 0);
  while (ww_relay_client_get_sender_wait_for_testing (client) <= 0)
    g_main_context_iteration (NULL, TRUE);

  wait = ww_relay_client_get_sender_wait_for_testing (client);
  g_assert_cmpint (wait, >, 0);
  g_assert_cmpint (wait, <=, WW_OUTBOX_BACKOFF_BASE_US / 1000);
  g_assert_cmpuint (fixture->keys->len, ==, 0);
  ww_relay_client_stop_sender (client);
}

static void
send_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  WwRelayReceipt **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = ww_relay_client_send_finish (WW_RELAY_CLIENT (object), result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*out);
}

/* The visitor's page asks for their request while the background sender
 * is sending it: one request goes to the relay, and both have its
 * answer. */
static void
test_one_send_at_a_time (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(WwRelayClient) client = ww_relay_client_new (fixture->base_uri, DEVICE_ID, fixture->secret);
  g_autoptr(WwRelayReceipt) by_sender = NULL;
  g_autoptr(WwRelayReceipt) by_page = NULL;
  g_autoptr(WwRelayReceipt) other = NULL;
  g_autofree char *id = enqueue (fixture);
  g_autofree char *other_id = NULL;

  g_queue_push_tail (&fixture->answers, GUINT_TO_POINTER (201));
  g_queue_push_tail (&fixture->answers, GUINT_TO_POINTER (201));
  ww_relay_client_send_next_async (client, fixture->outbox, NULL, send_cb, &by_sender);
  ww_relay_client_send_async (client, fixture->outbox, id, NULL, send_cb, &by_page);
  while (by_sender == NULL || by_page == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpuint (fixture->keys->len, ==, 1);
  g_assert_cmpstr (by_sender->pin, ==, TEST_PIN);
  g_assert_cmpstr (by_page->pin, ==, TEST_PIN);
  g_assert_true (by_sender != by_page);

  /* and a request of its own, asked for meanwhile, waits its turn */
  other_id = enqueue (fixture);
  g_queue_push_tail (&fixture->answers, GUINT_TO_POINTER (201));
  g_clear_pointer (&by_sender, ww_relay_receipt_free);
  ww_relay_client_send_next_async (client, fixture->outbox, NULL, send_cb, &by_sender);
  ww_relay_client_send_async (client, fixture->outbox, other_id, NULL, send_cb, &other);
  while (by_sender == NULL || other == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (fixture->keys->len, ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  /* no proxy on loopback; the desktop's resolver would want GSettings
   * schemas, which the isolated test directories do not have */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/relay-client/accepted", test_accepted);
  ADD ("/relay-client/retry-then-accepted", test_retry_then_accepted);
  ADD ("/relay-client/rejected", test_rejected);
  ADD ("/relay-client/relay-down", test_relay_down);
  ADD ("/relay-client/receipt-status-url", test_receipt_status_url);
  ADD ("/relay-client/lookup/answers", test_lookup_answers);
  ADD ("/relay-client/lookup/errors", test_lookup_errors);
  ADD ("/relay-client/lookup/malformed", test_lookup_malformed);
  ADD ("/relay-client/sender/down-then-up", test_sender_down_then_up);
  ADD ("/relay-client/sender/waits-for-due", test_sender_waits_for_due);
  ADD ("/relay-client/one-send-at-a-time", test_one_send_at_a_time);
  g_test_add_func ("/relay-client/normalize", test_normalize);

#undef ADD

  return g_test_run ();
}
