/* test-admin.c: wegwijzer-admin, run as a program
 *
 * Every test gets a folder of its own with a fresh directory database;
 * the tool runs as a subprocess and we look at its exit status, its
 * output and what it left in the database.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-test-admin"

#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

/* the installed themes, as the plugins in the build tree define them */
static const char *themes[] = { "care", "finance", "legal", "media", "municipality", "police" };

static const char *admin_path;

/* --- running the tool ---------------------------------------------------- */

typedef struct
{
  int   status;
  char *out;
  char *err;
} Result;

static void
result_free (Result *result)
{
  g_free (result->out);
  g_free (result->err);
  g_free (result);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Result, result_free)

typedef struct
{
  char        *tmpdir;
  char        *db;
  const char  *stdin_path;
  const char  *stdout_path;
  char       **env;
  /* a command the tool runs under, e.g. to make a folder read-only */
  const char *const *wrapper;
} Fixture;

typedef struct
{
  GBytes   *out;
  GBytes   *err;
  GError   *error;
  gboolean  done;
} Communication;

static void
communicate_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Communication *communication = user_data;

  g_subprocess_communicate_finish (G_SUBPROCESS (source), result,
                                   &communication->out, &communication->err,
                                   &communication->error);
  communication->done = TRUE;
}

static char *
dup_bytes (GBytes *bytes)
{
  gsize size = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;

  return g_strndup (data != NULL ? data : "", size);
}

static Result *
run_argv (Fixture           *fixture,
          const char *const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  Communication communication = { NULL };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autofree char *command_line = NULL;
  Result *result = g_new0 (Result, 1);

  if (fixture->wrapper != NULL)
    g_strv_builder_addv (builder, (const char **) fixture->wrapper);
  g_strv_builder_add (builder, admin_path);
  g_strv_builder_addv (builder, (const char **) args);
  argv = g_strv_builder_end (builder);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                        (fixture->stdout_path == NULL ? G_SUBPROCESS_FLAGS_STDOUT_PIPE : 0));
  /* UTF-8 output, English labels, whatever the machine says */
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "LANGUAGE");
  /* only the plugins in the build tree, unless a test adds some */
  g_subprocess_launcher_unsetenv (launcher, "WEGWIJZER_PLUGIN_PATH");
  /* meson.build asks for the slow unwinder, which this process needs for
   * its leak suppressions; the tool does not, and would crawl */
  if (g_getenv ("ASAN_OPTIONS") != NULL)
    {
      g_autofree char *asan_options = g_strconcat (g_getenv ("ASAN_OPTIONS"),
                                                   ":fast_unwind_on_malloc=1", NULL);

      g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", asan_options, TRUE);
    }
  for (guint i = 0; fixture->env != NULL && fixture->env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (fixture->env[i], "=", 2);

      g_subprocess_launcher_setenv (launcher, pair[0], pair[1], TRUE);
    }
  if (fixture->stdin_path != NULL)
    g_subprocess_launcher_set_stdin_file_path (launcher, fixture->stdin_path);
  if (fixture->stdout_path != NULL)
    g_subprocess_launcher_set_stdout_file_path (launcher, fixture->stdout_path);

  process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv, &error);
  g_assert_no_error (error);
  /* The default main context runs meanwhile, so that a test's own relay
   * (a SoupServer on it) can answer the tool. */
  g_subprocess_communicate_async (process, NULL, NULL, communicate_cb, &communication);
  while (!communication.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (communication.error);

  result->out = dup_bytes (communication.out);
  result->err = dup_bytes (communication.err);
  g_clear_pointer (&communication.out, g_bytes_unref);
  g_clear_pointer (&communication.err, g_bytes_unref);
  if (g_subprocess_get_if_exited (process))
    result->status = g_subprocess_get_exit_status (process);
  else
    result->status = -1;

  command_line = g_strjoinv (" ", argv + 1);
  g_test_message ("wegwijzer-admin %s -> exit status %d", command_line, result->status);
  if (result->err[0] != '\0')
    g_test_message ("stderr: %s", result->err);

  if (result->status < 0)
    g_error ("wegwijzer-admin %s did not exit: %s", command_line, result->err);

  return result;
}

static Result *
run_va (Fixture    *fixture,
        gboolean    with_db,
        const char *first,
        va_list     args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  if (with_db)
    {
      g_ptr_array_add (argv, (gpointer) "--db");
      g_ptr_array_add (argv, fixture->db);
    }
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, NULL);

  return run_argv (fixture, (const char *const *) argv->pdata);
}

/* wegwijzer-admin --db <the fixture's database> ARGS… */
static G_GNUC_NULL_TERMINATED Result *
run_db (Fixture    *fixture,
        const char *first,
        ...)
{
  Result *result;
  va_list args;

  va_start (args, first);
  result = run_va (fixture, TRUE, first, args);
  va_end (args);

  return result;
}

/* wegwijzer-admin ARGS…, as given */
static G_GNUC_NULL_TERMINATED Result *
run (Fixture    *fixture,
     const char *first,
     ...)
{
  Result *result;
  va_list args;

  va_start (args, first);
  result = run_va (fixture, FALSE, first, args);
  va_end (args);

  return result;
}

static const char *
data_file (const char *name)
{
  return g_test_get_filename (G_TEST_DIST, name, NULL);
}

static char *
tmp_file (Fixture    *fixture,
          const char *name)
{
  return g_build_filename (fixture->tmpdir, name, NULL);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);

  return contents;
}

/* the lines of @text, without the empty string after the last newline */
static GStrv
split_lines (const char *text)
{
  g_autofree char *trimmed = g_strdup (text);
  gsize length = strlen (trimmed);

  if (length > 0 && trimmed[length - 1] == '\n')
    trimmed[length - 1] = '\0';
  if (trimmed[0] == '\0')
    return g_new0 (char *, 1);

  return g_strsplit (trimmed, "\n", -1);
}

static const char *
last_line (GStrv lines)
{
  guint n = g_strv_length (lines);

  g_assert_cmpuint (n, >, 0);
  return lines[n - 1];
}

/* --- JSON ------------------------------------------------------------------ */

static JsonArray *
parse_array (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_nonnull (root);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));

  return json_array_ref (json_node_get_array (root));
}

/* wegwijzer-admin search --json --limit 0 ARGS…: every match */
static G_GNUC_NULL_TERMINATED JsonArray *
search_json (Fixture *fixture,
             ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(Result) result = NULL;
  va_list args;

  g_ptr_array_add (argv, (gpointer) "--db");
  g_ptr_array_add (argv, fixture->db);
  g_ptr_array_add (argv, (gpointer) "search");
  g_ptr_array_add (argv, (gpointer) "--json");
  g_ptr_array_add (argv, (gpointer) "--limit");
  g_ptr_array_add (argv, (gpointer) "0");
  va_start (args, fixture);
  for (const char *arg = va_arg (args, const char *); arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  result = run_argv (fixture, (const char *const *) argv->pdata);
  g_assert_cmpint (result->status, ==, 0);

  return parse_array (result->out);
}

/* from the last line of the text output, "N results": cheaper than
 * parsing every provider as JSON */
static guint
count_providers (Fixture *fixture)
{
  g_autoptr(Result) result = run_db (fixture, "search", "--limit", "0", NULL);
  g_auto(GStrv) lines = NULL;
  guint64 count = 0;
  char *end = NULL;

  g_assert_cmpint (result->status, ==, 0);
  lines = split_lines (result->out);
  count = g_ascii_strtoull (last_line (lines), &end, 10);
  g_assert_true (g_str_equal (end, " results") || g_str_equal (end, " result"));

  return count;
}

static JsonObject *
find_id (JsonArray  *array,
         const char *id)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (object, "id", NULL), id) == 0)
        return object;
    }

  return NULL;
}

static gboolean
strings_contain (JsonObject *object,
                 const char *member,
                 const char *value)
{
  JsonArray *array = json_object_get_array_member (object, member);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      if (g_strcmp0 (json_array_get_string_element (array, i), value) == 0)
        return TRUE;
    }

  return FALSE;
}

/* --- fixture --------------------------------------------------------------- */

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }

  g_rmdir (path);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;

  fixture->tmpdir = g_dir_make_tmp ("test-admin-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->db = g_build_filename (fixture->tmpdir, "directory.db", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  user_data)
{
  remove_tree (fixture->tmpdir);
  g_clear_pointer (&fixture->tmpdir, g_free);
  g_clear_pointer (&fixture->db, g_free);
  g_clear_pointer (&fixture->env, g_strfreev);
}

static void
import_file (Fixture    *fixture,
             const char *name)
{
  g_autoptr(Result) result = run_db (fixture, "import", data_file (name), NULL);

  g_assert_cmpint (result->status, ==, 0);
}

/* --- help and usage ---------------------------------------------------------- */

static const char *commands[] = { "search", "import", "validate", "export", "plugins", "generate", "kiosk",
                                  "provider", "sync" };

static void
test_help_main (Fixture       *fixture,
                gconstpointer  user_data)
{
  const char *variants[][2] = { { "--help", NULL }, { "-h", NULL }, { "help", NULL } };

  for (guint v = 0; v < G_N_ELEMENTS (variants); v++)
    {
      g_autoptr(Result) result = run (fixture, variants[v][0], variants[v][1], NULL);

      g_assert_cmpint (result->status, ==, 0);
      g_assert_nonnull (strstr (result->out, "Usage:"));
      g_assert_nonnull (strstr (result->out, "--db"));
      g_assert_nonnull (strstr (result->out, "Exit status"));
      g_assert_nonnull (strstr (result->out, "3  invalid input data"));
      for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
        g_assert_nonnull (strstr (result->out, commands[i]));
    }
}

static void
test_help_commands (Fixture       *fixture,
                    gconstpointer  user_data)
{
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_autoptr(Result) result = run (fixture, commands[i], "--help", NULL);
      g_autoptr(Result) from_help = run (fixture, "help", commands[i], NULL);
      g_autofree char *usage = g_strdup_printf ("wegwijzer-admin %s", commands[i]);

      g_assert_cmpint (result->status, ==, 0);
      g_assert_nonnull (strstr (result->out, usage));
      g_assert_nonnull (strstr (result->out, "--db"));
      g_assert_cmpstr (result->err, ==, "");

      g_assert_cmpint (from_help->status, ==, 0);
      g_assert_cmpstr (from_help->out, ==, result->out);
    }

  /* --help is answered before anything is opened or checked */
  {
    g_autoptr(Result) result = run_db (fixture, "search", "--attribute", "nonsense", "--help", NULL);

    g_assert_cmpint (result->status, ==, 0);
    g_assert_false (g_file_test (fixture->db, G_FILE_TEST_EXISTS));
  }
}

static void
test_help_plugins (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(Result) result = run (fixture, "plugins", "--help", NULL);

  g_assert_cmpint (result->status, ==, 0);
  g_assert_nonnull (strstr (result->out, "list | verify"));
  g_assert_nonnull (strstr (result->out, "--path=DIR"));
  g_assert_nonnull (strstr (result->out, "Flatpak"));
  g_assert_nonnull (strstr (result->out, "lib/wegwijzer/"));
  g_assert_nonnull (strstr (result->out, "with 3 when"));
}

static void
test_version (Fixture       *fixture,
              gconstpointer  user_data)
{
  g_autoptr(Result) result = run (fixture, "--version", NULL);

  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (result->out, ==, "wegwijzer-admin " PACKAGE_VERSION "\n");
}

static void
test_usage_errors (Fixture       *fixture,
                   gconstpointer  user_data)
{
  struct {
    const char *args[5];
    const char *message;
  } cases[] = {
    { { NULL }, "no command" },
    { { "frobnicate", NULL }, "unknown command" },
    { { "--frobnicate", "search", NULL }, "--frobnicate" },
    { { "search", "--frobnicate", NULL }, "--frobnicate" },
    { { "--db", NULL }, "--db" },
    { { "search", "--db", NULL }, "--db" },
    { { "help", "frobnicate", NULL }, "unknown command" },
    { { "import", NULL }, "FILE" },
    { { "validate", NULL }, "FILE" },
    { { "export", "extra", NULL }, "no arguments" },
    { { "plugins", NULL }, "list" },
    { { "plugins", "remove", NULL }, "remove" },
    { { "plugins", "verify", "extra", NULL }, "no arguments" },
    { { "plugins", "verify", "--all", NULL }, "--all" },
    { { "plugins", "list", "--path", "/tmp", NULL }, "--path" },
    { { "sync", NULL }, "--relay" },
    { { "sync", "--relay", "ftp://relay.example.org", NULL }, "not a relay address" },
    { { "sync", "--relay", "http://relay.example.org", "extra", NULL }, "no arguments" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Result) result = run_argv (fixture, cases[i].args);

      g_assert_cmpint (result->status, ==, 2);
      g_assert_true (g_str_has_prefix (result->err, "wegwijzer-admin: "));
      g_assert_nonnull (strstr (result->err, cases[i].message));
      g_assert_nonnull (strstr (result->err, "--help"));
      g_assert_cmpstr (result->out, ==, "");
    }

  /* nothing was opened on the way */
  g_assert_false (g_file_test (fixture->db, G_FILE_TEST_EXISTS));
}

