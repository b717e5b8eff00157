/* ww-admin-kiosk.c: wegwijzer-admin kiosk add|list|revoke
 *
 * Provisions the devices that may sign requests to wegwijzer-relay,
 * straight in the relay's store. A secret is shown once, when it is
 * made; list never shows one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-admin"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "ww-admin-private.h"
#include "ww-relay-store-sqlite.h"

#define MAX_KIOSK_NAME_CHARS 80

typedef struct
{
  char     *relay_db;
  gboolean  json;
} KioskOptions;

/* A name is for people reading the list: one line of printable text. */
static gboolean
check_kiosk_name (const char *name)
{
  glong length;

  if (!g_utf8_validate (name, -1, NULL))
    return FALSE;
  length = g_utf8_strlen (name, -1);
  if (length < 1 || length > MAX_KIOSK_NAME_CHARS)
    return FALSE;
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isprint (g_utf8_get_char (p)))
      return FALSE;
  return TRUE;
}

WwRelayStoreSqlite *
ww_admin_open_relay_store (const char *relay_db,
                           gboolean    create)
{
  g_autoptr(GError) error = NULL;
  WwRelayStoreSqlite *store;

  /* list and revoke on a mistyped path should not leave an empty
   * database behind */
  if (!create && !g_file_test (relay_db, G_FILE_TEST_EXISTS))
    {
      ww_admin_printerr (_("there is no relay database %s"), relay_db);
      return NULL;
    }

  store = ww_relay_store_sqlite_new (relay_db, &error);
  if (store == NULL)
    ww_admin_printerr (_("cannot open the relay database %s: %s"), relay_db, error->message);
  return store;
}

char *
ww_admin_format_time (gint64 unix_seconds)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_utc (unix_seconds);

  if (time == NULL)
    return g_strdup ("?");
  return g_date_time_format_iso8601 (time);
}

void
ww_admin_json_add_string (JsonBuilder *builder,
                          const char  *name,
                          const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

void
ww_admin_print_json (JsonBuilder *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, TRUE);

  g_print ("%s\n", text);
}

char *
ww_admin_dup_json_string (const char *text)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), text);

  return json_to_string (node, FALSE);
}

static int
kiosk_add (const KioskOptions *options,
           const char         *name)
{
  g_autoptr(WwRelayStoreSqlite) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *secret = NULL;

  if (!check_kiosk_name (name))
    {
      ww_admin_printerr (_("the kiosk name must be 1 to %d printable characters on one line"),
                         MAX_KIOSK_NAME_CHARS);
      return WW_ADMIN_EXIT_DATA;
    }

  if (!(store = ww_admin_open_relay_store (options->relay_db, TRUE)))
    return WW_ADMIN_EXIT_FAILURE;

  if (!ww_relay_store_add_device (WW_RELAY_STORE (store), name, &id, &secret, &error))
    {
      ww_admin_printerr (_("cannot add the kiosk to %s: %s"), options->relay_db, error->message);
      return WW_ADMIN_EXIT_FAILURE;
    }

  if (options->json)
    {
      g_autofree char *id_json = ww_admin_dup_json_string (id);
      g_autofree char *secret_json = ww_admin_dup_json_string (secret);

      /* one line, in the shape scripts are told to expect */
      g_print ("{\"id\": %s, \"secret\": %s}\n", id_json, secret_json);
    }
  else
    {
      g_print (_("Added kiosk “%s”.\n"), name);
      g_print ("id:     %s\n", id);
      g_print ("secret: %s\n", secret);
      g_print (_("Put the secret on the kiosk now: it is not shown again.\n"));
    }

  return WW_ADMIN_EXIT_OK;
}

