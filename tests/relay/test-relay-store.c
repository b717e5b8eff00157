/* test-relay-store.c: the relay's SQLite store, without HTTP
 *
 * Many threads committing at once (one transaction each, or grouped),
 * look-ups on the store's reading connections, and the schema's
 * migrations.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "ww-relay-store-sqlite.h"

#define N_THREADS      8
#define N_OWN_BOOKINGS 25
#define N_SHARED_KEYS  5
#define CREATED        201

typedef struct {
  char *dir;
  char *path;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("test-relay-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->dir, "relay.db", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (fixture->dir, name, NULL);

      g_unlink (file);
    }
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->path);
}

static WwRelayStoreSqlite *
open_store (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  WwRelayStoreSqlite *store = ww_relay_store_sqlite_new (fixture->path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

/* One booking through the store as the booking route makes it. */
static gboolean
book (WwRelayStore  *store,
      const char    *device_id,
      const char    *msg_id,
      const char    *key,
      const char    *reference,
      guint         *answered_status,
      char         **answered_body,
      GError       **error)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *payload = g_strdup_printf ("{\"note\":\"%s\"}", key);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, payload, -1);
  g_autofree char *response = g_strdup_printf ("{\"reference\":\"%s\"}", reference);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  WwRelayNewBooking booking = {
    .id = id, .reference = reference, .pin_hash = "sha256$00$00", .provider_id = "sample-clinic-1",
    .status = WW_RELAY_STATUS_RECEIVED, .payload = payload, .created_at = now,
  };
  WwRelayRequestKeys keys = {
    .device_id = device_id, .msg_id = msg_id, .idempotency_key = key, .request_hash = hash, .now = now,
  };

  return ww_relay_store_create_booking (store, &keys, &booking, CREATED, response,
                                        answered_status, answered_body, error);
}

typedef struct {
  WwRelayStore *store;
  guint         number;
  GThread      *thread;
  /* what each shared key was answered to this thread */
  char         *shared_answers[N_SHARED_KEYS];
  guint         failures;
} Sender;

static gpointer
sender_thread (gpointer user_data)
{
  Sender *sender = user_data;

  for (guint i = 0; i < N_OWN_BOOKINGS + N_SHARED_KEYS; i++)
    {
      gboolean shared = i >= N_OWN_BOOKINGS;
      g_autofree char *msg_id = g_strdup_printf ("msg-%u-%u", sender->number, i);
      g_autofree char *key = shared
                             ? g_strdup_printf ("shared-%u", i - N_OWN_BOOKINGS)
                             : g_strdup_printf ("own-%u-%u", sender->number, i);
      g_autofree char *reference = g_strdup_printf ("R%u-%u", sender->number, i);
      g_autoptr(GError) error = NULL;
      g_autofree char *body = NULL;
      guint status = 0;

      if (!book (sender->store, "kiosk", msg_id, key, reference, &status, &body, &error) ||
          status != CREATED)
        {
          g_test_message ("thread %u, booking %u: %s", sender->number, i,
                          error ? error->message : "not answered 201");
          sender->failures++;
          continue;
        }

      if (shared)
        sender->shared_answers[i - N_OWN_BOOKINGS] = g_steal_pointer (&body);
      else
        {
          /* its own answer, not another thread's */
          g_autofree char *expected = g_strdup_printf ("{\"reference\":\"%s\"}", reference);

          if (g_strcmp0 (body, expected) != 0)
            {
              g_test_message ("thread %u, booking %u answered %s", sender->number, i, body);
              sender->failures++;
            }
        }
    }
  return NULL;
}

/* Threads that book at once all get their own answers, each key makes
 * one booking, and the same key gets the same answer on every thread,
 * with and without group commit. */
static void
test_concurrent_commits (Fixture       *fixture,
                         gconstpointer  data)
{
  gboolean group_commit = GPOINTER_TO_INT (data);
  g_autoptr(WwRelayStoreSqlite) store = open_store (fixture);
  g_autoptr(GError) error = NULL;
  Sender senders[N_THREADS] = { 0 };

  ww_relay_store_sqlite_set_group_commit (store, group_commit);

  for (guint t = 0; t < N_THREADS; t++)
    {
      senders[t].store = WW_RELAY_STORE (store);
      senders[t].number = t;
      senders[t].thread = g_thread_new ("sender", sender_thread, &senders[t]);
    }
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (senders[t].thread);

  for (guint t = 0; t < N_THREADS; t++)
    {
      g_assert_cmpuint (senders[t].failures, ==, 0);
      for (guint k = 0; k < N_SHARED_KEYS; k++)
        g_assert_cmpstr (senders[t].shared_answers[k], ==, senders[0].shared_answers[k]);
    }
  g_assert_cmpint (ww_relay_store_count_bookings (WW_RELAY_STORE (store), &error),
                   ==, N_THREADS * N_OWN_BOOKINGS + N_SHARED_KEYS);
  g_assert_no_error (error);

  for (guint t = 0; t < N_THREADS; t++)
    for (guint k = 0; k < N_SHARED_KEYS; k++)
      g_free (senders[t].shared_answers[k]);
}

/* A booking refused on its own (its reference is taken) keeps nothing:
 * not even its message id, so that the route can try again with
 * another reference under the same signature. */
