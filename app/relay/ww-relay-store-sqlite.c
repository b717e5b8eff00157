/* ww-relay-store-sqlite.c: the relay's embedded SQLite store
 *
 * One connection writes, shared by the relay's worker threads under a
 * lock; look-ups have connections of their own (see take_reader()).
 * WAL with synchronous=FULL: a commit is on disk when sqlite3_step() of
 * COMMIT returns, which is what lets the relay answer 2xx only for what
 * it cannot lose.
 *
 * Bookings are written by whichever thread is committing: bookings that
 * arrive while it syncs wait in a queue, and it writes them next, back
 * to back, with no thread to wake between one sync and the next. With
 * group commit it writes all that wait in one transaction (each in its
 * own savepoint, so that one refused booking does not take the others
 * with it) and one sync; without, one transaction and sync each.
 * Nobody is answered before the sync that holds their booking.
 *
 * A booking's commit writes one row and nothing else: bookings is a
 * table in order of arrival with no index of its own, so that a commit
 * costs the pages of one B-tree, as a bare insert does. What finds a
 * booking (its id, its reference, its provider, its Idempotency-Key and
 * message id) is kept in memory instead, see catch_up().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-relay-store-sqlite"

#include "config.h"

#include <sqlite3.h>

#include "ww-relay-store-sqlite.h"

/* One booking waiting for a commit. */
typedef struct {
  const WwRelayRequestKeys *keys;
  const WwRelayNewBooking  *booking;
  guint                     status_code;
  const char               *response_body;
  /* signalled when it is done, or when its thread is to commit */
  GCond                     wake;
  /* the outcome, set by whoever commits it */
  gboolean                  done;
  gboolean                  found;
  guint                     answered_status;
  char                     *answered_body;
  GError                   *error;
} BookingJob;

struct _WwRelayStoreSqlite
{
  GObject   parent_instance;

  sqlite3  *db;
  char     *path;
  GHashTable *statements;     /* SQL → sqlite3_stmt *, see prepare() */
  gint64    forgot_at;        /* when old keys and message ids last went */

  /* one user of the connection at a time; a transaction holds it from
   * BEGIN to COMMIT */
  GMutex    db_lock;

  /* the commit queue, see create_booking() */
  GMutex    commit_lock;
  GQueue    waiting;          /* BookingJob *, not yet taken */
  gboolean  committing;       /* a thread is writing a group */
  gboolean  group_commit;

  /* connections for look-ups, see take_reader() */
  GMutex    readers_lock;
  GPtrArray *idle_readers;    /* Reader * */

  /* the booking index, see catch_up(); index_lock is taken after
   * db_lock, never before it */
  GMutex      index_lock;
  gint64      indexed_through;   /* the last row of bookings in it */
  GHashTable *by_id;             /* id → IndexedBooking * */
  GHashTable *by_reference;      /* reference → IndexedBooking * */
  GHashTable *by_provider;       /* provider id → GArray of gint64 rows, in order */
  GHashTable *kept_keys;         /* device and Idempotency-Key → Remembered * */
  GQueue      kept_queue;        /* the same, oldest first */
  GHashTable *seen_messages;     /* device and message id of a booking → Remembered * */
  GQueue      seen_queue;        /* the same, oldest first */
  gint64      keys_forgotten_through;  /* rows up to this have their kept answer cleared */
};

/* A booking as the index knows it. */
typedef struct {
  gint64  n;        /* its row */
  char   *id;
  char   *reference;
} IndexedBooking;

/* An Idempotency-Key or message id of a booking, while it counts. */
typedef struct {
  gint64  n;        /* the booking's row */
  gint64  at;
  char   *key;      /* see pair_key() */
} Remembered;

static void ww_relay_store_sqlite_iface_init (WwRelayStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (WwRelayStoreSqlite, ww_relay_store_sqlite, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (WW_TYPE_RELAY_STORE,
                                                      ww_relay_store_sqlite_iface_init))

/* Numbered migrations: migrations[i] takes user_version i to i + 1.
 * Never edit one that has shipped; add the next. */
static const char *migrations[] = {
  /* 0 → 1 */
  "CREATE TABLE devices ("
  "  id TEXT PRIMARY KEY,"
  "  name TEXT NOT NULL,"
  "  secret TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  revoked_at INTEGER"
  ");"
  "CREATE TABLE bookings ("
  "  id TEXT PRIMARY KEY,"
  "  reference TEXT NOT NULL UNIQUE,"
  "  pin_hash TEXT NOT NULL,"
  "  provider_id TEXT NOT NULL,"
  "  status TEXT NOT NULL,"
  "  payload TEXT NOT NULL CHECK (json_valid (payload)),"
  "  created_at INTEGER NOT NULL"
  ");"
  "CREATE TABLE idempotency ("
  "  device_id TEXT NOT NULL,"
  "  key TEXT NOT NULL,"
  "  request_hash TEXT NOT NULL,"
  "  status_code INTEGER NOT NULL,"
  "  response_body TEXT NOT NULL,"
  "  created_at INTEGER NOT NULL,"
  "  PRIMARY KEY (device_id, key)"
  ") WITHOUT ROWID;"
  "CREATE INDEX idempotency_by_age ON idempotency (created_at);"
  "CREATE TABLE seen_messages ("
  "  device_id TEXT NOT NULL,"
  "  msg_id TEXT NOT NULL,"
  "  at INTEGER NOT NULL,"
  "  PRIMARY KEY (device_id, msg_id)"
  ") WITHOUT ROWID;"
  "CREATE INDEX seen_messages_by_age ON seen_messages (at);",
  /* 1 → 2: wrong PINs, one row each, under a reference or a client */
  "CREATE TABLE pin_failures ("
  "  key TEXT NOT NULL,"
  "  at INTEGER NOT NULL"
  ");"
  "CREATE INDEX pin_failures_by_key ON pin_failures (key, at);"
  "CREATE INDEX pin_failures_by_age ON pin_failures (at);",
  /* 2 → 3: providers, their answers, and webhook deliveries */
  "ALTER TABLE bookings ADD COLUMN answer_status TEXT;"
  "ALTER TABLE bookings ADD COLUMN answer_time TEXT;"
  "ALTER TABLE bookings ADD COLUMN answer_reason TEXT;"
  "ALTER TABLE bookings ADD COLUMN answered_at INTEGER;"
  "ALTER TABLE bookings ADD COLUMN delivered_at INTEGER;"
  "CREATE INDEX bookings_by_provider ON bookings (provider_id, created_at);"
  "CREATE TABLE providers ("
  "  id TEXT PRIMARY KEY,"
  "  webhook_url TEXT,"
  "  secret TEXT,"
  "  created_at INTEGER NOT NULL,"
  "  updated_at INTEGER NOT NULL"
  ");"
  "CREATE TABLE inboxes ("
  "  key_hash TEXT PRIMARY KEY,"
  "  provider_id TEXT NOT NULL REFERENCES providers (id),"
  "  created_at INTEGER NOT NULL"
  ");"
  "CREATE TABLE deliveries ("
  "  booking_id TEXT PRIMARY KEY REFERENCES bookings (id),"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt_at INTEGER NOT NULL"
  ");"
  "CREATE INDEX deliveries_by_time ON deliveries (next_attempt_at);",
  /* 3 → 4: every index is one more page in each booking's commit and
   * sync; old keys and message ids are forgotten once a minute, which a
   * scan of a day's keys does as well without them */
  "DROP INDEX idempotency_by_age;"
  "DROP INDEX seen_messages_by_age;",
  /* 4 → 5: a booking's commit wrote six B-trees (the table, its id,
   * reference and provider indexes, its idempotency key and its message
   * id), each a page to write and sync. Now it writes one: bookings are
   * rows in order of arrival that carry their own key, kept answer and
   * message id, and what finds them is kept in memory (see catch_up()).
   * The kept answers move over by the reference in them; deliveries
   * carry the booking's time, so that finding the due ones needs no
   * join. */
  "CREATE TABLE arrivals ("
  "  n INTEGER PRIMARY KEY,"
  "  id TEXT NOT NULL,"
  "  reference TEXT NOT NULL,"
  "  pin_hash TEXT NOT NULL,"
  "  provider_id TEXT NOT NULL,"
  "  status TEXT NOT NULL,"
  "  payload TEXT NOT NULL CHECK (json_valid (payload)),"
  "  created_at INTEGER NOT NULL,"
  "  answer_status TEXT,"
  "  answer_time TEXT,"
  "  answer_reason TEXT,"
  "  answered_at INTEGER,"
  "  delivered_at INTEGER,"
  "  device_id TEXT,"
  "  msg_id TEXT,"
  "  idempotency_key TEXT,"
  "  request_hash TEXT,"
  "  status_code INTEGER,"
  "  response_body TEXT"
  ");"
  "CREATE TEMP TABLE kept AS "
  "  SELECT json_extract (response_body, '$.reference') AS reference, device_id, key, "
  "         request_hash, status_code, response_body "
  "  FROM idempotency WHERE json_valid (response_body);"
  "CREATE INDEX temp.kept_by_reference ON kept (reference);"
  "INSERT INTO arrivals (id, reference, pin_hash, provider_id, status, payload, created_at,"
  "                      answer_status, answer_time, answer_reason, answered_at, delivered_at,"
  "                      device_id, idempotency_key, request_hash, status_code, response_body) "
  "  SELECT b.id, b.reference, b.pin_hash, b.provider_id, b.status, b.payload, b.created_at,"
  "         b.answer_status, b.answer_time, b.answer_reason, b.answered_at, b.delivered_at,"
  "         k.device_id, k.key, k.request_hash, k.status_code, k.response_body "
  "  FROM bookings b LEFT JOIN kept k ON k.reference = b.reference "
  "  ORDER BY b.created_at, b.rowid;"
  "DROP TABLE temp.kept;"
  "CREATE TABLE waiting_deliveries ("
  "  booking_id TEXT PRIMARY KEY,"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt_at INTEGER NOT NULL,"
  "  created_at INTEGER NOT NULL"
  ");"
  "INSERT INTO waiting_deliveries (booking_id, attempts, next_attempt_at, created_at) "
  "  SELECT d.booking_id, d.attempts, d.next_attempt_at, b.created_at "
  "  FROM deliveries d JOIN bookings b ON b.id = d.booking_id;"
  "DROP TABLE deliveries;"
  "DROP TABLE idempotency;"
  "DROP TABLE bookings;"
  "ALTER TABLE arrivals RENAME TO bookings;"
  "ALTER TABLE waiting_deliveries RENAME TO deliveries;"
  "CREATE INDEX deliveries_by_time ON deliveries (next_attempt_at);",
};

#define SCHEMA_VERSION ((int) G_N_ELEMENTS (migrations))

/* A message id only has to be remembered while its timestamp could still
 * pass the clock-skew check: twice the largest tolerance, with room. */
#define SEEN_MESSAGE_SECONDS (60 * 60)

static gboolean
set_sqlite_error (GError    **error,
                  sqlite3    *db,
                  int         rc,
                  const char *doing)
{
  g_set_error (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_FAILED,
               "%s: %s", doing, db ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
  return FALSE;
}

static gboolean
exec_sql (sqlite3     *db,
          const char  *sql,
          const char  *doing,
          GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc != SQLITE_OK)
    return set_sqlite_error (error, db, rc, doing);
  return TRUE;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* A statement from the store's cache: prepared once, and reset (not
 * finalized) when its user is done with it. Used with db_lock held. */
typedef sqlite3_stmt CachedStatement;

static void
release_statement (CachedStatement *stmt)
{
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CachedStatement, release_statement)

static sqlite3_stmt *
prepare_once (sqlite3     *db,
              const char  *sql,
              GError     **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, db, rc, "preparing a query");
      return NULL;
    }
  return stmt;
}

