/* ww-error.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-error"

#include "config.h"

#include "ww-error.h"

G_DEFINE_QUARK (ww-plugin-error-quark, ww_plugin_error)
G_DEFINE_QUARK (ww-directory-error-quark, ww_directory_error)
G_DEFINE_QUARK (ww-hsds-error-quark, ww_hsds_error)
G_DEFINE_QUARK (ww-signature-error-quark, ww_signature_error)
G_DEFINE_QUARK (ww-booking-error-quark, ww_booking_error)
G_DEFINE_QUARK (ww-outbox-error-quark, ww_outbox_error)
