/* ww-admin-sync.c: wegwijzer-admin sync --relay URL
 *
 * Brings this directory up to date with a relay's. GET
 * URL/v1/directory?since=N answers with what changed after change N (HSDS
 * NDJSON, removals as {"id","deleted":true}) and the number to ask from
 * next time; each answer is applied in one transaction together with
 * that number, so a sync that stops half-way goes on where it stopped.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-admin"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "ww-admin-private.h"

#define DELTA_CONTENT_TYPE "application/x-ndjson"
#define NEXT_SINCE_HEADER "X-Wegwijzer-Next-Since"
/* how long the relay may stay silent, in seconds */
#define SYNC_TIMEOUT 60
/* an error answer is a short problem+json; more is not read */
#define MAX_PROBLEM_BYTES (64 * 1024)

/* The relay's address without a trailing slash, or NULL when @text is
 * not an http(s) address of a host. */
static char *
dup_relay_address (const char *text)
{
  g_autoptr(GUri) uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  gsize length;

  if (uri == NULL ||
      (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
       g_strcmp0 (g_uri_get_scheme (uri), "https") != 0) ||
      g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0' ||
      g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    return NULL;

  length = strlen (text);
  while (length > 0 && text[length - 1] == '/')
    length--;

  return g_strndup (text, length);
}

static gboolean
is_loopback (const char *address)
{
  g_autoptr(GUri) uri = g_uri_parse (address, G_URI_FLAGS_NONE, NULL);
  g_autoptr(GInetAddress) inet = NULL;
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  inet = g_inet_address_new_from_string (host);
  return inet != NULL && g_inet_address_get_is_loopback (inet);
}

/* What a problem+json answer says ("detail", else "title"), or NULL. */
static char *
read_problem (SoupMessage  *message,
              GInputStream *stream)
{
  const char *type = soup_message_headers_get_content_type (soup_message_get_response_headers (message),
                                                            NULL);
  g_autofree char *data = g_malloc (MAX_PROBLEM_BYTES);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root;
  JsonObject *object;
  gsize length = 0;

  if (g_strcmp0 (type, "application/problem+json") != 0 &&
      g_strcmp0 (type, "application/json") != 0)
    return NULL;

  if (!g_input_stream_read_all (stream, data, MAX_PROBLEM_BYTES, &length, NULL, NULL) ||
      !json_parser_load_from_data (parser, data, length, NULL))
    return NULL;

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  object = json_node_get_object (root);

  for (guint i = 0; i < 2; i++)
    {
      const char *member = i == 0 ? "detail" : "title";
      JsonNode *node = json_object_get_member (object, member);

      if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
          json_node_get_value_type (node) == G_TYPE_STRING &&
          json_node_get_string (node)[0] != '\0')
        return g_strdup (json_node_get_string (node));
    }

  return NULL;
}

/* Fetches and applies the changes after @since; on failure the error
 * has been printed and the exit status is returned. */
static int
sync_page (WwAdmin                 *admin,
           SoupSession             *session,
           WwDirectory             *directory,
           const char              *relay,
           gint64                   since,
           gint64                  *next_since,
           WwDirectoryChangeCounts *counts)
{
  g_autofree char *address = g_strdup_printf ("%s/v1/directory?since=%" G_GINT64_FORMAT,
                                              relay, since);
  g_autoptr(SoupMessage) message = soup_message_new (SOUP_METHOD_GET, address);
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  WwDirectoryChangeCounts page = { 0 };
  SoupMessageHeaders *headers;
  const char *type, *next_text;
  gint64 next = 0;
  guint status;

  g_assert (message != NULL);
  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "Accept", DELTA_CONTENT_TYPE);

  stream = soup_session_send (session, message, NULL, &error);
  if (stream == NULL)
    {
      ww_admin_printerr (_("cannot reach the relay at %s: %s"), relay, error->message);
      return WW_ADMIN_EXIT_FAILURE;
    }

  status = soup_message_get_status (message);
  if (status != SOUP_STATUS_OK)
    {
      g_autofree char *problem = read_problem (message, stream);
      const char *reason = soup_message_get_reason_phrase (message);

      if (problem != NULL)
        ww_admin_printerr (_("the relay at %s answered %u %s: %s"),
                           relay, status, reason != NULL ? reason : "", problem);
      else
        ww_admin_printerr (_("the relay at %s answered %u %s"),
                           relay, status, reason != NULL ? reason : "");
      return WW_ADMIN_EXIT_FAILURE;
    }

  headers = soup_message_get_response_headers (message);
  type = soup_message_headers_get_content_type (headers, NULL);
  if (g_strcmp0 (type, DELTA_CONTENT_TYPE) != 0)
    {
      ww_admin_printerr (_("the relay at %s answered with “%s” instead of %s; "
                           "is that the address of a Wegwijzer relay?"),
                         relay, type != NULL ? type : _("no content type"), DELTA_CONTENT_TYPE);
      return WW_ADMIN_EXIT_DATA;
    }

  next_text = soup_message_headers_get_one (headers, NEXT_SINCE_HEADER);
  if (next_text == NULL ||
      !g_ascii_string_to_signed (next_text, 10, 0, G_MAXINT64, &next, NULL))
    {
      ww_admin_printerr (_("the relay at %s sent no valid %s header; "
                           "nothing was changed"), relay, NEXT_SINCE_HEADER);
      return WW_ADMIN_EXIT_DATA;
    }

  /* a relay never goes back; one that does is not the one synced from */
  if (next < since)
    {
      g_autofree char *next_string = g_strdup_printf ("%" G_GINT64_FORMAT, next);
      g_autofree char *since_string = g_strdup_printf ("%" G_GINT64_FORMAT, since);

      ww_admin_printerr (_("the relay at %s answered up to change %s, before change %s that "
                           "this directory has; nothing was changed"),
                         relay, next_string, since_string);
      return WW_ADMIN_EXIT_DATA;
    }

  if (!ww_directory_apply_changes (directory, stream, relay, next, &page, NULL, &error))
    {
      if (error->domain == WW_HSDS_ERROR)
        {
          ww_admin_printerr (_("the relay at %s sent changes that are not valid, "
                               "so none were applied: %s"), relay, error->message);
          return WW_ADMIN_EXIT_DATA;
        }

      ww_admin_printerr (_("cannot apply the changes from %s to %s: %s"),
                         relay, admin->db_path, error->message);
      return WW_ADMIN_EXIT_FAILURE;
    }

  counts->added += page.added;
  counts->changed += page.changed;
  counts->removed += page.removed;
  *next_since = next;

  return WW_ADMIN_EXIT_OK;
}

