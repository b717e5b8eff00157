/* bench-bare-window.c: the yardstick for bench-startup
 *
 * A libadwaita window with a header bar and nothing else, reporting its
 * first frame the way wegwijzer does under WEGWIJZER_STARTUP_PROBE.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <adwaita.h>
#include <string.h>

static void
after_paint_cb (GdkFrameClock *clock,
                GtkWindow     *window)
{
  g_autofree char *status = NULL;
  g_autofree char *rss = NULL;

  g_signal_handlers_disconnect_by_func (clock, after_paint_cb, window);

  g_file_get_contents ("/proc/self/status", &status, NULL, NULL);
  rss = status ? g_strdup (strstr (status, "VmRSS:")) : NULL;
  if (rss != NULL)
    *strchr (rss, '\n') = '\0';
  g_print ("first-frame monotonic-us=%" G_GINT64_FORMAT " %s\n", g_get_monotonic_time (),
           rss ? rss : "VmRSS: ?");
  g_print ("ready monotonic-us=%" G_GINT64_FORMAT " %s\n", g_get_monotonic_time (),
           rss ? rss : "VmRSS: ?");
  gtk_window_destroy (window);
}

static void
map_cb (GtkWidget *window)
{
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint",
                    G_CALLBACK (after_paint_cb), window);
}

static void
activate_cb (GtkApplication *app)
{
  GtkWidget *window = adw_application_window_new (app);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  gtk_box_append (GTK_BOX (box), adw_header_bar_new ());
  gtk_box_append (GTK_BOX (box), adw_status_page_new ());
  adw_application_window_set_content (ADW_APPLICATION_WINDOW (window), box);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 800);
  gtk_window_set_title (GTK_WINDOW (window), "Wegwijzer");
  g_signal_connect (window, "map", G_CALLBACK (map_cb), NULL);
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(AdwApplication) app = adw_application_new ("nl.wegwijzer.BareWindow",
                                                       G_APPLICATION_NON_UNIQUE);

  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), NULL);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
