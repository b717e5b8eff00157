/* ww-admin-provider.c: wegwijzer-admin provider set-webhook|add-inbox|list
 *
 * How the relay reaches a provider: a webhook that bookings are POSTed
 * to (signed with a secret that the provider also signs its answers
 * with), and web inboxes opened by a secret link. Secrets and keys are
 * shown once, when they are made; list never shows one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "ww-admin-private.h"

#define MAX_PROVIDER_ID 200
#define DEFAULT_RELAY_URL "http://127.0.0.1:8765"

typedef struct
{
  char     *relay_db;
  char     *relay_url;
  gboolean  json;
} ProviderOptions;

static gboolean
check_provider_id (const char *id)
{
  gsize length = strlen (id);

  if (length == 0 || length > MAX_PROVIDER_ID)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isgraph (id[i]))
      return FALSE;
  return TRUE;
}

/* http:// or https:// with a host, nothing else */
static gboolean
check_web_url (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  return uri != NULL && g_uri_get_host (uri) != NULL && *g_uri_get_host (uri) != '\0' &&
         (g_strcmp0 (g_uri_get_scheme (uri), "https") == 0 ||
          g_strcmp0 (g_uri_get_scheme (uri), "http") == 0);
}

static int
provider_set_webhook (const ProviderOptions *options,
                      const char            *provider_id,
                      const char            *url)
{
  g_autoptr(WwRelayStoreSqlite) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;

  if (!check_web_url (url))
    {
      ww_admin_printerr (_("“%s” is not a web address; give the provider’s https:// address"), url);
      return WW_ADMIN_EXIT_DATA;
    }
  if (!(store = ww_admin_open_relay_store (options->relay_db, TRUE)))
    return WW_ADMIN_EXIT_FAILURE;

  if (!ww_relay_store_set_provider_webhook (WW_RELAY_STORE (store), provider_id, url, &secret, &error))
    {
      ww_admin_printerr (_("cannot set the webhook in %s: %s"), options->relay_db, error->message);
      return WW_ADMIN_EXIT_FAILURE;
    }

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "provider_id");
      json_builder_add_string_value (builder, provider_id);
      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, url);
      json_builder_set_member_name (builder, "secret");
      json_builder_add_string_value (builder, secret);
      json_builder_end_object (builder);
      ww_admin_print_json (builder);
    }
  else
    {
      g_print (_("Bookings for %s are now delivered to %s.\n"), provider_id, url);
      g_print ("secret: %s\n", secret);
      g_print (_("Give the secret to the provider now: it is not shown again. It checks the "
                 "deliveries’ signatures and signs the provider’s answers.\n"));
    }
  return WW_ADMIN_EXIT_OK;
}

static int
provider_add_inbox (const ProviderOptions *options,
                    const char            *provider_id)
{
  g_autoptr(WwRelayStoreSqlite) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  g_autofree char *link = NULL;
  const char *base = options->relay_url ? options->relay_url : DEFAULT_RELAY_URL;

  if (!check_web_url (base))
    {
      ww_admin_printerr (_("“%s” is not a web address; give the relay’s public address"), base);
      return WW_ADMIN_EXIT_DATA;
    }
  if (!(store = ww_admin_open_relay_store (options->relay_db, TRUE)))
    return WW_ADMIN_EXIT_FAILURE;

  if (!ww_relay_store_add_provider_inbox (WW_RELAY_STORE (store), provider_id, &key, &error))
    {
      ww_admin_printerr (_("cannot add the inbox to %s: %s"), options->relay_db, error->message);
      return WW_ADMIN_EXIT_FAILURE;
    }
  link = g_strdup_printf ("%.*s/inbox/%s",
                          (int) (strlen (base) - (g_str_has_suffix (base, "/") ? 1 : 0)), base, key);

  if (options->json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "provider_id");
      json_builder_add_string_value (builder, provider_id);
      json_builder_set_member_name (builder, "link");
      json_builder_add_string_value (builder, link);
      json_builder_set_member_name (builder, "key");
      json_builder_add_string_value (builder, key);
      json_builder_end_object (builder);
      ww_admin_print_json (builder);
    }
  else
    {
      g_print (_("Made an inbox for %s:\n"), provider_id);
      g_print ("%s\n", link);
      g_print (_("Send this link to the provider in a safe way: whoever has it can read and "
                 "answer the provider’s requests. It is not shown again.\n"));
    }
  return WW_ADMIN_EXIT_OK;
}

