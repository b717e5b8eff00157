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
} Fixture;

static void
booking_handler (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  static const char accepted[] = "{\"id\": \"b1\", \"reference\": \"K7QH-M2XR\", "
                                 "\"pin\": \"482913\", \"status\": \"received\"}";
  static const char problem[] = "{\"title\": \"No\", \"detail\": \"scripted answer\"}";
  Fixture *fixture = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autoptr(GError) error = NULL;
  guint status;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

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
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                      accepted, strlen (accepted));
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
  g_assert_cmpstr (receipt->reference, ==, "K7QH-M2XR");
  g_assert_cmpstr (receipt->pin, ==, "482913");
  g_assert_cmpuint (fixture->bad_signatures, ==, 0);

  /* confirmed: only the reference and the state are left */
  item = find_item (fixture, id);
  g_assert_nonnull (item);
  g_assert_cmpint (item->state, ==, WW_OUTBOX_STATE_CONFIRMED);
  g_assert_cmpstr (item->reference, ==, "K7QH-M2XR");

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

#undef ADD

  return g_test_run ();
}
