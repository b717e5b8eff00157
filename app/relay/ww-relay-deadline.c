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
 * When the deadline passes, the socket is shut down in both directions.
 * The fd stays open and stays libsoup's to close: its pending read simply
 * sees end-of-file, as if the client had hung up, and it takes the path it
 * always takes for that (the message finishes as interrupted, the
 * connection is disconnected and unreferenced), and the client sees the
 * connection closed. Closing the fd ourselves instead would leave libsoup
 * polling a descriptor that the next accept() may reuse.
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

static void
deadline_source_free (gpointer data)
{
  GSource *source = data;

  g_source_destroy (source);
  g_source_unref (source);
}

static gboolean
deadline_passed_cb (gpointer user_data)
{
  GSocket *socket = user_data;
  g_autoptr(GError) error = NULL;

  /* Destroys this source; GLib keeps it alive until we return. */
  g_object_set_data (G_OBJECT (socket), DEADLINE_KEY, NULL);

  if (g_socket_is_closed (socket))
    return G_SOURCE_REMOVE;

  g_debug ("A request was not read in time; closing its connection");
  if (!g_socket_shutdown (socket, TRUE, TRUE, &error))
    g_debug ("Could not shut down a late client's socket: %s", error->message);

  return G_SOURCE_REMOVE;
}

static void
arm (GSocket *socket,
     guint    seconds)
{
  GSource *source;

  source = g_timeout_source_new (seconds * 1000);
  g_source_set_static_name (source, "[wegwijzer-relay] request deadline");
  g_source_set_callback (source, deadline_passed_cb, socket, NULL);
  /* where SoupServer runs: it emits its signals from that context */
  g_source_attach (source, g_main_context_get_thread_default ());

  /* replaces (and so destroys) a deadline already running */
  g_object_set_data_full (G_OBJECT (socket), DEADLINE_KEY, source,
                          deadline_source_free);
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  GSocket *socket = soup_server_message_get_socket (msg);

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
  GSocket *socket = soup_server_message_get_socket (msg);

  if (socket != NULL)
    g_object_set_data (G_OBJECT (socket), DEADLINE_KEY, NULL);
}

static void
request_done_cb (SoupServer        *server,
                 SoupServerMessage *msg,
                 gpointer           user_data)
{
  GSocket *socket = soup_server_message_get_socket (msg);

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