static int
provider_list (const ProviderOptions *options)
{
  g_autoptr(WwRelayStoreSqlite) store = NULL;
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;

  if (!(store = ww_admin_open_relay_store (options->relay_db, FALSE)))
    return WW_ADMIN_EXIT_FAILURE;
  if (!(providers = ww_relay_store_list_providers (WW_RELAY_STORE (store), &error)))
    {
      ww_admin_printerr (_("cannot list the providers in %s: %s"), options->relay_db, error->message);
      return WW_ADMIN_EXIT_FAILURE;
    }

  if (options->json)
    {
      builder = json_builder_new ();
      json_builder_begin_array (builder);
    }
  for (guint i = 0; i < providers->len; i++)
    {
      WwRelayProvider *provider = g_ptr_array_index (providers, i);

      if (builder != NULL)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "provider_id");
          json_builder_add_string_value (builder, provider->id);
          json_builder_set_member_name (builder, "webhook");
          if (provider->webhook_url != NULL)
            json_builder_add_string_value (builder, provider->webhook_url);
          else
            json_builder_add_null_value (builder);
          json_builder_set_member_name (builder, "inboxes");
          json_builder_add_int_value (builder, provider->n_inboxes);
          json_builder_end_object (builder);
        }
      else
        g_print (g_dngettext (GETTEXT_PACKAGE, "%s  webhook: %s  %u inbox\n", "%s  webhook: %s  %u inboxes\n",
                              provider->n_inboxes),
                 provider->id, provider->webhook_url ? provider->webhook_url : _("none"),
                 provider->n_inboxes);
    }
  if (builder != NULL)
    {
      json_builder_end_array (builder);
      ww_admin_print_json (builder);
    }
  return WW_ADMIN_EXIT_OK;
}

int
ww_admin_provider (WwAdmin  *admin,
                   int       argc,
                   char    **argv)
{
  g_autofree char *relay_db = NULL;
  g_autofree char *relay_url = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "relay-db", 0, 0, G_OPTION_ARG_FILENAME, &relay_db,
      N_("The relay’s database (required)"), N_("FILE") },
    { "relay-url", 0, 0, G_OPTION_ARG_STRING, &relay_url,
      N_("The relay’s public address, for inbox links (http://127.0.0.1:8765)"), N_("URL") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print JSON, for scripts"), NULL },
    G_OPTION_ENTRY_NULL
  };
  ProviderOptions options = { 0 };
  const char *action;
  int status;

  if (!ww_admin_parse_options (admin, "provider",
                               N_("set-webhook PROVIDER URL | add-inbox PROVIDER | list"),
                               N_("Set up how wegwijzer-relay reaches a provider."),
                               N_("set-webhook PROVIDER URL   delivers the provider’s bookings to URL, signed;\n"
                                  "                           prints the secret, once\n"
                                  "add-inbox PROVIDER         makes a web inbox and prints its secret link, once\n"
                                  "list                       shows every provider’s webhook and inboxes"),
                               entries, &argc, &argv, &status))
    return status;

  if (argc < 2)
    return ww_admin_usage_error ("provider", _("provider needs set-webhook, add-inbox or list"));
  action = argv[1];
  if (relay_db == NULL || relay_db[0] == '\0')
    return ww_admin_usage_error ("provider", _("provider needs --relay-db FILE"));

  options.relay_db = relay_db;
  options.relay_url = relay_url;
  options.json = json;

  if (g_str_equal (action, "list"))
    {
      if (argc != 2)
        return ww_admin_usage_error ("provider", _("provider list takes no arguments"));
      return provider_list (&options);
    }

  if (!g_str_equal (action, "set-webhook") && !g_str_equal (action, "add-inbox"))
    return ww_admin_usage_error ("provider", _("unknown provider action “%s”; use set-webhook, add-inbox or list"),
                                 action);
  if (argc < 3 || !check_provider_id (argv[2]))
    return ww_admin_usage_error ("provider", _("give the provider’s id, as the directory lists it"));

  if (g_str_equal (action, "set-webhook"))
    {
      if (argc != 4)
        return ww_admin_usage_error ("provider", _("provider set-webhook takes a provider id and a URL"));
      return provider_set_webhook (&options, argv[2], argv[3]);
    }

  if (argc != 3)
    return ww_admin_usage_error ("provider", _("provider add-inbox takes one provider id"));
  return provider_add_inbox (&options, argv[2]);
}