int
ww_admin_sync (WwAdmin  *admin,
               int       argc,
               char    **argv)
{
  g_autofree char *relay_option = NULL;
  const GOptionEntry entries[] = {
    { "relay", 0, 0, G_OPTION_ARG_STRING, &relay_option,
      N_("The relay’s address, such as https://relay.example.org (required)"), N_("URL") },
    G_OPTION_ENTRY_NULL
  };
  g_autofree char *relay = NULL;
  g_autofree char *reached = NULL;
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GError) error = NULL;
  WwDirectoryChangeCounts counts = { 0 };
  WwDirectory *directory;
  gint64 since = 0;
  int status;

  if (!ww_admin_parse_options (admin, "sync", NULL,
                               N_("Bring the directory up to date with a relay’s: fetch what changed\n"
                                  "there since the last sync and apply it, each answer all or nothing."),
                               N_("The relay answers GET URL/v1/directory?since=N with the listings\n"
                                  "changed after its change N. The directory remembers N for URL, so\n"
                                  "every sync fetches only what is new."),
                               entries, &argc, &argv, &status))
    return status;

  if (argc > 1)
    return ww_admin_usage_error ("sync", _("sync takes no arguments; give the relay with --relay URL"));

  if (relay_option == NULL || relay_option[0] == '\0')
    return ww_admin_usage_error ("sync", _("sync needs --relay URL"));

  relay = dup_relay_address (relay_option);
  if (relay == NULL)
    return ww_admin_usage_error ("sync", _("“%s” is not a relay address; give one such as "
                                           "https://relay.example.org"), relay_option);

  directory = ww_admin_open_directory (admin, &error);
  if (directory == NULL)
    {
      ww_admin_printerr ("%s", error->message);
      return WW_ADMIN_EXIT_FAILURE;
    }

  if (ww_directory_get_read_only (directory))
    {
      ww_admin_printerr (_("the directory %s is read-only; sync needs to write to it"),
                         admin->db_path);
      return WW_ADMIN_EXIT_FAILURE;
    }

  if (!ww_directory_get_sync_point (directory, relay, &since, &error))
    {
      ww_admin_printerr (_("cannot read %s: %s"), admin->db_path, error->message);
      return WW_ADMIN_EXIT_FAILURE;
    }

  session = soup_session_new_with_options ("timeout", SYNC_TIMEOUT,
                                           "user-agent", "wegwijzer-admin/" PACKAGE_VERSION,
                                           NULL);
  /* a relay on this machine is never behind a proxy, and asking the
   * desktop's proxy settings could fail where there is no desktop */
  if (is_loopback (relay))
    soup_session_set_proxy_resolver (session, NULL);

  /* An answer may hold part of the changes; ask again from where it
   * ended until nothing more comes. */
  for (;;)
    {
      gint64 next = since;

      status = sync_page (admin, session, directory, relay, since, &next, &counts);
      if (status != WW_ADMIN_EXIT_OK)
        return status;
      if (next <= since)
        break;
      since = next;
    }

  reached = g_strdup_printf ("%" G_GINT64_FORMAT, since);
  g_print (_("Synced with %s up to change %s: %u added, %u changed, %u removed\n"),
           relay, reached, counts.added, counts.changed, counts.removed);

  return WW_ADMIN_EXIT_OK;
}
