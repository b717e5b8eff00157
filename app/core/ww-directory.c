/* ww-directory.c
 *
 * The directory is one SQLite file in WAL mode. Three connections, each
 * behind its own lock: one writes, one searches (so a search can be
 * interrupted without touching anything else), one loads single rows for
 * result lists. In WAL mode readers never wait for the writer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-directory"

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "ww-directory.h"
#include "ww-error.h"
#include "ww-hsds.h"
#include "ww-search-results-private.h"
#include "ww-text.h"

/* How many results the search thread loads before handing the list over. */
#define PREFETCH_ITEMS 50
/* Words this long or longer are corrected when they match nothing. */
#define TYPO_MIN_LENGTH 5

typedef struct {
  sqlite3 *db;
  GMutex   lock;
} Connection;

typedef struct {
  char  *token;
  char **words;
} CategoryWords;

static void
category_words_free (gpointer data)
{
  CategoryWords *entry = data;

  g_free (entry->token);
  g_strfreev (entry->words);
  g_free (entry);
}

struct _WwDirectory
{
  GObject         parent_instance;

  char           *path;
  char           *name;                 /* what SQLite opens: the path, or a URI */
  char           *recovered_path;
  Connection      writer;
  Connection      searcher;
  Connection      reader;
  GCancellable   *search_cancellable;   /* under searcher.lock */
  GHashTable     *words;                /* the vocabulary, under searcher.lock */
  GPtrArray      *sorted_words;
  gint64          words_version;
  WwPluginEngine *engine;
  GPtrArray      *category_words;       /* CategoryWords, from the plugins */
  GMutex          terms_lock;
  gboolean        read_only;
};

G_DEFINE_FINAL_TYPE (WwDirectory, ww_directory, G_TYPE_OBJECT)

/* The columns that hold WwProviderField values, in enum order. */
static const char *field_columns[WW_PROVIDER_N_FIELDS] = {
  [WW_PROVIDER_ID] = "id",
  [WW_PROVIDER_THEME] = "theme",
  [WW_PROVIDER_CATEGORY] = "category",
  [WW_PROVIDER_NAME] = "name",
  [WW_PROVIDER_DESCRIPTION] = "description",
  [WW_PROVIDER_URL] = "url",
  [WW_PROVIDER_EMAIL] = "email",
  [WW_PROVIDER_STATUS] = "status",
  [WW_PROVIDER_ASSURED_DATE] = "assured_date",
  [WW_PROVIDER_ASSURER_EMAIL] = "assurer_email",
  [WW_PROVIDER_ORGANIZATION_ID] = "org_id",
  [WW_PROVIDER_ORGANIZATION_NAME] = "org_name",
  [WW_PROVIDER_ORGANIZATION_DESCRIPTION] = "org_description",
  [WW_PROVIDER_ORGANIZATION_WEBSITE] = "org_website",
  [WW_PROVIDER_PHONE] = "phone",
  [WW_PROVIDER_PHONE_TYPE] = "phone_type",
  [WW_PROVIDER_LOCATION_ID] = "location_id",
  [WW_PROVIDER_LOCATION_NAME] = "location_name",
  [WW_PROVIDER_STREET] = "street",
  [WW_PROVIDER_POSTAL_CODE] = "postal_code",
  [WW_PROVIDER_CITY] = "city",
  [WW_PROVIDER_REGION] = "region",
  [WW_PROVIDER_COUNTRY] = "country",
};

/* Numbered migrations: migrations[i] takes user_version i to i + 1.
 * Never edit one that has shipped; add the next. */
static const char *migrations[] = {
  /* 0 → 1 */
  "CREATE TABLE providers ("
  "  rowid INTEGER PRIMARY KEY,"
  "  id TEXT NOT NULL UNIQUE,"
  "  source TEXT NOT NULL,"
  "  theme TEXT NOT NULL,"
  "  category TEXT NOT NULL,"
  "  name TEXT NOT NULL,"
  "  sort_key TEXT NOT NULL,"
  "  city_key TEXT NOT NULL,"
  "  description TEXT, url TEXT, email TEXT, status TEXT,"
  "  assured_date TEXT, assurer_email TEXT,"
  "  org_id TEXT, org_name TEXT, org_description TEXT, org_website TEXT,"
  "  phone TEXT, phone_type TEXT,"
  "  location_id TEXT, location_name TEXT, street TEXT, postal_code TEXT,"
  "  city TEXT NOT NULL, region TEXT, country TEXT,"
  "  latitude REAL, longitude REAL,"
  "  languages TEXT NOT NULL DEFAULT '',"
  "  attributes TEXT NOT NULL DEFAULT '',"
  "  schedules TEXT NOT NULL DEFAULT '[]',"
  "  sample INTEGER NOT NULL DEFAULT 0"
  ");"
  "CREATE INDEX providers_by_theme ON providers (theme, category, sort_key);"
  "CREATE INDEX providers_by_name ON providers (sort_key);"
  "CREATE INDEX providers_by_theme_name ON providers (theme, sort_key);"
  "CREATE INDEX providers_by_source ON providers (source);"
  /* one row a weekday, minutes after midnight */
  "CREATE TABLE opening_hours ("
  "  provider INTEGER NOT NULL,"
  "  weekday INTEGER NOT NULL,"
  "  opens INTEGER NOT NULL,"
  "  closes INTEGER NOT NULL"
  ");"
  "CREATE INDEX opening_hours_by_provider ON opening_hours (provider, weekday);"
  "CREATE VIRTUAL TABLE providers_geo USING rtree (id, min_lat, max_lat, min_lon, max_lon);"
  /* Contentless: the text lives in providers, and the row it was made
   * from gives the same words back for a delete. The meta column holds
   * one token per filter value (theme, category, city, language, fact),
   * so filters are intersections of doclists inside FTS5. */
  "CREATE VIRTUAL TABLE providers_fts USING fts5 ("
  "  name, description, place, meta,"
  "  content = '',"
  "  tokenize = 'unicode61 remove_diacritics 2',"
  "  prefix = '1 2 3'"
  ");"
  /* every word of four letters or more that was ever indexed, for typo
   * correction; a word whose listings went stays, which costs nothing
   * but a candidate that matches no row */
  /* Names (and the filter tokens again) on their own: a broad query, two
   * letters say, lists the listings whose name matches first, and this
   * small index finds them without reading positions in the big one. */
  "CREATE VIRTUAL TABLE names_fts USING fts5 ("
  "  name, meta,"
  "  content = '',"
  "  detail = none,"
  "  tokenize = 'unicode61 remove_diacritics 2',"
  "  prefix = '1 2 3'"
  ");"
  "CREATE TABLE vocabulary ("
  "  word TEXT PRIMARY KEY"
  ") WITHOUT ROWID;"
  "CREATE TABLE seeds ("
  "  source TEXT PRIMARY KEY,"
  "  checksum TEXT NOT NULL"
  ");",

  /* 1 → 2: the change log that kiosks sync from. One row per listing
   * id, for its latest change: an add or a replace (deleted = 0) or a
   * removal (deleted = 1). AUTOINCREMENT, so that a number is never
   * given twice, not even after the row holding the highest one went.
   * The listings already here are changes too, in the order they came. */
  "CREATE TABLE changes ("
  "  change INTEGER PRIMARY KEY AUTOINCREMENT,"
  "  id TEXT NOT NULL UNIQUE,"
  "  deleted INTEGER NOT NULL DEFAULT 0"
  ");"
  "INSERT INTO changes (id) SELECT id FROM providers ORDER BY rowid;"
  /* small facts about the directory itself, such as how far it was
   * synced from a relay */
  "CREATE TABLE meta ("
  "  key TEXT PRIMARY KEY,"
  "  value NOT NULL"
  ") WITHOUT ROWID;",
};

G_STATIC_ASSERT (G_N_ELEMENTS (migrations) == WW_DIRECTORY_SCHEMA_VERSION);

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
  int primary = code & 0xff;
  const char *message = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (code);

  if (primary == SQLITE_INTERRUPT)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                         "The search was cancelled");
  else if (is_corruption (code))
    g_set_error (error, WW_DIRECTORY_ERROR, WW_DIRECTORY_ERROR_CORRUPT,
                 "The directory database is damaged (%s while %s); "
                 "restart the program to rebuild it from the plugins",
                 message, doing);
  else if (primary == SQLITE_READONLY)
    g_set_error (error, WW_DIRECTORY_ERROR, WW_DIRECTORY_ERROR_READ_ONLY,
                 "The directory database is read-only (%s while %s)", message, doing);
  else
    g_set_error (error, WW_DIRECTORY_ERROR, WW_DIRECTORY_ERROR_FAILED,
                 "Database error while %s: %s", doing, message);

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
  int rc = sqlite3_prepare_v3 (db, sql, -1, 0, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, db, rc, "preparing a query");
      return NULL;
    }

  return stmt;
}

static void
finalize_stmt (sqlite3_stmt *stmt)
{
  sqlite3_finalize (stmt);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, finalize_stmt)

/* Great-circle distance in km; registered as ww_distance() in SQL. */
static double
haversine_km (double lat1,
              double lon1,
              double lat2,
              double lon2)
{
  const double r = 6371.0088;
  double dlat = (lat2 - lat1) * G_PI / 180.0;
  double dlon = (lon2 - lon1) * G_PI / 180.0;
  double a = sin (dlat / 2) * sin (dlat / 2) +
             cos (lat1 * G_PI / 180.0) * cos (lat2 * G_PI / 180.0) *
             sin (dlon / 2) * sin (dlon / 2);

  return 2 * r * asin (MIN (1.0, sqrt (a)));
}

static void
sql_distance (sqlite3_context  *context,
              int               argc,
              sqlite3_value   **argv)
{
  for (int i = 0; i < 4; i++)
    if (sqlite3_value_type (argv[i]) == SQLITE_NULL)
      {
        sqlite3_result_null (context);
        return;
      }

  sqlite3_result_double (context,
                         haversine_km (sqlite3_value_double (argv[0]),
                                       sqlite3_value_double (argv[1]),
                                       sqlite3_value_double (argv[2]),
                                       sqlite3_value_double (argv[3])));
}

/* How well a row matches, for ranking: for each phrase of the query the
 * weight of the best column it occurs in (name 10, description 1, place
 * 2, category 3). Unlike bm25() it needs no statistics over the whole
 * index, which cost as much as the search itself on a large directory
 * when the query holds broad filter tokens. */
static void
sql_rank (const Fts5ExtensionApi  *api,
          Fts5Context             *fts,
          sqlite3_context         *context,
          int                      n_values,
          sqlite3_value          **values)
{
  static const double weights[] = { 10.0, 1.0, 2.0, 3.0 };
  int n_phrases = api->xPhraseCount (fts);
  double score = 0;

  for (int phrase = 0; phrase < n_phrases; phrase++)
    {
      Fts5PhraseIter iter;
      double best = 0;
      int column, offset;

      for (api->xPhraseFirst (fts, phrase, &iter, &column, &offset);
           column >= 0;
           api->xPhraseNext (fts, &iter, &column, &offset))
        if (column < (int) G_N_ELEMENTS (weights))
          best = MAX (best, weights[column]);

      score += best;
    }

  sqlite3_result_double (context, score);
}

static void
register_rank_function (sqlite3 *db)
{
  fts5_api *api = NULL;
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT fts5(?1)", -1, &stmt, NULL) != SQLITE_OK)
    return;
  sqlite3_bind_pointer (stmt, 1, (void *) &api, "fts5_api_ptr", NULL);
  sqlite3_step (stmt);
  sqlite3_finalize (stmt);

  if (api != NULL && api->iVersion >= 2)
    api->xCreateFunction (api, "ww_rank", NULL, sql_rank, NULL);
}

