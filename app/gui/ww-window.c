/* ww-window.c
 *
 * The window shows its first frame at once; plugins are loaded and the
 * directory is opened (and seeded on first use) in a worker thread, and
 * the pages are filled in when that is done.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ww-booking-page.h"
#include "ww-check-page.h"
#include "ww-gui-util.h"
#include "ww-home-page.h"
#include "ww-keyboard.h"
#include "ww-info-view.h"
#include "ww-language.h"
#include "ww-provider-page.h"
#include "ww-results-page.h"
#include "ww-window.h"

struct _WwWindow
{
  AdwApplicationWindow  parent_instance;

  char                 *db_path;
  char                **plugin_path;
  WwPluginEngine       *engine;
  WwDirectory          *directory;
  WwOutbox             *outbox;
  WwRelayClient        *relay_client;
  GPtrArray            *history;     /* page names before the current one */
  GPtrArray            *notices;
  GCancellable         *cancellable;
  gboolean              loaded;
  guint                 n_sample;

  /* A kiosk: fullscreen, cannot be closed, forgets a visitor who has
   * gone quiet. */
  gboolean              kiosk;
  char                **languages;
  guint                 idle_timeout_ms;
  guint                 idle_warning_ms;
  WwKeyboardMode        keyboard_mode;
  gboolean              has_location;
  double                latitude;
  double                longitude;
  gboolean              touched;       /* any input since the window was made */
  gint64                last_input;
  gint64                warning_since; /* 0: no warning shown */
  guint                 idle_source;
  guint                 escapes;       /* Esc presses in a row, for quick exit */
  gint64                first_escape;

  AdwToastOverlay      *toast_overlay;
  AdwHeaderBar         *header_bar;
  GtkButton            *quick_exit_button;
  GtkMenuButton        *menu_button;
  GtkToggleButton      *large_text_button;
  GtkToggleButton      *contrast_button;
  GtkRevealer          *idle_revealer;
  GtkLabel             *idle_countdown_label;
  GtkButton            *still_here_button;
  GtkRevealer          *keyboard_revealer;
  AdwStatusPage        *welcome_page;
  GtkBox               *welcome_box;
  GtkButton            *start_button;
  WwLanguageBar        *welcome_languages;
  GtkButton            *back_button;
  GtkButton            *home_button;
  AdwWindowTitle       *window_title;
  GtkRevealer          *sample_revealer;
  GtkStack             *stack;
  WwHomePage           *home_page;
  WwResultsPage        *results_page;
  WwProviderPage       *provider_page;
  WwBookingPage        *booking_page;
  WwCheckPage          *check_page;
  WwInfoView           *info_view;
  AdwStatusPage        *problem_page;
};

G_DEFINE_FINAL_TYPE (WwWindow, ww_window, ADW_TYPE_APPLICATION_WINDOW)

static void ensure_booking_page (WwWindow *self);
static void ensure_check_page   (WwWindow *self);

enum {
  PROP_0,
  PROP_DB_PATH,
  PROP_LOADED,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

typedef struct {
  char           *db_path;
  char          **plugin_path;
  WwPluginEngine *engine;
  WwDirectory    *directory;
  GError         *seed_error;
  guint           n_providers;
  guint           n_sample;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_free (data->db_path);
  g_strfreev (data->plugin_path);
  g_clear_object (&data->engine);
  g_clear_object (&data->directory);
  g_clear_error (&data->seed_error);
  g_free (data);
}

static void
show_notice (WwWindow   *self,
             const char *text)
{
  AdwToast *toast = adw_toast_new (text);

  adw_toast_set_timeout (toast, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  g_ptr_array_add (self->notices, g_strdup (text));
}

/* On the start page typing goes to the search; a kiosk waits for the
 * visitor to tap it, so that its keyboard does not cover the page
 * before anyone asked for it. */
static void
focus_home (WwWindow *self)
{
  if (self->kiosk)
    gtk_window_set_focus (GTK_WINDOW (self), NULL);
  else
    ww_home_page_focus (self->home_page);
}

static void
update_chrome (WwWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  gboolean at_start = g_strcmp0 (page, "home") == 0 || g_strcmp0 (page, "loading") == 0 ||
                      g_strcmp0 (page, "problem") == 0 || g_strcmp0 (page, "welcome") == 0;

  gtk_widget_set_visible (GTK_WIDGET (self->back_button), self->history->len > 0 && !at_start);
  gtk_widget_set_visible (GTK_WIDGET (self->home_button), !at_start && self->loaded);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.back", self->history->len > 0 && !at_start);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.home", !at_start && self->loaded);
}

static void
go_to (WwWindow   *self,
       const char *page)
{
  const char *current = gtk_stack_get_visible_child_name (self->stack);

  if (g_strcmp0 (current, page) == 0)
    return;

  if (g_strcmp0 (page, "home") == 0)
    g_ptr_array_set_size (self->history, 0);
  else if (current != NULL)
    g_ptr_array_add (self->history, g_strdup (current));

  gtk_stack_set_visible_child_name (self->stack, page);
  update_chrome (self);
}

static void
back_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  WwWindow *self = WW_WINDOW (widget);
  g_autofree char *previous = NULL;

  if (self->history->len == 0)
    return;

  /* the code and PIN are shown once; leaving them is leaving the booking */
  if (self->booking_page != NULL &&
      g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "booking") == 0 &&
      g_strcmp0 (ww_booking_page_get_step (self->booking_page), "sent") == 0)
    ww_booking_page_clear (self->booking_page);

  previous = g_ptr_array_steal_index (self->history, self->history->len - 1);
  gtk_stack_set_visible_child_name (self->stack, previous);
  if (g_strcmp0 (previous, "results") == 0)
    ww_results_page_focus (self->results_page);
  update_chrome (self);
}