static void
test_refused_alone_keeps_nothing (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(WwRelayStoreSqlite) store = open_store (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *again = NULL;
  g_autofree char *refused = NULL;
  gboolean seen = TRUE;
  guint status = 0;

  ww_relay_store_sqlite_set_group_commit (store, FALSE);

  g_assert_true (book (WW_RELAY_STORE (store), "kiosk", "msg-1", "key-1", "SAME", &status, &first, &error));
  g_assert_no_error (error);

  g_assert_false (book (WW_RELAY_STORE (store), "kiosk", "msg-2", "key-2", "SAME", &status, &refused, &error));
  g_assert_error (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_REFERENCE_TAKEN);
  g_assert_null (refused);
  g_clear_error (&error);

  g_assert_true (ww_relay_store_message_seen (WW_RELAY_STORE (store), "kiosk", "msg-2", &seen, &error));
  g_assert_no_error (error);
  g_assert_false (seen);

  g_assert_true (book (WW_RELAY_STORE (store), "kiosk", "msg-2", "key-2", "OTHER", &status, &again, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, "{\"reference\":\"OTHER\"}");
  g_assert_cmpint (ww_relay_store_count_bookings (WW_RELAY_STORE (store), NULL), ==, 2);
}

/* Look-ups go through reading connections: they see every commit made
 * before them, the relay's own and another process's (the admin tool
 * revoking a kiosk), and do not wait for a writer. */
static void
test_readers_see_commits (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(WwRelayStoreSqlite) store = open_store (fixture);
  g_autoptr(WwRelayStoreSqlite) admin = open_store (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char *device_id = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *found = NULL;
  g_autofree char *body = NULL;
  g_autoptr(WwRelayBooking) booking = NULL;
  sqlite3 *writer = NULL;
  gboolean revoked = TRUE;
  guint status = 0;

  g_assert_true (ww_relay_store_add_device (WW_RELAY_STORE (admin), "Kiosk", &device_id, &secret, &error));
  g_assert_no_error (error);
  g_assert_true (ww_relay_store_lookup_device (WW_RELAY_STORE (store), device_id, &found, &revoked, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, secret);
  g_assert_false (revoked);

  g_assert_true (book (WW_RELAY_STORE (store), device_id, "msg-1", "key-1", "LOOKUP", &status, &body, &error));
  g_assert_no_error (error);

  /* another connection holds the write lock meanwhile */
  g_assert_cmpint (sqlite3_open (fixture->path, &writer), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (writer, "BEGIN IMMEDIATE; DELETE FROM bookings", NULL, NULL, NULL), ==, SQLITE_OK);

  booking = ww_relay_store_lookup_booking (WW_RELAY_STORE (store), "LOOKUP", &error);
  g_assert_no_error (error);
  g_assert_nonnull (booking);
  g_assert_cmpstr (booking->status, ==, WW_RELAY_STATUS_RECEIVED);

  g_assert_cmpint (sqlite3_exec (writer, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (writer);

  g_assert_true (ww_relay_store_revoke_device (WW_RELAY_STORE (admin), device_id, &error));
  g_assert_no_error (error);
  g_clear_pointer (&found, g_free);
  g_assert_true (ww_relay_store_lookup_device (WW_RELAY_STORE (store), device_id, &found, &revoked, &error));
  g_assert_no_error (error);
  g_assert_true (revoked);
}

static int
query_int (const char *path,
           const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int value;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

static void
exec_on (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  sqlite3_close (db);
}

/* A store of schema 3 (with the two age indexes that every booking
 * paid a page for) is brought to 4 and keeps its bookings and keys. */
static void
test_migrates_from_3 (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *kept = NULL;
  guint status = 0;

  {
    g_autoptr(WwRelayStoreSqlite) store = open_store (fixture);

    g_assert_true (book (WW_RELAY_STORE (store), "kiosk", "msg-1", "key-1", "OLD", &status, &body, &error));
    g_assert_no_error (error);
  }
  exec_on (fixture->path,
           "CREATE INDEX idempotency_by_age ON idempotency (created_at);"
           "CREATE INDEX seen_messages_by_age ON seen_messages (at);"
           "PRAGMA user_version = 3;");

  {
    g_autoptr(WwRelayStoreSqlite) store = open_store (fixture);

    /* the key is still known: the same answer */
    g_assert_true (book (WW_RELAY_STORE (store), "kiosk", "msg-2", "key-1", "NEW", &status, &kept, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (kept, ==, body);
    g_assert_cmpint (ww_relay_store_count_bookings (WW_RELAY_STORE (store), NULL), ==, 1);
  }

  g_assert_cmpint (query_int (fixture->path, "PRAGMA user_version"), ==, 4);
  g_assert_cmpint (query_int (fixture->path,
                              "SELECT count(*) FROM sqlite_schema WHERE type = 'index' "
                              "AND name IN ('idempotency_by_age', 'seen_messages_by_age')"),
                   ==, 0);
}

/* A store from a newer relay is left alone, with a message that says
 * what to do. */
static void
test_too_new (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(WwRelayStoreSqlite) store = NULL;
  g_autoptr(GError) error = NULL;

  store = open_store (fixture);
  g_clear_object (&store);
  exec_on (fixture->path, "PRAGMA user_version = 99");

  store = ww_relay_store_sqlite_new (fixture->path, &error);
  g_assert_null (store);
  g_assert_error (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_TOO_NEW);
  g_assert_nonnull (strstr (error->message, "update the relay"));
  g_assert_cmpint (query_int (fixture->path, "PRAGMA user_version"), ==, 99);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, data, func) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  ADD ("/relay-store/commits/one-each", GINT_TO_POINTER (FALSE), test_concurrent_commits);
  ADD ("/relay-store/commits/grouped", GINT_TO_POINTER (TRUE), test_concurrent_commits);
  ADD ("/relay-store/commits/refused-alone-keeps-nothing", NULL, test_refused_alone_keeps_nothing);
  ADD ("/relay-store/readers/see-commits", NULL, test_readers_see_commits);
  ADD ("/relay-store/schema/migrates-from-3", NULL, test_migrates_from_3);
  ADD ("/relay-store/schema/too-new", NULL, test_too_new);

#undef ADD

  return g_test_run ();
}
