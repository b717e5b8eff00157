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
#include <string.h>

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

typedef struct {
  gsize                 max_body_bytes;
  guint                 clock_skew;
  guint                 request_deadline;
  char                 *public_url;
  char                 *directory;
  char                 *tls_certificate;
  char                 *tls_key;
  gboolean              group_commit;
  WwRelayCourierConfig  delivery;
} RelayConfig;

static void
relay_config_clear (RelayConfig *config)
{
  g_clear_pointer (&config->public_url, g_free);
  g_clear_pointer (&config->directory, g_free);
  g_clear_pointer (&config->tls_certificate, g_free);
  g_clear_pointer (&config->tls_key, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RelayConfig, relay_config_clear)

static gboolean
is_missing (const GError *error)
{
  return g_error_matches (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND) ||
         g_error_matches (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND);
}

/* Reads [group] key into *value when it is there, within min..max. */
static gboolean
read_number (GKeyFile    *keys,
             const char  *path,
             const char  *group,
             const char  *key,
             gint64       min,
             gint64       max,
             guint64     *value,
             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  gint64 number = g_key_file_get_int64 (keys, group, key, &local_error);

  if (local_error != NULL)
    {
      if (is_missing (local_error))
        return TRUE;
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "%s: [%s] %s must be a whole number", path, group, key);
      return FALSE;
    }
  if (number < min || number > max)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "%s: [%s] %s must be %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT,
                   path, group, key, min, max);
      return FALSE;
    }
  *value = number;
  return TRUE;
}

static gboolean
read_text (GKeyFile    *keys,
           const char  *path,
           const char  *group,
           const char  *key,
           char       **value,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *text = g_key_file_get_string (keys, group, key, &local_error);

  if (local_error != NULL)
    {
      if (is_missing (local_error))
        return TRUE;
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s: ", path);
      return FALSE;
    }
  g_free (*value);
  *value = g_steal_pointer (&text);
  return TRUE;
}

/* The [relay], [store] and [delivery] groups; data/wegwijzer-relay.conf
 * documents every key. */
static gboolean
read_config (const char   *path,
             RelayConfig  *config,
             GError      **error)
{
  g_autoptr(GKeyFile) keys = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  guint64 max_body = config->max_body_bytes;
  guint64 skew = config->clock_skew;
  guint64 deadline = config->request_deadline;
  guint64 base = config->delivery.backoff_base;
  guint64 max = config->delivery.backoff_max;
  guint64 give_up = config->delivery.give_up_after;
  guint64 timeout = config->delivery.timeout;
  gboolean group_commit;

  if (!g_key_file_load_from_file (keys, path, G_KEY_FILE_NONE, error))
    {
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }

  if (!read_number (keys, path, "relay", "max-body-bytes", 1024, 16 * 1024 * 1024, &max_body, error) ||
      !read_number (keys, path, "relay", "clock-skew", 1, 3600, &skew, error) ||
      !read_number (keys, path, "relay", "request-deadline", 1, 300, &deadline, error) ||
      !read_text (keys, path, "relay", "public-url", &config->public_url, error) ||
      !read_text (keys, path, "relay", "directory", &config->directory, error) ||
      !read_text (keys, path, "relay", "tls-certificate", &config->tls_certificate, error) ||
      !read_text (keys, path, "relay", "tls-key", &config->tls_key, error) ||
      !read_number (keys, path, "delivery", "backoff-base", 1, 86400, &base, error) ||
      !read_number (keys, path, "delivery", "backoff-max", 1, 7 * 86400, &max, error) ||
      !read_number (keys, path, "delivery", "give-up-after", 1, 365 * 86400, &give_up, error) ||
      !read_number (keys, path, "delivery", "timeout", 1, 600, &timeout, error))
    return FALSE;

  group_commit = g_key_file_get_boolean (keys, "store", "group-commit", &local_error);
  if (local_error == NULL)
    config->group_commit = group_commit;
  else if (!is_missing (local_error))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "%s: [store] group-commit must be true or false", path);
      return FALSE;
    }

  if (base > max)
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "%s: [delivery] backoff-base must not be more than backoff-max", path);
      return FALSE;
    }
  if ((config->tls_certificate == NULL) != (config->tls_key == NULL))
    {
      g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                   "%s: [relay] tls-certificate and tls-key go together", path);
      return FALSE;
    }

  config->max_body_bytes = max_body;
  config->clock_skew = skew;
  config->request_deadline = deadline;
  config->delivery.backoff_base = base;
  config->delivery.backoff_max = max;
  config->delivery.give_up_after = give_up;
  config->delivery.timeout = timeout;
  return TRUE;
}

static gboolean
check_public_url (const char  *url,
                  GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL ||
      (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0) ||
      g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "the public URL '%s' must be http:// or https:// with a host, and no query",
                   url);
      return FALSE;
    }
  return TRUE;
}