static int
open_connection (const char  *path,
                 gboolean     read_only,
                 sqlite3    **db_out)
{
  int flags = (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
              SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_URI;
  sqlite3 *db = NULL;
  int rc;

  rc = sqlite3_open_v2 (path, &db, flags, NULL);
  if (rc == SQLITE_OK)
    {
      sqlite3_extended_result_codes (db, 1);
      sqlite3_busy_timeout (db, 5000);
      sqlite3_create_function (db, "ww_distance", 4,
                               SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                               NULL, sql_distance, NULL, NULL);
      register_rank_function (db);
    }

  *db_out = db;
  return rc;
}

static void
close_connection (Connection *connection)
{
  g_mutex_lock (&connection->lock);
  g_clear_pointer (&connection->db, sqlite3_close_v2);
  g_mutex_unlock (&connection->lock);
}

static void
ww_directory_finalize (GObject *object)
{
  WwDirectory *self = (WwDirectory *)object;

  close_connection (&self->reader);
  close_connection (&self->searcher);
  if (self->writer.db != NULL && !self->read_only)
    sqlite3_exec (self->writer.db, "PRAGMA optimize", NULL, NULL, NULL);
  close_connection (&self->writer);
  g_mutex_clear (&self->reader.lock);
  g_mutex_clear (&self->searcher.lock);
  g_mutex_clear (&self->writer.lock);
  g_mutex_clear (&self->terms_lock);
  g_clear_object (&self->engine);
  g_clear_pointer (&self->category_words, g_ptr_array_unref);
  g_clear_pointer (&self->words, g_hash_table_unref);
  g_clear_pointer (&self->sorted_words, g_ptr_array_unref);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->recovered_path, g_free);

  G_OBJECT_CLASS (ww_directory_parent_class)->finalize (object);
}

static void
ww_directory_class_init (WwDirectoryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ww_directory_finalize;
}

static void
ww_directory_init (WwDirectory *self)
{
  g_mutex_init (&self->writer.lock);
  g_mutex_init (&self->searcher.lock);
  g_mutex_init (&self->reader.lock);
  g_mutex_init (&self->terms_lock);
  self->category_words = g_ptr_array_new_with_free_func (category_words_free);
  self->words_version = -1;
}

static int
read_user_version (sqlite3 *db,
                   int     *version)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL);

  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          *version = sqlite3_column_int (stmt, 0);
          rc = SQLITE_OK;
        }
    }
  sqlite3_finalize (stmt);

  return rc;
}

static gboolean
migrate (sqlite3  *db,
         int       from,
         GError  **error)
{
  for (int version = from; version < WW_DIRECTORY_SCHEMA_VERSION; version++)
    {
      g_autofree char *bump = g_strdup_printf ("PRAGMA user_version = %d", version + 1);

      if (!exec_sql (db, "BEGIN IMMEDIATE", "starting a migration", error))
        return FALSE;
      if (!exec_sql (db, migrations[version], "migrating the schema", error) ||
          !exec_sql (db, bump, "migrating the schema", error) ||
          !exec_sql (db, "COMMIT", "migrating the schema", error))
        {
          sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
          return FALSE;
        }
    }

  return TRUE;
}

/* A SQLite built without these (a distribution's or a Flatpak runtime's
 * choice) cannot hold the directory. Each is tried on a connection of
 * its own in memory, so that the message names what is missing, instead
 * of a query failing later, whatever state the file is in. */
static gboolean
check_sqlite_modules (GError **error)
{
  static const struct {
    const char *create;
    const char *feature;
  } probes[] = {
    { "CREATE VIRTUAL TABLE probe_fts USING fts5 (x, tokenize = 'unicode61 remove_diacritics 2')",
      "full-text search (FTS5, with unicode61 remove_diacritics 2, SQLite 3.27 or newer)" },
    { "CREATE VIRTUAL TABLE probe_geo USING rtree (id, min_x, max_x)",
      "the R*Tree index" },
  };
  sqlite3 *db = NULL;
  int rc;

  rc = sqlite3_open_v2 (":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, db, rc, "checking the SQLite library");
      sqlite3_close (db);
      return FALSE;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (probes); i++)
    {
      if (sqlite3_exec (db, probes[i].create, NULL, NULL, NULL) != SQLITE_OK)
        {
          g_set_error (error, WW_DIRECTORY_ERROR, WW_DIRECTORY_ERROR_FAILED,
                       "The SQLite library in use (%s) was built without %s, which the "
                       "directory needs (%s); install or bundle a SQLite built with it",
                       sqlite3_libversion (), probes[i].feature, sqlite3_errmsg (db));
          sqlite3_close (db);
          return FALSE;
        }
    }

  sqlite3_close (db);

  return TRUE;
}

/* Opens the writer and brings the schema up to date. Corruption is
 * reported as WW_DIRECTORY_ERROR_CORRUPT so the caller can move the file
 * aside; nothing here writes over a file it could not read. */
static gboolean
open_writer (WwDirectory  *self,
             GError      **error)
{
  int version = 0;
  int rc;

  if (!check_sqlite_modules (error))
    return FALSE;

  rc = open_connection (self->name, self->read_only, &self->writer.db);
  if (rc != SQLITE_OK)
    return set_sqlite_error (error, self->writer.db, rc, "opening the database");

  rc = read_user_version (self->writer.db, &version);
  if (rc != SQLITE_OK)
    return set_sqlite_error (error, self->writer.db, rc, "reading the schema version");

  if (version > WW_DIRECTORY_SCHEMA_VERSION)
    {
      g_set_error (error, WW_DIRECTORY_ERROR, WW_DIRECTORY_ERROR_TOO_NEW,
                   "%s was written by a newer Wegwijzer (schema %d; this one knows %d); "
                   "update the program or open another file",
                   self->path, version, WW_DIRECTORY_SCHEMA_VERSION);
      return FALSE;
    }

  /* Reading the tables that matter finds most damage up front, rather
   * than in the middle of a search, and before anything is written. */
  if (!exec_sql (self->writer.db, "SELECT count(*) FROM sqlite_schema",
                 "checking the database", error))
    return FALSE;
  if (version >= 1 &&
      !exec_sql (self->writer.db,
                 "SELECT max(rowid), max(sort_key) FROM providers;"
                 "SELECT rowid FROM providers_fts WHERE providers_fts MATCH 'a*' LIMIT 1;",
                 "checking the database", error))
    return FALSE;
  if (version >= 2 &&
      !exec_sql (self->writer.db, "SELECT max(change), max(id) FROM changes",
                 "checking the database", error))
    return FALSE;

  if (self->read_only)
    {
      if (version != WW_DIRECTORY_SCHEMA_VERSION)
        {
          g_set_error (error, WW_DIRECTORY_ERROR, WW_DIRECTORY_ERROR_READ_ONLY,
                       "%s is read-only and needs an update to schema %d; "
                       "make it writable or open another file",
                       self->path, WW_DIRECTORY_SCHEMA_VERSION);
          return FALSE;
        }
    }
  else
    {
      if (!exec_sql (self->writer.db,
                     "PRAGMA journal_mode = WAL;"
                     "PRAGMA synchronous = NORMAL;"
                     "PRAGMA foreign_keys = ON;",
                     "setting up the database", error))
        return FALSE;
      if (!migrate (self->writer.db, version, error))
        return FALSE;
    }

  return TRUE;
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
                   "The directory database %s is damaged and could not be moved aside: %s",
                   path, g_strerror (saved_errno));
      return FALSE;
    }

  /* The journal belongs with the damaged file, not with the new one. */
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

static gboolean
open_readers (WwDirectory  *self,
              GError      **error)
{
  Connection *readers[] = { &self->searcher, &self->reader };

  for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
    {
      int rc = open_connection (self->name, TRUE, &readers[i]->db);

      if (rc != SQLITE_OK)
        return set_sqlite_error (error, readers[i]->db, rc, "opening the database");
    }

  return TRUE;
}

static char *
read_only_uri (const char *path,
               gboolean    immutable)
{
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);
  g_autofree char *escaped = g_uri_escape_string (absolute, "/", FALSE);

  return g_strdup_printf ("file:%s?%s", escaped, immutable ? "immutable=1" : "mode=ro");
}

static WwDirectory *
open_directory (const char  *path,
                gboolean     read_only,
                GError     **error)
{
  g_autoptr(WwDirectory) self = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *parent = NULL;

  self = g_object_new (WW_TYPE_DIRECTORY, NULL);
  self->path = g_strdup (path);

  if (read_only)
    {
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, WW_DIRECTORY_ERROR, WW_DIRECTORY_ERROR_NOT_FOUND,
                       "There is no directory database %s", path);
          return NULL;
        }
    }
  else
    {
      parent = g_path_get_dirname (path);
      if (g_mkdir_with_parents (parent, 0700) != 0 && !g_file_test (parent, G_FILE_TEST_IS_DIR))
        {
          int saved_errno = errno;

          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                       "Could not create the folder %s for the directory: %s",
                       parent, g_strerror (saved_errno));
          return NULL;
        }
    }

  self->read_only = read_only ||
                    (g_file_test (path, G_FILE_TEST_EXISTS) && g_access (path, W_OK) != 0);
  self->name = self->read_only ? read_only_uri (path, FALSE) : g_strdup (path);

  /* On read-only media a directory in WAL mode cannot get the shared
   * memory file that readers use; opened as immutable it needs none. */
  if (self->read_only && !open_writer (self, NULL))
    {
      g_clear_pointer (&self->writer.db, sqlite3_close_v2);
      g_free (self->name);
      self->name = read_only_uri (path, TRUE);
    }
  else if (self->read_only)
    g_clear_pointer (&self->writer.db, sqlite3_close_v2);

  if (!open_writer (self, &local_error))
    {
      g_autofree char *detail = g_strdup (self->writer.db ? sqlite3_errmsg (self->writer.db)
                                                         : local_error->message);

      g_clear_pointer (&self->writer.db, sqlite3_close_v2);

      if (!g_error_matches (local_error, WW_DIRECTORY_ERROR, WW_DIRECTORY_ERROR_CORRUPT) ||
          self->read_only)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      if (!move_aside (path, &self->recovered_path, error))
        return NULL;

      /* The caller tells the person (see ww_directory_get_recovered_path());
       * the log keeps what SQLite said. */
      g_message ("The directory database %s was damaged (%s). It was moved to %s "
                 "and a new directory is built from the plugins.",
                 path, detail, self->recovered_path);
      g_clear_error (&local_error);

      if (!open_writer (self, error))
        return NULL;
    }

  if (!open_readers (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

WwDirectory *
ww_directory_open (const char  *path,
                   GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  return open_directory (path, FALSE, error);
}

WwDirectory *
ww_directory_open_read_only (const char  *path,
                             GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);

  return open_directory (path, TRUE, error);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;
  WwDirectory *directory = ww_directory_open (task_data, &error);

  if (directory == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, directory, g_object_unref);
}

void
ww_directory_open_async (const char          *path,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, ww_directory_open_async);
  g_task_set_task_data (task, g_strdup (path), g_free);
  g_task_run_in_thread (task, open_thread);
}

WwDirectory *
ww_directory_open_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
ww_directory_dup_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "wegwijzer", "directory.db", NULL);
}

const char *
ww_directory_get_path (WwDirectory *self)
{
  g_return_val_if_fail (WW_IS_DIRECTORY (self), NULL);

  return self->path;
}

const char *
ww_directory_get_recovered_path (WwDirectory *self)
{
  g_return_val_if_fail (WW_IS_DIRECTORY (self), NULL);

  return self->recovered_path;
}

gboolean
ww_directory_get_read_only (WwDirectory *self)
{
  g_return_val_if_fail (WW_IS_DIRECTORY (self), FALSE);

  return self->read_only;
}

/* One token for a filter value in the meta column: "wwx", a letter for
 * the kind of filter, then the value's letters and digits. No word a
 * person types starts like that, and the text columns never hold one. */
static void
append_meta_token (GString    *str,
                   char        kind,
                   const char *value)
{
  g_autofree char *folded = ww_text_fold (value);

  if (str->len > 0)
    g_string_append_c (str, ' ');
  g_string_append_printf (str, "wwx%c", kind);
  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isalnum (c))
        g_string_append_unichar (str, c);
    }
}

static char *
meta_token (char        kind,
            const char *value)
{
  GString *str = g_string_new (NULL);

  append_meta_token (str, kind, value);
  return g_string_free (str, FALSE);
}

static char *
category_token (const char *theme,
                const char *category)
{
  g_autofree char *value = g_strconcat (theme, "/", category, NULL);

  return meta_token ('c', value);
}

