/* ww-relay-store.h: what the relay keeps, behind an interface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define WW_RELAY_STORE_ERROR (ww_relay_store_error_quark ())
typedef enum {
  WW_RELAY_STORE_ERROR_NOT_FOUND,
  WW_RELAY_STORE_ERROR_KEY_REUSED,
  WW_RELAY_STORE_ERROR_REPLAYED,
  WW_RELAY_STORE_ERROR_REFERENCE_TAKEN,
  WW_RELAY_STORE_ERROR_TOO_NEW,
  WW_RELAY_STORE_ERROR_FAILED,
} WwRelayStoreError;

GQuark ww_relay_store_error_quark (void);

/* Idempotency keys are kept at least this long (Stripe keeps them 24 h). */
#define WW_RELAY_IDEMPOTENCY_SECONDS (24 * 60 * 60)

/* A booking as it is written. The PIN itself is never stored. */
typedef struct {
  const char *id;
  const char *reference;
  const char *pin_hash;
  const char *provider_id;
  const char *status;
  const char *payload;
  gint64      created_at;
} WwRelayNewBooking;

/* A device as the admin tool lists it; the secret is never in it. */
typedef struct {
  char   *id;
  char   *name;
  gint64  created_at;
  gint64  revoked_at;   /* 0 while it is in use */
} WwRelayDevice;

void ww_relay_device_free (WwRelayDevice *device);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WwRelayDevice, ww_relay_device_free)

/* Who sent a request and under which keys, for authentication replay
 * protection and idempotency. */
typedef struct {
  const char *device_id;
  const char *msg_id;
  const char *idempotency_key;
  const char *request_hash;
  gint64      now;
} WwRelayRequestKeys;

#define WW_TYPE_RELAY_STORE (ww_relay_store_get_type ())
G_DECLARE_INTERFACE (WwRelayStore, ww_relay_store, WW, RELAY_STORE, GObject)

struct _WwRelayStoreInterface
{
  GTypeInterface parent_iface;

  gboolean (*insert_device)  (WwRelayStore              *self,
                              const char                *id,
                              const char                *name,
                              const char                *secret,
                              GError                   **error);
  gboolean (*revoke_device)  (WwRelayStore              *self,
                              const char                *id,
                              gint64                     now,
                              GError                   **error);
  gboolean (*lookup_device)  (WwRelayStore              *self,
                              const char                *id,
                              char                     **secret,
                              gboolean                  *revoked,
                              GError                   **error);
  gboolean (*message_seen)   (WwRelayStore              *self,
                              const char                *device_id,
                              const char                *msg_id,
                              gboolean                  *seen,
                              GError                   **error);
  gboolean (*create_booking) (WwRelayStore              *self,
                              const WwRelayRequestKeys  *keys,
                              const WwRelayNewBooking   *booking,
                              guint                      status_code,
                              const char                *response_body,
                              guint                     *answered_status,
                              char                     **answered_body,
                              GError                   **error);
  gboolean (*lookup_booking) (WwRelayStore              *self,
                              const char                *reference,
                              char                     **status,
                              char                     **pin_hash,
                              GError                   **error);
  gint64   (*count_bookings) (WwRelayStore              *self,
                              GError                   **error);
  GPtrArray *(*list_devices) (WwRelayStore              *self,
                              GError                   **error);
  gboolean (*pin_locked_until) (WwRelayStore            *self,
                                const char              *key,
                                gint64                   now,
                                guint                    window,
                                guint                    limit,
                                gint64                  *locked_until,
                                GError                 **error);
  gboolean (*add_pin_failure) (WwRelayStore             *self,
                               const char * const       *keys,
                               gint64                    now,
                               guint                     window,
                               GError                  **error);
};

gboolean ww_relay_store_add_device     (WwRelayStore              *self,
                                        const char                *name,
                                        char                     **id,
                                        char                     **secret,
                                        GError                   **error);
gboolean ww_relay_store_revoke_device  (WwRelayStore              *self,
                                        const char                *id,
                                        GError                   **error);
gboolean ww_relay_store_lookup_device  (WwRelayStore              *self,
                                        const char                *id,
                                        char                     **secret,
                                        gboolean                  *revoked,
                                        GError                   **error);
gboolean ww_relay_store_message_seen   (WwRelayStore              *self,
                                        const char                *device_id,
                                        const char                *msg_id,
                                        gboolean                  *seen,
                                        GError                   **error);
gboolean ww_relay_store_create_booking (WwRelayStore              *self,
                                        const WwRelayRequestKeys  *keys,
                                        const WwRelayNewBooking   *booking,
                                        guint                      status_code,
                                        const char                *response_body,
                                        guint                     *answered_status,
                                        char                     **answered_body,
                                        GError                   **error);
gboolean ww_relay_store_lookup_booking (WwRelayStore              *self,
                                        const char                *reference,
                                        char                     **status,
                                        char                     **pin_hash,
                                        GError                   **error);
gint64   ww_relay_store_count_bookings (WwRelayStore              *self,
                                        GError                   **error);
GPtrArray *ww_relay_store_list_devices (WwRelayStore              *self,
                                        GError                   **error);
gboolean ww_relay_store_pin_locked_until (WwRelayStore            *self,
                                          const char              *key,
                                          gint64                   now,
                                          guint                    window,
                                          guint                    limit,
                                          gint64                  *locked_until,
                                          GError                 **error);
gboolean ww_relay_store_add_pin_failure (WwRelayStore             *self,
                                         const char * const       *keys,
                                         gint64                    now,
                                         guint                     window,
                                         GError                  **error);

G_END_DECLS
