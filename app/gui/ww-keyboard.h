/* ww-keyboard.h: an on-screen keyboard for the kiosk's touch screen
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define WW_TYPE_KEYBOARD (ww_keyboard_get_type ())
G_DECLARE_FINAL_TYPE (WwKeyboard, ww_keyboard, WW, KEYBOARD, GtkWidget)

GtkWidget *ww_keyboard_new        (void);
/* The text widget keys go to: a GtkText (what GtkEntry, GtkSearchEntry
 * and GtkPasswordEntry hold), any GtkEditable, or a GtkTextView; NULL
 * for none. The keyboard does not keep @target alive. Setting a new
 * target also resets the keyboard. */
void       ww_keyboard_set_target (WwKeyboard *self,
                                   GtkWidget  *target);
GtkWidget *ww_keyboard_get_target (WwKeyboard *self);
/* Back to the first page, shift off: the letters, or the digits for a
 * target whose input purpose is digits, a number, a phone number or a
 * PIN. Call it when a new field gets focus or the kiosk resets. */
void       ww_keyboard_reset      (WwKeyboard *self);

/* signal "hide-requested" (no arguments): the visitor pressed the hide key */

G_END_DECLS
