/* ww-provider.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-provider"

#include "config.h"

#include <math.h>
#include <string.h>

#include "ww-provider.h"

struct _WwProvider
{
  GObject    parent_instance;

  char      *fields[WW_PROVIDER_N_FIELDS];
  double     latitude;
  double     longitude;
  double     distance;
  GPtrArray *languages;   /* char*, sorted */
  GPtrArray *attributes;  /* char*, sorted */
  GPtrArray *schedules;   /* WwSchedule* */
  guint      has_coordinates : 1;
  guint      sample : 1;
};

G_DEFINE_FINAL_TYPE (WwProvider, ww_provider, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_THEME,
  PROP_CATEGORY,
  PROP_CITY,
  PROP_SAMPLE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static const char *field_names[WW_PROVIDER_N_FIELDS] = {
  [WW_PROVIDER_ID] = "id",
  [WW_PROVIDER_THEME] = "theme",
  [WW_PROVIDER_CATEGORY] = "category",
  [WW_PROVIDER_NAME] = "name",
  [WW_PROVIDER_DESCRIPTION] = "description",
  [WW_PROVIDER_URL] = "url",
  [WW_PROVIDER_EMAIL] = "email",
  [WW_PROVIDER_STATUS] = "status",
  [WW_PROVIDER_ASSURED_DATE] = "assured_date",
  [WW_PROVIDER_ASSURER_EMAIL] = "assurer_email",
  [WW_PROVIDER_ORGANIZATION_ID] = "organization.id",
  [WW_PROVIDER_ORGANIZATION_NAME] = "organization.name",
  [WW_PROVIDER_ORGANIZATION_DESCRIPTION] = "organization.description",
  [WW_PROVIDER_ORGANIZATION_WEBSITE] = "organization.website",
  [WW_PROVIDER_PHONE] = "phones[0].number",
  [WW_PROVIDER_PHONE_TYPE] = "phones[0].type",
  [WW_PROVIDER_LOCATION_ID] = "location.id",
  [WW_PROVIDER_LOCATION_NAME] = "location.name",
  [WW_PROVIDER_STREET] = "address.address_1",
  [WW_PROVIDER_POSTAL_CODE] = "address.postal_code",
  [WW_PROVIDER_CITY] = "address.city",
  [WW_PROVIDER_REGION] = "address.region",
  [WW_PROVIDER_COUNTRY] = "address.country",
};

G_DEFINE_BOXED_TYPE (WwSchedule, ww_schedule, ww_schedule_copy, ww_schedule_free)

WwSchedule *
ww_schedule_new (const char *id,
                 guint       days,
                 guint16     opens,
                 guint16     closes)
{
  WwSchedule *self = g_new0 (WwSchedule, 1);

  self->id = g_strdup (id);
  self->days = days;
  self->opens = opens;
  self->closes = closes;

  return self;
}

WwSchedule *
ww_schedule_copy (const WwSchedule *self)
{
  return ww_schedule_new (self->id, self->days, self->opens, self->closes);
}

void
ww_schedule_free (WwSchedule *self)
{
  if (self == NULL)
    return;

  g_free (self->id);
  g_free (self);
}

static const char *day_codes[] = { "MO", "TU", "WE", "TH", "FR", "SA", "SU" };

guint
ww_days_from_string (const char *byday)
{
  g_auto(GStrv) parts = NULL;
  guint days = 0;

  if (byday == NULL || *byday == '\0')
    return 0;

  parts = g_strsplit (byday, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *code = g_ascii_strup (g_strstrip (parts[i]), -1);
      guint day;

      for (day = 0; day < G_N_ELEMENTS (day_codes); day++)
        if (strcmp (code, day_codes[day]) == 0)
          break;

      if (day == G_N_ELEMENTS (day_codes))
        return 0;

      days |= 1u << day;
    }

  return days;
}

char *
ww_days_to_string (guint days)
{
  GString *str = g_string_new (NULL);

  for (guint day = 0; day < G_N_ELEMENTS (day_codes); day++)
    {
      if ((days & (1u << day)) == 0)
        continue;
      if (str->len > 0)
        g_string_append_c (str, ',');
      g_string_append (str, day_codes[day]);
    }

  return g_string_free (str, FALSE);
}

static void
ww_provider_finalize (GObject *object)
{
  WwProvider *self = (WwProvider *)object;

  for (guint i = 0; i < WW_PROVIDER_N_FIELDS; i++)
    g_free (self->fields[i]);
  g_ptr_array_unref (self->languages);
  g_ptr_array_unref (self->attributes);
  g_ptr_array_unref (self->schedules);

  G_OBJECT_CLASS (ww_provider_parent_class)->finalize (object);
}

static void
ww_provider_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  WwProvider *self = WW_PROVIDER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->fields[WW_PROVIDER_ID]);
      break;

    case PROP_NAME:
      g_value_set_string (value, self->fields[WW_PROVIDER_NAME]);
      break;

    case PROP_THEME:
      g_value_set_string (value, self->fields[WW_PROVIDER_THEME]);
      break;

    case PROP_CATEGORY:
      g_value_set_string (value, self->fields[WW_PROVIDER_CATEGORY]);
      break;

    case PROP_CITY:
      g_value_set_string (value, self->fields[WW_PROVIDER_CITY]);
      break;

    case PROP_SAMPLE:
      g_value_set_boolean (value, self->sample);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ww_provider_class_init (WwProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ww_provider_finalize;
  object_class->get_property = ww_provider_get_property;

  properties [PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_THEME] =
    g_param_spec_string ("theme", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_CATEGORY] =
    g_param_spec_string ("category", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_CITY] =
    g_param_spec_string ("city", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  properties [PROP_SAMPLE] =
    g_param_spec_boolean ("sample", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ww_provider_init (WwProvider *self)
{
  self->languages = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  self->attributes = g_ptr_array_new_null_terminated (8, g_free, TRUE);
  self->schedules = g_ptr_array_new_with_free_func ((GDestroyNotify) ww_schedule_free);
  self->distance = -1;
}

WwProvider *
ww_provider_new (void)
{
  return g_object_new (WW_TYPE_PROVIDER, NULL);
}

const char *
ww_provider_get_field (WwProvider      *self,
                       WwProviderField  field)
{
  g_return_val_if_fail (WW_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (field < WW_PROVIDER_N_FIELDS, NULL);

  return self->fields[field];
}

void
ww_provider_set_field (WwProvider      *self,
                       WwProviderField  field,
                       const char      *value)
{
  g_return_if_fail (WW_IS_PROVIDER (self));
  g_return_if_fail (field < WW_PROVIDER_N_FIELDS);

  /* An empty string and no value are the same thing to HSDS. */
  if (value != NULL && *value == '\0')
    value = NULL;

  if (value != self->fields[field])
    {
      g_free (self->fields[field]);
      self->fields[field] = g_strdup (value);
    }
}

const char *
ww_provider_field_to_string (WwProviderField field)
{
  g_return_val_if_fail (field < WW_PROVIDER_N_FIELDS, NULL);

  return field_names[field];
}

const char *
ww_provider_get_id (WwProvider *self)
{
  return ww_provider_get_field (self, WW_PROVIDER_ID);
}

const char *
ww_provider_get_name (WwProvider *self)
{
  return ww_provider_get_field (self, WW_PROVIDER_NAME);
}

const char *
ww_provider_get_theme (WwProvider *self)
{
  return ww_provider_get_field (self, WW_PROVIDER_THEME);
}

const char *
ww_provider_get_category (WwProvider *self)
{
  return ww_provider_get_field (self, WW_PROVIDER_CATEGORY);
}

const char *
ww_provider_get_city (WwProvider *self)
{
  return ww_provider_get_field (self, WW_PROVIDER_CITY);
}

gboolean
ww_provider_get_coordinates (WwProvider *self,
                             double     *latitude,
                             double     *longitude)
{
  g_return_val_if_fail (WW_IS_PROVIDER (self), FALSE);

  if (latitude != NULL)
    *latitude = self->has_coordinates ? self->latitude : NAN;
  if (longitude != NULL)
    *longitude = self->has_coordinates ? self->longitude : NAN;

  return self->has_coordinates;
}

void
ww_provider_set_coordinates (WwProvider *self,
                             double      latitude,
                             double      longitude)
{
  g_return_if_fail (WW_IS_PROVIDER (self));

  self->latitude = latitude;
  self->longitude = longitude;
  self->has_coordinates = !isnan (latitude) && !isnan (longitude);
}

gboolean
ww_provider_get_sample (WwProvider *self)
{
  g_return_val_if_fail (WW_IS_PROVIDER (self), FALSE);

  return self->sample;
}

void
ww_provider_set_sample (WwProvider *self,
                        gboolean    sample)
{
  g_return_if_fail (WW_IS_PROVIDER (self));

  self->sample = !!sample;
}

static gboolean
sorted_set_contains (GPtrArray  *set,
                     const char *code,
                     guint      *position)
{
  guint low = 0;
  guint high = set->len;

  while (low < high)
    {
      guint mid = (low + high) / 2;
      int cmp = strcmp (g_ptr_array_index (set, mid), code);

      if (cmp == 0)
        {
          *position = mid;
          return TRUE;
        }
      if (cmp < 0)
        low = mid + 1;
      else
        high = mid;
    }

  *position = low;
  return FALSE;
}

static void
sorted_set_add (GPtrArray  *set,
                const char *code)
{
  guint position;

  g_return_if_fail (code != NULL);

  if (!sorted_set_contains (set, code, &position))
    g_ptr_array_insert (set, position, g_strdup (code));
}

const char *const *
ww_provider_get_languages (WwProvider *self)
{
  g_return_val_if_fail (WW_IS_PROVIDER (self), NULL);

  return (const char *const *) self->languages->pdata;
}

void
ww_provider_add_language (WwProvider *self,
                          const char *code)
{
  g_return_if_fail (WW_IS_PROVIDER (self));

  sorted_set_add (self->languages, code);
}

gboolean
ww_provider_has_language (WwProvider *self,
                          const char *code)
{
  guint position;

  g_return_val_if_fail (WW_IS_PROVIDER (self), FALSE);

  return sorted_set_contains (self->languages, code, &position);
}

const char *const *
ww_provider_get_attributes (WwProvider *self)
{
  g_return_val_if_fail (WW_IS_PROVIDER (self), NULL);

  return (const char *const *) self->attributes->pdata;
}

void
ww_provider_add_attribute (WwProvider *self,
                           const char *code)
{
  g_return_if_fail (WW_IS_PROVIDER (self));

  sorted_set_add (self->attributes, code);
}

gboolean
ww_provider_has_attribute (WwProvider *self,
                           const char *code)
{
  guint position;

  g_return_val_if_fail (WW_IS_PROVIDER (self), FALSE);

  return sorted_set_contains (self->attributes, code, &position);
}

GPtrArray *
ww_provider_get_schedules (WwProvider *self)
{
  g_return_val_if_fail (WW_IS_PROVIDER (self), NULL);

  return self->schedules;
}

/**
 * ww_provider_add_schedule:
 * @schedule: (transfer full):
 */
void
ww_provider_add_schedule (WwProvider *self,
                          WwSchedule *schedule)
{
  g_return_if_fail (WW_IS_PROVIDER (self));
  g_return_if_fail (schedule != NULL);

  g_ptr_array_add (self->schedules, schedule);
}

gboolean
ww_provider_is_open_at (WwProvider *self,
                        GDateTime  *when)
{
  g_autoptr(GTimeZone) amsterdam = NULL;
  g_autoptr(GDateTime) local = NULL;
  guint day;
  guint minute;

  g_return_val_if_fail (WW_IS_PROVIDER (self), FALSE);
  g_return_val_if_fail (when != NULL, FALSE);

  amsterdam = g_time_zone_new_identifier ("Europe/Amsterdam");
  if (amsterdam == NULL)
    amsterdam = g_time_zone_new_local ();
  local = g_date_time_to_timezone (when, amsterdam);
  day = g_date_time_get_day_of_week (local) - 1;
  minute = g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local);

  for (guint i = 0; i < self->schedules->len; i++)
    {
      const WwSchedule *schedule = g_ptr_array_index (self->schedules, i);

      if ((schedule->days & (1u << day)) != 0 &&
          schedule->opens <= minute && minute < schedule->closes)
        return TRUE;
    }

  return FALSE;
}

double
ww_provider_get_distance (WwProvider *self)
{
  g_return_val_if_fail (WW_IS_PROVIDER (self), -1);

  return self->distance;
}

void
ww_provider_set_distance (WwProvider *self,
                          double      km)
{
  g_return_if_fail (WW_IS_PROVIDER (self));

  self->distance = km;
}

static gboolean
strv_equal (GPtrArray *a,
            GPtrArray *b)
{
  return g_strv_equal ((const char *const *) a->pdata,
                       (const char *const *) b->pdata);
}

gboolean
ww_provider_equal (WwProvider *a,
                   WwProvider *b)
{
  g_return_val_if_fail (WW_IS_PROVIDER (a), FALSE);
  g_return_val_if_fail (WW_IS_PROVIDER (b), FALSE);

  for (guint i = 0; i < WW_PROVIDER_N_FIELDS; i++)
    if (g_strcmp0 (a->fields[i], b->fields[i]) != 0)
      return FALSE;

  if (a->has_coordinates != b->has_coordinates ||
      (a->has_coordinates &&
       (a->latitude != b->latitude || a->longitude != b->longitude)))
    return FALSE;

  if (a->sample != b->sample ||
      !strv_equal (a->languages, b->languages) ||
      !strv_equal (a->attributes, b->attributes) ||
      a->schedules->len != b->schedules->len)
    return FALSE;

  for (guint i = 0; i < a->schedules->len; i++)
    {
      const WwSchedule *sa = g_ptr_array_index (a->schedules, i);
      const WwSchedule *sb = g_ptr_array_index (b->schedules, i);

      if (g_strcmp0 (sa->id, sb->id) != 0 || sa->days != sb->days ||
          sa->opens != sb->opens || sa->closes != sb->closes)
        return FALSE;
    }

  return TRUE;
}
