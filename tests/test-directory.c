/* test-directory.c: the directory store and its search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "wegwijzer.h"

typedef struct {
  char        *tmpdir;
  char        *path;
  WwDirectory *directory;
} Fixture;

static GPtrArray *
load_fixture_providers (void)
{
  g_autoptr(GFile) file = g_file_new_for_path (g_test_get_filename (G_TEST_DIST, "data", "search-fixture.json", NULL));
  g_autoptr(GError) error = NULL;
  GPtrArray *providers = ww_hsds_parse_file (file, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (providers);
  return providers;
}

static void
fixture_set_up_empty (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->tmpdir = g_dir_make_tmp ("ww-directory-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->path = g_build_filename (fixture->tmpdir, "directory.db", NULL);
  fixture->directory = ww_directory_open (fixture->path, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) providers = load_fixture_providers ();
  g_autoptr(GError) error = NULL;

  fixture_set_up_empty (fixture, data);
  ww_directory_add_providers (fixture->directory, providers, "import", &error);
  g_assert_no_error (error);
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_remove (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->directory);
  remove_tree (fixture->tmpdir);
  g_free (fixture->tmpdir);
  g_free (fixture->path);
}

/* The ids of the results, in order, joined by spaces. */
static char *
search_ids (WwDirectory *directory,
            WwQuery     *query)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WwSearchResults) results = ww_directory_search (directory, query, NULL, &error);
  g_autoptr(GString) ids = g_string_new (NULL);

  g_assert_no_error (error);
  g_assert_nonnull (results);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (results)); i++)
    {
      g_autoptr(WwProvider) provider = g_list_model_get_item (G_LIST_MODEL (results), i);

      if (ids->len > 0)
        g_string_append_c (ids, ' ');
      g_string_append (ids, ww_provider_get_id (provider));
    }

  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static char *
search_text (WwDirectory *directory,
             const char  *text)
{
  g_autoptr(WwQuery) query = ww_query_new ();

  ww_query_set_text (query, text);
  return search_ids (directory, query);
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b,
                 gpointer      user_data)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

static char *
sorted (char *ids)
{
  g_auto(GStrv) list = g_strsplit (ids, " ", -1);

  g_free (ids);
  g_qsort_with_data (list, g_strv_length (list), sizeof (char *), compare_strings, NULL);
  return g_strjoinv (" ", list);
}

static void
test_migrations (Fixture       *fixture,
                 gconstpointer  data)
{
  sqlite3 *db;
  sqlite3_stmt *stmt;

  g_assert_cmpint (sqlite3_open (fixture->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, WW_DIRECTORY_SCHEMA_VERSION);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  /* Opening again finds it up to date and keeps what is there. */
  g_clear_object (&fixture->directory);
  {
    g_autoptr(GError) error = NULL;

    fixture->directory = ww_directory_open (fixture->path, &error);
    g_assert_no_error (error);
    g_assert_null (ww_directory_get_recovered_path (fixture->directory));
    g_assert_cmpuint (ww_directory_count (fixture->directory, NULL), ==, 8);
  }
}

static void
exec_on_file (const char *path,
              const char *sql)
{
  sqlite3 *db;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
test_too_new (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WwDirectory) again = NULL;

  g_clear_object (&fixture->directory);
  exec_on_file (fixture->path, "PRAGMA user_version = 99");

  again = ww_directory_open (fixture->path, &error);
  g_assert_error (error, WW_DIRECTORY_ERROR, WW_DIRECTORY_ERROR_TOO_NEW);
  g_assert_null (again);
  g_assert_nonnull (strstr (error->message, "newer"));
  /* left alone: no file was moved aside */
  g_assert_true (g_file_test (fixture->path, G_FILE_TEST_EXISTS));
}

/* For each new connection: what a SQLite built without FTS5 has, neither
 * its module nor its fts5() function, by which the API is found. */
static int
drop_fts5_cb (sqlite3                     *db,
              const char                 **error_message,
              const sqlite3_api_routines  *api)
{
  static const char *const keep[] = { "rtree", "rtree_i32", NULL };
  int rc = sqlite3_create_function (db, "fts5", 1, SQLITE_UTF8, NULL, NULL, NULL, NULL);

  return rc != SQLITE_OK ? rc : sqlite3_drop_modules (db, (const char **) keep);
}

/* A SQLite without FTS5 is named as the problem, and the directory that
 * is there is left alone, not taken for damaged and moved aside. */
static void
test_no_fts5 (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WwDirectory) again = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize before_length, after_length;

  g_clear_object (&fixture->directory);
  g_assert_true (g_file_get_contents (fixture->path, &before, &before_length, NULL));

  sqlite3_auto_extension ((void (*) (void)) drop_fts5_cb);
  again = ww_directory_open (fixture->path, &error);
  sqlite3_reset_auto_extension ();

  g_assert_error (error, WW_DIRECTORY_ERROR, WW_DIRECTORY_ERROR_FAILED);
  g_assert_null (again);
  g_assert_nonnull (strstr (error->message, "was built without full-text search (FTS5"));
  g_assert_nonnull (strstr (error->message, "install or bundle a SQLite built with it"));
  g_assert_true (g_file_get_contents (fixture->path, &after, &after_length, NULL));
  g_assert_cmpmem (before, before_length, after, after_length);

  /* with the module back it opens as before */
  g_clear_error (&error);
  again = ww_directory_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ww_directory_count (again, NULL), >, 0);
}

static void
check_recovered (Fixture    *fixture,
                 const char *damaged_contents,
                 gsize       damaged_length)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *moved_contents = NULL;
  gsize moved_length;
  const char *moved;

  g_test_expect_message ("ww-directory", G_LOG_LEVEL_MESSAGE, "*damaged*moved to*");
  fixture->directory = ww_directory_open (fixture->path, &error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  moved = ww_directory_get_recovered_path (fixture->directory);
  g_assert_nonnull (moved);
  g_assert_true (g_str_has_prefix (moved, fixture->path));
  g_assert_true (g_file_get_contents (moved, &moved_contents, &moved_length, NULL));
  /* the damaged file is kept as it was, byte for byte */
  g_assert_cmpmem (moved_contents, moved_length, damaged_contents, damaged_length);

  /* and the new directory works */
  g_assert_cmpuint (ww_directory_count (fixture->directory, NULL), ==, 0);
  {
    g_autoptr(GPtrArray) providers = load_fixture_providers ();

    g_assert_true (ww_directory_add_providers (fixture->directory, providers, "import", &error));
    g_assert_no_error (error);
    g_assert_cmpuint (ww_directory_count (fixture->directory, NULL), ==, 8);
  }
}