/* Builds the store's booking index (see ww-relay-store-sqlite.c). */
static gboolean
index_bookings (WwRelayStore  *store,
                GError       **error)
{
  gint64 started = g_get_monotonic_time ();
  gint64 bookings = ww_relay_store_count_bookings (store, error);

  if (bookings < 0)
    return FALSE;
  g_debug ("Indexed %" G_GINT64_FORMAT " bookings in %.2f s", bookings,
           (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *listen = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *public_url = NULL;
  g_autofree char *directory_path = NULL;
  g_autofree char *address = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(WwRelayStoreSqlite) store = NULL;
  g_autoptr(WwRelayServer) server = NULL;
  g_autoptr(WwDirectory) directory = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_auto(RelayConfig) config = {
    .max_body_bytes = WW_RELAY_DEFAULT_MAX_BODY_BYTES,
    .clock_skew = WW_RELAY_DEFAULT_CLOCK_SKEW,
    .request_deadline = WW_RELAY_DEFAULT_REQUEST_DEADLINE,
    .group_commit = TRUE,
    .delivery = {
      .backoff_base = WW_RELAY_COURIER_DEFAULT_BACKOFF_BASE,
      .backoff_max = WW_RELAY_COURIER_DEFAULT_BACKOFF_MAX,
      .give_up_after = WW_RELAY_COURIER_DEFAULT_GIVE_UP_AFTER,
      .timeout = WW_RELAY_COURIER_DEFAULT_TIMEOUT,
    },
  };
  guint port = 0;
  const GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, "Address and port to listen on (127.0.0.1:8765)", "ADDR:PORT" },
    { "db", 'd', 0, G_OPTION_ARG_FILENAME, &db_path, "The SQLite store (user data dir/wegwijzer/relay.db)", "FILE" },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "A key file with [relay], [store] and [delivery] groups", "FILE" },
    { "public-url", 0, 0, G_OPTION_ARG_STRING, &public_url, "Where phones and providers reach this relay (http://ADDR:PORT)", "URL" },
    { "directory", 0, 0, G_OPTION_ARG_FILENAME, &directory_path, "A directory database to serve at /v1/directory", "FILE" },
    { NULL }
  };

  setlocale (LC_ALL, "");

  context = g_option_context_new ("— the Wegwijzer appointment relay");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      !parse_listen (listen ? listen : "127.0.0.1:8765", &address, &port, &error) ||
      (config_path && !read_config (config_path, &config, &error)))
    {
      g_printerr ("wegwijzer-relay: %s\n", error->message);
      return EXIT_FAILURE;
    }

  /* flags win over the key file */
  if (public_url != NULL)
    {
      g_free (config.public_url);
      config.public_url = g_steal_pointer (&public_url);
    }
  if (directory_path != NULL)
    {
      g_free (config.directory);
      config.directory = g_steal_pointer (&directory_path);
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
  ww_relay_store_sqlite_set_group_commit (store, config.group_commit);

  /* the booking index is built now, not on the first visitor's request */
  if (!index_bookings (WW_RELAY_STORE (store), &error))
    {
      g_printerr ("wegwijzer-relay: %s\n", error->message);
      return EXIT_FAILURE;
    }

  server = ww_relay_server_new (WW_RELAY_STORE (store), config.max_body_bytes, config.clock_skew);
  ww_relay_server_set_request_deadline (server, config.request_deadline);

  if (config.tls_certificate != NULL)
    {
      g_autoptr(GTlsCertificate) certificate =
        g_tls_certificate_new_from_files (config.tls_certificate, config.tls_key, &error);

      if (certificate == NULL)
        {
          g_printerr ("wegwijzer-relay: cannot read the TLS certificate %s: %s\n",
                      config.tls_certificate, error->message);
          return EXIT_FAILURE;
        }
      ww_relay_server_set_tls_certificate (server, certificate);
    }

  if (config.directory != NULL)
    {
      /* only read: the admin tool and the plugins' seeding write it */
      if (!(directory = ww_directory_open_read_only (config.directory, &error)))
        {
          g_printerr ("wegwijzer-relay: cannot open the directory %s: %s\n",
                      config.directory, error->message);
          return EXIT_FAILURE;
        }
      ww_relay_server_set_directory (server, directory);
    }

  if (!ww_relay_server_listen (server, address, port, &error))
    {
      g_printerr ("wegwijzer-relay: cannot listen on %s:%u: %s\n", address, port, error->message);
      return EXIT_FAILURE;
    }

  if (config.public_url == NULL)
    config.public_url = g_strdup_printf ("%s://%s%s%s:%u",
                                         config.tls_certificate != NULL ? "https" : "http",
                                         strchr (address, ':') ? "[" : "", address,
                                         strchr (address, ':') ? "]" : "",
                                         ww_relay_server_get_port (server));
  if (!check_public_url (config.public_url, &error))
    {
      g_printerr ("wegwijzer-relay: %s\n", error->message);
      return EXIT_FAILURE;
    }
  ww_relay_server_set_public_url (server, config.public_url);
  ww_relay_server_start_delivery (server, &config.delivery);

  g_message ("Listening on %s:%u, store %s", address, ww_relay_server_get_port (server), db_path);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);

  return EXIT_SUCCESS;
}
