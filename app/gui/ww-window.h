/* ww-window.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "wegwijzer.h"
#include "ww-application.h"

G_BEGIN_DECLS

/* the values of the "on-screen-keyboard" setting */
typedef enum {
  WW_KEYBOARD_MODE_AUTO,
  WW_KEYBOARD_MODE_ALWAYS,
  WW_KEYBOARD_MODE_NEVER,
} WwKeyboardMode;

#define WW_TYPE_WINDOW (ww_window_get_type ())
G_DECLARE_FINAL_TYPE (WwWindow, ww_window, WW, WINDOW, AdwApplicationWindow)

WwWindow       *ww_window_new                (WwApplication *application,
                                              const char    *db_path);
WwWindow       *ww_window_new_successor      (WwWindow      *previous,
                                              const char    *page);
/* Before the window is shown: fullscreen, undecorated, cannot be closed,
 * resets after the idle times, locks text fields and labels down, and
 * shows the on-screen keyboard as the keyboard mode says. */
void            ww_window_set_kiosk          (WwWindow      *self);
gboolean        ww_window_get_kiosk          (WwWindow      *self);
/* On a kiosk: after @timeout_ms without input "Are you still there?",
 * and @warning_ms later a reset; 0 never. */
void            ww_window_set_idle_times     (WwWindow      *self,
                                              guint          timeout_ms,
                                              guint          warning_ms);
gboolean        ww_window_get_idle_warning_shown (WwWindow  *self);
/* the languages offered on the welcome and start pages */
void            ww_window_set_languages      (WwWindow          *self,
                                              const char *const *codes);
void            ww_window_set_keyboard_mode  (WwWindow       *self,
                                              WwKeyboardMode  mode);
/* where the screen stands, for "Near here" */
void            ww_window_set_location       (WwWindow      *self,
                                              double         latitude,
                                              double         longitude);
/* the on-screen keyboard while it is shown, else %NULL */
GtkWidget      *ww_window_get_keyboard       (WwWindow      *self);
/* Plugins are looked for on @search_path instead of the default one;
 * for tests, before the window is shown. */
void            ww_window_set_plugin_path    (WwWindow           *self,
                                              const char *const  *search_path);
/* Where booking requests go: an outbox at @outbox_path (opened here)
 * and the relay at @base_uri, signed as the device @device_id. Without
 * it the window offers no booking. */
gboolean        ww_window_set_relay          (WwWindow      *self,
                                              const char    *base_uri,
                                              const char    *device_id,
                                              const char    *secret,
                                              const char    *outbox_path,
                                              GError       **error);
/* "loading", "welcome", "home", "results", "provider", "booking", "check", "info"
 * or "problem" */
const char     *ww_window_get_page_name      (WwWindow      *self);
gboolean        ww_window_get_loaded         (WwWindow      *self);
WwDirectory    *ww_window_get_directory      (WwWindow      *self);
WwPluginEngine *ww_window_get_plugin_engine  (WwWindow      *self);
GtkWidget      *ww_window_get_page           (WwWindow      *self,
                                              const char    *name);
/* the texts of the toasts shown so far, for tests */
const char *const *ww_window_get_notices     (WwWindow      *self);

G_END_DECLS
