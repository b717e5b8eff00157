/* ww-application.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-application"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "ww-application.h"
#include "ww-language.h"
#include "ww-window.h"

#define SCHEMA_ID APP_ID

struct _WwApplication
{
  AdwApplication  parent_instance;

  char           *db_path;
  char           *relay_uri;
  char           *device_path;
  gboolean        kiosk;

  GSettings      *settings;      /* NULL when the schema is not installed */
  const char     *start_language; /* NULL: the locale's */
  WwWindow       *window;
  GtkCssProvider *high_contrast;
  int             normal_dpi;
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

  if (g_variant_dict_contains (options, "kiosk"))
    {
      self->kiosk = TRUE;
      /* GTK reads these when it starts, which is after this: a kiosk
       * opens no inspector, whatever its environment says */
      g_unsetenv ("GTK_DEBUG");
      g_unsetenv ("GTK_INSPECTOR_DISPLAY");
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

/* the offered languages the program speaks, in the setting's order */
static char **
dup_languages (WwApplication *self)
{
  g_auto(GStrv) wanted = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (self->settings == NULL)
    return g_strdupv ((char **) ww_language_get_translated ());

  wanted = g_settings_get_strv (self->settings, "languages");
  for (guint i = 0; wanted[i] != NULL; i++)
    {
      if (ww_language_get_own_name (wanted[i]) != NULL)
        g_strv_builder_add (builder, wanted[i]);
      else
        g_message ("The language “%s” in the “languages” setting is not one Wegwijzer speaks; "
                   "it is left out", wanted[i]);
    }

  return g_strv_builder_end (builder);
}

static void
set_up_window (WwApplication *self,
               WwWindow      *window)
{
  g_auto(GStrv) languages = dup_languages (self);

  ww_window_set_languages (window, (const char *const *) languages);
  if (self->settings != NULL)
    {
      double latitude, longitude;

      ww_window_set_idle_times (window,
                                g_settings_get_uint (self->settings, "idle-timeout") * 1000,
                                g_settings_get_uint (self->settings, "idle-warning") * 1000);
      ww_window_set_keyboard_mode (window, g_settings_get_enum (self->settings, "on-screen-keyboard"));
      /* (0, 0), in the Atlantic, is the schema's "not set" */
      g_settings_get (self->settings, "location", "(dd)", &latitude, &longitude);
      if (latitude != 0.0 || longitude != 0.0)
        ww_window_set_location (window, latitude, longitude);
    }
  else
    {
      ww_window_set_idle_times (window, 90 * 1000, 20 * 1000);
    }
  if (self->kiosk)
    ww_window_set_kiosk (window);
}

static void
window_destroyed_cb (WwApplication *self,
                     WwWindow      *window)
{
  if (self->window == window)
    self->window = NULL;
}

static void
track_window (WwApplication *self,
              WwWindow      *window)
{
  self->window = window;
  g_signal_connect_object (window, "destroy", G_CALLBACK (window_destroyed_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
ww_application_activate (GApplication *application)
{
  WwApplication *self = WW_APPLICATION (application);
  GtkWindow *window = GTK_WINDOW (self->window);

  if (window == NULL)
    {
      window = GTK_WINDOW (ww_window_new (self, self->db_path));
      track_window (self, WW_WINDOW (window));
      set_up_window (self, WW_WINDOW (window));

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

/* A desktop's only: nothing opens over a kiosk. The action is off in a
 * kiosk instance, and a window can be made a kiosk on its own (the tests
 * do), so its window is asked too. */
static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  WwApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWindow *about;

  if (self->kiosk || (WW_IS_WINDOW (parent) && ww_window_get_kiosk (WW_WINDOW (parent))))
    return;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "modal", TRUE,
                        "application-name", "Wegwijzer",
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "developer-name", "The Wegwijzer team",
                        "copyright", "© 2026 The Wegwijzer team",
                        "comments", _("Referral directory and appointments for sex workers"),
                        "website", HOMEPAGE_URL,
                        "issue-url", HOMEPAGE_URL "/issues",
                        "license-type", GTK_LICENSE_GPL_3_0,
                        NULL);
  gtk_window_present (about);
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  g_application_quit (G_APPLICATION (user_data));
}

/* Large text: every font, GTK's own included, a size larger. */
static void
large_text_changed (GSimpleAction *action,
                    GVariant      *state,
                    gpointer       user_data)
{
  WwApplication *self = user_data;
  GtkSettings *settings = gtk_settings_get_default ();
  gboolean large = g_variant_get_boolean (state);

  if (self->normal_dpi == 0)
    g_object_get (settings, "gtk-xft-dpi", &self->normal_dpi, NULL);
  if (self->normal_dpi <= 0)
    self->normal_dpi = 96 * 1024;
  g_object_set (settings, "gtk-xft-dpi", large ? self->normal_dpi * 3 / 2 : self->normal_dpi, NULL);
  g_simple_action_set_state (action, state);
}

/* High contrast: libadwaita's own high-contrast style, over its normal
 * one, as a desktop's accessibility setting would load it. */
static void
high_contrast_changed (GSimpleAction *action,
                       GVariant      *state,
                       gpointer       user_data)
{
  WwApplication *self = user_data;
  GdkDisplay *display = gdk_display_get_default ();
  gboolean high = g_variant_get_boolean (state);

  if (high && self->high_contrast == NULL)
    {
      self->high_contrast = gtk_css_provider_new ();
      gtk_css_provider_load_from_resource (self->high_contrast, "/org/gnome/Adwaita/styles/base-hc.css");
      gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (self->high_contrast),
                                                  GTK_STYLE_PROVIDER_PRIORITY_THEME + 1);
    }
  else if (!high && self->high_contrast != NULL)
    {
      gtk_style_context_remove_provider_for_display (display, GTK_STYLE_PROVIDER (self->high_contrast));
      g_clear_object (&self->high_contrast);
    }
  g_simple_action_set_state (action, state);
}

/* The settings, when the schema is there; the program also runs from a
 * build tree without it, on the defaults. */
static void
load_settings (WwApplication *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE);
  if (schema == NULL)
    {
      g_message ("The settings schema %s is not installed; the defaults are used", SCHEMA_ID);
    }
  else
    {
      self->settings = g_settings_new_full (schema, NULL, NULL);
      if (self->relay_uri == NULL)
        {
          g_autofree char *relay = g_settings_get_string (self->settings, "relay-url");

          if (*relay != '\0')
            self->relay_uri = g_steal_pointer (&relay);
        }
      if (self->device_path == NULL)
        {
          g_autofree char *device = g_settings_get_string (self->settings, "device-file");

          if (*device != '\0')
            self->device_path = g_steal_pointer (&device);
        }
    }

  /* A kiosk starts, and after each visitor starts again, in its own
   * language; a desktop speaks its user's. */
  if (self->kiosk)
    {
      g_autofree char *language = self->settings != NULL
                                  ? g_settings_get_string (self->settings, "default-language")
                                  : g_strdup ("nl");

      if (*language != '\0' && ww_language_get_own_name (language) == NULL)
        g_message ("The default language “%s” is not one Wegwijzer speaks; "
                   "the locale’s is used", language);
      else if (*language != '\0')
        self->start_language = g_intern_string (language);
      ww_language_use (self->start_language);
    }
}

static void
ww_application_startup (GApplication *application)
{
  static const GActionEntry actions[] = {
    { "about", about_activated },
    { "quit", quit_activated },
    { "large-text", NULL, NULL, "false", large_text_changed },
    { "high-contrast", NULL, NULL, "false", high_contrast_changed },
  };
  static const char *quit_accels[] = { "<Control>q", NULL };
  WwApplication *self = WW_APPLICATION (application);
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  G_APPLICATION_CLASS (ww_application_parent_class)->startup (application);

  /* what a window manager shows for each window; Wayland compositors
   * take it from the desktop file instead */
  gtk_window_set_default_icon_name (APP_ID);
  load_settings (self);

  g_action_map_add_action_entries (G_ACTION_MAP (application), actions,
                                   G_N_ELEMENTS (actions), application);
  /* a visitor cannot quit a kiosk, nor open a window over it */
  if (self->kiosk)
    {
      g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (application), "quit")),
                                   FALSE);
      g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (application), "about")),
                                   FALSE);
    }
  else
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
  g_clear_object (&self->settings);
  g_clear_object (&self->high_contrast);

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
    { "kiosk", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("Run as a public kiosk: fullscreen, cannot be closed, starts again after each visitor"), NULL },
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
  ww_language_init ();

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