/* --db goes before or after the command name, and the last one counts */
static void
test_usage_db_anywhere (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autofree char *other = tmp_file (fixture, "other.db");
  g_autoptr(Result) import = run (fixture, "import", data_file ("good.json"),
                                  "--db", fixture->db, NULL);
  g_autoptr(Result) before = run (fixture, "--db", fixture->db, "search", "Kwikstaart", NULL);
  g_autoptr(Result) after = run (fixture, "search", "Kwikstaart", "--db", fixture->db, NULL);
  g_autoptr(Result) last = run (fixture, "--db", fixture->db, "search", "--db", other,
                                "Kwikstaart", NULL);

  g_assert_cmpint (import->status, ==, 0);
  g_assert_cmpint (before->status, ==, 0);
  g_assert_nonnull (strstr (before->out, "Praktijk Kwikstaart"));
  g_assert_cmpint (after->status, ==, 0);
  g_assert_cmpstr (after->out, ==, before->out);
  g_assert_cmpint (last->status, ==, 0);
  g_assert_null (strstr (last->out, "Praktijk Kwikstaart"));
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
}

/* --- the database ------------------------------------------------------------ */

/* The directory on read-only media (a user and mount namespace with the
 * folder bound read-only; as root, permission bits would not do): it is
 * searched as it is, and an import says it cannot write, changing
 * nothing. */
static void
test_db_read_only (Fixture       *fixture,
                   gconstpointer  user_data)
{
  const char *wrapper[] = {
    "unshare", "-rm", "sh", "-c",
    "mount --bind \"$1\" \"$1\" && mount -o remount,bind,ro \"$1\" || exit 99; shift; exec \"$@\"",
    "sh", fixture->tmpdir, NULL
  };
  g_autoptr(Result) seeded = run_db (fixture, "search", "Kwikstaart", NULL);
  g_autoptr(Result) search = NULL;
  g_autoptr(Result) import = NULL;
  g_autoptr(Result) after = NULL;
  g_autofree char *unshare = g_find_program_in_path ("unshare");

  g_assert_cmpint (seeded->status, ==, 0);
  import_file (fixture, "good.json");

  if (unshare == NULL)
    {
      g_test_skip ("unshare(1) is not installed");
      return;
    }

  fixture->wrapper = wrapper;
  search = run_db (fixture, "search", "Kwikstaart", NULL);
  if (search->status == 99)
    {
      g_test_skip ("user and mount namespaces are not available here");
      return;
    }
  g_assert_cmpint (search->status, ==, 0);
  g_assert_nonnull (strstr (search->out, "Praktijk Kwikstaart"));

  import = run_db (fixture, "import", data_file ("good.ndjson"), NULL);
  g_assert_cmpint (import->status, ==, 1);
  g_assert_nonnull (strstr (import->err, "read-only"));
  g_assert_nonnull (strstr (import->err, "nothing was changed"));

  /* a sync says so before it asks any relay (nobody listens on port 9) */
  {
    g_autoptr(Result) sync = run_db (fixture, "sync", "--relay", "http://127.0.0.1:9", NULL);

    g_assert_cmpint (sync->status, ==, 1);
    g_assert_nonnull (strstr (sync->err, "read-only"));
    g_assert_null (strstr (sync->err, "cannot reach"));
  }

  fixture->wrapper = NULL;
  after = run_db (fixture, "search", "Kwikstaart", NULL);
  g_assert_cmpstr (after->out, ==, search->out);
}

static void
test_db_recovered (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(Result) result = NULL;
  g_autoptr(GDir) dir = NULL;
  const char *name;
  gboolean moved = FALSE;

  /* enough bytes to look like a file, none of them SQLite's */
  g_file_set_contents (fixture->db,
                       "This was a directory database once, before something went wrong "
                       "with the disk. Nothing in here is SQLite any more.\n",
                       -1, &error);
  g_assert_no_error (error);

  result = run_db (fixture, "search", NULL);
  g_assert_cmpint (result->status, ==, 0);
  g_assert_nonnull (strstr (result->err, "wegwijzer-admin: "));
  g_assert_nonnull (strstr (result->err, "damaged"));
  g_assert_nonnull (strstr (result->err, "rebuilt"));

  dir = g_dir_open (fixture->tmpdir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      if (g_str_has_prefix (name, "directory.db.corrupt"))
        {
          g_autofree char *path = tmp_file (fixture, name);
          g_autofree char *contents = read_file (path);

          g_assert_true (g_str_has_prefix (contents, "This was a directory database"));
          g_assert_nonnull (strstr (result->err, name));
          moved = TRUE;
        }
    }
  g_assert_true (moved);

  /* the next run finds a healthy database and says nothing */
  {
    g_autoptr(Result) again = run_db (fixture, "search", NULL);

    g_assert_cmpint (again->status, ==, 0);
    g_assert_null (strstr (again->err, "damaged"));
  }
}

static void
test_db_cannot_open (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autofree char *blocker = tmp_file (fixture, "a-file");
  g_autofree char *db = g_build_filename (blocker, "directory.db", NULL);
  g_autoptr(GError) error = NULL;
  const char *commands_opening[][3] = {
    { "search", NULL },
    { "import", NULL },
    { "export", NULL },
    { "plugins", "list" },
    { "generate", "--count=1" },
  };

  /* a folder that cannot be made, because a file has its name */
  g_file_set_contents (blocker, "", -1, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (commands_opening); i++)
    {
      const char *args[] = { "--db", db, commands_opening[i][0], commands_opening[i][1], NULL };
      g_autoptr(Result) result = NULL;

      if (g_str_equal (commands_opening[i][0], "import"))
        args[3] = data_file ("good.json");

      result = run_argv (fixture, args);
      g_assert_cmpint (result->status, ==, 1);
      g_assert_true (g_str_has_prefix (result->err, "wegwijzer-admin: "));
      g_assert_nonnull (strstr (result->err, blocker));
    }
}

/* --- search ------------------------------------------------------------------ */

static void
test_search_text (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(Result) result = NULL;
  g_auto(GStrv) lines = NULL;

  import_file (fixture, "good.json");

  result = run_db (fixture, "search", "Kwikstaart", NULL);
  g_assert_cmpint (result->status, ==, 0);
  lines = split_lines (result->out);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_true (g_str_has_prefix (lines[0], "Praktijk Kwikstaart"));
  g_assert_nonnull (strstr (lines[0], "GP"));
  g_assert_true (g_str_has_suffix (lines[0], "Utrecht"));
  g_assert_null (strstr (lines[0], "km"));
  g_assert_cmpstr (lines[1], ==, "1 result");
  /* our fixture is not sample data */
  g_assert_null (strstr (result->out, "Sample data"));

  /* the last word is a prefix */
  {
    g_autoptr(Result) prefix = run_db (fixture, "search", "praktijk", "kwikst", NULL);

    g_assert_cmpint (prefix->status, ==, 0);
    g_assert_nonnull (strstr (prefix->out, "Praktijk Kwikstaart"));
  }

  /* no match is not a failure */
  {
    g_autoptr(Result) none = run_db (fixture, "search", "Qwxzzy", "Vbnmkk", NULL);
    g_auto(GStrv) none_lines = split_lines (none->out);

    g_assert_cmpint (none->status, ==, 0);
    g_assert_cmpstr (last_line (none_lines), ==, "0 results");
  }
}

static void
test_search_sample (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(Result) result = NULL;
  g_auto(GStrv) lines = NULL;
  guint n;

  import_file (fixture, "good.json");
  import_file (fixture, "sample.json");

  result = run_db (fixture, "search", "--city", "Utrecht", "--limit", "0", NULL);
  g_assert_cmpint (result->status, ==, 0);
  lines = split_lines (result->out);
  n = g_strv_length (lines);
  g_assert_cmpuint (n, >=, 4);
  g_assert_cmpstr (lines[n - 2], ==, "Sample data: these listings are fictional");
  g_assert_true (g_str_has_suffix (lines[n - 1], " results"));

  /* and in JSON */
  {
    g_autoptr(JsonArray) array = search_json (fixture, "--city", "Utrecht", NULL);
    JsonObject *sample = find_id (array, "test-admin-steunpunt");
    JsonObject *real = find_id (array, "test-admin-kwikstaart");

    g_assert_nonnull (sample);
    g_assert_nonnull (real);
    g_assert_true (json_object_get_boolean_member (sample, "sample"));
    g_assert_false (json_object_get_boolean_member (real, "sample"));
  }
}

static void
test_search_json (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(Result) result = NULL;
  g_autoptr(JsonArray) array = NULL;
  JsonObject *object;
  JsonArray *languages;

  import_file (fixture, "good.json");

  result = run_db (fixture, "search", "--json", "Kwikstaart", NULL);
  g_assert_cmpint (result->status, ==, 0);
  array = parse_array (result->out);
  g_assert_cmpuint (json_array_get_length (array), ==, 1);

  object = json_array_get_object_element (array, 0);
  g_assert_cmpstr (json_object_get_string_member (object, "id"), ==, "test-admin-kwikstaart");
  g_assert_cmpstr (json_object_get_string_member (object, "name"), ==, "Praktijk Kwikstaart");
  g_assert_cmpstr (json_object_get_string_member (object, "theme"), ==, "care");
  g_assert_cmpstr (json_object_get_string_member (object, "category"), ==, "gp");
  g_assert_cmpstr (json_object_get_string_member (object, "city"), ==, "Utrecht");
  g_assert_cmpstr (json_object_get_string_member (object, "street"), ==, "Testlaan 3");
  g_assert_cmpstr (json_object_get_string_member (object, "postal_code"), ==, "3500 AA");
  g_assert_cmpstr (json_object_get_string_member (object, "phone"), ==, "+31 30 000 0001");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (object, "latitude"), 52.0907, 1e-6);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (object, "longitude"), 5.1214, 1e-6);

  languages = json_object_get_array_member (object, "languages");
  g_assert_cmpuint (json_array_get_length (languages), ==, 2);
  g_assert_true (strings_contain (object, "languages", "nl"));
  g_assert_true (strings_contain (object, "languages", "en"));
  g_assert_true (strings_contain (object, "attributes", "working-name-ok"));
  g_assert_true (strings_contain (object, "attributes", "uninsured-ok"));
  g_assert_false (strings_contain (object, "attributes", "anonymous-ok"));

  /* open every day, all day */
  g_assert_true (json_object_get_boolean_member (object, "open_now"));
  g_assert_false (json_object_get_boolean_member (object, "sample"));
  g_assert_false (json_object_has_member (object, "distance_km"));

  /* no match: an empty array, still JSON */
  {
    g_autoptr(Result) none = run_db (fixture, "search", "--json", "Qwxzzy", "Vbnmkk", NULL);
    g_autoptr(JsonArray) empty = NULL;

    g_assert_cmpint (none->status, ==, 0);
    empty = parse_array (none->out);
    g_assert_cmpuint (json_array_get_length (empty), ==, 0);
  }
}

static void
test_search_theme (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(JsonArray) filtered = NULL;
  guint total;

  import_file (fixture, "good.json");
  total = count_providers (fixture);

  filtered = search_json (fixture, "--theme", "legal", NULL);
  g_assert_cmpuint (json_array_get_length (filtered), <, total);
  g_assert_nonnull (find_id (filtered, "test-admin-scholekster"));
  for (guint i = 0; i < json_array_get_length (filtered); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (filtered, i), "theme"),
                     ==, "legal");
}

static void
test_search_category (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(JsonArray) filtered = NULL;
  guint total;

  import_file (fixture, "good.json");
  total = count_providers (fixture);

  filtered = search_json (fixture, "--category", "accountant", NULL);
  g_assert_cmpuint (json_array_get_length (filtered), <, total);
  g_assert_nonnull (find_id (filtered, "test-admin-goudvink"));
  for (guint i = 0; i < json_array_get_length (filtered); i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (filtered, i), "category"),
                     ==, "accountant");

  /* the same filter with its theme */
  {
    g_autoptr(JsonArray) with_theme = search_json (fixture, "--theme", "finance",
                                                   "--category", "accountant", NULL);

    g_assert_cmpuint (json_array_get_length (with_theme), ==, json_array_get_length (filtered));
  }
}

static void
test_search_city (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(JsonArray) filtered = NULL;
  guint total;

  import_file (fixture, "good.json");
  total = count_providers (fixture);

  /* any case will do */
  filtered = search_json (fixture, "--city", "utrecht", NULL);
  g_assert_cmpuint (json_array_get_length (filtered), <, total);
  g_assert_nonnull (find_id (filtered, "test-admin-kwikstaart"));
  g_assert_nonnull (find_id (filtered, "test-admin-goudvink"));
  g_assert_null (find_id (filtered, "test-admin-scholekster"));
  for (guint i = 0; i < json_array_get_length (filtered); i++)
    g_assert_cmpint (g_ascii_strcasecmp (json_object_get_string_member (json_array_get_object_element (filtered, i), "city"),
                                         "Utrecht"), ==, 0);
}

static void
assert_all_have (JsonArray  *array,
                 const char *member,
                 const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    g_assert_true (strings_contain (json_array_get_object_element (array, i), member, value));
}

