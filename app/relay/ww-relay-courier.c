/* ww-relay-courier.c: delivers bookings to providers' webhooks
 *
 * Each booking for a provider with a webhook has a row in the store's
 * delivery queue from the moment it is stored, so that a restart loses
 * none. The courier POSTs it, signed the Standard Webhooks way with the
 * provider's secret and with the booking id as webhook-id (the same on
 * every attempt, so the provider can drop a duplicate), until the
 * provider answers 2xx or the time to give up has come.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-relay-courier"

#include "config.h"

#include <json-glib/json-glib.h>

#include "wegwijzer.h"
#include "ww-relay-courier.h"

/* deliveries under way at once */
#define MAX_IN_FLIGHT 8

struct _WwRelayCourier
{
  GObject                  parent_instance;

  WwRelayStore            *store;
  SoupSession             *session;
  char                    *public_url;
  WwRelayCourierConfig     config;
  WwRelayCourierClockFunc  clock;
  gpointer                 clock_data;

  GHashTable              *in_flight;   /* booking id → itself */
  guint                    tick_id;
  guint                    kick_id;
  GCancellable            *cancellable;
};

G_DEFINE_FINAL_TYPE (WwRelayCourier, ww_relay_courier, G_TYPE_OBJECT)

typedef struct {
  WwRelayCourier *courier;
  char           *booking_id;
  char           *provider_id;
  guint           attempts;
  gint64          created_at;
  SoupMessage    *msg;
} Attempt;

static void
attempt_free (Attempt *attempt)
{
  g_clear_object (&attempt->courier);
  g_free (attempt->booking_id);
  g_free (attempt->provider_id);
  g_clear_object (&attempt->msg);
  g_free (attempt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Attempt, attempt_free)

static gint64
get_now (WwRelayCourier *self)
{
  if (self->clock != NULL)
    return self->clock (self->clock_data);
  return g_get_real_time () / G_USEC_PER_SEC;
}

gint64
ww_relay_courier_compute_backoff (const WwRelayCourierConfig *config,
                                  guint                       attempts,
                                  double                      fraction)
{
  gint64 ceiling = config->backoff_base;

  for (guint i = 1; i < attempts && ceiling < config->backoff_max; i++)
    ceiling *= 2;
  ceiling = MIN (ceiling, (gint64) config->backoff_max);

  fraction = CLAMP (fraction, 0.0, 1.0);
  return MAX (1, ceiling / 2 + (gint64) (fraction * (ceiling - ceiling / 2)));
}

static char *
format_unix_time (gint64 seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (seconds);

  return time != NULL ? g_date_time_format_iso8601 (time) : g_strdup ("");
}

char *
ww_relay_courier_build_payload (const WwRelayBooking *booking,
                                const char           *public_url)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *created = format_unix_time (booking->created_at);
  g_autofree char *answer_url = g_strdup_printf ("%s/v1/provider/bookings/%s/answer",
                                                 public_url, booking->id);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "booking.created");
  /* the event's time, not the attempt's: every attempt sends the same
   * body */
  json_builder_set_member_name (builder, "timestamp");
  json_builder_add_string_value (builder, created);
  json_builder_set_member_name (builder, "data");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, booking->id);
  json_builder_set_member_name (builder, "reference");
  json_builder_add_string_value (builder, booking->reference);
  json_builder_set_member_name (builder, "provider_id");
  json_builder_add_string_value (builder, booking->provider_id);
  json_builder_set_member_name (builder, "created_at");
  json_builder_add_string_value (builder, created);
  json_builder_set_member_name (builder, "request");
  if (json_parser_load_from_data (parser, booking->payload, -1, NULL))
    json_builder_add_value (builder, json_node_copy (json_parser_get_root (parser)));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "answer_url");
  json_builder_add_string_value (builder, answer_url);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static void deliver_due (WwRelayCourier *self);

