/* bench-relay.c: durable bookings per second through wegwijzer-relay
 *
 *   bench-relay [--count N | --seconds S] [--relay PATH] [--admin PATH]
 *               [--dir DIR] [--bare-count N] [--keep]
 *
 * Starts a real wegwijzer-relay on loopback with a fresh store in a new
 * temporary directory, provisions a kiosk with wegwijzer-admin, and lets
 * 1, 16 and 64 clients (one thread and one keep-alive connection each)
 * send signed bookings back to back. A booking counts when it is
 * answered 201, which the relay only does once it is committed with
 * synchronous=FULL. Next to it runs the floor any durable store has on
 * that disk: a bare SQLite loop of one INSERT per transaction, WAL and
 * synchronous=FULL, in a file in the same directory. The relay runs
 * twice, with [store] group-commit=false and =true. A disk's flush rate
 * drifts by minutes, so the bare loop runs again between one number of
 * clients and the next, and each relay row is compared with the mean of
 * the bare rows just above and below it.
 *
 * Prints bookings per second, p50 and p99 latency (from the first byte
 * of the request sent to the last of the answer read) and the ratio of
 * relay to bare SQLite. Never run by `meson test`.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ww-relay-store-sqlite.h"
#include "ww-signature.h"

#ifndef WW_BENCH_RELAY
#define WW_BENCH_RELAY "wegwijzer-relay"
#endif
#ifndef WW_BENCH_ADMIN
#define WW_BENCH_ADMIN "wegwijzer-admin"
#endif

#define WARM_UP_BOOKINGS 20
#define ANSWER_CREATED 201
#define LISTENING "Listening on 127.0.0.1:"
#define ANSWER_BUFFER_BYTES 16384

static const guint concurrencies[] = { 1, 16, 64 };

/* The same shape as the kiosk sends, with the Idempotency-Key as a note. */
#define BOOKING_TEMPLATE \
  "{\"provider_id\":\"sample-clinic-1\",\"fields\":{\"topic\":\"sti-test\",\"note\":\"%s\"}," \
  "\"contact\":{\"method\":\"none\"},\"name\":\"Sample Visitor\",\"language\":\"nl\",\"consent\":true}"

typedef struct {
  guint16     port;
  const char *device_id;
  const char *secret;
  guint       count;      /* per client, or 0 to run until the deadline */
  gint64      deadline;   /* monotonic µs; set when the clients are let go */
  guint       seconds;

  /* every client connects first, then they start together */
  GMutex      lock;
  GCond       cond;
  guint       ready;
  gboolean    go;
} Run;

typedef struct {
  Run     *run;
  GThread *thread;
  GArray  *latencies;     /* gint64 µs, one per booking answered 201 */
  guint    failed;
  char    *first_failure;
} Client;

typedef struct {
  int   fd;
  char  buffer[ANSWER_BUFFER_BYTES];
  gsize length;
} Connection;

typedef struct {
  guint  done;
  guint  failed;
  double seconds;
  double rate;
  double p50_ms;
  double p99_ms;
} Figures;

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Nearest rank: the smallest latency that @p of the answers were within. */
static double
percentile_ms (GArray *sorted_us,
               double  p)
{
  guint rank;

  if (sorted_us->len == 0)
    return 0;
  rank = (guint) (p * sorted_us->len + 0.999999);
  rank = CLAMP (rank, 1, sorted_us->len);
  return g_array_index (sorted_us, gint64, rank - 1) / 1000.0;
}

static void
figures_from_latencies (Figures *figures,
                        GArray  *latencies,
                        gint64   elapsed_us)
{
  g_array_sort (latencies, compare_int64);
  figures->done = latencies->len;
  figures->seconds = elapsed_us / (double) G_USEC_PER_SEC;
  figures->rate = figures->seconds > 0 ? figures->done / figures->seconds : 0;
  figures->p50_ms = percentile_ms (latencies, 0.50);
  figures->p99_ms = percentile_ms (latencies, 0.99);
}

