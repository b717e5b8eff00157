/* ww-check-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "wegwijzer.h"

G_BEGIN_DECLS

#define WW_TYPE_CHECK_PAGE (ww_check_page_get_type ())
G_DECLARE_FINAL_TYPE (WwCheckPage, ww_check_page, WW, CHECK_PAGE, GtkWidget)

/* Whom to ask; without it the page cannot check. */
void        ww_check_page_set_relay (WwCheckPage   *self,
                                     WwRelayClient *client);
/* An empty form, with @reference (nullable) filled in. */
void        ww_check_page_start     (WwCheckPage   *self,
                                     const char    *reference);
/* Empties both entries and forgets the answer: for leaving the page. */
void        ww_check_page_clear     (WwCheckPage   *self);
/* "form" or "answer" */
const char *ww_check_page_get_step  (WwCheckPage   *self);
/* whether the relay is being asked; for tests */
gboolean    ww_check_page_get_busy  (WwCheckPage   *self);

G_END_DECLS