static void
test_corrupt_garbage (Fixture       *fixture,
                      gconstpointer  data)
{
  static const char garbage[] = "This is not a database, it is a shopping list: bread, milk.";
  g_autoptr(GError) error = NULL;

  g_clear_object (&fixture->directory);
  g_remove (fixture->path);
  g_file_set_contents (fixture->path, garbage, sizeof garbage, &error);
  g_assert_no_error (error);

  check_recovered (fixture, garbage, sizeof garbage);
}

static void
test_corrupt_pages (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  /* A real database whose pages after the first are overwritten: the
   * header reads fine, the tables do not. */
  g_clear_object (&fixture->directory);
  exec_on_file (fixture->path, "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode = DELETE");
  g_assert_true (g_file_get_contents (fixture->path, &contents, &length, &error));
  g_assert_cmpuint (length, >, 8192);
  for (gsize i = 4096; i < length; i++)
    contents[i] = (char) (i * 7);
  g_file_set_contents (fixture->path, contents, length, &error);
  g_assert_no_error (error);

  check_recovered (fixture, contents, length);
}

static void
test_lookup_round_trip (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) providers = load_fixture_providers ();

  for (guint i = 0; i < providers->len; i++)
    {
      WwProvider *expected = g_ptr_array_index (providers, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(WwProvider) stored = ww_directory_lookup (fixture->directory,
                                                          ww_provider_get_id (expected), &error);

      g_assert_no_error (error);
      g_assert_true (ww_provider_equal (expected, stored));
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(WwProvider) missing = ww_directory_lookup (fixture->directory, "no-such-id", &error);

    g_assert_error (error, WW_DIRECTORY_ERROR, WW_DIRECTORY_ERROR_NOT_FOUND);
    g_assert_null (missing);
  }
}

static void
test_replace (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) providers = load_fixture_providers ();
  g_autoptr(GPtrArray) batch = g_ptr_array_new ();
  WwProvider *first = g_ptr_array_index (providers, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *old_name = NULL;
  g_autofree char *new_name = NULL;

  ww_provider_set_field (first, WW_PROVIDER_NAME, "Praktijk Zonnebloem");
  ww_provider_set_field (first, WW_PROVIDER_DESCRIPTION, "Nieuwe omschrijving.");
  g_ptr_array_add (batch, first);
  g_assert_true (ww_directory_add_providers (fixture->directory, batch, "import", &error));
  g_assert_no_error (error);

  g_assert_cmpuint (ww_directory_count (fixture->directory, NULL), ==, 8);
  new_name = search_text (fixture->directory, "zonnebloem");
  g_assert_cmpstr (new_name, ==, "test-01");
  /* the old description is gone from the index too */
  old_name = search_text (fixture->directory, "patienten");
  g_assert_cmpstr (old_name, ==, "");
}

static void
test_all_or_nothing (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *found = NULL;

  /* The database refuses the second listing; the first must not stay. */
  exec_on_file (fixture->path,
                "CREATE TRIGGER refuse BEFORE INSERT ON providers WHEN NEW.name = 'Refuse me' "
                "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;");

  for (guint i = 0; i < 2; i++)
    {
      WwProvider *provider = ww_generator_make_provider (1, i);

      ww_provider_set_field (provider, WW_PROVIDER_NAME, i == 0 ? "Accepted Kliniek" : "Refuse me");
      g_ptr_array_add (batch, provider);
    }

  g_assert_false (ww_directory_add_providers (fixture->directory, batch, "import", &error));
  g_assert_error (error, WW_DIRECTORY_ERROR, WW_DIRECTORY_ERROR_FAILED);
  g_assert_cmpuint (ww_directory_count (fixture->directory, NULL), ==, 8);
  found = search_text (fixture->directory, "accepted");
  g_assert_cmpstr (found, ==, "");
}

static void
test_search_text (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autofree char *ids = search_text (fixture->directory, "soa");
  g_autofree char *two_words = search_text (fixture->directory, "advocatenkantoor dijk");
  g_autofree char *none = search_text (fixture->directory, "zwembad");

  g_assert_cmpstr (ids, ==, "test-04");
  g_assert_cmpstr (two_words, ==, "test-05");
  g_assert_cmpstr (none, ==, "");
}

static void
test_search_ranking (Fixture       *fixture,
                     gconstpointer  data)
{
  /* "Linde" is test-01's name and only in test-05's description. */
  g_autofree char *ids = search_text (fixture->directory, "linde ");

  g_assert_cmpstr (ids, ==, "test-01 test-05");
}

static void
test_search_prefix (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *two = sorted (search_text (fixture->directory, "hu"));
  g_autofree char *three = sorted (search_text (fixture->directory, "sek"));
  g_autofree char *longer = sorted (search_text (fixture->directory, "huisartsenp"));
  g_autofree char *done = search_text (fixture->directory, "huisartsenp ");

  g_assert_cmpstr (two, ==, "test-01 test-02 test-07");  /* huisarts…, hulp */
  g_assert_cmpstr (three, ==, "test-03 test-08");
  g_assert_cmpstr (longer, ==, "test-01 test-02");
  /* a word followed by a space is finished, not a prefix */
  g_assert_cmpstr (done, ==, "");
}

static void
test_search_diacritics (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *plain = search_text (fixture->directory, "cafe een");
  g_autofree char *accented = search_text (fixture->directory, "Café Één");
  g_autofree char *upper = search_text (fixture->directory, "CAFÉ");
  g_autofree char *patient = search_text (fixture->directory, "patienten");

  g_assert_cmpstr (plain, ==, "test-03");
  g_assert_cmpstr (accented, ==, "test-03");
  g_assert_cmpstr (upper, ==, "test-03");
  g_assert_cmpstr (patient, ==, "test-01");
}

static void
test_search_typo (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(WwQuery) query = ww_query_new ();
  g_autoptr(WwSearchResults) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *swapped = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *extra = NULL;
  g_autofree char *short_word = NULL;
  g_autofree char *two_typos = NULL;

  /* one letter missing, as the issue asks: "huisats" finds "huisarts" */
  ww_query_set_text (query, "huisats ");
  results = ww_directory_search (fixture->directory, query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (results)), >=, 1);
  g_assert_cmpstr (ww_search_results_get_corrected (results), ==, "huisarts");

  missing = sorted (search_text (fixture->directory, "huisats"));
  swapped = search_text (fixture->directory, "advocaetnkantoor ");
  wrong = search_text (fixture->directory, "zakenbenk ");
  extra = search_text (fixture->directory, "wijkkteam ");
  short_word = search_text (fixture->directory, "sao ");
  two_typos = search_text (fixture->directory, "huiats ");

  g_assert_cmpstr (missing, ==, "test-01 test-02");
  g_assert_cmpstr (swapped, ==, "test-05");
  g_assert_cmpstr (wrong, ==, "test-06");
  g_assert_cmpstr (extra, ==, "test-07");
  /* shorter words are not guessed at, and two typos are too many */
  g_assert_cmpstr (short_word, ==, "");
  g_assert_cmpstr (two_typos, ==, "");
}

