/* ww-relay-store-sqlite.c: the relay's embedded SQLite store
 *
 * One connection, used from the main thread. WAL with synchronous=FULL:
 * a commit is on disk when sqlite3_step() of COMMIT returns, which is
 * what lets the relay answer 2xx only for what it cannot lose.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-relay-store-sqlite"

#include "config.h"

#include <sqlite3.h>

#include "ww-relay-store-sqlite.h"

struct _WwRelayStoreSqlite
{
  GObject  parent_instance;

  sqlite3 *db;
  char    *path;
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

static sqlite3_stmt *
prepare (sqlite3     *db,
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

static void
rollback (sqlite3 *db)
{
  if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
}

static gboolean
insert_device (WwRelayStore  *store,
               const char    *id,
               const char    *name,
               const char    *secret,
               GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = prepare (self->db,
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
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = prepare (self->db,
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
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = prepare (self->db,
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
    return set_sqlite_error (error, self->db, rc, "looking up a device");

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
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = prepare (self->db,
                        "SELECT 1 FROM seen_messages WHERE device_id = ? AND msg_id = ?",
                        error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, device_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, msg_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sqlite_error (error, self->db, rc, "checking a message id");

  *seen = rc == SQLITE_ROW;
  return TRUE;
}

/* Runs inside the booking's transaction: old keys and message ids go
 * with the next write, so no timer is needed for housekeeping. */
static gboolean
forget_old_keys (WwRelayStoreSqlite  *self,
                 gint64               now,
                 GError             **error)
{
  g_autoptr(sqlite3_stmt) keys = NULL;
  g_autoptr(sqlite3_stmt) messages = NULL;
  int rc;

  if (!(keys = prepare (self->db, "DELETE FROM idempotency WHERE created_at < ?", error)) ||
      !(messages = prepare (self->db, "DELETE FROM seen_messages WHERE at < ?", error)))
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
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = prepare (self->db,
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
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = prepare (self->db,
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
  g_autoptr(sqlite3_stmt) insert = NULL;
  g_autoptr(sqlite3_stmt) keep = NULL;
  int rc;

  if (!(insert = prepare (self->db,
                          "INSERT INTO bookings (id, reference, pin_hash, provider_id, status, payload, created_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?)",
                          error)) ||
      !(keep = prepare (self->db,
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
  gboolean found = FALSE;

  /* IMMEDIATE takes the write lock up front, so the look-up of the key
   * and the write that follows cannot interleave with another writer's. */
  if (!exec_sql (self->db, "BEGIN IMMEDIATE", "starting a transaction", error))
    return FALSE;

  if (!forget_old_keys (self, keys->now, error) ||
      !mark_message_seen (self, keys, error) ||
      !find_kept_answer (self, keys, &found, answered_status, answered_body, error) ||
      (!found && !insert_booking (self, keys, booking, status_code, response_body, error)))
    {
      rollback (self->db);
      return FALSE;
    }

  if (!exec_sql (self->db, "COMMIT", "committing a booking", error))
    {
      rollback (self->db);
      g_clear_pointer (answered_body, g_free);
      return FALSE;
    }

  if (!found)
    {
      *answered_status = status_code;
      *answered_body = g_strdup (response_body);
    }
  return TRUE;
}

static gboolean
lookup_booking (WwRelayStore  *store,
                const char    *reference,
                char         **status,
                char         **pin_hash,
                GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = prepare (self->db,
                        "SELECT status, pin_hash FROM bookings WHERE reference = ?",
                        error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, reference, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_NOT_FOUND,
                   "there is no booking %s", reference);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return set_sqlite_error (error, self->db, rc, "looking up a booking");

  *status = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  *pin_hash = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  return TRUE;
}

static gint64
count_bookings (WwRelayStore  *store,
                GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = prepare (self->db, "SELECT count(*) FROM bookings", error)))
    return -1;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, self->db, rc, "counting bookings");
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

static GPtrArray *
list_devices (WwRelayStore  *store,
              GError       **error)
{
  WwRelayStoreSqlite *self = WW_RELAY_STORE_SQLITE (store);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func ((GDestroyNotify) ww_relay_device_free);
  int rc;

  if (!(stmt = prepare (self->db,
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
      set_sqlite_error (error, self->db, rc, "listing devices");
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
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  /* the limit-th most recent failure in the window: while it is in the
   * window, so are @limit failures */
  if (!(stmt = prepare (self->db,
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
    return set_sqlite_error (error, self->db, rc, "counting wrong PINs");

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
  g_autoptr(sqlite3_stmt) forget = NULL;
  g_autoptr(sqlite3_stmt) insert = NULL;
  int rc;

  if (!exec_sql (self->db, "BEGIN IMMEDIATE", "starting a transaction", error))
    return FALSE;

  if (!(forget = prepare (self->db, "DELETE FROM pin_failures WHERE at <= ?", error)) ||
      !(insert = prepare (self->db, "INSERT INTO pin_failures (key, at) VALUES (?, ?)", error)))
    {
      rollback (self->db);
      return FALSE;
    }

  sqlite3_bind_int64 (forget, 1, now - window);
  if ((rc = sqlite3_step (forget)) != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc, "forgetting old wrong PINs");
      rollback (self->db);
      return FALSE;
    }

  for (guint i = 0; keys[i] != NULL; i++)
    {
      sqlite3_reset (insert);
      sqlite3_bind_text (insert, 1, keys[i], -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (insert, 2, now);
      if ((rc = sqlite3_step (insert)) != SQLITE_DONE)
        {
          set_sqlite_error (error, self->db, rc, "counting a wrong PIN");
          rollback (self->db);
          return FALSE;
        }
    }

  if (!exec_sql (self->db, "COMMIT", "counting a wrong PIN", error))
    {
      rollback (self->db);
      return FALSE;
    }
  return TRUE;
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
}

static void
ww_relay_store_sqlite_finalize (GObject *object)
{
  WwRelayStoreSqlite *self = (WwRelayStoreSqlite *)object;

  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_clear_pointer (&self->path, g_free);

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
}

static gboolean
read_user_version (sqlite3  *db,
                   int      *version,
                   GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc;

  if (!(stmt = prepare (db, "PRAGMA user_version", error)))
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
