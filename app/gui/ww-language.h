/* ww-language.h: the languages a visitor can choose, and switching to one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

/* ww_language_get_translated(), the languages to choose from */
#include "ww-text.h"

G_BEGIN_DECLS

/* Before the first translated text: makes switching at run time work
 * whatever the locale the program was started in. */
void         ww_language_init           (void);
/* "Nederlands", "Română", …: a language in its own name; %NULL for a
 * code the program does not speak */
const char  *ww_language_get_own_name   (const char *code);
/* Texts translated from now on are in @code's language (%NULL: the
 * locale's): gettext's, the plugins' and the directory's. Widgets made
 * before keep their texts; the window is made anew after a switch. */
void         ww_language_use            (const char *code);
/* the language ww_language_use() set last, or the locale's */
const char  *ww_language_get_current    (void);

#define WW_TYPE_LANGUAGE_BAR (ww_language_bar_get_type ())
G_DECLARE_FINAL_TYPE (WwLanguageBar, ww_language_bar, WW, LANGUAGE_BAR, GtkWidget)

/* One button per language of @codes (unknown ones are left out), each
 * in its own name; the current language is marked. Emits
 * "language-chosen" with the code. */
GtkWidget   *ww_language_bar_new        (const char *const *codes);
void         ww_language_bar_set_languages (WwLanguageBar     *self,
                                            const char *const *codes);

G_END_DECLS
