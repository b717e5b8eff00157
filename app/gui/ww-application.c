/* ww-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-application"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "ww-application.h"
#include "ww-window.h"

struct _WwApplication
{
  AdwApplication  parent_instance;

  char           *db_path;
  char           *relay_uri;
  char           *device_path;
};

G_DEFINE_FINAL_TYPE (WwApplication, ww_application, ADW_TYPE_APPLICATION)

static int
ww_application_handle_local_options (GApplication *application,
                                     GVariantDict *options)
{
  WwApplication *self = WW_APPLICATION (application);
  const char *db = NULL;

  if (g_variant_dict_lookup (options, "version", "b", NULL))
    {
      g_print ("wegwijzer %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (g_variant_dict_lookup (options, "db", "^&ay", &db))
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (db);

      g_free (self->db_path);
      self->db_path = g_file_get_path (file);
    }

  if (g_variant_dict_lookup (options, "relay", "&s", &db))
    {
      g_free (self->relay_uri);
      self->relay_uri = g_strdup (db);
    }

  if (g_variant_dict_lookup (options, "device", "^&ay", &db))
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (db);

      g_free (self->device_path);
      self->device_path = g_file_get_path (file);
    }

  return -1;
}

/* The device's credentials: a key file with [device] id=… and secret=…,
 * readable by the kiosk's user only. */
static gboolean
set_up_relay (WwApplication  *self,
              WwWindow       *window,
              GError        **error)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autofree char *id = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *outbox_path = NULL;

  if (!g_key_file_load_from_file (key_file, self->device_path, G_KEY_FILE_NONE, error))
    return FALSE;

  id = g_key_file_get_string (key_file, "device", "id", error);
  if (id == NULL)
    return FALSE;
  secret = g_key_file_get_string (key_file, "device", "secret", error);
  if (secret == NULL)
    return FALSE;

  outbox_path = g_build_filename (g_get_user_data_dir (), "wegwijzer", "outbox.db", NULL);

  return ww_window_set_relay (window, self->relay_uri, id, secret, outbox_path, error);
}

static void
ww_application_activate (GApplication *application)
{
  WwApplication *self = WW_APPLICATION (application);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (application));

  if (window == NULL)
    {
      window = GTK_WINDOW (ww_window_new (self, self->db_path));

      /* Without a relay the program still browses; it offers no booking. */
      if (self->relay_uri != NULL && self->device_path != NULL)
        {
          g_autoptr(GError) error = NULL;

          if (!set_up_relay (self, WW_WINDOW (window), &error))
            g_message ("Booking is off: %s", error->message);
        }
    }

  gtk_window_present (window);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

static void
ww_application_startup (GApplication *application)
{
  static const GActionEntry actions[] = {
    { "quit", quit_activated },
  };
  static const char *quit_accels[] = { "<Control>q", NULL };
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  G_APPLICATION_CLASS (ww_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (application), actions,
                                   G_N_ELEMENTS (actions), application);
  gtk_application_set_accels_for_action (GTK_APPLICATION (application), "app.quit", quit_accels);

  gtk_css_provider_load_from_resource (css, "/nl/wegwijzer/Wegwijzer/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
ww_application_finalize (GObject *object)
{
  WwApplication *self = (WwApplication *)object;

  g_clear_pointer (&self->db_path, g_free);
  g_clear_pointer (&self->relay_uri, g_free);
  g_clear_pointer (&self->device_path, g_free);

  G_OBJECT_CLASS (ww_application_parent_class)->finalize (object);
}

static void
ww_application_class_init (WwApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = ww_application_finalize;
  app_class->handle_local_options = ww_application_handle_local_options;
  app_class->activate = ww_application_activate;
  app_class->startup = ww_application_startup;
}

static void
ww_application_init (WwApplication *self)
{
  static const GOptionEntry options[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("The directory database (default: one in your data folder)"), N_("FILE") },
    { "relay", 0, 0, G_OPTION_ARG_STRING, NULL,
      N_("The appointment service to send booking requests to"), N_("URL") },
    { "device", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      N_("A key file with this device’s id and secret for the appointment service"), N_("FILE") },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version"), NULL },
    G_OPTION_ENTRY_NULL
  };

  g_application_add_main_option_entries (G_APPLICATION (self), options);
  self->db_path = ww_directory_dup_default_path ();
}

WwApplication *
ww_application_new (void)
{
  setlocale (LC_ALL, "");
  /* run from the build tree, the translations are there too */
  bindtextdomain (GETTEXT_PACKAGE,
                  g_getenv ("WEGWIJZER_UNINSTALLED") != NULL ? WW_BUILD_LOCALE_DIR : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Each run is its own instance: a kiosk and a caseworker's second
   * window with another --db must not end up in one process. */
  return g_object_new (WW_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_NON_UNIQUE,
                       NULL);
}

const char *
ww_application_get_db_path (WwApplication *self)
{
  g_return_val_if_fail (WW_IS_APPLICATION (self), NULL);

  return self->db_path;
}
