/* ww-relay-client.c
 *
 * Every attempt is signed afresh (a new webhook-id and timestamp: the
 * relay refuses a webhook-id it has seen), while the Idempotency-Key
 * stays the request's own, so a retry after a lost answer makes no
 * second booking. The outbox's SQLite work runs in a worker thread;
 * the HTTP exchange runs on the caller's main context.
 *
 * Sends go one at a time, in the order they were asked for: the
 * background sender and the page of the visitor who just asked both
 * send from the one outbox, and two sends of one request at once would
 * each count an attempt and each get the relay's answer. A send asked
 * for a request that the send in flight turns out to carry gets that
 * send's outcome.
 *
 * Nothing personal is logged: not the request, not a reference, not a
 * PIN.
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

/* a provider's reason is shown on the screen; the relay allows as much */
#define MAX_REASON_CHARS 2000

/* libsoup has no name for it (RFC 6585) */
#define STATUS_TOO_MANY_REQUESTS 429

struct _WwRelayClient
{
  GObject       parent_instance;

  char         *base_uri;
  char         *device_id;
  char         *secret;
  SoupSession  *session;

  GTask        *current;          /* the send in flight */
  GQueue        waiting;          /* GTask: sends asked for meanwhile */

  WwOutbox     *sender_outbox;    /* NULL while the sender is stopped */
  GCancellable *sender_cancellable;
  guint         sender_source;
  gint64        sender_wait_ms;
};

G_DEFINE_FINAL_TYPE (WwRelayClient, ww_relay_client, G_TYPE_OBJECT)
G_DEFINE_QUARK (ww-relay-client-error-quark, ww_relay_client_error)

enum {
  SIGNAL_REQUEST_SENT,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static const char *const booking_status_names[] = {
  [WW_RELAY_BOOKING_RECEIVED] = "received",
  [WW_RELAY_BOOKING_DELIVERED] = "delivered",
  [WW_RELAY_BOOKING_ACCEPTED] = "accepted",
  [WW_RELAY_BOOKING_PROPOSED] = "proposed",
  [WW_RELAY_BOOKING_DECLINED] = "declined",
  [WW_RELAY_BOOKING_UNDELIVERABLE] = "undeliverable",
};

/* Personal text, overwritten before it is freed. */
static void
wipe_string (char *string)
{
  if (string != NULL)
    memset (string, 0, strlen (string));
  g_free (string);
}

void
ww_relay_receipt_free (WwRelayReceipt *receipt)
{
  if (receipt == NULL)
    return;

  g_free (receipt->reference);
  wipe_string (receipt->pin);
  g_free (receipt->status);
  g_free (receipt->status_url);
  g_free (receipt);
}

static WwRelayReceipt *
receipt_copy (const WwRelayReceipt *receipt)
{
  WwRelayReceipt *copy = g_new0 (WwRelayReceipt, 1);

  copy->reference = g_strdup (receipt->reference);
  copy->pin = g_strdup (receipt->pin);
  copy->status = g_strdup (receipt->status);
  copy->status_url = g_strdup (receipt->status_url);

  return copy;
}

const char *
ww_relay_booking_status_to_string (WwRelayBookingStatus status)
{
  g_return_val_if_fail ((guint) status < G_N_ELEMENTS (booking_status_names), NULL);

  return booking_status_names[status];
}

static gboolean
booking_status_from_string (const char           *text,
                            WwRelayBookingStatus *status)
{
  for (guint i = 0; i < G_N_ELEMENTS (booking_status_names); i++)
    if (g_strcmp0 (text, booking_status_names[i]) == 0)
      {
        *status = (WwRelayBookingStatus) i;
        return TRUE;
      }

  return FALSE;
}

void
ww_relay_status_free (WwRelayStatus *status)
{
  if (status == NULL)
    return;

  g_free (status->reference);
  g_clear_pointer (&status->answer_time, g_date_time_unref);
  wipe_string (status->answer_reason);
  g_clear_pointer (&status->answered_at, g_date_time_unref);
  g_free (status);
}

char *
ww_relay_normalize_reference (const char *text)
{
  g_autoptr(GString) reference = g_string_new (NULL);

  if (text == NULL)
    return NULL;

  for (const char *p = text; *p != '\0'; p++)
    {
      char c = g_ascii_toupper (*p);

      /* as it may be written down: "K7QH M2XR", "k7qh-m2xr" */
      if (g_ascii_isspace (c) || c == '-')
        continue;
      if (strchr (WW_RELAY_REFERENCE_ALPHABET, c) == NULL ||
          reference->len == WW_RELAY_REFERENCE_LENGTH)
        return NULL;
      g_string_append_c (reference, c);
    }

  if (reference->len != WW_RELAY_REFERENCE_LENGTH)
    return NULL;

  return g_string_free (g_steal_pointer (&reference), FALSE);
}

char *
ww_relay_normalize_pin (const char *text)
{
  char pin[WW_RELAY_PIN_LENGTH + 1] = { 0 };
  char *result = NULL;
  guint n = 0;

  if (text == NULL)
    return NULL;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p))
        continue;
      if (!g_ascii_isdigit (*p) || n == WW_RELAY_PIN_LENGTH)
        goto out;
      pin[n++] = *p;
    }

  if (n == WW_RELAY_PIN_LENGTH)
    result = g_strdup (pin);

