/* ww-relay-store-sqlite.c: the relay's embedded SQLite store
 *
 * One connection, shared by the relay's worker threads under a lock.
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
};

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

static gboolean
message_seen (WwRelayStore  *store,
              const char    *device_id,
              const char    *msg_id,
              gboolean      *seen,
              GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(Reader) reader = take_reader (self, error);
  g_autoptr(CachedStatement) stmt = NULL;
  int rc;

  if (reader == NULL)
    return FALSE;
  if (!(stmt = prepare_read (reader,
                             "SELECT 1 FROM seen_messages WHERE device_id = ? AND msg_id = ?",
                             error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, device_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, msg_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sqlite_error (error, reader->db, rc, "checking a message id");

  *seen = rc == SQLITE_ROW;
  return TRUE;
}

/* Runs inside a booking's transaction, once a minute (see
 * FORGET_EVERY_SECONDS): old keys and message ids go with the next
 * write, so no timer is needed for housekeeping. */
static gboolean
forget_old_keys (WwRelayStoreSqlite  *self,
                 gint64               now,
                 GError             **error)
{
  g_autoptr(CachedStatement) keys = NULL;
  g_autoptr(CachedStatement) messages = NULL;
  int rc;

  if (!(keys = prepare (self, "DELETE FROM idempotency WHERE created_at < ?", error)) ||
      !(messages = prepare (self, "DELETE FROM seen_messages WHERE at < ?", error)))
    return FALSE;

  /* an hour beyond the promise, so that a key is never dropped early */
  sqlite3_bind_int64 (keys, 1, now - WW_RELAY_IDEMPOTENCY_SECONDS - 3600);
  sqlite3_bind_int64 (messages, 1, now - SEEN_MESSAGE_SECONDS);
  if ((rc = sqlite3_step (keys)) != SQLITE_DONE ||
      (rc = sqlite3_step (messages)) != SQLITE_DONE)
    return set_sqlite_error (error, self->db, rc, "forgetting old idempotency keys");
  return TRUE;
}

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

