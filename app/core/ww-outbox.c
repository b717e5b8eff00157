/* ww-outbox.c
 *
 * The outbox is its own small SQLite file, apart from the directory: the
 * directory can be rebuilt from the plugins, a booking cannot. Every
 * write is a transaction synced before it returns (WAL, synchronous =
 * FULL). The body of a request is personal; once the relay confirms it
 * the row keeps only its reference and state, secure_delete zeroes the
 * bytes the body took, and a TRUNCATE checkpoint empties the -wal file
 * that still held the older page images.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-outbox"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "ww-error.h"
#include "ww-outbox.h"

#define REFERENCE_MAX_CHARS 64

struct _WwOutbox
{
  GObject             parent_instance;

  char               *path;
  sqlite3            *db;
  GMutex              lock;
  WwOutboxRandomFunc  random_func;
  gpointer            random_data;
};

G_DEFINE_FINAL_TYPE (WwOutbox, ww_outbox, G_TYPE_OBJECT)

/* Numbered migrations: migrations[i] takes user_version i to i + 1.
 * Never edit one that has shipped; add the next. */
static const char *migrations[] = {
  /* 0 → 1 */
  "CREATE TABLE outbox ("
  "  id TEXT PRIMARY KEY,"
  "  idempotency_key TEXT NOT NULL UNIQUE,"
  "  provider_id TEXT,"
  "  body TEXT,"
  "  state TEXT NOT NULL DEFAULT 'queued'"
  "    CHECK (state IN ('queued', 'sending', 'confirmed', 'failed')),"
  "  attempts INTEGER NOT NULL DEFAULT 0,"
  "  next_attempt_at INTEGER NOT NULL,"
  "  reference TEXT,"
  "  created_at INTEGER NOT NULL"
  ");"
  "CREATE INDEX outbox_by_due ON outbox (state, next_attempt_at, created_at);",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == WW_OUTBOX_SCHEMA_VERSION);

static const char *state_names[] = {
  [WW_OUTBOX_STATE_QUEUED] = "queued",
  [WW_OUTBOX_STATE_SENDING] = "sending",
  [WW_OUTBOX_STATE_CONFIRMED] = "confirmed",
  [WW_OUTBOX_STATE_FAILED] = "failed",
};

const char *
ww_outbox_state_to_string (WwOutboxState state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (state_names), NULL);

  return state_names[state];
}

static WwOutboxState
state_from_string (const char *string)
{
  for (guint i = 0; string != NULL && i < G_N_ELEMENTS (state_names); i++)
    if (g_str_equal (state_names[i], string))
      return (WwOutboxState) i;

  /* the CHECK constraint keeps anything else out */
  return WW_OUTBOX_STATE_FAILED;
}

static void
wipe_string (char *string)
{
  volatile char *p = string;

  if (p == NULL)
    return;
  while (*p != '\0')
    *p++ = '\0';
  g_free (string);
}

void
ww_outbox_item_free (WwOutboxItem *item)
{
  if (item == NULL)
    return;
  g_free (item->id);
  g_free (item->idempotency_key);
  wipe_string (item->body);
  g_free (item->reference);
  g_free (item);
}