out:
  memset (pin, 0, sizeof pin);
  return result;
}

static void sender_stop (WwRelayClient *self);

static void
ww_relay_client_dispose (GObject *object)
{
  WwRelayClient *self = (WwRelayClient *)object;

  sender_stop (self);

  G_OBJECT_CLASS (ww_relay_client_parent_class)->dispose (object);
}

static void
ww_relay_client_finalize (GObject *object)
{
  WwRelayClient *self = (WwRelayClient *)object;

  /* every send holds the client: none can be left */
  g_assert (self->current == NULL);
  g_assert (g_queue_is_empty (&self->waiting));

  g_clear_object (&self->session);
  g_free (self->base_uri);
  g_free (self->device_id);
  wipe_string (self->secret);

  G_OBJECT_CLASS (ww_relay_client_parent_class)->finalize (object);
}

static void
ww_relay_client_class_init (WwRelayClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ww_relay_client_dispose;
  object_class->finalize = ww_relay_client_finalize;

  /**
   * WwRelayClient::request-sent:
   * @id: the outbox's id of the request
   * @receipt: (type gpointer): the relay's WwRelayReceipt, valid during
   *   the emission only
   *
   * The relay has confirmed a request, whoever sent it: the page that
   * told a visitor "saved, not sent yet" can now show their code.
   */
  signals[SIGNAL_REQUEST_SENT] =
    g_signal_new ("request-sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_POINTER);
}

static void
ww_relay_client_init (WwRelayClient *self)
{
  self->session = soup_session_new ();
  soup_session_set_timeout (self->session, 30);
  g_queue_init (&self->waiting);
  self->sender_wait_ms = -1;
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

/* Reading the relay's JSON -------------------------------------------------- */

static JsonObject *
parse_object (GBytes      *body,
              JsonParser  *parser,
              GError     **error)
{
  JsonNode *root;
  gsize length = 0;
  const char *data = body ? g_bytes_get_data (body, &length) : NULL;

  if (data == NULL || length == 0)
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           "the answer is empty");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, length, error))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           "the answer is not a JSON object");
      return NULL;
    }

  return json_node_get_object (root);
}

/* The string member @name: TRUE with *value set (NULL when @nullable and
 * it is null or absent), or FALSE with @error set when it has another
 * type, or is missing and not @nullable. */
static gboolean
get_string_member (JsonObject  *object,
                   const char  *name,
                   gboolean     nullable,
                   const char **value,
                   GError     **error)
{
  JsonNode *node = json_object_get_member (object, name);

  *value = NULL;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (nullable)
        return TRUE;
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                   "“%s” is missing", name);
      return FALSE;
    }

  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                   "“%s” is not a string", name);
      return FALSE;
    }

  *value = json_node_get_string (node);
  return TRUE;
}

/* A time with its UTC offset, as "2026-12-03T10:00:00+01:00". */
static gboolean
get_time_member (JsonObject  *object,
                 const char  *name,
                 gboolean     nullable,
                 GDateTime  **value,
                 GError     **error)
{
  const char *text;

  *value = NULL;
  if (!get_string_member (object, name, nullable, &text, error))
    return FALSE;
  if (text == NULL)
    return TRUE;

  /* without a default zone, a time without an offset is refused */
  *value = g_date_time_new_from_iso8601 (text, NULL);
  if (*value == NULL)
    {
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                   "“%s” is not an ISO 8601 time with a UTC offset", name);
      return FALSE;
    }

  return TRUE;
}