static void
test_filter_theme_category (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(WwQuery) query = ww_query_new ();
  g_autofree char *theme = NULL;
  g_autofree char *category = NULL;

  ww_query_set_theme (query, "care");
  theme = sorted (search_ids (fixture->directory, query));
  ww_query_set_category (query, "gp");
  category = sorted (search_ids (fixture->directory, query));

  g_assert_cmpstr (theme, ==, "test-01 test-02 test-04");
  g_assert_cmpstr (category, ==, "test-01 test-02");
}

static void
test_filter_city (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(WwQuery) query = ww_query_new ();
  g_autofree char *city = NULL;
  g_autofree char *combined = NULL;

  ww_query_set_city (query, "AMSTERDAM");
  city = sorted (search_ids (fixture->directory, query));
  ww_query_set_theme (query, "legal");
  combined = search_ids (fixture->directory, query);

  g_assert_cmpstr (city, ==, "test-01 test-05 test-07");
  g_assert_cmpstr (combined, ==, "test-05");
}

static void
test_filter_language (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(WwQuery) query = ww_query_new ();
  g_autofree char *english = NULL;
  g_autofree char *both = NULL;

  ww_query_add_language (query, "en");
  english = sorted (search_ids (fixture->directory, query));
  ww_query_add_language (query, "es");
  both = search_ids (fixture->directory, query);

  g_assert_cmpstr (english, ==, "test-01 test-04 test-05 test-08");
  g_assert_cmpstr (both, ==, "test-04");
}

static void
test_filter_attributes (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(WwQuery) query = ww_query_new ();
  g_autofree char *one = NULL;
  g_autofree char *all = NULL;
  g_autofree char *with_text = NULL;

  ww_query_add_attribute (query, "walk-in");
  one = sorted (search_ids (fixture->directory, query));
  /* every chosen attribute must hold, not any */
  ww_query_add_attribute (query, "anonymous-ok");
  all = sorted (search_ids (fixture->directory, query));
  ww_query_set_text (query, "soa");
  with_text = search_ids (fixture->directory, query);

  g_assert_cmpstr (one, ==, "test-03 test-04 test-07");
  g_assert_cmpstr (all, ==, "test-03 test-04");
  g_assert_cmpstr (with_text, ==, "test-04");
}

static char *
open_at (WwDirectory *directory,
         int          day,
         int          hour,
         int          minute)
{
  g_autoptr(GTimeZone) amsterdam = g_time_zone_new_identifier ("Europe/Amsterdam");
  /* 2026-11-23 is a Monday */
  g_autoptr(GDateTime) when = g_date_time_new (amsterdam, 2026, 11, 22 + day, hour, minute, 0);
  g_autoptr(WwQuery) query = ww_query_new ();

  ww_query_set_open_at (query, when);
  return sorted (search_ids (directory, query));
}

static void
test_filter_open_now (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *monday_early = open_at (fixture->directory, 1, 7, 59);
  g_autofree char *monday_morning = open_at (fixture->directory, 1, 11, 0);
  g_autofree char *thursday_evening = open_at (fixture->directory, 4, 18, 30);
  g_autofree char *friday_evening = open_at (fixture->directory, 5, 18, 30);
  g_autofree char *saturday = open_at (fixture->directory, 6, 10, 0);
  g_autofree char *closing_time = open_at (fixture->directory, 6, 14, 0);

  g_assert_cmpstr (monday_early, ==, "");
  g_assert_cmpstr (monday_morning, ==, "test-01 test-02 test-04 test-05 test-06 test-07 test-08");
  g_assert_cmpstr (thursday_evening, ==, "test-02");
  g_assert_cmpstr (friday_evening, ==, "");
  g_assert_cmpstr (saturday, ==, "test-03");
  /* closes at 14:00: closed at 14:00 */
  g_assert_cmpstr (closing_time, ==, "");

  /* the same answer from the provider itself */
  {
    g_autoptr(GTimeZone) amsterdam = g_time_zone_new_identifier ("Europe/Amsterdam");
    g_autoptr(GDateTime) thursday = g_date_time_new (amsterdam, 2026, 11, 26, 18, 30, 0);
    g_autoptr(WwProvider) open = ww_directory_lookup (fixture->directory, "test-02", NULL);
    g_autoptr(WwProvider) closed = ww_directory_lookup (fixture->directory, "test-01", NULL);

    g_assert_true (ww_provider_is_open_at (open, thursday));
    g_assert_false (ww_provider_is_open_at (closed, thursday));
  }
}

static void
test_filter_distance (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(WwQuery) query = ww_query_new ();
  g_autoptr(WwSearchResults) results = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ids = NULL;
  double last = 0;

  /* Amsterdam Centraal; test-07 is 4.3 km away, Utrecht 35 km */
  ww_query_set_near (query, 52.3791, 4.9003, 3.0);
  results = ww_directory_search (fixture->directory, query, NULL, &error);
  g_assert_no_error (error);
  ids = search_ids (fixture->directory, query);
  g_assert_cmpstr (ids, ==, "test-01 test-05");

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (results)); i++)
    {
      g_autoptr(WwProvider) provider = g_list_model_get_item (G_LIST_MODEL (results), i);
      double km = ww_provider_get_distance (provider);

      g_assert_cmpfloat (km, >=, last);
      g_assert_cmpfloat (km, <=, 3.0);
      last = km;
    }

  /* test-01 at 52.3731,4.8922 is about 0.86 km from the station */
  {
    g_autoptr(WwProvider) nearest = g_list_model_get_item (G_LIST_MODEL (results), 0);
    g_assert_cmpfloat_with_epsilon (ww_provider_get_distance (nearest), 0.86, 0.05);
  }

  /* a wider circle takes in the rest of Amsterdam, and text narrows it */
  {
    g_autoptr(WwQuery) wide = ww_query_new ();
    g_autofree char *wide_ids = NULL;
    g_autofree char *with_text = NULL;

    ww_query_set_near (wide, 52.3791, 4.9003, 5.0);
    wide_ids = search_ids (fixture->directory, wide);
    ww_query_set_text (wide, "wijkteam");
    with_text = search_ids (fixture->directory, wide);
    g_assert_cmpstr (wide_ids, ==, "test-01 test-05 test-07");
    g_assert_cmpstr (with_text, ==, "test-07");
  }
}

typedef struct {
  const char *prefix;
  guint       count;
} CountData;

static gboolean
words_have_prefix (const char *text,
                   const char *prefix)
{
  g_auto(GStrv) words = NULL;

  if (text == NULL)
    return FALSE;

  words = ww_text_split_words (text);
  for (guint i = 0; words[i] != NULL; i++)
    if (g_str_has_prefix (words[i], prefix))
      return TRUE;

  return FALSE;
}

