/* ww-relay-client.h: sends the outbox's requests to wegwijzer-relay, and
 * asks it how a request is doing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ww-outbox.h"

G_BEGIN_DECLS

/* The reference code the relay gives: 8 characters of this alphabet,
 * easy to read aloud (no 0/O, 1/I/L); and the PIN, 6 digits. */
#define WW_RELAY_REFERENCE_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#define WW_RELAY_REFERENCE_LENGTH 8
#define WW_RELAY_PIN_LENGTH 6

/* The background sender waits at most this long before it looks at the
 * outbox again, whatever the next request's due time says (the wall
 * clock may have jumped), and at least this long after a failure. */
#define WW_RELAY_SENDER_MAX_WAIT_MS   (60 * 1000)
#define WW_RELAY_SENDER_RETRY_WAIT_MS (1 * 1000)

/* What the relay answered for an accepted request. The PIN is shown to
 * the visitor once and kept nowhere on the kiosk. */
typedef struct {
  char *reference;
  char *pin;
  char *status;
  char *status_url;  /* an http(s) address where a phone can check the
                      * request, or NULL when the relay gave none */
} WwRelayReceipt;

void ww_relay_receipt_free (WwRelayReceipt *receipt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WwRelayReceipt, ww_relay_receipt_free)

typedef enum {
  WW_RELAY_BOOKING_RECEIVED,       /* the relay has it; the provider not yet */
  WW_RELAY_BOOKING_DELIVERED,      /* the provider has it */
  WW_RELAY_BOOKING_ACCEPTED,
  WW_RELAY_BOOKING_PROPOSED,       /* the provider proposes another time */
  WW_RELAY_BOOKING_DECLINED,
  WW_RELAY_BOOKING_UNDELIVERABLE,  /* the provider could not be reached */
} WwRelayBookingStatus;

/* "received", "delivered", …: the relay's words */
const char *ww_relay_booking_status_to_string (WwRelayBookingStatus status);

/* How a request is doing, as GET /v1/bookings/{reference} tells it. */
typedef struct {
  char                 *reference;
  WwRelayBookingStatus  status;
  gboolean              has_answer;
  /* with an answer: ACCEPTED, PROPOSED or DECLINED, as status is */
  WwRelayBookingStatus  answer_status;
  GDateTime            *answer_time;    /* ACCEPTED and PROPOSED: the time */
  char                 *answer_reason;  /* DECLINED: the provider's words, or NULL */
  GDateTime            *answered_at;
} WwRelayStatus;

void ww_relay_status_free (WwRelayStatus *status);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WwRelayStatus, ww_relay_status_free)

/* A reference code as a person may type it (lower case, spaces or
 * dashes between the groups) in the relay's form, or NULL when it is
 * not one. */
char *ww_relay_normalize_reference (const char *text);
/* The 6 digits of a PIN typed with or without spaces, or NULL. */
char *ww_relay_normalize_pin       (const char *text);

#define WW_RELAY_CLIENT_ERROR (ww_relay_client_error_quark ())
typedef enum {
  /* not sent this time; the outbox tries again later */
  WW_RELAY_CLIENT_ERROR_RETRY,
  /* refused for good; the request was erased from the outbox */
  WW_RELAY_CLIENT_ERROR_REJECTED,
  /* a look-up: no request has this reference and PIN (the relay does
   * not say which of the two is wrong) */
  WW_RELAY_CLIENT_ERROR_NOT_FOUND,
  /* a look-up: locked for a while after too many wrong PINs */
  WW_RELAY_CLIENT_ERROR_LOCKED,
  /* a look-up: the relay cannot be reached, or is failing */
  WW_RELAY_CLIENT_ERROR_UNREACHABLE,
  /* a look-up: the relay answered something this program cannot read */
  WW_RELAY_CLIENT_ERROR_INVALID_ANSWER,
} WwRelayClientError;

GQuark ww_relay_client_error_quark (void);

#define WW_TYPE_RELAY_CLIENT (ww_relay_client_get_type ())
G_DECLARE_FINAL_TYPE (WwRelayClient, ww_relay_client, WW, RELAY_CLIENT, GObject)

WwRelayClient  *ww_relay_client_new          (const char          *base_uri,
                                              const char          *device_id,
                                              const char          *secret);
/* Sends the outbox's next due request, if there is one, and records the
 * outcome in the outbox: confirmed (personal fields erased), a failed
 * attempt (retried later with backoff), or rejected (erased). One send
 * is in flight at a time; the others wait their turn. */
void            ww_relay_client_send_next_async  (WwRelayClient       *self,
                                                  WwOutbox            *outbox,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
/* The same for the request @id alone, due or not: the one the visitor at
 * the screen just made. If @id is being sent already (by the background
 * sender), this shares that send's outcome instead of sending it twice. */
void            ww_relay_client_send_async       (WwRelayClient       *self,
                                                  WwOutbox            *outbox,
                                                  const char          *id,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
WwRelayReceipt *ww_relay_client_send_finish      (WwRelayClient       *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);
/* Returns the receipt, or NULL: with @error set, or without it when
 * nothing was due (or @id was not waiting any more). */
WwRelayReceipt *ww_relay_client_send_next_finish (WwRelayClient       *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* Sends the due requests of @outbox in the background: at once, and
 * then whenever the next one is due (at most WW_RELAY_SENDER_MAX_WAIT_MS
 * apart). Each confirmed request is announced by ::request-sent. */
void            ww_relay_client_start_sender     (WwRelayClient       *self,
                                                  WwOutbox            *outbox);
void            ww_relay_client_stop_sender      (WwRelayClient       *self);
/* How long the background sender waits before it looks again, in ms;
 * -1 while a send is in flight or when it is stopped. For tests. */
gint64          ww_relay_client_get_sender_wait_for_testing (WwRelayClient *self);

/* Asks the relay how the request @reference is doing (a code as typed:
 * see ww_relay_normalize_reference()), with its @pin. */
void            ww_relay_client_lookup_async     (WwRelayClient       *self,
                                                  const char          *reference,
                                                  const char          *pin,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
/* Returns the status, or NULL with @error set: a WW_RELAY_CLIENT_ERROR
 * NOT_FOUND, LOCKED (with @retry_after_seconds the relay's Retry-After,
 * 0 when it gave none), UNREACHABLE or INVALID_ANSWER, or
 * G_IO_ERROR_INVALID_ARGUMENT for a code or PIN that cannot be one. */
WwRelayStatus  *ww_relay_client_lookup_finish    (WwRelayClient       *self,
                                                  GAsyncResult        *result,
                                                  guint               *retry_after_seconds,
                                                  GError             **error);

G_END_DECLS