static gboolean
connection_open (Connection  *connection,
                 guint16      port,
                 GError     **error)
{
  struct sockaddr_in address = { 0 };
  int one = 1;
  int fd;

  connection->length = 0;
  fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "socket: %s", g_strerror (errno));
      return FALSE;
    }
  address.sin_family = AF_INET;
  address.sin_port = g_htons (port);
  address.sin_addr.s_addr = g_htonl (INADDR_LOOPBACK);
  if (connect (fd, (struct sockaddr *) &address, sizeof address) != 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "connecting to 127.0.0.1:%u: %s", port, g_strerror (errno));
      close (fd);
      return FALSE;
    }
  /* a request is one write and must not wait for an ACK */
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  connection->fd = fd;
  return TRUE;
}

static void
connection_close (Connection *connection)
{
  if (connection->fd >= 0)
    close (connection->fd);
  connection->fd = -1;
  connection->length = 0;
}

static gboolean
send_all (Connection  *connection,
          const char  *data,
          gsize        length,
          GError     **error)
{
  while (length > 0)
    {
      ssize_t sent = send (connection->fd, data, length, MSG_NOSIGNAL);

      if (sent < 0 && errno == EINTR)
        continue;
      if (sent <= 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE,
                       "sending a request: %s", g_strerror (errno));
          return FALSE;
        }
      data += sent;
      length -= sent;
    }
  return TRUE;
}

static gboolean
receive_more (Connection  *connection,
              GError     **error)
{
  ssize_t got;

  if (connection->length >= sizeof connection->buffer - 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   "an answer is over %u bytes", ANSWER_BUFFER_BYTES);
      return FALSE;
    }
  do
    got = recv (connection->fd, connection->buffer + connection->length,
                sizeof connection->buffer - 1 - connection->length, 0);
  while (got < 0 && errno == EINTR);
  if (got <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                   "the relay closed the connection: %s",
                   got == 0 ? "end of stream" : g_strerror (errno));
      return FALSE;
    }
  connection->length += got;
  connection->buffer[connection->length] = '\0';
  return TRUE;
}

/* One HTTP/1.1 answer. SoupServer gives a whole body with Content-Length;
 * anything else is reported rather than guessed at. */
static gboolean
read_answer (Connection  *connection,
             guint       *status,
             char       **body,
             gboolean    *closing,
             GError     **error)
{
  g_auto(GStrv) lines = NULL;
  g_autofree char *head = NULL;
  const char *end;
  gsize header_length;
  guint64 content_length = 0;
  gboolean have_length = FALSE;

  while (!(end = g_strstr_len (connection->buffer, connection->length, "\r\n\r\n")))
    if (!receive_more (connection, error))
      return FALSE;

  header_length = end + 4 - connection->buffer;
  head = g_strndup (connection->buffer, end - connection->buffer);
  lines = g_strsplit (head, "\r\n", -1);
  if (sscanf (lines[0], "HTTP/1.%*u %u", status) != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "not an HTTP answer: '%s'", lines[0]);
      return FALSE;
    }

  *closing = FALSE;
  for (guint i = 1; lines[i] != NULL; i++)
    {
      const char *colon = strchr (lines[i], ':');
      const char *value;

      if (colon == NULL)
        continue;
      for (value = colon + 1; *value == ' ' || *value == '\t'; value++)
        ;
      if (g_ascii_strncasecmp (lines[i], "Content-Length:", 15) == 0)
        have_length = g_ascii_string_to_unsigned (value, 10, 0, sizeof connection->buffer,
                                                  &content_length, NULL);
      else if (g_ascii_strncasecmp (lines[i], "Connection:", 11) == 0)
        *closing = g_ascii_strncasecmp (value, "close", 5) == 0;
      else if (g_ascii_strncasecmp (lines[i], "Transfer-Encoding:", 18) == 0)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       "the relay answered with Transfer-Encoding %s", value);
          return FALSE;
        }
    }
  if (!have_length)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "an answer %u without a usable Content-Length", *status);
      return FALSE;
    }

  while (connection->length < header_length + content_length)
    if (!receive_more (connection, error))
      return FALSE;

  *body = g_strndup (connection->buffer + header_length, content_length);
  connection->length -= header_length + content_length;
  memmove (connection->buffer, connection->buffer + header_length + content_length,
           connection->length);
  return TRUE;
}