void
ww_directory_set_plugin_engine (WwDirectory    *self,
                                WwPluginEngine *engine)
{
  GListModel *plugins;

  g_return_if_fail (WW_IS_DIRECTORY (self));
  g_return_if_fail (!engine || WW_IS_PLUGIN_ENGINE (engine));

  g_mutex_lock (&self->terms_lock);
  g_set_object (&self->engine, engine);
  g_ptr_array_set_size (self->category_words, 0);

  /* The words a category is known by, in every language, so that
   * "doctor" finds the listings in the category "huisartsen". */
  plugins = engine ? ww_plugin_engine_get_plugins (engine) : NULL;
  for (guint i = 0; plugins != NULL && i < g_list_model_get_n_items (plugins); i++)
    {
      g_autoptr(WwPlugin) plugin = g_list_model_get_item (plugins, i);
      GListModel *categories = ww_plugin_get_categories (plugin);

      for (guint c = 0; c < g_list_model_get_n_items (categories); c++)
        {
          g_autoptr(WwCategory) category = g_list_model_get_item (categories, c);
          g_autofree char *terms = ww_category_dup_search_terms (category);
          g_autofree char *all = g_strjoin (" ", ww_category_get_id (category), terms, NULL);
          CategoryWords *entry = g_new0 (CategoryWords, 1);

          entry->token = category_token (ww_plugin_get_id (plugin), ww_category_get_id (category));
          entry->words = ww_text_split_words (all);
          g_ptr_array_add (self->category_words, entry);
        }
    }
  g_mutex_unlock (&self->terms_lock);
}

/* The meta tokens of the categories that @word (or, while typing, a word
 * it begins) names. */
static GPtrArray *
match_categories (WwDirectory *self,
                  const char  *word,
                  gboolean     as_prefix)
{
  GPtrArray *tokens = g_ptr_array_new_with_free_func (g_free);

  g_mutex_lock (&self->terms_lock);
  for (guint i = 0; i < self->category_words->len; i++)
    {
      CategoryWords *entry = g_ptr_array_index (self->category_words, i);

      for (guint w = 0; entry->words[w] != NULL; w++)
        if (as_prefix ? g_str_has_prefix (entry->words[w], word)
                      : strcmp (entry->words[w], word) == 0)
          {
            g_ptr_array_add (tokens, g_strdup (entry->token));
            break;
          }
    }
  g_mutex_unlock (&self->terms_lock);

  return tokens;
}

static const char *
select_columns (void)
{
  static char *columns;
  static gsize once;

  if (g_once_init_enter (&once))
    {
      GString *str = g_string_new ("rowid, latitude, longitude, languages, attributes, schedules, sample");

      for (guint i = 0; i < WW_PROVIDER_N_FIELDS; i++)
        g_string_append_printf (str, ", %s", field_columns[i]);
      columns = g_string_free (str, FALSE);
      g_once_init_leave (&once, 1);
    }

  return columns;
}

static void
add_words (WwProvider  *provider,
           const char  *words,
           void       (*add) (WwProvider *, const char *))
{
  g_auto(GStrv) list = NULL;

  if (words == NULL || *words == '\0')
    return;

  list = g_strsplit (words, " ", -1);
  for (guint i = 0; list[i] != NULL; i++)
    if (*list[i] != '\0')
      add (provider, list[i]);
}

static WwProvider *
provider_from_row (sqlite3_stmt *stmt)
{
  WwProvider *provider = ww_provider_new ();
  const char *schedules;
  int column = 1;

  if (sqlite3_column_type (stmt, 1) != SQLITE_NULL)
    ww_provider_set_coordinates (provider,
                                 sqlite3_column_double (stmt, 1),
                                 sqlite3_column_double (stmt, 2));
  column = 3;
  add_words (provider, (const char *) sqlite3_column_text (stmt, column++), ww_provider_add_language);
  add_words (provider, (const char *) sqlite3_column_text (stmt, column++), ww_provider_add_attribute);
  schedules = (const char *) sqlite3_column_text (stmt, column++);
  ww_provider_set_sample (provider, sqlite3_column_int (stmt, column++));
  for (guint i = 0; i < WW_PROVIDER_N_FIELDS; i++)
    ww_provider_set_field (provider, i, (const char *) sqlite3_column_text (stmt, column++));

  if (schedules != NULL)
    {
      g_autoptr(JsonNode) root = json_from_string (schedules, NULL);
      JsonArray *array = root && JSON_NODE_HOLDS_ARRAY (root) ? json_node_get_array (root) : NULL;

      for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
        {
          JsonArray *item = json_array_get_array_element (array, i);

          if (item == NULL || json_array_get_length (item) != 4)
            continue;
          ww_provider_add_schedule (provider,
                                    ww_schedule_new (json_array_get_string_element (item, 0),
                                                     json_array_get_int_element (item, 1),
                                                     json_array_get_int_element (item, 2),
                                                     json_array_get_int_element (item, 3)));
        }
    }

  return provider;
}

/* What the full-text index holds for a provider. The same provider gives
 * the same values, which is what a contentless delete needs. */
typedef struct {
  char *name;
  char *description;
  char *place;
  char *meta;
} FtsValues;

static void
fts_values_clear (FtsValues *values)
{
  g_free (values->name);
  g_free (values->description);
  g_free (values->place);
  g_free (values->meta);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FtsValues, fts_values_clear)

static void
fts_values_init (FtsValues  *values,
                 WwProvider *provider)
{
  GString *meta = g_string_new (NULL);
  g_autofree char *category = category_token (ww_provider_get_theme (provider),
                                              ww_provider_get_category (provider));

  values->name = g_strjoin (" ", ww_provider_get_name (provider),
                            ww_provider_get_field (provider, WW_PROVIDER_ORGANIZATION_NAME) ?: "",
                            NULL);
  values->description = g_strdup (ww_provider_get_field (provider, WW_PROVIDER_DESCRIPTION) ?: "");
  values->place = g_strjoin (" ",
                             ww_provider_get_field (provider, WW_PROVIDER_STREET) ?: "",
                             ww_provider_get_field (provider, WW_PROVIDER_POSTAL_CODE) ?: "",
                             ww_provider_get_city (provider),
                             ww_provider_get_field (provider, WW_PROVIDER_LOCATION_NAME) ?: "",
                             NULL);

  append_meta_token (meta, 't', ww_provider_get_theme (provider));
  g_string_append_printf (meta, " %s", category);
  append_meta_token (meta, 'y', ww_provider_get_city (provider));
  for (const char *const *l = ww_provider_get_languages (provider); *l != NULL; l++)
    append_meta_token (meta, 'l', *l);
  for (const char *const *a = ww_provider_get_attributes (provider); *a != NULL; a++)
    append_meta_token (meta, 'a', *a);
  values->meta = g_string_free (meta, FALSE);
}

static void
bind_fts_values (sqlite3_stmt    *stmt,
                 const FtsValues *values)
{
  sqlite3_bind_text (stmt, 2, values->name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, values->description, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, values->place, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, values->meta, -1, SQLITE_STATIC);
}

typedef struct {
  sqlite3_stmt *find;
  sqlite3_stmt *select_row;
  sqlite3_stmt *remove[3];
  sqlite3_stmt *insert;
  sqlite3_stmt *insert_hours;
  sqlite3_stmt *insert_geo;
  sqlite3_stmt *insert_fts;
  sqlite3_stmt *delete_fts;
  sqlite3_stmt *insert_names;
  sqlite3_stmt *delete_names;
  sqlite3_stmt *insert_word;
  sqlite3_stmt *record_change;
} Writer;

static void
writer_clear (Writer *writer)
{
  g_clear_pointer (&writer->find, sqlite3_finalize);
  g_clear_pointer (&writer->select_row, sqlite3_finalize);
  for (guint i = 0; i < G_N_ELEMENTS (writer->remove); i++)
    g_clear_pointer (&writer->remove[i], sqlite3_finalize);
  g_clear_pointer (&writer->insert, sqlite3_finalize);
  g_clear_pointer (&writer->insert_hours, sqlite3_finalize);
  g_clear_pointer (&writer->insert_geo, sqlite3_finalize);
  g_clear_pointer (&writer->insert_fts, sqlite3_finalize);
  g_clear_pointer (&writer->delete_fts, sqlite3_finalize);
  g_clear_pointer (&writer->insert_names, sqlite3_finalize);
  g_clear_pointer (&writer->delete_names, sqlite3_finalize);
  g_clear_pointer (&writer->insert_word, sqlite3_finalize);
  g_clear_pointer (&writer->record_change, sqlite3_finalize);
}

static gboolean
writer_init (Writer   *writer,
             sqlite3  *db,
             GError  **error)
{
  static const char *remove_sql[G_N_ELEMENTS (((Writer *) NULL)->remove)] = {
    "DELETE FROM opening_hours WHERE provider = ?1",
    "DELETE FROM providers_geo WHERE id = ?1",
    "DELETE FROM providers WHERE rowid = ?1",
  };
  g_autoptr(GString) sql = g_string_new ("INSERT INTO providers (source, sort_key, city_key, "
                                         "latitude, longitude, languages, attributes, schedules, sample");
  g_autofree char *select_row = g_strdup_printf ("SELECT %s FROM providers WHERE rowid = ?",
                                                 select_columns ());

  for (guint i = 0; i < WW_PROVIDER_N_FIELDS; i++)
    g_string_append_printf (sql, ", %s", field_columns[i]);
  g_string_append (sql, ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?");
  for (guint i = 0; i < WW_PROVIDER_N_FIELDS; i++)
    g_string_append (sql, ", ?");
  g_string_append (sql, ")");

  memset (writer, 0, sizeof *writer);
  if (!(writer->find = prepare (db, "SELECT rowid FROM providers WHERE id = ?", error)) ||
      !(writer->select_row = prepare (db, select_row, error)) ||
      !(writer->insert = prepare (db, sql->str, error)) ||
      !(writer->insert_hours = prepare (db, "INSERT INTO opening_hours (provider, weekday, opens, closes) VALUES (?, ?, ?, ?)", error)) ||
      !(writer->insert_geo = prepare (db, "INSERT INTO providers_geo (id, min_lat, max_lat, min_lon, max_lon) VALUES (?1, ?2, ?2, ?3, ?3)", error)) ||
      !(writer->insert_fts = prepare (db, "INSERT INTO providers_fts (rowid, name, description, place, meta) VALUES (?, ?, ?, ?, ?)", error)) ||
      !(writer->delete_fts = prepare (db, "INSERT INTO providers_fts (providers_fts, rowid, name, description, place, meta) VALUES ('delete', ?, ?, ?, ?, ?)", error)) ||
      !(writer->insert_names = prepare (db, "INSERT INTO names_fts (rowid, name, meta) VALUES (?1, ?2, ?5)", error)) ||
      !(writer->delete_names = prepare (db, "INSERT INTO names_fts (names_fts, rowid, name, meta) VALUES ('delete', ?1, ?2, ?5)", error)) ||
      !(writer->insert_word = prepare (db, "INSERT OR IGNORE INTO vocabulary (word) VALUES (?)", error)) ||
      /* the row of the listing's previous change goes: only its latest counts */
      !(writer->record_change = prepare (db, "INSERT OR REPLACE INTO changes (id, deleted) VALUES (?, ?)", error)))
    {
      writer_clear (writer);
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (writer->remove); i++)
    if (!(writer->remove[i] = prepare (db, remove_sql[i], error)))
      {
        writer_clear (writer);
        return FALSE;
      }

  return TRUE;
}

static gboolean
step_done (sqlite3_stmt  *stmt,
           const char    *doing,
           GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, sqlite3_db_handle (stmt), rc, doing);

  return TRUE;
}