static void
home_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  WwWindow *self = WW_WINDOW (widget);

  if (self->booking_page != NULL)
    ww_booking_page_clear (self->booking_page);
  ww_home_page_reset (self->home_page);
  go_to (self, "home");
}

static void
search_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  WwWindow *self = WW_WINDOW (widget);

  if (!self->loaded)
    return;

  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "results") != 0)
    {
      ww_results_page_show (self->results_page, NULL, "");
      go_to (self, "results");
    }
  ww_results_page_focus (self->results_page);
}

static void
theme_activated_cb (WwWindow *self,
                    WwPlugin *plugin)
{
  ww_results_page_show (self->results_page, plugin, "");
  go_to (self, "results");
  ww_results_page_focus (self->results_page);
}

static void
home_search_changed_cb (WwWindow   *self,
                        const char *text)
{
  if (text == NULL || *text == '\0')
    return;

  /* Typing on the start page carries on in the results' search entry. */
  ww_results_page_show (self->results_page, NULL, text);
  ww_home_page_reset (self->home_page);
  go_to (self, "results");
  ww_results_page_focus (self->results_page);
}

static void
provider_activated_cb (WwWindow   *self,
                       WwProvider *provider)
{
  ww_provider_page_set_provider (self->provider_page, provider, self->engine);
  go_to (self, "provider");
}

static void
book_requested_cb (WwWindow *self)
{
  WwProvider *provider = ww_provider_page_get_provider (self->provider_page);
  WwPlugin *plugin;

  if (provider == NULL)
    return;

  plugin = ww_plugin_engine_lookup (self->engine, ww_provider_get_theme (provider));
  if (plugin == NULL)
    {
      show_notice (self, _("This listing’s theme is not installed here, so no appointment "
                           "can be asked for on this screen."));
      return;
    }

  ensure_booking_page (self);
  ww_booking_page_start (self->booking_page, provider, plugin);
  go_to (self, "booking");
}

static void
booking_done_cb (WwWindow *self)
{
  ww_booking_page_clear (self->booking_page);
  ww_home_page_reset (self->home_page);
  go_to (self, "home");
  focus_home (self);
}

/* The check page, as if reached from the start page: "back" leads
 * there, not to a booking that is over. */
static void
show_check_page (WwWindow   *self,
                 const char *reference)
{
  ensure_check_page (self);
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "home") == 0)
    {
      go_to (self, "check");
    }
  else
    {
      ww_home_page_reset (self->home_page);
      g_ptr_array_set_size (self->history, 0);
      g_ptr_array_add (self->history, g_strdup ("home"));
      gtk_stack_set_visible_child_name (self->stack, "check");
      update_chrome (self);
    }
  /* after the switch, which empties the page when it is left */
  ww_check_page_start (self->check_page, reference);
}

static void
home_check_requested_cb (WwWindow *self)
{
  show_check_page (self, NULL);
}

static void
booking_check_requested_cb (WwWindow   *self,
                            const char *reference)
{
  show_check_page (self, reference);
}

static void
check_done_cb (WwWindow *self)
{
  ww_home_page_reset (self->home_page);
  go_to (self, "home");
  focus_home (self);
}

/* Whichever way the check page is left (back, the start page, Done),
 * what was typed there goes. */
static void
visible_page_changed_cb (WwWindow *self)
{
  if (self->check_page != NULL &&
      g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "check") != 0)
    ww_check_page_clear (self->check_page);
}

static void
ensure_check_page (WwWindow *self)
{
  if (self->check_page != NULL)
    return;

  self->check_page = g_object_new (WW_TYPE_CHECK_PAGE, NULL);
  g_signal_connect_swapped (self->check_page, "done", G_CALLBACK (check_done_cb), self);
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->check_page), "check");
  ww_check_page_set_relay (self->check_page, self->relay_client);
}

/* Made on first use: most people never ask for an appointment, and its
 * widgets would cost every start. */
static void
ensure_booking_page (WwWindow *self)
{
  if (self->booking_page != NULL)
    return;

  self->booking_page = g_object_new (WW_TYPE_BOOKING_PAGE, NULL);
  g_signal_connect_swapped (self->booking_page, "done", G_CALLBACK (booking_done_cb), self);
  g_signal_connect_swapped (self->booking_page, "check-requested",
                            G_CALLBACK (booking_check_requested_cb), self);
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->booking_page), "booking");
  if (self->outbox != NULL && self->relay_client != NULL)
    ww_booking_page_set_relay (self->booking_page, self->outbox, self->relay_client);
}

static void
info_page_activated_cb (WwWindow   *self,
                        WwPlugin   *plugin,
                        WwInfoPage *page)
{
  ww_info_view_set_page (self->info_view, plugin, page);
  go_to (self, "info");
}

static void
show_problem (WwWindow   *self,
              const char *title,
              const char *description)
{
  adw_status_page_set_title (self->problem_page, title);
  adw_status_page_set_description (self->problem_page, description);
  g_ptr_array_set_size (self->history, 0);
  gtk_stack_set_visible_child_name (self->stack, "problem");
  update_chrome (self);
}

/* The pages filled in from the plugins and the directory, whether just
 * loaded or handed on by the window before. */
static void
show_directory (WwWindow *self)
{
  self->loaded = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);

  ww_home_page_set_plugins (self->home_page, ww_plugin_engine_get_plugins (self->engine));
  ww_results_page_set_directory (self->results_page, self->directory, self->engine);
  gtk_revealer_set_reveal_child (self->sample_revealer, self->n_sample > 0);
}

static void
show_start (WwWindow   *self,
            const char *page)
{
  g_ptr_array_set_size (self->history, 0);
  gtk_stack_set_visible_child_name (self->stack, page);
  update_chrome (self);
  if (g_str_equal (page, "home"))
    focus_home (self);
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->start_button));
}