static char *
problem_detail (GBytes *body)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *object = parse_object (body, parser, NULL);
  const char *detail = NULL;

  if (object != NULL && get_string_member (object, "detail", TRUE, &detail, NULL) && detail != NULL)
    return g_strdup (detail);

  return g_strdup ("no details");
}

/* Only a web address is put in a QR code for a phone to open. */
static gboolean
is_web_address (const char *text)
{
  g_autoptr(GUri) uri = text ? g_uri_parse (text, G_URI_FLAGS_NONE, NULL) : NULL;

  return uri != NULL && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0' &&
         (g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 ||
          g_ascii_strcasecmp (g_uri_get_scheme (uri), "http") == 0);
}

static WwRelayReceipt *
parse_receipt (GBytes  *body,
               GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(WwRelayReceipt) receipt = g_new0 (WwRelayReceipt, 1);
  JsonObject *object;
  const char *reference;
  const char *pin;
  const char *status;
  const char *status_url = NULL;

  object = parse_object (body, parser, error);
  if (object == NULL)
    return NULL;

  if (!get_string_member (object, "reference", FALSE, &reference, error) ||
      !get_string_member (object, "pin", FALSE, &pin, error) ||
      !get_string_member (object, "status", TRUE, &status, error))
    return NULL;

  /* The status page is a convenience: without a usable address the
   * receipt is still good, and the screen shows no QR code. */
  if (!get_string_member (object, "status_url", TRUE, &status_url, NULL) ||
      (status_url != NULL && !is_web_address (status_url)))
    {
      g_message ("The relay's status_url is not a web address; no QR code is shown");
      status_url = NULL;
    }

  receipt->reference = g_strdup (reference);
  receipt->pin = g_strdup (pin);
  receipt->status = g_strdup (status);
  receipt->status_url = g_strdup (status_url);

  return g_steal_pointer (&receipt);
}

static WwRelayStatus *
parse_status (GBytes      *body,
              const char  *reference,
              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(WwRelayStatus) status = g_new0 (WwRelayStatus, 1);
  JsonObject *object;
  JsonNode *answer_node;
  const char *text;

  object = parse_object (body, parser, error);
  if (object == NULL)
    return NULL;

  if (!get_string_member (object, "reference", FALSE, &text, error))
    return NULL;
  if (g_strcmp0 (text, reference) != 0)
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           "“reference” is not the one asked for");
      return NULL;
    }
  status->reference = g_strdup (text);

  if (!get_string_member (object, "status", FALSE, &text, error))
    return NULL;
  if (!booking_status_from_string (text, &status->status))
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           "“status” is none of received, delivered, accepted, proposed, "
                           "declined and undeliverable");
      return NULL;
    }

  answer_node = json_object_get_member (object, "answer");
  if (answer_node == NULL)
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           "“answer” is missing");
      return NULL;
    }

  if (JSON_NODE_HOLDS_OBJECT (answer_node))
    {
      JsonObject *answer = json_node_get_object (answer_node);

      status->has_answer = TRUE;
      if (!get_string_member (answer, "status", FALSE, &text, error))
        return NULL;
      if (!booking_status_from_string (text, &status->answer_status) ||
          (status->answer_status != WW_RELAY_BOOKING_ACCEPTED &&
           status->answer_status != WW_RELAY_BOOKING_PROPOSED &&
           status->answer_status != WW_RELAY_BOOKING_DECLINED))
        {
          g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                               "the answer's “status” is none of accepted, proposed and declined");
          return NULL;
        }

      /* a time to come for, or to consider; a reason, if any, for no */
      if (!get_time_member (answer, "time", status->answer_status == WW_RELAY_BOOKING_DECLINED,
                            &status->answer_time, error) ||
          !get_string_member (answer, "reason", TRUE, &text, error) ||
          !get_time_member (answer, "answered_at", FALSE, &status->answered_at, error))
        return NULL;

      if (text != NULL && g_utf8_strlen (text, -1) > MAX_REASON_CHARS)
        {
          g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                       "the answer's “reason” is longer than %d characters", MAX_REASON_CHARS);
          return NULL;
        }
      /* an empty reason is no reason */
      if (text != NULL)
        {
          char *reason = g_strstrip (g_strdup (text));

          if (*reason != '\0')
            status->answer_reason = reason;
          else
            g_free (reason);
        }
    }
  else if (!JSON_NODE_HOLDS_NULL (answer_node))
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           "“answer” is neither an object nor null");
      return NULL;
    }

  /* The status of an answered request is its answer; one without an
   * answer cannot be accepted, proposed or declined. */
  if (status->has_answer ? status->answer_status != status->status
                         : (status->status == WW_RELAY_BOOKING_ACCEPTED ||
                            status->status == WW_RELAY_BOOKING_PROPOSED ||
                            status->status == WW_RELAY_BOOKING_DECLINED))
    {
      g_set_error_literal (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_INVALID_DATA,
                           "“status” and “answer” do not agree");
      return NULL;
    }

  return g_steal_pointer (&status);
}