static gboolean
name_matches (WwProvider *provider,
              const char *prefix)
{
  return words_have_prefix (ww_provider_get_name (provider), prefix) ||
         words_have_prefix (ww_provider_get_field (provider, WW_PROVIDER_ORGANIZATION_NAME), prefix);
}

static gboolean
count_prefix_cb (WwProvider  *provider,
                 gpointer     user_data,
                 GError     **error)
{
  CountData *data = user_data;
  const WwProviderField fields[] = {
    WW_PROVIDER_NAME, WW_PROVIDER_ORGANIZATION_NAME, WW_PROVIDER_DESCRIPTION,
    WW_PROVIDER_STREET, WW_PROVIDER_POSTAL_CODE, WW_PROVIDER_CITY, WW_PROVIDER_LOCATION_NAME,
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (words_have_prefix (ww_provider_get_field (provider, fields[i]), data->prefix))
      {
        data->count++;
        break;
      }

  return TRUE;
}

static void
test_search_broad (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(WwQuery) query = ww_query_new ();
  g_autoptr(WwSearchResults) first_page = NULL;
  g_autoptr(WwSearchResults) all = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GError) error = NULL;
  CountData expected = { "a", 0 };
  gboolean names_done = FALSE;

  /* More matches than are ranked: the names that match come first, and
   * nothing is lost or listed twice. */
  g_assert_true (ww_generator_fill (fixture->directory, 3000, 5, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ww_directory_foreach (fixture->directory, NULL, count_prefix_cb, &expected, &error));
  g_assert_cmpuint (expected.count, >, 2000);

  ww_query_set_text (query, "a");
  ww_query_set_limit (query, 100);
  first_page = ww_directory_search (fixture->directory, query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (first_page)), ==, 100);
  g_assert_true (ww_search_results_get_truncated (first_page));

  ww_query_set_limit (query, 0);
  all = ww_directory_search (fixture->directory, query, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (all)), ==, expected.count);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (all)); i++)
    {
      g_autoptr(WwProvider) provider = g_list_model_get_item (G_LIST_MODEL (all), i);
      gboolean in_name = name_matches (provider, "a");

      g_assert_true (g_hash_table_add (seen, g_strdup (ww_provider_get_id (provider))));
      if (!in_name)
        names_done = TRUE;
      else
        g_assert_false (names_done);
    }
  g_assert_true (names_done);
}

static void
test_limit (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(WwQuery) query = ww_query_new ();
  g_autoptr(WwSearchResults) cut = NULL;
  g_autoptr(WwSearchResults) whole = NULL;

  ww_query_set_limit (query, 3);
  cut = ww_directory_search (fixture->directory, query, NULL, NULL);
  ww_query_set_limit (query, 0);
  whole = ww_directory_search (fixture->directory, query, NULL, NULL);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (cut)), ==, 3);
  g_assert_true (ww_search_results_get_truncated (cut));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (whole)), ==, 8);
  g_assert_false (ww_search_results_get_truncated (whole));
}

static void
async_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
test_async_cancelled (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(WwQuery) query = ww_query_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(WwSearchResults) results = NULL;

  g_assert_true (ww_generator_fill (fixture->directory, 3000, 3, NULL, NULL, &error));
  g_assert_no_error (error);

  /* A long search, cancelled while it runs or before it starts: either
   * way it ends cancelled, never with stale results. */
  ww_query_set_limit (query, 0);
  ww_directory_search_async (fixture->directory, query, cancellable, async_cb, &result);
  g_cancellable_cancel (cancellable);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  results = ww_directory_search_finish (fixture->directory, result, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (results);
}

typedef struct {
  guint            n_changed;
  WwSearchResults *last;
} SearcherState;

static void
results_changed_cb (WwSearcher      *searcher,
                    WwSearchResults *results,
                    SearcherState   *state)
{
  state->n_changed++;
  g_set_object (&state->last, results);
}

static void
test_searcher_newest_wins (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(WwSearcher) searcher = ww_searcher_new (fixture->directory);
  SearcherState state = { 0 };
  const char *typed[] = { "s", "so", "soa" };

  g_signal_connect (searcher, "results-changed", G_CALLBACK (results_changed_cb), &state);

  /* as someone types: each keystroke cancels the search before it */
  for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
    {
      g_autoptr(WwQuery) query = ww_query_new ();

      ww_query_set_text (query, typed[i]);
      ww_searcher_search (searcher, query);
    }
  g_assert_true (ww_searcher_get_busy (searcher));

  while (ww_searcher_get_busy (searcher))
    g_main_context_iteration (NULL, TRUE);
  /* let any stale callbacks run too; none may speak */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  g_assert_cmpuint (state.n_changed, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (state.last)), ==, 1);
  {
    g_autoptr(WwProvider) provider = g_list_model_get_item (G_LIST_MODEL (state.last), 0);
    g_assert_cmpstr (ww_provider_get_id (provider), ==, "test-04");
  }
  g_assert_true (ww_searcher_get_results (searcher) == state.last);
  g_clear_object (&state.last);
}

static void
test_seed_plugins (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(WwPluginEngine) engine = ww_plugin_engine_new ();
  g_autoptr(GError) error = NULL;
  static const char *themes[] = { "finance", "care", "police", "municipality", "media", "legal" };
  guint total;
  g_autofree char *gp = NULL;

  ww_plugin_engine_load (engine);
  g_assert_true (ww_directory_seed (fixture->directory, engine, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (themes); i++)
    g_assert_cmpuint (ww_directory_count (fixture->directory, themes[i]), >=, 30);

  /* every seeded listing is sample data (the 8 test ones are too) */
  total = ww_directory_count (fixture->directory, NULL);
  g_assert_cmpuint (ww_directory_count_sample (fixture->directory), ==, total);

  /* seeding again changes nothing */
  g_assert_true (ww_directory_seed (fixture->directory, engine, &error));
  g_assert_cmpuint (ww_directory_count (fixture->directory, NULL), ==, total);

  /* category words from the plugin are searchable, in English too */
  {
    g_autoptr(WwQuery) query = ww_query_new ();

    ww_query_set_text (query, "family doctor");
    ww_query_set_theme (query, "care");
    ww_query_set_limit (query, 0);
    gp = search_ids (fixture->directory, query);
    g_assert_cmpstr (gp, !=, "");
  }
}

/* --- the change log ------------------------------------------------------ */

#define RELAY "http://relay.test"

/* ww_directory_write_changes() into a string */
static char *
changes_text (WwDirectory *directory,
              gint64       since,
              guint        limit,
              gint64      *next_since)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  gint64 next = -1;

  g_assert_true (ww_directory_write_changes (directory, since, limit, out, &next, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (next, >=, since);
  g_output_stream_close (out, NULL, NULL);
  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  if (next_since != NULL)
    *next_since = next;

  /* an empty stream has no data at all */
  return g_bytes_get_size (bytes) > 0 ? g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes))
                                      : g_strdup ("");
}