static void
test_search_language (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(JsonArray) romanian = NULL;
  g_autoptr(JsonArray) both = NULL;
  g_autoptr(JsonArray) both_comma = NULL;
  guint total;

  import_file (fixture, "good.json");
  total = count_providers (fixture);

  romanian = search_json (fixture, "--language", "ro", NULL);
  g_assert_cmpuint (json_array_get_length (romanian), <, total);
  g_assert_nonnull (find_id (romanian, "test-admin-scholekster"));
  g_assert_null (find_id (romanian, "test-admin-kwikstaart"));
  assert_all_have (romanian, "languages", "ro");

  /* every language given must be spoken */
  both = search_json (fixture, "--language", "nl", "--language", "en", NULL);
  g_assert_cmpuint (json_array_get_length (both), <, total);
  g_assert_nonnull (find_id (both, "test-admin-kwikstaart"));
  g_assert_null (find_id (both, "test-admin-scholekster"));
  g_assert_null (find_id (both, "test-admin-goudvink"));
  assert_all_have (both, "languages", "nl");
  assert_all_have (both, "languages", "en");

  both_comma = search_json (fixture, "--language", "nl,en", NULL);
  g_assert_cmpuint (json_array_get_length (both_comma), ==, json_array_get_length (both));
}

static void
test_search_attribute (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autoptr(JsonArray) uninsured = NULL;
  g_autoptr(JsonArray) both = NULL;
  guint total;

  import_file (fixture, "good.json");
  total = count_providers (fixture);

  uninsured = search_json (fixture, "--attribute", "uninsured-ok", NULL);
  g_assert_cmpuint (json_array_get_length (uninsured), <, total);
  g_assert_nonnull (find_id (uninsured, "test-admin-kwikstaart"));
  g_assert_null (find_id (uninsured, "test-admin-goudvink"));
  assert_all_have (uninsured, "attributes", "uninsured-ok");

  both = search_json (fixture, "--attribute", "evening-hours", "--attribute", "staff-trained", NULL);
  g_assert_cmpuint (json_array_get_length (both), <, total);
  g_assert_nonnull (find_id (both, "test-admin-goudvink"));
  g_assert_null (find_id (both, "test-admin-kwikstaart"));
  assert_all_have (both, "attributes", "evening-hours");
  assert_all_have (both, "attributes", "staff-trained");
}

static void
test_search_open_now (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autoptr(JsonArray) open = NULL;
  guint total;

  import_file (fixture, "good.json");
  total = count_providers (fixture);

  open = search_json (fixture, "--open-now", NULL);
  g_assert_cmpuint (json_array_get_length (open), <, total);
  /* always open, and never (it has no opening hours) */
  g_assert_nonnull (find_id (open, "test-admin-kwikstaart"));
  g_assert_null (find_id (open, "test-admin-scholekster"));
  for (guint i = 0; i < json_array_get_length (open); i++)
    g_assert_true (json_object_get_boolean_member (json_array_get_object_element (open, i), "open_now"));
}

static void
test_search_near (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(JsonArray) close_by = NULL;
  g_autoptr(JsonArray) wider = NULL;
  g_autoptr(Result) text = NULL;
  guint total;
  double previous = 0;

  import_file (fixture, "good.json");
  total = count_providers (fixture);

  /* Kwikstaart is right there; Goudvink about 4.9 km west */
  close_by = search_json (fixture, "--near", "52.0907,5.1214", "--radius", "1", NULL);
  g_assert_cmpuint (json_array_get_length (close_by), <, total);
  g_assert_nonnull (find_id (close_by, "test-admin-kwikstaart"));
  g_assert_null (find_id (close_by, "test-admin-goudvink"));

  wider = search_json (fixture, "--near", "52.0907,5.1214", "--radius", "10", NULL);
  g_assert_nonnull (find_id (wider, "test-admin-goudvink"));
  g_assert_null (find_id (wider, "test-admin-scholekster"));
  g_assert_cmpfloat (json_object_get_double_member (find_id (wider, "test-admin-goudvink"), "distance_km"), >, 4.0);
  g_assert_cmpfloat (json_object_get_double_member (find_id (wider, "test-admin-goudvink"), "distance_km"), <, 6.0);

  /* nearest first, all within the radius */
  for (guint i = 0; i < json_array_get_length (wider); i++)
    {
      double distance = json_object_get_double_member (json_array_get_object_element (wider, i), "distance_km");

      g_assert_cmpfloat (distance, >=, previous);
      g_assert_cmpfloat (distance, <=, 10.0);
      previous = distance;
    }

  /* the default radius is 5 km */
  {
    g_autoptr(JsonArray) by_default = search_json (fixture, "--near", "52.0907,5.1214", NULL);

    g_assert_nonnull (find_id (by_default, "test-admin-goudvink"));
    for (guint i = 0; i < json_array_get_length (by_default); i++)
      g_assert_cmpfloat (json_object_get_double_member (json_array_get_object_element (by_default, i), "distance_km"),
                         <=, 5.0);
  }

  text = run_db (fixture, "search", "--near", "52.0907,5.1214", "--radius", "1", "Kwikstaart", NULL);
  g_assert_cmpint (text->status, ==, 0);
  g_assert_nonnull (strstr (text->out, "Praktijk Kwikstaart"));
  g_assert_nonnull (strstr (text->out, " km"));
}

static void
test_search_limit (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(Result) one = NULL;
  g_autoptr(Result) all = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *expected = NULL;
  guint total;

  import_file (fixture, "good.json");
  total = count_providers (fixture);
  g_assert_cmpuint (total, >, 1);

  one = run_db (fixture, "search", "--limit", "1", NULL);
  g_assert_cmpint (one->status, ==, 0);
  lines = split_lines (one->out);
  g_assert_true (g_str_has_prefix (last_line (lines), "1 result ("));
  g_assert_nonnull (strstr (last_line (lines), "--limit 0"));

  all = run_db (fixture, "search", "--limit", "0", NULL);
  g_clear_pointer (&lines, g_strfreev);
  lines = split_lines (all->out);
  expected = g_strdup_printf ("%u results", total);
  g_assert_cmpstr (last_line (lines), ==, expected);
}

static void
test_search_bad_filters (Fixture       *fixture,
                         gconstpointer  user_data)
{
  struct {
    const char *args[5];
    int status;
    const char *message;
  } cases[] = {
    { { "--attribute", "free-coffee" }, 3, "working-name-ok" },
    { { "--attribute", "walk-in,free-coffee" }, 3, "free-coffee" },
    { { "--near", "somewhere" }, 3, "52.37,4.89" },
    { { "--near", "52.1" }, 3, "latitude" },
    { { "--near", "95,5" }, 3, "latitude" },
    { { "--near", "52.1,5,3" }, 3, "longitude" },
    { { "--near", "52.1,5", "--radius", "0" }, 3, "--radius" },
    { { "--near", "52.1,5", "--radius", "far" }, 3, "--radius" },
    { { "--theme", "astrology" }, 3, "care" },
    { { "--category", "dentist" }, 3, "gp" },
    { { "--theme", "legal", "--category", "gp" }, 3, "lawyer" },
    { { "--language", "Dutch" }, 3, "--language" },
    { { "--radius", "2" }, 2, "--near" },
    { { "--limit", "many" }, 2, "--limit" },
    { { "--limit", "-1" }, 2, "--limit" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autoptr(Result) result = NULL;

      g_ptr_array_add (argv, (gpointer) "--db");
      g_ptr_array_add (argv, fixture->db);
      g_ptr_array_add (argv, (gpointer) "search");
      for (guint j = 0; cases[i].args[j] != NULL; j++)
        g_ptr_array_add (argv, (gpointer) cases[i].args[j]);
      g_ptr_array_add (argv, NULL);

      result = run_argv (fixture, (const char *const *) argv->pdata);
      g_assert_cmpint (result->status, ==, cases[i].status);
      g_assert_true (g_str_has_prefix (result->err, "wegwijzer-admin: "));
      g_assert_nonnull (strstr (result->err, cases[i].message));
      g_assert_cmpstr (result->out, ==, "");
    }
}

/* --- import and validate ------------------------------------------------------- */

static void
test_import_json (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autoptr(Result) result = NULL;
  g_autoptr(JsonArray) found = NULL;
  guint before = count_providers (fixture);

  result = run_db (fixture, "import", data_file ("good.json"), NULL);
  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (result->out, ==, "Imported 3 providers\n");
  g_assert_cmpuint (count_providers (fixture), ==, before + 3);

  found = search_json (fixture, "Scholekster", NULL);
  g_assert_cmpuint (json_array_get_length (found), ==, 1);
  g_assert_nonnull (find_id (found, "test-admin-scholekster"));

  /* the same file again replaces, by id */
  {
    g_autoptr(Result) again = run_db (fixture, "import", data_file ("good.json"), NULL);

    g_assert_cmpint (again->status, ==, 0);
    g_assert_cmpuint (count_providers (fixture), ==, before + 3);
  }
}

static void
test_import_ndjson (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(Result) result = NULL;
  g_autoptr(JsonArray) found = NULL;
  guint before = count_providers (fixture);

  result = run_db (fixture, "import", data_file ("good.ndjson"), NULL);
  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (result->out, ==, "Imported 2 providers\n");
  g_assert_cmpuint (count_providers (fixture), ==, before + 2);

  found = search_json (fixture, "--city", "Zwolle", NULL);
  g_assert_nonnull (find_id (found, "test-admin-lepelaar"));
  g_assert_nonnull (find_id (found, "test-admin-tureluur"));
}

static void
test_import_stdin (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(Result) result = NULL;
  g_autoptr(JsonArray) found = NULL;
  guint before = count_providers (fixture);

  fixture->stdin_path = data_file ("good.ndjson");
  result = run_db (fixture, "import", "-", NULL);
  fixture->stdin_path = NULL;
  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpuint (count_providers (fixture), ==, before + 2);

  found = search_json (fixture, "Collectief", "Tureluur", NULL);
  g_assert_nonnull (find_id (found, "test-admin-tureluur"));
}

static void
test_import_default_theme (Fixture       *fixture,
                           gconstpointer  user_data)
{
  guint before = count_providers (fixture);

  /* the record names no theme: not without --theme, */
  {
    g_autoptr(Result) result = run_db (fixture, "import", data_file ("no-theme.json"), NULL);

    g_assert_cmpint (result->status, ==, 3);
    g_assert_nonnull (strstr (result->err, "record 1"));
    g_assert_nonnull (strstr (result->err, "theme"));
  }

  /* not with a theme that is not installed, */
  {
    g_autoptr(Result) result = run_db (fixture, "import", "--theme", "astrology",
                                       data_file ("no-theme.json"), NULL);

    g_assert_cmpint (result->status, ==, 3);
    g_assert_nonnull (strstr (result->err, "astrology"));
    g_assert_nonnull (strstr (result->err, "care"));
  }
  g_assert_cmpuint (count_providers (fixture), ==, before);

  /* but with --theme care */
  {
    g_autoptr(Result) result = run_db (fixture, "import", "--theme", "care",
                                       data_file ("no-theme.json"), NULL);
    g_autoptr(JsonArray) care = NULL;

    g_assert_cmpint (result->status, ==, 0);
    care = search_json (fixture, "--theme", "care", "--category", "sexual-health", NULL);
    g_assert_nonnull (find_id (care, "test-admin-nothema"));
  }
  g_assert_cmpuint (count_providers (fixture), ==, before + 1);
}

typedef struct
{
  const char *file;
  const char *expect[4];
} BadFile;

static const BadFile bad_files[] = {
  { "not-json.json",          { "not-json.json: ", "JSON", NULL } },
  { "broken.json",            { "broken.json: ", "not valid JSON", NULL } },
  { "not-array.json",         { "not-array.json: ", "JSON array", NULL } },
  { "not-objects.json",       { "record 1", "not a service object", NULL } },
  { "missing-name.json",      { "record 2", "name", NULL } },
  { "latitude-range.json",    { "record 2", "service_at_locations[0].location.latitude", "123.5", NULL } },
  { "latitude-string.json",   { "record 1", "service_at_locations[0].location.latitude", "number", NULL } },
  { "unknown-theme.json",     { "record 2", "theme", "astrology", NULL } },
  { "unknown-category.json",  { "record 2", "category", "dentist", NULL } },
  { "bad-schedule.json",      { "record 2", "schedules[0]", "closes_at", NULL } },
  { "unknown-attribute.json", { "record 1", "attributes[2]", "free-coffee", NULL } },
  { "truncated.ndjson",       { "record 3", "line 3", "JSON", NULL } },
  { "duplicate-id.ndjson",    { "record 2", "id", "record 1", NULL } },
  { "no-theme.json",          { "record 1", "theme", NULL } },
};

static void
assert_bad_file (Fixture    *fixture,
                 const char *command,
                 const char *path,
                 const char *const *expect)
{
  g_autoptr(Result) result = run_db (fixture, command, path, NULL);

  g_assert_cmpint (result->status, ==, 3);
  g_assert_cmpstr (result->out, ==, "");
  g_assert_true (g_str_has_prefix (result->err, "wegwijzer-admin: "));
  /* one message, on one line */
  g_assert_nonnull (strchr (result->err, '\n'));
  g_assert_cmpstr (strchr (result->err, '\n'), ==, "\n");
  for (guint i = 0; expect[i] != NULL; i++)
    g_assert_nonnull (strstr (result->err, expect[i]));
}

static void
assert_bad_inputs (Fixture    *fixture,
                   const char *command)
{
  g_autofree char *empty = tmp_file (fixture, "empty.json");
  g_autofree char *latin1 = tmp_file (fixture, "latin1.json");
  const char *empty_expect[] = { "empty", NULL };
  const char *latin1_expect[] = { "UTF-8", NULL };
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad_files); i++)
    assert_bad_file (fixture, command, data_file (bad_files[i].file), bad_files[i].expect);

  g_file_set_contents (empty, " \n\n", -1, &error);
  g_assert_no_error (error);
  assert_bad_file (fixture, command, empty, empty_expect);

  g_file_set_contents (latin1, "[{\"id\": \"x\", \"name\": \"Caf\xe9\"}]\n", -1, &error);
  g_assert_no_error (error);
  assert_bad_file (fixture, command, latin1, latin1_expect);
}