/* Sending -------------------------------------------------------------------- */

typedef enum {
  OUTCOME_NOTHING_DUE,
  OUTCOME_CONFIRMED,
  OUTCOME_RETRY,
  OUTCOME_REJECTED,
} Outcome;

typedef struct {
  WwOutbox       *outbox;
  char           *only_id;      /* send this request, or the next due */
  WwOutboxItem   *item;
  WwRelayReceipt *receipt;
  Outcome         outcome;
  char           *problem;      /* what the relay or the network said */
  GError         *record_error; /* the outcome could not be written */
  gint64          next_due_at;  /* nothing due: when the next one is */
} Send;

static void
send_free (Send *send)
{
  g_clear_object (&send->outbox);
  g_free (send->only_id);
  g_clear_pointer (&send->item, ww_outbox_item_free);
  g_clear_pointer (&send->receipt, ww_relay_receipt_free);
  g_free (send->problem);
  g_clear_error (&send->record_error);
  g_free (send);
}

static void run_send (WwRelayClient *self,
                      GTask         *task);
static void sender_after_send (WwRelayClient *self,
                               Send          *send);

/* Gives @task (one that was sent, or one that waited for the same
 * request) the outcome of @send. */
static void
return_outcome (GTask *task,
                Send  *send)
{
  if (send->record_error != NULL)
    {
      g_task_return_error (task, g_error_copy (send->record_error));
      return;
    }

  switch (send->outcome)
    {
    case OUTCOME_CONFIRMED:
      g_task_return_pointer (task, receipt_copy (send->receipt),
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

/* On the main context, once the send in flight is over. */
static void
finish_send (GTask *task)
{
  WwRelayClient *self = g_task_get_source_object (task);
  Send *send = g_task_get_task_data (task);
  const char *id = send->item ? send->item->id : NULL;
  GList *link;

  g_assert (self->current == task);
  self->current = NULL;

  if (send->outcome == OUTCOME_CONFIRMED && send->record_error == NULL)
    g_signal_emit (self, signals[SIGNAL_REQUEST_SENT], 0, id, send->receipt);

  /* whoever waited to send this same request has its outcome now */
  link = self->waiting.head;
  while (id != NULL && link != NULL)
    {
      GList *next = link->next;
      GTask *waiter = link->data;
      Send *waiting = g_task_get_task_data (waiter);

      if (waiting->outbox == send->outbox && g_strcmp0 (waiting->only_id, id) == 0)
        {
          g_queue_delete_link (&self->waiting, link);
          return_outcome (waiter, send);
          g_object_unref (waiter);
        }
      link = next;
    }

  g_object_ref (self);
  return_outcome (task, send);
  sender_after_send (self, send);
  g_object_unref (task);

  /* the next in line; one whose caller gave up is not sent at all */
  while (self->current == NULL && !g_queue_is_empty (&self->waiting))
    {
      GTask *next = g_queue_pop_head (&self->waiting);

      if (g_task_return_error_if_cancelled (next))
        g_object_unref (next);
      else
        run_send (self, next);
    }
  g_object_unref (self);
}

/* The outbox's writes, in a worker thread: they are synced to disk. */
static void
record_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Send *send = task_data;
  gboolean ok = TRUE;

  switch (send->outcome)
    {
    case OUTCOME_CONFIRMED:
      ok = ww_outbox_mark_confirmed (send->outbox, send->item->id, send->receipt->reference,
                                     &send->record_error);
      break;

    case OUTCOME_RETRY:
      ok = ww_outbox_mark_failed_attempt (send->outbox, send->item->id, g_get_real_time (),
                                          &send->record_error);
      break;

    case OUTCOME_REJECTED:
      ok = ww_outbox_mark_rejected (send->outbox, send->item->id, &send->record_error);
      break;

    case OUTCOME_NOTHING_DUE:
    default:
      break;
    }

  g_task_return_boolean (task, ok);
}

static void
recorded_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  finish_send (user_data);
}

static void
record (GTask   *task,
        Outcome  outcome,
        char    *problem)
{
  Send *send = g_task_get_task_data (task);
  g_autoptr(GTask) writing = NULL;

  send->outcome = outcome;
  g_free (send->problem);
  send->problem = problem;

  /* Not cancellable: what happened is written down even when nobody
   * waits for it any more. */
  writing = g_task_new (g_task_get_source_object (task), NULL, recorded_cb, task);
  g_task_set_task_data (writing, send, NULL);
  g_task_run_in_thread (writing, record_thread);
}

static void
sent_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  GTask *task = user_data;
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
      record (task, OUTCOME_RETRY,
              g_strdup_printf ("the relay address %s is not a valid URI", self->base_uri));
      return;
    }

  signature = ww_signature_sign (self->secret, msg_id, now, send->item->body,
                                 strlen (send->item->body), &error);
  if (signature == NULL)
    {
      record (task, OUTCOME_RETRY, g_strdup (error->message));
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

/* The earliest next attempt of a queued request, or G_MAXINT64. */
static gint64
find_next_due (WwOutbox *outbox)
{
  g_autoptr(GPtrArray) items = ww_outbox_list (outbox, NULL);
  gint64 next = G_MAXINT64;

  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      WwOutboxItem *item = g_ptr_array_index (items, i);

      if (item->state == WW_OUTBOX_STATE_QUEUED)
        next = MIN (next, item->next_attempt_at);
    }

  return next;
}