static gboolean
remove_rowid (Writer   *writer,
              gint64    rowid,
              GError  **error)
{
  g_autoptr(WwProvider) old = NULL;
  g_auto(FtsValues) values = { 0 };
  int rc;

  /* The index forgets exactly the words it was given for this row. */
  sqlite3_bind_int64 (writer->select_row, 1, rowid);
  rc = sqlite3_step (writer->select_row);
  if (rc == SQLITE_ROW)
    old = provider_from_row (writer->select_row);
  sqlite3_reset (writer->select_row);
  if (rc != SQLITE_ROW)
    return set_sqlite_error (error, sqlite3_db_handle (writer->select_row),
                             rc == SQLITE_DONE ? SQLITE_CORRUPT : rc, "removing a listing");

  fts_values_init (&values, old);
  sqlite3_bind_int64 (writer->delete_fts, 1, rowid);
  bind_fts_values (writer->delete_fts, &values);
  if (!step_done (writer->delete_fts, "removing a listing from the index", error))
    return FALSE;
  sqlite3_bind_int64 (writer->delete_names, 1, rowid);
  bind_fts_values (writer->delete_names, &values);
  if (!step_done (writer->delete_names, "removing a listing from the index", error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (writer->remove); i++)
    {
      sqlite3_bind_int64 (writer->remove[i], 1, rowid);
      if (!step_done (writer->remove[i], "removing a listing", error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
record_change (Writer      *writer,
               const char  *id,
               gboolean     deleted,
               GError     **error)
{
  sqlite3_bind_text (writer->record_change, 1, id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (writer->record_change, 2, deleted ? 1 : 0);

  return step_done (writer->record_change, "recording a change", error);
}

static char *
schedules_to_json (WwProvider *provider)
{
  GPtrArray *schedules = ww_provider_get_schedules (provider);
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < schedules->len; i++)
    {
      const WwSchedule *schedule = g_ptr_array_index (schedules, i);

      json_builder_begin_array (builder);
      if (schedule->id != NULL)
        json_builder_add_string_value (builder, schedule->id);
      else
        json_builder_add_null_value (builder);
      json_builder_add_int_value (builder, schedule->days);
      json_builder_add_int_value (builder, schedule->opens);
      json_builder_add_int_value (builder, schedule->closes);
      json_builder_end_array (builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

#define VOCABULARY_MIN_LENGTH (TYPO_MIN_LENGTH - 1)

static gboolean
add_vocabulary (Writer           *writer,
                const FtsValues  *values,
                GError          **error)
{
  const char *texts[] = { values->name, values->description, values->place };

  for (guint t = 0; t < G_N_ELEMENTS (texts); t++)
    {
      g_auto(GStrv) words = ww_text_split_words (texts[t]);

      for (guint i = 0; words[i] != NULL; i++)
        {
          if (g_utf8_strlen (words[i], -1) < VOCABULARY_MIN_LENGTH)
            continue;

          sqlite3_bind_text (writer->insert_word, 1, words[i], -1, SQLITE_STATIC);
          if (!step_done (writer->insert_word, "indexing a listing", error))
            return FALSE;
        }
    }

  return TRUE;
}

static gboolean
insert_provider (WwDirectory  *self,
                 Writer       *writer,
                 WwProvider   *provider,
                 const char   *source,
                 gboolean     *replaced,
                 GError      **error)
{
  g_autofree char *sort_key = ww_text_fold (ww_provider_get_name (provider));
  g_autofree char *city_key = ww_text_fold (ww_provider_get_city (provider));
  g_autofree char *languages = g_strjoinv (" ", (char **) ww_provider_get_languages (provider));
  g_autofree char *attributes = g_strjoinv (" ", (char **) ww_provider_get_attributes (provider));
  g_autofree char *schedules = schedules_to_json (provider);
  g_auto(FtsValues) values = { 0 };
  GPtrArray *schedule_list = ww_provider_get_schedules (provider);
  sqlite3_stmt *stmt = writer->insert;
  double latitude, longitude;
  gboolean has_coordinates;
  gint64 rowid;
  int column = 1;
  int rc;

  g_return_val_if_fail (ww_provider_get_id (provider) != NULL, FALSE);
  g_return_val_if_fail (ww_provider_get_theme (provider) != NULL, FALSE);
  g_return_val_if_fail (ww_provider_get_category (provider) != NULL, FALSE);
  g_return_val_if_fail (ww_provider_get_name (provider) != NULL, FALSE);
  g_return_val_if_fail (ww_provider_get_city (provider) != NULL, FALSE);

  /* Replacing by id: the old row goes, with everything hanging off it. */
  sqlite3_bind_text (writer->find, 1, ww_provider_get_id (provider), -1, SQLITE_STATIC);
  rc = sqlite3_step (writer->find);
  if (rc == SQLITE_ROW)
    {
      gint64 old = sqlite3_column_int64 (writer->find, 0);

      sqlite3_reset (writer->find);
      if (!remove_rowid (writer, old, error))
        return FALSE;
    }
  else
    {
      sqlite3_reset (writer->find);
      if (rc != SQLITE_DONE)
        return set_sqlite_error (error, self->writer.db, rc, "looking up a listing");
    }
  if (replaced != NULL)
    *replaced = rc == SQLITE_ROW;

  has_coordinates = ww_provider_get_coordinates (provider, &latitude, &longitude);

  sqlite3_bind_text (stmt, column++, source, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, column++, sort_key, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, column++, city_key, -1, SQLITE_STATIC);
  if (has_coordinates)
    {
      sqlite3_bind_double (stmt, column++, latitude);
      sqlite3_bind_double (stmt, column++, longitude);
    }
  else
    {
      sqlite3_bind_null (stmt, column++);
      sqlite3_bind_null (stmt, column++);
    }
  sqlite3_bind_text (stmt, column++, languages, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, column++, attributes, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, column++, schedules, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, column++, ww_provider_get_sample (provider));
  for (guint i = 0; i < WW_PROVIDER_N_FIELDS; i++)
    sqlite3_bind_text (stmt, column++, ww_provider_get_field (provider, i), -1, SQLITE_STATIC);

  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, self->writer.db, rc, "storing a listing");
  rowid = sqlite3_last_insert_rowid (self->writer.db);

  for (guint i = 0; i < schedule_list->len; i++)
    {
      const WwSchedule *schedule = g_ptr_array_index (schedule_list, i);

      for (guint day = 0; day < 7; day++)
        {
          if ((schedule->days & (1u << day)) == 0)
            continue;

          sqlite3_bind_int64 (writer->insert_hours, 1, rowid);
          sqlite3_bind_int (writer->insert_hours, 2, day + 1);
          sqlite3_bind_int (writer->insert_hours, 3, schedule->opens);
          sqlite3_bind_int (writer->insert_hours, 4, schedule->closes);
          if (!step_done (writer->insert_hours, "storing opening hours", error))
            return FALSE;
        }
    }

  if (has_coordinates)
    {
      sqlite3_bind_int64 (writer->insert_geo, 1, rowid);
      sqlite3_bind_double (writer->insert_geo, 2, latitude);
      sqlite3_bind_double (writer->insert_geo, 3, longitude);
      if (!step_done (writer->insert_geo, "storing a location", error))
        return FALSE;
    }

  fts_values_init (&values, provider);
  sqlite3_bind_int64 (writer->insert_fts, 1, rowid);
  bind_fts_values (writer->insert_fts, &values);
  if (!step_done (writer->insert_fts, "indexing a listing", error))
    return FALSE;
  sqlite3_bind_int64 (writer->insert_names, 1, rowid);
  bind_fts_values (writer->insert_names, &values);
  if (!step_done (writer->insert_names, "indexing a listing", error))
    return FALSE;

  return add_vocabulary (writer, &values, error) &&
         record_change (writer, ww_provider_get_id (provider), FALSE, error);
}

static gboolean
check_writable (WwDirectory  *self,
                GError      **error)
{
  if (self->read_only)
    {
      g_set_error (error, WW_DIRECTORY_ERROR, WW_DIRECTORY_ERROR_READ_ONLY,
                   "The directory %s is read-only; nothing was changed", self->path);
      return FALSE;
    }

  return TRUE;
}

/* Runs @func inside one write transaction: all of it lands, or none. */
typedef gboolean (*WriteFunc) (WwDirectory *self,
                               Writer      *writer,
                               gpointer     data,
                               GError     **error);

static gboolean
write_transaction (WwDirectory  *self,
                   WriteFunc     func,
                   gpointer      data,
                   GError      **error)
{
  Writer writer;
  gboolean ok = FALSE;

  if (!check_writable (self, error))
    return FALSE;

  g_mutex_lock (&self->writer.lock);
  if (writer_init (&writer, self->writer.db, error))
    {
      if (exec_sql (self->writer.db, "BEGIN IMMEDIATE", "starting to write", error))
        {
          ok = func (self, &writer, data, error) &&
               exec_sql (self->writer.db, "COMMIT", "saving the changes", error);
          if (!ok)
            sqlite3_exec (self->writer.db, "ROLLBACK", NULL, NULL, NULL);
        }
      writer_clear (&writer);
    }
  g_mutex_unlock (&self->writer.lock);

  return ok;
}

typedef struct {
  GPtrArray  *providers;
  const char *source;
} AddData;

static gboolean
add_providers_func (WwDirectory  *self,
                    Writer       *writer,
                    gpointer      user_data,
                    GError      **error)
{
  AddData *data = user_data;

  for (guint i = 0; i < data->providers->len; i++)
    if (!insert_provider (self, writer, g_ptr_array_index (data->providers, i),
                          data->source, NULL, error))
      return FALSE;

  return TRUE;
}

gboolean
ww_directory_add_providers (WwDirectory  *self,
                            GPtrArray    *providers,
                            const char   *source,
                            GError      **error)
{
  AddData data = { providers, source };

  g_return_val_if_fail (WW_IS_DIRECTORY (self), FALSE);
  g_return_val_if_fail (providers != NULL, FALSE);
  g_return_val_if_fail (source != NULL, FALSE);

  return write_transaction (self, add_providers_func, &data, error);
}

/* Removes the listings of @source. A removal is a change, unless the id
 * is in @coming_back (nullable): the listings that are added again in
 * the same transaction, whose add is their change. */
static gboolean
remove_source_rows (WwDirectory  *self,
                    Writer       *writer,
                    const char   *source,
                    GHashTable   *coming_back,
                    GError      **error)
{
  g_autoptr(sqlite3_stmt) select = NULL;
  g_autoptr(GArray) rowids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  int rc;

  if (!(select = prepare (self->writer.db, "SELECT rowid, id FROM providers WHERE source = ?", error)))
    return FALSE;
  sqlite3_bind_text (select, 1, source, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (select)) == SQLITE_ROW)
    {
      gint64 rowid = sqlite3_column_int64 (select, 0);
      g_array_append_val (rowids, rowid);
      g_ptr_array_add (ids, g_strdup ((const char *) sqlite3_column_text (select, 1)));
    }
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, self->writer.db, rc, "finding listings to remove");

  for (guint i = 0; i < rowids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);

      if (!remove_rowid (writer, g_array_index (rowids, gint64, i), error))
        return FALSE;
      if ((coming_back == NULL || !g_hash_table_contains (coming_back, id)) &&
          !record_change (writer, id, TRUE, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
remove_source_func (WwDirectory  *self,
                    Writer       *writer,
                    gpointer      data,
                    GError      **error)
{
  return remove_source_rows (self, writer, data, NULL, error);
}

gboolean
ww_directory_remove_source (WwDirectory  *self,
                            const char   *source,
                            GError      **error)
{
  g_return_val_if_fail (WW_IS_DIRECTORY (self), FALSE);
  g_return_val_if_fail (source != NULL, FALSE);

  return write_transaction (self, remove_source_func, (gpointer) source, error);
}

typedef struct {
  GPtrArray  *providers;
  const char *source;
  const char *checksum;
} SeedData;

static gboolean
seed_func (WwDirectory  *self,
           Writer       *writer,
           gpointer      user_data,
           GError      **error)
{
  SeedData *data = user_data;
  AddData add = { data->providers, data->source };
  g_autoptr(sqlite3_stmt) record = NULL;
  g_autoptr(GHashTable) coming_back = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < data->providers->len; i++)
    g_hash_table_add (coming_back,
                      (gpointer) ww_provider_get_id (g_ptr_array_index (data->providers, i)));

  if (!remove_source_rows (self, writer, data->source, coming_back, error) ||
      !add_providers_func (self, writer, &add, error))
    return FALSE;

  if (!(record = prepare (self->writer.db,
                          "INSERT OR REPLACE INTO seeds (source, checksum) VALUES (?, ?)",
                          error)))
    return FALSE;
  sqlite3_bind_text (record, 1, data->source, -1, SQLITE_STATIC);
  sqlite3_bind_text (record, 2, data->checksum, -1, SQLITE_STATIC);

  return step_done (record, "recording the seed", error);
}

static char *
lookup_seed_checksum (WwDirectory *self,
                      const char  *source)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  char *checksum = NULL;

  g_mutex_lock (&self->writer.lock);
  stmt = prepare (self->writer.db, "SELECT checksum FROM seeds WHERE source = ?", NULL);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, source, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        checksum = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_mutex_unlock (&self->writer.lock);

  return checksum;
}

/* Seeds one plugin's providers; bad plugin data is the plugin's fault,
 * so it is reported in WW_PLUGIN_ERROR and leaves the rest alone. */
static gboolean
seed_plugin (WwDirectory  *self,
             WwPlugin     *plugin,
             GError      **error)
{
  const char *id = ww_plugin_get_id (plugin);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GPtrArray) providers = NULL;
  g_autofree char *checksum = NULL;
  g_autofree char *seeded = NULL;
  SeedData data;

  checksum = ww_plugin_dup_providers_checksum (plugin, &local_error);
  if (checksum == NULL)
    {
      g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA,
                   "Plugin '%s': its providers could not be read: %s", id, local_error->message);
      return FALSE;
    }

  seeded = lookup_seed_checksum (self, id);
  if (g_strcmp0 (seeded, checksum) == 0)
    return TRUE;

  stream = ww_plugin_open_providers (plugin, &local_error);
  if (stream != NULL)
    providers = ww_hsds_parse_stream (stream, id, NULL, &local_error);
  if (providers == NULL)
    {
      g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA,
                   "Plugin '%s': its providers could not be read: %s", id, local_error->message);
      return FALSE;
    }

  for (guint i = 0; i < providers->len; i++)
    {
      WwProvider *provider = g_ptr_array_index (providers, i);

      if (g_strcmp0 (ww_provider_get_theme (provider), id) != 0)
        {
          g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA,
                       "Plugin '%s': record %u belongs to theme '%s'",
                       id, i + 1, ww_provider_get_theme (provider));
          return FALSE;
        }
      if (ww_plugin_lookup_category (plugin, ww_provider_get_category (provider)) == NULL)
        {
          g_set_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA,
                       "Plugin '%s': record %u has category '%s', which the plugin does not describe",
                       id, i + 1, ww_provider_get_category (provider));
          return FALSE;
        }
    }

  data.providers = providers;
  data.source = id;
  data.checksum = checksum;
  return write_transaction (self, seed_func, &data, error);
}

gboolean
ww_directory_seed (WwDirectory     *self,
                   WwPluginEngine  *engine,
                   GError         **error)
{
  GListModel *plugins;

  g_return_val_if_fail (WW_IS_DIRECTORY (self), FALSE);
  g_return_val_if_fail (WW_IS_PLUGIN_ENGINE (engine), FALSE);

  if (self->engine != engine)
    ww_directory_set_plugin_engine (self, engine);

  if (self->read_only)
    return TRUE;

  plugins = ww_plugin_engine_get_plugins (engine);
  for (guint i = 0; i < g_list_model_get_n_items (plugins); i++)
    {
      g_autoptr(WwPlugin) plugin = g_list_model_get_item (plugins, i);
      g_autoptr(GError) local_error = NULL;

      if (!seed_plugin (self, plugin, &local_error))
        {
          if (!g_error_matches (local_error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }

          /* One plugin's bad data costs that plugin's listings, not the
           * directory. */
          g_warning ("%s; its listings were left as they were", local_error->message);
        }
    }

  return TRUE;
}

static guint
count_where (WwDirectory *self,
             const char  *sql,
             const char  *value)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  guint count = 0;

  g_mutex_lock (&self->reader.lock);
  stmt = prepare (self->reader.db, sql, NULL);
  if (stmt != NULL)
    {
      if (value != NULL)
        sqlite3_bind_text (stmt, 1, value, -1, SQLITE_STATIC);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        count = sqlite3_column_int (stmt, 0);
    }
  g_clear_pointer (&stmt, sqlite3_finalize);
  g_mutex_unlock (&self->reader.lock);

  return count;
}

guint
ww_directory_count (WwDirectory *self,
                    const char  *theme)
{
  g_return_val_if_fail (WW_IS_DIRECTORY (self), 0);

  if (theme == NULL)
    return count_where (self, "SELECT count(*) FROM providers", NULL);

  return count_where (self, "SELECT count(*) FROM providers WHERE theme = ?", theme);
}

guint
ww_directory_count_sample (WwDirectory *self)
{
  g_return_val_if_fail (WW_IS_DIRECTORY (self), 0);

  return count_where (self, "SELECT count(*) FROM providers WHERE sample != 0", NULL);
}


static WwProvider *
lookup_where (WwDirectory  *self,
              const char   *where,
              const char   *id,
              gint64        rowid,
              GError      **error)
{
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM providers WHERE %s", select_columns (), where);
  sqlite3_stmt *stmt;
  WwProvider *provider = NULL;
  int rc;

  g_mutex_lock (&self->reader.lock);
  stmt = prepare (self->reader.db, sql, error);
  if (stmt != NULL)
    {
      if (id != NULL)
        sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
      else
        sqlite3_bind_int64 (stmt, 1, rowid);

      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        provider = provider_from_row (stmt);
      else if (rc == SQLITE_DONE)
        g_set_error (error, WW_DIRECTORY_ERROR, WW_DIRECTORY_ERROR_NOT_FOUND,
                     "No listing with id %s", id ? id : "(row)");
      else
        set_sqlite_error (error, self->reader.db, rc, "reading a listing");
      sqlite3_finalize (stmt);
    }
  g_mutex_unlock (&self->reader.lock);

  return provider;
}

WwProvider *
ww_directory_lookup (WwDirectory  *self,
                     const char   *id,
                     GError      **error)
{
  g_return_val_if_fail (WW_IS_DIRECTORY (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  return lookup_where (self, "id = ?", id, 0, error);
}

WwProvider *
ww_directory_lookup_by_rowid (WwDirectory  *self,
                              gint64        rowid,
                              GError      **error)
{
  g_return_val_if_fail (WW_IS_DIRECTORY (self), NULL);

  return lookup_where (self, "rowid = ?", NULL, rowid, error);
}

gboolean
ww_directory_foreach (WwDirectory             *self,
                      const char              *theme,
                      WwDirectoryForeachFunc   func,
                      gpointer                 user_data,
                      GError                 **error)
{
  g_autofree char *sql = NULL;
  sqlite3 *db;
  sqlite3_stmt *stmt;
  gboolean ok = TRUE;
  int rc;

  g_return_val_if_fail (WW_IS_DIRECTORY (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  /* A connection of its own, so that @func may look things up. */
  rc = open_connection (self->name, TRUE, &db);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, db, rc, "opening the database");
      sqlite3_close_v2 (db);
      return FALSE;
    }

  sql = g_strdup_printf ("SELECT %s FROM providers %s ORDER BY id",
                         select_columns (), theme ? "WHERE theme = ?" : "");
  stmt = prepare (db, sql, error);
  if (stmt == NULL)
    {
      sqlite3_close_v2 (db);
      return FALSE;
    }
  if (theme != NULL)
    sqlite3_bind_text (stmt, 1, theme, -1, SQLITE_STATIC);

  while (ok && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(WwProvider) provider = provider_from_row (stmt);

      ok = func (provider, user_data, error);
    }
  if (ok && rc != SQLITE_DONE)
    ok = set_sqlite_error (error, db, rc, "reading the listings");

  sqlite3_finalize (stmt);
  sqlite3_close_v2 (db);

  return ok;
}

/* --- the change log ---------------------------------------------------- */

/* What ww_directory_write_changes() gathers before writing it out. */
#define CHANGES_BUFFER_SIZE (64 * 1024)
/* How much ww_directory_apply_changes() reads at a time. */
#define DELTA_CHUNK_SIZE (64 * 1024)
/* A listing is a few kilobytes at most (ww-hsds.c bounds every field);
 * a line longer than this is not one, and is not kept in memory. */
#define MAX_DELTA_LINE_BYTES (1024 * 1024)
/* as ww-hsds.c bounds a listing's id */
#define MAX_ID_LENGTH 128
#define SYNC_KEY_PREFIX "sync-since "

static char *
removal_to_ndjson (const char *id)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "deleted");
  json_builder_add_boolean_value (builder, TRUE);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  return json_to_string (root, FALSE);
}

static gboolean
flush_changes (GOutputStream  *out,
               GString        *buffer,
               GCancellable   *cancellable,
               GError        **error)
{
  gboolean ok = g_output_stream_write_all (out, buffer->str, buffer->len, NULL,
                                           cancellable, error);

  g_string_truncate (buffer, 0);
  return ok;
}

static gboolean
write_changes_from (sqlite3        *db,
                    gint64          since,
                    guint           limit,
                    GOutputStream  *out,
                    gint64         *last,
                    GCancellable   *cancellable,
                    GError        **error)
{
  g_autofree char *lookup_sql = g_strdup_printf ("SELECT %s FROM providers WHERE id = ?",
                                                 select_columns ());
  g_autoptr(sqlite3_stmt) changes = NULL;
  g_autoptr(sqlite3_stmt) lookup = NULL;
  g_autoptr(GString) buffer = g_string_sized_new (CHANGES_BUFFER_SIZE + 16 * 1024);
  int rc;

  /* Both go by an index: the log by its change number, the listings by
   * id, so a page costs the same at the start of the log as at its end. */
  if (!(changes = prepare (db, "SELECT change, id, deleted FROM changes "
                               "WHERE change > ?1 ORDER BY change LIMIT ?2", error)) ||
      !(lookup = prepare (db, lookup_sql, error)))
    return FALSE;

  sqlite3_bind_int64 (changes, 1, since);
  sqlite3_bind_int64 (changes, 2, limit > 0 ? (gint64) limit : -1);
  while ((rc = sqlite3_step (changes)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (changes, 1);
      g_autoptr(WwProvider) provider = NULL;
      g_autofree char *line = NULL;

      if (sqlite3_column_int (changes, 2) == 0)
        {
          sqlite3_bind_text (lookup, 1, id, -1, SQLITE_STATIC);
          rc = sqlite3_step (lookup);
          if (rc == SQLITE_ROW)
            provider = provider_from_row (lookup);
          sqlite3_reset (lookup);
          if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return set_sqlite_error (error, db, rc, "reading a changed listing");
        }

      /* A change whose listing is not there is told as what a reader
       * would find: no listing. */
      line = provider != NULL ? ww_hsds_provider_to_ndjson (provider) : removal_to_ndjson (id);
      g_string_append (buffer, line);
      g_string_append_c (buffer, '\n');
      *last = sqlite3_column_int64 (changes, 0);

      if (buffer->len >= CHANGES_BUFFER_SIZE &&
          !flush_changes (out, buffer, cancellable, error))
        return FALSE;
    }
  if (rc != SQLITE_DONE)
    return set_sqlite_error (error, db, rc, "reading the changes");

  return buffer->len == 0 || flush_changes (out, buffer, cancellable, error);
}

gboolean
ww_directory_write_changes (WwDirectory    *self,
                            gint64          since,
                            guint           limit,
                            GOutputStream  *out,
                            gint64         *next_since,
                            GCancellable   *cancellable,
                            GError        **error)
{
  gint64 last = since;
  sqlite3 *db;
  gboolean ok;
  int rc;

  g_return_val_if_fail (WW_IS_DIRECTORY (self), FALSE);
  g_return_val_if_fail (since >= 0, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);

  /* A connection of its own: writing to @out may wait for a slow
   * network, and no lookup or search should wait with it. */
  rc = open_connection (self->name, TRUE, &db);
  if (rc != SQLITE_OK)
    {
      set_sqlite_error (error, db, rc, "opening the database");
      sqlite3_close_v2 (db);
      return FALSE;
    }

  /* One read transaction, so the log and the listings are of one moment
   * even while someone imports. */
  ok = exec_sql (db, "BEGIN", "reading the changes", error) &&
       write_changes_from (db, since, limit, out, &last, cancellable, error);
  sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
  sqlite3_close_v2 (db);

  if (ok && next_since != NULL)
    *next_since = last;

  return ok;
}

/* Reads a delta line by line, never holding more than one line (and one
 * chunk) in memory. */
typedef struct {
  GInputStream *stream;
  GCancellable *cancellable;
  GByteArray   *buffer;
  gsize         start;     /* where the next line begins in buffer */
  guint         line;      /* the number of the line last returned */
  gboolean      eof;
} LineReader;

/* The next line, without its newline and NUL-terminated, valid until the
 * next call; *complete says whether it ended in a newline. NULL at the
 * end, or with @error set. */
static char *
line_reader_next (LineReader  *reader,
                  gsize       *length,
                  gboolean    *complete,
                  GError     **error)
{
  for (;;)
    {
      char *begin = (char *) reader->buffer->data + reader->start;
      gsize available = reader->buffer->len - reader->start;
      char *newline = available > 0 ? memchr (begin, '\n', available) : NULL;
      gsize old_len;
      gssize n;

      if (newline != NULL || (reader->eof && available > 0))
        {
          reader->line++;
          *complete = newline != NULL;
          if (newline == NULL)
            {
              /* room for the NUL */
              g_byte_array_append (reader->buffer, (const guint8 *) "", 1);
              begin = (char *) reader->buffer->data + reader->start;
              newline = begin + available;
            }
          *newline = '\0';
          *length = newline - begin;
          reader->start += *length + 1;
          return begin;
        }

      if (reader->eof)
        return NULL;

      if (available > MAX_DELTA_LINE_BYTES)
        {
          g_set_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_SYNTAX,
                       "line %u: longer than %d bytes; no listing is that long",
                       reader->line + 1, MAX_DELTA_LINE_BYTES);
          return NULL;
        }

      if (reader->start > 0)
        {
          g_byte_array_remove_range (reader->buffer, 0, reader->start);
          reader->start = 0;
        }

      old_len = reader->buffer->len;
      g_byte_array_set_size (reader->buffer, old_len + DELTA_CHUNK_SIZE);
      n = g_input_stream_read (reader->stream, reader->buffer->data + old_len,
                               DELTA_CHUNK_SIZE, reader->cancellable, error);
      g_byte_array_set_size (reader->buffer, old_len + MAX (n, 0));
      if (n < 0)
        return NULL;
      if (n == 0)
        reader->eof = TRUE;
    }
}

static gboolean
is_blank (const char *text,
          gsize       length)
{
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isspace (text[i]))
      return FALSE;

  return TRUE;
}

