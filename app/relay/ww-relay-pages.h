/* ww-relay-pages.h: the relay's HTML pages, for phones and providers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "ww-relay-store.h"

G_BEGIN_DECLS

/* "nl" or "en": from ?lang=, else the first of Accept-Language that the
 * pages speak, else Dutch. */
const char *ww_relay_pages_pick_language (const char *query_language,
                                          const char *accept_language);

/* The status page of the QR code: asks for the reference and the PIN.
 * @error_text, when not %NULL, says why the last try did not work. */
char       *ww_relay_page_status_form    (const char           *language,
                                          const char           *reference,
                                          const char           *error_text);
/* what a visitor sees with the right PIN */
char       *ww_relay_page_status         (const char           *language,
                                          const WwRelayBooking *booking);
/* The message of a status page that went wrong; @kind is "not-found",
 * "locked" or "invalid". */
const char *ww_relay_page_status_error   (const char           *language,
                                          const char           *kind);

/* A provider's inbox: its requests, newest first, each with a form to
 * accept, propose another time or decline. @notice, when not %NULL, is
 * shown on top. */
char       *ww_relay_page_inbox          (const char           *language,
                                          const char           *key,
                                          const char           *provider_id,
                                          GPtrArray            *bookings,
                                          const char           *notice);
/* A page with one message, for 404s and refused forms. */
char       *ww_relay_page_message        (const char           *language,
                                          const char           *title,
                                          const char           *text);
/* the inbox's texts for a refused answer */
const char *ww_relay_page_inbox_error    (const char           *language,
                                          const char           *kind);

/* Shared by the inbox form and the API: "2026-12-03T10:00" (the
 * browser's datetime-local, Amsterdam time) or full ISO 8601 with an
 * offset, to ISO 8601 in Amsterdam time; %NULL when it is neither. */
char       *ww_relay_normalize_time      (const char           *text);

G_END_DECLS