/* Parsing SQL was a good part of a booking's cost: each statement is
 * prepared the first time and kept, one cache per connection. */
static CachedStatement *
prepare_in (sqlite3      *db,
            GHashTable   *statements,
            const char   *sql,
            GError      **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (statements, sql);
  int rc;

  if (stmt != NULL)
    return stmt;

  rc = sqlite3_prepare_v3 (db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, db, rc, "preparing a query");
      return NULL;
    }
  g_hash_table_insert (statements, g_strdup (sql), stmt);
  return stmt;
}

/* A statement on the writing connection, with db_lock held. */
static CachedStatement *
prepare (WwRelayStoreSqlite  *self,
         const char          *sql,
         GError             **error)
{
  return prepare_in (self->db, self->statements, sql, error);
}

/* A statement without parameters or rows (BEGIN, COMMIT, SAVEPOINT),
 * from the cache, with db_lock held. */
static gboolean
run (WwRelayStoreSqlite  *self,
     const char          *sql,
     const char          *doing,
     GError             **error)
{
  g_autoptr(CachedStatement) stmt = NULL;
  int rc;

  if (!(stmt = prepare (self, sql, error)))
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, self->db, rc, doing);
  return TRUE;
}

/* A connection of its own for look-ups. In WAL mode a reader sees the
 * last commit while the writer writes and syncs the next, so that
 * checking a device's signature or a booking's status never waits
 * behind a booking's sync on db_lock. Each is used by one thread at a
 * time; idle ones are kept for the next look-up. */
typedef struct {
  WwRelayStoreSqlite *store;
  sqlite3            *db;
  GHashTable         *statements;
} Reader;

/* more than this many threads looking up at once is rare: the rest
 * close their connection when they are done */
#define MAX_IDLE_READERS 16

static void
reader_free (Reader *reader)
{
  /* every statement goes before the connection */
  g_clear_pointer (&reader->statements, g_hash_table_unref);
  g_clear_pointer (&reader->db, sqlite3_close_v2);
  g_free (reader);
}

static Reader *
take_reader (WwRelayStoreSqlite  *self,
             GError             **error)
{
  Reader *reader = NULL;
  int rc;

  g_mutex_lock (&self->readers_lock);
  if (self->idle_readers->len > 0)
    reader = g_ptr_array_steal_index_fast (self->idle_readers, self->idle_readers->len - 1);
  g_mutex_unlock (&self->readers_lock);
  if (reader != NULL)
    return reader;

  reader = g_new0 (Reader, 1);
  reader->store = self;
  reader->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) sqlite3_finalize);
  rc = sqlite3_open_v2 (self->path, &reader->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_extended_result_codes (reader->db, 1);
      sqlite3_busy_timeout (reader->db, 5000);
      rc = sqlite3_exec (reader->db, "PRAGMA query_only = ON", NULL, NULL, NULL);
    }
  if (rc != SQLITE_OK)
    {
      g_autofree char *doing = g_strdup_printf ("opening %s for reading", self->path);

      set_sqlite_error (error, reader->db, rc, doing);
      reader_free (reader);
      return NULL;
    }
  return reader;
}

static void
give_back_reader (Reader *reader)
{
  WwRelayStoreSqlite *self = reader->store;

  g_mutex_lock (&self->readers_lock);
  if (self->idle_readers->len < MAX_IDLE_READERS)
    g_ptr_array_add (self->idle_readers, g_steal_pointer (&reader));
  g_mutex_unlock (&self->readers_lock);

  if (reader != NULL)
    reader_free (reader);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reader, give_back_reader)

static CachedStatement *
prepare_read (Reader      *reader,
              const char  *sql,
              GError     **error)
{
  return prepare_in (reader->db, reader->statements, sql, error);
}

/* The booking index
 *
 * Rows of bookings are only ever added, in order, and a row's id,
 * reference, provider and keys never change once it is there. So the
 * index is brought up to date by reading the rows after the last one it
 * has, whoever wrote them: this relay, or another process on the same
 * file. The writer catches up when it begins a booking transaction and
 * after it commits; a look-up that misses catches up before it says
 * there is no such booking. Only committed rows ever get in. The first
 * catch-up reads the whole table, when the store is first asked about
 * a booking, so the admin tool never pays for it. */

static void
indexed_booking_free (IndexedBooking *entry)
{
  g_free (entry->id);
  g_free (entry->reference);
  g_free (entry);
}

static void
remembered_free (Remembered *remembered)
{
  g_free (remembered->key);
  g_free (remembered);
}

/* A device's Idempotency-Key or message id as one string, its length
 * first, so that no two pairs make the same string. */
static char *
pair_key (const char *device_id,
          const char *other)
{
  return g_strdup_printf ("%zu:%s%s", strlen (device_id), device_id, other);
}

static void
remember (GHashTable *map,
          GQueue     *queue,
          char       *key,
          gint64      n,
          gint64      at)
{
  Remembered *remembered;

  if (g_hash_table_contains (map, key))
    {
      g_free (key);
      return;
    }
  remembered = g_new (Remembered, 1);
  remembered->n = n;
  remembered->at = at;
  remembered->key = key;
  g_hash_table_insert (map, remembered->key, remembered);
  g_queue_push_tail (queue, remembered);
}

#define INDEX_COLUMNS \
  "n, id, reference, provider_id, created_at, device_id, msg_id, idempotency_key, " \
  "response_body IS NOT NULL"