static void
test_import_bad_record (Fixture       *fixture,
                        gconstpointer  user_data)
{
  guint before = count_providers (fixture);

  assert_bad_inputs (fixture, "import");

  /* the good records before each bad one were not written either */
  g_assert_cmpuint (count_providers (fixture), ==, before);
  {
    g_autoptr(JsonArray) found = search_json (fixture, "Goede", "Praktijk", NULL);

    g_assert_null (find_id (found, "test-admin-ok-1"));
  }
}

static void
test_import_missing_file (Fixture       *fixture,
                          gconstpointer  user_data)
{
  g_autofree char *missing = tmp_file (fixture, "no-such-file.json");
  g_autoptr(Result) result = run_db (fixture, "import", missing, NULL);
  g_autoptr(Result) validate = run_db (fixture, "validate", missing, NULL);

  g_assert_cmpint (result->status, ==, 1);
  g_assert_nonnull (strstr (result->err, "no-such-file.json"));
  g_assert_cmpint (validate->status, ==, 1);
  g_assert_nonnull (strstr (validate->err, "no-such-file.json"));
}

static void
test_validate_good (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autofree char *expected = g_strdup_printf ("%s: 3 records, valid\n", data_file ("good.json"));
  g_autoptr(Result) result = NULL;
  guint before;

  /* validate needs no database: it does not even make one */
  result = run_db (fixture, "validate", data_file ("good.json"), NULL);
  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (result->out, ==, expected);
  g_assert_false (g_file_test (fixture->db, G_FILE_TEST_EXISTS));

  /* and leaves one that is there as it was */
  before = count_providers (fixture);
  {
    g_autoptr(Result) ndjson = run_db (fixture, "validate", data_file ("good.ndjson"), NULL);
    g_autoptr(Result) themed = run_db (fixture, "validate", "--theme", "care",
                                       data_file ("no-theme.json"), NULL);

    g_assert_cmpint (ndjson->status, ==, 0);
    g_assert_true (g_str_has_suffix (ndjson->out, ": 2 records, valid\n"));
    g_assert_cmpint (themed->status, ==, 0);
    g_assert_true (g_str_has_suffix (themed->out, ": 1 record, valid\n"));
  }
  g_assert_cmpuint (count_providers (fixture), ==, before);
  {
    g_autoptr(JsonArray) found = search_json (fixture, "Kwikstaart", NULL);

    g_assert_null (find_id (found, "test-admin-kwikstaart"));
  }

  /* from standard input */
  {
    g_autoptr(Result) from_stdin = NULL;

    fixture->stdin_path = data_file ("good.json");
    from_stdin = run_db (fixture, "validate", "-", NULL);
    fixture->stdin_path = NULL;
    g_assert_cmpint (from_stdin->status, ==, 0);
    g_assert_cmpstr (from_stdin->out, ==, "-: 3 records, valid\n");
  }
}

static void
test_validate_bad_record (Fixture       *fixture,
                          gconstpointer  user_data)
{
  guint before = count_providers (fixture);

  assert_bad_inputs (fixture, "validate");
  g_assert_cmpuint (count_providers (fixture), ==, before);

  /* --theme is checked too */
  {
    g_autoptr(Result) result = run_db (fixture, "validate", "--theme", "astrology",
                                       data_file ("no-theme.json"), NULL);

    g_assert_cmpint (result->status, ==, 3);
    g_assert_nonnull (strstr (result->err, "astrology"));
  }
}

/* --- export -------------------------------------------------------------------- */

static void
assert_ndjson (const char *text,
               guint       n_lines)
{
  g_auto(GStrv) lines = split_lines (text);

  g_assert_cmpuint (g_strv_length (lines), ==, n_lines);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
    }
}

static void
test_export_stdout (Fixture       *fixture,
                    gconstpointer  user_data)
{
  g_autoptr(Result) result = NULL;

  import_file (fixture, "good.json");

  result = run_db (fixture, "export", NULL);
  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (result->err, ==, "");
  assert_ndjson (result->out, count_providers (fixture));
  g_assert_nonnull (strstr (result->out, "\"test-admin-kwikstaart\""));

  /* --format ndjson is the default said out loud */
  {
    g_autoptr(Result) explicit = run_db (fixture, "export", "--format", "ndjson", NULL);

    g_assert_cmpint (explicit->status, ==, 0);
    g_assert_cmpstr (explicit->out, ==, result->out);
  }

  /* one theme */
  {
    g_autoptr(Result) legal = run_db (fixture, "export", "--theme", "legal", NULL);
    g_autoptr(JsonArray) found = search_json (fixture, "--theme", "legal", NULL);

    g_assert_cmpint (legal->status, ==, 0);
    assert_ndjson (legal->out, json_array_get_length (found));
    g_assert_nonnull (strstr (legal->out, "\"test-admin-scholekster\""));
    g_assert_null (strstr (legal->out, "\"test-admin-kwikstaart\""));
  }
}

static void
test_export_file (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autofree char *path = tmp_file (fixture, "export.ndjson");
  g_autofree char *expected = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(Result) to_stdout = NULL;
  g_autoptr(Result) to_file = NULL;
  g_autoptr(GError) error = NULL;

  import_file (fixture, "good.json");
  to_stdout = run_db (fixture, "export", NULL);

  /* an older file is replaced */
  g_file_set_contents (path, "old contents\n", -1, &error);
  g_assert_no_error (error);

  to_file = run_db (fixture, "export", "--output", path, NULL);
  g_assert_cmpint (to_file->status, ==, 0);
  expected = g_strdup_printf ("Exported %u providers to %s\n", count_providers (fixture), path);
  g_assert_cmpstr (to_file->out, ==, expected);
  contents = read_file (path);
  g_assert_cmpstr (contents, ==, to_stdout->out);
}

static void
test_export_roundtrip (Fixture       *fixture,
                       gconstpointer  user_data)
{
  g_autofree char *first_path = tmp_file (fixture, "first.ndjson");
  g_autofree char *second_path = tmp_file (fixture, "second.ndjson");
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *other_db = tmp_file (fixture, "other.db");
  g_autoptr(Result) result = NULL;
  guint n_first;

  import_file (fixture, "good.json");
  import_file (fixture, "good.ndjson");
  n_first = count_providers (fixture);

  result = run_db (fixture, "export", "-o", first_path, NULL);
  g_assert_cmpint (result->status, ==, 0);

  /* into a fresh directory, and out again */
  g_free (fixture->db);
  fixture->db = g_steal_pointer (&other_db);
  g_clear_pointer (&result, result_free);
  result = run_db (fixture, "import", first_path, NULL);
  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpuint (count_providers (fixture), ==, n_first);

  g_clear_pointer (&result, result_free);
  result = run_db (fixture, "export", "--output", second_path, NULL);
  g_assert_cmpint (result->status, ==, 0);

  first = read_file (first_path);
  second = read_file (second_path);
  g_assert_cmpuint (strlen (first), >, 0);
  g_assert_cmpstr (first, ==, second);
}

/* a full disk is a runtime failure, not a success */
static void
test_export_write_error (Fixture       *fixture,
                         gconstpointer  user_data)
{
  const char *commands_writing[][2] = {
    { "export", NULL },
    { "search", NULL },
    { "search", "--json" },
    { "plugins", "list" },
  };

  if (!g_file_test ("/dev/full", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("no /dev/full here");
      return;
    }

  fixture->stdout_path = "/dev/full";
  for (guint i = 0; i < G_N_ELEMENTS (commands_writing); i++)
    {
      const char *args[] = { "--db", fixture->db, commands_writing[i][0], commands_writing[i][1], NULL };
      g_autoptr(Result) result = run_argv (fixture, args);

      g_assert_cmpint (result->status, ==, 1);
      g_assert_true (g_str_has_prefix (result->err, "wegwijzer-admin: "));
    }
  fixture->stdout_path = NULL;
}

static void
test_export_bad (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autofree char *path = g_build_filename (fixture->tmpdir, "no-such-folder", "export.ndjson", NULL);

  {
    g_autoptr(Result) result = run_db (fixture, "export", "--format", "csv", NULL);

    g_assert_cmpint (result->status, ==, 2);
    g_assert_nonnull (strstr (result->err, "csv"));
    g_assert_nonnull (strstr (result->err, "ndjson"));
    g_assert_cmpstr (result->out, ==, "");
  }

  {
    g_autoptr(Result) result = run_db (fixture, "export", "--theme", "astrology", NULL);

    g_assert_cmpint (result->status, ==, 3);
    g_assert_nonnull (strstr (result->err, "astrology"));
    g_assert_cmpstr (result->out, ==, "");
  }

  {
    g_autoptr(Result) result = run_db (fixture, "export", "--output", path, NULL);

    g_assert_cmpint (result->status, ==, 1);
    g_assert_nonnull (strstr (result->err, path));
    g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  }
}

/* --- plugins --------------------------------------------------------------------- */

static void
test_plugins_list (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(Result) result = run_db (fixture, "plugins", "list", NULL);
  g_auto(GStrv) lines = NULL;
  const char *header;

  g_assert_cmpint (result->status, ==, 0);
  lines = split_lines (result->out);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + G_N_ELEMENTS (themes));

  header = lines[0];
  g_assert_true (g_str_has_prefix (header, "ID"));
  g_assert_nonnull (strstr (header, "NAME"));
  g_assert_nonnull (strstr (header, "PROVIDERS"));
  g_assert_nonnull (strstr (header, "ABI"));
  g_assert_nonnull (strstr (header, "MODULE"));
  g_assert_null (strstr (header, "STATUS"));

  for (guint i = 0; i < G_N_ELEMENTS (themes); i++)
    {
      g_autofree char *prefix = g_strdup_printf ("%s ", themes[i]);
      gboolean found = FALSE;

      for (guint j = 1; lines[j] != NULL; j++)
        {
          if (g_str_has_prefix (lines[j], prefix))
            {
              g_autofree char *module = g_strdup_printf ("libww-plugin-%s.so", themes[i]);

              glong column = g_utf8_pointer_to_offset (header, strstr (header, "MODULE"));
              const char *cell = g_utf8_offset_to_pointer (lines[j], column);

              /* the table's columns line up: the module path starts
               * right under its heading */
              g_assert_cmpint (g_utf8_strlen (lines[j], -1), >, column);
              g_assert_true (cell[-1] == ' ' && cell[0] != ' ');
              g_assert_true (g_str_has_suffix (cell, module));
              found = TRUE;
            }
        }
      g_assert_true (found);
    }
}

static void
test_plugins_json (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(Result) result = NULL;
  g_autoptr(JsonArray) array = NULL;

  import_file (fixture, "good.json");
  result = run_db (fixture, "plugins", "list", "--json", NULL);
  g_assert_cmpint (result->status, ==, 0);
  array = parse_array (result->out);
  g_assert_cmpuint (json_array_get_length (array), ==, G_N_ELEMENTS (themes));

  for (guint i = 0; i < G_N_ELEMENTS (themes); i++)
    {
      JsonObject *plugin = find_id (array, themes[i]);
      g_autoptr(JsonArray) providers = search_json (fixture, "--theme", themes[i], NULL);

      g_assert_nonnull (plugin);
      g_assert_true (json_object_get_boolean_member (plugin, "loaded"));
      g_assert_nonnull (json_object_get_string_member (plugin, "name"));
      g_assert_cmpint (json_object_get_int_member (plugin, "providers"), ==,
                       json_array_get_length (providers));
      g_assert_cmpint (json_object_get_int_member (plugin, "abi"), ==, WW_PLUGIN_ABI);
      g_assert_true (g_str_has_suffix (json_object_get_string_member (plugin, "module"), ".so"));
      g_assert_true (json_object_get_null_member (plugin, "error"));
    }

  /* the imported records count with their theme */
  g_assert_cmpint (json_object_get_int_member (find_id (array, "legal"), "providers"), >=, 1);
}

