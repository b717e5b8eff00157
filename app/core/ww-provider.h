/* ww-provider.h: one listing in the directory
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Days as a bit mask, Monday first, as HSDS "byday" lists them. */
typedef enum {
  WW_DAY_MONDAY    = 1 << 0,
  WW_DAY_TUESDAY   = 1 << 1,
  WW_DAY_WEDNESDAY = 1 << 2,
  WW_DAY_THURSDAY  = 1 << 3,
  WW_DAY_FRIDAY    = 1 << 4,
  WW_DAY_SATURDAY  = 1 << 5,
  WW_DAY_SUNDAY    = 1 << 6,
} WwDays;

/* One weekly opening: on @days from @opens to @closes (minutes after
 * midnight, local time in Europe/Amsterdam; @closes > @opens). */
typedef struct {
  char   *id;
  guint   days;
  guint16 opens;
  guint16 closes;
} WwSchedule;

#define WW_TYPE_SCHEDULE (ww_schedule_get_type ())
GType       ww_schedule_get_type (void) G_GNUC_CONST;
WwSchedule *ww_schedule_new      (const char       *id,
                                  guint             days,
                                  guint16           opens,
                                  guint16           closes);
WwSchedule *ww_schedule_copy     (const WwSchedule *self);
void        ww_schedule_free     (WwSchedule       *self);
/* "MO,TU,WE" ⇄ mask; returns 0 on a bad list */
guint       ww_days_from_string  (const char       *byday);
char       *ww_days_to_string    (guint             days);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WwSchedule, ww_schedule_free)

/* The string fields a provider has, in HSDS terms. */
typedef enum {
  WW_PROVIDER_ID,
  WW_PROVIDER_THEME,
  WW_PROVIDER_CATEGORY,
  WW_PROVIDER_NAME,
  WW_PROVIDER_DESCRIPTION,
  WW_PROVIDER_URL,
  WW_PROVIDER_EMAIL,
  WW_PROVIDER_STATUS,
  WW_PROVIDER_ASSURED_DATE,
  WW_PROVIDER_ASSURER_EMAIL,
  WW_PROVIDER_ORGANIZATION_ID,
  WW_PROVIDER_ORGANIZATION_NAME,
  WW_PROVIDER_ORGANIZATION_DESCRIPTION,
  WW_PROVIDER_ORGANIZATION_WEBSITE,
  WW_PROVIDER_PHONE,
  WW_PROVIDER_PHONE_TYPE,
  WW_PROVIDER_LOCATION_ID,
  WW_PROVIDER_LOCATION_NAME,
  WW_PROVIDER_STREET,
  WW_PROVIDER_POSTAL_CODE,
  WW_PROVIDER_CITY,
  WW_PROVIDER_REGION,
  WW_PROVIDER_COUNTRY,
  WW_PROVIDER_N_FIELDS,
} WwProviderField;

#define WW_TYPE_PROVIDER (ww_provider_get_type ())
G_DECLARE_FINAL_TYPE (WwProvider, ww_provider, WW, PROVIDER, GObject)

WwProvider         *ww_provider_new              (void);
const char         *ww_provider_get_field        (WwProvider      *self,
                                                  WwProviderField  field);
void                ww_provider_set_field        (WwProvider      *self,
                                                  WwProviderField  field,
                                                  const char      *value);
const char         *ww_provider_field_to_string  (WwProviderField  field);

const char         *ww_provider_get_id           (WwProvider *self);
const char         *ww_provider_get_name         (WwProvider *self);
const char         *ww_provider_get_theme        (WwProvider *self);
const char         *ww_provider_get_category     (WwProvider *self);
const char         *ww_provider_get_city         (WwProvider *self);

gboolean            ww_provider_get_coordinates  (WwProvider *self,
                                                  double     *latitude,
                                                  double     *longitude);
void                ww_provider_set_coordinates  (WwProvider *self,
                                                  double      latitude,
                                                  double      longitude);
gboolean            ww_provider_get_sample       (WwProvider *self);
void                ww_provider_set_sample       (WwProvider *self,
                                                  gboolean    sample);

/* language codes ("nl", "en", …) and friendly-fact codes, sorted, unique */
const char *const  *ww_provider_get_languages    (WwProvider *self);
void                ww_provider_add_language     (WwProvider *self,
                                                  const char *code);
gboolean            ww_provider_has_language     (WwProvider *self,
                                                  const char *code);
const char *const  *ww_provider_get_attributes   (WwProvider *self);
void                ww_provider_add_attribute    (WwProvider *self,
                                                  const char *code);
gboolean            ww_provider_has_attribute    (WwProvider *self,
                                                  const char *code);

GPtrArray          *ww_provider_get_schedules    (WwProvider *self);
void                ww_provider_add_schedule     (WwProvider *self,
                                                  WwSchedule *schedule);
gboolean            ww_provider_is_open_at       (WwProvider *self,
                                                  GDateTime  *when);

/* distance in km from the point the search was made from, or -1 */
double              ww_provider_get_distance     (WwProvider *self);
void                ww_provider_set_distance     (WwProvider *self,
                                                  double      km);

gboolean            ww_provider_equal            (WwProvider *a,
                                                  WwProvider *b);

G_END_DECLS