static void
next_due_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Send *send = task_data;

  if (send->only_id != NULL)
    {
      send->item = ww_outbox_get_queued (send->outbox, send->only_id);
    }
  else
    {
      send->item = ww_outbox_next_due (send->outbox, g_get_real_time ());
      if (send->item == NULL)
        send->next_due_at = find_next_due (send->outbox);
    }
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
      g_clear_pointer (&send->item, ww_outbox_item_free);
      send->outcome = OUTCOME_NOTHING_DUE;
      finish_send (task);
      return;
    }

  send_due (task);
}

static void
run_send (WwRelayClient *self,
          GTask         *task)
{
  g_autoptr(GTask) lookup = NULL;

  g_assert (self->current == NULL);
  self->current = task;

  /* looking the next one up reads SQLite: not on the caller's thread */
  lookup = g_task_new (self, NULL, next_due_cb, task);
  g_task_set_task_data (lookup, g_task_get_task_data (task), NULL);
  g_task_run_in_thread (lookup, next_due_thread);
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
  Send *send;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, start_send);
  send = g_new0 (Send, 1);
  send->outbox = g_object_ref (outbox);
  send->only_id = g_strdup (only_id);
  send->next_due_at = G_MAXINT64;
  g_task_set_task_data (task, send, (GDestroyNotify) send_free);

  if (self->current != NULL)
    g_queue_push_tail (&self->waiting, task);
  else
    run_send (self, task);
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

/* The background sender ---------------------------------------------------- */

static void sender_schedule (WwRelayClient *self,
                             gint64         wait_ms);

static void
sender_sent_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(WwRelayReceipt) receipt = NULL;
  g_autoptr(GError) error = NULL;

  /* what comes next was planned in finish_send() */
  receipt = ww_relay_client_send_next_finish (WW_RELAY_CLIENT (object), result, &error);
  if (error != NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      !g_error_matches (error, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_RETRY))
    g_message ("Sending a saved request: %s", error->message);
}