/* A plugin that cannot load is left out, unless --all asks for it. */
static void
test_plugins_all (Fixture       *fixture,
                  gconstpointer  user_data)
{
  g_autofree char *plugin_dir = tmp_file (fixture, "plugins");
  g_autofree char *broken_dir = g_build_filename (plugin_dir, "broken", NULL);
  g_autofree char *key_file = g_build_filename (broken_dir, "broken.plugin", NULL);
  g_autofree char *env = g_strdup_printf ("WEGWIJZER_PLUGIN_PATH=%s", plugin_dir);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (broken_dir, 0700), ==, 0);
  g_file_set_contents (key_file,
                       "[Plugin]\n"
                       "Id=broken\n"
                       "Module=libww-plugin-broken.so\n"
                       "Name=Broken test plugin\n"
                       "AbiVersion=1\n",
                       -1, &error);
  g_assert_no_error (error);
  fixture->env = g_new0 (char *, 2);
  fixture->env[0] = g_steal_pointer (&env);

  {
    g_autoptr(Result) loaded = run_db (fixture, "plugins", "list", NULL);

    g_assert_cmpint (loaded->status, ==, 0);
    g_assert_null (strstr (loaded->out, "broken"));
  }

  {
    g_autoptr(Result) all = run_db (fixture, "plugins", "list", "--all", NULL);
    g_auto(GStrv) lines = NULL;
    gboolean found = FALSE;

    g_assert_cmpint (all->status, ==, 0);
    lines = split_lines (all->out);
    g_assert_nonnull (strstr (lines[0], "STATUS"));
    for (guint i = 1; lines[i] != NULL; i++)
      {
        if (g_str_has_prefix (lines[i], "broken "))
          {
            g_assert_nonnull (strstr (lines[i], "skipped: "));
            found = TRUE;
          }
        else
          {
            g_assert_true (g_str_has_suffix (lines[i], "loaded"));
          }
      }
    g_assert_true (found);
  }

  {
    g_autoptr(Result) all = run_db (fixture, "plugins", "list", "--all", "--json", NULL);
    g_autoptr(JsonArray) array = NULL;
    JsonObject *broken;

    g_assert_cmpint (all->status, ==, 0);
    array = parse_array (all->out);
    g_assert_cmpuint (json_array_get_length (array), ==, G_N_ELEMENTS (themes) + 1);
    broken = find_id (array, "broken");
    g_assert_nonnull (broken);
    g_assert_false (json_object_get_boolean_member (broken, "loaded"));
    g_assert_true (json_object_get_null_member (broken, "providers"));
    g_assert_cmpstr (json_object_get_string_member (broken, "error"), !=, "");
  }
}

/* --- plugins verify -------------------------------------------------------------- */

/* @path with its links resolved, as the engine reports key files */
static char *
dup_canonical (const char *path)
{
  char *resolved = realpath (path, NULL);
  char *canonical;

  g_assert_nonnull (resolved);
  canonical = g_strdup (resolved);
  free (resolved);

  return canonical;
}

/* Where a fixture plugin of tests/plugins/ is built. */
static char *
plugin_fixture_dir (const char *fixture)
{
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, "..", "plugins", fixture, NULL);

  return dup_canonical (path);
}

static char *
build_plugin_file (const char *name)
{
  g_autofree char *path = g_build_filename (WW_BUILD_PLUGIN_DIR, name, NULL);

  return dup_canonical (path);
}

static void
make_dir (const char *path)
{
  g_assert_no_errno (g_mkdir_with_parents (path, 0700));
}

static void
copy_file (const char *source,
           const char *destination)
{
  g_autoptr(GFile) from = g_file_new_for_path (source);
  g_autoptr(GFile) to = g_file_new_for_path (destination);
  g_autoptr(GError) error = NULL;

  g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
link_file (const char *target,
           const char *link_path)
{
  g_assert_no_errno (symlink (target, link_path));
}

/* the line of @lines that starts with @prefix, which must be there once */
static const char *
find_line (GStrv       lines,
           const char *prefix)
{
  const char *found = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], prefix))
        {
          g_assert_null (found);
          found = lines[i];
        }
    }

  if (found == NULL)
    g_error ("no line starts with “%s”", prefix);

  return found;
}

static guint
count_lines (GStrv       lines,
             const char *prefix)
{
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      n++;

  return n;
}

/* the problems printed under @line: the indented lines that follow it */
static char *
dup_problems (GStrv       lines,
              const char *line)
{
  g_autoptr(GString) problems = g_string_new (NULL);
  guint i = 0;

  while (lines[i] != NULL && lines[i] != line)
    i++;
  g_assert_nonnull (lines[i]);

  for (i++; lines[i] != NULL && g_str_has_prefix (lines[i], "     "); i++)
    g_string_append_printf (problems, "%s\n", lines[i] + strlen ("     "));

  return g_string_free (g_steal_pointer (&problems), FALSE);
}

/* The themes of this repository, where the program finds them: each
 * one ok, and nothing to say beyond that. */
static void
test_plugins_verify_installed (Fixture       *fixture,
                               gconstpointer  user_data)
{
  g_autoptr(Result) result = run (fixture, "plugins", "verify", NULL);
  g_auto(GStrv) lines = NULL;
  g_autofree char *summary = g_strdup_printf ("%u plugins: %u ok, 0 with problems, ",
                                              (guint) G_N_ELEMENTS (themes),
                                              (guint) G_N_ELEMENTS (themes));

  g_assert_cmpint (result->status, ==, 0);
  /* the engine's own warnings are not printed besides the report */
  g_assert_cmpstr (result->err, ==, "");
  lines = split_lines (result->out);
  g_assert_cmpuint (count_lines (lines, "ok   "), ==, G_N_ELEMENTS (themes));
  g_assert_cmpuint (count_lines (lines, "FAIL "), ==, 0);
  g_assert_null (strstr (result->out, "error: "));

  for (guint i = 0; i < G_N_ELEMENTS (themes); i++)
    {
      g_autofree char *prefix = g_strdup_printf ("ok   %s (", themes[i]);
      g_autofree char *name = g_strdup_printf ("%s.plugin", themes[i]);
      g_autofree char *key_file = build_plugin_file (name);
      const char *line = find_line (lines, prefix);

      g_assert_true (g_str_has_suffix (line, key_file));
    }

  g_assert_true (g_str_has_prefix (last_line (lines), summary));
  /* nor was the directory opened */
  g_assert_false (g_file_test (fixture->db, G_FILE_TEST_EXISTS));
}

/* Each of the engine's refusals, in words that say what to do. */
static void
test_plugins_verify_broken (Fixture       *fixture,
                            gconstpointer  user_data)
{
  const struct {
    const char *fixture;
    const char *id;
    const char *says[2];
  } cases[] = {
    { "bad-keyfile", NULL, { "error: the .plugin file cannot be read: ", "reinstall the plugin, or remove the file" } },
    { "missing-module", "missing-module", { "libww-plugin-missing-module.so is missing", "reinstall the plugin" } },
    { "missing-symbol", "missing-symbol", { "does not export ww_plugin_query_type()", "G_MODULE_EXPORT" } },
    { "wrong-abi", "wrong-abi", { "built for plugin ABI 999, and this program takes ABI 1",
                                  "install a build of the plugin for ABI 1" } },
    { "wrong-type", "wrong-type", { "does not return a plugin type of its own derived from WwPlugin",
                                    "rebuild the plugin" } },
    { "bad-data", "bad-data", { "error: its data is not valid: ", "form[2].type" } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *dir = plugin_fixture_dir (cases[i].fixture);
      g_autofree char *name = g_strdup_printf ("%s.plugin", cases[i].fixture);
      g_autofree char *key_file = g_build_filename (dir, name, NULL);
      g_autofree char *expected = NULL;
      g_autofree char *problems = NULL;
      g_autoptr(Result) result = run (fixture, "plugins", "verify", "--path", dir, NULL);
      g_auto(GStrv) lines = NULL;

      g_test_message ("fixture %s", cases[i].fixture);
      g_assert_cmpint (result->status, ==, 3);
      g_assert_cmpstr (result->err, ==, "");
      lines = split_lines (result->out);

      if (cases[i].id != NULL)
        expected = g_strdup_printf ("FAIL %s (", cases[i].id);
      else
        expected = g_strdup_printf ("FAIL %s", key_file);
      g_assert_true (g_str_has_prefix (lines[0], expected));
      g_assert_true (g_str_has_suffix (lines[0], key_file));

      problems = dup_problems (lines, lines[0]);
      g_assert_true (g_str_has_prefix (problems, "error: "));
      for (guint j = 0; j < G_N_ELEMENTS (cases[i].says); j++)
        g_assert_nonnull (strstr (problems, cases[i].says[j]));
      /* the path is on the plugin's line; the engine's "Plugin file …" is not repeated */
      g_assert_null (strstr (problems, "Plugin file"));

      g_assert_true (g_str_has_prefix (last_line (lines), "1 plugin: 0 ok, 1 with problems, "));
    }
}

/* Two folders with a plugin of the same id: the second is named as the
 * one skipped, with the first that took the id. */
static void
test_plugins_verify_duplicate (Fixture       *fixture,
                               gconstpointer  user_data)
{
  g_autofree char *good_dir = plugin_fixture_dir ("good");
  g_autofree char *duplicate_dir = plugin_fixture_dir ("duplicate");
  g_autofree char *good = g_build_filename (good_dir, "good.plugin", NULL);
  g_autofree char *duplicate = g_build_filename (duplicate_dir, "duplicate.plugin", NULL);
  g_autoptr(Result) result = run (fixture, "plugins", "verify",
                                  "--path", good_dir, "--path", duplicate_dir, NULL);
  g_auto(GStrv) lines = NULL;
  g_autofree char *problems = NULL;
  const char *line;

  g_assert_cmpint (result->status, ==, 3);
  lines = split_lines (result->out);
  g_assert_true (g_str_has_suffix (find_line (lines, "ok   good "), good));

  line = find_line (lines, "FAIL good ");
  g_assert_true (g_str_has_suffix (line, duplicate));
  problems = dup_problems (lines, line);
  g_assert_nonnull (strstr (problems, "error: its Id “good” is the Id of "));
  g_assert_nonnull (strstr (problems, good));
  g_assert_nonnull (strstr (problems, "remove one of the two"));
  g_assert_true (g_str_has_prefix (last_line (lines), "2 plugins: 1 ok, 1 with problems, "));
}

/* plugins-2 beside plugins-1 holds plugins the program never loads. */
static void
test_plugins_verify_other_abi (Fixture       *fixture,
                               gconstpointer  user_data)
{
  g_autofree char *good_dir = plugin_fixture_dir ("good");
  g_autofree char *good_key_file = g_build_filename (good_dir, "good.plugin", NULL);
  g_autofree char *good_module = g_build_filename (good_dir, "libww-plugin-good.so", NULL);
  g_autofree char *ours = tmp_file (fixture, "lib/wegwijzer/plugins-1");
  g_autofree char *other = tmp_file (fixture, "lib/wegwijzer/plugins-2");
  g_autofree char *empty = tmp_file (fixture, "lib/wegwijzer/plugins-3");
  g_autofree char *link = NULL;
  g_autofree char *copy = NULL;
  g_autoptr(Result) result = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *problems = NULL;
  g_autofree char *warn_line = NULL;

  make_dir (ours);
  make_dir (other);
  make_dir (empty);
  link = g_build_filename (ours, "good.plugin", NULL);
  link_file (good_key_file, link);
  g_clear_pointer (&link, g_free);
  link = g_build_filename (ours, "libww-plugin-good.so", NULL);
  link_file (good_module, link);
  /* never loaded, so a key file is all it takes */
  copy = g_build_filename (other, "good.plugin", NULL);
  copy_file (good_key_file, copy);

  result = run (fixture, "plugins", "verify", "--path", ours, NULL);
  g_assert_cmpint (result->status, ==, 0);
  lines = split_lines (result->out);
  find_line (lines, "ok   good ");

  warn_line = g_strdup_printf ("warn %s", other);
  g_assert_cmpstr (find_line (lines, "warn "), ==, warn_line);
  problems = dup_problems (lines, find_line (lines, "warn "));
  g_assert_cmpstr (problems, ==,
                   "warning: these plugins were built for ABI 2, and this program takes ABI 1; "
                   "install builds of them for ABI 1, or remove them\n");
  /* a folder without plugins is not worth a word */
  g_assert_null (strstr (result->out, "plugins-3"));
  g_assert_true (g_str_has_prefix (last_line (lines), "1 plugin: 1 ok, 0 with problems, "));
}

/* A module, or its folder, that others can write: a warning, not an error. */
static void
test_plugins_verify_writable (Fixture       *fixture,
                              gconstpointer  user_data)
{
  g_autofree char *good_dir = plugin_fixture_dir ("good");
  g_autofree char *good_key_file = g_build_filename (good_dir, "good.plugin", NULL);
  g_autofree char *good_module = g_build_filename (good_dir, "libww-plugin-good.so", NULL);
  g_autofree char *dir = tmp_file (fixture, "plugins");
  g_autofree char *key_file = g_build_filename (dir, "good.plugin", NULL);
  g_autofree char *module = g_build_filename (dir, "libww-plugin-good.so", NULL);
  g_autofree char *module_says = g_strdup_printf ("warning: its module %s can be changed by users "
                                                  "other than its owner", module);
  g_autofree char *folder_says = g_strdup_printf ("warning: the folder %s can be changed by users "
                                                  "other than its owner", dir);

  make_dir (dir);
  copy_file (good_key_file, key_file);
  copy_file (good_module, module);

  {
    g_autoptr(Result) result = NULL;

    g_assert_no_errno (g_chmod (module, 0755));
    result = run (fixture, "plugins", "verify", "--path", dir, NULL);
    g_assert_cmpint (result->status, ==, 0);
    g_assert_null (strstr (result->out, "can be changed"));
  }

  {
    g_autoptr(Result) result = NULL;

    g_assert_no_errno (g_chmod (module, 0775));
    result = run (fixture, "plugins", "verify", "--path", dir, NULL);
    g_assert_cmpint (result->status, ==, 0);
    g_assert_true (g_str_has_prefix (result->out, "ok   good "));
    g_assert_nonnull (strstr (result->out, module_says));
    g_assert_nonnull (strstr (result->out, "chmod go-w"));
    g_assert_null (strstr (result->out, folder_says));
  }

  {
    g_autoptr(Result) result = NULL;

    g_assert_no_errno (g_chmod (module, 0755));
    g_assert_no_errno (g_chmod (dir, 0757));
    result = run (fixture, "plugins", "verify", "--path", dir, NULL);
    g_assert_cmpint (result->status, ==, 0);
    g_assert_null (strstr (result->out, module_says));
    g_assert_nonnull (strstr (result->out, folder_says));
  }
}

/* The extension point's mount, laid out as Flatpak does it (see
 * test-plugin-engine.c): each extension in a folder of its own, and
 * links to their files in the merged folder; one extension was not
 * merged, one is built for another ABI only. verify finds them all
 * when given the mount. */
static void
mount_theme (const char *mount,
             const char *extension,
             const char *abi_dir,
             const char *id,
             gboolean    merged)
{
  const char *suffixes[] = { ".plugin", ".so" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *name = i == 0 ? g_strdup_printf ("%s.plugin", id)
                                     : g_strdup_printf ("libww-plugin-%s.so", id);
      g_autofree char *target = g_build_filename (WW_BUILD_PLUGIN_DIR, name, NULL);
      g_autofree char *own_dir = g_build_filename (mount, extension, "lib", "wegwijzer", abi_dir, NULL);
      g_autofree char *own = g_build_filename (own_dir, name, NULL);

      make_dir (own_dir);
      link_file (target, own);
      if (merged)
        {
          g_autofree char *merged_dir = g_build_filename (mount, "lib", "wegwijzer", abi_dir, NULL);
          g_autofree char *merged_file = g_build_filename (merged_dir, name, NULL);
          g_autofree char *relative = g_build_filename ("..", "..", "..", extension, "lib", "wegwijzer",
                                                        abi_dir, name, NULL);

          make_dir (merged_dir);
          link_file (relative, merged_file);
        }
    }
}

static void
test_plugins_verify_flatpak (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autofree char *mount = tmp_file (fixture, "plugins");
  g_autofree char *future = g_build_filename (mount, "Future", "lib", "wegwijzer", "plugins-2", NULL);
  g_autofree char *future_line = g_strdup_printf ("warn %s", future);
  const char *loaded[] = { "care", "legal", "police" };
  g_autoptr(Result) result = NULL;
  g_auto(GStrv) lines = NULL;

  mount_theme (mount, "Care", "plugins-1", "care", TRUE);
  mount_theme (mount, "Legal", "plugins-1", "legal", TRUE);
  mount_theme (mount, "Police", "plugins-1", "police", FALSE);
  /* merge-dirs names our ABI's folder alone */
  mount_theme (mount, "Future", "plugins-2", "media", FALSE);

  result = run (fixture, "plugins", "verify", "--path", mount, NULL);
  g_assert_cmpint (result->status, ==, 0);
  lines = split_lines (result->out);
  /* each once, though two of them are linked twice */
  g_assert_cmpuint (count_lines (lines, "ok   "), ==, G_N_ELEMENTS (loaded));
  for (guint i = 0; i < G_N_ELEMENTS (loaded); i++)
    {
      g_autofree char *prefix = g_strdup_printf ("ok   %s (", loaded[i]);

      find_line (lines, prefix);
    }
  g_assert_cmpstr (find_line (lines, "warn "), ==, future_line);
  g_assert_null (strstr (result->out, "media"));
  g_assert_cmpstr (last_line (lines), ==, "3 plugins: 3 ok, 0 with problems, 1 warning");

  /* the merged folder alone is a plugin folder of its own, not a mount */
  {
    g_autofree char *merged = g_build_filename (mount, "lib", "wegwijzer", "plugins-1", NULL);
    g_autoptr(Result) merged_only = run (fixture, "plugins", "verify", "--path", merged, NULL);
    g_auto(GStrv) merged_lines = split_lines (merged_only->out);

    g_assert_cmpint (merged_only->status, ==, 0);
    g_assert_cmpuint (count_lines (merged_lines, "ok   "), ==, 2);
    g_assert_null (strstr (merged_only->out, "police"));
  }
}

static void
test_plugins_verify_json (Fixture       *fixture,
                          gconstpointer  user_data)
{
  {
    g_autoptr(Result) result = run (fixture, "plugins", "verify", "--json", NULL);
    g_autoptr(JsonArray) array = NULL;

    g_assert_cmpint (result->status, ==, 0);
    array = parse_array (result->out);
    g_assert_cmpuint (json_array_get_length (array), ==, G_N_ELEMENTS (themes));
    for (guint i = 0; i < G_N_ELEMENTS (themes); i++)
      {
        JsonObject *plugin = find_id (array, themes[i]);
        g_autofree char *name = g_strdup_printf ("%s.plugin", themes[i]);
        g_autofree char *key_file = build_plugin_file (name);
        g_autofree char *folder = g_path_get_dirname (key_file);
        g_autofree char *module_name = g_strdup_printf ("libww-plugin-%s.so", themes[i]);
        g_autofree char *module = g_build_filename (folder, module_name, NULL);

        g_assert_nonnull (plugin);
        g_assert_cmpstr (json_object_get_string_member (plugin, "name"), !=, "");
        g_assert_cmpstr (json_object_get_string_member (plugin, "key_file"), ==, key_file);
        g_assert_cmpstr (json_object_get_string_member (plugin, "module"), ==, module);
        g_assert_cmpstr (json_object_get_string_member (plugin, "folder"), ==, folder);
        g_assert_cmpint (json_object_get_int_member (plugin, "abi"), ==, WW_PLUGIN_ABI);
        g_assert_true (json_object_get_boolean_member (plugin, "ok"));
        g_assert_cmpuint (json_array_get_length (json_object_get_array_member (plugin, "errors")), ==, 0);
        g_assert_true (json_object_has_member (plugin, "warnings"));
        g_assert_nonnull (json_object_get_array_member (plugin, "warnings"));
      }
  }

  /* a broken plugin and a folder that is not there */
  {
    g_autofree char *dir = plugin_fixture_dir ("wrong-abi");
    g_autofree char *missing = tmp_file (fixture, "no-such-folder");
    g_autoptr(Result) result = run (fixture, "plugins", "verify", "--json",
                                    "--path", dir, "--path", missing, NULL);
    g_autoptr(JsonArray) array = NULL;
    JsonObject *plugin;
    JsonObject *folder = NULL;
    JsonArray *errors;

    g_assert_cmpint (result->status, ==, 3);
    array = parse_array (result->out);
    g_assert_cmpuint (json_array_get_length (array), ==, 2);

    plugin = find_id (array, "wrong-abi");
    g_assert_nonnull (plugin);
    g_assert_false (json_object_get_boolean_member (plugin, "ok"));
    g_assert_cmpint (json_object_get_int_member (plugin, "abi"), ==, 999);
    errors = json_object_get_array_member (plugin, "errors");
    g_assert_cmpuint (json_array_get_length (errors), ==, 1);
    g_assert_nonnull (strstr (json_array_get_string_element (errors, 0), "built for plugin ABI 999"));
    /* the fixture's name is in English only */
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (plugin, "warnings")), ==, 1);

    for (guint i = 0; i < json_array_get_length (array); i++)
      {
        JsonObject *object = json_array_get_object_element (array, i);

        if (json_object_get_null_member (object, "id"))
          folder = object;
      }
    g_assert_nonnull (folder);
    g_assert_cmpstr (json_object_get_string_member (folder, "folder"), ==, missing);
    g_assert_true (json_object_get_null_member (folder, "key_file"));
    g_assert_false (json_object_get_boolean_member (folder, "ok"));
    errors = json_object_get_array_member (folder, "errors");
    g_assert_nonnull (strstr (json_array_get_string_element (errors, 0), "no such folder"));
  }
}