/* Every listing must belong to a loaded theme and to one of its
 * categories, as the seeded ones do: the program would show nothing for
 * it otherwise. */
static gboolean
check_theme (WwPluginEngine  *engine,
             WwProvider      *provider,
             guint            line,
             GError         **error)
{
  const char *theme = ww_provider_get_theme (provider);
  const char *category = ww_provider_get_category (provider);
  WwPlugin *plugin = ww_plugin_engine_lookup (engine, theme);

  if (plugin == NULL)
    {
      g_set_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_INVALID_RECORD,
                   "line %u: theme: '%s' is not an installed theme", line, theme);
      return FALSE;
    }

  if (ww_plugin_lookup_category (plugin, category) == NULL)
    {
      g_set_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_INVALID_RECORD,
                   "line %u: category: '%s' is not a category of theme '%s'",
                   line, category, theme);
      return FALSE;
    }

  return TRUE;
}

/* What one line of a delta asks: a listing to add or replace, or the id
 * of one to remove. */
typedef struct {
  WwProvider *provider;
  char       *removed_id;
} DeltaLine;

static void
delta_line_clear (DeltaLine *delta)
{
  g_clear_object (&delta->provider);
  g_clear_pointer (&delta->removed_id, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (DeltaLine, delta_line_clear)

static gboolean
parse_delta_line (const char      *text,
                  gsize            length,
                  guint            line,
                  WwPluginEngine  *engine,
                  DeltaLine       *delta,
                  GError         **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) local_error = NULL;
  JsonNode *root, *node;
  JsonObject *object;

  if (!g_utf8_validate_len (text, length, NULL))
    {
      g_set_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_SYNTAX,
                   "line %u: not valid JSON: the line is not UTF-8 text", line);
      return FALSE;
    }

  if (!json_parser_load_from_data (parser, text, length, &local_error))
    {
      g_set_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_SYNTAX,
                   "line %u: not valid JSON: %s", line, local_error->message);
      return FALSE;
    }

  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_INVALID_RECORD,
                   "line %u: not a service object, nor a removal such as "
                   "{\"id\": \"...\", \"deleted\": true}", line);
      return FALSE;
    }
  object = json_node_get_object (root);

  node = json_object_get_member (object, "deleted");
  if (node != NULL &&
      (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN))
    {
      g_set_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_INVALID_RECORD,
                   "line %u: deleted: must be true or false", line);
      return FALSE;
    }

  if (node != NULL && json_node_get_boolean (node))
    {
      JsonNode *id = json_object_get_member (object, "id");
      const char *value;

      if (id == NULL || !JSON_NODE_HOLDS_VALUE (id) ||
          json_node_get_value_type (id) != G_TYPE_STRING ||
          *(value = json_node_get_string (id)) == '\0')
        {
          g_set_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_INVALID_RECORD,
                       "line %u: id: is missing; a removal names the listing it removes", line);
          return FALSE;
        }
      if (g_utf8_strlen (value, -1) > MAX_ID_LENGTH)
        {
          g_set_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_INVALID_RECORD,
                       "line %u: id: is longer than %d characters", line, MAX_ID_LENGTH);
          return FALSE;
        }

      delta->removed_id = g_strdup (value);
      return TRUE;
    }

  delta->provider = ww_hsds_provider_from_json (root, NULL, &local_error);
  if (delta->provider == NULL)
    {
      g_set_error (error, WW_HSDS_ERROR, local_error->code,
                   "line %u: %s", line, local_error->message);
      return FALSE;
    }

  return engine == NULL || check_theme (engine, delta->provider, line, error);
}

