/* test-relay-deadline.c: a client too slow with its request is cut off
 *
 * A plain SoupServer with ww_relay_deadline_attach() runs on a thread of
 * its own, so that the tests can be raw, blocking clients that send as
 * little and as slowly as they like.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "ww-relay-deadline.h"

#define DEADLINE_SECONDS 1
/* Only how long a client waits before it calls the server hung, so that a
 * missing deadline fails a test instead of hanging it. No test measures
 * how soon a connection is closed. */
#define GIVE_UP_SECONDS 30
/* How long the handler of /pause keeps its message paused: longer than
 * the deadline, which must not count the handler's time. */
#define PAUSE_MS (DEADLINE_SECONDS * 1000 * 2)
#define TRICKLE_INTERVAL_MS 200

#define GET_REQUEST "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

typedef struct {
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  GMutex        mutex;
  GCond         cond;
  guint         port;
  /* open sockets of this process with the server listening, and no
   * connection */
  guint         idle_sockets;
} Fixture;

static void
answer_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "ok", 2);
}

static gboolean
unpause_cb (gpointer user_data)
{
  SoupServerMessage *msg = user_data;

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "late", 4);
  soup_server_message_unpause (msg);

  return G_SOURCE_REMOVE;
}

/* As a handler that waits on something else (the store, say) does. */
static void
pause_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  g_autoptr(GSource) source = g_timeout_source_new (PAUSE_MS);

  soup_server_message_pause (msg);
  g_source_set_callback (source, unpause_cb, g_object_ref (msg), g_object_unref);
  g_source_attach (source, g_main_context_get_thread_default ());
}

static gpointer
server_thread (gpointer user_data)
{
  Fixture *fixture = user_data;
  g_autoptr(SoupServer) server = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autoptr(GError) error = NULL;

  g_main_context_push_thread_default (fixture->context);

  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, "/", answer_cb, NULL, NULL);
  soup_server_add_handler (server, "/pause", pause_cb, NULL, NULL);
  ww_relay_deadline_attach (server, DEADLINE_SECONDS);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  g_assert_nonnull (uris);

  g_mutex_lock (&fixture->mutex);
  fixture->port = g_uri_get_port (uris->data);
  g_cond_signal (&fixture->cond);
  g_mutex_unlock (&fixture->mutex);

  g_main_loop_run (fixture->loop);

  soup_server_disconnect (server);
  g_clear_object (&server);
  /* the connections' last callbacks, while their context is still ours */
  while (g_main_context_iteration (fixture->context, FALSE))
    ;
  g_main_context_pop_thread_default (fixture->context);

  return NULL;
}

/* The server runs in this process, so its connections are in here too. */
static guint
count_open_sockets (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, &error);
  const char *name;
  guint sockets = 0;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc/self/fd", name, NULL);
      g_autofree char *target = g_file_read_link (path, NULL);

      if (target != NULL && g_str_has_prefix (target, "socket:"))
        sockets++;
    }

  return sockets;
}

/* Waits, at most GIVE_UP_SECONDS, for the server to have closed every
 * connection but @kept. */
static void
assert_server_lets_go (Fixture *fixture,
                       guint    kept)
{
  guint expected = fixture->idle_sockets + kept;

  for (guint i = 0; i < GIVE_UP_SECONDS * 20 && count_open_sockets () != expected; i++)
    g_usleep (50 * G_TIME_SPAN_MILLISECOND);

  g_assert_cmpuint (count_open_sockets (), ==, expected);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_mutex_init (&fixture->mutex);
  g_cond_init (&fixture->cond);
  fixture->context = g_main_context_new ();
  fixture->loop = g_main_loop_new (fixture->context, FALSE);
  fixture->thread = g_thread_new ("test-relay-deadline-server", server_thread, fixture);

  g_mutex_lock (&fixture->mutex);
  while (fixture->port == 0)
    g_cond_wait (&fixture->cond, &fixture->mutex);
  g_mutex_unlock (&fixture->mutex);

  fixture->idle_sockets = count_open_sockets ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  /* every test has closed its clients; no connection may be left over */
  assert_server_lets_go (fixture, 0);

  g_main_loop_quit (fixture->loop);
  g_thread_join (fixture->thread);
  g_main_loop_unref (fixture->loop);
  g_main_context_unref (fixture->context);
  g_cond_clear (&fixture->cond);
  g_mutex_clear (&fixture->mutex);
}