gboolean
ww_application_get_kiosk (WwApplication *self)
{
  g_return_val_if_fail (WW_IS_APPLICATION (self), FALSE);

  return self->kiosk;
}

WwWindow *
ww_application_get_window (WwApplication *self)
{
  g_return_val_if_fail (WW_IS_APPLICATION (self), NULL);

  return self->window;
}

/* The new window is shown before the old one goes, so that the screen
 * never shows what is behind the program. */
static void
replace_window (WwApplication *self,
                WwWindow      *window,
                const char    *page)
{
  WwWindow *successor = ww_window_new_successor (window, page);

  track_window (self, successor);
  gtk_window_present (GTK_WINDOW (successor));
  gtk_window_destroy (GTK_WINDOW (window));
}

void
ww_application_reset (WwApplication *self,
                      WwWindow      *window)
{
  GdkDisplay *display;

  g_return_if_fail (WW_IS_APPLICATION (self));
  g_return_if_fail (WW_IS_WINDOW (window));

  display = gtk_widget_get_display (GTK_WIDGET (window));
  gdk_clipboard_set_text (gdk_display_get_clipboard (display), "");
  gdk_clipboard_set_text (gdk_display_get_primary_clipboard (display), "");

  g_action_group_change_action_state (G_ACTION_GROUP (self), "large-text", g_variant_new_boolean (FALSE));
  g_action_group_change_action_state (G_ACTION_GROUP (self), "high-contrast", g_variant_new_boolean (FALSE));

  if (g_strcmp0 (ww_language_get_current (), self->start_language) != 0)
    ww_language_use (self->start_language);

  replace_window (self, window, "welcome");
}

void
ww_application_switch_language (WwApplication *self,
                                WwWindow      *window,
                                const char    *code)
{
  g_return_if_fail (WW_IS_APPLICATION (self));
  g_return_if_fail (WW_IS_WINDOW (window));
  g_return_if_fail (code != NULL);

  if (g_strcmp0 (ww_language_get_current (), code) == 0)
    return;

  ww_language_use (code);
  replace_window (self, window, "home");
}