/* A --path folder that is not there is an error, and so is finding no
 * plugin at all; a folder of the default search path that is not there
 * is not (test_plugins_verify_installed: /app/plugins). */
static void
test_plugins_verify_missing (Fixture       *fixture,
                             gconstpointer  user_data)
{
  g_autofree char *missing = tmp_file (fixture, "no-such-folder");
  g_autofree char *empty = tmp_file (fixture, "empty");
  g_autofree char *good_dir = plugin_fixture_dir ("good");

  {
    g_autoptr(Result) result = run (fixture, "plugins", "verify", "--path", missing, NULL);
    g_auto(GStrv) lines = split_lines (result->out);
    g_autofree char *expected = g_strdup_printf ("FAIL %s", missing);

    g_assert_cmpint (result->status, ==, 3);
    g_assert_cmpstr (lines[0], ==, expected);
    g_assert_cmpstr (lines[1], ==, "     error: no such folder; check the --path given");
    g_assert_cmpstr (last_line (lines), ==,
                     "0 plugins: 0 ok, 0 with problems, 0 warnings; 1 folder with problems");
  }

  /* the good folder is checked all the same */
  {
    g_autoptr(Result) result = run (fixture, "plugins", "verify",
                                    "--path", good_dir, "--path", missing, NULL);
    g_auto(GStrv) lines = split_lines (result->out);

    g_assert_cmpint (result->status, ==, 3);
    find_line (lines, "ok   good ");
    find_line (lines, "FAIL ");
  }

  {
    g_autoptr(Result) result = NULL;
    g_auto(GStrv) lines = NULL;
    g_autofree char *expected = g_strdup_printf ("FAIL no plugins found in: %s;", empty);

    make_dir (empty);
    result = run (fixture, "plugins", "verify", "--path", empty, NULL);
    lines = split_lines (result->out);
    g_assert_cmpint (result->status, ==, 3);
    g_assert_true (g_str_has_prefix (lines[0], expected));
    g_assert_cmpstr (last_line (lines), ==, "0 plugins: 0 ok, 0 with problems, 0 warnings");
  }
}

/* --- generate -------------------------------------------------------------------- */

static char *
generate_and_export (Fixture    *fixture,
                     const char *seed)
{
  g_autoptr(Result) generate = NULL;
  g_autoptr(Result) export = NULL;
  guint before = count_providers (fixture);

  generate = run_db (fixture, "generate", "--count", "200", "--seed", seed, NULL);
  g_assert_cmpint (generate->status, ==, 0);
  g_assert_true (g_str_has_prefix (generate->out, "Generated 200 providers in "));
  g_assert_true (g_str_has_suffix (generate->out, " s\n"));
  /* stderr is not a terminal here: no progress */
  g_assert_cmpstr (generate->err, ==, "");
  g_assert_cmpuint (count_providers (fixture), ==, before + 200);

  export = run_db (fixture, "export", NULL);
  g_assert_cmpint (export->status, ==, 0);

  return g_steal_pointer (&export->out);
}

static void
test_generate_count (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autofree char *first = generate_and_export (fixture, "7");
  g_autofree char *second = NULL;
  g_autofree char *other_seed = NULL;

  /* the same seed in a fresh directory makes the same providers */
  g_free (fixture->db);
  fixture->db = tmp_file (fixture, "second.db");
  second = generate_and_export (fixture, "7");
  g_assert_cmpstr (first, ==, second);

  /* another seed makes others */
  g_free (fixture->db);
  fixture->db = tmp_file (fixture, "third.db");
  other_seed = generate_and_export (fixture, "8");
  g_assert_cmpstr (first, !=, other_seed);
}

static void
test_generate_bad (Fixture       *fixture,
                   gconstpointer  user_data)
{
  const char *cases[][3] = {
    { NULL },
    { "--count", "0" },
    { "--count", "many" },
    { "--count", "-5" },
    { "--count", "" },
    { "--count", "99999999999999" },
    { "--count=10", "--seed", "x" },
    { "--count=10", "extra" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *args[] = { "--db", fixture->db, "generate", cases[i][0], cases[i][1], NULL };
      g_autoptr(Result) result = run_argv (fixture, args);

      g_assert_cmpint (result->status, ==, 2);
      g_assert_true (g_str_has_prefix (result->err, "wegwijzer-admin: "));
      g_assert_cmpstr (result->out, ==, "");
    }

  g_assert_false (g_file_test (fixture->db, G_FILE_TEST_EXISTS));
}

/* --- kiosk ------------------------------------------------------------------ */

/* wegwijzer-admin COMMAND ARGS… --relay-db <the fixture's relay database> */
static G_GNUC_NULL_TERMINATED Result *
run_relay_admin (Fixture    *fixture,
                 const char *command,
                 const char *first,
                 ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *relay_db = tmp_file (fixture, "relay.db");
  va_list args;

  g_ptr_array_add (argv, (gpointer) command);
  va_start (args, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, (gpointer) "--relay-db");
  g_ptr_array_add (argv, relay_db);
  g_ptr_array_add (argv, NULL);

  return run_argv (fixture, (const char *const *) argv->pdata);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_nonnull (root);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));

  return json_object_ref (json_node_get_object (root));
}

static void
test_kiosk_json (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(Result) result = run_relay_admin (fixture, "kiosk", "add", "Sample kiosk", "--json", NULL);
  g_autoptr(JsonObject) kiosk = NULL;
  g_autoptr(GList) members = NULL;

  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (result->err, ==, "");
  /* one line, two members, exactly as scripts are told */
  g_assert_true (g_str_has_prefix (result->out, "{\"id\": \""));
  g_assert_nonnull (strstr (result->out, "\", \"secret\": \"whsec_"));
  g_assert_true (g_str_has_suffix (result->out, "\"}\n"));
  g_assert_true (strchr (result->out, '\n') == result->out + strlen (result->out) - 1);

  kiosk = parse_object (result->out);
  members = json_object_get_members (kiosk);
  g_assert_cmpuint (g_list_length (members), ==, 2);
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (kiosk, "id")));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (kiosk, "secret"), "whsec_"));
}