static GSocketConnection *
client_connect (Fixture *fixture)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, fixture->port);
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;

  /* loopback needs no proxy; the default resolver would want GSettings */
  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_timeout (client, GIVE_UP_SECONDS);
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  g_assert_no_error (error);

  return connection;
}

static void
send_text (GSocketConnection *connection,
           const char        *text)
{
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all (output, text, strlen (text), NULL, NULL, &error);
  g_assert_no_error (error);
}

/* Returns FALSE at the end of the stream. A reset counts as an end too:
 * either way the server let go of the connection. */
static gboolean
receive_some (GSocketConnection *connection,
              GString           *received)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  g_autoptr(GError) error = NULL;
  char buffer[1024];
  gssize n;

  n = g_input_stream_read (input, buffer, sizeof buffer, NULL, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
    return FALSE;
  /* G_IO_ERROR_TIMED_OUT here: the server neither answered nor hung up */
  g_assert_no_error (error);
  if (n == 0)
    return FALSE;

  g_string_append_len (received, buffer, n);
  return TRUE;
}

/* Everything the server sends until it closes the connection. */
static char *
read_until_closed (GSocketConnection *connection)
{
  g_autoptr(GString) received = g_string_new (NULL);

  while (receive_some (connection, received))
    ;

  return g_strdup (received->str);
}

/* One answer on a connection that stays open, ending in @body. */
static char *
read_answer (GSocketConnection *connection,
             const char        *body)
{
  g_autoptr(GString) received = g_string_new (NULL);
  g_autofree char *ending = g_strconcat ("\r\n\r\n", body, NULL);

  while (!g_str_has_suffix (received->str, ending))
    g_assert_true (receive_some (connection, received));

  return g_strdup (received->str);
}

/* Sends one byte and waits a little for the server to hang up. */
static gboolean
trickle_and_see_closed (GSocketConnection *connection,
                        char               byte)
{
  GSocket *socket = g_socket_connection_get_socket (connection);
  g_autoptr(GString) received = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  if (g_socket_send (socket, &byte, 1, NULL, &error) < 0)
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED);
      return TRUE;
    }

  if (!g_socket_condition_timed_wait (socket, G_IO_IN, TRICKLE_INTERVAL_MS * G_TIME_SPAN_MILLISECOND,
                                      NULL, &error))
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
      return FALSE;
    }

  /* readable: the end of the stream, since a request never finished has
   * no answer */
  g_assert_false (receive_some (connection, received));
  g_assert_cmpstr (received->str, ==, "");
  return TRUE;
}

/* A byte every TRICKLE_INTERVAL_MS keeps coming; the server must hang up
 * all the same, well before GIVE_UP_SECONDS. */
static void
trickle_until_closed (GSocketConnection *connection)
{
  guint max_bytes = GIVE_UP_SECONDS * 1000 / TRICKLE_INTERVAL_MS;

  for (guint i = 0; i < max_bytes; i++)
    {
      if (trickle_and_see_closed (connection, 'a'))
        return;
    }

  g_assert_not_reached ();
}

static void
assert_ok (const char *answer,
           const char *body)
{
  g_assert_true (g_str_has_prefix (answer, "HTTP/1.1 200 OK\r\n"));
  g_assert_true (g_str_has_suffix (answer, body));
}

static void
test_half_headers (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = client_connect (fixture);
  g_autofree char *received = NULL;

  send_text (connection, "GET / HTTP/1.1\r\nHost: 127.");
  received = read_until_closed (connection);
  g_assert_cmpstr (received, ==, "");
}

static void
test_short_body (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = client_connect (fixture);
  g_autofree char *received = NULL;

  send_text (connection,
             "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
             "Content-Type: text/plain\r\nContent-Length: 100\r\n\r\n"
             "0123456789");
  received = read_until_closed (connection);
  g_assert_cmpstr (received, ==, "");
}

/* A client that asked to be told to go on, and then does not. */
static void
test_expect_continue (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = client_connect (fixture);
  g_autofree char *received = NULL;

  send_text (connection,
             "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
             "Content-Type: text/plain\r\nContent-Length: 100\r\n\r\n");
  received = read_until_closed (connection);
  g_assert_true (g_str_has_prefix (received, "HTTP/1.1 100 Continue\r\n"));
  g_assert_true (g_str_has_suffix (received, "\r\n\r\n"));
}

