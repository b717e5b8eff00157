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

gboolean
ww_relay_store_lookup_booking (WwRelayStore  *self,
                               const char    *reference,
                               char         **status,
                               char         **pin_hash,
                               GError       **error)
{
  g_return_val_if_fail (WW_IS_RELAY_STORE (self), FALSE);
  g_return_val_if_fail (reference != NULL && status != NULL && pin_hash != NULL, FALSE);

  return WW_RELAY_STORE_GET_IFACE (self)->lookup_booking (self, reference, status, pin_hash, error);
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