static void
finalize_stmt (sqlite3_stmt *stmt)
{
  sqlite3_finalize (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, finalize_stmt)

static gboolean
is_corruption (int code)
{
  code &= 0xff;
  return code == SQLITE_CORRUPT || code == SQLITE_NOTADB;
}

static gboolean
set_sqlite_error (GError     **error,
                  sqlite3     *db,
                  int          code,
                  const char  *doing)
{
  const char *message = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (code);

  if (is_corruption (code))
    g_set_error (error, WW_OUTBOX_ERROR, WW_OUTBOX_ERROR_CORRUPT,
                 "The outbox database is damaged (%s while %s)", message, doing);
  else
    g_set_error (error, WW_OUTBOX_ERROR, WW_OUTBOX_ERROR_FAILED,
                 "Outbox database error while %s: %s", doing, message);

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

static double
default_random (gpointer user_data)
{
  return g_random_double ();
}

static void
ww_outbox_finalize (GObject *object)
{
  WwOutbox *self = WW_OUTBOX (object);

  /* Closing the last connection checkpoints and removes the -wal file. */
  g_clear_pointer (&self->db, sqlite3_close_v2);
  g_mutex_clear (&self->lock);
  g_free (self->path);

  G_OBJECT_CLASS (ww_outbox_parent_class)->finalize (object);
}

static void
ww_outbox_class_init (WwOutboxClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ww_outbox_finalize;
}

static void
ww_outbox_init (WwOutbox *self)
{
  g_mutex_init (&self->lock);
  self->random_func = default_random;
}

static int
read_user_version (sqlite3 *db,
                   int     *version)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    return rc;
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return rc;
  *version = sqlite3_column_int (stmt, 0);

  return SQLITE_OK;
}

/* quick_check reads every page, which for a file of a few rows is
 * nothing, and finds damage before anything is written over it. */
static gboolean
check_integrity (sqlite3  *db,
                 GError  **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, "PRAGMA quick_check", -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    return set_sqlite_error (error, db, rc, "checking the outbox");

  if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 0), "ok") != 0)
    {
      g_set_error (error, WW_OUTBOX_ERROR, WW_OUTBOX_ERROR_CORRUPT,
                   "The outbox database is damaged (%s)",
                   (const char *) sqlite3_column_text (stmt, 0));
      return FALSE;
    }

  return TRUE;
}

static gboolean
migrate (sqlite3  *db,
         int       from,
         GError  **error)
{
  for (int version = from; version < WW_OUTBOX_SCHEMA_VERSION; version++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);

      if (!exec_sql (db, "BEGIN IMMEDIATE", "starting a migration", error))
        return FALSE;
      if (!exec_sql (db, migrations[version], "migrating the outbox", error) ||
          !exec_sql (db, bump, "migrating the outbox", error) ||
          !exec_sql (db, "COMMIT", "migrating the outbox", error))
        {
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
    }

  return TRUE;
}

static gboolean
open_database (WwOutbox  *self,
               GError   **error)
{
  int version = 0;
  int rc;

  rc = sqlite3_open_v2 (self->path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    return set_sqlite_error (error, self->db, rc, "opening the outbox");
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);

  /* secure_delete first, so that no write of this connection leaves
   * freed bytes behind; temp_store keeps sorts out of temporary files. */
  if (!exec_sql (self->db,
                 "PRAGMA secure_delete = ON;"
                 "PRAGMA temp_store = MEMORY;",
                 "setting up the outbox", error))
    return FALSE;

  rc = read_user_version (self->db, &version);
  if (rc != SQLITE_OK)
    return set_sqlite_error (error, self->db, rc, "reading the outbox's schema version");

  if (version > WW_OUTBOX_SCHEMA_VERSION)
    {
      g_set_error (error, WW_OUTBOX_ERROR, WW_OUTBOX_ERROR_TOO_NEW,
                   "The outbox %s was written by a newer Wegwijzer (schema %d; this one "
                   "knows %d); update the program. The file was left as it is, with any "
                   "requests that are waiting in it",
                   self->path, version, WW_OUTBOX_SCHEMA_VERSION);
      return FALSE;
    }

  if (!check_integrity (self->db, error))
    return FALSE;

  if (!exec_sql (self->db,
                 "PRAGMA journal_mode = WAL;"
                 "PRAGMA synchronous = FULL;",
                 "setting up the outbox", error))
    return FALSE;

  return migrate (self->db, version, error);
}

static gboolean
move_aside (const char  *path,
            char       **moved_to,
            GError     **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *target = g_strdup_printf ("%s.corrupt-%s", path, stamp);
  static const char *suffixes[] = { "-wal", "-shm" };

  for (guint n = 1; g_file_test (target, G_FILE_TEST_EXISTS); n++)
    {
      g_free (target);
      target = g_strdup_printf ("%s.corrupt-%s-%u", path, stamp, n);
    }

  if (g_rename (path, target) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "The outbox %s is damaged and could not be moved aside (%s); "
                   "it may hold booking requests that were not sent yet, so it "
                   "was left alone: make the folder writable and start again",
                   path, g_strerror (saved_errno));
      return FALSE;
    }

  /* The journal belongs with the damaged file: its frames may hold the
   * last requests that were accepted. */
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *from = g_strconcat (path, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (target, suffixes[i], NULL);

      if (g_file_test (from, G_FILE_TEST_EXISTS))
        g_rename (from, to);
    }

  *moved_to = g_steal_pointer (&target);
  return TRUE;
}

