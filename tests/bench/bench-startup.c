/* bench-startup.c: time to the first frame, and memory, of a program
 *
 *   bench-startup [--runs N] -- PROGRAM [ARGUMENT…]
 *
 * Runs PROGRAM N times with WEGWIJZER_STARTUP_PROBE=quit, which makes it
 * print "first-frame monotonic-us=T VmRSS: R kB" when its first frame is
 * drawn and "ready …" when it is done starting, then quit. Prints the
 * median time from launch to each of those, and the median resident
 * memory at each. Needs a display (run it under xvfb-run).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  double first_frame_ms;
  double ready_ms;
  double first_frame_rss_mb;
  double ready_rss_mb;
} Run;

static gboolean
parse_line (const char *line,
            const char *what,
            gint64      start_us,
            double     *ms,
            double     *rss_mb)
{
  gint64 at_us;
  long rss_kb;

  if (!g_str_has_prefix (line, what) ||
      sscanf (line + strlen (what), " monotonic-us=%" G_GINT64_MODIFIER "d VmRSS: %ld kB",
              &at_us, &rss_kb) != 2)
    return FALSE;

  *ms = (at_us - start_us) / 1000.0;
  *rss_mb = rss_kb / 1024.0;
  return TRUE;
}

static gboolean
run_once (char   **argv,
          Run     *run,
          GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  gboolean first = FALSE, ready = FALSE;
  gint64 start_us;
  char *line;

  g_subprocess_launcher_setenv (launcher, "WEGWIJZER_STARTUP_PROBE", "quit", TRUE);

  start_us = g_get_monotonic_time ();
  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv, error);
  if (process == NULL)
    return FALSE;

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  while ((line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, NULL)) != NULL)
    {
      first |= parse_line (line, "first-frame", start_us, &run->first_frame_ms, &run->first_frame_rss_mb);
      ready |= parse_line (line, "ready", start_us, &run->ready_ms, &run->ready_rss_mb);
      g_free (line);
    }

  if (!g_subprocess_wait_check (process, NULL, error))
    return FALSE;
  if (!first || !ready)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "%s printed no first-frame and ready lines", argv[0]);
      return FALSE;
    }

  return TRUE;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  return g_array_index (values, double, values->len / 2);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("-- PROGRAM [ARGUMENT…]");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) first = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ready = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) first_rss = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) ready_rss = g_array_new (FALSE, FALSE, sizeof (double));
  int runs = 10;
  GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "How many times to start it (default 10)", "N" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc < 2 || runs < 1)
    {
      g_printerr ("bench-startup: %s\n", error ? error->message : "usage: bench-startup [--runs N] -- PROGRAM [ARGUMENT…]");
      return 2;
    }

  /* GOption leaves a "--" in place */
  if (argc > 1 && strcmp (argv[1], "--") == 0)
    {
      argv++;
      argc--;
    }
  if (argc < 2)
    {
      g_printerr ("bench-startup: no program to start\n");
      return 2;
    }

  /* one run to warm the page cache, not counted */
  for (int i = 0; i <= runs; i++)
    {
      Run run;

      if (!run_once (argv + 1, &run, &error))
        {
          g_printerr ("bench-startup: %s\n", error->message);
          return 1;
        }
      if (i == 0)
        continue;
      g_array_append_val (first, run.first_frame_ms);
      g_array_append_val (ready, run.ready_ms);
      g_array_append_val (first_rss, run.first_frame_rss_mb);
      g_array_append_val (ready_rss, run.ready_rss_mb);
    }

  g_print ("%s: first-frame median=%.1f ms rss=%.1f MB; ready median=%.1f ms rss=%.1f MB (%d runs)\n",
           argv[1], median (first), median (first_rss), median (ready), median (ready_rss), runs);
  return 0;
}
