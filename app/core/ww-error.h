/* ww-error.h: the error domains of libwegwijzer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define WW_PLUGIN_ERROR (ww_plugin_error_quark ())
typedef enum {
  WW_PLUGIN_ERROR_INVALID_KEY_FILE,
  WW_PLUGIN_ERROR_MODULE_MISSING,
  WW_PLUGIN_ERROR_SYMBOL_MISSING,
  WW_PLUGIN_ERROR_ABI_MISMATCH,
  WW_PLUGIN_ERROR_WRONG_TYPE,
  WW_PLUGIN_ERROR_DUPLICATE_ID,
  WW_PLUGIN_ERROR_INVALID_DATA,
} WwPluginError;

#define WW_DIRECTORY_ERROR (ww_directory_error_quark ())
typedef enum {
  WW_DIRECTORY_ERROR_CORRUPT,
  WW_DIRECTORY_ERROR_READ_ONLY,
  WW_DIRECTORY_ERROR_TOO_NEW,
  WW_DIRECTORY_ERROR_NOT_FOUND,
  WW_DIRECTORY_ERROR_FAILED,
} WwDirectoryError;

#define WW_HSDS_ERROR (ww_hsds_error_quark ())
typedef enum {
  WW_HSDS_ERROR_SYNTAX,
  WW_HSDS_ERROR_INVALID_RECORD,
  WW_HSDS_ERROR_DUPLICATE_ID,
} WwHsdsError;

#define WW_BOOKING_ERROR (ww_booking_error_quark ())
typedef enum {
  WW_BOOKING_ERROR_MISSING_PROVIDER,
  WW_BOOKING_ERROR_UNKNOWN_FIELD,
  WW_BOOKING_ERROR_MISSING_FIELD,
  WW_BOOKING_ERROR_INVALID_CHOICE,
  WW_BOOKING_ERROR_TOO_LONG,
  WW_BOOKING_ERROR_INVALID_TEXT,
  WW_BOOKING_ERROR_MISSING_CONTACT,
  WW_BOOKING_ERROR_UNEXPECTED_CONTACT,
  WW_BOOKING_ERROR_INVALID_PHONE,
  WW_BOOKING_ERROR_INVALID_EMAIL,
  WW_BOOKING_ERROR_INVALID_NAME,
  WW_BOOKING_ERROR_NO_CONSENT,
} WwBookingError;

#define WW_OUTBOX_ERROR (ww_outbox_error_quark ())
typedef enum {
  WW_OUTBOX_ERROR_CORRUPT,
  WW_OUTBOX_ERROR_TOO_NEW,
  WW_OUTBOX_ERROR_NOT_FOUND,
  WW_OUTBOX_ERROR_FAILED,
} WwOutboxError;

#define WW_SIGNATURE_ERROR (ww_signature_error_quark ())
typedef enum {
  WW_SIGNATURE_ERROR_MISSING,
  WW_SIGNATURE_ERROR_MALFORMED,
  WW_SIGNATURE_ERROR_MISMATCH,
  WW_SIGNATURE_ERROR_EXPIRED,
} WwSignatureError;

GQuark ww_plugin_error_quark    (void);
GQuark ww_directory_error_quark (void);
GQuark ww_hsds_error_quark      (void);
GQuark ww_signature_error_quark (void);
GQuark ww_booking_error_quark   (void);
GQuark ww_outbox_error_quark    (void);

G_END_DECLS
