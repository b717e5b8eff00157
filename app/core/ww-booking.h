/* ww-booking.h: a visitor's request for an appointment, before it is sent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "ww-plugin.h"

G_BEGIN_DECLS

/* How the provider may reach the visitor. NONE: the visitor checks back
 * with the reference code, so nothing to reach them by is stored. */
typedef enum {
  WW_CONTACT_METHOD_NONE,
  WW_CONTACT_METHOD_PHONE,
  WW_CONTACT_METHOD_EMAIL,
  WW_CONTACT_METHOD_SMS,
  WW_CONTACT_METHOD_VIA_CASEWORKER,
} WwContactMethod;

typedef enum {
  WW_DAY_PART_NONE      = 0,
  WW_DAY_PART_MORNING   = 1 << 0,
  WW_DAY_PART_AFTERNOON = 1 << 1,
  WW_DAY_PART_EVENING   = 1 << 2,
} WwDayParts;

/* Limits that hold whatever a plugin says: a chosen name is a name, and a
 * form value is never a file. */
#define WW_BOOKING_NAME_MAX_CHARS    80
#define WW_BOOKING_CONTACT_MAX_CHARS 200
#define WW_BOOKING_FIELD_MAX_CHARS   10000

const char      *ww_contact_method_to_string   (WwContactMethod  method);
gboolean         ww_contact_method_from_string (const char      *string,
                                                WwContactMethod *method);

/* One line of what the provider will see: "What is it about?" → "PrEP". */
typedef struct {
  char *label;
  char *value;
} WwBookingPreviewLine;

void ww_booking_preview_line_free (WwBookingPreviewLine *line);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WwBookingPreviewLine, ww_booking_preview_line_free)

#define WW_TYPE_BOOKING_REQUEST (ww_booking_request_get_type ())
G_DECLARE_FINAL_TYPE (WwBookingRequest, ww_booking_request, WW, BOOKING_REQUEST, GObject)

WwBookingRequest *ww_booking_request_new                 (const char       *provider_id);
const char       *ww_booking_request_get_id              (WwBookingRequest *self);
const char       *ww_booking_request_get_idempotency_key (WwBookingRequest *self);
const char       *ww_booking_request_get_provider_id     (WwBookingRequest *self);

/* A NULL or empty value removes the field. Multi-choice values are
 * choice ids separated by commas ("print,online"). */
void              ww_booking_request_set_field           (WwBookingRequest *self,
                                                          const char       *field_id,
                                                          const char       *value);
const char       *ww_booking_request_get_field           (WwBookingRequest *self,
                                                          const char       *field_id);
/* the field ids that have a value, sorted; free with g_free() only */
const char      **ww_booking_request_get_field_ids       (WwBookingRequest *self);

void              ww_booking_request_set_contact         (WwBookingRequest *self,
                                                          WwContactMethod   method,
                                                          const char       *value);
WwContactMethod   ww_booking_request_get_contact_method  (WwBookingRequest *self);
const char       *ww_booking_request_get_contact_value   (WwBookingRequest *self);

void              ww_booking_request_set_name            (WwBookingRequest *self,
                                                          const char       *name);
const char       *ww_booking_request_get_name            (WwBookingRequest *self);
void              ww_booking_request_set_language        (WwBookingRequest *self,
                                                          const char       *language);
const char       *ww_booking_request_get_language        (WwBookingRequest *self);
void              ww_booking_request_set_consent         (WwBookingRequest *self,
                                                          gboolean          consent);
gboolean          ww_booking_request_get_consent         (WwBookingRequest *self);
void              ww_booking_request_set_day_parts       (WwBookingRequest *self,
                                                          WwDayParts        day_parts);
WwDayParts        ww_booking_request_get_day_parts       (WwBookingRequest *self);

gboolean          ww_booking_request_validate            (WwBookingRequest *self,
                                                          WwPlugin         *plugin,
                                                          GError          **error);
JsonNode         *ww_booking_request_to_json             (WwBookingRequest *self);
char             *ww_booking_request_to_json_string      (WwBookingRequest *self);
GPtrArray        *ww_booking_request_dup_preview         (WwBookingRequest *self,
                                                          WwPlugin         *plugin);
void              ww_booking_request_set_preview         (WwBookingRequest *self,
                                                          GPtrArray        *lines);

G_END_DECLS
