/* ww-query.h: what to search the directory for
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define WW_QUERY_DEFAULT_LIMIT 500

typedef struct _WwQuery WwQuery;

#define WW_TYPE_QUERY (ww_query_get_type ())
GType        ww_query_get_type        (void) G_GNUC_CONST;
WwQuery     *ww_query_new             (void);
WwQuery     *ww_query_copy            (const WwQuery *self);
void         ww_query_free            (WwQuery       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (WwQuery, ww_query_free)

/* Free text, searched as you type: the last word is a prefix. */
void         ww_query_set_text        (WwQuery    *self,
                                       const char *text);
const char  *ww_query_get_text        (const WwQuery *self);
void         ww_query_set_theme       (WwQuery    *self,
                                       const char *theme);
const char  *ww_query_get_theme       (const WwQuery *self);
void         ww_query_set_category    (WwQuery    *self,
                                       const char *category);
const char  *ww_query_get_category    (const WwQuery *self);
void         ww_query_set_city        (WwQuery    *self,
                                       const char *city);
const char  *ww_query_get_city        (const WwQuery *self);
/* every language and every attribute added must hold */
void         ww_query_add_language    (WwQuery    *self,
                                       const char *code);
const char *const *ww_query_get_languages  (const WwQuery *self);
void         ww_query_add_attribute   (WwQuery    *self,
                                       const char *code);
const char *const *ww_query_get_attributes (const WwQuery *self);
/* open at @when (NULL: now), by the schedules, in Europe/Amsterdam time */
void         ww_query_set_open_at     (WwQuery    *self,
                                       GDateTime  *when);
void         ww_query_set_open_now    (WwQuery    *self,
                                       gboolean    open_now);
gboolean     ww_query_get_open_now    (const WwQuery *self);
GDateTime   *ww_query_dup_open_at     (const WwQuery *self);
/* within @radius_km of a point; results are then nearest first unless
 * there is text to rank by */
void         ww_query_set_near        (WwQuery    *self,
                                       double      latitude,
                                       double      longitude,
                                       double      radius_km);
gboolean     ww_query_get_near        (const WwQuery *self,
                                       double     *latitude,
                                       double     *longitude,
                                       double     *radius_km);
/* 0: every match */
void         ww_query_set_limit       (WwQuery    *self,
                                       guint       limit);
guint        ww_query_get_limit       (const WwQuery *self);

G_END_DECLS