static void
test_kiosk_add_list_revoke (Fixture       *fixture,
                            gconstpointer  user_data)
{
  g_autoptr(Result) first = run_relay_admin (fixture, "kiosk", "add", "Sample kiosk 1", "--json", NULL);
  g_autoptr(Result) second = run_relay_admin (fixture, "kiosk", "add", "Sample kiosk 2", NULL);
  g_autoptr(Result) listed = NULL;
  g_autoptr(Result) listed_json = NULL;
  g_autoptr(Result) revoked = NULL;
  g_autoptr(Result) again = NULL;
  g_autoptr(JsonObject) kiosk = NULL;
  g_autoptr(JsonArray) kiosks = NULL;
  g_autofree char *first_secret = NULL;
  g_autofree char *first_id = NULL;
  g_autoptr(GDateTime) created = NULL;
  JsonObject *entry;

  g_assert_cmpint (first->status, ==, 0);
  kiosk = parse_object (first->out);
  first_id = g_strdup (json_object_get_string_member (kiosk, "id"));
  first_secret = g_strdup (json_object_get_string_member (kiosk, "secret"));

  g_assert_cmpint (second->status, ==, 0);
  g_assert_nonnull (strstr (second->out, "Sample kiosk 2"));
  g_assert_nonnull (strstr (second->out, "secret: whsec_"));

  listed = run_relay_admin (fixture, "kiosk", "list", NULL);
  g_assert_cmpint (listed->status, ==, 0);
  g_assert_nonnull (strstr (listed->out, first_id));
  g_assert_nonnull (strstr (listed->out, "Sample kiosk 1"));
  g_assert_nonnull (strstr (listed->out, "Sample kiosk 2"));
  g_assert_null (strstr (listed->out, "whsec_"));
  g_assert_null (strstr (listed->out, "revoked"));

  revoked = run_relay_admin (fixture, "kiosk", "revoke", first_id, NULL);
  g_assert_cmpint (revoked->status, ==, 0);
  g_assert_nonnull (strstr (revoked->out, first_id));
  /* revoking twice is no error: the kiosk stays revoked */
  again = run_relay_admin (fixture, "kiosk", "revoke", first_id, NULL);
  g_assert_cmpint (again->status, ==, 0);

  listed_json = run_relay_admin (fixture, "kiosk", "list", "--json", NULL);
  g_assert_cmpint (listed_json->status, ==, 0);
  g_assert_null (strstr (listed_json->out, "whsec_"));
  g_assert_null (strstr (listed_json->out, first_secret));
  kiosks = parse_array (listed_json->out);
  g_assert_cmpuint (json_array_get_length (kiosks), ==, 2);

  entry = json_array_get_object_element (kiosks, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "id"), ==, first_id);
  g_assert_cmpstr (json_object_get_string_member (entry, "name"), ==, "Sample kiosk 1");
  created = g_date_time_new_from_iso8601 (json_object_get_string_member (entry, "created"), NULL);
  g_assert_nonnull (created);
  g_assert_nonnull (json_object_get_string_member (entry, "revoked"));
  g_assert_false (json_object_has_member (entry, "secret"));

  entry = json_array_get_object_element (kiosks, 1);
  g_assert_cmpstr (json_object_get_string_member (entry, "name"), ==, "Sample kiosk 2");
  g_assert_true (json_object_get_null_member (entry, "revoked"));
}

static void
test_kiosk_bad (Fixture       *fixture,
                gconstpointer  user_data)
{
  g_autofree char *missing_db = tmp_file (fixture, "missing.db");
  g_autofree char *long_name = g_strnfill (81, 'k');
  struct {
    const char *args[4];
    int         status;
  } cases[] = {
    { { "revoke", "no-such-kiosk" }, 3 },
    { { "add", "" }, 3 },
    { { "add", long_name }, 3 },
    { { "add", "two\nlines" }, 3 },
    { { NULL }, 2 },
    { { "add" }, 2 },
    { { "add", "a", "b" }, 2 },
    { { "list", "extra" }, 2 },
    { { "revoke" }, 2 },
    { { "revoke", "x", "--json" }, 2 },
    { { "rename", "x" }, 2 },
  };

  /* made by an add, so that the cases meet a real database */
  {
    g_autoptr(Result) added = run_relay_admin (fixture, "kiosk", "add", "Sample kiosk", NULL);

    g_assert_cmpint (added->status, ==, 0);
  }

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Result) result = run_relay_admin (fixture, "kiosk", cases[i].args[0], cases[i].args[1],
                                            cases[i].args[2], cases[i].args[3], NULL);

      g_assert_cmpint (result->status, ==, cases[i].status);
      g_assert_true (g_str_has_prefix (result->err, "wegwijzer-admin: "));
      g_assert_cmpstr (result->out, ==, "");
    }

  /* --relay-db is required */
  {
    const char *args[] = { "kiosk", "list", NULL };
    g_autoptr(Result) result = run_argv (fixture, args);

    g_assert_cmpint (result->status, ==, 2);
    g_assert_nonnull (strstr (result->err, "--relay-db"));
  }

  /* list and revoke do not make a database that is not there */
  {
    const char *args[] = { "kiosk", "list", "--relay-db", missing_db, NULL };
    g_autoptr(Result) result = run_argv (fixture, args);

    g_assert_cmpint (result->status, ==, 1);
    g_assert_false (g_file_test (missing_db, G_FILE_TEST_EXISTS));
  }
}

/* --- provider --------------------------------------------------------------- */

static JsonArray *
parse_provider_list (Fixture *fixture)
{
  g_autoptr(Result) listed = run_relay_admin (fixture, "provider", "list", "--json", NULL);

  g_assert_cmpint (listed->status, ==, 0);
  return parse_array (listed->out);
}

static void
test_provider_webhook_and_inbox (Fixture       *fixture,
                                 gconstpointer  user_data)
{
  g_autoptr(Result) webhook = run_relay_admin (fixture, "provider", "set-webhook", "sample-clinic-1",
                                               "https://clinic.example/wegwijzer", "--json", NULL);
  g_autoptr(Result) inbox = NULL;
  g_autoptr(Result) text = NULL;
  g_autoptr(JsonObject) made = NULL;
  g_autoptr(JsonObject) opened = NULL;
  g_autoptr(JsonArray) providers = NULL;
  g_autoptr(JsonArray) after = NULL;
  g_autofree char *expected_link = NULL;
  JsonObject *entry;
  const char *key;

  g_assert_cmpint (webhook->status, ==, 0);
  made = parse_object (webhook->out);
  g_assert_cmpstr (json_object_get_string_member (made, "provider_id"), ==, "sample-clinic-1");
  g_assert_cmpstr (json_object_get_string_member (made, "url"), ==, "https://clinic.example/wegwijzer");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (made, "secret"), "whsec_"));

  providers = parse_provider_list (fixture);
  g_assert_cmpuint (json_array_get_length (providers), ==, 1);
  entry = json_array_get_object_element (providers, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "webhook"), ==, "https://clinic.example/wegwijzer");
  g_assert_cmpint (json_object_get_int_member (entry, "inboxes"), ==, 0);
  /* a list never shows a secret */
  g_assert_false (json_object_has_member (entry, "secret"));

  inbox = run_relay_admin (fixture, "provider", "add-inbox", "sample-clinic-1",
                           "--relay-url", "https://relay.example/", "--json", NULL);
  g_assert_cmpint (inbox->status, ==, 0);
  opened = parse_object (inbox->out);
  key = json_object_get_string_member (opened, "key");
  /* 32 random bytes, base64url without padding: safe in a path */
  g_assert_cmpuint (strlen (key), ==, 43);
  g_assert_cmpuint (strspn (key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), ==, 43);
  expected_link = g_strconcat ("https://relay.example/inbox/", key, NULL);
  g_assert_cmpstr (json_object_get_string_member (opened, "link"), ==, expected_link);

  after = parse_provider_list (fixture);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (after, 0), "inboxes"), ==, 1);

  /* a new webhook secret replaces the old one, shown once in words */
  text = run_relay_admin (fixture, "provider", "set-webhook", "sample-clinic-1",
                          "https://clinic.example/v2", NULL);
  g_assert_cmpint (text->status, ==, 0);
  g_assert_nonnull (strstr (text->out, "secret: whsec_"));
  g_assert_null (strstr (text->out, json_object_get_string_member (made, "secret")));
}

static void
test_provider_bad (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autofree char *missing_db = tmp_file (fixture, "missing.db");
  struct {
    const char *args[5];
    int         status;
  } cases[] = {
    { { "set-webhook", "sample-clinic-1", "ftp://clinic.example/" }, 3 },
    { { "set-webhook", "sample-clinic-1", "not a web address" }, 3 },
    { { "set-webhook", "sample-clinic-1", "https://" }, 3 },
    { { "add-inbox", "sample-clinic-1", "--relay-url", "relay.example" }, 3 },
    { { NULL }, 2 },
    { { "set-webhook", "sample-clinic-1" }, 2 },
    { { "set-webhook" }, 2 },
    { { "set-webhook", "two words", "https://clinic.example/" }, 2 },
    { { "add-inbox" }, 2 },
    { { "add-inbox", "a", "b" }, 2 },
    { { "list", "extra" }, 2 },
    { { "remove", "sample-clinic-1" }, 2 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Result) result = run_relay_admin (fixture, "provider", cases[i].args[0], cases[i].args[1],
                                                  cases[i].args[2], cases[i].args[3], cases[i].args[4], NULL);

      if (result->status != cases[i].status)
        g_error ("provider %s %s: exit %d, not %d: %s", cases[i].args[0], cases[i].args[1],
                 result->status, cases[i].status, result->err);
      g_assert_true (g_str_has_prefix (result->err, "wegwijzer-admin: "));
      g_assert_cmpstr (result->out, ==, "");
    }

  /* list does not make a database that is not there */
  {
    const char *args[] = { "provider", "list", "--relay-db", missing_db, NULL };
    g_autoptr(Result) result = run_argv (fixture, args);

    g_assert_cmpint (result->status, ==, 1);
    g_assert_false (g_file_test (missing_db, G_FILE_TEST_EXISTS));
  }
}

/* --- sync ------------------------------------------------------------------- */

/* A relay of the test's own: GET /v1/directory?since=N answers as the
 * test scripts it, and remembers what it was asked. Up to change @next
 * it gives @body, after it nothing, as the real route does for a
 * directory whose last change is @next. */
typedef struct
{
  SoupServer *server;
  char       *url;
  GPtrArray  *asked;          /* since= of every request, in order */
  guint       status;
  const char *content_type;
  gboolean    send_next;      /* whether to send X-Wegwijzer-Next-Since */
  char       *body;
  gint64      next;
} Relay;

static void
directory_handler (SoupServer        *server,
                   SoupServerMessage *message,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  static const char problem[] =
    "{\"type\": \"about:blank\", \"title\": \"Internal Server Error\", \"status\": 500, "
    "\"detail\": \"the directory could not be read (a test)\"}";
  Relay *relay = user_data;
  const char *since_text = query != NULL ? g_hash_table_lookup (query, "since") : NULL;
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);
  g_autofree char *next = NULL;
  gint64 since = 0;

  g_ptr_array_add (relay->asked, g_strdup (since_text != NULL ? since_text : "(none)"));
  if (since_text == NULL || !g_ascii_string_to_signed (since_text, 10, 0, G_MAXINT64, &since, NULL))
    {
      soup_server_message_set_status (message, 400, NULL);
      return;
    }

  if (relay->status != 200)
    {
      soup_server_message_set_status (message, relay->status, NULL);
      soup_server_message_set_response (message, "application/problem+json", SOUP_MEMORY_STATIC,
                                        problem, strlen (problem));
      return;
    }

  soup_server_message_set_status (message, 200, NULL);
  next = g_strdup_printf ("%" G_GINT64_FORMAT, MAX (since, relay->next));
  if (relay->send_next)
    soup_message_headers_replace (headers, "X-Wegwijzer-Next-Since", next);
  if (since < relay->next)
    soup_server_message_set_response (message, relay->content_type, SOUP_MEMORY_COPY,
                                      relay->body, strlen (relay->body));
  else
    soup_server_message_set_response (message, relay->content_type, SOUP_MEMORY_STATIC, "", 0);
}

