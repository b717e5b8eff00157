/* ww-relay-store.c: what the relay keeps, behind an interface
 *
 * The routes speak only to this interface, so that a store shared by
 * several relay instances (PostgreSQL) can take the place of the
 * embedded SQLite one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-relay-store"

#include "config.h"

#include "wegwijzer.h"
#include "ww-relay-store.h"

G_DEFINE_QUARK (ww-relay-store-error-quark, ww_relay_store_error)

G_DEFINE_INTERFACE (WwRelayStore, ww_relay_store, G_TYPE_OBJECT)

static void
ww_relay_store_default_init (WwRelayStoreInterface *iface)
{
}

/**
 * ww_relay_store_add_device:
 * @id: (out): the new device's id, which it sends in X-Wegwijzer-Device
 * @secret: (out): its signing secret, "whsec_…"; shown once, to provision
 *   the device
 */
gboolean
ww_relay_store_add_device (WwRelayStore  *self,
                           const char    *name,
                           char         **id,
                           char         **secret,
                           GError       **error)
{
  g_autofree char *new_id = g_uuid_string_random ();
  g_autofree char *new_secret = ww_signature_new_secret ();

  g_return_val_if_fail (WW_IS_RELAY_STORE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (!WW_RELAY_STORE_GET_IFACE (self)->insert_device (self, new_id, name, new_secret, error))
    return FALSE;

  if (id != NULL)
    *id = g_steal_pointer (&new_id);
  if (secret != NULL)
    *secret = g_steal_pointer (&new_secret);
  return TRUE;
}

gboolean
ww_relay_store_revoke_device (WwRelayStore  *self,
                              const char    *id,
                              GError       **error)
{
  g_return_val_if_fail (WW_IS_RELAY_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  return WW_RELAY_STORE_GET_IFACE (self)->revoke_device (self, id,
                                                         g_get_real_time () / G_USEC_PER_SEC,
                                                         error);
}

/**
 * ww_relay_store_lookup_device:
 *
 * Fails with %WW_RELAY_STORE_ERROR_NOT_FOUND for an unknown device; a
 * revoked one is found, with @revoked set, so the caller can say why it
 * refuses.
 */
gboolean
ww_relay_store_lookup_device (WwRelayStore  *self,
                              const char    *id,
                              char         **secret,
                              gboolean      *revoked,
                              GError       **error)
{
  g_return_val_if_fail (WW_IS_RELAY_STORE (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (secret != NULL && revoked != NULL, FALSE);

  return WW_RELAY_STORE_GET_IFACE (self)->lookup_device (self, id, secret, revoked, error);
}

gboolean
ww_relay_store_message_seen (WwRelayStore  *self,
                             const char    *device_id,
                             const char    *msg_id,
                             gboolean      *seen,
                             GError       **error)
{
  g_return_val_if_fail (WW_IS_RELAY_STORE (self), FALSE);
  g_return_val_if_fail (device_id != NULL && msg_id != NULL && seen != NULL, FALSE);

  return WW_RELAY_STORE_GET_IFACE (self)->message_seen (self, device_id, msg_id, seen, error);
}

/**
 * ww_relay_store_create_booking:
 * @status_code: the answer to keep under the idempotency key
 * @response_body: likewise
 * @answered_status: (out): the answer to give: @status_code, or the one
 *   kept from the first request with the same key and body
 * @answered_body: (out): likewise
 *
 * In one durable transaction: marks the message id seen, and either
 * writes @booking with the answer under the idempotency key, or finds
 * the answer already kept under that key. Nothing is written when it
 * fails: %WW_RELAY_STORE_ERROR_KEY_REUSED (the key came with another
 * body), %WW_RELAY_STORE_ERROR_REPLAYED (the message id was used),
 * %WW_RELAY_STORE_ERROR_REFERENCE_TAKEN (draw another reference).
 */
gboolean
ww_relay_store_create_booking (WwRelayStore              *self,
                               const WwRelayRequestKeys  *keys,
                               const WwRelayNewBooking   *booking,
                               guint                      status_code,
                               const char                *response_body,
                               guint                     *answered_status,
                               char                     **answered_body,
                               GError                   **error)
{
  g_return_val_if_fail (WW_IS_RELAY_STORE (self), FALSE);
  g_return_val_if_fail (keys != NULL && booking != NULL && response_body != NULL, FALSE);
  g_return_val_if_fail (answered_status != NULL && answered_body != NULL, FALSE);

  return WW_RELAY_STORE_GET_IFACE (self)->create_booking (self, keys, booking,
                                                          status_code, response_body,
                                                          answered_status, answered_body,
                                                          error);
}

/**
 * ww_relay_store_lookup_booking:
 * @reference: the booking's reference, in capitals
 *
 * Returns: (transfer full): the booking, or %NULL with
 *   %WW_RELAY_STORE_ERROR_NOT_FOUND or another error
 */
WwRelayBooking *
ww_relay_store_lookup_booking (WwRelayStore  *self,
                               const char    *reference,
                               GError       **error)
{
  g_return_val_if_fail (WW_IS_RELAY_STORE (self), NULL);
  g_return_val_if_fail (reference != NULL, NULL);

  return WW_RELAY_STORE_GET_IFACE (self)->lookup_booking (self, reference, NULL, error);
}

WwRelayBooking *
ww_relay_store_lookup_booking_by_id (WwRelayStore  *self,
                                     const char    *id,
                                     GError       **error)
{
  g_return_val_if_fail (WW_IS_RELAY_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return WW_RELAY_STORE_GET_IFACE (self)->lookup_booking (self, NULL, id, error);
}

/* Returns -1 on error. */
gint64
ww_relay_store_count_bookings (WwRelayStore  *self,
                               GError       **error)
{
  g_return_val_if_fail (WW_IS_RELAY_STORE (self), -1);

  return WW_RELAY_STORE_GET_IFACE (self)->count_bookings (self, error);
}

void
ww_relay_device_free (WwRelayDevice *device)
{
  if (device == NULL)
    return;
  g_free (device->id);
  g_free (device->name);
  g_free (device);
}

/**
 * ww_relay_store_list_devices:
 *
 * Returns: (transfer container) (element-type WwRelayDevice): every
 *   device, revoked ones too, oldest first; %NULL on error
 */
GPtrArray *
ww_relay_store_list_devices (WwRelayStore  *self,
                             GError       **error)
{
  g_return_val_if_fail (WW_IS_RELAY_STORE (self), NULL);

  return WW_RELAY_STORE_GET_IFACE (self)->list_devices (self, error);
}

/**
 * ww_relay_store_pin_locked_until:
 * @key: what the failures are counted under, such as a reference
 * @window: how far back failures count, in seconds
 * @limit: how many failures within @window lock @key
 * @locked_until: (out): when @key is free again, or 0 when it is not
 *   locked at @now
 *
 * The window slides: @key is locked while @limit failures lie within
 * the last @window seconds, so it frees up when the oldest of those
 * leaves the window.
 */
gboolean
ww_relay_store_pin_locked_until (WwRelayStore  *self,
                                 const char    *key,
                                 gint64         now,
                                 guint          window,
                                 guint          limit,
                                 gint64        *locked_until,
                                 GError       **error)
{
  g_return_val_if_fail (WW_IS_RELAY_STORE (self), FALSE);
  g_return_val_if_fail (key != NULL && locked_until != NULL, FALSE);
  g_return_val_if_fail (window > 0 && limit > 0, FALSE);

  return WW_RELAY_STORE_GET_IFACE (self)->pin_locked_until (self, key, now, window, limit,
                                                            locked_until, error);
}

/**
 * ww_relay_store_add_pin_failure:
 * @keys: (array zero-terminated=1): each key the failure counts under
 * @window: failures older than this many seconds are forgotten
 *
 * Durable, so that a restart does not reset the count.
 */
gboolean
ww_relay_store_add_pin_failure (WwRelayStore        *self,
                                const char * const  *keys,
                                gint64               now,
                                guint                window,
                                GError             **error)
{
  g_return_val_if_fail (WW_IS_RELAY_STORE (self), FALSE);
  g_return_val_if_fail (keys != NULL, FALSE);

  return WW_RELAY_STORE_GET_IFACE (self)->add_pin_failure (self, keys, now, window, error);
}

void
ww_relay_booking_free (WwRelayBooking *booking)
{
  if (booking == NULL)
    return;
  g_free (booking->id);
  g_free (booking->reference);
  g_free (booking->pin_hash);
  g_free (booking->provider_id);
  g_free (booking->status);
  g_free (booking->payload);
  g_free (booking->answer_status);
  g_free (booking->answer_time);
  g_free (booking->answer_reason);
  g_free (booking);
}

void
ww_relay_provider_free (WwRelayProvider *provider)
{
  if (provider == NULL)
    return;
  g_free (provider->id);
  g_free (provider->webhook_url);
  g_free (provider->secret);
  g_free (provider);
}

void
ww_relay_delivery_free (WwRelayDelivery *delivery)
{
  if (delivery == NULL)
    return;
  g_free (delivery->booking_id);
  g_free (delivery);
}

char *
ww_relay_hash_inbox_key (const char *key)
{
  g_return_val_if_fail (key != NULL, NULL);

  /* The key is 32 random bytes: a plain hash cannot be reversed by
   * guessing, so no salt or slow hash is needed. */
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
}

/**
 * ww_relay_store_set_provider_webhook:
 * @url: (nullable): where bookings for @provider_id are delivered, or
 *   %NULL to stop webhook deliveries
 * @secret: (out) (optional): a new signing secret, "whsec_…", that signs
 *   the deliveries and that the provider signs its answers with; shown
 *   once
 *
 * Setting a webhook queues every booking the provider has not had yet
 * for delivery.
 */
gboolean
ww_relay_store_set_provider_webhook (WwRelayStore  *self,
                                     const char    *provider_id,
                                     const char    *url,
                                     char         **secret,
                                     GError       **error)
{
  g_autofree char *new_secret = url != NULL ? ww_signature_new_secret () : NULL;

  g_return_val_if_fail (WW_IS_RELAY_STORE (self), FALSE);
  g_return_val_if_fail (provider_id != NULL, FALSE);

  if (!WW_RELAY_STORE_GET_IFACE (self)->set_provider_webhook (self, provider_id, url, new_secret,
                                                              g_get_real_time () / G_USEC_PER_SEC,
                                                              error))
    return FALSE;
  if (secret != NULL)
    *secret = g_steal_pointer (&new_secret);
  return TRUE;
}

/**
 * ww_relay_store_add_provider_inbox:
 * @key: (out): the inbox's secret key, for the link the provider signs
 *   in with; only its hash is kept
 */
gboolean
ww_relay_store_add_provider_inbox (WwRelayStore  *self,
                                   const char    *provider_id,
                                   char         **key,
                                   GError       **error)
{
  guint8 bytes[32];
  g_autofree char *new_key = NULL;
  g_autofree char *hash = NULL;

  g_return_val_if_fail (WW_IS_RELAY_STORE (self), FALSE);
  g_return_val_if_fail (provider_id != NULL && key != NULL, FALSE);

  /* base64url without padding: safe in a path, and in a mail client */
  ww_signature_fill_random (bytes, sizeof bytes);
  new_key = g_base64_encode (bytes, sizeof bytes);
  g_strdelimit (new_key, "+", '-');
  g_strdelimit (new_key, "/", '_');
  g_strdelimit (new_key, "=", '\0');
  hash = ww_relay_hash_inbox_key (new_key);

  if (!WW_RELAY_STORE_GET_IFACE (self)->add_provider_inbox (self, provider_id, hash,
                                                            g_get_real_time () / G_USEC_PER_SEC,
                                                            error))
    return FALSE;
  *key = g_steal_pointer (&new_key);
  return TRUE;
}

/**
 * ww_relay_store_lookup_provider:
 *
 * Returns: (transfer full): the provider, or %NULL with
 *   %WW_RELAY_STORE_ERROR_NOT_FOUND when nothing was set up for it
 */
WwRelayProvider *
ww_relay_store_lookup_provider (WwRelayStore  *self,
                                const char    *provider_id,
                                GError       **error)
{
  g_return_val_if_fail (WW_IS_RELAY_STORE (self), NULL);
  g_return_val_if_fail (provider_id != NULL, NULL);

  return WW_RELAY_STORE_GET_IFACE (self)->lookup_provider (self, provider_id, error);
}

/**
 * ww_relay_store_find_inbox:
 * @key: the key from the inbox link
 *
 * Returns: (transfer full): the id of the provider whose inbox @key
 *   opens, or %NULL with %WW_RELAY_STORE_ERROR_NOT_FOUND
 */
char *
ww_relay_store_find_inbox (WwRelayStore  *self,
                           const char    *key,
                           GError       **error)
{
  g_autofree char *hash = NULL;

  g_return_val_if_fail (WW_IS_RELAY_STORE (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  hash = ww_relay_hash_inbox_key (key);
  return WW_RELAY_STORE_GET_IFACE (self)->find_inbox (self, hash, error);
}

/**
 * ww_relay_store_list_providers:
 *
 * Returns: (transfer container) (element-type WwRelayProvider): every
 *   provider with a webhook or an inbox, without secrets
 */
GPtrArray *
ww_relay_store_list_providers (WwRelayStore  *self,
                               GError       **error)
{
  g_return_val_if_fail (WW_IS_RELAY_STORE (self), NULL);

  return WW_RELAY_STORE_GET_IFACE (self)->list_providers (self, error);
}

/**
 * ww_relay_store_list_provider_bookings:
 * @limit: at most this many, newest first
 *
 * Returns: (transfer container) (element-type WwRelayBooking)
 */
GPtrArray *
ww_relay_store_list_provider_bookings (WwRelayStore  *self,
                                       const char    *provider_id,
                                       guint          limit,
                                       GError       **error)
{
  g_return_val_if_fail (WW_IS_RELAY_STORE (self), NULL);
  g_return_val_if_fail (provider_id != NULL, NULL);

  return WW_RELAY_STORE_GET_IFACE (self)->list_provider_bookings (self, provider_id, limit, error);
}

/**
 * ww_relay_store_answer_booking:
 * @provider_id: who answers: only the booking's own provider may
 * @status: %WW_RELAY_STATUS_ACCEPTED, %WW_RELAY_STATUS_PROPOSED or
 *   %WW_RELAY_STATUS_DECLINED
 * @time: (nullable): for accepted and proposed, ISO 8601
 * @reason: (nullable): for declined
 *
 * A later answer replaces an earlier one. Durable before it returns.
 *
 * Returns: (transfer full): the booking as it now stands, or %NULL with
 *   %WW_RELAY_STORE_ERROR_NOT_FOUND (no such booking for this provider)
 */
WwRelayBooking *
ww_relay_store_answer_booking (WwRelayStore  *self,
                               const char    *id,
                               const char    *provider_id,
                               const char    *status,
                               const char    *time,
                               const char    *reason,
                               gint64         now,
                               GError       **error)
{
  g_return_val_if_fail (WW_IS_RELAY_STORE (self), NULL);
  g_return_val_if_fail (id != NULL && provider_id != NULL && status != NULL, NULL);

  return WW_RELAY_STORE_GET_IFACE (self)->answer_booking (self, id, provider_id, status,
                                                          time, reason, now, error);
}

/**
 * ww_relay_store_mark_delivered:
 * @ids: (array zero-terminated=1): bookings the provider now has
 *
 * Received bookings become delivered; their webhook deliveries end.
 * Answered ones keep their status.
 */
gboolean
ww_relay_store_mark_delivered (WwRelayStore        *self,
                               const char * const  *ids,
                               gint64               now,
                               GError             **error)
{
  g_return_val_if_fail (WW_IS_RELAY_STORE (self), FALSE);
  g_return_val_if_fail (ids != NULL, FALSE);

  if (ids[0] == NULL)
    return TRUE;
  return WW_RELAY_STORE_GET_IFACE (self)->mark_delivered (self, ids, now, error);
}

/**
 * ww_relay_store_due_deliveries:
 *
 * Returns: (transfer container) (element-type WwRelayDelivery): webhook
 *   deliveries whose next attempt is at or before @now, oldest first
 */
GPtrArray *
ww_relay_store_due_deliveries (WwRelayStore  *self,
                               gint64         now,
                               guint          limit,
                               GError       **error)
{
  g_return_val_if_fail (WW_IS_RELAY_STORE (self), NULL);

  return WW_RELAY_STORE_GET_IFACE (self)->due_deliveries (self, now, limit, error);
}

/**
 * ww_relay_store_delivery_failed:
 * @next_attempt_at: when to try again
 * @give_up: %TRUE to stop: the booking becomes undeliverable
 */
gboolean
ww_relay_store_delivery_failed (WwRelayStore  *self,
                                const char    *booking_id,
                                gint64         next_attempt_at,
                                gboolean       give_up,
                                GError       **error)
{
  g_return_val_if_fail (WW_IS_RELAY_STORE (self), FALSE);
  g_return_val_if_fail (booking_id != NULL, FALSE);

  return WW_RELAY_STORE_GET_IFACE (self)->delivery_failed (self, booking_id, next_attempt_at,
                                                           give_up, error);
}

/**
 * ww_relay_store_remember_message:
 *
 * Marks a signed message's id used, durably, for requests that are not
 * bookings (whose transaction does it): fails with
 * %WW_RELAY_STORE_ERROR_REPLAYED when it was used before.
 */
gboolean
ww_relay_store_remember_message (WwRelayStore  *self,
                                 const char    *device_id,
                                 const char    *msg_id,
                                 gint64         now,
                                 GError       **error)
{
  g_return_val_if_fail (WW_IS_RELAY_STORE (self), FALSE);
  g_return_val_if_fail (device_id != NULL && msg_id != NULL, FALSE);

  return WW_RELAY_STORE_GET_IFACE (self)->remember_message (self, device_id, msg_id, now, error);
}