static char *
new_booking_request (Run    *run,
                     gsize  *length,
                     GError **error)
{
  g_autofree char *key = g_uuid_string_random ();
  g_autofree char *msg_id = g_uuid_string_random ();
  g_autofree char *body = g_strdup_printf (BOOKING_TEMPLATE, key);
  g_autofree char *signature = NULL;
  gint64 timestamp = g_get_real_time () / G_USEC_PER_SEC;
  char *request;

  if (!(signature = ww_signature_sign (run->secret, msg_id, timestamp, body, strlen (body), error)))
    return NULL;

  request = g_strdup_printf ("POST /v1/bookings HTTP/1.1\r\n"
                             "Host: 127.0.0.1:%u\r\n"
                             "Content-Type: application/json\r\n"
                             "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                             "X-Wegwijzer-Device: %s\r\n"
                             "webhook-id: %s\r\n"
                             "webhook-timestamp: %" G_GINT64_FORMAT "\r\n"
                             "webhook-signature: %s\r\n"
                             "Idempotency-Key: %s\r\n"
                             "\r\n"
                             "%s",
                             run->port, strlen (body), run->device_id, msg_id, timestamp,
                             signature, key, body);
  *length = strlen (request);
  return request;
}

static void
client_fail (Client       *client,
             const char   *what)
{
  client->failed++;
  if (client->first_failure == NULL)
    client->first_failure = g_strdup (what);
}

static gboolean
client_done (Client *client,
             guint   sent)
{
  Run *run = client->run;

  if (run->count > 0)
    return sent >= run->count;
  return g_get_monotonic_time () >= run->deadline;
}

static gpointer
client_thread (gpointer data)
{
  Client *client = data;
  Run *run = client->run;
  Connection connection = { .fd = -1 };
  g_autoptr(GError) error = NULL;
  gboolean connected;

  connected = connection_open (&connection, run->port, &error);
  if (!connected)
    client_fail (client, error->message);

  g_mutex_lock (&run->lock);
  run->ready++;
  g_cond_broadcast (&run->cond);
  while (!run->go)
    g_cond_wait (&run->cond, &run->lock);
  g_mutex_unlock (&run->lock);

  for (guint sent = 0; connected && !client_done (client, sent); sent++)
    {
      g_autofree char *request = NULL;
      g_autofree char *body = NULL;
      gsize length = 0;
      guint status = 0;
      gboolean closing = FALSE;
      gint64 started;

      g_clear_error (&error);
      if (!(request = new_booking_request (run, &length, &error)))
        {
          client_fail (client, error->message);
          break;
        }

      started = g_get_monotonic_time ();
      if (!send_all (&connection, request, length, &error) ||
          !read_answer (&connection, &status, &body, &closing, &error))
        {
          client_fail (client, error->message);
          connection_close (&connection);
          g_clear_error (&error);
          connected = connection_open (&connection, run->port, &error);
          continue;
        }

      if (status == ANSWER_CREATED)
        {
          gint64 latency = g_get_monotonic_time () - started;

          g_array_append_val (client->latencies, latency);
        }
      else
        {
          g_autofree char *what = g_strdup_printf ("answered %u: %s", status, body);

          client_fail (client, what);
        }

      if (closing)
        {
          connection_close (&connection);
          g_clear_error (&error);
          connected = connection_open (&connection, run->port, &error);
        }
    }

  connection_close (&connection);
  return NULL;
}

