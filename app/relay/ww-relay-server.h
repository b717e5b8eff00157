/* ww-relay-server.h: the relay's HTTP routes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "ww-relay-store.h"

G_BEGIN_DECLS

#define WW_RELAY_DEFAULT_MAX_BODY_BYTES 65536
#define WW_RELAY_DEFAULT_CLOCK_SKEW 300

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

G_END_DECLS
