/* ww-relay-main.c: wegwijzer-relay, the appointment service
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-relay"

#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <locale.h>
#include <stdlib.h>

#include "ww-relay-server.h"
#include "ww-relay-store-sqlite.h"

static gboolean
quit_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

/* "ADDR:PORT", with IPv6 addresses in brackets: "[::1]:8765" */
static gboolean
parse_listen (const char  *text,
              char       **address,
              guint       *port,
              GError     **error)
{
  const char *colon = strrchr (text, ':');
  guint64 number;

  if (colon == NULL || colon == text ||
      !g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &number, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--listen '%s' is not ADDRESS:PORT, such as 127.0.0.1:8765", text);
      return FALSE;
    }

  if (text[0] == '[' && colon[-1] == ']')
    *address = g_strndup (text + 1, colon - text - 2);
  else
    *address = g_strndup (text, colon - text);
  *port = number;
  return TRUE;
}

static gboolean
read_config (const char  *path,
             gsize       *max_body_bytes,
             guint       *clock_skew,
             GError     **error)
{
  g_autoptr(GKeyFile) config = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  gint64 value;

  if (!g_key_file_load_from_file (config, path, G_KEY_FILE_NONE, error))
    return FALSE;

  value = g_key_file_get_int64 (config, "relay", "max-body-bytes", &local_error);
  if (local_error == NULL)
    {
      if (value < 1024 || value > 16 * 1024 * 1024)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "%s: [relay] max-body-bytes must be 1024 to 16777216", path);
          return FALSE;
        }
      *max_body_bytes = value;
    }
  else if (!g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND) &&
           !g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", path);
      return FALSE;
    }
  g_clear_error (&local_error);

  value = g_key_file_get_int64 (config, "relay", "clock-skew", &local_error);
  if (local_error == NULL)
    {
      if (value < 1 || value > 3600)
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       "%s: [relay] clock-skew must be 1 to 3600 seconds", path);
          return FALSE;
        }
      *clock_skew = value;
    }
  else if (!g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND) &&
           !g_error_matches (local_error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", path);
      return FALSE;
    }

  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *listen = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *address = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(WwRelayStoreSqlite) store = NULL;
  g_autoptr(WwRelayServer) server = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  gsize max_body_bytes = WW_RELAY_DEFAULT_MAX_BODY_BYTES;
  guint clock_skew = WW_RELAY_DEFAULT_CLOCK_SKEW;
  guint port = 0;
  const GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, "Address and port to listen on (127.0.0.1:8765)", "ADDR:PORT" },
    { "db", 'd', 0, G_OPTION_ARG_FILENAME, &db_path, "The SQLite store (user data dir/wegwijzer/relay.db)", "FILE" },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "A key file with a [relay] group", "FILE" },
    { NULL }
  };

  setlocale (LC_ALL, "");

  context = g_option_context_new ("— the Wegwijzer appointment relay");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      !parse_listen (listen ? listen : "127.0.0.1:8765", &address, &port, &error) ||
      (config_path && !read_config (config_path, &max_body_bytes, &clock_skew, &error)))
    {
      g_printerr ("wegwijzer-relay: %s\n", error->message);
      return EXIT_FAILURE;
    }

  if (db_path == NULL)
    {
      g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "wegwijzer", NULL);

      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          g_printerr ("wegwijzer-relay: cannot make %s: %s\n", dir, g_strerror (errno));
          return EXIT_FAILURE;
        }
      db_path = g_build_filename (dir, "relay.db", NULL);
    }

  if (!(store = ww_relay_store_sqlite_new (db_path, &error)))
    {
      g_printerr ("wegwijzer-relay: %s\n", error->message);
      return EXIT_FAILURE;
    }

  server = ww_relay_server_new (WW_RELAY_STORE (store), max_body_bytes, clock_skew);
  if (!ww_relay_server_listen (server, address, port, &error))
    {
      g_printerr ("wegwijzer-relay: cannot listen on %s:%u: %s\n", address, port, error->message);
      return EXIT_FAILURE;
    }

  g_message ("Listening on %s:%u, store %s", address, ww_relay_server_get_port (server), db_path);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);

  return EXIT_SUCCESS;
}
