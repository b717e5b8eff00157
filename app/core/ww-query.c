/* ww-query.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-query"

#include "config.h"

#include <math.h>

#include "ww-query.h"

struct _WwQuery
{
  char       *text;
  char       *theme;
  char       *category;
  char       *city;
  GPtrArray  *languages;
  GPtrArray  *attributes;
  GDateTime  *open_at;
  double      latitude;
  double      longitude;
  double      radius_km;
  guint       limit;
  guint       open_now : 1;
  guint       near : 1;
};

G_DEFINE_BOXED_TYPE (WwQuery, ww_query, ww_query_copy, ww_query_free)

WwQuery *
ww_query_new (void)
{
  WwQuery *self = g_new0 (WwQuery, 1);

  self->languages = g_ptr_array_new_null_terminated (2, g_free, TRUE);
  self->attributes = g_ptr_array_new_null_terminated (2, g_free, TRUE);
  self->limit = WW_QUERY_DEFAULT_LIMIT;

  return self;
}

static void
copy_strings (GPtrArray       *to,
              const GPtrArray *from)
{
  for (guint i = 0; i < from->len; i++)
    g_ptr_array_add (to, g_strdup (g_ptr_array_index (from, i)));
}

WwQuery *
ww_query_copy (const WwQuery *self)
{
  WwQuery *copy = ww_query_new ();

  copy->text = g_strdup (self->text);
  copy->theme = g_strdup (self->theme);
  copy->category = g_strdup (self->category);
  copy->city = g_strdup (self->city);
  copy_strings (copy->languages, self->languages);
  copy_strings (copy->attributes, self->attributes);
  copy->open_at = self->open_at ? g_date_time_ref (self->open_at) : NULL;
  copy->open_now = self->open_now;
  copy->near = self->near;
  copy->latitude = self->latitude;
  copy->longitude = self->longitude;
  copy->radius_km = self->radius_km;
  copy->limit = self->limit;

  return copy;
}

void
ww_query_free (WwQuery *self)
{
  if (self == NULL)
    return;

  g_free (self->text);
  g_free (self->theme);
  g_free (self->category);
  g_free (self->city);
  g_ptr_array_unref (self->languages);
  g_ptr_array_unref (self->attributes);
  g_clear_pointer (&self->open_at, g_date_time_unref);
  g_free (self);
}

static void
replace_string (char       **slot,
                const char  *value)
{
  if (value != NULL && *value == '\0')
    value = NULL;

  if (*slot != value)
    {
      g_free (*slot);
      *slot = g_strdup (value);
    }
}

void
ww_query_set_text (WwQuery    *self,
                   const char *text)
{
  replace_string (&self->text, text);
}

const char *
ww_query_get_text (const WwQuery *self)
{
  return self->text;
}

void
ww_query_set_theme (WwQuery    *self,
                    const char *theme)
{
  replace_string (&self->theme, theme);
}

const char *
ww_query_get_theme (const WwQuery *self)
{
  return self->theme;
}

void
ww_query_set_category (WwQuery    *self,
                       const char *category)
{
  replace_string (&self->category, category);
}

const char *
ww_query_get_category (const WwQuery *self)
{
  return self->category;
}

void
ww_query_set_city (WwQuery    *self,
                   const char *city)
{
  replace_string (&self->city, city);
}

const char *
ww_query_get_city (const WwQuery *self)
{
  return self->city;
}

static void
add_unique (GPtrArray  *set,
            const char *code)
{
  g_return_if_fail (code != NULL && *code != '\0');

  if (!g_strv_contains ((const char *const *) set->pdata, code))
    g_ptr_array_add (set, g_strdup (code));
}

void
ww_query_add_language (WwQuery    *self,
                       const char *code)
{
  add_unique (self->languages, code);
}

const char *const *
ww_query_get_languages (const WwQuery *self)
{
  return (const char *const *) self->languages->pdata;
}

void
ww_query_add_attribute (WwQuery    *self,
                        const char *code)
{
  add_unique (self->attributes, code);
}

const char *const *
ww_query_get_attributes (const WwQuery *self)
{
  return (const char *const *) self->attributes->pdata;
}

void
ww_query_set_open_at (WwQuery   *self,
                      GDateTime *when)
{
  g_clear_pointer (&self->open_at, g_date_time_unref);
  if (when != NULL)
    self->open_at = g_date_time_ref (when);
  self->open_now = TRUE;
}

void
ww_query_set_open_now (WwQuery  *self,
                       gboolean  open_now)
{
  self->open_now = !!open_now;
  if (!open_now)
    g_clear_pointer (&self->open_at, g_date_time_unref);
}

gboolean
ww_query_get_open_now (const WwQuery *self)
{
  return self->open_now;
}

GDateTime *
ww_query_dup_open_at (const WwQuery *self)
{
  if (!self->open_now)
    return NULL;

  return self->open_at ? g_date_time_ref (self->open_at)
                       : g_date_time_new_now_utc ();
}

void
ww_query_set_near (WwQuery *self,
                   double   latitude,
                   double   longitude,
                   double   radius_km)
{
  g_return_if_fail (latitude >= -90 && latitude <= 90);
  g_return_if_fail (longitude >= -180 && longitude <= 180);
  g_return_if_fail (radius_km > 0);

  self->near = TRUE;
  self->latitude = latitude;
  self->longitude = longitude;
  self->radius_km = radius_km;
}

gboolean
ww_query_get_near (const WwQuery *self,
                   double        *latitude,
                   double        *longitude,
                   double        *radius_km)
{
  if (latitude != NULL)
    *latitude = self->near ? self->latitude : NAN;
  if (longitude != NULL)
    *longitude = self->near ? self->longitude : NAN;
  if (radius_km != NULL)
    *radius_km = self->near ? self->radius_km : NAN;

  return self->near;
}

void
ww_query_set_limit (WwQuery *self,
                    guint    limit)
{
  self->limit = limit;
}

guint
ww_query_get_limit (const WwQuery *self)
{
  return self->limit;
}
