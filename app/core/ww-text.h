/* ww-text.h: folding text for search, and the friendly-fact vocabulary
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* lower case, diacritics removed, as the search index sees words */
char               *ww_text_fold              (const char *text);
/* folded words of @text, in order */
char              **ww_text_split_words       (const char *text);

/* The friendly facts ("working-name-ok", …) that listings can carry. */
const char *const  *ww_attribute_get_all      (void);
gboolean            ww_attribute_is_known     (const char *code);
const char         *ww_attribute_get_label    (const char *code);

/* The languages a listing can be in, with their names in that language. */
const char *const  *ww_language_get_all       (void);
const char         *ww_language_get_name      (const char *code);
/* The languages the program's own texts are in: po/LINGUAS and English,
 * the source language, with Dutch first. Plain data, so that the admin
 * tool can check plugins' translations without linking GTK. */
const char *const  *ww_language_get_translated (void);

G_END_DECLS