static gboolean
sender_tick_cb (gpointer user_data)
{
  WwRelayClient *self = user_data;

  self->sender_source = 0;
  self->sender_wait_ms = -1;

  /* a send in flight plans the next look when it is over */
  if (self->current == NULL)
    start_send (self, self->sender_outbox, NULL, self->sender_cancellable, sender_sent_cb, NULL);

  return G_SOURCE_REMOVE;
}

static void
sender_schedule (WwRelayClient *self,
                 gint64         wait_ms)
{
  g_clear_handle_id (&self->sender_source, g_source_remove);
  self->sender_wait_ms = CLAMP (wait_ms, 0, WW_RELAY_SENDER_MAX_WAIT_MS);
  self->sender_source = g_timeout_add ((guint) self->sender_wait_ms, sender_tick_cb, self);
  g_source_set_name_by_id (self->sender_source, "[wegwijzer] outbox sender");
}

/* After any send, the sender's or a visitor's: when to look again. */
static void
sender_after_send (WwRelayClient *self,
                   Send          *send)
{
  gint64 wait_ms = 0;

  if (self->sender_outbox == NULL || self->sender_outbox != send->outbox)
    return;

  if (send->record_error != NULL)
    {
      /* the outbox itself is failing; it is not looked at in a loop */
      wait_ms = WW_RELAY_SENDER_MAX_WAIT_MS;
    }
  else
    {
      switch (send->outcome)
        {
        case OUTCOME_CONFIRMED:
        case OUTCOME_REJECTED:
          /* the next one, if another is due */
          wait_ms = 0;
          break;

        case OUTCOME_RETRY:
          /* The backoff may have made it due at once again (full jitter
           * can draw 0); another request would most likely fail the
           * same way this instant. */
          wait_ms = WW_RELAY_SENDER_RETRY_WAIT_MS;
          break;

        case OUTCOME_NOTHING_DUE:
        default:
          if (send->only_id != NULL)
            wait_ms = 0;
          else if (send->next_due_at == G_MAXINT64)
            wait_ms = WW_RELAY_SENDER_MAX_WAIT_MS;
          else
            /* rounded up, and never 0: it was not due a moment ago */
            wait_ms = MAX (1, (send->next_due_at - g_get_real_time () + 999) / 1000);
          break;
        }
    }

  sender_schedule (self, wait_ms);
}

static void
sender_stop (WwRelayClient *self)
{
  g_clear_handle_id (&self->sender_source, g_source_remove);
  if (self->sender_cancellable != NULL)
    g_cancellable_cancel (self->sender_cancellable);
  g_clear_object (&self->sender_cancellable);
  g_clear_object (&self->sender_outbox);
  self->sender_wait_ms = -1;
}

void
ww_relay_client_start_sender (WwRelayClient *self,
                              WwOutbox      *outbox)
{
  g_return_if_fail (WW_IS_RELAY_CLIENT (self));
  g_return_if_fail (WW_IS_OUTBOX (outbox));

  sender_stop (self);
  self->sender_outbox = g_object_ref (outbox);
  self->sender_cancellable = g_cancellable_new ();

  /* whatever waited from before the start (or a crash) goes first */
  if (self->current == NULL)
    sender_schedule (self, 0);
}

void
ww_relay_client_stop_sender (WwRelayClient *self)
{
  g_return_if_fail (WW_IS_RELAY_CLIENT (self));

  sender_stop (self);
}

gint64
ww_relay_client_get_sender_wait_for_testing (WwRelayClient *self)
{
  g_return_val_if_fail (WW_IS_RELAY_CLIENT (self), -1);

  return self->sender_source != 0 ? self->sender_wait_ms : -1;
}

/* Looking a request up ------------------------------------------------------ */

typedef struct {
  char  *reference;
  guint  retry_after;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_free (lookup->reference);
  g_free (lookup);
}

/* Retry-After is a number of seconds, or an HTTP date. */
static guint
parse_retry_after (const char *text)
{
  g_autoptr(GDateTime) date = NULL;
  guint64 seconds;

  if (text == NULL)
    return 0;
  if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT, &seconds, NULL))
    return (guint) seconds;

  date = soup_date_time_new_from_http_string (text);
  if (date != NULL)
    {
      gint64 left = g_date_time_to_unix (date) - g_get_real_time () / G_USEC_PER_SEC;

      return (guint) CLAMP (left, 0, G_MAXUINT);
    }

  return 0;
}