/* @n_clients send bookings at once; returns what they got. */
static void
run_clients (Run       *run,
             guint      n_clients,
             Figures   *figures,
             char     **first_failure)
{
  g_autofree Client *clients = g_new0 (Client, n_clients);
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 started;

  run->ready = 0;
  run->go = FALSE;
  for (guint i = 0; i < n_clients; i++)
    {
      clients[i].run = run;
      clients[i].latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
      clients[i].thread = g_thread_new ("bench-client", client_thread, &clients[i]);
    }

  g_mutex_lock (&run->lock);
  while (run->ready < n_clients)
    g_cond_wait (&run->cond, &run->lock);
  started = g_get_monotonic_time ();
  run->deadline = started + (gint64) run->seconds * G_USEC_PER_SEC;
  run->go = TRUE;
  g_cond_broadcast (&run->cond);
  g_mutex_unlock (&run->lock);

  figures->failed = 0;
  for (guint i = 0; i < n_clients; i++)
    {
      g_thread_join (clients[i].thread);
      g_array_append_vals (latencies, clients[i].latencies->data, clients[i].latencies->len);
      g_array_unref (clients[i].latencies);
      figures->failed += clients[i].failed;
      if (*first_failure == NULL)
        *first_failure = g_steal_pointer (&clients[i].first_failure);
      g_free (clients[i].first_failure);
    }

  figures_from_latencies (figures, latencies, g_get_monotonic_time () - started);
}

static gboolean
exec_sql (sqlite3     *db,
          const char  *sql,
          GError     **error)
{
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", sql, sqlite3_errmsg (db));
      return FALSE;
    }
  return TRUE;
}

/* The floor: what the disk allows one committing writer. */
static gboolean
run_bare_sqlite (const char  *path,
                 guint        count,
                 guint        seconds,
                 Figures     *figures,
                 GError     **error)
{
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3 *db = NULL;
  sqlite3_stmt *insert = NULL;
  gboolean ok = FALSE;
  gint64 started, deadline;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "opening %s: %s", path, sqlite3_errmsg (db));
      goto out;
    }
  if (!exec_sql (db,
                 "PRAGMA journal_mode = WAL;"
                 "PRAGMA synchronous = FULL;"
                 "CREATE TABLE IF NOT EXISTS bookings ("
                 "  id TEXT PRIMARY KEY,"
                 "  payload TEXT NOT NULL,"
                 "  created_at INTEGER NOT NULL)",
                 error))
    goto out;
  if (sqlite3_prepare_v2 (db, "INSERT INTO bookings (id, payload, created_at) VALUES (?, ?, ?)",
                          -1, &insert, NULL) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "preparing: %s", sqlite3_errmsg (db));
      goto out;
    }

  started = g_get_monotonic_time ();
  deadline = started + (gint64) seconds * G_USEC_PER_SEC;
  for (guint i = 0; seconds > 0 ? g_get_monotonic_time () < deadline : i < count; i++)
    {
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *payload = g_strdup_printf (BOOKING_TEMPLATE, id);
      gint64 at = g_get_monotonic_time ();
      gint64 latency;

      if (!exec_sql (db, "BEGIN IMMEDIATE", error))
        goto out;
      sqlite3_bind_text (insert, 1, id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 2, payload, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (insert, 3, g_get_real_time () / G_USEC_PER_SEC);
      if (sqlite3_step (insert) != SQLITE_DONE)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "inserting: %s", sqlite3_errmsg (db));
          goto out;
        }
      sqlite3_reset (insert);
      if (!exec_sql (db, "COMMIT", error))
        goto out;
      latency = g_get_monotonic_time () - at;
      g_array_append_val (latencies, latency);
    }

  figures->failed = 0;
  figures_from_latencies (figures, latencies, g_get_monotonic_time () - started);
  ok = TRUE;

out:
  sqlite3_finalize (insert);
  sqlite3_close (db);
  return ok;
}

/* What the relay's store costs without HTTP: one thread writing bookings
 * one after another, each its own commit, as a request does (the
 * device and message-id look-ups included). */