static gboolean
apply_text (WwDirectory              *directory,
            const char               *text,
            gsize                     length,
            gint64                    next_since,
            WwDirectoryChangeCounts  *counts,
            GError                  **error)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (g_memdup2 (text, length),
                                                                    length, g_free);

  return ww_directory_apply_changes (directory, in, RELAY, next_since, counts, NULL, error);
}

/* The ids of a delta's lines in order, a removal as "-id". */
static char *
delta_ids (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autoptr(GString) ids = g_string_new (NULL);
  guint n = g_strv_length (lines);

  if (n == 0)
    return g_strdup ("");

  /* every line ends in a newline: after the last comes nothing */
  g_assert_cmpstr (lines[n - 1], ==, "");
  for (guint i = 0; i + 1 < n; i++)
    {
      g_autoptr(JsonNode) node = json_from_string (lines[i], NULL);
      JsonObject *object;

      g_assert_nonnull (node);
      object = json_node_get_object (node);
      if (ids->len > 0)
        g_string_append_c (ids, ' ');
      if (json_object_get_boolean_member_with_default (object, "deleted", FALSE))
        g_string_append_c (ids, '-');
      g_string_append (ids, json_object_get_string_member (object, "id"));
    }

  return g_string_free (g_steal_pointer (&ids), FALSE);
}

static gboolean
export_cb (WwProvider  *provider,
           gpointer     user_data,
           GError     **error)
{
  g_autofree char *line = ww_hsds_provider_to_ndjson (provider);

  g_string_append (user_data, line);
  g_string_append_c (user_data, '\n');
  return TRUE;
}

/* what "wegwijzer-admin export" writes */
static char *
export_text (WwDirectory *directory)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (ww_directory_foreach (directory, NULL, export_cb, text, &error));
  g_assert_no_error (error);

  return g_string_free (g_steal_pointer (&text), FALSE);
}

static gint64
sync_point (WwDirectory *directory)
{
  g_autoptr(GError) error = NULL;
  gint64 since = -1;

  g_assert_true (ww_directory_get_sync_point (directory, RELAY, &since, &error));
  g_assert_no_error (error);

  return since;
}

static void
add_one (WwDirectory *directory,
         WwProvider  *provider,
         const char  *source)
{
  g_autoptr(GPtrArray) batch = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (batch, provider);
  g_assert_true (ww_directory_add_providers (directory, batch, source, &error));
  g_assert_no_error (error);
}

static WwProvider *
generated (guint index,
           const char *id)
{
  WwProvider *provider = ww_generator_make_provider (7, index);

  ww_provider_set_field (provider, WW_PROVIDER_ID, id);
  return provider;
}

static void
test_changes_numbers (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) providers = load_fixture_providers ();
  g_autofree char *all = NULL;
  g_autofree char *all_ids = NULL;
  g_autofree char *replaced = NULL;
  g_autofree char *replaced_ids = NULL;
  g_autofree char *nothing = NULL;
  g_autofree char *latest = NULL;
  g_autoptr(GString) paged = g_string_new (NULL);
  gint64 first_next, second_next, third_next;

  all = changes_text (fixture->directory, 0, 0, &first_next);
  all_ids = delta_ids (all);
  g_assert_cmpstr (all_ids, ==, "test-01 test-02 test-03 test-04 test-05 test-06 test-07 test-08");
  g_assert_cmpint (first_next, >=, 8);

  /* the lines are the HSDS records themselves */
  {
    g_autofree char *line = ww_hsds_provider_to_ndjson (g_ptr_array_index (providers, 0));

    g_assert_true (g_str_has_prefix (all, line));
    g_assert_cmpint (all[strlen (line)], ==, '\n');
  }

  /* a replace is a new change, after every other */
  add_one (fixture->directory, g_object_ref (g_ptr_array_index (providers, 2)), "import");
  replaced = changes_text (fixture->directory, first_next, 0, &second_next);
  replaced_ids = delta_ids (replaced);
  g_assert_cmpstr (replaced_ids, ==, "test-03");
  g_assert_cmpint (second_next, >, first_next);

  /* and only the latest change of a listing is kept */
  g_free (all_ids);
  g_free (all);
  all = changes_text (fixture->directory, 0, 0, &third_next);
  all_ids = delta_ids (all);
  g_assert_cmpstr (all_ids, ==, "test-01 test-02 test-04 test-05 test-06 test-07 test-08 test-03");
  g_assert_cmpint (third_next, ==, second_next);

  /* from the number given back, nothing is new, and the number stays */
  nothing = changes_text (fixture->directory, second_next, 0, &third_next);
  g_assert_cmpstr (nothing, ==, "");
  g_assert_cmpint (third_next, ==, second_next);
  latest = changes_text (fixture->directory, G_MAXINT64 - 1, 0, &third_next);
  g_assert_cmpstr (latest, ==, "");
  g_assert_cmpint (third_next, ==, G_MAXINT64 - 1);

  /* in pages of three: the same lines, and each page goes on from the last */
  for (gint64 since = 0, next = -1, pages = 0; ; since = next, pages++)
    {
      g_autofree char *page = changes_text (fixture->directory, since, 3, &next);
      g_autofree char *page_ids = delta_ids (page);

      g_assert_cmpint (pages, <, 4);
      if (next == since)
        {
          g_assert_cmpstr (page, ==, "");
          g_assert_cmpint (pages, ==, 3);
          break;
        }
      {
        g_auto(GStrv) ids = g_strsplit (page_ids, " ", -1);

        g_assert_cmpuint (g_strv_length (ids), <=, 3);
      }
      g_string_append (paged, page);
    }
  g_assert_cmpstr (paged->str, ==, all);
}

