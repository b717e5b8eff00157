/* bench-sync.c: how fast a relay's change log is read and a kiosk applies it
 *
 *   bench-sync --count 1000000 [--page 5000] [--keep FILE]
 *
 * Generates N providers in a "relay" directory, then prints how long it
 * takes to write the whole change log (page by page, as a kiosk that
 * syncs from nothing asks for it), to write one page at the end of the
 * log (a kiosk that is nearly up to date), to apply the whole log to an
 * empty "kiosk" directory, and to apply a small delta there.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "wegwijzer.h"

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1e6;
}

static void
remove_database (const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_remove (file);
    }
}

static gboolean
write_page (WwDirectory    *directory,
            gint64          since,
            guint           page,
            GOutputStream **out_stream,
            gint64         *next,
            GError        **error)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

  if (!ww_directory_write_changes (directory, since, page, out, next, NULL, error) ||
      !g_output_stream_close (out, NULL, error))
    return FALSE;

  *out_stream = g_steal_pointer (&out);
  return TRUE;
}

static gboolean
apply_stream (WwDirectory    *directory,
              GOutputStream  *written,
              gint64          next,
              GError        **error)
{
  g_autoptr(GBytes) bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (written));
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_bytes (bytes);

  return ww_directory_apply_changes (directory, in, "http://bench.test", next, NULL, NULL, error);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(WwDirectory) relay = NULL;
  g_autoptr(WwDirectory) kiosk = NULL;
  g_autoptr(WwPluginEngine) engine = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *relay_path = NULL;
  g_autofree char *kiosk_path = NULL;
  g_autofree char *keep = NULL;
  gint64 start, since, next, last = 0;
  guint64 bytes = 0;
  guint pages = 0;
  double write_s = 0, apply_s = 0;
  int count = 100000;
  int page = 5000;
  GOptionEntry entries[] = {
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "Providers to generate (default 100000)", "N" },
    { "page", 0, 0, G_OPTION_ARG_INT, &page, "Changes per answer (default 5000)", "N" },
    { "keep", 0, 0, G_OPTION_ARG_FILENAME, &keep, "Keep the relay's directory in FILE (reused if it exists)", "FILE" },
    { NULL }
  };

  context = g_option_context_new ("— time the directory's change log");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || count <= 0 || page <= 0)
    {
      g_printerr ("bench-sync: %s\n", error ? error->message : "--count and --page must be positive");
      return 2;
    }

  tmpdir = g_dir_make_tmp ("ww-bench-sync-XXXXXX", &error);
  if (tmpdir == NULL)
    {
      g_printerr ("bench-sync: %s\n", error->message);
      return 1;
    }
  relay_path = keep != NULL ? g_strdup (keep) : g_build_filename (tmpdir, "relay.db", NULL);
  kiosk_path = g_build_filename (tmpdir, "kiosk.db", NULL);

  relay = ww_directory_open (relay_path, &error);
  kiosk = relay != NULL ? ww_directory_open (kiosk_path, &error) : NULL;
  if (kiosk == NULL)
    {
      g_printerr ("bench-sync: %s\n", error->message);
      return 1;
    }
  /* the kiosk checks themes against the plugins, as wegwijzer-admin sync
   * does, when they can be found */
  engine = ww_plugin_engine_new ();
  ww_plugin_engine_load (engine);
  if (g_list_model_get_n_items (ww_plugin_engine_get_plugins (engine)) > 0)
    ww_directory_set_plugin_engine (kiosk, engine);

  if (ww_directory_count (relay, NULL) < (guint) count)
    {
      start = g_get_monotonic_time ();
      if (!ww_generator_fill (relay, count, 1, NULL, NULL, &error))
        {
          g_printerr ("bench-sync: %s\n", error->message);
          return 1;
        }
      g_print ("relay-build seconds=%.1f providers=%u\n", seconds_since (start),
               ww_directory_count (relay, NULL));
    }

  /* from nothing, page by page, each page applied as it comes */
  for (since = 0; ; since = next)
    {
      g_autoptr(GOutputStream) out = NULL;

      start = g_get_monotonic_time ();
      if (!write_page (relay, since, page, &out, &next, &error))
        {
          g_printerr ("bench-sync: %s\n", error->message);
          return 1;
        }
      write_s += seconds_since (start);
      if (next == since)
        break;
      pages++;
      bytes += g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));
      last = next;

      start = g_get_monotonic_time ();
      if (!apply_stream (kiosk, out, next, &error))
        {
          g_printerr ("bench-sync: %s\n", error->message);
          return 1;
        }
      apply_s += seconds_since (start);
    }
  g_print ("write-all seconds=%.1f pages=%u MB=%.1f rate=%.0f/s\n",
           write_s, pages, bytes / 1048576.0, ww_directory_count (relay, NULL) / MAX (write_s, 1e-6));
  g_print ("apply-all seconds=%.1f rate=%.0f/s kiosk-providers=%u\n",
           apply_s, ww_directory_count (kiosk, NULL) / MAX (apply_s, 1e-6),
           ww_directory_count (kiosk, NULL));

  /* a kiosk that is nearly up to date: the last page of the log */
  {
    g_autoptr(GOutputStream) out = NULL;
    gint64 end;

    start = g_get_monotonic_time ();
    if (!write_page (relay, MAX (last - page, 0), page, &out, &end, &error))
      {
        g_printerr ("bench-sync: %s\n", error->message);
        return 1;
      }
    g_print ("write-last-page ms=%.1f changes=%d\n", seconds_since (start) * 1000, page);

    start = g_get_monotonic_time ();
    if (!write_page (relay, last, page, &out, &end, &error))
      {
        g_printerr ("bench-sync: %s\n", error->message);
        return 1;
      }
    g_print ("write-nothing-new ms=%.2f\n", seconds_since (start) * 1000);
  }

  /* a small delta: 100 listings changed at the relay */
  {
    g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);
    g_autoptr(GOutputStream) out = NULL;
    double write_small_s;

    for (guint i = 0; i < 100; i++)
      {
        WwProvider *provider = ww_generator_make_provider (1, i * 997 % count);

        ww_provider_set_field (provider, WW_PROVIDER_NAME, "Gewijzigde Praktijk");
        g_ptr_array_add (batch, provider);
      }
    start = g_get_monotonic_time ();
    if (!ww_directory_add_providers (relay, batch, "generated", &error))
      {
        g_printerr ("bench-sync: %s\n", error->message);
        return 1;
      }
    /* the same replaces made at the relay, for comparison */
    g_print ("relay-replace-100 ms=%.1f\n", seconds_since (start) * 1000);

    start = g_get_monotonic_time ();
    if (!write_page (relay, last, page, &out, &next, &error))
      {
        g_printerr ("bench-sync: %s\n", error->message);
        return 1;
      }
    write_small_s = seconds_since (start);
    start = g_get_monotonic_time ();
    if (!apply_stream (kiosk, out, next, &error))
      {
        g_printerr ("bench-sync: %s\n", error->message);
        return 1;
      }
    g_print ("delta-100 write ms=%.1f apply ms=%.1f\n", write_small_s * 1000, seconds_since (start) * 1000);
  }

  g_clear_object (&relay);
  g_clear_object (&kiosk);
  if (keep == NULL)
    remove_database (relay_path);
  remove_database (kiosk_path);
  g_rmdir (tmpdir);

  return 0;
}