static gboolean
run_store_alone (const char  *path,
                 guint        count,
                 guint        seconds,
                 Figures     *figures,
                 GError     **error)
{
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(WwRelayStoreSqlite) store = ww_relay_store_sqlite_new (path, error);
  g_autofree char *device_id = NULL;
  g_autofree char *secret = NULL;
  gint64 started, deadline;

  if (store == NULL ||
      !ww_relay_store_add_device (WW_RELAY_STORE (store), "Bench kiosk", &device_id, &secret, error))
    return FALSE;

  started = g_get_monotonic_time ();
  deadline = started + (gint64) seconds * G_USEC_PER_SEC;
  for (guint i = 0; seconds > 0 ? g_get_monotonic_time () < deadline : i < count; i++)
    {
      g_autofree char *id = g_uuid_string_random ();
      g_autofree char *msg_id = g_uuid_string_random ();
      g_autofree char *payload = g_strdup_printf (BOOKING_TEMPLATE, id);
      g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, payload, -1);
      g_autofree char *reference = g_strdup_printf ("B%07u", i);
      g_autofree char *found_secret = NULL;
      g_autofree char *answered = NULL;
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;
      WwRelayNewBooking booking = {
        .id = id, .reference = reference, .pin_hash = "sha256$00$00", .provider_id = "sample-clinic-1",
        .status = "received", .payload = payload, .created_at = now,
      };
      WwRelayRequestKeys keys = {
        .device_id = device_id, .msg_id = msg_id, .idempotency_key = id, .request_hash = hash, .now = now,
      };
      gint64 at = g_get_monotonic_time ();
      gint64 latency;
      gboolean revoked, seen;
      guint status;

      if (!ww_relay_store_lookup_device (WW_RELAY_STORE (store), device_id, &found_secret, &revoked, error) ||
          !ww_relay_store_message_seen (WW_RELAY_STORE (store), device_id, msg_id, &seen, error) ||
          !ww_relay_store_create_booking (WW_RELAY_STORE (store), &keys, &booking, ANSWER_CREATED, "{}",
                                          &status, &answered, error))
        return FALSE;
      latency = g_get_monotonic_time () - at;
      g_array_append_val (latencies, latency);
    }

  figures->failed = 0;
  figures_from_latencies (figures, latencies, g_get_monotonic_time () - started);
  return TRUE;
}

/* A kiosk made the way an operator makes one: {"id","secret"} on stdout. */
static gboolean
provision_kiosk (const char  *admin,
                 const char  *db,
                 char       **device_id,
                 char       **secret,
                 GError     **error)
{
  const char *argv[] = { admin, "kiosk", "add", "Bench kiosk", "--json", "--relay-db", db, NULL };
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *output = NULL;
  JsonObject *object;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, error);
  if (process == NULL ||
      !g_subprocess_communicate_utf8 (process, NULL, NULL, &output, NULL, error) ||
      !g_subprocess_wait_check (process, NULL, error) ||
      !json_parser_load_from_data (parser, output, -1, error))
    {
      g_prefix_error (error, "%s kiosk add: ", admin);
      return FALSE;
    }

  object = JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser))
           ? json_node_get_object (json_parser_get_root (parser)) : NULL;
  if (object == NULL ||
      !json_object_has_member (object, "id") || !json_object_has_member (object, "secret"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s kiosk add --json printed no id and secret: %s", admin, output);
      return FALSE;
    }
  *device_id = g_strdup (json_object_get_string_member (object, "id"));
  *secret = g_strdup (json_object_get_string_member (object, "secret"));
  return TRUE;
}

/* The relay's stderr goes to a file, so that it can never block on a
 * full pipe; the port is read from its "Listening on" line. */
static GSubprocess *
start_relay (const char  *relay,
             const char  *db,
             const char  *config,
             const char  *log,
             guint16     *port,
             GError     **error)
{
  const char *argv[] = { relay, "--listen", "127.0.0.1:0", "--db", db, "--config", config, NULL };
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) process = NULL;
  gint64 give_up = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  if (!(process = g_subprocess_launcher_spawnv (launcher, argv, error)))
    return NULL;

  while (g_get_monotonic_time () < give_up)
    {
      g_autofree char *text = NULL;
      g_autofree char *digits = NULL;
      const char *found;
      guint64 number;

      if (g_file_get_contents (log, &text, NULL, NULL) &&
          (found = strstr (text, LISTENING)) != NULL &&
          (digits = g_strndup (found + strlen (LISTENING), strspn (found + strlen (LISTENING), "0123456789"))) &&
          g_ascii_string_to_unsigned (digits, 10, 1, 65535, &number, NULL))
        {
          *port = number;
          return g_steal_pointer (&process);
        }
      /* no identifier once the relay has exited */
      if (g_subprocess_get_identifier (process) == NULL)
        break;
      g_usleep (10 * 1000);
    }

  g_subprocess_force_exit (process);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               "%s did not say where it listens; see %s", relay, log);
  return NULL;
}

