/* ww-booking-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "wegwijzer.h"

G_BEGIN_DECLS

#define WW_TYPE_BOOKING_PAGE (ww_booking_page_get_type ())
G_DECLARE_FINAL_TYPE (WwBookingPage, ww_booking_page, WW, BOOKING_PAGE, GtkWidget)

/* Where the requests go; without them the page cannot send. */
void              ww_booking_page_set_relay    (WwBookingPage  *self,
                                                WwOutbox       *outbox,
                                                WwRelayClient  *client);
/* Clears whatever was there and shows an empty form for @provider,
 * built from the booking form of @plugin, its theme. */
void              ww_booking_page_start        (WwBookingPage  *self,
                                                WwProvider     *provider,
                                                WwPlugin       *plugin);
/* Empties every entry and forgets the request: for "Done", the start
 * page and a quick exit. */
void              ww_booking_page_clear        (WwBookingPage  *self);
/* "form", "check" or "sent" */
const char       *ww_booking_page_get_step     (WwBookingPage  *self);
/* the request being made, or %NULL; for tests */
WwBookingRequest *ww_booking_page_get_request  (WwBookingPage  *self);
gboolean          ww_booking_page_get_sending  (WwBookingPage  *self);

G_END_DECLS
