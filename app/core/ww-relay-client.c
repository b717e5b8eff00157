/* ww-relay-client.c
 *
 * Every attempt is signed afresh (a new webhook-id and timestamp: the
 * relay refuses a webhook-id it has seen), while the Idempotency-Key
 * stays the request's own, so a retry after a lost answer makes no
 * second booking. The outbox's SQLite work runs in a worker thread;
 * the HTTP exchange runs on the caller's main context.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-relay-client"

#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "ww-relay-client.h"
#include "ww-signature.h"

struct _WwRelayClient
{
  GObject      parent_instance;

  char        *base_uri;
  char        *device_id;
  char        *secret;
  SoupSession *session;
};

G_DEFINE_FINAL_TYPE (WwRelayClient, ww_relay_client, G_TYPE_OBJECT)
G_DEFINE_QUARK (ww-relay-client-error-quark, ww_relay_client_error)

void
ww_relay_receipt_free (WwRelayReceipt *receipt)
{
  if (receipt == NULL)
    return;

  g_free (receipt->reference);
  if (receipt->pin != NULL)
    memset (receipt->pin, 0, strlen (receipt->pin));
  g_free (receipt->pin);
  g_free (receipt->status);
  g_free (receipt);
}

static void
ww_relay_client_finalize (GObject *object)
{
  WwRelayClient *self = (WwRelayClient *)object;

  g_clear_object (&self->session);
  g_free (self->base_uri);
  g_free (self->device_id);
  if (self->secret != NULL)
    memset (self->secret, 0, strlen (self->secret));
  g_free (self->secret);

  G_OBJECT_CLASS (ww_relay_client_parent_class)->finalize (object);
}

static void
ww_relay_client_class_init (WwRelayClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ww_relay_client_finalize;
}

static void
ww_relay_client_init (WwRelayClient *self)
{
  self->session = soup_session_new ();
  soup_session_set_timeout (self->session, 30);
}

WwRelayClient *
ww_relay_client_new (const char *base_uri,
                     const char *device_id,
                     const char *secret)
{
  WwRelayClient *self;

  g_return_val_if_fail (base_uri != NULL, NULL);
  g_return_val_if_fail (device_id != NULL, NULL);
  g_return_val_if_fail (secret != NULL, NULL);

  self = g_object_new (WW_TYPE_RELAY_CLIENT, NULL);
  self->base_uri = g_str_has_suffix (base_uri, "/") ? g_strndup (base_uri, strlen (base_uri) - 1)
                                                    : g_strdup (base_uri);
  self->device_id = g_strdup (device_id);
  self->secret = g_strdup (secret);

  return self;
}

typedef enum {
  OUTCOME_NOTHING_DUE,
  OUTCOME_CONFIRMED,
  OUTCOME_RETRY,
  OUTCOME_REJECTED,
} Outcome;

typedef struct {
  WwOutbox       *outbox;
  char           *only_id;   /* send this request, or the next due */
  WwOutboxItem   *item;
  WwRelayReceipt *receipt;
  Outcome         outcome;
  char           *problem;   /* what the relay or the network said */
} Send;

static void
send_free (Send *send)
{
  g_clear_object (&send->outbox);
  g_free (send->only_id);
  g_clear_pointer (&send->item, ww_outbox_item_free);
  g_clear_pointer (&send->receipt, ww_relay_receipt_free);
  g_free (send->problem);
  g_free (send);
}

/* The outbox's writes, in a worker thread: they are synced to disk. */
static void
record_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Send *send = task_data;
  GError *error = NULL;
  gboolean ok = TRUE;

  switch (send->outcome)
    {
    case OUTCOME_CONFIRMED:
      ok = ww_outbox_mark_confirmed (send->outbox, send->item->id, send->receipt->reference, &error);
      break;

    case OUTCOME_RETRY:
      ok = ww_outbox_mark_failed_attempt (send->outbox, send->item->id, g_get_real_time (), &error);
      break;

    case OUTCOME_REJECTED:
      ok = ww_outbox_mark_rejected (send->outbox, send->item->id, &error);
      break;

    case OUTCOME_NOTHING_DUE:
    default:
      break;
    }

  if (!ok)
    {
      g_task_return_error (task, error);
      return;
    }

  switch (send->outcome)
    {
    case OUTCOME_CONFIRMED:
      g_task_return_pointer (task, g_steal_pointer (&send->receipt),
                             (GDestroyNotify) ww_relay_receipt_free);
      break;

    case OUTCOME_RETRY:
      g_task_return_new_error (task, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_RETRY,
                               "The request was not delivered yet and will be sent again: %s",
                               send->problem);
      break;

    case OUTCOME_REJECTED:
      g_task_return_new_error (task, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_REJECTED,
                               "The appointment service refused the request: %s",
                               send->problem);
      break;

    case OUTCOME_NOTHING_DUE:
    default:
      g_task_return_pointer (task, NULL, NULL);
      break;
    }
}

static void
record (GTask   *task,
        Outcome  outcome,
        char    *problem)
{
  Send *send = g_task_get_task_data (task);

  send->outcome = outcome;
  g_free (send->problem);
  send->problem = problem;
  g_task_run_in_thread (task, record_thread);
}