static void
stop_relay (GSubprocess *process)
{
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, NULL);
}

static void
print_row (const char    *config,
           guint          clients,
           const Figures *figures,
           const Figures *bare)
{
  g_autofree char *ratio = bare ? g_strdup_printf ("%.2f", figures->rate / bare->rate) : g_strdup ("-");

  g_print ("%-20s %7u %9u %7u %8.2f %11.1f %7.2f %7.2f %11s\n",
           config, clients, figures->done, figures->failed, figures->seconds,
           figures->rate, figures->p50_ms, figures->p99_ms, ratio);
}

static gboolean
run_config (const char  *relay,
            const char  *admin,
            const char  *dir,
            gboolean     group_commit,
            guint        count,
            guint        seconds,
            guint        bare_count,
            GError     **error)
{
  const char *setting = group_commit ? "true" : "false";
  g_autofree char *label = g_strdup_printf ("group-commit=%s", setting);
  g_autofree char *config = g_strdup_printf ("%s/group-commit-%s.conf", dir, setting);
  g_autofree char *config_text = g_strdup_printf ("[store]\ngroup-commit=%s\n", setting);
  g_autofree char *db = g_strdup_printf ("%s/relay-%s.db", dir, setting);
  g_autofree char *log = g_strdup_printf ("%s/relay-%s.log", dir, setting);
  g_autofree char *bare_db = g_strdup_printf ("%s/bare-%s.db", dir, setting);
  g_autofree char *device_id = NULL;
  g_autofree char *secret = NULL;
  g_autoptr(GSubprocess) process = NULL;
  Figures bare = { 0 };
  Figures warm_up = { 0 };
  g_autofree char *warm_up_failure = NULL;
  Run run = { 0 };

  if (!run_bare_sqlite (bare_db, bare_count, seconds, &bare, error))
    return FALSE;
  print_row ("bare SQLite", 1, &bare, NULL);

  /* once: how much of the gap is the store's own work */
  if (!group_commit)
    {
      g_autofree char *store_db = g_strdup_printf ("%s/store-alone.db", dir);
      Figures store = { 0 };
      Figures after = { 0 };
      Figures around = { 0 };

      if (!run_store_alone (store_db, bare_count, seconds, &store, error) ||
          !run_bare_sqlite (bare_db, bare_count, seconds, &after, error))
        return FALSE;
      around.rate = (bare.rate + after.rate) / 2;
      print_row ("store alone", 1, &store, &around);
      print_row ("bare SQLite", 1, &after, NULL);
      bare = after;
    }

  if (!g_file_set_contents (config, config_text, -1, error) ||
      !provision_kiosk (admin, db, &device_id, &secret, error) ||
      !(process = start_relay (relay, db, config, log, &run.port, error)))
    return FALSE;

  g_mutex_init (&run.lock);
  g_cond_init (&run.cond);
  run.device_id = device_id;
  run.secret = secret;

  /* the first bookings open the store's pages and the relay's caches */
  run.count = WARM_UP_BOOKINGS;
  run_clients (&run, 1, &warm_up, &warm_up_failure);
  if (warm_up.failed > 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "the relay refused the warm-up bookings: %s (its log: %s)", warm_up_failure, log);
      stop_relay (process);
      return FALSE;
    }

  run.count = seconds > 0 ? 0 : count;
  run.seconds = seconds;
  for (guint i = 0; i < G_N_ELEMENTS (concurrencies); i++)
    {
      g_autofree char *first_failure = NULL;
      Figures figures = { 0 };
      Figures after = { 0 };
      Figures around = { 0 };

      run_clients (&run, concurrencies[i], &figures, &first_failure);
      if (!run_bare_sqlite (bare_db, bare_count, seconds, &after, error))
        {
          stop_relay (process);
          return FALSE;
        }
      around.rate = (bare.rate + after.rate) / 2;
      print_row (label, concurrencies[i], &figures, &around);
      if (first_failure != NULL)
        g_print ("    %u failed; the first: %s\n", figures.failed, first_failure);
      print_row ("bare SQLite", 1, &after, NULL);
      bare = after;
    }

  stop_relay (process);
  g_mutex_clear (&run.lock);
  g_cond_clear (&run.cond);
  return TRUE;
}