/* Kiosk ---------------------------------------------------------------------- */

static void
start_clicked_cb (WwWindow *self)
{
  go_to (self, "home");
  focus_home (self);
}

static WwApplication *
get_application (WwWindow *self)
{
  GtkApplication *application = gtk_window_get_application (GTK_WINDOW (self));

  return WW_IS_APPLICATION (application) ? WW_APPLICATION (application) : NULL;
}

/* Everything the visitor did goes: the window is made anew. */
static void
quick_exit_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  WwWindow *self = WW_WINDOW (widget);

  if (get_application (self) != NULL)
    ww_application_reset (get_application (self), self);
}

static void
language_chosen_cb (WwWindow   *self,
                    const char *code)
{
  if (get_application (self) != NULL)
    ww_application_switch_language (get_application (self), self, code);
}

static void schedule_idle_check (WwWindow *self,
                                 guint     delay_ms);

static void
hide_idle_warning (WwWindow *self)
{
  if (self->warning_since == 0)
    return;

  self->warning_since = 0;
  gtk_revealer_set_reveal_child (self->idle_revealer, FALSE);
  gtk_widget_set_can_target (GTK_WIDGET (self->idle_revealer), FALSE);
}

static void
note_input (WwWindow *self)
{
  self->touched = TRUE;
  self->last_input = g_get_monotonic_time ();
  hide_idle_warning (self);
  /* the check reschedules itself from the time of the last input, so
   * a busy visitor costs a timestamp per event and nothing more */
  if (self->idle_source == 0)
    schedule_idle_check (self, self->idle_timeout_ms);
}

static void
still_here_clicked_cb (WwWindow *self)
{
  note_input (self);
}

static void
show_countdown (WwWindow *self,
                guint     remaining_ms)
{
  guint seconds = (remaining_ms + 999) / 1000;
  g_autofree char *text = NULL;

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "In %u second this screen starts again, and everything "
                                       "typed here is cleared.",
                                       "In %u seconds this screen starts again, and everything "
                                       "typed here is cleared.",
                                       seconds),
                          seconds);
  gtk_label_set_label (self->idle_countdown_label, text);
}

static gboolean
idle_check_cb (gpointer user_data)
{
  WwWindow *self = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 quiet_ms = (now - self->last_input) / 1000;

  self->idle_source = 0;

  if (self->warning_since == 0)
    {
      if (quiet_ms < self->idle_timeout_ms)
        {
          schedule_idle_check (self, self->idle_timeout_ms - quiet_ms);
          return G_SOURCE_REMOVE;
        }

      self->warning_since = now;
      gtk_widget_set_can_target (GTK_WIDGET (self->idle_revealer), TRUE);
      gtk_revealer_set_reveal_child (self->idle_revealer, TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->still_here_button));
    }

  {
    gint64 shown_ms = (now - self->warning_since) / 1000;

    if (shown_ms >= self->idle_warning_ms)
      {
        quick_exit_activated (GTK_WIDGET (self), NULL, NULL);
        return G_SOURCE_REMOVE;
      }

    show_countdown (self, self->idle_warning_ms - shown_ms);
    /* the next whole second of the countdown, or its end */
    schedule_idle_check (self, MIN (1000 - (self->idle_warning_ms - shown_ms) % 1000 + 1,
                                    self->idle_warning_ms - shown_ms));
  }

  return G_SOURCE_REMOVE;
}

static void
schedule_idle_check (WwWindow *self,
                     guint     delay_ms)
{
  g_clear_handle_id (&self->idle_source, g_source_remove);
  if (!self->kiosk || self->idle_timeout_ms == 0)
    return;

  self->idle_source = g_timeout_add (MAX (delay_ms, 1), idle_check_cb, self);
  g_source_set_name_by_id (self->idle_source, "[wegwijzer] idle check");
}

/* Every touch, click, key and scroll, before any widget sees it. */
static gboolean
input_event_cb (GtkEventControllerLegacy *controller,
                GdkEvent                 *event,
                WwWindow                 *self)
{
  GdkEventType type = gdk_event_get_event_type (event);

  if (type == GDK_BUTTON_PRESS || type == GDK_BUTTON_RELEASE || type == GDK_MOTION_NOTIFY ||
      type == GDK_KEY_PRESS || type == GDK_KEY_RELEASE || type == GDK_SCROLL ||
      type == GDK_TOUCH_BEGIN || type == GDK_TOUCH_UPDATE || type == GDK_TOUCH_END ||
      type == GDK_TOUCHPAD_SWIPE || type == GDK_TOUCHPAD_PINCH)
    note_input (self);

  return GDK_EVENT_PROPAGATE;
}

/* Escape three times in a row is quick exit, for a visitor with a
 * keyboard; on a kiosk, the keys that would reach GTK's inspector or
 * a context menu are kept from it. */