static Relay *
relay_new (const char *delta_name,
           gint64      next)
{
  Relay *relay = g_new0 (Relay, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;
  char *url;

  relay->asked = g_ptr_array_new_with_free_func (g_free);
  relay->status = 200;
  relay->content_type = "application/x-ndjson";
  relay->send_next = TRUE;
  relay->body = read_file (data_file (delta_name));
  relay->next = next;

  relay->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (relay->server, "/v1/directory", directory_handler, relay, NULL);
  soup_server_listen_local (relay->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (relay->server);
  url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  /* without the slash, as a person would type it */
  if (g_str_has_suffix (url, "/"))
    url[strlen (url) - 1] = '\0';
  relay->url = url;

  return relay;
}

static void
relay_free (Relay *relay)
{
  soup_server_disconnect (relay->server);
  g_clear_object (&relay->server);
  g_ptr_array_unref (relay->asked);
  g_free (relay->url);
  g_free (relay->body);
  g_free (relay);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Relay, relay_free)

/* "0 4": what the relay was asked since the last call */
static char *
take_asked (Relay *relay)
{
  g_autoptr(GString) asked = g_string_new (NULL);

  for (guint i = 0; i < relay->asked->len; i++)
    g_string_append_printf (asked, "%s%s", i > 0 ? " " : "",
                            (const char *) g_ptr_array_index (relay->asked, i));
  g_ptr_array_set_size (relay->asked, 0);

  return g_string_free (g_steal_pointer (&asked), FALSE);
}

/* in delta.ndjson: two new listings, a seeded one renamed, a seeded one removed */
#define RENAMED_ID "017fcbed-db7b-5604-9d52-f114ba474650"
#define REMOVED_ID "034fae66-8ee8-514b-a88e-551b90ed90fa"

static char *
export_all (Fixture *fixture)
{
  g_autoptr(Result) result = run_db (fixture, "export", NULL);

  g_assert_cmpint (result->status, ==, 0);
  return g_steal_pointer (&result->out);
}

static void
test_sync_success (Fixture       *fixture,
                   gconstpointer  user_data)
{
  g_autoptr(Relay) relay = relay_new ("delta.ndjson", 4);
  g_autofree char *before = export_all (fixture);
  g_autofree char *after = NULL;
  g_autofree char *asked = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(Result) result = NULL;
  guint seeded = count_providers (fixture);

  g_assert_nonnull (strstr (before, REMOVED_ID));
  g_assert_null (strstr (before, "Spreekuur De Nieuwe Naam"));

  result = run_db (fixture, "sync", "--relay", relay->url, NULL);
  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (result->err, ==, "");
  expected = g_strdup_printf ("Synced with %s up to change 4: 2 added, 1 changed, 1 removed\n",
                              relay->url);
  g_assert_cmpstr (result->out, ==, expected);

  /* from the start, then from where that answer ended, which was the end */
  asked = take_asked (relay);
  g_assert_cmpstr (asked, ==, "0 4");

  after = export_all (fixture);
  g_assert_null (strstr (after, REMOVED_ID));
  g_assert_nonnull (strstr (after, "\"id\":\"" RENAMED_ID "\",\"name\":\"Spreekuur De Nieuwe Naam (voorbeeld)\""));
  g_assert_nonnull (strstr (after, "\"id\":\"test-admin-lepelaar\""));
  g_assert_nonnull (strstr (after, "\"id\":\"test-admin-tureluur\""));
  g_assert_cmpuint (count_providers (fixture), ==, seeded + 2 - 1);

  /* and the listings are found */
  {
    g_autoptr(Result) search = run_db (fixture, "search", "Lepelaar", NULL);

    g_assert_cmpint (search->status, ==, 0);
    g_assert_nonnull (strstr (search->out, "Contactpunt Lepelaar"));
  }
}

static void
test_sync_again (Fixture       *fixture,
                 gconstpointer  user_data)
{
  g_autoptr(Relay) relay = relay_new ("delta.ndjson", 4);
  g_autofree char *with_slash = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *synced = NULL;

  {
    g_autoptr(Result) first = run_db (fixture, "sync", "--relay", relay->url, NULL);
    g_autofree char *asked = take_asked (relay);

    g_assert_cmpint (first->status, ==, 0);
    g_assert_cmpstr (asked, ==, "0 4");
  }
  synced = export_all (fixture);

  /* the directory remembers how far it got: the next sync asks from there
   * (the address with a slash is the same relay) */
  with_slash = g_strconcat (relay->url, "/", NULL);
  {
    g_autoptr(Result) second = run_db (fixture, "sync", "--relay", with_slash, NULL);
    g_autofree char *asked = take_asked (relay);
    g_autofree char *after = export_all (fixture);

    g_assert_cmpint (second->status, ==, 0);
    g_assert_cmpstr (asked, ==, "4");
    expected = g_strdup_printf ("Synced with %s up to change 4: 0 added, 0 changed, 0 removed\n",
                                relay->url);
    g_assert_cmpstr (second->out, ==, expected);
    g_assert_cmpstr (after, ==, synced);
  }

  /* what changed at the relay after that: one listing removed */
  g_free (relay->body);
  relay->body = g_strdup ("{\"id\":\"test-admin-lepelaar\",\"deleted\":true}\n");
  relay->next = 6;
  {
    g_autoptr(Result) third = run_db (fixture, "sync", "--relay", relay->url, NULL);
    g_autofree char *asked = take_asked (relay);
    g_autofree char *after = export_all (fixture);

    g_assert_cmpint (third->status, ==, 0);
    g_assert_cmpstr (asked, ==, "4 6");
    g_assert_nonnull (strstr (third->out, "up to change 6: 0 added, 0 changed, 1 removed"));
    g_assert_null (strstr (after, "test-admin-lepelaar"));
    g_assert_nonnull (strstr (after, "test-admin-tureluur"));
  }

  /* another relay is another history: it starts from 0 */
  {
    g_autoptr(Relay) other = relay_new ("delta.ndjson", 4);
    g_autoptr(Result) result = run_db (fixture, "sync", "--relay", other->url, NULL);
    g_autofree char *asked = take_asked (other);

    g_assert_cmpint (result->status, ==, 0);
    g_assert_cmpstr (asked, ==, "0 4");
  }
}

/* A failed sync changes nothing, and the next one asks from 0 again. */
static void
assert_nothing_synced (Fixture    *fixture,
                       const char *before)
{
  g_autofree char *after = export_all (fixture);
  g_autoptr(Relay) relay = relay_new ("delta.ndjson", 4);
  g_autoptr(Result) result = NULL;
  g_autofree char *asked = NULL;

  g_assert_cmpstr (after, ==, before);

  result = run_db (fixture, "sync", "--relay", relay->url, NULL);
  asked = take_asked (relay);
  g_assert_cmpint (result->status, ==, 0);
  g_assert_cmpstr (asked, ==, "0 4");
}

static void
test_sync_relay_down (Fixture       *fixture,
                      gconstpointer  user_data)
{
  g_autofree char *before = export_all (fixture);
  g_autofree char *url = NULL;
  g_autoptr(Result) result = NULL;

  /* a port that was just free, with nobody listening on it any more */
  {
    g_autoptr(Relay) gone = relay_new ("delta.ndjson", 4);

    url = g_strdup (gone->url);
  }

  result = run_db (fixture, "sync", "--relay", url, NULL);
  g_assert_cmpint (result->status, ==, 1);
  g_assert_true (g_str_has_prefix (result->err, "wegwijzer-admin: cannot reach the relay at "));
  g_assert_nonnull (strstr (result->err, url));
  g_assert_cmpstr (result->out, ==, "");

  assert_nothing_synced (fixture, before);
}

static void
test_sync_server_error (Fixture       *fixture,
                        gconstpointer  user_data)
{
  g_autoptr(Relay) relay = relay_new ("delta.ndjson", 4);
  g_autofree char *before = export_all (fixture);
  g_autoptr(Result) result = NULL;

  relay->status = 500;
  result = run_db (fixture, "sync", "--relay", relay->url, NULL);
  g_assert_cmpint (result->status, ==, 1);
  g_assert_true (g_str_has_prefix (result->err, "wegwijzer-admin: the relay at "));
  /* the status, and what the problem+json said */
  g_assert_nonnull (strstr (result->err, "500 Internal Server Error"));
  g_assert_nonnull (strstr (result->err, "the directory could not be read (a test)"));
  g_assert_cmpstr (result->out, ==, "");

  assert_nothing_synced (fixture, before);
}

static void
test_sync_malformed (Fixture       *fixture,
                     gconstpointer  user_data)
{
  g_autofree char *before = export_all (fixture);
  struct {
    const char *body;          /* NULL: delta.ndjson */
    const char *content_type;
    gboolean    send_next;
    const char *message;
  } cases[] = {
    /* the second line is bad: the first must not stay either */
    { "{\"id\":\"" REMOVED_ID "\",\"deleted\":true}\n{\"id\": \"half a line\n",
      "application/x-ndjson", TRUE, "line 2: not valid JSON" },
    { "{\"id\":\"" REMOVED_ID "\",\"deleted\":true}\n{\"id\":\"x\",\"deleted\":\"yes\"}\n",
      "application/x-ndjson", TRUE, "line 2: deleted: must be true or false" },
    { "{\"id\":\"" REMOVED_ID "\",\"deleted\":true}\n{\"id\":\"" REMOVED_ID "\",\"del",
      "application/x-ndjson", TRUE, "line 2: does not end with a newline" },
    { "<html><body>Welcome to the hotel wifi</body></html>\n",
      "text/html", TRUE, "answered with “text/html” instead of application/x-ndjson" },
    { NULL, "application/x-ndjson", FALSE, "X-Wegwijzer-Next-Since" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Relay) relay = relay_new ("delta.ndjson", 4);
      g_autoptr(Result) result = NULL;
      g_autofree char *after = NULL;

      if (cases[i].body != NULL)
        {
          g_free (relay->body);
          relay->body = g_strdup (cases[i].body);
        }
      relay->content_type = cases[i].content_type;
      relay->send_next = cases[i].send_next;

      result = run_db (fixture, "sync", "--relay", relay->url, NULL);
      g_assert_cmpint (result->status, ==, 3);
      g_assert_true (g_str_has_prefix (result->err, "wegwijzer-admin: the relay at "));
      g_assert_nonnull (strstr (result->err, cases[i].message));
      g_assert_cmpstr (result->out, ==, "");

      after = export_all (fixture);
      g_assert_cmpstr (after, ==, before);
    }

  assert_nothing_synced (fixture, before);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  admin_path = g_getenv ("WEGWIJZER_ADMIN");
  if (admin_path == NULL)
    g_error ("WEGWIJZER_ADMIN must name the wegwijzer-admin program to test");

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/admin/help/main", test_help_main);
  ADD ("/admin/help/commands", test_help_commands);
  ADD ("/admin/help/plugins", test_help_plugins);
  ADD ("/admin/help/version", test_version);
  ADD ("/admin/usage/errors", test_usage_errors);
  ADD ("/admin/usage/db-anywhere", test_usage_db_anywhere);
  ADD ("/admin/db/recovered", test_db_recovered);
  ADD ("/admin/db/read-only", test_db_read_only);
  ADD ("/admin/db/cannot-open", test_db_cannot_open);
  ADD ("/admin/search/text", test_search_text);
  ADD ("/admin/search/sample", test_search_sample);
  ADD ("/admin/search/json", test_search_json);
  ADD ("/admin/search/theme", test_search_theme);
  ADD ("/admin/search/category", test_search_category);
  ADD ("/admin/search/city", test_search_city);
  ADD ("/admin/search/language", test_search_language);
  ADD ("/admin/search/attribute", test_search_attribute);
  ADD ("/admin/search/open-now", test_search_open_now);
  ADD ("/admin/search/near", test_search_near);
  ADD ("/admin/search/limit", test_search_limit);
  ADD ("/admin/search/bad-filters", test_search_bad_filters);
  ADD ("/admin/import/json", test_import_json);
  ADD ("/admin/import/ndjson", test_import_ndjson);
  ADD ("/admin/import/stdin", test_import_stdin);
  ADD ("/admin/import/default-theme", test_import_default_theme);
  ADD ("/admin/import/bad-record", test_import_bad_record);
  ADD ("/admin/import/missing-file", test_import_missing_file);
  ADD ("/admin/validate/good", test_validate_good);
  ADD ("/admin/validate/bad-record", test_validate_bad_record);
  ADD ("/admin/export/stdout", test_export_stdout);
  ADD ("/admin/export/file", test_export_file);
  ADD ("/admin/export/roundtrip", test_export_roundtrip);
  ADD ("/admin/export/bad", test_export_bad);
  ADD ("/admin/export/write-error", test_export_write_error);
  ADD ("/admin/plugins/list", test_plugins_list);
  ADD ("/admin/plugins/json", test_plugins_json);
  ADD ("/admin/plugins/all", test_plugins_all);
  ADD ("/admin/plugins/verify/installed", test_plugins_verify_installed);
  ADD ("/admin/plugins/verify/broken", test_plugins_verify_broken);
  ADD ("/admin/plugins/verify/duplicate", test_plugins_verify_duplicate);
  ADD ("/admin/plugins/verify/other-abi", test_plugins_verify_other_abi);
  ADD ("/admin/plugins/verify/writable", test_plugins_verify_writable);
  ADD ("/admin/plugins/verify/flatpak", test_plugins_verify_flatpak);
  ADD ("/admin/plugins/verify/json", test_plugins_verify_json);
  ADD ("/admin/plugins/verify/missing", test_plugins_verify_missing);
  ADD ("/admin/generate/count", test_generate_count);
  ADD ("/admin/generate/bad", test_generate_bad);
  ADD ("/admin/kiosk/json", test_kiosk_json);
  ADD ("/admin/kiosk/add-list-revoke", test_kiosk_add_list_revoke);
  ADD ("/admin/kiosk/bad", test_kiosk_bad);
  ADD ("/admin/provider/webhook-and-inbox", test_provider_webhook_and_inbox);
  ADD ("/admin/provider/bad", test_provider_bad);
  ADD ("/admin/sync/success", test_sync_success);
  ADD ("/admin/sync/again", test_sync_again);
  ADD ("/admin/sync/relay-down", test_sync_relay_down);
  ADD ("/admin/sync/server-error", test_sync_server_error);
  ADD ("/admin/sync/malformed", test_sync_malformed);

#undef ADD

  return g_test_run ();
}
