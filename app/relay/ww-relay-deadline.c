/* ww-relay-deadline.c: a time limit on reading each request
 *
 * A client that opens a connection and then sends its headers or body a
 * byte at a time (slowloris) would otherwise hold a connection, and the
 * memory behind it, for as long as it likes: libsoup sets no timeout of
 * its own on a server's sockets, and a timeout on idleness would be reset
 * by every trickled byte. So each connection gets one deadline at a time,
 * kept on its GSocket:
 *
 *  - armed when the server starts waiting for a request: when the
 *    connection is accepted ("request-started" of its first message, which
 *    libsoup 3.2 emits before anything has been read, before a TLS
 *    handshake too) and again when an answer has gone out and the
 *    connection stays open for the next one ("request-finished" and
 *    "request-aborted"). On a kept-alive connection libsoup emits
 *    "request-started" only once the first line of the next request is in,
 *    so arming there would let a client trickle that line for ever;
 *  - disarmed by "request-read", which SoupServer emits when headers and
 *    body are in and before it calls the handler, so the handler's own time
 *    (and a soup_server_message_pause() of it) does not count.
 *
 * When the deadline passes, the socket is shut down in both directions:
 * the client sees the connection closed at once. The fd stays open and
 * stays libsoup's to close: a read it has pending sees end-of-file, as if
 * the client had hung up, and it takes the path it always takes for that
 * (the message finishes as interrupted, the connection is disconnected).
 * Closing the fd ourselves straight away would leave libsoup polling a
 * descriptor that the next accept() may reuse. Only where libsoup has not
 * closed it a moment later (an idle kept-alive connection, which libsoup
 * 3.2 abandons on end-of-file; see close_leftover_cb()) is it closed here.
 *
 * The timer holds no reference: it lives in the socket's object data, so
 * when libsoup lets go of the socket first, the timer goes with it, and
 * while it can still fire the socket is there. Only a server on sockets
 * (soup_server_listen() and friends) is covered; one fed through
 * soup_server_accept_iostream() has no GSocket to watch. libsoup 3.2 has
 * no public way to enable HTTP/2 on a server, so requests on a connection
 * come one after the other, which this relies on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-relay-deadline"

#include "config.h"

#include "ww-relay-deadline.h"

#define DEADLINE_KEY "ww-relay-deadline"
#define CUT_KEY "ww-relay-deadline-cut"

/* How long libsoup has, after a late client's socket was shut down, to
 * close the connection itself; see close_leftover_cb(). */
#define CLOSE_GRACE_MS 1000

static void
timer_free (gpointer data)
{
  GSource *timer = data;

  g_source_destroy (timer);
  g_source_unref (timer);
}

/* Replaces (and so destroys) the socket's timer, if it has one. */
static void
set_timer (GSocket     *socket,
           guint        interval_ms,
           gint         priority,
           GSourceFunc  callback)
{
  GSource *timer = g_timeout_source_new (interval_ms);

  g_source_set_priority (timer, priority);
  g_source_set_static_name (timer, "[wegwijzer-relay] request deadline");
  g_source_set_callback (timer, callback, socket, NULL);
  /* where SoupServer runs: it emits its signals from that context */
  g_source_attach (timer, g_main_context_get_thread_default ());
  g_object_set_data_full (G_OBJECT (socket), DEADLINE_KEY, timer, timer_free);
}

static void
clear_timer (GSocket *socket)
{
  g_object_set_data (G_OBJECT (socket), DEADLINE_KEY, NULL);
}

/* libsoup 3.2 leaves a kept-alive connection open, and stops watching
 * it, when the end of the stream comes before the first line of the next
 * request: whether the client hung up or we shut the socket down. It
 * holds the fd until the server is disposed. Nothing of libsoup's polls
 * the socket then, so closing it here cannot confuse a source with a
 * reused descriptor; GSocket ignores the second close that libsoup makes
 * at the end. Anything else libsoup has already closed when this runs:
 * it runs at a lower priority than libsoup's sources, so even after a
 * stall of the main loop libsoup sees the end of the stream first. */
static gboolean
close_leftover_cb (gpointer user_data)
{
  GSocket *socket = user_data;
  g_autoptr(GError) error = NULL;

  /* Destroys this source; GLib keeps it alive until we return. */
  clear_timer (socket);

  if (!g_socket_is_closed (socket) && !g_socket_close (socket, &error))
    g_debug ("Could not close a late client's socket: %s", error->message);

  return G_SOURCE_REMOVE;
}

static gboolean
deadline_passed_cb (gpointer user_data)
{
  GSocket *socket = user_data;
  g_autoptr(GError) error = NULL;

  clear_timer (socket);
  if (g_socket_is_closed (socket))
    return G_SOURCE_REMOVE;

  g_debug ("A request was not read in time; closing its connection");
  g_object_set_data (G_OBJECT (socket), CUT_KEY, GINT_TO_POINTER (TRUE));
  if (!g_socket_shutdown (socket, TRUE, TRUE, &error))
    g_debug ("Could not shut down a late client's socket: %s", error->message);

  set_timer (socket, CLOSE_GRACE_MS, G_PRIORITY_LOW, close_leftover_cb);

  return G_SOURCE_REMOVE;
}

/* The socket of @msg's connection, if it is one we may still time. */
static GSocket *
get_live_socket (SoupServerMessage *msg)
{
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket == NULL || g_socket_is_closed (socket) ||
      g_object_get_data (G_OBJECT (socket), CUT_KEY) != NULL)
    return NULL;

  return socket;
}

static void
arm (GSocket *socket,
     guint    seconds)
{
  set_timer (socket, seconds * 1000, G_PRIORITY_DEFAULT, deadline_passed_cb);
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  GSocket *socket = get_live_socket (msg);

  /* A kept-alive connection's deadline has been running since the last
   * answer went out; the request that has now begun is still under it. */
  if (socket != NULL && g_object_get_data (G_OBJECT (socket), DEADLINE_KEY) == NULL)
    arm (socket, GPOINTER_TO_UINT (user_data));
}

static void
request_read_cb (SoupServer        *server,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  GSocket *socket = get_live_socket (msg);

  if (socket != NULL)
    clear_timer (socket);
}

static void
request_done_cb (SoupServer        *server,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  GSocket *socket = get_live_socket (msg);

  /* If libsoup closes the connection now instead of keeping it, the
   * deadline goes with the socket, or finds it closed. */
  if (socket != NULL)
    arm (socket, GPOINTER_TO_UINT (user_data));
}

/**
 * ww_relay_deadline_attach:
 * @server: a #SoupServer, before it accepts connections
 * @seconds: how long a client may take over each request, or 0 for no limit
 *
 * Closes a connection whose request has not been read completely, headers
 * and body, @seconds after the server began to wait for it: after the
 * connection was accepted, or after the previous answer on it went out.
 * Time spent in the handler does not count. Call it once per server.
 */
void
ww_relay_deadline_attach (SoupServer *server,
                          guint       seconds)
{
  gpointer data;

  g_return_if_fail (SOUP_IS_SERVER (server));

  if (seconds == 0)
    return;

  data = GUINT_TO_POINTER (MIN (seconds, G_MAXUINT / 1000));
  g_signal_connect (server, "request-started", G_CALLBACK (request_started_cb), data);
  g_signal_connect (server, "request-read", G_CALLBACK (request_read_cb), data);
  g_signal_connect (server, "request-finished", G_CALLBACK (request_done_cb), data);
  g_signal_connect (server, "request-aborted", G_CALLBACK (request_done_cb), data);
}