/* With index_lock held. */
static void
index_row (WwRelayStoreSqlite *self,
           sqlite3_stmt       *row,
           gint64              seen_since)
{
  gint64 n = sqlite3_column_int64 (row, 0);
  const char *id = (const char *) sqlite3_column_text (row, 1);
  const char *reference = (const char *) sqlite3_column_text (row, 2);
  const char *provider_id = (const char *) sqlite3_column_text (row, 3);
  gint64 created_at = sqlite3_column_int64 (row, 4);
  const char *device_id = (const char *) sqlite3_column_text (row, 5);
  const char *msg_id = (const char *) sqlite3_column_text (row, 6);
  const char *key = (const char *) sqlite3_column_text (row, 7);
  gboolean answer_kept = sqlite3_column_int (row, 8) != 0;
  IndexedBooking *entry;
  GArray *rows;

  self->indexed_through = n;
  if (id == NULL || reference == NULL || provider_id == NULL ||
      g_hash_table_contains (self->by_id, id) ||
      g_hash_table_contains (self->by_reference, reference))
    {
      /* the relay never writes this; only a hand-edited file holds it */
      g_warning ("Booking row %" G_GINT64_FORMAT " repeats the id or reference of another; "
                 "it is left out", n);
      return;
    }

  entry = g_new (IndexedBooking, 1);
  entry->n = n;
  entry->id = g_strdup (id);
  entry->reference = g_strdup (reference);
  g_hash_table_insert (self->by_id, entry->id, entry);
  g_hash_table_insert (self->by_reference, entry->reference, entry);

  rows = g_hash_table_lookup (self->by_provider, provider_id);
  if (rows == NULL)
    {
      rows = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (self->by_provider, g_strdup (provider_id), rows);
    }
  g_array_append_val (rows, n);

  if (device_id == NULL)
    return;
  if (msg_id != NULL && created_at >= seen_since)
    remember (self->seen_messages, &self->seen_queue, pair_key (device_id, msg_id), n, created_at);
  if (key != NULL && answer_kept)
    remember (self->kept_keys, &self->kept_queue, pair_key (device_id, key), n, created_at);
}

/* With index_lock held: adds the rows committed since the last time,
 * read through @db (a reader's, or the writer's with db_lock held and
 * none of its own writes pending). */
static gboolean
catch_up (WwRelayStoreSqlite  *self,
          sqlite3             *db,
          GHashTable          *statements,
          GError             **error)
{
  g_autoptr(CachedStatement) stmt = NULL;
  gboolean first = self->indexed_through == 0;
  gint64 seen_since = G_MININT64;
  int rc;

  if (first)
    {
      g_autoptr(CachedStatement) newest = NULL;

      /* message ids only count for an hour: by the clock of the
       * newest booking, as forget_old_keys() goes by the bookings' */
      if (!(newest = prepare_in (db, statements,
                                 "SELECT created_at FROM bookings ORDER BY n DESC LIMIT 1",
                                 error)))
        return FALSE;
      rc = sqlite3_step (newest);
      if (rc == SQLITE_ROW)
        seen_since = sqlite3_column_int64 (newest, 0) - SEEN_MESSAGE_SECONDS;
      else if (rc != SQLITE_DONE)
        return set_sqlite_error (error, db, rc, "reading the bookings into the index");
    }

  if (!(stmt = prepare_in (db, statements,
                           "SELECT " INDEX_COLUMNS " FROM bookings WHERE n > ? ORDER BY n",
                           error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, self->indexed_through);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    index_row (self, stmt, seen_since);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, db, rc, "reading the bookings into the index");

  /* rows before the first kept answer have had theirs cleared */
  if (first)
    {
      Remembered *oldest = g_queue_peek_head (&self->kept_queue);

      self->keys_forgotten_through = oldest != NULL ? oldest->n - 1 : self->indexed_through;
    }
  return TRUE;
}

/* The row of a booking by its reference or, with @reference NULL, its
 * id: 0 when there is none, -1 on an error. Through @db as catch_up(). */
static gint64
find_row (WwRelayStoreSqlite  *self,
          sqlite3             *db,
          GHashTable          *statements,
          const char          *reference,
          const char          *id,
          GError             **error)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->index_lock);
  GHashTable *map = reference != NULL ? self->by_reference : self->by_id;
  const char *wanted = reference != NULL ? reference : id;
  IndexedBooking *entry = g_hash_table_lookup (map, wanted);

  if (entry == NULL)
    {
      if (!catch_up (self, db, statements, error))
        return -1;
      entry = g_hash_table_lookup (map, wanted);
    }
  return entry != NULL ? entry->n : 0;
}

static void
rollback (sqlite3 *db)
{
  if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
}

/* Ends a transaction that went wrong: says why, unless the error is
 * set already (@rc SQLITE_OK), and rolls back. Returns FALSE. */
static gboolean
abandon (WwRelayStoreSqlite  *self,
         int                  rc,
         const char          *doing,
         GError             **error)
{
  if (rc != SQLITE_OK)
    set_sqlite_error (error, self->db, rc, doing);
  rollback (self->db);
  return FALSE;
}

static gboolean
commit (WwRelayStoreSqlite  *self,
        const char          *doing,
        GError             **error)
{
  if (exec_sql (self->db, "COMMIT", doing, error))
    return TRUE;
  rollback (self->db);
  return FALSE;
}

static gboolean
insert_device (WwRelayStore  *store,
               const char    *id,
               const char    *name,
               const char    *secret,
               GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->db_lock);
  g_autoptr(CachedStatement) stmt = NULL;
  int rc;

  if (!(stmt = prepare (self,
                        "INSERT INTO devices (id, name, secret, created_at) VALUES (?, ?, ?, ?)",
                        error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, secret, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, g_get_real_time () / G_USEC_PER_SEC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, self->db, rc, "adding a device");
  return TRUE;
}

static gboolean
revoke_device (WwRelayStore  *store,
               const char    *id,
               gint64         now,
               GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->db_lock);
  g_autoptr(CachedStatement) stmt = NULL;
  int rc;

  if (!(stmt = prepare (self,
                        "UPDATE devices SET revoked_at = coalesce (revoked_at, ?) WHERE id = ?",
                        error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, self->db, rc, "revoking a device");
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_NOT_FOUND,
                   "there is no device '%s'", id);
      return FALSE;
    }
  return TRUE;
}