static gboolean
key_pressed_cb (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                WwWindow              *self)
{
  GdkModifierType modifiers = state & gtk_accelerator_get_default_mod_mask ();

  if (keyval == GDK_KEY_Escape)
    {
      gint64 now = g_get_monotonic_time ();

      if (self->escapes == 0 || now - self->first_escape > 2 * G_USEC_PER_SEC)
        {
          self->escapes = 0;
          self->first_escape = now;
        }
      if (++self->escapes == 3)
        {
          self->escapes = 0;
          quick_exit_activated (GTK_WIDGET (self), NULL, NULL);
          return GDK_EVENT_STOP;
        }
    }
  else if (keyval != GDK_KEY_Shift_L && keyval != GDK_KEY_Shift_R)
    {
      self->escapes = 0;
    }

  if (!self->kiosk)
    return GDK_EVENT_PROPAGATE;

  /* GTK's inspector */
  if (modifiers == (GDK_CONTROL_MASK | GDK_SHIFT_MASK) &&
      (keyval == GDK_KEY_I || keyval == GDK_KEY_i || keyval == GDK_KEY_D || keyval == GDK_KEY_d))
    return GDK_EVENT_STOP;
  /* a text field's context menu */
  if (keyval == GDK_KEY_Menu || (keyval == GDK_KEY_F10 && modifiers == GDK_SHIFT_MASK))
    return GDK_EVENT_STOP;
  /* the clipboard, which would carry a text from one visitor to the
   * next; and the emoji chooser, which remembers the emoji it gave */
  if (modifiers == GDK_CONTROL_MASK &&
      (keyval == GDK_KEY_c || keyval == GDK_KEY_x || keyval == GDK_KEY_v ||
       keyval == GDK_KEY_Insert || keyval == GDK_KEY_period || keyval == GDK_KEY_semicolon))
    return GDK_EVENT_STOP;
  if (modifiers == GDK_SHIFT_MASK && (keyval == GDK_KEY_Insert || keyval == GDK_KEY_Delete))
    return GDK_EVENT_STOP;
  if (modifiers == (GDK_CONTROL_MASK | GDK_SHIFT_MASK) &&
      (keyval == GDK_KEY_C || keyval == GDK_KEY_V || keyval == GDK_KEY_X))
    return GDK_EVENT_STOP;

  return GDK_EVENT_PROPAGATE;
}

/* A right click or a long press would open a text field's or a label's
 * menu, with Copy and Paste between one visitor and the next. */
static void
secondary_pressed_cb (GtkGesture *gesture)
{
  gtk_gesture_set_state (gesture, GTK_EVENT_SEQUENCE_CLAIMED);
}

static gboolean
activate_link_cb (GtkLabel   *label,
                  const char *uri,
                  gpointer    user_data)
{
  /* handled: nothing opens another program on a kiosk */
  return TRUE;
}

/* What stays on a kiosk's labels: nothing that selects, or opens
 * another program. (Text fields keep their clipboard actions, which
 * GtkText turns on and off itself as the selection changes; the keys
 * and the menu that reach them are kept from the visitor instead.) */
static void
lock_down (GtkWidget *widget)
{
  /* No page shows a link or a selectable text today; a theme's text
   * that brought one would still open nothing. */
  if (GTK_IS_LABEL (widget) && g_object_get_data (G_OBJECT (widget), "ww-locked-down") == NULL)
    {
      gtk_label_set_selectable (GTK_LABEL (widget), FALSE);
      g_signal_connect (widget, "activate-link", G_CALLBACK (activate_link_cb), NULL);
      g_object_set_data (G_OBJECT (widget), "ww-locked-down", GINT_TO_POINTER (TRUE));
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    lock_down (child);
}

static gboolean
has_keyboard (WwWindow *self)
{
  GdkSeat *seat = gdk_display_get_default_seat (gtk_widget_get_display (GTK_WIDGET (self)));

  return seat != NULL && (gdk_seat_get_capabilities (seat) & GDK_SEAT_CAPABILITY_KEYBOARD) != 0;
}

static void
focus_changed_cb (WwWindow *self)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));
  gboolean typing = focus != NULL && (GTK_IS_TEXT (focus) || GTK_IS_TEXT_VIEW (focus));
  GtkWidget *keyboard = gtk_revealer_get_child (self->keyboard_revealer);
  gboolean show;

  if (!self->kiosk)
    return;

  if (focus != NULL)
    lock_down (focus);

  show = keyboard != NULL && typing &&
         (self->keyboard_mode == WW_KEYBOARD_MODE_ALWAYS ||
          (self->keyboard_mode == WW_KEYBOARD_MODE_AUTO && !has_keyboard (self)));
  if (show && ww_keyboard_get_target (WW_KEYBOARD (keyboard)) != focus)
    {
      ww_keyboard_reset (WW_KEYBOARD (keyboard));
      ww_keyboard_set_target (WW_KEYBOARD (keyboard), focus);
    }
  /* a tap on a key keeps the focus where it was, so leaving the field
   * is the only way the keyboard goes */
  else if (!show && keyboard != NULL)
    ww_keyboard_set_target (WW_KEYBOARD (keyboard), NULL);
  gtk_revealer_set_reveal_child (self->keyboard_revealer, show);
}

static void
keyboard_hide_requested_cb (WwWindow *self)
{
  GtkWidget *keyboard = gtk_revealer_get_child (self->keyboard_revealer);

  ww_keyboard_set_target (WW_KEYBOARD (keyboard), NULL);
  gtk_revealer_set_reveal_child (self->keyboard_revealer, FALSE);
}

static void
page_shown_cb (WwWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);

  if (!self->kiosk)
    return;

  lock_down (GTK_WIDGET (self->stack));
  /* Away from the welcome page someone is using the screen, however
   * they got there; the idle clock runs from now. */
  if (g_strcmp0 (page, "welcome") != 0 && g_strcmp0 (page, "loading") != 0 &&
      g_strcmp0 (page, "problem") != 0)
    note_input (self);
}

static gboolean
ww_window_close_request (GtkWindow *window)
{
  WwWindow *self = WW_WINDOW (window);

  /* a kiosk stays; its administrator stops the service */
  if (self->kiosk)
    return TRUE;

  return GTK_WINDOW_CLASS (ww_window_parent_class)->close_request (window);
}

static void
focus_visible_changed_cb (WwWindow *self)
{
  /* where the focus is, is always shown on a kiosk */
  if (self->kiosk && !gtk_window_get_focus_visible (GTK_WINDOW (self)))
    gtk_window_set_focus_visible (GTK_WINDOW (self), TRUE);
}