static void
record_failure (WwRelayCourier *self,
                Attempt        *attempt,
                const char     *why)
{
  g_autoptr(GError) error = NULL;
  gint64 now = get_now (self);
  gboolean give_up = now >= attempt->created_at + (gint64) self->config.give_up_after;
  gint64 delay = ww_relay_courier_compute_backoff (&self->config, attempt->attempts + 1,
                                                   g_random_double ());

  /* ids only: the booking's contents never reach the log */
  if (give_up)
    g_warning ("Giving up delivering booking %s to provider %s after %u attempts: %s",
               attempt->booking_id, attempt->provider_id, attempt->attempts + 1, why);
  else
    g_debug ("Delivering booking %s to provider %s failed (%s); next attempt in %" G_GINT64_FORMAT " s",
             attempt->booking_id, attempt->provider_id, why, delay);

  if (!ww_relay_store_delivery_failed (self->store, attempt->booking_id, now + delay, give_up, &error))
    g_warning ("Cannot record a failed delivery: %s", error->message);
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(Attempt) attempt = user_data;
  WwRelayCourier *self = attempt->courier;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  guint status;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_hash_table_remove (self->in_flight, attempt->booking_id);

  status = soup_message_get_status (attempt->msg);
  if (error != NULL)
    record_failure (self, attempt, error->message);
  else if (SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      const char *ids[] = { attempt->booking_id, NULL };

      if (!ww_relay_store_mark_delivered (self->store, ids, get_now (self), &error))
        g_warning ("Cannot record a delivery: %s", error->message);
    }
  else
    {
      g_autofree char *why = g_strdup_printf ("HTTP %u", status);

      record_failure (self, attempt, why);
    }

  deliver_due (self);
}

static void
start_attempt (WwRelayCourier        *self,
               const WwRelayDelivery *delivery)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WwRelayBooking) booking = NULL;
  g_autoptr(WwRelayProvider) provider = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *timestamp_text = NULL;
  SoupMessageHeaders *headers;
  Attempt *attempt;
  gint64 now = get_now (self);
  gsize length;

  if (!(booking = ww_relay_store_lookup_booking_by_id (self->store, delivery->booking_id, &error)) ||
      !(provider = ww_relay_store_lookup_provider (self->store, booking->provider_id, &error)))
    {
      g_warning ("Cannot deliver booking %s: %s", delivery->booking_id, error->message);
      return;
    }
  if (provider->webhook_url == NULL || provider->secret == NULL)
    return;

  attempt = g_new0 (Attempt, 1);
  attempt->courier = g_object_ref (self);
  attempt->booking_id = g_strdup (booking->id);
  attempt->provider_id = g_strdup (booking->provider_id);
  attempt->attempts = delivery->attempts;
  attempt->created_at = delivery->created_at;
  attempt->msg = soup_message_new (SOUP_METHOD_POST, provider->webhook_url);
  if (attempt->msg == NULL)
    {
      record_failure (self, attempt, "the webhook URL is not valid");
      attempt_free (attempt);
      return;
    }

  payload = ww_relay_courier_build_payload (booking, self->public_url);
  signature = ww_signature_sign (provider->secret, booking->id, now,
                                 payload, strlen (payload), &error);
  if (signature == NULL)
    {
      record_failure (self, attempt, error->message);
      attempt_free (attempt);
      return;
    }

  timestamp_text = g_strdup_printf ("%" G_GINT64_FORMAT, now);
  headers = soup_message_get_request_headers (attempt->msg);
  soup_message_headers_replace (headers, "webhook-id", booking->id);
  soup_message_headers_replace (headers, "webhook-timestamp", timestamp_text);
  soup_message_headers_replace (headers, "webhook-signature", signature);
  length = strlen (payload);
  body = g_bytes_new_take (g_steal_pointer (&payload), length);
  soup_message_set_request_body_from_bytes (attempt->msg, "application/json", body);

  g_hash_table_add (self->in_flight, g_strdup (booking->id));
  soup_session_send_and_read_async (self->session, attempt->msg, G_PRIORITY_DEFAULT,
                                    self->cancellable, sent_cb, attempt);
}

