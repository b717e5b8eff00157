/* ww-outbox.h: booking requests kept on disk until the relay has them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "ww-booking.h"

G_BEGIN_DECLS

#define WW_OUTBOX_SCHEMA_VERSION 1

/* Retries: the n-th failed attempt waits a random time in [0, b] with
 * b = BASE × 2^(n-1), at most MAX ("full jitter"), so that kiosks that
 * lost the relay together do not all come back at the same moment. */
#define WW_OUTBOX_BACKOFF_BASE_US (5 * G_USEC_PER_SEC)
#define WW_OUTBOX_BACKOFF_MAX_US  ((gint64) 3600 * G_USEC_PER_SEC)

typedef enum {
  WW_OUTBOX_STATE_QUEUED,
  WW_OUTBOX_STATE_SENDING,
  WW_OUTBOX_STATE_CONFIRMED,
  WW_OUTBOX_STATE_FAILED,
} WwOutboxState;

const char *ww_outbox_state_to_string (WwOutboxState state);

/* One row. Times are wall-clock microseconds (g_get_real_time()), since
 * they must mean the same thing after a restart. */
typedef struct {
  char          *id;
  char          *idempotency_key;
  char          *body;             /* the JSON; NULL once confirmed, and
                                    * always NULL from ww_outbox_list() */
  WwOutboxState  state;
  guint          attempts;
  gint64         next_attempt_at;
  char          *reference;        /* NULL until the relay confirms */
  gint64         created_at;
} WwOutboxItem;

void ww_outbox_item_free (WwOutboxItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WwOutboxItem, ww_outbox_item_free)

/* A number in [0, 1] that scales the backoff; tests make it fixed. */
typedef double (*WwOutboxRandomFunc) (gpointer user_data);

#define WW_TYPE_OUTBOX (ww_outbox_get_type ())
G_DECLARE_FINAL_TYPE (WwOutbox, ww_outbox, WW, OUTBOX, GObject)

WwOutbox     *ww_outbox_open                  (const char        *path,
                                               GError           **error);
const char   *ww_outbox_get_path              (WwOutbox          *self);
gboolean      ww_outbox_enqueue               (WwOutbox          *self,
                                               WwBookingRequest  *request,
                                               GError           **error);
WwOutboxItem *ww_outbox_next_due              (WwOutbox          *self,
                                               gint64             now_us);
WwOutboxItem *ww_outbox_get_queued            (WwOutbox          *self,
                                               const char        *id);
gboolean      ww_outbox_mark_failed_attempt   (WwOutbox          *self,
                                               const char        *id,
                                               gint64             now_us,
                                               GError           **error);
gboolean      ww_outbox_mark_confirmed        (WwOutbox          *self,
                                               const char        *id,
                                               const char        *reference,
                                               GError           **error);
gboolean      ww_outbox_mark_rejected         (WwOutbox          *self,
                                               const char        *id,
                                               GError           **error);
GPtrArray    *ww_outbox_list                  (WwOutbox          *self,
                                               GError           **error);

gint64        ww_outbox_compute_backoff       (guint              attempts,
                                               double             fraction);
void          ww_outbox_set_random_for_testing (WwOutbox          *self,
                                                WwOutboxRandomFunc func,
                                                gpointer           user_data);

G_END_DECLS