/**
 * ww_outbox_open:
 * @path: the outbox file; its folder is made (0700) when missing
 *
 * A damaged file is never written over nor deleted: it is moved aside
 * with its journal and the open fails with #WW_OUTBOX_ERROR_CORRUPT,
 * whose message names the moved file, because requests that were still
 * waiting may be in it. Opening again then starts an empty outbox.
 *
 * Returns: (transfer full): the outbox, or %NULL with @error set
 */
WwOutbox *
ww_outbox_open (const char  *path,
                GError     **error)
{
  g_autoptr(WwOutbox) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *moved_to = NULL;
  gboolean existed;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = g_object_new (WW_TYPE_OUTBOX, NULL);
  self->path = g_strdup (path);

  parent = g_path_get_dirname (path);
  if (g_mkdir_with_parents (parent, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Could not create the folder %s for the outbox: %s",
                   parent, g_strerror (saved_errno));
      return NULL;
    }

  existed = g_file_test (path, G_FILE_TEST_EXISTS);

  if (open_database (self, &local_error))
    {
      /* Only this user reads booking requests; SQLite gives the -wal
       * and -shm files the mode of the database. */
      if (!existed)
        g_chmod (path, 0600);
      return g_steal_pointer (&self);
    }

  g_clear_pointer (&self->db, sqlite3_close_v2);

  if (!g_error_matches (local_error, WW_OUTBOX_ERROR, WW_OUTBOX_ERROR_CORRUPT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (!move_aside (path, &moved_to, error))
    return NULL;

  g_set_error (error, WW_OUTBOX_ERROR, WW_OUTBOX_ERROR_CORRUPT,
               "%s. It was moved to %s and kept: booking requests that were "
               "waiting to be sent may be in it, so do not delete it before "
               "someone has looked. Opening the outbox again starts a new, empty one",
               local_error->message, moved_to);
  return NULL;
}

const char *
ww_outbox_get_path (WwOutbox *self)
{
  g_return_val_if_fail (WW_IS_OUTBOX (self), NULL);

  return self->path;
}

void
ww_outbox_set_random_for_testing (WwOutbox           *self,
                                  WwOutboxRandomFunc  func,
                                  gpointer            user_data)
{
  g_return_if_fail (WW_IS_OUTBOX (self));

  g_mutex_lock (&self->lock);
  self->random_func = func != NULL ? func : default_random;
  self->random_data = func != NULL ? user_data : NULL;
  g_mutex_unlock (&self->lock);
}

/**
 * ww_outbox_compute_backoff:
 * @attempts: how many attempts have failed, 1 or more
 * @fraction: where in [0, 1] the jitter falls
 *
 * Returns: the wait in microseconds: @fraction × min (5 s × 2^(attempts-1), 1 h)
 */
gint64
ww_outbox_compute_backoff (guint  attempts,
                           double fraction)
{
  gint64 ceiling = WW_OUTBOX_BACKOFF_BASE_US;

  /* doubling step by step stops at the cap long before it could overflow */
  for (guint i = 1; i < attempts && ceiling < WW_OUTBOX_BACKOFF_MAX_US; i++)
    ceiling *= 2;
  ceiling = MIN (ceiling, WW_OUTBOX_BACKOFF_MAX_US);

  fraction = CLAMP (fraction, 0.0, 1.0);

  return (gint64) (fraction * (double) ceiling + 0.5);
}

/**
 * ww_outbox_enqueue:
 * @request: a request that ww_booking_request_validate() accepted
 *
 * Stores the request as queued and due at once. The row is on disk
 * (the WAL synced) before this returns, so a request the visitor saw
 * accepted survives a crash or a power cut.
 */
gboolean
ww_outbox_enqueue (WwOutbox          *self,
                   WwBookingRequest  *request,
                   GError           **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *body = NULL;
  gint64 now = g_get_real_time ();
  gboolean ok;
  int rc;

  g_return_val_if_fail (WW_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (WW_IS_BOOKING_REQUEST (request), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  body = ww_booking_request_to_json_string (request);

  g_mutex_lock (&self->lock);
  stmt = prepare (self->db,
                  "INSERT INTO outbox (id, idempotency_key, provider_id, body, state,"
                  "                    attempts, next_attempt_at, created_at)"
                  " VALUES (?, ?, ?, ?, 'queued', 0, ?, ?)",
                  error);
  ok = stmt != NULL;
  if (ok)
    {
      sqlite3_bind_text (stmt, 1, ww_booking_request_get_id (request), -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, ww_booking_request_get_idempotency_key (request), -1,
                         SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, ww_booking_request_get_provider_id (request), -1,
                         SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, body, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 5, now);
      sqlite3_bind_int64 (stmt, 6, now);

      /* one statement outside BEGIN is its own transaction, committed
       * and synced (synchronous = FULL) when step returns */
      rc = sqlite3_step (stmt);
      if (rc != SQLITE_DONE)
        ok = set_sqlite_error (error, self->db, rc, "storing a booking request");
      /* let go of the bound body before it is wiped */
      sqlite3_clear_bindings (stmt);
      sqlite3_reset (stmt);
    }
  g_mutex_unlock (&self->lock);

  wipe_string (g_steal_pointer (&body));

  return ok;
}

static WwOutboxItem *
item_from_row (sqlite3_stmt *stmt,
               gboolean      with_body)
{
  WwOutboxItem *item = g_new0 (WwOutboxItem, 1);

  item->id = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  item->idempotency_key = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
  item->state = state_from_string ((const char *) sqlite3_column_text (stmt, 2));
  item->attempts = (guint) sqlite3_column_int (stmt, 3);
  item->next_attempt_at = sqlite3_column_int64 (stmt, 4);
  item->reference = g_strdup ((const char *) sqlite3_column_text (stmt, 5));
  item->created_at = sqlite3_column_int64 (stmt, 6);
  if (with_body)
    item->body = g_strdup ((const char *) sqlite3_column_text (stmt, 7));

  return item;
}

#define ITEM_COLUMNS "id, idempotency_key, state, attempts, next_attempt_at, reference, created_at"

/**
 * ww_outbox_next_due:
 * @now_us: the wall-clock time to compare next_attempt_at with
 *
 * Returns: (transfer full) (nullable): the queued request whose turn it
 *   is (earliest next attempt, then oldest), with its body; %NULL when
 *   none is due or the outbox cannot be read
 */
WwOutboxItem *
ww_outbox_next_due (WwOutbox *self,
                    gint64    now_us)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  WwOutboxItem *item = NULL;
  int rc;

  g_return_val_if_fail (WW_IS_OUTBOX (self), NULL);

  g_mutex_lock (&self->lock);
  stmt = prepare (self->db,
                  "SELECT " ITEM_COLUMNS ", body FROM outbox"
                  " WHERE state = 'queued' AND next_attempt_at <= ?"
                  " ORDER BY next_attempt_at, created_at, id LIMIT 1",
                  &error);
  if (stmt != NULL)
    {
      sqlite3_bind_int64 (stmt, 1, now_us);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        item = item_from_row (stmt, TRUE);
      else if (rc != SQLITE_DONE)
        set_sqlite_error (&error, self->db, rc, "looking for a request to send");
    }
  g_mutex_unlock (&self->lock);

  /* The sender tries again later; what went wrong names no request. */
  if (error != NULL)
    g_message ("%s", error->message);

  return item;
}

/**
 * ww_outbox_get_queued:
 *
 * The request @id with its body, if it is still waiting to be sent (due
 * or not): what a kiosk sends at once for the visitor who just asked.
 *
 * Returns: (transfer full) (nullable): the request, or %NULL
 */
WwOutboxItem *
ww_outbox_get_queued (WwOutbox   *self,
                      const char *id)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GError) error = NULL;
  WwOutboxItem *item = NULL;
  int rc;

  g_return_val_if_fail (WW_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  g_mutex_lock (&self->lock);
  stmt = prepare (self->db,
                  "SELECT " ITEM_COLUMNS ", body FROM outbox WHERE id = ? AND state = 'queued'",
                  &error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        item = item_from_row (stmt, TRUE);
      else if (rc != SQLITE_DONE)
        set_sqlite_error (&error, self->db, rc, "looking for a request to send");
    }
  g_mutex_unlock (&self->lock);

  if (error != NULL)
    g_message ("%s", error->message);

  return item;
}

static gboolean
check_changed_one (WwOutbox    *self,
                   const char  *id,
                   GError     **error)
{
  if (sqlite3_changes (self->db) == 1)
    return TRUE;

  g_set_error (error, WW_OUTBOX_ERROR, WW_OUTBOX_ERROR_NOT_FOUND,
               "The outbox has no request %s waiting to be sent", id);
  return FALSE;
}

/**
 * ww_outbox_mark_failed_attempt:
 * @now_us: when the attempt failed
 *
 * Counts a failed attempt and puts the request back in the queue, due
 * after ww_outbox_compute_backoff() of the new count.
 */
gboolean
ww_outbox_mark_failed_attempt (WwOutbox    *self,
                               const char  *id,
                               gint64       now_us,
                               GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (WW_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  g_mutex_lock (&self->lock);

  /* Read and write in one transaction so that two senders cannot both
   * count the same attempt. */
  if (!exec_sql (self->db, "BEGIN IMMEDIATE", "counting a failed attempt", error))
    goto out;

  stmt = prepare (self->db,
                  "SELECT attempts FROM outbox WHERE id = ? AND state IN ('queued', 'sending')",
                  error);
  if (stmt == NULL)
    goto rollback;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, WW_OUTBOX_ERROR, WW_OUTBOX_ERROR_NOT_FOUND,
                   "The outbox has no request %s waiting to be sent", id);
      goto rollback;
    }
  if (rc != SQLITE_ROW)
    {
      set_sqlite_error (error, self->db, rc, "counting a failed attempt");
      goto rollback;
    }

  {
    guint attempts = (guint) sqlite3_column_int (stmt, 0) + 1;
    gint64 delay = ww_outbox_compute_backoff (attempts, self->random_func (self->random_data));

    g_clear_pointer (&stmt, sqlite3_finalize);
    stmt = prepare (self->db,
                    "UPDATE outbox SET state = 'queued', attempts = ?, next_attempt_at = ?"
                    " WHERE id = ?",
                    error);
    if (stmt == NULL)
      goto rollback;
    sqlite3_bind_int (stmt, 1, (int) MIN (attempts, (guint) G_MAXINT));
    sqlite3_bind_int64 (stmt, 2, now_us + delay);
    sqlite3_bind_text (stmt, 3, id, -1, SQLITE_STATIC);
    rc = sqlite3_step (stmt);
    if (rc != SQLITE_DONE)
      {
        set_sqlite_error (error, self->db, rc, "counting a failed attempt");
        goto rollback;
      }
    if (!check_changed_one (self, id, error))
      goto rollback;
  }

  g_clear_pointer (&stmt, sqlite3_finalize);
  ok = exec_sql (self->db, "COMMIT", "counting a failed attempt", error);
  if (ok)
    goto out;

rollback:
  g_clear_pointer (&stmt, sqlite3_finalize);
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
out:
  g_mutex_unlock (&self->lock);
  return ok;
}

static gboolean
reference_is_valid (const char *reference)
{
  gsize length = strlen (reference);

  if (length == 0 || length > REFERENCE_MAX_CHARS)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (reference[i]) && reference[i] != '-')
      return FALSE;

  return TRUE;
}