static void
test_changes_remove_source (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *removed = NULL;
  g_autofree char *removed_ids = NULL;
  g_autofree char *again = NULL;
  g_autofree char *again_ids = NULL;
  g_autofree char *all = NULL;
  g_autofree char *all_ids = NULL;
  gint64 start, next, last;

  add_one (fixture->directory, generated (1, "other-1"), "other");
  add_one (fixture->directory, generated (2, "other-2"), "other");
  g_free (changes_text (fixture->directory, 0, 0, &start));

  g_assert_true (ww_directory_remove_source (fixture->directory, "other", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ww_directory_count (fixture->directory, NULL), ==, 8);

  removed = changes_text (fixture->directory, start, 0, &next);
  removed_ids = delta_ids (removed);
  g_assert_cmpstr (removed_ids, ==, "-other-1 -other-2");
  /* exactly the shape the relay's contract names */
  g_assert_true (g_str_has_prefix (removed, "{\"id\":\"other-1\",\"deleted\":true}\n"));

  /* removing what is not there changes nothing */
  g_assert_true (ww_directory_remove_source (fixture->directory, "other", &error));
  g_free (changes_text (fixture->directory, next, 0, &last));
  g_assert_cmpint (last, ==, next);

  /* a listing that comes back is a listing again, not a removal */
  add_one (fixture->directory, generated (2, "other-2"), "import");
  again = changes_text (fixture->directory, next, 0, NULL);
  again_ids = delta_ids (again);
  g_assert_cmpstr (again_ids, ==, "other-2");
  all = changes_text (fixture->directory, 0, 0, NULL);
  all_ids = delta_ids (all);
  g_assert_true (g_str_has_suffix (all_ids, "-other-1 other-2"));
}

static void
test_changes_seed (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(WwPluginEngine) engine = ww_plugin_engine_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *seeded = NULL;
  g_autofree char *reseeded = NULL;
  g_autofree char *reseeded_ids = NULL;
  g_auto(GStrv) reseeded_list = NULL;
  guint total;
  gint64 next, after, last;

  ww_plugin_engine_load (engine);
  g_assert_true (ww_directory_seed (fixture->directory, engine, &error));
  g_assert_no_error (error);
  total = ww_directory_count (fixture->directory, NULL);
  g_assert_cmpuint (total, >, 100);

  /* every seeded listing is a change */
  seeded = changes_text (fixture->directory, 0, 0, &next);
  {
    g_auto(GStrv) lines = g_strsplit (seeded, "\n", -1);

    g_assert_cmpuint (g_strv_length (lines) - 1, ==, total);
  }

  /* seeding again, with the plugins as they were, changes nothing */
  g_assert_true (ww_directory_seed (fixture->directory, engine, &error));
  g_free (changes_text (fixture->directory, next, 0, &after));
  g_assert_cmpint (after, ==, next);

  /* When a plugin's data changed, its listings are put in again: each
   * is changed, none removed, except one that the plugin no longer has. */
  add_one (fixture->directory, generated (3, "care-gone"), "care");
  g_free (changes_text (fixture->directory, 0, 0, &next));
  exec_on_file (fixture->path, "DELETE FROM seeds WHERE source = 'care'");
  g_assert_true (ww_directory_seed (fixture->directory, engine, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (ww_directory_count (fixture->directory, NULL), ==, total);

  reseeded = changes_text (fixture->directory, next, 0, &last);
  reseeded_ids = delta_ids (reseeded);
  reseeded_list = g_strsplit (reseeded_ids, " ", -1);
  g_assert_cmpuint (g_strv_length (reseeded_list), ==, ww_directory_count (fixture->directory, "care") + 1);
  for (guint i = 0; reseeded_list[i] != NULL; i++)
    {
      if (reseeded_list[i][0] == '-')
        g_assert_cmpstr (reseeded_list[i], ==, "-care-gone");
      else
        {
          g_autoptr(WwProvider) provider = ww_directory_lookup (fixture->directory, reseeded_list[i], &error);

          g_assert_no_error (error);
          g_assert_cmpstr (ww_provider_get_theme (provider), ==, "care");
        }
    }
  g_assert_true (g_strv_contains ((const char *const *) reseeded_list, "-care-gone"));
}

/* A directory as schema 1 left it: schema 2 only added tables. */
static void
make_schema_1 (const char *path)
{
  exec_on_file (path,
                "DROP TABLE changes;"
                "DROP TABLE meta;"
                "DELETE FROM sqlite_sequence;"
                "PRAGMA user_version = 1;");
}

static void
test_changes_migrated (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(WwDirectory) read_only = NULL;
  g_autofree char *all = NULL;
  g_autofree char *all_ids = NULL;
  g_autofree char *added = NULL;
  g_autofree char *added_ids = NULL;
  gint64 next, after;

  g_clear_object (&fixture->directory);
  make_schema_1 (fixture->path);

  /* read-only, it cannot be brought up to date: it says so */
  read_only = ww_directory_open_read_only (fixture->path, &error);
  g_assert_error (error, WW_DIRECTORY_ERROR, WW_DIRECTORY_ERROR_READ_ONLY);
  g_assert_nonnull (strstr (error->message, "schema 2"));
  g_assert_null (read_only);
  g_clear_error (&error);

  fixture->directory = ww_directory_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ww_directory_count (fixture->directory, NULL), ==, 8);

  /* every listing that was there is a change, in the order they came */
  all = changes_text (fixture->directory, 0, 0, &next);
  all_ids = delta_ids (all);
  g_assert_cmpstr (all_ids, ==, "test-01 test-02 test-03 test-04 test-05 test-06 test-07 test-08");
  g_assert_cmpint (next, ==, 8);
  g_assert_cmpint (sync_point (fixture->directory), ==, 0);

  /* and the log goes on from there */
  add_one (fixture->directory, generated (4, "after-migration"), "import");
  added = changes_text (fixture->directory, next, 0, &after);
  added_ids = delta_ids (added);
  g_assert_cmpstr (added_ids, ==, "after-migration");
  g_assert_cmpint (after, ==, 9);
}

static WwDirectory *
open_synced_directory (Fixture    *fixture,
                       const char *name)
{
  g_autofree char *path = g_build_filename (fixture->tmpdir, name, NULL);
  g_autoptr(WwPluginEngine) engine = ww_plugin_engine_new ();
  g_autoptr(GError) error = NULL;
  WwDirectory *directory = ww_directory_open (path, &error);

  g_assert_no_error (error);
  /* the themes are checked against the plugins, as the admin tool does */
  ww_plugin_engine_load (engine);
  ww_directory_set_plugin_engine (directory, engine);

  return directory;
}

static void
test_changes_round_trip (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(WwDirectory) kiosk = open_synced_directory (fixture, "kiosk.db");
  g_autoptr(GPtrArray) providers = load_fixture_providers ();
  g_autoptr(GError) error = NULL;
  WwDirectoryChangeCounts counts;
  WwProvider *renamed;
  gint64 next, second;

  /* the relay's directory has had a life: a replace, a removed source */
  add_one (fixture->directory, generated (5, "other-1"), "other");
  add_one (fixture->directory, g_object_ref (g_ptr_array_index (providers, 4)), "import");
  g_assert_true (ww_directory_remove_source (fixture->directory, "other", &error));

  {
    g_autofree char *delta = changes_text (fixture->directory, 0, 0, &next);
    g_autofree char *relay_export = NULL;
    g_autofree char *kiosk_export = NULL;

    g_assert_true (apply_text (kiosk, delta, strlen (delta), next, &counts, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (counts.added, ==, 8);
    g_assert_cmpuint (counts.changed, ==, 0);
    /* other-1 was never here */
    g_assert_cmpuint (counts.removed, ==, 0);
    g_assert_cmpint (sync_point (kiosk), ==, next);

    relay_export = export_text (fixture->directory);
    kiosk_export = export_text (kiosk);
    g_assert_cmpuint (strlen (relay_export), >, 1000);
    g_assert_cmpstr (kiosk_export, ==, relay_export);
  }

  /* what changed next: one renamed, one source gone */
  renamed = g_ptr_array_index (providers, 0);
  ww_provider_set_field (renamed, WW_PROVIDER_NAME, "Praktijk Herdoopt");
  add_one (fixture->directory, g_object_ref (renamed), "import");
  add_one (fixture->directory, generated (6, "new-1"), "import");
  {
    g_autoptr(GPtrArray) batch = g_ptr_array_new ();

    g_ptr_array_add (batch, g_ptr_array_index (providers, 6));
    g_assert_true (ww_directory_add_providers (fixture->directory, batch, "moving", &error));
    g_assert_true (ww_directory_remove_source (fixture->directory, "moving", &error));
    g_assert_no_error (error);
  }

  {
    g_autofree char *delta = changes_text (fixture->directory, sync_point (kiosk), 0, &second);
    g_autofree char *delta_list = delta_ids (delta);
    g_autofree char *relay_export = NULL;
    g_autofree char *kiosk_export = NULL;
    g_autofree char *found = NULL;

    g_assert_cmpstr (delta_list, ==, "test-01 new-1 -test-07");
    g_assert_true (apply_text (kiosk, delta, strlen (delta), second, &counts, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (counts.added, ==, 1);
    g_assert_cmpuint (counts.changed, ==, 1);
    g_assert_cmpuint (counts.removed, ==, 1);
    g_assert_cmpint (sync_point (kiosk), ==, second);

    relay_export = export_text (fixture->directory);
    kiosk_export = export_text (kiosk);
    g_assert_cmpstr (kiosk_export, ==, relay_export);

    /* the kiosk's index knows the new name */
    found = search_text (kiosk, "herdoopt");
    g_assert_cmpstr (found, ==, "test-01");

    /* the same delta again is harmless */
    g_assert_true (apply_text (kiosk, delta, strlen (delta), second, &counts, &error));
    g_assert_cmpuint (counts.added, ==, 0);
    g_assert_cmpuint (counts.changed, ==, 2);
    g_assert_cmpuint (counts.removed, ==, 0);
    g_free (kiosk_export);
    kiosk_export = export_text (kiosk);
    g_assert_cmpstr (kiosk_export, ==, relay_export);
  }

  /* an empty delta is a sync in which nothing changed */
  g_assert_true (apply_text (kiosk, "", 0, second + 5, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (counts.added + counts.changed + counts.removed, ==, 0);
  g_assert_cmpint (sync_point (kiosk), ==, second + 5);

  /* what came from the relay is marked so */
  {
    g_autoptr(GError) local_error = NULL;

    g_assert_true (ww_directory_remove_source (kiosk, WW_DIRECTORY_SOURCE_RELAY, &local_error));
    g_assert_cmpuint (ww_directory_count (kiosk, NULL), ==, 0);
  }
}

/* @text with @old, which it must hold, replaced by @new */
static char *
replace_once (const char *text,
              const char *old,
              const char *new)
{
  const char *at = strstr (text, old);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, new, at + strlen (old));
}

/* one line of a delta: @record with @old replaced by @new */
static char *
changed_line (const char *record,
              const char *old,
              const char *new)
{
  g_autofree char *changed = replace_once (record, old, new);

  return g_strconcat (changed, "\n", NULL);
}

static void
test_changes_bad (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(WwDirectory) kiosk = open_synced_directory (fixture, "kiosk.db");
  g_autoptr(GPtrArray) providers = load_fixture_providers ();
  g_autoptr(GError) error = NULL;
  WwProvider *first = g_ptr_array_index (providers, 0);
  g_autofree char *good = NULL;
  g_autofree char *record = NULL;
  g_autofree char *new_record = NULL;
  g_autofree char *before = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *huge = NULL;
  gint64 synced, kiosk_last;

  /* the kiosk has the relay's eight listings */
  good = changes_text (fixture->directory, 0, 0, &synced);
  g_assert_true (apply_text (kiosk, good, strlen (good), synced, NULL, &error));
  g_assert_no_error (error);
  before = export_text (kiosk);
  g_free (changes_text (kiosk, 0, 0, &kiosk_last));

  /* Each bad delta starts with two good lines, a new listing and a
   * removal, which must not stay either. */
  record = ww_hsds_provider_to_ndjson (first);
  new_record = replace_once (record, "\"id\":\"test-01\"", "\"id\":\"delta-01\"");
  prefix = g_strdup_printf ("%s\n{\"id\":\"test-02\",\"deleted\":true}\n", new_record);
  huge = g_strnfill (1200 * 1024, 'a');

  {
    static const char with_nul[] = "{\"id\":\"x\",\0\"name\":\"y\"}\n";
    struct {
      char       *line;       /* the third line, with its newline if any */
      const char *message;    /* what the error says after "line 3: " */
      gsize       length;     /* of the line when it holds a NUL */
    } cases[] = {
      { g_strdup ("this is not JSON\n"), "not valid JSON" },
      { g_strdup ("[1, 2, 3]\n"), "not a service object" },
      { g_strdup ("\"a string\"\n"), "not a service object" },
      { g_strdup ("\xff\xfe{}\n"), "not UTF-8" },
      { g_memdup2 (with_nul, sizeof with_nul), "not valid JSON", sizeof with_nul - 1 },
      { changed_line (record, "\"name\":\"Huisartsenpraktijk De Linde\"", "\"name\":42"), "name: must be a string" },
      { changed_line (record, "\"code\":\"care\",\"taxonomy\":\"wegwijzer-theme\"",
                      "\"code\":\"astrology\",\"taxonomy\":\"wegwijzer-theme\""),
        "theme: 'astrology' is not an installed theme" },
      { changed_line (record, "\"code\":\"gp\",\"taxonomy\":\"wegwijzer-category\"",
                      "\"code\":\"horoscopes\",\"taxonomy\":\"wegwijzer-category\""),
        "category: 'horoscopes' is not a category of theme 'care'" },
      { changed_line (record, "\"latitude\":", "\"latitude\":\"north\",\"was\":"),
        "latitude: must be a number" },
      { g_strdup ("{\"id\":\"test-09\",\"name\":\"Zonder adres\"}\n"), "service_at_locations: is missing" },
      { g_strndup (record, strlen (record) / 2), "does not end with a newline" },
      { g_strdup (record), "does not end with a newline" },
      { g_strdup ("{\"deleted\":true}\n"), "id: is missing" },
      { g_strdup ("{\"id\":42,\"deleted\":true}\n"), "id: is missing" },
      { g_strdup ("{\"id\":\"\",\"deleted\":true}\n"), "id: is missing" },
      { g_strdup ("{\"id\":\"test-03\",\"deleted\":\"yes\"}\n"), "deleted: must be true or false" },
      { g_strdup ("{\"id\":\"delta-01\",\"deleted\":true}\n"), "id: 'delta-01' is also line 1" },
      { g_strdup_printf ("{\"id\":\"x\",\"description\":\"%s\"}\n", huge), "longer than" },
    };

    /* the record's own name, so the cases above match it */
    g_assert_nonnull (strstr (record, "\"name\":\"Huisartsenpraktijk De Linde\""));

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        gsize line_length = cases[i].length > 0 ? cases[i].length : strlen (cases[i].line);
        g_autoptr(GString) delta = g_string_new (prefix);
        g_autofree char *after = NULL;
        WwDirectoryChangeCounts counts = { 1, 1, 1 };
        gint64 last;

        g_string_append_len (delta, cases[i].line, line_length);

        g_test_message ("bad delta %u: %s", i, cases[i].message);
        g_assert_false (apply_text (kiosk, delta->str, delta->len, synced + 100, &counts, &error));
        g_assert_nonnull (error);
        g_assert_true (error->domain == WW_HSDS_ERROR);
        g_test_message ("  -> %s", error->message);
        g_assert_true (g_str_has_prefix (error->message, "line 3: "));
        g_assert_nonnull (strstr (error->message, cases[i].message));
        g_clear_error (&error);

        /* nothing was written: no listing, no change, no sync point */
        g_assert_cmpuint (counts.added + counts.changed + counts.removed, ==, 0);
        after = export_text (kiosk);
        g_assert_cmpstr (after, ==, before);
        g_free (changes_text (kiosk, 0, 0, &last));
        g_assert_cmpint (last, ==, kiosk_last);
        g_assert_cmpint (sync_point (kiosk), ==, synced);

        g_free (cases[i].line);
      }
  }

  /* blank lines count as lines, so the number is the one an editor shows */
  g_assert_false (apply_text (kiosk, "\n  \nnot JSON\n", 13, synced + 1, NULL, &error));
  g_assert_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_SYNTAX);
  g_assert_true (g_str_has_prefix (error->message, "line 3: not valid JSON"));
}

static void
test_changes_read_only (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *missing = g_build_filename (fixture->tmpdir, "missing.db", NULL);
  g_autofree char *written = NULL;
  g_autofree char *from_read_only = NULL;
  g_autoptr(WwDirectory) read_only = NULL;
  g_autoptr(GError) error = NULL;
  WwDirectoryChangeCounts counts;
  gint64 since = -1;
  gint64 next;

  written = changes_text (fixture->directory, 0, 0, &next);

  /* the relay's way in: reading while another program writes */
  read_only = ww_directory_open_read_only (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_true (ww_directory_get_read_only (read_only));
  from_read_only = changes_text (read_only, 0, 0, NULL);
  g_assert_cmpstr (from_read_only, ==, written);

  /* and sees what the other wrote */
  add_one (fixture->directory, generated (8, "while-reading"), "import");
  {
    g_autofree char *added = changes_text (read_only, next, 0, NULL);
    g_autofree char *added_ids = delta_ids (added);

    g_assert_cmpstr (added_ids, ==, "while-reading");
  }

  g_assert_false (apply_text (read_only, "", 0, 5, &counts, &error));
  g_assert_error (error, WW_DIRECTORY_ERROR, WW_DIRECTORY_ERROR_READ_ONLY);
  g_assert_nonnull (strstr (error->message, "read-only"));
  g_clear_error (&error);
  g_assert_true (ww_directory_get_sync_point (read_only, RELAY, &since, &error));
  g_assert_cmpint (since, ==, 0);

  /* it never makes a file */
  g_clear_object (&read_only);
  read_only = ww_directory_open_read_only (missing, &error);
  g_assert_error (error, WW_DIRECTORY_ERROR, WW_DIRECTORY_ERROR_NOT_FOUND);
  g_assert_null (read_only);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func, setup) \
  g_test_add (path, Fixture, NULL, setup, func, fixture_tear_down)

  ADD ("/directory/open/migrations", test_migrations, fixture_set_up);
  ADD ("/directory/open/too-new", test_too_new, fixture_set_up_empty);
  ADD ("/directory/open/no-fts5", test_no_fts5, fixture_set_up);
  ADD ("/directory/open/corrupt/garbage", test_corrupt_garbage, fixture_set_up);
  ADD ("/directory/open/corrupt/pages", test_corrupt_pages, fixture_set_up);
  ADD ("/directory/store/round-trip", test_lookup_round_trip, fixture_set_up);
  ADD ("/directory/store/replace", test_replace, fixture_set_up);
  ADD ("/directory/store/all-or-nothing", test_all_or_nothing, fixture_set_up);
  ADD ("/directory/store/seed-plugins", test_seed_plugins, fixture_set_up);
  ADD ("/directory/changes/numbers", test_changes_numbers, fixture_set_up);
  ADD ("/directory/changes/remove-source", test_changes_remove_source, fixture_set_up);
  ADD ("/directory/changes/seed", test_changes_seed, fixture_set_up_empty);
  ADD ("/directory/changes/migrated", test_changes_migrated, fixture_set_up);
  ADD ("/directory/changes/round-trip", test_changes_round_trip, fixture_set_up);
  ADD ("/directory/changes/bad", test_changes_bad, fixture_set_up);
  ADD ("/directory/changes/read-only", test_changes_read_only, fixture_set_up);
  ADD ("/directory/search/text", test_search_text, fixture_set_up);
  ADD ("/directory/search/ranking", test_search_ranking, fixture_set_up);
  ADD ("/directory/search/prefix", test_search_prefix, fixture_set_up);
  ADD ("/directory/search/diacritics", test_search_diacritics, fixture_set_up);
  ADD ("/directory/search/typo", test_search_typo, fixture_set_up);
  ADD ("/directory/search/limit", test_limit, fixture_set_up);
  ADD ("/directory/search/broad", test_search_broad, fixture_set_up);
  ADD ("/directory/filter/theme-category", test_filter_theme_category, fixture_set_up);
  ADD ("/directory/filter/city", test_filter_city, fixture_set_up);
  ADD ("/directory/filter/language", test_filter_language, fixture_set_up);
  ADD ("/directory/filter/attributes", test_filter_attributes, fixture_set_up);
  ADD ("/directory/filter/open-now", test_filter_open_now, fixture_set_up);
  ADD ("/directory/filter/distance", test_filter_distance, fixture_set_up);
  ADD ("/directory/async/cancelled", test_async_cancelled, fixture_set_up);
  ADD ("/directory/async/newest-wins", test_searcher_newest_wins, fixture_set_up);

#undef ADD

  return g_test_run ();
}