/* Returns TRUE with *found set when the key is known. */
static gboolean
find_kept_answer (WwRelayStoreSqlite        *self,
                  const WwRelayRequestKeys  *keys,
                  gboolean                  *found,
                  guint                     *answered_status,
                  char                     **answered_body,
                  GError                   **error)
{
  g_autoptr(CachedStatement) stmt = NULL;
  int rc;

  if (!(stmt = prepare (self,
                        "SELECT request_hash, status_code, response_body FROM idempotency "
                        "WHERE device_id = ? AND key = ?",
                        error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, keys->device_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, keys->idempotency_key, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      *found = FALSE;
      return TRUE;
    }
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
insert_booking (WwRelayStoreSqlite        *self,
                const WwRelayRequestKeys  *keys,
                const WwRelayNewBooking   *booking,
                guint                      status_code,
                const char                *response_body,
                GError                   **error)
{
  g_autoptr(CachedStatement) insert = NULL;
  g_autoptr(CachedStatement) keep = NULL;
  int rc;

  if (!(insert = prepare (self,
                          "INSERT INTO bookings (id, reference, pin_hash, provider_id, status, payload, created_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?)",
                          error)) ||
      !(keep = prepare (self,
                        "INSERT INTO idempotency (device_id, key, request_hash, status_code, response_body, created_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        error)))
    return FALSE;

  sqlite3_bind_text (insert, 1, booking->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 2, booking->reference, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 3, booking->pin_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 4, booking->provider_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 5, booking->status, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 6, booking->payload, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (insert, 7, booking->created_at);
  rc = sqlite3_step (insert);
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
    {
      g_set_error (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_REFERENCE_TAKEN,
                   "reference %s is taken", booking->reference);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, self->db, rc, "writing a booking");

  sqlite3_bind_text (keep, 1, keys->device_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (keep, 2, keys->idempotency_key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (keep, 3, keys->request_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (keep, 4, status_code);
  sqlite3_bind_text (keep, 5, response_body, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (keep, 6, keys->now);
  rc = sqlite3_step (keep);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, self->db, rc, "keeping the idempotency key");

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
                        "INSERT INTO deliveries (booking_id, next_attempt_at) "
                        "SELECT ?, ? FROM providers WHERE id = ? AND webhook_url IS NOT NULL",
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

/* One booking's writes, inside the group's transaction. */
static gboolean
write_booking_rows (WwRelayStoreSqlite *self,
                    BookingJob         *job)
{
  if (!mark_message_seen (self, job->keys, &job->error) ||
      !find_kept_answer (self, job->keys, &job->found, &job->answered_status,
                         &job->answered_body, &job->error) ||
      (!job->found &&
       (!insert_booking (self, job->keys, job->booking, job->status_code,
                         job->response_body, &job->error) ||
        !queue_delivery (self, job->booking, &job->error))))
    {
      g_clear_pointer (&job->answered_body, g_free);
      return FALSE;
    }
  return TRUE;
}

/* One booking of a group of several: in a savepoint, so that a refused
 * one leaves the others be. */
static void
write_booking_job (WwRelayStoreSqlite *self,
                   BookingJob         *job)
{
  if (!run (self, "SAVEPOINT booking", "starting a booking", &job->error))
    return;

  if (!write_booking_rows (self, job))
    run (self, "ROLLBACK TO booking", "undoing a booking", NULL);

  /* RELEASE of a savepoint that was rolled back to keeps nothing */
  run (self, "RELEASE booking", "ending a booking", NULL);
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

  /* IMMEDIATE takes the write lock up front, so the look-up of a key and
   * the write that follows cannot interleave with another writer's (the
   * admin tool's, say). */
  if (run (self, "BEGIN IMMEDIATE", "starting a transaction", &error) &&
      (!forget || forget_old_keys (self, now, &error)))
    {
      if (jobs->len == 1)
        {
          /* alone, a refused booking has nothing to keep */
          if (!write_booking_rows (self, first))
            {
              rollback (self->db);
              return;
            }
        }
      else
        for (guint i = 0; i < jobs->len; i++)
          write_booking_job (self, g_ptr_array_index (jobs, i));

      if (run (self, "COMMIT", "committing a booking", &error))
        {
          if (forget)
            self->forgot_at = now;
          return;
        }
    }

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

/* On the writer with db_lock held, or on a reader. */
static WwRelayBooking *
select_booking (sqlite3             *db,
                GHashTable          *statements,
                const char          *reference,
                const char          *id,
                GError             **error)
{
  g_autoptr(CachedStatement) stmt = NULL;
  int rc;

  if (!(stmt = prepare_in (db, statements,
                           reference != NULL
                           ? "SELECT " BOOKING_COLUMNS " FROM bookings WHERE reference = ?"
                           : "SELECT " BOOKING_COLUMNS " FROM bookings WHERE id = ?",
                           error)))
    return NULL;
  sqlite3_bind_text (stmt, 1, reference != NULL ? reference : id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_NOT_FOUND,
                   "there is no booking %s", reference != NULL ? reference : id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, db, rc, "looking up a booking");
      return NULL;
    }

  return read_booking (stmt);
}

static WwRelayBooking *
lookup_booking (WwRelayStore  *store,
                const char    *reference,
                const char    *id,
                GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(Reader) reader = take_reader (self, error);

  if (reader == NULL)
    return NULL;
  return select_booking (reader->db, reader->statements, reference, id, error);
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
                         "INSERT OR IGNORE INTO deliveries (booking_id, next_attempt_at) "
                         "SELECT id, ? FROM bookings WHERE provider_id = ? AND status = 'received'",
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
  g_autoptr(CachedStatement) stmt = NULL;
  g_autoptr(GPtrArray) bookings = g_ptr_array_new_with_free_func ((GDestroyNotify) ww_relay_booking_free);
  int rc;

  if (reader == NULL)
    return NULL;
  if (!(stmt = prepare_read (reader,
                             "SELECT " BOOKING_COLUMNS " FROM bookings WHERE provider_id = ? "
                             "ORDER BY created_at DESC, rowid DESC LIMIT ?",
                             error)))
    return NULL;
  sqlite3_bind_text (stmt, 1, provider_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 2, limit);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (bookings, read_booking (stmt));
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, reader->db, rc, "listing a provider's bookings");
      return NULL;
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
  int rc;

  if (!exec_sql (self->db, "BEGIN IMMEDIATE", "starting a transaction", error))
    return NULL;

  if (!(update = prepare (self,
                          "UPDATE bookings SET status = ?1, answer_status = ?1, answer_time = ?2, "
                          "  answer_reason = ?3, answered_at = ?4, delivered_at = coalesce (delivered_at, ?4) "
                          "WHERE id = ?5 AND provider_id = ?6",
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
  sqlite3_bind_text (update, 5, id, -1, SQLITE_TRANSIENT);
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
  return select_booking (self->db, self->statements, NULL, id, error);
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
  int rc = SQLITE_DONE;

  if (!exec_sql (self->db, "BEGIN IMMEDIATE", "starting a transaction", error))
    return FALSE;

  if (!(update = prepare (self,
                          "UPDATE bookings SET delivered_at = coalesce (delivered_at, ?1), "
                          "  status = CASE status WHEN 'received' THEN 'delivered' "
                          "                       WHEN 'undeliverable' THEN 'delivered' ELSE status END "
                          "WHERE id = ?2",
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
      sqlite3_bind_text (update, 2, ids[i], -1, SQLITE_TRANSIENT);
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
                             "SELECT d.booking_id, d.attempts, b.created_at "
                             "FROM deliveries d JOIN bookings b ON b.id = d.booking_id "
                             "WHERE d.next_attempt_at <= ? ORDER BY d.next_attempt_at LIMIT ?",
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

  if (!exec_sql (self->db, "BEGIN IMMEDIATE", "starting a transaction", error))
    return FALSE;
  if (!(stmt = prepare (self, "DELETE FROM deliveries WHERE booking_id = ?", error)) ||
      !(status = prepare (self,
                          "UPDATE bookings SET status = 'undeliverable' WHERE id = ? AND status = 'received'",
                          error)))
    {
      rollback (self->db);
      return FALSE;
    }
  sqlite3_bind_text (stmt, 1, booking_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (status, 1, booking_id, -1, SQLITE_TRANSIENT);
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
  g_autoptr(CachedStatement) stmt = NULL;
  int rc;

  if (reader == NULL)
    return -1;
  if (!(stmt = prepare_read (reader, "SELECT count(*) FROM bookings", error)))
    return -1;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, reader->db, rc, "counting bookings");
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
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