static void
set_up_kiosk (WwWindow *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;
  GtkWidget *keyboard;

  gtk_widget_add_css_class (GTK_WIDGET (self), "kiosk");
  gtk_window_set_decorated (GTK_WINDOW (self), FALSE);
  gtk_window_set_deletable (GTK_WINDOW (self), FALSE);
  adw_header_bar_set_show_start_title_buttons (self->header_bar, FALSE);
  adw_header_bar_set_show_end_title_buttons (self->header_bar, FALSE);
  /* no menu, and no F10 for one: everything in it is a desktop's */
  gtk_menu_button_set_primary (self->menu_button, FALSE);
  gtk_menu_button_set_menu_model (self->menu_button, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->menu_button), FALSE);
  gtk_window_fullscreen (GTK_WINDOW (self));
  /* the whole screen also where no compositor or window manager
   * carries out the fullscreen request */
  {
    GListModel *monitors = gdk_display_get_monitors (gtk_widget_get_display (GTK_WIDGET (self)));
    g_autoptr(GdkMonitor) monitor = g_list_model_get_item (monitors, 0);

    if (monitor != NULL)
      {
        GdkRectangle geometry;

        gdk_monitor_get_geometry (monitor, &geometry);
        gtk_window_set_default_size (GTK_WINDOW (self), geometry.width, geometry.height);
      }
  }
  gtk_widget_set_visible (GTK_WIDGET (self->large_text_button), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->contrast_button), TRUE);
  gtk_window_set_focus_visible (GTK_WINDOW (self), TRUE);

  controller = gtk_event_controller_legacy_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "event", G_CALLBACK (input_event_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (gesture), GTK_PHASE_CAPTURE);
  g_signal_connect (gesture, "pressed", G_CALLBACK (secondary_pressed_cb), NULL);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_long_press_new ();
  gtk_event_controller_set_propagation_phase (GTK_EVENT_CONTROLLER (gesture), GTK_PHASE_CAPTURE);
  g_signal_connect (gesture, "pressed", G_CALLBACK (secondary_pressed_cb), NULL);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  keyboard = ww_keyboard_new ();
  g_signal_connect_swapped (keyboard, "hide-requested", G_CALLBACK (keyboard_hide_requested_cb), self);
  gtk_revealer_set_child (self->keyboard_revealer, keyboard);

  g_signal_connect (self, "notify::focus-widget", G_CALLBACK (focus_changed_cb), NULL);
  g_signal_connect (self, "notify::focus-visible", G_CALLBACK (focus_visible_changed_cb), NULL);
  lock_down (GTK_WIDGET (self));
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  GError *error = NULL;

  data->engine = ww_plugin_engine_new ();
  if (data->plugin_path != NULL)
    ww_plugin_engine_set_search_path (data->engine, (const char *const *) data->plugin_path);
  ww_plugin_engine_load (data->engine);

  data->directory = ww_directory_open (data->db_path, &error);
  if (data->directory == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* A seed that fails leaves what was there; the window says so. */
  ww_directory_seed (data->directory, data->engine, &data->seed_error);

  /* counted here: on a large directory these are full scans */
  data->n_providers = ww_directory_count (data->directory, NULL);
  data->n_sample = ww_directory_count_sample (data->directory);
  g_task_return_boolean (task, TRUE);
}

static void
report_skipped_plugins (WwWindow *self)
{
  GListModel *infos = ww_plugin_engine_get_infos (self->engine);

  for (guint i = 0; i < g_list_model_get_n_items (infos); i++)
    {
      g_autoptr(WwPluginInfo) info = g_list_model_get_item (infos, i);
      const GError *error = ww_plugin_info_get_error (info);
      g_autofree char *text = NULL;

      if (error == NULL)
        continue;

      /* The details are for the administrator, in the log and in
       * "wegwijzer-admin plugins list --all"; the person at the screen
       * hears what it means for them. */
      g_message ("Plugin skipped: %s", error->message);
      text = g_strdup_printf (_("The theme “%s” could not be loaded and is not shown."),
                              ww_plugin_info_get_name (info) ? ww_plugin_info_get_name (info)
                                                             : ww_plugin_info_get_id (info));
      show_notice (self, text);
    }
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(WwWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  LoadData *data = g_task_get_task_data (G_TASK (result));
  GListModel *plugins;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *description = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;

      g_message ("Could not open the directory: %s", error->message);
      description = g_strdup_printf (_("Wegwijzer could not open its directory. "
                                       "Ask an administrator to look at it.\n\n%s"),
                                     error->message);
      show_problem (self, _("The directory cannot be opened"), description);
      return;
    }

  self->engine = g_steal_pointer (&data->engine);
  self->directory = g_steal_pointer (&data->directory);
  self->n_sample = data->n_sample;
  show_directory (self);
  plugins = ww_plugin_engine_get_plugins (self->engine);

  if (ww_directory_get_recovered_path (self->directory) != NULL)
    {
      g_message ("The damaged directory was moved to %s",
                 ww_directory_get_recovered_path (self->directory));
      show_notice (self, _("The directory was damaged and has been rebuilt from the themes."));
    }
  if (ww_directory_get_read_only (self->directory))
    show_notice (self, _("The directory can only be read here; it cannot be updated."));
  if (data->seed_error != NULL)
    {
      g_message ("Could not add the themes' listings: %s", data->seed_error->message);
      show_notice (self, _("Not every listing could be added; the ones already there are shown."));
    }
  report_skipped_plugins (self);

  if (g_list_model_get_n_items (plugins) == 0)
    ww_home_page_set_message (self->home_page,
                              _("No themes are installed"),
                              _("Wegwijzer shows its listings by theme, and none could be found. "
                                "Ask an administrator to install the theme plugins."));
  else if (data->n_providers == 0)
    ww_home_page_set_message (self->home_page,
                              _("The directory is empty"),
                              _("There are no listings yet. An administrator can add them "
                                "with “wegwijzer-admin import”."));

  show_start (self, self->kiosk ? "welcome" : "home");

  if (g_getenv ("WEGWIJZER_STARTUP_PROBE") != NULL)
    {
      g_autofree char *status = NULL;
      g_autofree char *rss = NULL;

      g_file_get_contents ("/proc/self/status", &status, NULL, NULL);
      rss = status ? g_strdup (strstr (status, "VmRSS:")) : NULL;
      if (rss != NULL)
        *strchr (rss, '\n') = '\0';
      g_print ("ready monotonic-us=%" G_GINT64_FORMAT " %s\n", g_get_monotonic_time (),
               rss ? rss : "VmRSS: ?");
      if (g_strcmp0 (g_getenv ("WEGWIJZER_STARTUP_PROBE"), "quit") == 0)
        gtk_window_destroy (GTK_WINDOW (self));
    }
}