static gboolean
remove_by_id (WwDirectory  *self,
              Writer       *writer,
              const char   *id,
              gboolean     *removed,
              GError      **error)
{
  gint64 rowid = 0;
  int rc;

  sqlite3_bind_text (writer->find, 1, id, -1, SQLITE_STATIC);
  rc = sqlite3_step (writer->find);
  if (rc == SQLITE_ROW)
    rowid = sqlite3_column_int64 (writer->find, 0);
  sqlite3_reset (writer->find);

  *removed = rc == SQLITE_ROW;
  if (rc == SQLITE_DONE)
    return TRUE;
  if (rc != SQLITE_ROW)
    return set_sqlite_error (error, self->writer.db, rc, "looking up a listing");

  return remove_rowid (writer, rowid, error) &&
         record_change (writer, id, TRUE, error);
}

static gboolean
store_sync_point (WwDirectory  *self,
                  const char   *relay,
                  gint64        since,
                  GError      **error)
{
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autofree char *key = g_strconcat (SYNC_KEY_PREFIX, relay, NULL);

  if (!(stmt = prepare (self->writer.db,
                        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, since);

  return step_done (stmt, "recording how far the directory was synced", error);
}

typedef struct {
  GInputStream            *stream;
  GCancellable            *cancellable;
  const char              *relay;
  gint64                   next_since;
  WwDirectoryChangeCounts  counts;
} ApplyData;

static gboolean
apply_changes_func (WwDirectory  *self,
                    Writer       *writer,
                    gpointer      user_data,
                    GError      **error)
{
  ApplyData *data = user_data;
  g_autoptr(WwPluginEngine) engine = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GByteArray) buffer = g_byte_array_sized_new (DELTA_CHUNK_SIZE);
  g_autoptr(GError) local_error = NULL;
  LineReader reader = { data->stream, data->cancellable, buffer, 0, 0, FALSE };
  gboolean complete;
  gsize length;
  char *text;

  g_mutex_lock (&self->terms_lock);
  engine = self->engine != NULL ? g_object_ref (self->engine) : NULL;
  g_mutex_unlock (&self->terms_lock);

  while ((text = line_reader_next (&reader, &length, &complete, &local_error)) != NULL)
    {
      g_auto(DeltaLine) delta = { NULL, NULL };
      const char *id;
      gpointer first;

      if (is_blank (text, length))
        continue;

      /* ww_directory_write_changes() ends every line; one that is not
       * ended was cut off, however whole its JSON may look. */
      if (!complete)
        {
          g_set_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_SYNTAX,
                       "line %u: does not end with a newline; the delta was cut off",
                       reader.line);
          return FALSE;
        }

      if (!parse_delta_line (text, length, reader.line, engine, &delta, error))
        return FALSE;

      id = delta.provider != NULL ? ww_provider_get_id (delta.provider) : delta.removed_id;
      if (g_hash_table_lookup_extended (seen, id, NULL, &first))
        {
          g_set_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_DUPLICATE_ID,
                       "line %u: id: '%s' is also line %u; a delta names a listing once",
                       reader.line, id, GPOINTER_TO_UINT (first));
          return FALSE;
        }
      g_hash_table_insert (seen, g_strdup (id), GUINT_TO_POINTER (reader.line));

      if (delta.provider != NULL)
        {
          gboolean replaced = FALSE;

          if (!insert_provider (self, writer, delta.provider, WW_DIRECTORY_SOURCE_RELAY,
                                &replaced, error))
            return FALSE;
          if (replaced)
            data->counts.changed++;
          else
            data->counts.added++;
        }
      else
        {
          gboolean removed = FALSE;

          if (!remove_by_id (self, writer, delta.removed_id, &removed, error))
            return FALSE;
          if (removed)
            data->counts.removed++;
        }
    }

  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  return data->relay == NULL || store_sync_point (self, data->relay, data->next_since, error);
}

gboolean
ww_directory_apply_changes (WwDirectory              *self,
                            GInputStream             *delta,
                            const char               *relay,
                            gint64                    next_since,
                            WwDirectoryChangeCounts  *counts,
                            GCancellable             *cancellable,
                            GError                  **error)
{
  ApplyData data = { delta, cancellable, relay, next_since, { 0, 0, 0 } };

  g_return_val_if_fail (WW_IS_DIRECTORY (self), FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (delta), FALSE);
  g_return_val_if_fail (relay == NULL || next_since >= 0, FALSE);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), FALSE);

  if (counts != NULL)
    memset (counts, 0, sizeof *counts);

  if (!write_transaction (self, apply_changes_func, &data, error))
    return FALSE;

  if (counts != NULL)
    *counts = data.counts;

  return TRUE;
}

gboolean
ww_directory_get_sync_point (WwDirectory  *self,
                             const char   *relay,
                             gint64       *since,
                             GError      **error)
{
  g_autofree char *key = NULL;
  sqlite3_stmt *stmt;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (WW_IS_DIRECTORY (self), FALSE);
  g_return_val_if_fail (relay != NULL, FALSE);
  g_return_val_if_fail (since != NULL, FALSE);

  key = g_strconcat (SYNC_KEY_PREFIX, relay, NULL);

  g_mutex_lock (&self->reader.lock);
  stmt = prepare (self->reader.db, "SELECT value FROM meta WHERE key = ?", error);
  if (stmt != NULL)
    {
      sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
      rc = sqlite3_step (stmt);
      /* never synced from @relay: everything is new */
      *since = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
      ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
      if (!ok)
        set_sqlite_error (error, self->reader.db, rc, "reading how far the directory was synced");
      sqlite3_finalize (stmt);
    }
  g_mutex_unlock (&self->reader.lock);

  return ok;
}

/* --- search ------------------------------------------------------------ */

/* The vocabulary, in memory: typo correction tries a thousand spellings
 * per word, which must cost nanoseconds each. Reloaded when another
 * connection has written (PRAGMA data_version says so). */
static gboolean
refresh_vocabulary (WwDirectory  *self,
                    sqlite3      *db,
                    GError      **error)
{
  g_autoptr(sqlite3_stmt) version = NULL;
  g_autoptr(sqlite3_stmt) select = NULL;
  gint64 current;
  int rc;

  if (!(version = prepare (db, "PRAGMA data_version", error)))
    return FALSE;
  rc = sqlite3_step (version);
  if (rc != SQLITE_ROW)
    return set_sqlite_error (error, db, rc, "searching");
  current = sqlite3_column_int64 (version, 0);

  if (current == self->words_version && self->words != NULL)
    return TRUE;

  if (!(select = prepare (db, "SELECT word FROM vocabulary ORDER BY word", error)))
    return FALSE;

  g_clear_pointer (&self->words, g_hash_table_unref);
  g_clear_pointer (&self->sorted_words, g_ptr_array_unref);
  self->words = g_hash_table_new (g_str_hash, g_str_equal);
  self->sorted_words = g_ptr_array_new_with_free_func (g_free);

  while ((rc = sqlite3_step (select)) == SQLITE_ROW)
    {
      char *word = g_strdup ((const char *) sqlite3_column_text (select, 0));

      g_ptr_array_add (self->sorted_words, word);
      g_hash_table_add (self->words, word);
    }
  if (rc != SQLITE_DONE)
    {
      g_clear_pointer (&self->words, g_hash_table_unref);
      return set_sqlite_error (error, db, rc, "reading the vocabulary");
    }

  self->words_version = current;
  return TRUE;
}