static gboolean
lookup_device (WwRelayStore  *store,
               const char    *id,
               char         **secret,
               gboolean      *revoked,
               GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(Reader) reader = take_reader (self, error);
  g_autoptr(CachedStatement) stmt = NULL;
  int rc;

  if (reader == NULL)
    return FALSE;
  if (!(stmt = prepare_read (reader,
                             "SELECT secret, revoked_at IS NOT NULL FROM devices WHERE id = ?",
                             error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_NOT_FOUND,
                   "there is no device '%s'", id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return set_sqlite_error (error, reader->db, rc, "looking up a device");

  *secret = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  *revoked = sqlite3_column_int (stmt, 1) != 0;
  return TRUE;
}

/* What a group's transaction has written so far and the index does not
 * have yet: each maps to the booking's row (a gint64). */
typedef struct {
  GHashTable *references;
  GHashTable *ids;
  GHashTable *keys;       /* see pair_key() */
  GHashTable *messages;   /* the same */
} Pending;

static void
pending_init (Pending *pending)
{
  pending->references = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  pending->ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  pending->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  pending->messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
pending_clear (Pending *pending)
{
  g_clear_pointer (&pending->references, g_hash_table_unref);
  g_clear_pointer (&pending->ids, g_hash_table_unref);
  g_clear_pointer (&pending->keys, g_hash_table_unref);
  g_clear_pointer (&pending->messages, g_hash_table_unref);
}

static void
pending_add (GHashTable *map,
             const char *key,
             gint64      n)
{
  g_hash_table_insert (map, g_strdup (key), g_memdup2 (&n, sizeof n));
}

/* Whether a device's message id was had before: by a booking (in the
 * index, or in @pending) or by any other request (in seen_messages).
 * Through @db as catch_up(). */
static gboolean
message_known (WwRelayStoreSqlite  *self,
               sqlite3             *db,
               GHashTable          *statements,
               Pending             *pending,
               const char          *device_id,
               const char          *msg_id,
               const char          *pair,
               gboolean            *known,
               GError             **error)
{
  g_autoptr(CachedStatement) stmt = NULL;
  int rc;

  if (pending != NULL && g_hash_table_contains (pending->messages, pair))
    {
      *known = TRUE;
      return TRUE;
    }

  g_mutex_lock (&self->index_lock);
  *known = g_hash_table_contains (self->seen_messages, pair);
  g_mutex_unlock (&self->index_lock);
  if (*known)
    return TRUE;

  if (!(stmt = prepare_in (db, statements,
                           "SELECT 1 FROM seen_messages WHERE device_id = ? AND msg_id = ?",
                           error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, device_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, msg_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sqlite_error (error, db, rc, "checking a message id");

  *known = rc == SQLITE_ROW;
  return TRUE;
}

static gboolean
message_seen (WwRelayStore  *store,
              const char    *device_id,
              const char    *msg_id,
              gboolean      *seen,
              GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(Reader) reader = take_reader (self, error);
  g_autofree char *pair = pair_key (device_id, msg_id);

  if (reader == NULL)
    return FALSE;
  return message_known (self, reader->db, reader->statements, NULL,
                        device_id, msg_id, pair, seen, error);
}

/* At most this many kept answers are cleared in one booking's
 * transaction, so that its commit stays small; when more are due, the
 * next transaction goes on. */
#define MAX_ANSWERS_FORGOTTEN 256

/* Runs inside a booking's transaction, once a minute (see
 * FORGET_EVERY_SECONDS): old message ids go, and kept answers older than
 * the promise are cleared from their bookings (they hold the PIN), with
 * the next write, so that no timer is needed for housekeeping. Sets
 * @forget_through to the last row cleared, for forget_in_index() once
 * the transaction is committed, and @more when more are due. */
static gboolean
forget_old_keys (WwRelayStoreSqlite  *self,
                 gint64               now,
                 gint64              *forget_through,
                 gboolean            *more,
                 GError             **error)
{
  g_autoptr(CachedStatement) messages = NULL;
  g_autoptr(CachedStatement) answers = NULL;
  /* an hour beyond the promise, so that a key is never dropped early */
  gint64 cutoff = now - WW_RELAY_IDEMPOTENCY_SECONDS - 3600;
  gint64 from, through;
  guint cleared = 0;
  int rc;

  if (!(messages = prepare (self, "DELETE FROM seen_messages WHERE at < ?", error)) ||
      !(answers = prepare (self,
                           "UPDATE bookings SET idempotency_key = NULL, request_hash = NULL, "
                           "  status_code = NULL, response_body = NULL "
                           "WHERE n > ? AND n <= ? AND response_body IS NOT NULL",
                           error)))
    return FALSE;

  /* the keys are in order of arrival: the old ones come first */
  g_mutex_lock (&self->index_lock);
  from = through = self->keys_forgotten_through;
  *more = FALSE;
  for (GList *l = self->kept_queue.head; l != NULL; l = l->next)
    {
      Remembered *kept = l->data;

      if (kept->at >= cutoff)
        break;
      if (cleared++ == MAX_ANSWERS_FORGOTTEN)
        {
          *more = TRUE;
          break;
        }
      through = kept->n;
    }
  g_mutex_unlock (&self->index_lock);

  sqlite3_bind_int64 (messages, 1, now - SEEN_MESSAGE_SECONDS);
  if ((rc = sqlite3_step (messages)) != SQLITE_DONE)
    return set_sqlite_error (error, self->db, rc, "forgetting old message ids");
  if (through > from)
    {
      sqlite3_bind_int64 (answers, 1, from);
      sqlite3_bind_int64 (answers, 2, through);
      if ((rc = sqlite3_step (answers)) != SQLITE_DONE)
        return set_sqlite_error (error, self->db, rc, "forgetting old idempotency keys");
    }
  *forget_through = through;
  return TRUE;
}

/* After forget_old_keys() is committed: the index lets go of the same.
 * With index_lock held. */
static void
forget_in_index (WwRelayStoreSqlite *self,
                 gint64              now,
                 gint64              forget_through)
{
  Remembered *oldest;

  while ((oldest = g_queue_peek_head (&self->kept_queue)) != NULL && oldest->n <= forget_through)
    {
      g_hash_table_remove (self->kept_keys, oldest->key);
      remembered_free (g_queue_pop_head (&self->kept_queue));
    }
  self->keys_forgotten_through = MAX (self->keys_forgotten_through, forget_through);

  while ((oldest = g_queue_peek_head (&self->seen_queue)) != NULL &&
         oldest->at < now - SEEN_MESSAGE_SECONDS)
    {
      g_hash_table_remove (self->seen_messages, oldest->key);
      remembered_free (g_queue_pop_head (&self->seen_queue));
    }
}

/* Message ids of anything but a new booking, which keeps its own. */
static gboolean
mark_message_seen (WwRelayStoreSqlite        *self,
                   const WwRelayRequestKeys  *keys,
                   GError                   **error)
{
  g_autoptr(CachedStatement) stmt = NULL;
  int rc;

  if (!(stmt = prepare (self,
                        "INSERT OR IGNORE INTO seen_messages (device_id, msg_id, at) VALUES (?, ?, ?)",
                        error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, keys->device_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, keys->msg_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, keys->now);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, self->db, rc, "remembering a message id");
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_REPLAYED,
                   "message '%s' was already received", keys->msg_id);
      return FALSE;
    }
  return TRUE;
}

/* The row that keeps the answer to @key_pair, or 0. */
static gint64
kept_row (WwRelayStoreSqlite *self,
          Pending            *pending,
          const char         *key_pair)
{
  const gint64 *pending_n = g_hash_table_lookup (pending->keys, key_pair);
  Remembered *kept;
  gint64 n;

  if (pending_n != NULL)
    return *pending_n;
  g_mutex_lock (&self->index_lock);
  kept = g_hash_table_lookup (self->kept_keys, key_pair);
  n = kept != NULL ? kept->n : 0;
  g_mutex_unlock (&self->index_lock);
  return n;
}

/* Returns TRUE with *found set when the key is known. */
static gboolean
find_kept_answer (WwRelayStoreSqlite        *self,
                  const WwRelayRequestKeys  *keys,
                  gint64                     n,
                  gboolean                  *found,
                  guint                     *answered_status,
                  char                     **answered_body,
                  GError                   **error)
{
  g_autoptr(CachedStatement) stmt = NULL;
  int rc;

  *found = FALSE;
  if (n == 0)
    return TRUE;
  if (!(stmt = prepare (self,
                        "SELECT request_hash, status_code, response_body FROM bookings "
                        "WHERE n = ? AND response_body IS NOT NULL",
                        error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, n);
  rc = sqlite3_step (stmt);
  /* cleared by forget_old_keys() earlier in this transaction */
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    return set_sqlite_error (error, self->db, rc, "looking up an idempotency key");

  if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), keys->request_hash) != 0)
    {
      g_set_error (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_KEY_REUSED,
                   "Idempotency-Key '%s' was used before with another request body",
                   keys->idempotency_key);
      return FALSE;
    }

  *found = TRUE;
  *answered_status = sqlite3_column_int (stmt, 1);
  *answered_body = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
  return TRUE;
}

static gboolean
is_taken (WwRelayStoreSqlite *self,
          Pending            *pending,
          const char         *id,
          const char         *reference)
{
  gboolean taken;

  if (g_hash_table_contains (pending->ids, id) ||
      g_hash_table_contains (pending->references, reference))
    return TRUE;
  g_mutex_lock (&self->index_lock);
  taken = g_hash_table_contains (self->by_id, id) ||
          g_hash_table_contains (self->by_reference, reference);
  g_mutex_unlock (&self->index_lock);
  return taken;
}

/* The booking's one row, with its keys and the answer kept for them.
 * Sets @n to it. */
static gboolean
insert_booking (WwRelayStoreSqlite        *self,
                const WwRelayRequestKeys  *keys,
                const WwRelayNewBooking   *booking,
                guint                      status_code,
                const char                *response_body,
                gint64                    *n,
                GError                   **error)
{
  g_autoptr(CachedStatement) insert = NULL;
  int rc;

  if (!(insert = prepare (self,
                          "INSERT INTO bookings (id, reference, pin_hash, provider_id, status, payload, "
                          "  created_at, device_id, msg_id, idempotency_key, request_hash, "
                          "  status_code, response_body) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          error)))
    return FALSE;

  sqlite3_bind_text (insert, 1, booking->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 2, booking->reference, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 3, booking->pin_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 4, booking->provider_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 5, booking->status, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 6, booking->payload, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (insert, 7, booking->created_at);
  sqlite3_bind_text (insert, 8, keys->device_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 9, keys->msg_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 10, keys->idempotency_key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 11, keys->request_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (insert, 12, status_code);
  sqlite3_bind_text (insert, 13, response_body, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (insert);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, self->db, rc, "writing a booking");

  *n = sqlite3_last_insert_rowid (self->db);
  return TRUE;
}

/* The booking's webhook delivery, when its provider has a webhook. */
static gboolean
queue_delivery (WwRelayStoreSqlite       *self,
                const WwRelayNewBooking  *booking,
                GError                  **error)
{
  g_autoptr(CachedStatement) stmt = NULL;
  int rc;

  if (!(stmt = prepare (self,
                        "INSERT INTO deliveries (booking_id, next_attempt_at, created_at) "
                        "SELECT ?1, ?2, ?2 FROM providers WHERE id = ?3 AND webhook_url IS NOT NULL",
                        error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, booking->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, booking->created_at);
  sqlite3_bind_text (stmt, 3, booking->provider_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, self->db, rc, "queueing a delivery");
  return TRUE;
}

/* How often old idempotency keys and message ids are forgotten: each
 * booking's transaction would do it for nothing almost every time. */
#define FORGET_EVERY_SECONDS 60

/* One booking's writes, inside the group's transaction: what it wrote
 * goes into @pending once all of it is written. */
static gboolean
write_booking_rows (WwRelayStoreSqlite *self,
                    Pending            *pending,
                    BookingJob         *job)
{
  const WwRelayRequestKeys *keys = job->keys;
  const WwRelayNewBooking *booking = job->booking;
  g_autofree char *message_pair = pair_key (keys->device_id, keys->msg_id);
  g_autofree char *key_pair = pair_key (keys->device_id, keys->idempotency_key);
  gboolean replayed = FALSE;
  gint64 n = 0;

  if (!message_known (self, self->db, self->statements, pending,
                      keys->device_id, keys->msg_id, message_pair, &replayed, &job->error))
    return FALSE;
  if (replayed)
    {
      g_set_error (&job->error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_REPLAYED,
                   "message '%s' was already received", keys->msg_id);
      return FALSE;
    }

  if (!find_kept_answer (self, keys, kept_row (self, pending, key_pair), &job->found,
                         &job->answered_status, &job->answered_body, &job->error))
    return FALSE;

  if (job->found)
    {
      /* a retry makes no booking, but its message id is had */
      if (!mark_message_seen (self, keys, &job->error))
        {
          g_clear_pointer (&job->answered_body, g_free);
          return FALSE;
        }
      pending_add (pending->messages, message_pair, 0);
      return TRUE;
    }

  if (is_taken (self, pending, booking->id, booking->reference))
    {
      g_set_error (&job->error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_REFERENCE_TAKEN,
                   "reference %s is taken", booking->reference);
      return FALSE;
    }

  if (!insert_booking (self, keys, booking, job->status_code, job->response_body, &n, &job->error) ||
      !queue_delivery (self, booking, &job->error))
    return FALSE;

  pending_add (pending->messages, message_pair, n);
  pending_add (pending->keys, key_pair, n);
  pending_add (pending->ids, booking->id, n);
  pending_add (pending->references, booking->reference, n);
  return TRUE;
}

/* One booking of a group of several: in a savepoint, so that a refused
 * one leaves the others be. */
static void
write_booking_job (WwRelayStoreSqlite *self,
                   Pending            *pending,
                   BookingJob         *job)
{
  if (!run (self, "SAVEPOINT booking", "starting a booking", &job->error))
    return;

  if (!write_booking_rows (self, pending, job))
    run (self, "ROLLBACK TO booking", "undoing a booking", NULL);

  /* RELEASE of a savepoint that was rolled back to keeps nothing */
  run (self, "RELEASE booking", "ending a booking", NULL);
}

/* With db_lock held and no transaction open: the index takes in what
 * was just committed (and anything another process wrote). */
static void
index_committed (WwRelayStoreSqlite *self,
                 gboolean            forgot,
                 gint64              now,
                 gint64              forget_through)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->index_lock);
  g_autoptr(GError) error = NULL;

  /* first, so that a key that was cleared and then used again anew is
   * not taken for the old one */
  if (forgot)
    forget_in_index (self, now, forget_through);

  /* committed all the same: the next catch-up reads it */
  if (!catch_up (self, self->db, self->statements, &error))
    g_warning ("Could not index the bookings just committed: %s", error->message);
}

/* Writes @jobs in one transaction and one sync, and settles each. */
static void
write_booking_group (WwRelayStoreSqlite *self,
                     GPtrArray          *jobs)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->db_lock);
  g_autoptr(GError) error = NULL;
  BookingJob *first = g_ptr_array_index (jobs, 0);
  gint64 now = first->keys->now;
  gboolean forget = now - self->forgot_at >= FORGET_EVERY_SECONDS || now < self->forgot_at;
  gint64 forget_through = 0;
  gboolean more_to_forget = FALSE;
  gboolean caught_up;
  Pending pending;

  /* IMMEDIATE takes the write lock up front, so the look-up of a key and
   * the write that follows cannot interleave with another writer's (the
   * admin tool's, say); catching up then sees all such writers did. */
  if (!run (self, "BEGIN IMMEDIATE", "starting a transaction", &error))
    goto failed;

  g_mutex_lock (&self->index_lock);
  caught_up = catch_up (self, self->db, self->statements, &error);
  g_mutex_unlock (&self->index_lock);
  if (!caught_up ||
      (forget && !forget_old_keys (self, now, &forget_through, &more_to_forget, &error)))
    goto failed;

  pending_init (&pending);
  if (jobs->len == 1)
    {
      /* alone, a refused booking has nothing to keep */
      if (!write_booking_rows (self, &pending, first))
        {
          pending_clear (&pending);
          rollback (self->db);
          return;
        }
    }
  else
    for (guint i = 0; i < jobs->len; i++)
      write_booking_job (self, &pending, g_ptr_array_index (jobs, i));
  pending_clear (&pending);

  if (run (self, "COMMIT", "committing a booking", &error))
    {
      if (forget && !more_to_forget)
        self->forgot_at = now;
      index_committed (self, forget, now, forget_through);
      return;
    }

failed:
  /* nothing of the group was kept: each gets the error */
  rollback (self->db);
  for (guint i = 0; i < jobs->len; i++)
    {
      BookingJob *job = g_ptr_array_index (jobs, i);

      g_clear_pointer (&job->answered_body, g_free);
      g_clear_error (&job->error);
      job->error = g_error_copy (error);
    }
}

/* How many more transactions a thread writes for others once its own
 * booking is in: enough that commits follow each other without a
 * wake-up between them, few enough that its own answer is not held up
 * for long. */
#define MAX_ROUNDS_FOR_OTHERS 8

/* With commit_lock held, and this thread the one committing: writes
 * what waits, until its own booking is in and it has done its share. */
static void
commit_waiting (WwRelayStoreSqlite *self,
                BookingJob         *own)
{
  guint rounds_for_others = 0;

  while (!g_queue_is_empty (&self->waiting) && rounds_for_others < MAX_ROUNDS_FOR_OTHERS)
    {
      g_autoptr(GPtrArray) group = g_ptr_array_new ();

      if (self->group_commit)
        while (!g_queue_is_empty (&self->waiting))
          g_ptr_array_add (group, g_queue_pop_head (&self->waiting));
      else
        g_ptr_array_add (group, g_queue_pop_head (&self->waiting));
      g_mutex_unlock (&self->commit_lock);

      write_booking_group (self, group);

      g_mutex_lock (&self->commit_lock);
      for (guint i = 0; i < group->len; i++)
        {
          BookingJob *job = g_ptr_array_index (group, i);

          /* its thread may return as soon as the lock is let go: not to
           * be touched after this */
          job->done = TRUE;
          if (job != own)
            g_cond_signal (&job->wake);
        }
      if (own->done)
        rounds_for_others++;
    }
}

static gboolean
create_booking (WwRelayStore              *store,
                const WwRelayRequestKeys  *keys,
                const WwRelayNewBooking   *booking,
                guint                      status_code,
                const char                *response_body,
                guint                     *answered_status,
                char                     **answered_body,
                GError                   **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  BookingJob job = {
    .keys = keys,
    .booking = booking,
    .status_code = status_code,
    .response_body = response_body,
  };

  g_cond_init (&job.wake);
  g_mutex_lock (&self->commit_lock);
  g_queue_push_tail (&self->waiting, &job);

  while (!job.done)
    {
      if (self->committing)
        {
          g_cond_wait (&job.wake, &self->commit_lock);
          continue;
        }

      self->committing = TRUE;
      commit_waiting (self, &job);
      self->committing = FALSE;

      /* the next in line takes over */
      if (!g_queue_is_empty (&self->waiting))
        g_cond_signal (&((BookingJob *) g_queue_peek_head (&self->waiting))->wake);
    }
  g_mutex_unlock (&self->commit_lock);
  g_cond_clear (&job.wake);

  if (job.error != NULL)
    {
      g_propagate_error (error, job.error);
      return FALSE;
    }

  if (job.found)
    {
      *answered_status = job.answered_status;
      *answered_body = job.answered_body;
    }
  else
    {
      *answered_status = status_code;
      *answered_body = g_strdup (response_body);
    }
  return TRUE;
}

#define BOOKING_COLUMNS \
  "id, reference, pin_hash, provider_id, status, payload, created_at, " \
  "answer_status, answer_time, answer_reason, coalesce (answered_at, 0)"

static char *
dup_column_text (sqlite3_stmt *stmt,
                 int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

static WwRelayBooking *
read_booking (sqlite3_stmt *stmt)
{
  WwRelayBooking *booking = g_new0 (WwRelayBooking, 1);

  booking->id = dup_column_text (stmt, 0);
  booking->reference = dup_column_text (stmt, 1);
  booking->pin_hash = dup_column_text (stmt, 2);
  booking->provider_id = dup_column_text (stmt, 3);
  booking->status = dup_column_text (stmt, 4);
  booking->payload = dup_column_text (stmt, 5);
  booking->created_at = sqlite3_column_int64 (stmt, 6);
  booking->answer_status = dup_column_text (stmt, 7);
  booking->answer_time = dup_column_text (stmt, 8);
  booking->answer_reason = dup_column_text (stmt, 9);
  booking->answered_at = sqlite3_column_int64 (stmt, 10);
  return booking;
}

/* Row @n of bookings; on the writer with db_lock held, or on a reader. */
static WwRelayBooking *
select_booking (sqlite3             *db,
                GHashTable          *statements,
                gint64               n,
                GError             **error)
{
  g_autoptr(CachedStatement) stmt = NULL;
  int rc;

  if (!(stmt = prepare_in (db, statements,
                           "SELECT " BOOKING_COLUMNS " FROM bookings WHERE n = ?",
                           error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, n);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_NOT_FOUND,
                   "there is no booking in row %" G_GINT64_FORMAT, n);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, db, rc, "looking up a booking");
      return NULL;
    }

  return read_booking (stmt);
}

/* As find_row(), with an error that says which booking is not there. */
static gint64
find_booking_row (WwRelayStoreSqlite  *self,
                  sqlite3             *db,
                  GHashTable          *statements,
                  const char          *reference,
                  const char          *id,
                  GError             **error)
{
  gint64 n = find_row (self, db, statements, reference, id, error);

  if (n == 0)
    g_set_error (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_NOT_FOUND,
                 "there is no booking %s", reference != NULL ? reference : id);
  return n;
}

static WwRelayBooking *
lookup_booking (WwRelayStore  *store,
                const char    *reference,
                const char    *id,
                GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(Reader) reader = take_reader (self, error);
  gint64 n;

  if (reader == NULL)
    return NULL;
  n = find_booking_row (self, reader->db, reader->statements, reference, id, error);
  if (n <= 0)
    return NULL;
  return select_booking (reader->db, reader->statements, n, error);
}

static gboolean
set_provider_webhook (WwRelayStore  *store,
                      const char    *provider_id,
                      const char    *url,
                      const char    *secret,
                      gint64         now,
                      GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->db_lock);
  g_autoptr(CachedStatement) upsert = NULL;
  g_autoptr(CachedStatement) queue = NULL;
  g_autoptr(CachedStatement) unqueue = NULL;
  int rc;

  if (!exec_sql (self->db, "BEGIN IMMEDIATE", "starting a transaction", error))
    return FALSE;

  if (!(upsert = prepare (self,
                          "INSERT INTO providers (id, webhook_url, secret, created_at, updated_at) "
                          "VALUES (?1, ?2, ?3, ?4, ?4) "
                          "ON CONFLICT (id) DO UPDATE SET webhook_url = ?2, secret = ?3, updated_at = ?4",
                          error)) ||
      !(queue = prepare (self,
                         "INSERT OR IGNORE INTO deliveries (booking_id, next_attempt_at, created_at) "
                         "SELECT id, ?, created_at FROM bookings WHERE provider_id = ? AND status = 'received'",
                         error)) ||
      !(unqueue = prepare (self,
                           "DELETE FROM deliveries WHERE booking_id IN "
                           "(SELECT id FROM bookings WHERE provider_id = ?)",
                           error)))
    {
      rollback (self->db);
      return FALSE;
    }

  sqlite3_bind_text (upsert, 1, provider_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (upsert, 2, url, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (upsert, 3, secret, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (upsert, 4, now);
  if ((rc = sqlite3_step (upsert)) != SQLITE_DONE)
    return abandon (self, rc, "setting the webhook", error);

  if (url != NULL)
    {
      sqlite3_bind_int64 (queue, 1, now);
      sqlite3_bind_text (queue, 2, provider_id, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (queue);
    }
  else
    {
      sqlite3_bind_text (unqueue, 1, provider_id, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (unqueue);
    }
  if (rc != SQLITE_DONE)
    return abandon (self, rc, "queueing the provider's deliveries", error);

  return commit (self, "setting the webhook", error);
}

static gboolean
add_provider_inbox (WwRelayStore  *store,
                    const char    *provider_id,
                    const char    *key_hash,
                    gint64         now,
                    GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->db_lock);
  g_autoptr(CachedStatement) provider = NULL;
  g_autoptr(CachedStatement) inbox = NULL;
  int rc;

  if (!exec_sql (self->db, "BEGIN IMMEDIATE", "starting a transaction", error))
    return FALSE;

  if (!(provider = prepare (self,
                            "INSERT OR IGNORE INTO providers (id, created_at, updated_at) VALUES (?1, ?2, ?2)",
                            error)) ||
      !(inbox = prepare (self,
                         "INSERT INTO inboxes (key_hash, provider_id, created_at) VALUES (?, ?, ?)",
                         error)))
    {
      rollback (self->db);
      return FALSE;
    }

  sqlite3_bind_text (provider, 1, provider_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (provider, 2, now);
  sqlite3_bind_text (inbox, 1, key_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (inbox, 2, provider_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (inbox, 3, now);
  if ((rc = sqlite3_step (provider)) != SQLITE_DONE ||
      (rc = sqlite3_step (inbox)) != SQLITE_DONE ||
      !exec_sql (self->db, "COMMIT", "adding an inbox", error))
    /* a failed COMMIT has set the error already */
    return abandon (self, rc != SQLITE_DONE ? rc : SQLITE_OK, "adding an inbox", error);
  return TRUE;
}

static WwRelayProvider *
lookup_provider (WwRelayStore  *store,
                 const char    *provider_id,
                 GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(Reader) reader = take_reader (self, error);
  g_autoptr(CachedStatement) stmt = NULL;
  WwRelayProvider *provider;
  int rc;

  if (reader == NULL)
    return NULL;
  if (!(stmt = prepare_read (reader,
                             "SELECT id, webhook_url, secret, created_at, "
                             "  (SELECT count(*) FROM inboxes WHERE provider_id = providers.id) "
                             "FROM providers WHERE id = ?",
                             error)))
    return NULL;
  sqlite3_bind_text (stmt, 1, provider_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_NOT_FOUND,
                   "no webhook or inbox is set up for provider '%s'", provider_id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, reader->db, rc, "looking up a provider");
      return NULL;
    }

  provider = g_new0 (WwRelayProvider, 1);
  provider->id = dup_column_text (stmt, 0);
  provider->webhook_url = dup_column_text (stmt, 1);
  provider->secret = dup_column_text (stmt, 2);
  provider->created_at = sqlite3_column_int64 (stmt, 3);
  provider->n_inboxes = sqlite3_column_int (stmt, 4);
  return provider;
}

static char *
find_inbox (WwRelayStore  *store,
            const char    *key_hash,
            GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(Reader) reader = take_reader (self, error);
  g_autoptr(CachedStatement) stmt = NULL;
  int rc;

  if (reader == NULL)
    return NULL;
  if (!(stmt = prepare_read (reader, "SELECT provider_id FROM inboxes WHERE key_hash = ?", error)))
    return NULL;
  sqlite3_bind_text (stmt, 1, key_hash, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_NOT_FOUND,
                   "no inbox has this key");
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, reader->db, rc, "looking up an inbox");
      return NULL;
    }
  return dup_column_text (stmt, 0);
}

static GPtrArray *
list_providers (WwRelayStore  *store,
                GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(Reader) reader = take_reader (self, error);
  g_autoptr(CachedStatement) stmt = NULL;
  g_autoptr(GPtrArray) providers = g_ptr_array_new_with_free_func ((GDestroyNotify) ww_relay_provider_free);
  int rc;

  if (reader == NULL)
    return NULL;
  if (!(stmt = prepare_read (reader,
                             "SELECT id, webhook_url, created_at, "
                             "  (SELECT count(*) FROM inboxes WHERE provider_id = providers.id) "
                             "FROM providers ORDER BY id",
                             error)))
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WwRelayProvider *provider = g_new0 (WwRelayProvider, 1);

      provider->id = dup_column_text (stmt, 0);
      provider->webhook_url = dup_column_text (stmt, 1);
      provider->created_at = sqlite3_column_int64 (stmt, 2);
      provider->n_inboxes = sqlite3_column_int (stmt, 3);
      g_ptr_array_add (providers, provider);
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, reader->db, rc, "listing providers");
      return NULL;
    }
  return g_steal_pointer (&providers);
}

static GPtrArray *
list_provider_bookings (WwRelayStore  *store,
                        const char    *provider_id,
                        guint          limit,
                        GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(Reader) reader = take_reader (self, error);
  g_autoptr(GPtrArray) bookings = g_ptr_array_new_with_free_func ((GDestroyNotify) ww_relay_booking_free);
  g_autoptr(GArray) newest = g_array_new (FALSE, FALSE, sizeof (gint64));
  GArray *rows;
  gboolean caught_up;

  if (reader == NULL)
    return NULL;

  /* the newest first, as they came */
  g_mutex_lock (&self->index_lock);
  caught_up = catch_up (self, reader->db, reader->statements, error);
  rows = g_hash_table_lookup (self->by_provider, provider_id);
  for (guint i = rows != NULL ? rows->len : 0; caught_up && i > 0 && newest->len < limit; i--)
    g_array_append_val (newest, g_array_index (rows, gint64, i - 1));
  g_mutex_unlock (&self->index_lock);
  if (!caught_up)
    return NULL;

  for (guint i = 0; i < newest->len; i++)
    {
      WwRelayBooking *booking = select_booking (reader->db, reader->statements,
                                                g_array_index (newest, gint64, i), error);

      if (booking == NULL)
        return NULL;
      g_ptr_array_add (bookings, booking);
    }
  return g_steal_pointer (&bookings);
}

static WwRelayBooking *
answer_booking (WwRelayStore  *store,
                const char    *id,
                const char    *provider_id,
                const char    *status,
                const char    *time,
                const char    *reason,
                gint64         now,
                GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->db_lock);
  g_autoptr(CachedStatement) update = NULL;
  g_autoptr(CachedStatement) undeliver = NULL;
  gint64 n;
  int rc;

  /* another provider's booking looks the same as none */
  n = find_row (self, self->db, self->statements, NULL, id, error);
  if (n < 0)
    return NULL;
  if (n == 0)
    {
      g_set_error (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_NOT_FOUND,
                   "provider '%s' has no booking %s", provider_id, id);
      return NULL;
    }

  if (!exec_sql (self->db, "BEGIN IMMEDIATE", "starting a transaction", error))
    return NULL;

  if (!(update = prepare (self,
                          "UPDATE bookings SET status = ?1, answer_status = ?1, answer_time = ?2, "
                          "  answer_reason = ?3, answered_at = ?4, delivered_at = coalesce (delivered_at, ?4) "
                          "WHERE n = ?5 AND provider_id = ?6",
                          error)) ||
      !(undeliver = prepare (self, "DELETE FROM deliveries WHERE booking_id = ?", error)))
    {
      rollback (self->db);
      return NULL;
    }

  sqlite3_bind_text (update, 1, status, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (update, 2, time, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (update, 3, reason, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (update, 4, now);
  sqlite3_bind_int64 (update, 5, n);
  sqlite3_bind_text (update, 6, provider_id, -1, SQLITE_TRANSIENT);
  if ((rc = sqlite3_step (update)) != SQLITE_DONE)
    {
      abandon (self, rc, "answering a booking", error);
      return NULL;
    }
  if (sqlite3_changes (self->db) == 0)
    {
      /* another provider's booking looks the same as none */
      g_set_error (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_NOT_FOUND,
                   "provider '%s' has no booking %s", provider_id, id);
      rollback (self->db);
      return NULL;
    }

  /* an answer shows the provider has it: no need to deliver it again */
  sqlite3_bind_text (undeliver, 1, id, -1, SQLITE_TRANSIENT);
  if ((rc = sqlite3_step (undeliver)) != SQLITE_DONE)
    {
      abandon (self, rc, "answering a booking", error);
      return NULL;
    }

  if (!commit (self, "answering a booking", error))
    return NULL;
  return select_booking (self->db, self->statements, n, error);
}

static gboolean
mark_delivered (WwRelayStore        *store,
                const char * const  *ids,
                gint64               now,
                GError             **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->db_lock);
  g_autoptr(CachedStatement) update = NULL;
  g_autoptr(CachedStatement) undeliver = NULL;
  g_autoptr(GArray) rows = g_array_new (FALSE, FALSE, sizeof (gint64));
  int rc = SQLITE_DONE;

  /* the rows first: the index catches up outside a transaction */
  for (guint i = 0; ids[i] != NULL; i++)
    {
      gint64 n = find_row (self, self->db, self->statements, NULL, ids[i], error);

      if (n < 0)
        return FALSE;
      g_array_append_val (rows, n);
    }

  if (!exec_sql (self->db, "BEGIN IMMEDIATE", "starting a transaction", error))
    return FALSE;

  if (!(update = prepare (self,
                          "UPDATE bookings SET delivered_at = coalesce (delivered_at, ?1), "
                          "  status = CASE status WHEN 'received' THEN 'delivered' "
                          "                       WHEN 'undeliverable' THEN 'delivered' ELSE status END "
                          "WHERE n = ?2",
                          error)) ||
      !(undeliver = prepare (self, "DELETE FROM deliveries WHERE booking_id = ?", error)))
    {
      rollback (self->db);
      return FALSE;
    }

  for (guint i = 0; ids[i] != NULL && rc == SQLITE_DONE; i++)
    {
      sqlite3_reset (update);
      sqlite3_reset (undeliver);
      sqlite3_bind_int64 (update, 1, now);
      sqlite3_bind_int64 (update, 2, g_array_index (rows, gint64, i));
      sqlite3_bind_text (undeliver, 1, ids[i], -1, SQLITE_TRANSIENT);
      if ((rc = sqlite3_step (update)) == SQLITE_DONE)
        rc = sqlite3_step (undeliver);
    }
  if (rc != SQLITE_DONE)
    return abandon (self, rc, "marking bookings delivered", error);

  return commit (self, "marking bookings delivered", error);
}

static GPtrArray *
due_deliveries (WwRelayStore  *store,
                gint64         now,
                guint          limit,
                GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(Reader) reader = take_reader (self, error);
  g_autoptr(CachedStatement) stmt = NULL;
  g_autoptr(GPtrArray) due = g_ptr_array_new_with_free_func ((GDestroyNotify) ww_relay_delivery_free);
  int rc;

  if (reader == NULL)
    return NULL;
  if (!(stmt = prepare_read (reader,
                             "SELECT booking_id, attempts, created_at FROM deliveries "
                             "WHERE next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?",
                             error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int (stmt, 2, limit);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WwRelayDelivery *delivery = g_new0 (WwRelayDelivery, 1);

      delivery->booking_id = dup_column_text (stmt, 0);
      delivery->attempts = sqlite3_column_int (stmt, 1);
      delivery->created_at = sqlite3_column_int64 (stmt, 2);
      g_ptr_array_add (due, delivery);
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, reader->db, rc, "finding due deliveries");
      return NULL;
    }
  return g_steal_pointer (&due);
}

static gboolean
delivery_failed (WwRelayStore  *store,
                 const char    *booking_id,
                 gint64         next_attempt_at,
                 gboolean       give_up,
                 GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->db_lock);
  g_autoptr(CachedStatement) stmt = NULL;
  g_autoptr(CachedStatement) status = NULL;
  gint64 n;
  int rc;

  if (!give_up)
    {
      if (!(stmt = prepare (self,
                            "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = ? "
                            "WHERE booking_id = ?",
                            error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, next_attempt_at);
      sqlite3_bind_text (stmt, 2, booking_id, -1, SQLITE_TRANSIENT);
      if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
        return set_sqlite_error (error, self->db, rc, "rescheduling a delivery");
      return TRUE;
    }

  if ((n = find_row (self, self->db, self->statements, NULL, booking_id, error)) < 0 ||
      !exec_sql (self->db, "BEGIN IMMEDIATE", "starting a transaction", error))
    return FALSE;
  if (!(stmt = prepare (self, "DELETE FROM deliveries WHERE booking_id = ?", error)) ||
      !(status = prepare (self,
                          "UPDATE bookings SET status = 'undeliverable' WHERE n = ? AND status = 'received'",
                          error)))
    {
      rollback (self->db);
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, booking_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (status, 1, n);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE ||
      (rc = sqlite3_step (status)) != SQLITE_DONE ||
      !exec_sql (self->db, "COMMIT", "giving up a delivery", error))
    /* a failed COMMIT has set the error already */
    return abandon (self, rc != SQLITE_DONE ? rc : SQLITE_OK, "giving up a delivery", error);
  return TRUE;
}

static gint64
count_bookings (WwRelayStore  *store,
                GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(Reader) reader = take_reader (self, error);
  g_autoptr(GMutexLocker) locker = NULL;

  if (reader == NULL)
    return -1;
  locker = g_mutex_locker_new (&self->index_lock);
  if (!catch_up (self, reader->db, reader->statements, error))
    return -1;
  return g_hash_table_size (self->by_id);
}

static GPtrArray *
list_devices (WwRelayStore  *store,
              GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(Reader) reader = take_reader (self, error);
  g_autoptr(CachedStatement) stmt = NULL;
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func ((GDestroyNotify) ww_relay_device_free);
  int rc;

  if (reader == NULL)
    return NULL;
  if (!(stmt = prepare_read (reader,
                             "SELECT id, name, created_at, coalesce (revoked_at, 0) FROM devices "
                             "ORDER BY created_at, rowid",
                             error)))
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      WwRelayDevice *device = g_new0 (WwRelayDevice, 1);

      device->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
      device->name = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      device->created_at = sqlite3_column_int64 (stmt, 2);
      device->revoked_at = sqlite3_column_int64 (stmt, 3);
      g_ptr_array_add (devices, device);
    }
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, reader->db, rc, "listing devices");
      return NULL;
    }

  return g_steal_pointer (&devices);
}

static gboolean
pin_locked_until (WwRelayStore  *store,
                  const char    *key,
                  gint64         now,
                  guint          window,
                  guint          limit,
                  gint64        *locked_until,
                  GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(Reader) reader = take_reader (self, error);
  g_autoptr(CachedStatement) stmt = NULL;
  int rc;

  /* the limit-th most recent failure in the window: while it is in the
   * window, so are @limit failures */
  if (reader == NULL)
    return FALSE;
  if (!(stmt = prepare_read (reader,
                             "SELECT at FROM pin_failures WHERE key = ? AND at > ? "
                             "ORDER BY at DESC LIMIT 1 OFFSET ?",
                             error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, now - window);
  sqlite3_bind_int (stmt, 3, limit - 1);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      *locked_until = 0;
      return TRUE;
    }
  if (rc != SQLITE_ROW)
    return set_sqlite_error (error, reader->db, rc, "counting wrong PINs");

  *locked_until = sqlite3_column_int64 (stmt, 0) + window;
  return TRUE;
}

static gboolean
add_pin_failure (WwRelayStore        *store,
                 const char * const  *keys,
                 gint64               now,
                 guint                window,
                 GError             **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->db_lock);
  g_autoptr(CachedStatement) forget = NULL;
  g_autoptr(CachedStatement) insert = NULL;
  int rc;

  if (!exec_sql (self->db, "BEGIN IMMEDIATE", "starting a transaction", error))
    return FALSE;

  if (!(forget = prepare (self, "DELETE FROM pin_failures WHERE at <= ?", error)) ||
      !(insert = prepare (self, "INSERT INTO pin_failures (key, at) VALUES (?, ?)", error)))
    {
      rollback (self->db);
      return FALSE;
    }

  sqlite3_bind_int64 (forget, 1, now - window);
  if ((rc = sqlite3_step (forget)) != SQLITE_DONE)
    return abandon (self, rc, "forgetting old wrong PINs", error);

  for (guint i = 0; keys[i] != NULL; i++)
    {
      sqlite3_reset (insert);
      sqlite3_bind_text (insert, 1, keys[i], -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (insert, 2, now);
      if ((rc = sqlite3_step (insert)) != SQLITE_DONE)
        return abandon (self, rc, "counting a wrong PIN", error);
    }

  return commit (self, "counting a wrong PIN", error);
}

static gboolean
remember_message (WwRelayStore  *store,
                  const char    *device_id,
                  const char    *msg_id,
                  gint64         now,
                  GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&self->db_lock);
  WwRelayRequestKeys keys = { .device_id = device_id, .msg_id = msg_id, .now = now };

  return mark_message_seen (self, &keys, error);
}

static void
ww_relay_store_sqlite_iface_init (WwRelayStoreInterface *iface)
{
  iface->insert_device = insert_device;
  iface->revoke_device = revoke_device;
  iface->lookup_device = lookup_device;
  iface->message_seen = message_seen;
  iface->create_booking = create_booking;
  iface->lookup_booking = lookup_booking;
  iface->count_bookings = count_bookings;
  iface->list_devices = list_devices;
  iface->pin_locked_until = pin_locked_until;
  iface->add_pin_failure = add_pin_failure;
  iface->set_provider_webhook = set_provider_webhook;
  iface->add_provider_inbox = add_provider_inbox;
  iface->lookup_provider = lookup_provider;
  iface->find_inbox = find_inbox;
  iface->list_providers = list_providers;
  iface->list_provider_bookings = list_provider_bookings;
  iface->answer_booking = answer_booking;
  iface->mark_delivered = mark_delivered;
  iface->due_deliveries = due_deliveries;
  iface->delivery_failed = delivery_failed;
  iface->remember_message = remember_message;
}

static void
ww_relay_store_sqlite_finalize (GObject *object)
{
  WwRelayStoreSqlite *self = (WwRelayStoreSqlite *)object;

  /* every statement goes before the connection */
  g_clear_pointer (&self->idle_readers, g_ptr_array_unref);
  g_clear_pointer (&self->by_reference, g_hash_table_unref);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->by_provider, g_hash_table_unref);
  g_clear_pointer (&self->kept_keys, g_hash_table_unref);
  g_clear_pointer (&self->seen_messages, g_hash_table_unref);
  g_queue_clear_full (&self->kept_queue, (GDestroyNotify) remembered_free);
  g_queue_clear_full (&self->seen_queue, (GDestroyNotify) remembered_free);
  g_mutex_clear (&self->index_lock);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_clear_pointer (&self->path, g_free);
  g_mutex_clear (&self->db_lock);
  g_mutex_clear (&self->readers_lock);
  g_mutex_clear (&self->commit_lock);

  G_OBJECT_CLASS (ww_relay_store_sqlite_parent_class)->finalize (object);
}

static void
ww_relay_store_sqlite_class_init (WwRelayStoreSqliteClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ww_relay_store_sqlite_finalize;
}

static void
ww_relay_store_sqlite_init (WwRelayStoreSqlite *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) sqlite3_finalize);
  g_mutex_init (&self->db_lock);
  g_mutex_init (&self->readers_lock);
  self->idle_readers = g_ptr_array_new_with_free_func ((GDestroyNotify) reader_free);
  g_mutex_init (&self->commit_lock);
  g_queue_init (&self->waiting);
  self->group_commit = TRUE;

  g_mutex_init (&self->index_lock);
  self->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify) indexed_booking_free);
  self->by_reference = g_hash_table_new (g_str_hash, g_str_equal);
  self->by_provider = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_array_unref);
  self->kept_keys = g_hash_table_new (g_str_hash, g_str_equal);
  self->seen_messages = g_hash_table_new (g_str_hash, g_str_equal);
  g_queue_init (&self->kept_queue);
  g_queue_init (&self->seen_queue);
}

static gboolean
read_user_version (sqlite3  *db,
                   int      *version,
                   GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = prepare_once (db, "PRAGMA user_version", error)))
    return FALSE;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return set_sqlite_error (error, db, rc, "reading the schema version");
  *version = sqlite3_column_int (stmt, 0);
  return TRUE;
}

static gboolean
migrate (sqlite3  *db,
         int       from,
         GError  **error)
{
  for (int version = from; version < SCHEMA_VERSION; version++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);

      if (!exec_sql (db, "BEGIN IMMEDIATE", "starting a migration", error))
        return FALSE;
      if (!exec_sql (db, migrations[version], "migrating the schema", error) ||
          !exec_sql (db, bump, "migrating the schema", error) ||
          !exec_sql (db, "COMMIT", "migrating the schema", error))
        {
          rollback (db);
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * ww_relay_store_sqlite_new:
 * @path: the database file; made, with its schema, if it is not there
 */
WwRelayStoreSqlite *
ww_relay_store_sqlite_new (const char  *path,
                           GError     **error)
{
  g_autoptr(WwRelayStoreSqlite) self = NULL;
  int version = 0;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (WW_TYPE_RELAY_STORE_SQLITE, NULL);
  self->path = g_strdup (path);

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_autofree char *doing = g_strdup_printf ("opening %s", path);

      set_sqlite_error (error, self->db, rc, doing);
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);

  if (!read_user_version (self->db, &version, error))
    return NULL;
  if (version > SCHEMA_VERSION)
    {
      g_set_error (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_TOO_NEW,
                   "%s was written by a newer relay (schema %d; this one knows %d); "
                   "update the relay or use another file",
                   path, version, SCHEMA_VERSION);
      return NULL;
    }

  /* FULL, not NORMAL: in WAL mode NORMAL may lose the last commits on
   * power loss, and a booking that got its 2xx must survive that. */
  if (!exec_sql (self->db,
                 "PRAGMA journal_mode = WAL;"
                 "PRAGMA synchronous = FULL;"
                 "PRAGMA secure_delete = ON;"
                 "PRAGMA foreign_keys = ON;",
                 "setting up the database", error))
    return NULL;

  if (!migrate (self->db, version, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * ww_relay_store_sqlite_set_group_commit:
 * @group_commit: whether bookings that arrive during a commit share the
 *   next one (the default), or each gets its own transaction and sync
 */
void
ww_relay_store_sqlite_set_group_commit (WwRelayStoreSqlite *self,
                                        gboolean            group_commit)
{
  g_return_if_fail (WW_IS_RELAY_STORE_SQLITE (self));

  g_mutex_lock (&self->commit_lock);
  self->group_commit = group_commit;
  g_mutex_unlock (&self->commit_lock);
}