static void
remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_unlink (child);
    }
  g_rmdir (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *relay = NULL;
  g_autofree char *admin = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *dir = NULL;
  int count = 200;
  int seconds = 0;
  int bare_count = 2000;
  gboolean keep = FALSE;
  gboolean ok = TRUE;
  GOptionEntry entries[] = {
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "Bookings per client per run (default 200)", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "Run each for S seconds instead of --count", "S" },
    { "relay", 0, 0, G_OPTION_ARG_FILENAME, &relay, "The wegwijzer-relay to start (default: the built one)", "PATH" },
    { "admin", 0, 0, G_OPTION_ARG_FILENAME, &admin, "The wegwijzer-admin to provision a kiosk with", "PATH" },
    { "dir", 0, 0, G_OPTION_ARG_FILENAME, &parent, "Where to make the temporary directory (default $TMPDIR): the disk measured", "DIR" },
    { "bare-count", 0, 0, G_OPTION_ARG_INT, &bare_count, "Inserts of the bare SQLite loop (default 2000)", "N" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the temporary directory (stores and relay logs)", NULL },
    { NULL }
  };

  context = g_option_context_new ("— durable bookings per second through wegwijzer-relay");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      count <= 0 || seconds < 0 || bare_count <= 0)
    {
      g_printerr ("bench-relay: %s\n", error ? error->message : "--count, --seconds and --bare-count must be positive");
      return EXIT_FAILURE;
    }
  if (relay == NULL)
    relay = g_strdup (WW_BENCH_RELAY);
  if (admin == NULL)
    admin = g_strdup (WW_BENCH_ADMIN);

  dir = g_build_filename (parent ? parent : g_get_tmp_dir (), "bench-relay-XXXXXX", NULL);
  if (g_mkdtemp (dir) == NULL)
    {
      g_printerr ("bench-relay: cannot make %s: %s\n", dir, g_strerror (errno));
      return EXIT_FAILURE;
    }

  g_print ("relay:   %s\n", relay);
  g_print ("stores:  %s (relay and bare SQLite on the same disk)\n", dir);
  if (seconds > 0)
    g_print ("load:    each client for %d s, back to back; bare SQLite for %d s\n", seconds, seconds);
  else
    g_print ("load:    %d bookings per client, back to back; bare SQLite %d inserts\n", count, bare_count);
  g_print ("bare:    one INSERT per transaction, journal_mode=WAL, synchronous=FULL\n");
  g_print ("relay:   a booking counts when answered 201; latency is send to answer read\n\n");
  g_print ("%-20s %7s %9s %7s %8s %11s %7s %7s %11s\n",
           "config", "clients", "bookings", "failed", "seconds", "bookings/s", "p50 ms", "p99 ms", "relay/bare");

  for (guint i = 0; ok && i < 2; i++)
    {
      gboolean group_commit = i == 1;

      ok = run_config (relay, admin, dir, group_commit, count, seconds, bare_count, &error);
      if (!ok)
        g_printerr ("bench-relay: %s\n", error->message);
    }

  /* on failure the relay's log is what says why */
  if (keep || !ok)
    g_print ("\nkept %s\n", dir);
  else
    remove_dir (dir);
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
