/* ww-relay-server.h: the relay's HTTP routes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "wegwijzer.h"
#include "ww-relay-courier.h"
#include "ww-relay-deadline.h"
#include "ww-relay-store.h"

G_BEGIN_DECLS

#define WW_RELAY_DEFAULT_MAX_BODY_BYTES 65536
#define WW_RELAY_DEFAULT_CLOCK_SKEW 300


/* Wrong PINs on GET /v1/bookings/{reference}: at most this many in a
 * sliding window, per reference and per client address; past that the
 * reference (or the client) is locked until the window has moved on. */
#define WW_RELAY_PIN_WINDOW_SECONDS (15 * 60)
#define WW_RELAY_PIN_LIMIT_PER_REFERENCE 5
#define WW_RELAY_PIN_LIMIT_PER_CLIENT 20

/* Seconds since 1970; tests move it forward. */
typedef gint64 (*WwRelayClockFunc) (gpointer user_data);

#define WW_TYPE_RELAY_SERVER (ww_relay_server_get_type ())
G_DECLARE_FINAL_TYPE (WwRelayServer, ww_relay_server, WW, RELAY_SERVER, GObject)

WwRelayServer *ww_relay_server_new             (WwRelayStore   *store,
                                                gsize           max_body_bytes,
                                                guint           clock_skew);
gboolean       ww_relay_server_listen          (WwRelayServer  *self,
                                                const char     *address,
                                                guint           port,
                                                GError        **error);
guint          ww_relay_server_get_port        (WwRelayServer  *self);
WwRelayStore  *ww_relay_server_get_store       (WwRelayServer  *self);
void           ww_relay_server_set_clock       (WwRelayServer    *self,
                                                WwRelayClockFunc  clock,
                                                gpointer          user_data);
void           ww_relay_server_set_public_url  (WwRelayServer    *self,
                                                const char       *url);
const char    *ww_relay_server_get_public_url  (WwRelayServer    *self);
void           ww_relay_server_set_directory   (WwRelayServer    *self,
                                                WwDirectory      *directory);
void           ww_relay_server_start_delivery  (WwRelayServer              *self,
                                                const WwRelayCourierConfig *config);
void           ww_relay_server_set_request_deadline (WwRelayServer *self,
                                                     guint          seconds);
void           ww_relay_server_set_tls_certificate  (WwRelayServer   *self,
                                                     GTlsCertificate *certificate);

G_END_DECLS