static void
deliver_due (WwRelayCourier *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) due = NULL;
  guint room = MAX_IN_FLIGHT - MIN (MAX_IN_FLIGHT, g_hash_table_size (self->in_flight));

  if (room == 0 || g_cancellable_is_cancelled (self->cancellable))
    return;

  /* those under way are still in the queue: ask for enough to skip them */
  due = ww_relay_store_due_deliveries (self->store, get_now (self),
                                       room + g_hash_table_size (self->in_flight), &error);
  if (due == NULL)
    {
      g_warning ("Cannot read the delivery queue: %s", error->message);
      return;
    }

  for (guint i = 0; i < due->len && room > 0; i++)
    {
      WwRelayDelivery *delivery = g_ptr_array_index (due, i);

      if (g_hash_table_contains (self->in_flight, delivery->booking_id))
        continue;
      start_attempt (self, delivery);
      room--;
    }
}

static gboolean
tick_cb (gpointer user_data)
{
  deliver_due (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
kick_cb (gpointer user_data)
{
  WwRelayCourier *self = user_data;

  self->kick_id = 0;
  deliver_due (self);
  return G_SOURCE_REMOVE;
}

static void
ww_relay_courier_dispose (GObject *object)
{
  WwRelayCourier *self = (WwRelayCourier *)object;

  ww_relay_courier_stop (self);
  g_clear_object (&self->session);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (ww_relay_courier_parent_class)->dispose (object);
}

static void
ww_relay_courier_finalize (GObject *object)
{
  WwRelayCourier *self = (WwRelayCourier *)object;

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->in_flight, g_hash_table_unref);
  g_free (self->public_url);

  G_OBJECT_CLASS (ww_relay_courier_parent_class)->finalize (object);
}

static void
ww_relay_courier_class_init (WwRelayCourierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ww_relay_courier_dispose;
  object_class->finalize = ww_relay_courier_finalize;
}

static void
ww_relay_courier_init (WwRelayCourier *self)
{
  self->in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
}

WwRelayCourier *
ww_relay_courier_new (WwRelayStore               *store,
                      const char                 *public_url,
                      const WwRelayCourierConfig *config)
{
  WwRelayCourier *self;

  g_return_val_if_fail (WW_IS_RELAY_STORE (store), NULL);
  g_return_val_if_fail (public_url != NULL && config != NULL, NULL);

  self = g_object_new (WW_TYPE_RELAY_COURIER, NULL);
  self->store = g_object_ref (store);
  self->public_url = g_strdup (public_url);
  self->config = *config;
  /* a provider's own server: no proxy guessing, and a bound on how long
   * one attempt may take */
  self->session = soup_session_new_with_options ("proxy-resolver", NULL,
                                                 "timeout", config->timeout,
                                                 "max-conns-per-host", 2,
                                                 "user-agent", "wegwijzer-relay/" PACKAGE_VERSION,
                                                 NULL);
  return self;
}

void
ww_relay_courier_set_clock (WwRelayCourier          *self,
                            WwRelayCourierClockFunc  clock,
                            gpointer                 user_data)
{
  g_return_if_fail (WW_IS_RELAY_COURIER (self));

  self->clock = clock;
  self->clock_data = user_data;
}

void
ww_relay_courier_start (WwRelayCourier *self)
{
  g_return_if_fail (WW_IS_RELAY_COURIER (self));

  if (self->tick_id != 0 || g_cancellable_is_cancelled (self->cancellable))
    return;
  self->tick_id = g_timeout_add_seconds (1, tick_cb, self);
  ww_relay_courier_kick (self);
}

/* Stops for good: attempts under way are cancelled, and the clock is
 * never asked again (a test's clock may be gone after this). */
void
ww_relay_courier_stop (WwRelayCourier *self)
{
  g_return_if_fail (WW_IS_RELAY_COURIER (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_handle_id (&self->kick_id, g_source_remove);
  self->clock = NULL;
  self->clock_data = NULL;
}

void
ww_relay_courier_kick (WwRelayCourier *self)
{
  g_return_if_fail (WW_IS_RELAY_COURIER (self));

  if (self->tick_id != 0 && self->kick_id == 0)
    self->kick_id = g_idle_add (kick_cb, self);
}