static int
kiosk_list (const KioskOptions *options)
{
  g_autoptr(WwRelayStoreSqlite) store = NULL;
  g_autoptr(GPtrArray) devices = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;

  if (!(store = ww_admin_open_relay_store (options->relay_db, FALSE)))
    return WW_ADMIN_EXIT_FAILURE;

  if (!(devices = ww_relay_store_list_devices (WW_RELAY_STORE (store), &error)))
    {
      ww_admin_printerr (_("cannot list the kiosks in %s: %s"), options->relay_db, error->message);
      return WW_ADMIN_EXIT_FAILURE;
    }

  if (options->json)
    {
      builder = json_builder_new ();
      json_builder_begin_array (builder);
    }

  for (guint i = 0; i < devices->len; i++)
    {
      WwRelayDevice *device = g_ptr_array_index (devices, i);
      g_autofree char *created = ww_admin_format_time (device->created_at);
      g_autofree char *revoked = device->revoked_at != 0 ? ww_admin_format_time (device->revoked_at) : NULL;

      if (builder != NULL)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "id");
          json_builder_add_string_value (builder, device->id);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, device->name);
          json_builder_set_member_name (builder, "created");
          json_builder_add_string_value (builder, created);
          json_builder_set_member_name (builder, "revoked");
          if (revoked != NULL)
            json_builder_add_string_value (builder, revoked);
          else
            json_builder_add_null_value (builder);
          json_builder_end_object (builder);
        }
      else
        {
          g_print ("%s  %s  %s", device->id, created, device->name);
          if (revoked != NULL)
            g_print (_(" (revoked %s)"), revoked);
          g_print ("\n");
        }
    }

  if (builder != NULL)
    {
      json_builder_end_array (builder);
      ww_admin_print_json (builder);
    }

  return WW_ADMIN_EXIT_OK;
}

static int
kiosk_revoke (const KioskOptions *options,
              const char         *id)
{
  g_autoptr(WwRelayStoreSqlite) store = NULL;
  g_autoptr(GError) error = NULL;

  if (!(store = ww_admin_open_relay_store (options->relay_db, FALSE)))
    return WW_ADMIN_EXIT_FAILURE;

  if (!ww_relay_store_revoke_device (WW_RELAY_STORE (store), id, &error))
    {
      if (g_error_matches (error, WW_RELAY_STORE_ERROR, WW_RELAY_STORE_ERROR_NOT_FOUND))
        {
          ww_admin_printerr (_("there is no kiosk “%s” in %s; “wegwijzer-admin kiosk list” shows them"),
                             id, options->relay_db);
          return WW_ADMIN_EXIT_DATA;
        }
      ww_admin_printerr (_("cannot revoke the kiosk in %s: %s"), options->relay_db, error->message);
      return WW_ADMIN_EXIT_FAILURE;
    }

  g_print (_("Revoked kiosk %s: the relay refuses its requests from now on.\n"), id);
  return WW_ADMIN_EXIT_OK;
}

int
ww_admin_kiosk (WwAdmin  *admin,
                int       argc,
                char    **argv)
{
  g_autofree char *relay_db = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "relay-db", 0, 0, G_OPTION_ARG_FILENAME, &relay_db,
      N_("The relay’s database (required)"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print JSON, for scripts (add and list)"), NULL },
    G_OPTION_ENTRY_NULL
  };
  KioskOptions options = { 0 };
  const char *action;
  int status;

  if (!ww_admin_parse_options (admin, "kiosk", N_("add NAME | list | revoke ID"),
                               N_("Manage the kiosks that may send bookings to wegwijzer-relay."),
                               N_("add NAME    makes a kiosk and prints its id and secret, once\n"
                                  "list        shows every kiosk, never a secret\n"
                                  "revoke ID   refuses the kiosk’s requests from now on"),
                               entries, &argc, &argv, &status))
    return status;

  if (argc < 2)
    return ww_admin_usage_error ("kiosk", _("kiosk needs add, list or revoke"));
  action = argv[1];

  if (relay_db == NULL || relay_db[0] == '\0')
    return ww_admin_usage_error ("kiosk", _("kiosk needs --relay-db FILE"));

  options.relay_db = relay_db;
  options.json = json;

  if (g_str_equal (action, "add"))
    {
      if (argc != 3)
        return ww_admin_usage_error ("kiosk", _("kiosk add takes one name"));
      return kiosk_add (&options, argv[2]);
    }
  else if (g_str_equal (action, "list"))
    {
      if (argc != 2)
        return ww_admin_usage_error ("kiosk", _("kiosk list takes no arguments"));
      return kiosk_list (&options);
    }
  else if (g_str_equal (action, "revoke"))
    {
      if (argc != 3)
        return ww_admin_usage_error ("kiosk", _("kiosk revoke takes one kiosk id"));
      if (json)
        return ww_admin_usage_error ("kiosk", _("kiosk revoke has no --json"));
      return kiosk_revoke (&options, argv[2]);
    }

  return ww_admin_usage_error ("kiosk", _("unknown kiosk action “%s”; use add, list or revoke"), action);
}
