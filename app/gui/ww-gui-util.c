/* ww-gui-util.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-gui-util"

#include "config.h"

#include <glib/gi18n.h>

#include "ww-gui-util.h"

#define ACCESSIBLE_LABEL_KEY "ww-accessible-label"

void
ww_gui_set_accessible_label (GtkWidget  *widget,
                             const char *label)
{
  g_return_if_fail (GTK_IS_WIDGET (widget));
  g_return_if_fail (label != NULL);

  gtk_accessible_update_property (GTK_ACCESSIBLE (widget),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  -1);
  g_object_set_data_full (G_OBJECT (widget), ACCESSIBLE_LABEL_KEY, g_strdup (label), g_free);
}

const char *
ww_gui_get_accessible_label (GtkWidget *widget)
{
  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  return g_object_get_data (G_OBJECT (widget), ACCESSIBLE_LABEL_KEY);
}

void
ww_gui_unparent_children (GtkWidget *widget)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (widget)) != NULL)
    gtk_widget_unparent (child);
}

static const char *
day_name (guint day)
{
  switch (day)
    {
    case 0: return C_("day", "Mon");
    case 1: return C_("day", "Tue");
    case 2: return C_("day", "Wed");
    case 3: return C_("day", "Thu");
    case 4: return C_("day", "Fri");
    case 5: return C_("day", "Sat");
    case 6: return C_("day", "Sun");
    default: g_return_val_if_reached ("");
    }
}

char *
ww_gui_format_schedule (const WwSchedule *schedule)
{
  g_autoptr(GString) days = g_string_new (NULL);

  g_return_val_if_fail (schedule != NULL, NULL);

  /* runs of days as "Mon–Fri", single days as "Thu" */
  for (guint day = 0; day < 7; day++)
    {
      guint last = day;

      if ((schedule->days & (1u << day)) == 0)
        continue;
      while (last + 1 < 7 && (schedule->days & (1u << (last + 1))) != 0)
        last++;

      if (days->len > 0)
        g_string_append (days, ", ");
      g_string_append (days, day_name (day));
      if (last >= day + 2)
        g_string_append_printf (days, "–%s", day_name (last));
      else if (last == day + 1)
        g_string_append_printf (days, ", %s", day_name (last));
      day = last;
    }

  return g_strdup_printf ("%s %02u:%02u–%02u:%02u", days->str,
                          schedule->opens / 60, schedule->opens % 60,
                          schedule->closes / 60, schedule->closes % 60);
}

char *
ww_gui_format_date (const char *iso_date)
{
  g_autoptr(GDateTime) date = NULL;
  g_autofree char *with_time = NULL;

  if (iso_date == NULL)
    return NULL;

  with_time = g_strconcat (iso_date, "T12:00:00Z", NULL);
  date = g_date_time_new_from_iso8601 (with_time, NULL);
  if (date == NULL)
    return g_strdup (iso_date);

  /* Translators: a date, as in "14 October 2026"; see strftime(3) */
  return g_date_time_format (date, _("%-d %B %Y"));
}

char *
ww_gui_format_appointment_time (GDateTime *time)
{
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) now = NULL;

  g_return_val_if_fail (time != NULL, NULL);

  local = g_date_time_to_local (time);
  now = g_date_time_new_now_local ();
  if (local == NULL || now == NULL)
    return g_date_time_format_iso8601 (time);

  if (g_date_time_get_year (local) == g_date_time_get_year (now))
    /* Translators: an appointment, as in "Thursday 3 December, 10:00";
     * see strftime(3) */
    return g_date_time_format (local, _("%A %-d %B, %H:%M"));

  /* Translators: an appointment in another year, as in "Thursday
   * 3 December 2026, 10:00"; see strftime(3) */
  return g_date_time_format (local, _("%A %-d %B %Y, %H:%M"));
}

const char *
ww_gui_category_label (WwPluginEngine *engine,
                       const char     *theme,
                       const char     *category)
{
  WwPlugin *plugin = engine ? ww_plugin_engine_lookup (engine, theme) : NULL;
  WwCategory *found = plugin ? ww_plugin_lookup_category (plugin, category) : NULL;

  return found ? ww_category_get_label (found) : category;
}
