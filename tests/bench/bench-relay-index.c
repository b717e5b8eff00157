/* bench-relay-index.c: what the relay store's booking index costs
 *
 *   bench-relay-index [--bookings N] [--dir DIR]
 *
 * The relay keeps what finds a booking (id, reference, provider, kept
 * Idempotency-Key, message id) in memory and builds it from the bookings
 * table the first time it is asked. This fills a store with N fictional
 * bookings (default 1 000 000, a day's worth with kept answers), then
 * opens it afresh and prints how long the first look-up takes to build
 * the index and how much memory the index holds. Never run by
 * `meson test`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

#include "ww-relay-store-sqlite.h"

#define PROVIDERS 40
#define BOOKINGS_PER_DAY 5000

/* Resident memory of this process, in bytes. */
static gint64
resident_bytes (void)
{
  g_autofree char *statm = NULL;
  long pages = 0, resident = 0;

  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL) ||
      sscanf (statm, "%ld %ld", &pages, &resident) != 2)
    return -1;
  return (gint64) resident * sysconf (_SC_PAGESIZE);
}

static gboolean
fill (const char  *path,
      guint        count,
      GError     **error)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *insert = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gboolean ok = FALSE;

  if (sqlite3_open (path, &db) != SQLITE_OK ||
      sqlite3_exec (db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2 (db,
                          "INSERT INTO bookings (id, reference, pin_hash, provider_id, status, payload, "
                          "  created_at, device_id, msg_id, idempotency_key, request_hash, status_code, "
                          "  response_body) "
                          "VALUES (?, ?, 'sha256$00$00', ?, 'received', ?, ?, 'kiosk-1', ?, ?, ?, ?, ?)",
                          -1, &insert, NULL) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "filling %s: %s", path, sqlite3_errmsg (db));
      goto out;
    }

  for (guint i = 0; i < count; i++)
    {
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *msg_id = g_uuid_string_random ();
      g_autofree char *key = g_uuid_string_random ();
      g_autofree char *reference = g_strdup_printf ("S%07X", i);
      g_autofree char *provider = g_strdup_printf ("sample-provider-%u", i % PROVIDERS);
      g_autofree char *payload = g_strdup_printf ("{\"provider_id\":\"%s\",\"fields\":{\"topic\":\"sti-test\"},"
                                                  "\"contact\":{\"method\":\"none\"},\"name\":\"Sample Visitor\","
                                                  "\"language\":\"nl\",\"consent\":true}", provider);
      /* spread over the days before now; only the last day keeps answers */
      gint64 at = now - (gint64) (count - i) * 86400 / BOOKINGS_PER_DAY;
      gboolean kept = now - at < 86400;

      sqlite3_bind_text (insert, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 2, reference, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 3, provider, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 4, payload, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (insert, 5, at);
      sqlite3_bind_text (insert, 6, msg_id, -1, SQLITE_TRANSIENT);
      if (kept)
        {
          sqlite3_bind_text (insert, 7, key, -1, SQLITE_TRANSIENT);
          sqlite3_bind_text (insert, 8, "0000000000000000000000000000000000000000000000000000000000000000", -1, SQLITE_STATIC);
          sqlite3_bind_int (insert, 9, 201);
          sqlite3_bind_text (insert, 10, "{\"reference\":\"sample\"}", -1, SQLITE_STATIC);
        }
      if (sqlite3_step (insert) != SQLITE_DONE)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "filling %s: %s", path, sqlite3_errmsg (db));
          goto out;
        }
      sqlite3_reset (insert);
      sqlite3_clear_bindings (insert);
    }
  if (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "filling %s: %s", path, sqlite3_errmsg (db));
      goto out;
    }
  ok = TRUE;

out:
  sqlite3_finalize (insert);
  sqlite3_close (db);
  return ok;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— the relay store's booking index");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(WwRelayStoreSqlite) store = NULL;
  g_autoptr(WwRelayBooking) booking = NULL;
  int bookings = 1000000;
  char *base = NULL;
  gint64 before, after, started, built, looked_up;
  gint64 counted;
  GOptionEntry entries[] = {
    { "bookings", 0, 0, G_OPTION_ARG_INT, &bookings, "Bookings in the store (default 1000000)", "N" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &base, "Where the store goes (default: a new temporary directory)", "DIR" },
    G_OPTION_ENTRY_NULL
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || bookings <= 0)
    {
      g_printerr ("bench-relay-index: %s\n", error ? error->message : "--bookings must be positive");
      return 2;
    }

  dir = base ? g_build_filename (base, "bench-relay-index-XXXXXX", NULL)
             : g_build_filename (g_get_tmp_dir (), "bench-relay-index-XXXXXX", NULL);
  if (g_mkdtemp (dir) == NULL)
    {
      g_printerr ("bench-relay-index: cannot make %s\n", dir);
      return 1;
    }
  path = g_build_filename (dir, "relay.db", NULL);

  /* the schema, then the rows */
  store = ww_relay_store_sqlite_new (path, &error);
  if (store == NULL)
    goto failed;
  g_clear_object (&store);
  if (!fill (path, bookings, &error))
    goto failed;

  store = ww_relay_store_sqlite_new (path, &error);
  if (store == NULL)
    goto failed;

  before = resident_bytes ();
  started = g_get_monotonic_time ();
  counted = ww_relay_store_count_bookings (WW_RELAY_STORE (store), &error);
  built = g_get_monotonic_time ();
  after = resident_bytes ();
  if (counted < 0)
    goto failed;

  booking = ww_relay_store_lookup_booking (WW_RELAY_STORE (store), "S0000000", &error);
  looked_up = g_get_monotonic_time ();
  if (booking == NULL)
    goto failed;

  g_print ("store:        %s\n", path);
  g_print ("bookings:     %" G_GINT64_FORMAT " (%u providers, %u a day; the last day's answers kept)\n",
           counted, PROVIDERS, BOOKINGS_PER_DAY);
  g_print ("index built:  %.2f s on the first look-up after opening\n",
           (built - started) / (double) G_USEC_PER_SEC);
  g_print ("memory:       %.1f MiB resident for the index, %.0f bytes a booking\n",
           (after - before) / (1024.0 * 1024.0), (after - before) / (double) counted);
  g_print ("next look-up: %.2f ms (by reference; the first, so it opens a reading connection)\n",
           (looked_up - built) / 1000.0);

  g_clear_object (&store);
  g_unlink (path);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (dir);
  g_free (base);
  return 0;

failed:
  g_printerr ("bench-relay-index: %s\n", error->message);
  g_free (base);
  return 1;
}
