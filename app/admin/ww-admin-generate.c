/* ww-admin-generate.c: wegwijzer-admin generate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-admin"

#include "config.h"

#include <unistd.h>

#include <glib/gi18n.h>

#include "ww-admin-private.h"

#define DEFAULT_SEED 1

typedef struct
{
  gint64   last_update;
  gboolean shown;
} Progress;

static void
progress_cb (guint    done,
             guint    total,
             gpointer user_data)
{
  Progress *progress = user_data;
  gint64 now = g_get_monotonic_time ();

  /* a terminal does not need more than a few updates a second */
  if (done < total && progress->shown && now - progress->last_update < G_USEC_PER_SEC / 10)
    return;

  progress->last_update = now;
  progress->shown = TRUE;
  /* back to the start of the line, to write over the last count */
  g_printerr ("\r");
  g_printerr (_("Generating providers: %u of %u"), done, total);
}

static gboolean
parse_number (const char *text,
              guint64     min,
              guint64     max,
              guint64    *value)
{
  return g_ascii_string_to_unsigned (text, 10, min, max, value, NULL);
}

int
ww_admin_generate (WwAdmin  *admin,
                   int       argc,
                   char    **argv)
{
  g_autofree char *count_text = NULL;
  g_autofree char *seed_text = NULL;
  const GOptionEntry entries[] = {
    { "count", 'n', 0, G_OPTION_ARG_STRING, &count_text,
      N_("How many providers to add (required)"), N_("N") },
    { "seed", 's', 0, G_OPTION_ARG_STRING, &seed_text,
      N_("Which set of providers to make (default: 1)"), N_("S") },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr(GError) error = NULL;
  WwDirectory *directory;
  guint64 count = 0;
  guint64 seed = DEFAULT_SEED;
  Progress progress = { 0 };
  gint64 started;
  gboolean show_progress;
  int status;

  if (!ww_admin_parse_options (admin, "generate", NULL,
                               N_("Add fictional providers, all marked as sample data, for\n"
                                  "benchmarks and load tests."),
                               N_("The same --seed makes the same providers. Generate them into a\n"
                                  "database of their own (--db) to keep them apart from real listings."),
                               entries, &argc, &argv, &status))
    return status;

  if (argc > 1)
    return ww_admin_usage_error ("generate", _("generate takes no arguments, only --count and --seed"));

  if (count_text == NULL)
    return ww_admin_usage_error ("generate", _("generate needs --count N"));

  if (!parse_number (count_text, 1, G_MAXUINT, &count))
    return ww_admin_usage_error ("generate", _("--count must be a whole number from 1 to %u, not “%s”"),
                                 G_MAXUINT, count_text);

  if (seed_text != NULL && !parse_number (seed_text, 0, G_MAXUINT32, &seed))
    return ww_admin_usage_error ("generate", _("--seed must be a whole number from 0 to %u, not “%s”"),
                                 G_MAXUINT32, seed_text);

  directory = ww_admin_open_directory (admin, &error);
  if (directory == NULL)
    {
      ww_admin_printerr ("%s", error->message);
      return WW_ADMIN_EXIT_FAILURE;
    }

  show_progress = isatty (STDERR_FILENO);
  started = g_get_monotonic_time ();
  if (!ww_generator_fill (directory, (guint) count, (guint32) seed,
                          show_progress ? progress_cb : NULL, &progress, &error))
    {
      if (progress.shown)
        g_printerr ("\n");
      ww_admin_printerr (_("cannot generate providers into %s: %s"), admin->db_path, error->message);
      return WW_ADMIN_EXIT_FAILURE;
    }

  if (progress.shown)
    g_printerr ("\n");

  g_print (ngettext ("Generated %u provider in %.1f s\n", "Generated %u providers in %.1f s\n",
                     (guint) count),
           (guint) count, (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC);

  return WW_ADMIN_EXIT_OK;
}