/* Empties the -wal file: it still holds the page images written before
 * the body was erased. Committing alone would leave them there until the
 * next checkpoint, which may be days away on a quiet kiosk. */
static gboolean
checkpoint_truncate (WwOutbox  *self,
                     GError   **error)
{
  int log_frames = -1;
  int checkpointed = -1;
  int rc = sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
                                      &log_frames, &checkpointed);

  if (rc != SQLITE_OK)
    return set_sqlite_error (error, self->db, rc, "erasing the old copies of a request");

  return TRUE;
}

/* Ends a request's life on the kiosk: one UPDATE (one transaction,
 * committed and synced) that sets its final state and overwrites every
 * personal field with NULL, then a truncating checkpoint so that no old
 * page holding them stays in the WAL. @sql binds ?1 = id, ?2 = reference. */
static gboolean
erase_request (WwOutbox    *self,
               const char  *sql,
               const char  *id,
               const char  *reference,
               const char  *doing,
               GError     **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  gboolean ok = FALSE;
  int rc;

  g_mutex_lock (&self->lock);

  stmt = prepare (self->db, sql, error);
  if (stmt == NULL)
    goto out;
  sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, reference, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_DONE)
    {
      set_sqlite_error (error, self->db, rc, doing);
      goto out;
    }
  if (!check_changed_one (self, id, error))
    goto out;

  ok = checkpoint_truncate (self, error);

