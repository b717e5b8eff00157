/* ww-gui-util.h: small things the pages share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "wegwijzer.h"

G_BEGIN_DECLS

/* Sets the name a screen reader says for @widget, and remembers it so
 * that tests can check that no control goes unnamed (GTK 4.8 has no
 * getter for accessible properties). */
void        ww_gui_set_accessible_label (GtkWidget        *widget,
                                         const char       *label);
const char *ww_gui_get_accessible_label (GtkWidget        *widget);

/* for dispose(): template children that have no id */
void        ww_gui_unparent_children    (GtkWidget        *widget);

/* "Mon–Fri 09:00–17:00" */
char       *ww_gui_format_schedule      (const WwSchedule *schedule);
/* "2026-10-14" → "14 October 2026", in the user's language */
char       *ww_gui_format_date          (const char       *iso_date);
/* An appointment in this screen's time zone: "Thursday 3 December,
 * 10:00", with the year when it is not this year's. */
char       *ww_gui_format_appointment_time (GDateTime     *time);
/* the label of a category, or its id when no plugin knows it */
const char *ww_gui_category_label       (WwPluginEngine   *engine,
                                         const char       *theme,
                                         const char       *category);

G_END_DECLS
