/* ww-relay-deadline.h: a time limit on reading each request
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define WW_RELAY_DEFAULT_REQUEST_DEADLINE 10

void ww_relay_deadline_attach (SoupServer *server,
                               guint       seconds);

G_END_DECLS