static void
start_loading (WwWindow *self)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  self->cancellable = g_cancellable_new ();
  data = g_new0 (LoadData, 1);
  data->db_path = g_strdup (self->db_path);
  data->plugin_path = g_strdupv (self->plugin_path);

  task = g_task_new (self, self->cancellable, load_cb, g_object_ref (self));
  g_task_set_source_tag (task, start_loading);
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, load_thread);
}

static void
after_paint_cb (GdkFrameClock *clock,
                WwWindow      *self)
{
  g_autofree char *status = NULL;
  g_autofree char *rss = NULL;

  g_signal_handlers_disconnect_by_func (clock, after_paint_cb, self);

  g_file_get_contents ("/proc/self/status", &status, NULL, NULL);
  rss = status ? g_strdup (strstr (status, "VmRSS:")) : NULL;
  if (rss != NULL)
    *strchr (rss, '\n') = '\0';
  g_print ("first-frame monotonic-us=%" G_GINT64_FORMAT " %s\n", g_get_monotonic_time (),
           rss ? rss : "VmRSS: ?");
}

static void
ww_window_map (GtkWidget *widget)
{
  WwWindow *self = WW_WINDOW (widget);

  GTK_WIDGET_CLASS (ww_window_parent_class)->map (widget);

  /* For measuring start-up (tests/bench/bench-startup): when the first
   * frame has been drawn. */
  if (g_getenv ("WEGWIJZER_STARTUP_PROBE") != NULL)
    g_signal_connect_object (gtk_widget_get_frame_clock (widget), "after-paint",
                             G_CALLBACK (after_paint_cb), self, 0);

  if (self->cancellable == NULL)
    start_loading (self);
}

static void
ww_window_dispose (GObject *object)
{
  WwWindow *self = (WwWindow *)object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->relay_client != NULL)
    ww_relay_client_stop_sender (self->relay_client);
  g_clear_handle_id (&self->idle_source, g_source_remove);
  if (self->stack != NULL)
    {
      g_signal_handlers_disconnect_by_func (self->stack, visible_page_changed_cb, self);
      g_signal_handlers_disconnect_by_func (self->stack, page_shown_cb, self);
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), WW_TYPE_WINDOW);

  G_OBJECT_CLASS (ww_window_parent_class)->dispose (object);
}

static void
ww_window_finalize (GObject *object)
{
  WwWindow *self = (WwWindow *)object;

  g_clear_object (&self->engine);
  g_clear_object (&self->directory);
  g_clear_object (&self->outbox);
  g_clear_object (&self->relay_client);
  g_clear_pointer (&self->history, g_ptr_array_unref);
  g_clear_pointer (&self->notices, g_ptr_array_unref);
  g_clear_pointer (&self->db_path, g_free);
  g_clear_pointer (&self->plugin_path, g_strfreev);
  g_clear_pointer (&self->languages, g_strfreev);

  G_OBJECT_CLASS (ww_window_parent_class)->finalize (object);
}