out:
  g_mutex_unlock (&self->lock);
  return ok;
}

/**
 * ww_outbox_mark_confirmed:
 * @reference: the relay's reference code for the booking
 *
 * The relay has the request: in one transaction the row becomes
 * confirmed with @reference, and the body (name, contact, every answer)
 * and the provider are overwritten with NULL. Then the WAL is
 * checkpointed and truncated, so no copy of the body stays in any of
 * the outbox's files. Confirming a confirmed request again is allowed
 * (a retried answer of the relay) and changes nothing.
 */
gboolean
ww_outbox_mark_confirmed (WwOutbox    *self,
                          const char  *id,
                          const char  *reference,
                          GError     **error)
{
  g_return_val_if_fail (WW_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (reference != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!reference_is_valid (reference))
    {
      g_set_error (error, WW_OUTBOX_ERROR, WW_OUTBOX_ERROR_FAILED,
                   "The relay answered with a reference code that is not one "
                   "(letters, digits and dashes, at most %d); the request stays queued",
                   REFERENCE_MAX_CHARS);
      return FALSE;
    }

  return erase_request (self,
                       "UPDATE outbox SET state = 'confirmed', reference = ?2, body = NULL,"
                       "                  provider_id = NULL, next_attempt_at = 0"
                       " WHERE id = ?1 AND (state != 'confirmed' OR reference = ?2)",
                       id, reference, "erasing a confirmed request", error);
}

/**
 * ww_outbox_mark_rejected:
 *
 * The relay refused the request for good (it was malformed, or another
 * request used its key): it will not be sent again, and its personal
 * fields are erased just as on confirmation.
 */
gboolean
ww_outbox_mark_rejected (WwOutbox    *self,
                         const char  *id,
                         GError     **error)
{
  g_return_val_if_fail (WW_IS_OUTBOX (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return erase_request (self,
                        "UPDATE outbox SET state = 'failed', body = NULL, provider_id = NULL,"
                        "                  next_attempt_at = 0"
                        " WHERE id = ?1 AND state != 'confirmed'",
                        id, NULL, "erasing a refused request", error);
}

/**
 * ww_outbox_list:
 *
 * Every request, newest first, for the "check my request" page: id,
 * reference, state, attempts and times. Bodies are never read here.
 *
 * Returns: (transfer full) (element-type WwOutboxItem): the rows, or
 *   %NULL with @error set
 */
GPtrArray *
ww_outbox_list (WwOutbox  *self,
                GError   **error)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(sqlite3_stmt) stmt = NULL;
  int rc = SQLITE_DONE;

  g_return_val_if_fail (WW_IS_OUTBOX (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  items = g_ptr_array_new_with_free_func ((GDestroyNotify) ww_outbox_item_free);

  g_mutex_lock (&self->lock);
  stmt = prepare (self->db,
                  "SELECT " ITEM_COLUMNS " FROM outbox ORDER BY created_at DESC, id",
                  error);
  if (stmt != NULL)
    {
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_ptr_array_add (items, item_from_row (stmt, FALSE));
      if (rc != SQLITE_DONE)
        set_sqlite_error (error, self->db, rc, "listing the requests");
    }
  g_mutex_unlock (&self->lock);

  if (stmt == NULL || rc != SQLITE_DONE)
    return NULL;

  return g_steal_pointer (&items);
}