static void
test_trickled_headers (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = client_connect (fixture);

  send_text (connection, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
  trickle_until_closed (connection);
}

static void
test_normal_request (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = client_connect (fixture);
  g_autofree char *received = NULL;

  send_text (connection,
             "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
             "Content-Type: text/plain\r\nContent-Length: 10\r\n\r\n"
             "0123456789");
  received = read_until_closed (connection);
  assert_ok (received, "\r\n\r\nok");
}

static void
test_paused_handler (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = client_connect (fixture);
  g_autofree char *received = NULL;

  send_text (connection,
             "POST /pause HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
             "Content-Type: text/plain\r\nContent-Length: 10\r\n\r\n"
             "0123456789");
  received = read_until_closed (connection);
  assert_ok (received, "\r\n\r\nlate");
}

static void
test_keep_alive (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = client_connect (fixture);

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *answer = NULL;

      send_text (connection, GET_REQUEST);
      answer = read_answer (connection, "ok");
      assert_ok (answer, "\r\n\r\nok");
    }
}

static void
test_idle_keep_alive (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = client_connect (fixture);
  g_autofree char *answer = NULL;
  g_autofree char *received = NULL;

  send_text (connection, GET_REQUEST);
  answer = read_answer (connection, "ok");
  assert_ok (answer, "\r\n\r\nok");

  received = read_until_closed (connection);
  g_assert_cmpstr (received, ==, "");
  /* closed, not only shut down: libsoup 3.2 would keep the fd */
  assert_server_lets_go (fixture, 1);
}

/* libsoup announces the next request on a kept-alive connection only once
 * its first line is in: a request line that never ends must be cut off
 * too. */
static void
test_keep_alive_trickle (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = client_connect (fixture);
  g_autofree char *answer = NULL;

  send_text (connection, GET_REQUEST);
  answer = read_answer (connection, "ok");
  assert_ok (answer, "\r\n\r\nok");

  send_text (connection, "GET /");
  trickle_until_closed (connection);
}

/* Clients that hang up before their deadline: the deadlines must go with
 * their connections, not fire later on freed sockets (which the sanitizer
 * build and valgrind would report). */
static void
test_client_leaves_first (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GSocketConnection) idle = client_connect (fixture);
  g_autoptr(GSocketConnection) half = client_connect (fixture);
  g_autoptr(GSocketConnection) kept = client_connect (fixture);
  g_autoptr(GSocketConnection) after = NULL;
  g_autofree char *answer = NULL;
  g_autofree char *received = NULL;

  send_text (half, "GET / HTTP/1.1\r\nHo");
  send_text (kept, GET_REQUEST);
  answer = read_answer (kept, "ok");
  assert_ok (answer, "\r\n\r\nok");

  g_io_stream_close (G_IO_STREAM (idle), NULL, NULL);
  g_io_stream_close (G_IO_STREAM (half), NULL, NULL);
  g_io_stream_close (G_IO_STREAM (kept), NULL, NULL);

  /* libsoup 3.2 keeps the fd of a kept-alive connection that the client
   * closed; the deadline closes it. By then any deadline left behind on
   * the other two has fired too. */
  assert_server_lets_go (fixture, 0);

  after = client_connect (fixture);
  send_text (after, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  received = read_until_closed (after);
  assert_ok (received, "\r\n\r\nok");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/relay/deadline/half-headers", test_half_headers);
  ADD ("/relay/deadline/short-body", test_short_body);
  ADD ("/relay/deadline/expect-continue", test_expect_continue);
  ADD ("/relay/deadline/trickled-headers", test_trickled_headers);
  ADD ("/relay/deadline/normal-request", test_normal_request);
  ADD ("/relay/deadline/paused-handler", test_paused_handler);
  ADD ("/relay/deadline/keep-alive", test_keep_alive);
  ADD ("/relay/deadline/idle-keep-alive", test_idle_keep_alive);
  ADD ("/relay/deadline/keep-alive-trickle", test_keep_alive_trickle);
  ADD ("/relay/deadline/client-leaves-first", test_client_leaves_first);

#undef ADD

  return g_test_run ();
}