static void
ww_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  WwWindow *self = WW_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DB_PATH:
      g_value_set_string (value, self->db_path);
      break;

    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ww_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  WwWindow *self = WW_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DB_PATH:
      self->db_path = g_value_dup_string (value);
      if (self->db_path == NULL)
        self->db_path = ww_directory_dup_default_path ();
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ww_window_class_init (WwWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ww_window_dispose;
  object_class->finalize = ww_window_finalize;
  object_class->get_property = ww_window_get_property;
  object_class->set_property = ww_window_set_property;
  widget_class->map = ww_window_map;
  window_class->close_request = ww_window_close_request;

  properties [PROP_DB_PATH] =
    g_param_spec_string ("db-path", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties [PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (WW_TYPE_HOME_PAGE);
  g_type_ensure (WW_TYPE_RESULTS_PAGE);
  g_type_ensure (WW_TYPE_PROVIDER_PAGE);
  g_type_ensure (WW_TYPE_INFO_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/nl/wegwijzer/Wegwijzer/ww-window.ui");
  gtk_widget_class_bind_template_child (widget_class, WwWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, WwWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, WwWindow, quick_exit_button);
  gtk_widget_class_bind_template_child (widget_class, WwWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, WwWindow, large_text_button);
  gtk_widget_class_bind_template_child (widget_class, WwWindow, contrast_button);
  gtk_widget_class_bind_template_child (widget_class, WwWindow, idle_revealer);
  gtk_widget_class_bind_template_child (widget_class, WwWindow, idle_countdown_label);
  gtk_widget_class_bind_template_child (widget_class, WwWindow, still_here_button);
  gtk_widget_class_bind_template_child (widget_class, WwWindow, keyboard_revealer);
  gtk_widget_class_bind_template_child (widget_class, WwWindow, welcome_page);
  gtk_widget_class_bind_template_child (widget_class, WwWindow, welcome_box);
  gtk_widget_class_bind_template_child (widget_class, WwWindow, start_button);
  gtk_widget_class_bind_template_child (widget_class, WwWindow, back_button);
  gtk_widget_class_bind_template_child (widget_class, WwWindow, home_button);
  gtk_widget_class_bind_template_child (widget_class, WwWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, WwWindow, sample_revealer);
  gtk_widget_class_bind_template_child (widget_class, WwWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, WwWindow, home_page);
  gtk_widget_class_bind_template_child (widget_class, WwWindow, results_page);
  gtk_widget_class_bind_template_child (widget_class, WwWindow, provider_page);
  gtk_widget_class_bind_template_child (widget_class, WwWindow, info_view);
  gtk_widget_class_bind_template_child (widget_class, WwWindow, problem_page);
  gtk_widget_class_bind_template_callback (widget_class, theme_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, home_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, provider_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, info_page_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, book_requested_cb);
  gtk_widget_class_bind_template_callback (widget_class, home_check_requested_cb);
  gtk_widget_class_bind_template_callback (widget_class, start_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, still_here_clicked_cb);

  gtk_widget_class_install_action (widget_class, "win.back", NULL, back_activated);
  gtk_widget_class_install_action (widget_class, "win.home", NULL, home_activated);
  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_activated);
  gtk_widget_class_install_action (widget_class, "win.quick-exit", NULL, quick_exit_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.back", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Home, GDK_ALT_MASK, "win.home", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
}

static void
ww_window_init (WwWindow *self)
{
  GtkEventController *controller;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->history = g_ptr_array_new_with_free_func (g_free);
  self->notices = g_ptr_array_new_null_terminated (4, g_free, TRUE);

  ww_gui_set_accessible_label (GTK_WIDGET (self->back_button), _("Back"));
  ww_gui_set_accessible_label (GTK_WIDGET (self->home_button), _("Start page"));
  ww_gui_set_accessible_label (GTK_WIDGET (self->quick_exit_button), _("Quick exit"));
  ww_gui_set_accessible_label (GTK_WIDGET (self->menu_button), _("Main menu"));
  ww_gui_set_accessible_label (GTK_WIDGET (self->large_text_button), _("Larger text"));
  ww_gui_set_accessible_label (GTK_WIDGET (self->contrast_button), _("High contrast"));
  ww_gui_set_accessible_label (GTK_WIDGET (self->start_button), _("Start"));
  ww_gui_set_accessible_label (GTK_WIDGET (self->still_here_button), _("I am still here"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->quick_exit_button),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("Clears everything and goes back to a neutral screen. "
                                    "Escape pressed three times does the same."),
                                  -1);
  gtk_widget_set_can_target (GTK_WIDGET (self->idle_revealer), FALSE);

  /* before any widget, so that no text field keeps Escape to itself */
  controller = gtk_event_controller_key_new ();
  gtk_event_controller_set_propagation_phase (controller, GTK_PHASE_CAPTURE);
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  self->languages = g_strdupv ((char **) ww_language_get_translated ());
  self->welcome_languages = WW_LANGUAGE_BAR (ww_language_bar_new ((const char *const *) self->languages));
  gtk_box_append (self->welcome_box, GTK_WIDGET (self->welcome_languages));
  g_signal_connect_swapped (self->welcome_languages, "language-chosen",
                            G_CALLBACK (language_chosen_cb), self);
  ww_home_page_set_languages (self->home_page, (const char *const *) self->languages);
  g_signal_connect_swapped (self->home_page, "language-chosen",
                            G_CALLBACK (language_chosen_cb), self);

  gtk_stack_set_visible_child_name (self->stack, "loading");
  g_signal_connect_swapped (self->stack, "notify::visible-child",
                            G_CALLBACK (visible_page_changed_cb), self);
  g_signal_connect_swapped (self->stack, "notify::visible-child",
                            G_CALLBACK (page_shown_cb), self);
  update_chrome (self);
}

WwWindow *
ww_window_new (WwApplication *application,
               const char    *db_path)
{
  return g_object_new (WW_TYPE_WINDOW,
                       "application", application,
                       "db-path", db_path,
                       NULL);
}

/**
 * ww_window_new_successor:
 * @previous: the window this one takes the place of
 * @page: "welcome" or "home": where it starts
 *
 * A new window, in the language now in use, with nothing of what was
 * shown or typed in @previous: only the loaded plugins and directory,
 * the outbox and the relay are handed on, and the settings. @previous
 * is then to be destroyed.
 */
WwWindow *
ww_window_new_successor (WwWindow   *previous,
                         const char *page)
{
  WwWindow *self;

  g_return_val_if_fail (WW_IS_WINDOW (previous), NULL);
  g_return_val_if_fail (page != NULL, NULL);

  self = g_object_new (WW_TYPE_WINDOW,
                       "application", gtk_window_get_application (GTK_WINDOW (previous)),
                       "db-path", previous->db_path,
                       NULL);
  ww_window_set_plugin_path (self, (const char *const *) previous->plugin_path);
  ww_window_set_languages (self, (const char *const *) previous->languages);
  ww_window_set_idle_times (self, previous->idle_timeout_ms, previous->idle_warning_ms);
  ww_window_set_keyboard_mode (self, previous->keyboard_mode);
  if (previous->has_location)
    ww_window_set_location (self, previous->latitude, previous->longitude);
  if (previous->kiosk)
    ww_window_set_kiosk (self);

  if (previous->outbox != NULL && previous->relay_client != NULL)
    {
      /* the sender goes on sending for the new window */
      self->outbox = g_steal_pointer (&previous->outbox);
      self->relay_client = g_steal_pointer (&previous->relay_client);
      ww_provider_page_set_can_book (self->provider_page, TRUE);
      ww_home_page_set_can_check (self->home_page, TRUE);
    }

  if (previous->loaded)
    {
      self->engine = g_object_ref (previous->engine);
      self->directory = g_object_ref (previous->directory);
      self->n_sample = previous->n_sample;
      /* nothing to load: map() must not start again */
      self->cancellable = g_cancellable_new ();
      show_directory (self);
      show_start (self, page);
    }

  return self;
}

void
ww_window_set_kiosk (WwWindow *self)
{
  g_return_if_fail (WW_IS_WINDOW (self));

  if (self->kiosk)
    return;

  self->kiosk = TRUE;
  set_up_kiosk (self);
}

gboolean
ww_window_get_kiosk (WwWindow *self)
{
  g_return_val_if_fail (WW_IS_WINDOW (self), FALSE);

  return self->kiosk;
}

void
ww_window_set_idle_times (WwWindow *self,
                          guint     timeout_ms,
                          guint     warning_ms)
{
  g_return_if_fail (WW_IS_WINDOW (self));

  self->idle_timeout_ms = timeout_ms;
  self->idle_warning_ms = warning_ms;
  hide_idle_warning (self);
  if (self->touched)
    schedule_idle_check (self, timeout_ms);
}

void
ww_window_set_languages (WwWindow          *self,
                         const char *const *codes)
{
  g_return_if_fail (WW_IS_WINDOW (self));

  g_strfreev (self->languages);
  self->languages = g_strdupv ((char **) codes);
  ww_language_bar_set_languages (self->welcome_languages, codes);
  ww_home_page_set_languages (self->home_page, codes);
}

void
ww_window_set_keyboard_mode (WwWindow       *self,
                             WwKeyboardMode  mode)
{
  g_return_if_fail (WW_IS_WINDOW (self));

  self->keyboard_mode = mode;
  focus_changed_cb (self);
}

void
ww_window_set_location (WwWindow *self,
                        double    latitude,
                        double    longitude)
{
  g_return_if_fail (WW_IS_WINDOW (self));

  self->has_location = TRUE;
  self->latitude = latitude;
  self->longitude = longitude;
  ww_results_page_set_location (self->results_page, latitude, longitude);
}

GtkWidget *
ww_window_get_keyboard (WwWindow *self)
{
  g_return_val_if_fail (WW_IS_WINDOW (self), NULL);

  return gtk_revealer_get_reveal_child (self->keyboard_revealer)
         ? gtk_revealer_get_child (self->keyboard_revealer) : NULL;
}

gboolean
ww_window_get_idle_warning_shown (WwWindow *self)
{
  g_return_val_if_fail (WW_IS_WINDOW (self), FALSE);

  return self->warning_since != 0;
}

void
ww_window_set_plugin_path (WwWindow          *self,
                           const char *const *search_path)
{
  g_return_if_fail (WW_IS_WINDOW (self));
  g_return_if_fail (self->cancellable == NULL);

  g_strfreev (self->plugin_path);
  self->plugin_path = g_strdupv ((char **) search_path);
}

/**
 * ww_window_set_relay:
 *
 * Opens the outbox (one small SQLite file, on this thread: it is done
 * once, before the window is used), lets the provider pages offer to
 * ask for an appointment and the start page offer to check one, and
 * starts sending whatever the outbox holds in the background.
 *
 * Returns: %FALSE with @error set when the outbox cannot be opened; the
 *   window then offers no booking
 */
gboolean
ww_window_set_relay (WwWindow    *self,
                     const char  *base_uri,
                     const char  *device_id,
                     const char  *secret,
                     const char  *outbox_path,
                     GError     **error)
{
  g_autoptr(WwOutbox) outbox = NULL;

  g_return_val_if_fail (WW_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (base_uri != NULL, FALSE);
  g_return_val_if_fail (device_id != NULL, FALSE);
  g_return_val_if_fail (secret != NULL, FALSE);
  g_return_val_if_fail (outbox_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  outbox = ww_outbox_open (outbox_path, error);
  if (outbox == NULL)
    {
      ww_provider_page_set_can_book (self->provider_page, FALSE);
      return FALSE;
    }

  g_set_object (&self->outbox, outbox);
  if (self->relay_client != NULL)
    ww_relay_client_stop_sender (self->relay_client);
  g_clear_object (&self->relay_client);
  self->relay_client = ww_relay_client_new (base_uri, device_id, secret);
  if (self->booking_page != NULL)
    ww_booking_page_set_relay (self->booking_page, self->outbox, self->relay_client);
  if (self->check_page != NULL)
    ww_check_page_set_relay (self->check_page, self->relay_client);
  ww_provider_page_set_can_book (self->provider_page, TRUE);
  ww_home_page_set_can_check (self->home_page, TRUE);

  /* requests saved while the relay was down, now or before a restart */
  ww_relay_client_start_sender (self->relay_client, self->outbox);

  return TRUE;
}

const char *
ww_window_get_page_name (WwWindow *self)
{
  g_return_val_if_fail (WW_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

gboolean
ww_window_get_loaded (WwWindow *self)
{
  g_return_val_if_fail (WW_IS_WINDOW (self), FALSE);

  return self->loaded;
}

WwDirectory *
ww_window_get_directory (WwWindow *self)
{
  g_return_val_if_fail (WW_IS_WINDOW (self), NULL);

  return self->directory;
}

WwPluginEngine *
ww_window_get_plugin_engine (WwWindow *self)
{
  g_return_val_if_fail (WW_IS_WINDOW (self), NULL);

  return self->engine;
}

GtkWidget *
ww_window_get_page (WwWindow   *self,
                    const char *name)
{
  g_return_val_if_fail (WW_IS_WINDOW (self), NULL);

  return gtk_stack_get_child_by_name (self->stack, name);
}

const char *const *
ww_window_get_notices (WwWindow *self)
{
  g_return_val_if_fail (WW_IS_WINDOW (self), NULL);

  return (const char *const *) self->notices->pdata;
}
