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

/* Where a booking stands, as GET /v1/bookings/{reference} says it. */
#define WW_RELAY_STATUS_RECEIVED      "received"       /* stored; the provider has not had it yet */
#define WW_RELAY_STATUS_DELIVERED     "delivered"      /* its webhook took it, or its inbox showed it */
#define WW_RELAY_STATUS_ACCEPTED      "accepted"
#define WW_RELAY_STATUS_PROPOSED      "proposed"       /* another time was proposed */
#define WW_RELAY_STATUS_DECLINED      "declined"
#define WW_RELAY_STATUS_UNDELIVERABLE "undeliverable"  /* the webhook never took it in time */

/* A booking as it is read back. The answer members are NULL (and
 * answered_at 0) until the provider answers. */
typedef struct {
  char   *id;
  char   *reference;
  char   *pin_hash;
  char   *provider_id;
  char   *status;
  char   *payload;
  gint64  created_at;
  char   *answer_status;
  char   *answer_time;     /* ISO 8601 with its offset, for accepted and proposed */
  char   *answer_reason;   /* for declined */
  gint64  answered_at;
} WwRelayBooking;

void ww_relay_booking_free (WwRelayBooking *booking);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WwRelayBooking, ww_relay_booking_free)

/* A provider's ways in: a webhook (with the secret that signs both the
 * deliveries and its answers) and any number of web inboxes. */
typedef struct {
  char   *id;
  char   *webhook_url;     /* NULL: no webhook */
  char   *secret;          /* NULL without a webhook; never listed */
  guint   n_inboxes;
  gint64  created_at;
} WwRelayProvider;

void ww_relay_provider_free (WwRelayProvider *provider);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WwRelayProvider, ww_relay_provider_free)

/* A webhook delivery that is due. */
typedef struct {
  char   *booking_id;
  guint   attempts;        /* failed so far */
  gint64  created_at;      /* the booking's */
} WwRelayDelivery;

void ww_relay_delivery_free (WwRelayDelivery *delivery);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WwRelayDelivery, ww_relay_delivery_free)

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
  WwRelayBooking *(*lookup_booking) (WwRelayStore      *self,
                                      const char        *reference,
                                      const char        *id,
                                      GError           **error);
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
  gboolean (*set_provider_webhook) (WwRelayStore        *self,
                                    const char          *provider_id,
                                    const char          *url,
                                    const char          *secret,
                                    gint64               now,
                                    GError             **error);
  gboolean (*add_provider_inbox) (WwRelayStore          *self,
                                  const char            *provider_id,
                                  const char            *key_hash,
                                  gint64                 now,
                                  GError               **error);
  WwRelayProvider *(*lookup_provider) (WwRelayStore     *self,
                                       const char       *provider_id,
                                       GError          **error);
  char      *(*find_inbox)     (WwRelayStore            *self,
                                const char              *key_hash,
                                GError                 **error);
  GPtrArray *(*list_providers) (WwRelayStore            *self,
                                GError                 **error);
  GPtrArray *(*list_provider_bookings) (WwRelayStore    *self,
                                        const char      *provider_id,
                                        guint            limit,
                                        GError         **error);
  WwRelayBooking *(*answer_booking) (WwRelayStore       *self,
                                     const char         *id,
                                     const char         *provider_id,
                                     const char         *status,
                                     const char         *time,
                                     const char         *reason,
                                     gint64              now,
                                     GError            **error);
  gboolean (*mark_delivered)   (WwRelayStore            *self,
                                const char * const      *ids,
                                gint64                   now,
                                GError                 **error);
  GPtrArray *(*due_deliveries) (WwRelayStore            *self,
                                gint64                   now,
                                guint                    limit,
                                GError                 **error);
  gboolean (*remember_message) (WwRelayStore            *self,
                                const char              *device_id,
                                const char              *msg_id,
                                gint64                   now,
                                GError                 **error);
  gboolean (*delivery_failed)  (WwRelayStore            *self,
                                const char              *booking_id,
                                gint64                   next_attempt_at,
                                gboolean                 give_up,
                                GError                 **error);
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
WwRelayBooking *ww_relay_store_lookup_booking (WwRelayStore   *self,
                                               const char     *reference,
                                               GError        **error);
WwRelayBooking *ww_relay_store_lookup_booking_by_id (WwRelayStore   *self,
                                                     const char     *id,
                                                     GError        **error);
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

gboolean         ww_relay_store_set_provider_webhook (WwRelayStore   *self,
                                                      const char     *provider_id,
                                                      const char     *url,
                                                      char          **secret,
                                                      GError        **error);
gboolean         ww_relay_store_add_provider_inbox   (WwRelayStore   *self,
                                                      const char     *provider_id,
                                                      char          **key,
                                                      GError        **error);
WwRelayProvider *ww_relay_store_lookup_provider      (WwRelayStore   *self,
                                                      const char     *provider_id,
                                                      GError        **error);
char            *ww_relay_store_find_inbox           (WwRelayStore   *self,
                                                      const char     *key,
                                                      GError        **error);
GPtrArray       *ww_relay_store_list_providers       (WwRelayStore   *self,
                                                      GError        **error);
GPtrArray       *ww_relay_store_list_provider_bookings (WwRelayStore *self,
                                                        const char   *provider_id,
                                                        guint         limit,
                                                        GError      **error);
WwRelayBooking  *ww_relay_store_answer_booking       (WwRelayStore   *self,
                                                      const char     *id,
                                                      const char     *provider_id,
                                                      const char     *status,
                                                      const char     *time,
                                                      const char     *reason,
                                                      gint64          now,
                                                      GError        **error);
gboolean         ww_relay_store_mark_delivered       (WwRelayStore        *self,
                                                      const char * const  *ids,
                                                      gint64               now,
                                                      GError             **error);
GPtrArray       *ww_relay_store_due_deliveries       (WwRelayStore   *self,
                                                      gint64          now,
                                                      guint           limit,
                                                      GError        **error);
gboolean         ww_relay_store_delivery_failed      (WwRelayStore   *self,
                                                      const char     *booking_id,
                                                      gint64          next_attempt_at,
                                                      gboolean        give_up,
                                                      GError        **error);

gboolean         ww_relay_store_remember_message     (WwRelayStore   *self,
                                                      const char     *device_id,
                                                      const char     *msg_id,
                                                      gint64          now,
                                                      GError        **error);

/* SHA-256 of an inbox key, as the store keeps it: the key itself is
 * the provider's password and is kept nowhere. */
char            *ww_relay_hash_inbox_key             (const char     *key);

G_END_DECLS
