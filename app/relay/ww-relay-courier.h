/* ww-relay-courier.h: delivers bookings to providers' webhooks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "ww-relay-store.h"

G_BEGIN_DECLS

/* The n-th failed attempt waits between half and all of
 * min (base × 2^(n-1), max): exponential, with jitter so that deliveries
 * that failed together do not come back together. A booking is tried
 * until give-up-after seconds have passed since it was made. */
#define WW_RELAY_COURIER_DEFAULT_BACKOFF_BASE   30
#define WW_RELAY_COURIER_DEFAULT_BACKOFF_MAX    3600
#define WW_RELAY_COURIER_DEFAULT_GIVE_UP_AFTER  (72 * 3600)
#define WW_RELAY_COURIER_DEFAULT_TIMEOUT        30

typedef struct {
  guint backoff_base;
  guint backoff_max;
  guint give_up_after;
  guint timeout;
} WwRelayCourierConfig;

typedef gint64 (*WwRelayCourierClockFunc) (gpointer user_data);

#define WW_TYPE_RELAY_COURIER (ww_relay_courier_get_type ())
G_DECLARE_FINAL_TYPE (WwRelayCourier, ww_relay_courier, WW, RELAY_COURIER, GObject)

WwRelayCourier *ww_relay_courier_new        (WwRelayStore               *store,
                                             const char                 *public_url,
                                             const WwRelayCourierConfig *config);
void            ww_relay_courier_set_clock  (WwRelayCourier             *self,
                                             WwRelayCourierClockFunc     clock,
                                             gpointer                    user_data);
/* Looks for due deliveries now, and then every second. */
void            ww_relay_courier_start      (WwRelayCourier             *self);
void            ww_relay_courier_stop       (WwRelayCourier             *self);
/* A booking was just stored: look without waiting for the next tick. */
void            ww_relay_courier_kick       (WwRelayCourier             *self);
/* the delay after @attempts failed attempts, for @fraction in [0, 1] */
gint64          ww_relay_courier_compute_backoff (const WwRelayCourierConfig *config,
                                                  guint                       attempts,
                                                  double                      fraction);
/* Builds the body of a delivery: Standard Webhooks' {type, timestamp, data}. */
char           *ww_relay_courier_build_payload   (const WwRelayBooking       *booking,
                                                  const char                 *public_url);

G_END_DECLS