static void
looked_up_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  Lookup *lookup = g_task_get_task_data (task);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (object), result);
  WwRelayStatus *status;
  guint code;

  body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, &error);
  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_UNREACHABLE,
                                 "The appointment service could not be reached: %s",
                                 error->message);
      return;
    }

  code = soup_message_get_status (msg);
  if (code == SOUP_STATUS_OK)
    {
      const char *type = soup_message_headers_get_content_type (soup_message_get_response_headers (msg),
                                                                NULL);

      if (g_strcmp0 (type, "application/json") != 0)
        {
          g_task_return_new_error (task, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_INVALID_ANSWER,
                                   "The appointment service answered with %s, not JSON",
                                   type ? type : "no content type");
          return;
        }

      status = parse_status (body, lookup->reference, &error);
      if (status == NULL)
        g_task_return_new_error (task, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_INVALID_ANSWER,
                                 "The appointment service's answer could not be read: %s",
                                 error->message);
      else
        g_task_return_pointer (task, status, (GDestroyNotify) ww_relay_status_free);
    }
  else if (code == SOUP_STATUS_NOT_FOUND &&
           g_strcmp0 (soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL),
                      "application/problem+json") == 0)
    {
      /* the relay's own answer, not a web server's at a wrong address */
      g_task_return_new_error (task, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_NOT_FOUND,
                               "No request has this reference code and PIN");
    }
  else if (code == STATUS_TOO_MANY_REQUESTS)
    {
      lookup->retry_after =
        parse_retry_after (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                         "Retry-After"));
      g_task_return_new_error (task, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_LOCKED,
                               "Looking this request up is locked for %u seconds after too many "
                               "wrong PINs", lookup->retry_after);
    }
  else if (SOUP_STATUS_IS_SERVER_ERROR (code))
    {
      g_autofree char *detail = problem_detail (body);

      g_task_return_new_error (task, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_UNREACHABLE,
                               "The appointment service is not available (%u: %s)", code, detail);
    }
  else
    {
      g_autofree char *detail = problem_detail (body);

      g_task_return_new_error (task, WW_RELAY_CLIENT_ERROR, WW_RELAY_CLIENT_ERROR_INVALID_ANSWER,
                               "The appointment service answered %u: %s", code, detail);
    }
}

void
ww_relay_client_lookup_async (WwRelayClient       *self,
                              const char          *reference,
                              const char          *pin,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *uri = NULL;
  SoupMessageHeaders *headers;
  Lookup *lookup;
  char *normal_pin;

  g_return_if_fail (WW_IS_RELAY_CLIENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ww_relay_client_lookup_async);
  lookup = g_new0 (Lookup, 1);
  lookup->reference = ww_relay_normalize_reference (reference);
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);

  if (lookup->reference == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "A reference code has %d characters of %s",
                               WW_RELAY_REFERENCE_LENGTH, WW_RELAY_REFERENCE_ALPHABET);
      return;
    }

  /* the reference is of a URL-safe alphabet: nothing to escape */
  uri = g_strdup_printf ("%s/v1/bookings/%s", self->base_uri, lookup->reference);
  msg = soup_message_new (SOUP_METHOD_GET, uri);
  if (msg == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "The relay address %s is not a valid URI", self->base_uri);
      return;
    }

  normal_pin = ww_relay_normalize_pin (pin);
  if (normal_pin == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "A PIN has %d digits", WW_RELAY_PIN_LENGTH);
      return;
    }

  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "X-Wegwijzer-Pin", normal_pin);
  soup_message_headers_replace (headers, "Accept", "application/json");
  wipe_string (normal_pin);

  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    looked_up_cb, g_steal_pointer (&task));
}

WwRelayStatus *
ww_relay_client_lookup_finish (WwRelayClient  *self,
                               GAsyncResult   *result,
                               guint          *retry_after_seconds,
                               GError        **error)
{
  Lookup *lookup;

  g_return_val_if_fail (WW_IS_RELAY_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ww_relay_client_lookup_async, NULL);

  lookup = g_task_get_task_data (G_TASK (result));
  if (retry_after_seconds != NULL)
    *retry_after_seconds = lookup->retry_after;

  return g_task_propagate_pointer (G_TASK (result), error);
}
