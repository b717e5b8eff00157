/* ww-signature.h: Standard Webhooks signatures (HMAC-SHA256, whsec_ secrets)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How far a signed timestamp may lie from the receiver's clock, in seconds,
 * unless the caller says otherwise. */
#define WW_SIGNATURE_DEFAULT_TOLERANCE 300

void      ww_signature_fill_random (guint8       *buffer,
                                    gsize         length);
char     *ww_signature_new_secret  (void);
gboolean  ww_signature_check_secret (const char  *secret,
                                     GError     **error);
char     *ww_signature_sign        (const char   *secret,
                                    const char   *msg_id,
                                    gint64        timestamp,
                                    const void   *body,
                                    gsize         length,
                                    GError      **error);
gboolean  ww_signature_verify      (const char   *secret,
                                    const char   *msg_id,
                                    const char   *timestamp,
                                    const char   *signature_header,
                                    const void   *body,
                                    gsize         length,
                                    gint64        now,
                                    guint         tolerance,
                                    GError      **error);

G_END_DECLS