static gboolean
vocabulary_has (WwDirectory *self,
                const char  *word,
                gboolean     as_prefix)
{
  guint low = 0;
  guint high = self->sorted_words->len;

  if (!as_prefix)
    return g_hash_table_contains (self->words, word);

  /* the first word not before @word, which starts with it if any does */
  while (low < high)
    {
      guint mid = (low + high) / 2;

      if (strcmp (g_ptr_array_index (self->sorted_words, mid), word) < 0)
        low = mid + 1;
      else
        high = mid;
    }

  return low < self->sorted_words->len &&
         g_str_has_prefix (g_ptr_array_index (self->sorted_words, low), word);
}

static void
add_variant (WwDirectory    *self,
             GPtrArray      *found,
             GHashTable     *tried,
             const gunichar *chars,
             glong           n_chars,
             gboolean        as_prefix)
{
  g_autofree char *word = g_ucs4_to_utf8 (chars, n_chars, NULL, NULL, NULL);

  if (word == NULL || g_hash_table_contains (tried, word))
    return;

  g_hash_table_add (tried, g_strdup (word));
  if (vocabulary_has (self, word, as_prefix))
    g_ptr_array_add (found, g_steal_pointer (&word));
}

/* Every word in the index one edit (a letter missing, extra, wrong or two
 * swapped) away from @word. */
static GPtrArray *
find_corrections (WwDirectory *self,
                  const char  *word,
                  gboolean     as_prefix)
{
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  g_autoptr(GHashTable) tried = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GArray) letters = g_array_new (FALSE, FALSE, sizeof (gunichar));
  g_autofree gunichar *chars = NULL;
  g_autofree gunichar *buffer = NULL;
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);
  glong n = 0;

  chars = g_utf8_to_ucs4 (word, -1, NULL, &n, NULL);
  if (chars == NULL)
    return found;

  for (guint i = 0; alphabet[i] != '\0'; i++)
    {
      gunichar c = alphabet[i];
      g_array_append_val (letters, c);
    }
  /* letters of other scripts come from the word itself */
  for (glong i = 0; i < n; i++)
    if (chars[i] > 0x7f)
      g_array_append_val (letters, chars[i]);

  buffer = g_new (gunichar, n + 1);
  g_hash_table_add (tried, g_strdup (word));

  /* deletions */
  for (glong i = 0; i < n; i++)
    {
      memcpy (buffer, chars, i * sizeof (gunichar));
      memcpy (buffer + i, chars + i + 1, (n - i - 1) * sizeof (gunichar));
      add_variant (self, found, tried, buffer, n - 1, as_prefix);
    }

  /* transpositions */
  for (glong i = 0; i + 1 < n; i++)
    {
      memcpy (buffer, chars, n * sizeof (gunichar));
      buffer[i] = chars[i + 1];
      buffer[i + 1] = chars[i];
      add_variant (self, found, tried, buffer, n, as_prefix);
    }

  /* substitutions */
  for (glong i = 0; i < n; i++)
    for (guint l = 0; l < letters->len; l++)
      {
        memcpy (buffer, chars, n * sizeof (gunichar));
        buffer[i] = g_array_index (letters, gunichar, l);
        add_variant (self, found, tried, buffer, n, as_prefix);
      }

  /* insertions */
  for (glong i = 0; i <= n; i++)
    for (guint l = 0; l < letters->len; l++)
      {
        memcpy (buffer, chars, i * sizeof (gunichar));
        buffer[i] = g_array_index (letters, gunichar, l);
        memcpy (buffer + i + 1, chars + i, (n - i) * sizeof (gunichar));
        add_variant (self, found, tried, buffer, n + 1, as_prefix);
      }

  return found;
}

#define MAX_PREFIX_WORDS 64

static void append_fts_term (GString    *match,
                             const char *word,
                             gboolean    as_prefix);

/* A prefix longer than the prefix indexes go ("huisa") makes FTS5 merge
 * the whole doclists of every word it begins, before it returns a row.
 * The words themselves, ORed, are read lazily; so a prefix that begins
 * at most MAX_PREFIX_WORDS known words is spelled out. Leaves @term
 * empty when it is not. */
static void
expand_prefix (WwDirectory *self,
               GString     *term,
               const char  *prefix)
{
  guint low = 0;
  guint high = self->sorted_words->len;
  guint end;

  while (low < high)
    {
      guint mid = (low + high) / 2;

      if (strcmp (g_ptr_array_index (self->sorted_words, mid), prefix) < 0)
        low = mid + 1;
      else
        high = mid;
    }

  for (end = low; end < self->sorted_words->len; end++)
    if (!g_str_has_prefix (g_ptr_array_index (self->sorted_words, end), prefix))
      break;

  if (end == low || end - low > MAX_PREFIX_WORDS)
    return;

  g_string_append_c (term, '(');
  for (guint i = low; i < end; i++)
    {
      if (i > low)
        g_string_append (term, " OR ");
      append_fts_term (term, g_ptr_array_index (self->sorted_words, i), FALSE);
    }
  g_string_append_c (term, ')');
}

static void
append_fts_term (GString    *match,
                 const char *word,
                 gboolean    as_prefix)
{
  g_string_append_c (match, '"');
  for (const char *p = word; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (match, '"');
      g_string_append_c (match, *p);
    }
  g_string_append_c (match, '"');
  if (as_prefix)
    g_string_append_c (match, '*');
}

/* Past this many matches, ranking every one of them costs more than a
 * frame; such a broad query (two letters typed, say) lists the listings
 * whose name matches first, then the rest, each in index order. */
#define RANK_LIMIT 2000

typedef struct {
  char *text;        /* the words, in the text columns */
  char *names;       /* the words, for names_fts; NULL if they could match a meta token */
  char *full;        /* the words, or the categories they name */
  char *corrected;   /* what was searched for, when a typo was corrected */
} TextMatch;

