/* test-relay-store.c: the relay's SQLite store, without HTTP
 *
 * Many threads committing at once (one transaction each, or grouped),
 * look-ups on the store's reading connections, the booking index it
 * keeps in memory, and the schema's migrations.
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

/* One booking through the store as the booking route makes it, at @now
 * (seconds since the epoch). */
static gboolean
book_at (WwRelayStore  *store,
         gint64         now,
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

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

/* The same, now. */
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
  return book_at (store, now_seconds (), device_id, msg_id, key, reference,
                  answered_status, answered_body, error);
}

/* A booking the store refuses with @code, answering nothing. */
static void
assert_refused (WwRelayStore *store,
                const char   *msg_id,
                const char   *key,
                const char   *reference,
                int           code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  guint status = 0;

  g_assert_false (book (store, "kiosk", msg_id, key, reference, &status, &body, &error));
  g_assert_error (error, WW_RELAY_STORE_ERROR, code);
  g_assert_null (body);
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

typedef struct {
  WwRelayStore *store;
  const char   *msg_id;
  const char   *key;
  const char   *reference;
  GThread      *thread;
  gboolean      ok;
  char         *answer;
  GError       *error;
} OneBooking;

static gpointer
one_booking_thread (gpointer user_data)
{
  OneBooking *one = user_data;
  guint status = 0;

  one->ok = book (one->store, "kiosk", one->msg_id, one->key, one->reference,
                  &status, &one->answer, &one->error);
  return NULL;
}

/* Bookings that share a group's transaction see each other: the same key
 * twice makes one booking and one answer, and the same reference twice
 * is refused the second time. The group is made by holding the write
 * lock elsewhere while they queue behind a first booking. */
static void
test_group_sees_itself (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(WwRelayStoreSqlite) store = open_store (fixture);
  OneBooking bookings[] = {
    { .msg_id = "msg-a", .key = "key-a", .reference = "FIRST" },
    { .msg_id = "msg-b", .key = "dup", .reference = "DUP-B" },
    { .msg_id = "msg-c", .key = "dup", .reference = "DUP-C" },
    { .msg_id = "msg-d", .key = "key-d", .reference = "SAME" },
    { .msg_id = "msg-e", .key = "key-e", .reference = "SAME" },
  };
  sqlite3 *writer = NULL;
  guint taken = 0;

  ww_relay_store_sqlite_set_group_commit (store, TRUE);
  g_assert_cmpint (ww_relay_store_count_bookings (WW_RELAY_STORE (store), NULL), ==, 0);

  g_assert_cmpint (sqlite3_open (fixture->path, &writer), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (writer, "BEGIN IMMEDIATE", NULL, NULL, NULL), ==, SQLITE_OK);

  /* the first waits for the lock; the others queue behind it */
  for (guint i = 0; i < G_N_ELEMENTS (bookings); i++)
    {
      bookings[i].store = WW_RELAY_STORE (store);
      bookings[i].thread = g_thread_new ("booking", one_booking_thread, &bookings[i]);
      g_usleep (i == 0 ? 200 * 1000 : 20 * 1000);
    }
  g_usleep (200 * 1000);
  g_assert_cmpint (sqlite3_exec (writer, "ROLLBACK", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (writer);

  for (guint i = 0; i < G_N_ELEMENTS (bookings); i++)
    g_thread_join (bookings[i].thread);

  g_assert_true (bookings[0].ok);
  g_assert_true (bookings[1].ok);
  g_assert_true (bookings[2].ok);
  g_assert_cmpstr (bookings[1].answer, ==, bookings[2].answer);
  for (guint i = 3; i < 5; i++)
    if (!bookings[i].ok)
      {
        g_assert_error (bookings[i].error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_REFERENCE_TAKEN);
        taken++;
      }
  g_assert_cmpuint (taken, ==, 1);
  g_assert_cmpint (ww_relay_store_count_bookings (WW_RELAY_STORE (store), NULL), ==, 3);

  for (guint i = 0; i < G_N_ELEMENTS (bookings); i++)
    {
      g_free (bookings[i].answer);
      g_clear_error (&bookings[i].error);
    }
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
  gboolean seen = TRUE;
  guint status = 0;

  ww_relay_store_sqlite_set_group_commit (store, FALSE);

  g_assert_true (book (WW_RELAY_STORE (store), "kiosk", "msg-1", "key-1", "SAME", &status, &first, &error));
  g_assert_no_error (error);

  assert_refused (WW_RELAY_STORE (store), "msg-2", "key-2", "SAME",
                  WW_RELAY_STORE_ERROR_REFERENCE_TAKEN);

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

/* Schema 3 as relays of that version made it, frozen here: the
 * migrations in the store go on from it. */
static const char schema_3[] =
  "CREATE TABLE devices (id TEXT PRIMARY KEY, name TEXT NOT NULL, secret TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL, revoked_at INTEGER);"
  "CREATE TABLE bookings (id TEXT PRIMARY KEY, reference TEXT NOT NULL UNIQUE,"
  "  pin_hash TEXT NOT NULL, provider_id TEXT NOT NULL, status TEXT NOT NULL,"
  "  payload TEXT NOT NULL CHECK (json_valid (payload)), created_at INTEGER NOT NULL,"
  "  answer_status TEXT, answer_time TEXT, answer_reason TEXT, answered_at INTEGER,"
  "  delivered_at INTEGER);"
  "CREATE TABLE idempotency (device_id TEXT NOT NULL, key TEXT NOT NULL,"
  "  request_hash TEXT NOT NULL, status_code INTEGER NOT NULL, response_body TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL, PRIMARY KEY (device_id, key)) WITHOUT ROWID;"
  "CREATE INDEX idempotency_by_age ON idempotency (created_at);"
  "CREATE TABLE seen_messages (device_id TEXT NOT NULL, msg_id TEXT NOT NULL,"
  "  at INTEGER NOT NULL, PRIMARY KEY (device_id, msg_id)) WITHOUT ROWID;"
  "CREATE INDEX seen_messages_by_age ON seen_messages (at);"
  "CREATE TABLE pin_failures (key TEXT NOT NULL, at INTEGER NOT NULL);"
  "CREATE INDEX pin_failures_by_key ON pin_failures (key, at);"
  "CREATE INDEX pin_failures_by_age ON pin_failures (at);"
  "CREATE INDEX bookings_by_provider ON bookings (provider_id, created_at);"
  "CREATE TABLE providers (id TEXT PRIMARY KEY, webhook_url TEXT, secret TEXT,"
  "  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
  "CREATE TABLE inboxes (key_hash TEXT PRIMARY KEY,"
  "  provider_id TEXT NOT NULL REFERENCES providers (id), created_at INTEGER NOT NULL);"
  "CREATE TABLE deliveries (booking_id TEXT PRIMARY KEY REFERENCES bookings (id),"
  "  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL);"
  "CREATE INDEX deliveries_by_time ON deliveries (next_attempt_at);"
  "PRAGMA user_version = 3;";

/* A store of schema 3 is brought to 5 and keeps its bookings, the
 * answers kept for their keys, the message ids it had, and its
 * deliveries. */
static void
test_migrates_from_3 (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(WwRelayStoreSqlite) store = NULL;
  g_autoptr(WwRelayBooking) booking = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "{\"note\":\"key-1\"}", -1);
  g_autofree char *old = NULL;
  g_autofree char *kept = NULL;
  gint64 now = now_seconds ();
  guint status = 0;

  exec_on (fixture->path, schema_3);
  old = g_strdup_printf ("INSERT INTO bookings (id, reference, pin_hash, provider_id, status, payload, created_at) "
                         "VALUES ('old-1', 'OLD', 'sha256$00$00', 'sample-clinic-1', 'received', "
                         "        '{\"note\":\"key-1\"}', %" G_GINT64_FORMAT "),"
                         "       ('old-2', 'HOOK', 'sha256$00$00', 'webhook-clinic', 'received', "
                         "        '{\"note\":\"key-2\"}', %" G_GINT64_FORMAT ");"
                         "INSERT INTO idempotency VALUES ('kiosk', 'key-1', '%s', 201, "
                         "  '{\"reference\":\"OLD\"}', %" G_GINT64_FORMAT ");"
                         "INSERT INTO seen_messages VALUES ('kiosk', 'msg-1', %" G_GINT64_FORMAT ");"
                         "INSERT INTO providers VALUES ('webhook-clinic', 'https://clinic.invalid/hook', "
                         "  'whsec_c2FtcGxl', 0, 0);"
                         "INSERT INTO deliveries VALUES ('old-2', 3, %" G_GINT64_FORMAT ");",
                         now - 60, now - 30, hash, now - 60, now - 60, now - 5);
  exec_on (fixture->path, old);

  store = open_store (fixture);
  g_assert_cmpint (query_int (fixture->path, "PRAGMA user_version"), ==, 5);
  g_assert_cmpint (query_int (fixture->path,
                              "SELECT count(*) FROM sqlite_schema WHERE name IN "
                              "('idempotency', 'idempotency_by_age', 'seen_messages_by_age', "
                              " 'bookings_by_provider')"),
                   ==, 0);

  /* the key is still known: the same answer, and no second booking */
  g_assert_true (book (WW_RELAY_STORE (store), "kiosk", "msg-2", "key-1", "NEW", &status, &kept, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (kept, ==, "{\"reference\":\"OLD\"}");
  g_assert_cmpint (ww_relay_store_count_bookings (WW_RELAY_STORE (store), NULL), ==, 2);

  /* so is the message id */
  assert_refused (WW_RELAY_STORE (store), "msg-1", "key-9", "NINE",
                  WW_RELAY_STORE_ERROR_REPLAYED);

  booking = ww_relay_store_lookup_booking (WW_RELAY_STORE (store), "OLD", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (booking->id, ==, "old-1");
  g_assert_cmpint (booking->created_at, ==, now - 60);

  listed = ww_relay_store_list_provider_bookings (WW_RELAY_STORE (store), "webhook-clinic", 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 1);

  due = ww_relay_store_due_deliveries (WW_RELAY_STORE (store), now, 10, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 1);
  g_assert_cmpstr (((WwRelayDelivery *) g_ptr_array_index (due, 0))->booking_id, ==, "old-2");
  g_assert_cmpuint (((WwRelayDelivery *) g_ptr_array_index (due, 0))->attempts, ==, 3);
  g_assert_cmpint (((WwRelayDelivery *) g_ptr_array_index (due, 0))->created_at, ==, now - 30);

  g_assert_cmpint (query_int (fixture->path,
                              "SELECT count(*) FROM pragma_integrity_check WHERE integrity_check <> 'ok'"),
                   ==, 0);
}

/* A booking's commit writes one B-tree, and what finds bookings is
 * built again from the rows when a store opens: ids, references,
 * providers, kept answers and message ids. */
static void
test_index_rebuilt (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *again = NULL;
  g_autofree char *id = NULL;
  guint status = 0;

  {
    g_autoptr(WwRelayStoreSqlite) store = open_store (fixture);

    g_assert_true (book (WW_RELAY_STORE (store), "kiosk", "msg-1", "key-1", "FIRST", &status, &first, &error));
    g_assert_no_error (error);
    g_assert_true (book (WW_RELAY_STORE (store), "kiosk", "msg-2", "key-2", "SECOND", &status, &second, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (query_int (fixture->path,
                              "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'bookings'"),
                   ==, 0);

  {
    g_autoptr(WwRelayStoreSqlite) store = open_store (fixture);
    g_autoptr(WwRelayBooking) booking = NULL;
    g_autoptr(WwRelayBooking) by_id = NULL;
    g_autoptr(GPtrArray) listed = NULL;

    /* the same key: the same answer */
    g_assert_true (book (WW_RELAY_STORE (store), "kiosk", "msg-3", "key-1", "THIRD", &status, &again, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (again, ==, first);

    /* a message id had by a booking before */
    assert_refused (WW_RELAY_STORE (store), "msg-2", "key-4", "FOURTH",
                    WW_RELAY_STORE_ERROR_REPLAYED);

    /* a reference taken before */
    assert_refused (WW_RELAY_STORE (store), "msg-5", "key-5", "SECOND",
                    WW_RELAY_STORE_ERROR_REFERENCE_TAKEN);

    booking = ww_relay_store_lookup_booking (WW_RELAY_STORE (store), "SECOND", &error);
    g_assert_no_error (error);
    id = g_strdup (booking->id);
    by_id = ww_relay_store_lookup_booking_by_id (WW_RELAY_STORE (store), id, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (by_id->reference, ==, "SECOND");

    /* the newest first */
    listed = ww_relay_store_list_provider_bookings (WW_RELAY_STORE (store), "sample-clinic-1", 10, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (listed->len, ==, 2);
    g_assert_cmpstr (((WwRelayBooking *) g_ptr_array_index (listed, 0))->reference, ==, "SECOND");
    g_assert_cmpstr (((WwRelayBooking *) g_ptr_array_index (listed, 1))->reference, ==, "FIRST");

    g_assert_null (ww_relay_store_lookup_booking (WW_RELAY_STORE (store), "NONE", &error));
    g_assert_error (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_NOT_FOUND);
    g_clear_error (&error);
    g_assert_cmpint (ww_relay_store_count_bookings (WW_RELAY_STORE (store), NULL), ==, 2);
  }
}

/* Two stores on one file, as two processes would have: each sees the
 * other's bookings, keys and references, for look-ups and before it
 * writes. */
static void
test_index_follows_other_writers (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(WwRelayStoreSqlite) one = open_store (fixture);
  g_autoptr(WwRelayStoreSqlite) other = open_store (fixture);
  g_autoptr(WwRelayBooking) booking = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *again = NULL;
  g_autofree char *third = NULL;
  guint status = 0;

  /* the other has its index already, from before */
  g_assert_cmpint (ww_relay_store_count_bookings (WW_RELAY_STORE (other), NULL), ==, 0);

  g_assert_true (book (WW_RELAY_STORE (one), "kiosk", "msg-1", "key-1", "ONE", &status, &first, &error));
  g_assert_no_error (error);

  booking = ww_relay_store_lookup_booking (WW_RELAY_STORE (other), "ONE", &error);
  g_assert_no_error (error);
  g_assert_nonnull (booking);

  g_assert_true (book (WW_RELAY_STORE (other), "kiosk", "msg-2", "key-1", "TWO", &status, &again, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (again, ==, first);

  g_assert_true (book (WW_RELAY_STORE (one), "kiosk", "msg-3", "key-3", "THREE", &status, &third, &error));
  g_assert_no_error (error);
  assert_refused (WW_RELAY_STORE (other), "msg-4", "key-4", "THREE",
                  WW_RELAY_STORE_ERROR_REFERENCE_TAKEN);
  assert_refused (WW_RELAY_STORE (other), "msg-3", "key-5", "FIVE",
                  WW_RELAY_STORE_ERROR_REPLAYED);

  g_assert_cmpint (ww_relay_store_count_bookings (WW_RELAY_STORE (other), NULL), ==, 2);
}

/* Kept answers hold the PIN: past the promise (24 hours, and an hour
 * more) they are cleared from their booking's row, and the key may make
 * a new booking. */
static void
test_old_keys_forgotten (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(WwRelayStoreSqlite) store = open_store (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char *old = NULL;
  g_autofree char *recent = NULL;
  g_autofree char *now_body = NULL;
  g_autofree char *anew = NULL;
  g_autofree char *kept = NULL;
  gint64 now = now_seconds ();
  guint status = 0;

  g_assert_true (book_at (WW_RELAY_STORE (store), now - 26 * 3600, "kiosk", "msg-1", "key-old", "OLD",
                          &status, &old, &error));
  g_assert_no_error (error);
  g_assert_true (book_at (WW_RELAY_STORE (store), now - 23 * 3600, "kiosk", "msg-2", "key-recent", "RECENT",
                          &status, &recent, &error));
  g_assert_no_error (error);
  g_assert_true (book_at (WW_RELAY_STORE (store), now, "kiosk", "msg-3", "key-now", "NOW",
                          &status, &now_body, &error));
  g_assert_no_error (error);

  g_assert_cmpint (query_int (fixture->path,
                              "SELECT count(*) FROM bookings WHERE response_body IS NOT NULL"),
                   ==, 2);
  g_assert_cmpint (query_int (fixture->path,
                              "SELECT count(*) FROM bookings WHERE reference = 'OLD' AND "
                              "request_hash IS NULL AND response_body IS NULL"),
                   ==, 1);

  /* the old key makes a new booking; the recent one is kept */
  g_assert_true (book_at (WW_RELAY_STORE (store), now, "kiosk", "msg-4", "key-old", "ANEW",
                          &status, &anew, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (anew, ==, "{\"reference\":\"ANEW\"}");
  g_assert_true (book_at (WW_RELAY_STORE (store), now, "kiosk", "msg-5", "key-recent", "AGAIN",
                          &status, &kept, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (kept, ==, recent);
  g_assert_cmpint (ww_relay_store_count_bookings (WW_RELAY_STORE (store), NULL), ==, 4);
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

/* Many kept answers due at once are cleared a few hundred per booking's
 * transaction, so that no one commit grows large, until none is left. */
static void
test_old_keys_forgotten_in_steps (Fixture       *fixture,
                                  gconstpointer  data)
{
  g_autoptr(WwRelayStoreSqlite) store = open_store (fixture);
  g_autoptr(GError) error = NULL;
  gint64 now = now_seconds ();
  guint status = 0;

  for (guint i = 0; i < 300; i++)
    {
      g_autofree char *msg_id = g_strdup_printf ("msg-old-%u", i);
      g_autofree char *key = g_strdup_printf ("key-old-%u", i);
      g_autofree char *reference = g_strdup_printf ("OLD%u", i);
      g_autofree char *body = NULL;

      g_assert_true (book_at (WW_RELAY_STORE (store), now - 26 * 3600, "kiosk", msg_id, key, reference,
                              &status, &body, &error));
      g_assert_no_error (error);
    }

  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *msg_id = g_strdup_printf ("msg-new-%u", i);
      g_autofree char *key = g_strdup_printf ("key-new-%u", i);
      g_autofree char *reference = g_strdup_printf ("NEW%u", i);
      g_autofree char *body = NULL;

      g_assert_true (book_at (WW_RELAY_STORE (store), now, "kiosk", msg_id, key, reference,
                              &status, &body, &error));
      g_assert_no_error (error);
      /* 256 of the old ones go with the first, the rest with the next */
      g_assert_cmpint (query_int (fixture->path,
                                  "SELECT count(*) FROM bookings WHERE response_body IS NOT NULL"),
                       ==, i == 0 ? 300 - 256 + 1 : 2);
    }
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
  ADD ("/relay-store/commits/group-sees-itself", NULL, test_group_sees_itself);
  ADD ("/relay-store/commits/refused-alone-keeps-nothing", NULL, test_refused_alone_keeps_nothing);
  ADD ("/relay-store/readers/see-commits", NULL, test_readers_see_commits);
  ADD ("/relay-store/schema/migrates-from-3", NULL, test_migrates_from_3);
  ADD ("/relay-store/index/rebuilt-on-open", NULL, test_index_rebuilt);
  ADD ("/relay-store/index/follows-other-writers", NULL, test_index_follows_other_writers);
  ADD ("/relay-store/index/old-keys-forgotten", NULL, test_old_keys_forgotten);
  ADD ("/relay-store/index/old-keys-forgotten-in-steps", NULL, test_old_keys_forgotten_in_steps);
  ADD ("/relay-store/schema/too-new", NULL, test_too_new);

#undef ADD

  return g_test_run ();
}