static char *
problem_detail (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  gsize length = 0;
  const char *data = body ? g_bytes_get_data (body, &length) : NULL;

  if (data != NULL && json_parser_load_from_data (parser, data, length, NULL) &&
      (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_OBJECT (root))
    {
      const char *detail = json_object_get_string_member_with_default (json_node_get_object (root),
                                                                        "detail", NULL);
      if (detail != NULL)
        return g_strdup (detail);
    }

  return g_strdup ("no details");
}

static WwRelayReceipt *
parse_receipt (GBytes  *body,
               GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(WwRelayReceipt) receipt = g_new0 (WwRelayReceipt, 1);
  JsonObject *object;
  JsonNode *root;
  gsize length = 0;
  const char *data = g_bytes_get_data (body, &length);

  if (data == NULL || !json_parser_load_from_data (parser, data, length, error))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           "the answer is not a JSON object");
      return NULL;
    }
  object = json_node_get_object (root);

  receipt->reference = g_strdup (json_object_get_string_member_with_default (object, "reference", NULL));
  receipt->pin = g_strdup (json_object_get_string_member_with_default (object, "pin", NULL));
  receipt->status = g_strdup (json_object_get_string_member_with_default (object, "status", NULL));
  if (receipt->reference == NULL || receipt->pin == NULL)
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           "the answer has no reference or PIN");
      return NULL;
    }

  return g_steal_pointer (&receipt);
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  Send *send = g_task_get_task_data (task);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  guint status;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (body == NULL)
    {
      /* the network, or a relay that is down: try again later */
      record (task, OUTCOME_RETRY, g_strdup (error->message));
      return;
    }

  status = soup_message_get_status (msg);
  if (status == SOUP_STATUS_CREATED || status == SOUP_STATUS_OK)
    {
      send->receipt = parse_receipt (body, &error);
      if (send->receipt == NULL)
        record (task, OUTCOME_RETRY,
                g_strdup_printf ("the relay's answer could not be read (%s)", error->message));
      else
        record (task, OUTCOME_CONFIRMED, NULL);
    }
  else if (status == SOUP_STATUS_BAD_REQUEST ||
           status == SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE ||
           status == SOUP_STATUS_UNPROCESSABLE_ENTITY)
    {
      /* sending the same bytes again cannot succeed */
      g_autofree char *detail = problem_detail (body);

      record (task, OUTCOME_REJECTED, g_strdup_printf ("%u: %s", status, detail));
    }
  else
    {
      /* 401 (a clock that drifted, a kiosk being re-provisioned), 429,
       * 5xx: worth another try later */
      g_autofree char *detail = problem_detail (body);

      record (task, OUTCOME_RETRY, g_strdup_printf ("%u: %s", status, detail));
    }
}

static void
send_due (GTask *task)
{
  WwRelayClient *self = g_task_get_source_object (task);
  Send *send = g_task_get_task_data (task);
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = g_strdup_printf ("%s/v1/bookings", self->base_uri);
  g_autofree char *msg_id = g_uuid_string_random ();
  g_autofree char *timestamp = NULL;
  g_autofree char *signature = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  SoupMessageHeaders *headers;

  msg = soup_message_new (SOUP_METHOD_POST, uri);
  if (msg == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "The relay address %s is not a valid URI", self->base_uri);
      g_object_unref (task);
      return;
    }

  signature = ww_signature_sign (self->secret, msg_id, now, send->item->body,
                                 strlen (send->item->body), &error);
  if (signature == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  timestamp = g_strdup_printf ("%" G_GINT64_FORMAT, now);
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "X-Wegwijzer-Device", self->device_id);
  soup_message_headers_replace (headers, "webhook-id", msg_id);
  soup_message_headers_replace (headers, "webhook-timestamp", timestamp);
  soup_message_headers_replace (headers, "webhook-signature", signature);
  soup_message_headers_replace (headers, "Idempotency-Key", send->item->idempotency_key);

  body = g_bytes_new (send->item->body, strlen (send->item->body));
  soup_message_set_request_body_from_bytes (msg, "application/json", body);

  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), sent_cb, task);
}

static void
next_due_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Send *send = task_data;

  if (send->only_id != NULL)
    send->item = ww_outbox_get_queued (send->outbox, send->only_id);
  else
    send->item = ww_outbox_next_due (send->outbox, g_get_real_time ());
  g_task_return_boolean (task, TRUE);
}

static void
next_due_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  Send *send = g_task_get_task_data (task);

  if (send->item == NULL || send->item->body == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      g_object_unref (task);
      return;
    }

  send_due (task);
}

static void
start_send (WwRelayClient       *self,
            WwOutbox            *outbox,
            const char          *only_id,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  GTask *task;
  GTask *lookup;
  Send *send;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, start_send);
  send = g_new0 (Send, 1);
  send->outbox = g_object_ref (outbox);
  send->only_id = g_strdup (only_id);
  g_task_set_task_data (task, send, (GDestroyNotify) send_free);

  /* looking the next one up reads SQLite: not on the caller's thread */
  lookup = g_task_new (self, cancellable, next_due_cb, task);
  g_task_set_task_data (lookup, send, NULL);
  g_task_run_in_thread (lookup, next_due_thread);
  g_object_unref (lookup);
}

void
ww_relay_client_send_next_async (WwRelayClient       *self,
                                 WwOutbox            *outbox,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_return_if_fail (WW_IS_RELAY_CLIENT (self));
  g_return_if_fail (WW_IS_OUTBOX (outbox));

  start_send (self, outbox, NULL, cancellable, callback, user_data);
}

void
ww_relay_client_send_async (WwRelayClient       *self,
                            WwOutbox            *outbox,
                            const char          *id,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_return_if_fail (WW_IS_RELAY_CLIENT (self));
  g_return_if_fail (WW_IS_OUTBOX (outbox));
  g_return_if_fail (id != NULL);

  start_send (self, outbox, id, cancellable, callback, user_data);
}

WwRelayReceipt *
ww_relay_client_send_finish (WwRelayClient  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  return ww_relay_client_send_next_finish (self, result, error);
}

WwRelayReceipt *
ww_relay_client_send_next_finish (WwRelayClient  *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  g_return_val_if_fail (WW_IS_RELAY_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
