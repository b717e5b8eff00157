/* ww-relay-client.h: sends the outbox's requests to wegwijzer-relay
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ww-outbox.h"

G_BEGIN_DECLS

/* What the relay answered for an accepted request. The PIN is shown to
 * the visitor once and kept nowhere on the kiosk. */
typedef struct {
  char *reference;
  char *pin;
  char *status;
} WwRelayReceipt;

void ww_relay_receipt_free (WwRelayReceipt *receipt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WwRelayReceipt, ww_relay_receipt_free)

#define WW_RELAY_CLIENT_ERROR (ww_relay_client_error_quark ())
typedef enum {
  /* not sent this time; the outbox tries again later */
  WW_RELAY_CLIENT_ERROR_RETRY,
  /* refused for good; the request was erased from the outbox */
  WW_RELAY_CLIENT_ERROR_REJECTED,
} WwRelayClientError;

GQuark ww_relay_client_error_quark (void);

#define WW_TYPE_RELAY_CLIENT (ww_relay_client_get_type ())
G_DECLARE_FINAL_TYPE (WwRelayClient, ww_relay_client, WW, RELAY_CLIENT, GObject)

WwRelayClient  *ww_relay_client_new          (const char          *base_uri,
                                              const char          *device_id,
                                              const char          *secret);
/* Sends the outbox's next due request, if there is one, and records the
 * outcome in the outbox: confirmed (personal fields erased), a failed
 * attempt (retried later with backoff), or rejected (erased). */
void            ww_relay_client_send_next_async  (WwRelayClient       *self,
                                                  WwOutbox            *outbox,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
/* The same for the request @id alone, due or not: the one the visitor at
 * the screen just made. */
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

G_END_DECLS