static void
text_match_clear (TextMatch *match)
{
  g_free (match->text);
  g_free (match->names);
  g_free (match->full);
  g_free (match->corrected);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (TextMatch, text_match_clear)

/* Turns what the user typed into FTS5 expressions: every word must
 * match, the last one as a prefix while it is being typed, a word of
 * five letters or more that matches nothing is replaced by the indexed
 * words one typo away from it, and a word that names a category also
 * finds the listings in that category. Returns FALSE when there are no
 * words. */
static gboolean
build_text_match (WwDirectory  *self,
                  sqlite3      *db,
                  const char   *text,
                  TextMatch    *match,
                  GError      **error)
{
  g_auto(GStrv) words = ww_text_split_words (text);
  g_autoptr(GString) terms = g_string_new (NULL);
  g_autoptr(GString) full = g_string_new (NULL);
  g_autoptr(GString) correction = g_string_new (NULL);
  gsize text_len = strlen (text);
  gboolean typing = text_len > 0 && !g_ascii_isspace (text[text_len - 1]);
  gboolean changed = FALSE;
  gboolean could_match_meta = FALSE;
  guint n_words = g_strv_length (words);

  memset (match, 0, sizeof *match);
  if (n_words == 0)
    return FALSE;

  if (!refresh_vocabulary (self, db, error))
    return FALSE;

  for (guint i = 0; i < n_words; i++)
    {
      const char *word = words[i];
      gboolean as_prefix = typing && i == n_words - 1;
      g_autoptr(GString) term = g_string_new (NULL);
      g_autoptr(GPtrArray) categories = NULL;
      g_autofree char *searched = g_strdup (word);

      /* a word that names a category is no typo, even when no listing
       * has it in its text */
      categories = match_categories (self, word, as_prefix);
      if (g_utf8_strlen (word, -1) >= TYPO_MIN_LENGTH && categories->len == 0 &&
          !vocabulary_has (self, word, as_prefix))
        {
          g_autoptr(GPtrArray) corrections = find_corrections (self, word, as_prefix);

          if (corrections->len > 0)
            {
              changed = TRUE;
              g_string_append_c (term, '(');
              for (guint c = 0; c < corrections->len; c++)
                {
                  if (c > 0)
                    g_string_append (term, " OR ");
                  append_fts_term (term, g_ptr_array_index (corrections, c), as_prefix);
                }
              g_string_append_c (term, ')');
              g_free (searched);
              searched = g_strdup (g_ptr_array_index (corrections, 0));
              g_ptr_array_unref (categories);
              categories = match_categories (self, searched, as_prefix);
            }
        }

      if (term->len == 0 && as_prefix && g_utf8_strlen (word, -1) >= VOCABULARY_MIN_LENGTH)
        expand_prefix (self, term, word);
      if (term->len == 0)
        append_fts_term (term, word, as_prefix);

      /* names_fts has no column filters, so "ww" would find every row
       * by its filter tokens there */
      if (g_str_has_prefix (word, "wwx") || (as_prefix && g_str_has_prefix ("wwx", word)))
        could_match_meta = TRUE;

      if (correction->len > 0)
        g_string_append_c (correction, ' ');
      g_string_append (correction, searched);

      if (terms->len > 0)
        {
          g_string_append_c (terms, ' ');
          g_string_append (full, " AND ");
        }
      g_string_append (terms, term->str);

      g_string_append_printf (full, "({name description place} : %s", term->str);
      for (guint c = 0; c < categories->len; c++)
        {
          g_string_append (full, " OR meta : ");
          append_fts_term (full, g_ptr_array_index (categories, c), FALSE);
        }
      g_string_append_c (full, ')');
    }

  match->text = g_strdup_printf ("{name description place} : (%s)", terms->str);
  if (!could_match_meta)
    match->names = g_strdup (terms->str);
  match->full = g_string_free (g_steal_pointer (&full), FALSE);
  if (changed)
    match->corrected = g_string_free (g_steal_pointer (&correction), FALSE);

  return TRUE;
}

/* Values bound to the numbered parameters of the query we build. */
typedef struct {
  GString   *sql;
  GPtrArray *values;   /* GVariant */
} Builder;

static void
bind_text (Builder    *builder,
           const char *value)
{
  g_ptr_array_add (builder->values, g_variant_ref_sink (g_variant_new_string (value)));
  g_string_append_printf (builder->sql, "?%u", builder->values->len);
}

static void
bind_double (Builder *builder,
             double   value)
{
  g_ptr_array_add (builder->values, g_variant_ref_sink (g_variant_new_double (value)));
  g_string_append_printf (builder->sql, "?%u", builder->values->len);
}

static void
bind_values (sqlite3_stmt *stmt,
             GPtrArray    *values)
{
  for (guint i = 0; i < values->len; i++)
    {
      GVariant *value = g_ptr_array_index (values, i);

      if (g_variant_is_of_type (value, G_VARIANT_TYPE_STRING))
        sqlite3_bind_text (stmt, i + 1, g_variant_get_string (value, NULL), -1, SQLITE_STATIC);
      else
        sqlite3_bind_double (stmt, i + 1, g_variant_get_double (value));
    }
}

/* The filters that live in the meta column, as one FTS5 expression, or
 * NULL when there are none. Without text, theme and category are left to
 * SQL, whose index lists them by name without sorting. */
static char *
build_meta_match (const WwQuery *query,
                  gboolean       with_theme,
                  const char    *column)
{
  g_autoptr(GString) match = g_string_new (NULL);
  g_autoptr(GString) tokens = g_string_new (NULL);
  g_auto(GStrv) list = NULL;

  if (with_theme && ww_query_get_theme (query) != NULL)
    append_meta_token (tokens, 't', ww_query_get_theme (query));
  if (with_theme && ww_query_get_theme (query) != NULL && ww_query_get_category (query) != NULL)
    {
      g_autofree char *token = category_token (ww_query_get_theme (query),
                                               ww_query_get_category (query));
      g_string_append_printf (tokens, " %s", token);
    }
  if (ww_query_get_city (query) != NULL)
    append_meta_token (tokens, 'y', ww_query_get_city (query));
  for (const char *const *l = ww_query_get_languages (query); *l != NULL; l++)
    append_meta_token (tokens, 'l', *l);
  for (const char *const *a = ww_query_get_attributes (query); *a != NULL; a++)
    append_meta_token (tokens, 'a', *a);

  if (tokens->len == 0)
    return NULL;

  list = g_strsplit (tokens->str, " ", -1);
  for (guint i = 0; list[i] != NULL; i++)
    {
      if (match->len > 0)
        g_string_append (match, " AND ");
      g_string_append (match, column);
      append_fts_term (match, list[i], FALSE);
    }

  return g_string_free (g_steal_pointer (&match), FALSE);
}

static int
progress_cb (void *user_data)
{
  WwDirectory *self = user_data;

  return g_cancellable_is_cancelled (self->search_cancellable);
}

typedef enum {
  ORDER_RANK,       /* ww_rank(), sorted here; fails as too broad past RANK_LIMIT */
  ORDER_INDEX,      /* as the index has them: cheap, for broad queries */
  ORDER_NAME,
  ORDER_DISTANCE,
} Order;

typedef struct {
  gint64  rowid;
  double  distance;
  double  score;
} Ranked;

static int
compare_ranked (gconstpointer a,
                gconstpointer b)
{
  const Ranked *x = a;
  const Ranked *y = b;

  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;

  return (x->rowid > y->rowid) - (x->rowid < y->rowid);
}

static void
append_row (GArray   *rowids,
            GArray   *distances,
            gint64    rowid,
            double    distance)
{
  g_array_append_val (rowids, rowid);
  g_array_append_val (distances, distance);
}

/* Runs one SELECT against @fts_table (or the providers table alone when
 * @match is NULL) and appends what it finds to @rowids/@distances, up to
 * @limit rows in all (0: no limit), leaving out rows in @skip.
 *
 * With ORDER_RANK it reads up to RANK_LIMIT + 1 matches and sorts them
 * here, or sets @too_broad and appends nothing. */
static gboolean
collect (WwDirectory    *self,
         const WwQuery  *query,
         const char     *fts_table,
         const char     *match,
         Order           order,
         GHashTable     *skip,
         guint           limit,
         GArray         *rowids,
         GArray         *distances,
         gboolean       *truncated,
         gboolean       *too_broad,
         GError        **error)
{
  sqlite3 *db = self->searcher.db;
  g_autoptr(GString) sql = g_string_new (NULL);
  g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_autoptr(sqlite3_stmt) stmt = NULL;
  g_autoptr(GDateTime) open_at = ww_query_dup_open_at (query);
  g_autoptr(GArray) ranked = NULL;
  Builder builder = { sql, values };
  double latitude, longitude, radius_km;
  gboolean near = ww_query_get_near (query, &latitude, &longitude, &radius_km);
  /* with text, theme and category are in the meta match already */
  gboolean sql_theme = match == NULL || (order != ORDER_RANK && order != ORDER_INDEX);
  gboolean join = match == NULL || sql_theme || near || open_at != NULL;
  const char *value;
  int rc;

  g_string_append_printf (sql, "SELECT %s.rowid, ", match != NULL ? fts_table : "p");
  if (near)
    {
      g_string_append (sql, "ww_distance(p.latitude, p.longitude, ");
      bind_double (&builder, latitude);
      g_string_append (sql, ", ");
      bind_double (&builder, longitude);
      g_string_append (sql, ") AS distance");
    }
  else
    g_string_append (sql, "-1 AS distance");
  if (order == ORDER_RANK)
    g_string_append_printf (sql, ", ww_rank(%s)", fts_table);

  if (match != NULL)
    {
      g_string_append_printf (sql, " FROM %s", fts_table);
      if (join)
        g_string_append_printf (sql, " JOIN providers p ON p.rowid = %s.rowid", fts_table);
      g_string_append_printf (sql, " WHERE %s MATCH ", fts_table);
      bind_text (&builder, match);
    }
  else
    g_string_append (sql, " FROM providers p WHERE 1");

  if (sql_theme && (value = ww_query_get_theme (query)) != NULL)
    {
      g_string_append (sql, " AND p.theme = ");
      bind_text (&builder, value);
    }
  if (sql_theme && (value = ww_query_get_category (query)) != NULL)
    {
      g_string_append (sql, " AND p.category = ");
      bind_text (&builder, value);
    }

  if (open_at != NULL)
    {
      g_autoptr(GTimeZone) amsterdam = g_time_zone_new_identifier ("Europe/Amsterdam");
      g_autoptr(GDateTime) local = NULL;
      int minute;

      if (amsterdam == NULL)
        amsterdam = g_time_zone_new_local ();
      local = g_date_time_to_timezone (open_at, amsterdam);
      minute = g_date_time_get_hour (local) * 60 + g_date_time_get_minute (local);
      g_string_append (sql, " AND EXISTS (SELECT 1 FROM opening_hours h WHERE h.provider = p.rowid"
                            " AND h.weekday = ");
      bind_double (&builder, g_date_time_get_day_of_week (local));
      g_string_append (sql, " AND h.opens <= ");
      bind_double (&builder, minute);
      g_string_append (sql, " AND h.closes > ");
      bind_double (&builder, minute);
      g_string_append (sql, ")");
    }

  if (near)
    {
      /* The bounding box from the R*Tree first, then the exact circle. */
      double dlat = radius_km / 111.2;
      double dlon = radius_km / (111.32 * MAX (0.01, cos (latitude * G_PI / 180.0)));

      g_string_append (sql, " AND p.rowid IN (SELECT id FROM providers_geo WHERE max_lat >= ");
      bind_double (&builder, latitude - dlat);
      g_string_append (sql, " AND min_lat <= ");
      bind_double (&builder, latitude + dlat);
      g_string_append (sql, " AND max_lon >= ");
      bind_double (&builder, longitude - dlon);
      g_string_append (sql, " AND min_lon <= ");
      bind_double (&builder, longitude + dlon);
      g_string_append (sql, ") AND distance <= ");
      bind_double (&builder, radius_km);
    }

  switch (order)
    {
    case ORDER_RANK:
      g_string_append_printf (sql, " LIMIT %d", RANK_LIMIT + 1);
      ranked = g_array_new (FALSE, FALSE, sizeof (Ranked));
      break;

    case ORDER_INDEX:
      break;

    case ORDER_NAME:
      g_string_append (sql, " ORDER BY p.sort_key");
      break;

    case ORDER_DISTANCE:
      g_string_append (sql, " ORDER BY distance, p.sort_key");
      break;

    default:
      g_assert_not_reached ();
    }

  if (limit > 0 && order != ORDER_RANK)
    g_string_append_printf (sql, " LIMIT %u",
                            limit - rowids->len + 1 + (skip ? g_hash_table_size (skip) : 0));

  if (!(stmt = prepare (db, sql->str, error)))
    return FALSE;
  bind_values (stmt, values);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 rowid = sqlite3_column_int64 (stmt, 0);
      double distance = sqlite3_column_double (stmt, 1);

      if (ranked != NULL)
        {
          Ranked row = { rowid, distance, sqlite3_column_double (stmt, 2) };

          g_array_append_val (ranked, row);
          continue;
        }

      if (skip != NULL && g_hash_table_contains (skip, &rowid))
        continue;
      if (limit > 0 && rowids->len == limit)
        {
          *truncated = TRUE;
          break;
        }
      append_row (rowids, distances, rowid, distance);
    }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return set_sqlite_error (error, db, rc, "searching");

  if (ranked != NULL)
    {
      if (ranked->len > RANK_LIMIT)
        {
          *too_broad = TRUE;
          return TRUE;
        }

      g_array_sort (ranked, compare_ranked);
      for (guint i = 0; i < ranked->len; i++)
        {
          const Ranked *row = &g_array_index (ranked, Ranked, i);

          if (limit > 0 && rowids->len == limit)
            {
              *truncated = TRUE;
              break;
            }
          append_row (rowids, distances, row->rowid, row->distance);
        }
    }

  return TRUE;
}

static char *
join_and (const char *a,
          const char *b)
{
  if (a == NULL)
    return g_strdup (b);
  if (b == NULL)
    return g_strdup (a);

  return g_strdup_printf ("(%s) AND (%s)", a, b);
}

static WwSearchResults *
run_search (WwDirectory    *self,
            const WwQuery  *query,
            GCancellable   *cancellable,
            GError        **error)
{
  sqlite3 *db = self->searcher.db;
  g_autoptr(GArray) rowids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) distances = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *meta = NULL;
  g_autofree char *names_meta = NULL;
  g_auto(TextMatch) text = { 0 };
  const char *typed = ww_query_get_text (query);
  gboolean has_text = FALSE;
  gboolean near = ww_query_get_near (query, NULL, NULL, NULL);
  guint limit = ww_query_get_limit (query);
  gboolean truncated = FALSE;

  if (typed != NULL)
    {
      g_autoptr(GError) local_error = NULL;

      has_text = build_text_match (self, db, typed, &text, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }

  meta = build_meta_match (query, has_text, "meta : ");
  names_meta = build_meta_match (query, has_text, "");
  if (has_text)
    {
      g_autofree char *full = join_and (text.full, meta);
      gboolean too_broad = FALSE;

      g_debug ("Full-text match: %s", full);

      if (!collect (self, query, "providers_fts", full, ORDER_RANK, NULL, limit,
                    rowids, distances, &truncated, &too_broad, error))
        return NULL;

      if (too_broad)
        {
          /* Too broad to rank: the listings whose name matches first,
           * then the rest, each in index order. */
          g_autoptr(GHashTable) named = g_hash_table_new (g_int64_hash, g_int64_equal);
          g_autoptr(GArray) named_rowids = NULL;

          if (text.names != NULL)
            {
              g_autofree char *names = join_and (text.names, names_meta);

              if (!collect (self, query, "names_fts", names, ORDER_INDEX, NULL, limit,
                            rowids, distances, &truncated, NULL, error))
                return NULL;

              /* a copy: @rowids grows below, and may move */
              named_rowids = g_array_copy (rowids);
              for (guint i = 0; i < named_rowids->len; i++)
                g_hash_table_add (named, &g_array_index (named_rowids, gint64, i));
            }

          if (!truncated &&
              !collect (self, query, "providers_fts", full, ORDER_INDEX, named, limit,
                        rowids, distances, &truncated, NULL, error))
            return NULL;
        }
    }
  else
    {
      Order order = near ? ORDER_DISTANCE : ORDER_NAME;

      if (!collect (self, query, "providers_fts", meta, order, NULL, limit, rowids, distances,
                    &truncated, NULL, error))
        return NULL;
    }

  return ww_search_results_new (self, g_steal_pointer (&rowids), g_steal_pointer (&distances),
                                truncated, text.corrected);
}

WwSearchResults *
ww_directory_search (WwDirectory    *self,
                     const WwQuery  *query,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_autoptr(WwSearchResults) results = NULL;
  g_autoptr(GCancellable) own_cancellable = NULL;
  gint64 started = g_get_monotonic_time ();

  g_return_val_if_fail (WW_IS_DIRECTORY (self), NULL);
  g_return_val_if_fail (query != NULL, NULL);

  if (cancellable == NULL)
    cancellable = own_cancellable = g_cancellable_new ();

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  g_mutex_lock (&self->searcher.lock);
  self->search_cancellable = cancellable;
  sqlite3_progress_handler (self->searcher.db, 1000, progress_cb, self);
  results = run_search (self, query, cancellable, error);
  sqlite3_progress_handler (self->searcher.db, 0, NULL, NULL);
  self->search_cancellable = NULL;
  g_mutex_unlock (&self->searcher.lock);

  if (results == NULL)
    return NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !ww_search_results_prefetch (results, PREFETCH_ITEMS, error))
    return NULL;

  g_debug ("Search: %u results in %.1f ms",
           g_list_model_get_n_items (G_LIST_MODEL (results)),
           (g_get_monotonic_time () - started) / 1000.0);
  return g_steal_pointer (&results);
}

static void
search_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  WwSearchResults *results;

  results = ww_directory_search (source_object, task_data, cancellable, &error);
  if (results == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, results, g_object_unref);
}

void
ww_directory_search_async (WwDirectory         *self,
                           const WwQuery       *query,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (WW_IS_DIRECTORY (self));
  g_return_if_fail (query != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ww_directory_search_async);
  g_task_set_task_data (task, ww_query_copy (query), (GDestroyNotify) ww_query_free);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, search_thread);
}

WwSearchResults *
ww_directory_search_finish (WwDirectory   *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (WW_IS_DIRECTORY (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
