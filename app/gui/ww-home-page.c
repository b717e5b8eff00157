/* ww-home-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-home-page"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "ww-gui-util.h"
#include "ww-home-page.h"
#include "ww-language.h"

struct _WwHomePage
{
  GtkWidget       parent_instance;

  GtkScrolledWindow *scroller;
  GtkSearchEntry *search_entry;
  AdwStatusPage  *message_page;
  GtkFlowBox     *tiles;
  GtkWidget      *check_box;
  GtkButton      *check_button;
  GtkBox         *box;
  WwLanguageBar  *languages;
};

G_DEFINE_FINAL_TYPE (WwHomePage, ww_home_page, GTK_TYPE_WIDGET)

enum {
  THEME_ACTIVATED,
  SEARCH_CHANGED,
  CHECK_REQUESTED,
  LANGUAGE_CHOSEN,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static void
search_changed_cb (WwHomePage     *self,
                   GtkSearchEntry *entry)
{
  g_signal_emit (self, signals[SEARCH_CHANGED], 0,
                 gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
check_clicked_cb (WwHomePage *self)
{
  g_signal_emit (self, signals[CHECK_REQUESTED], 0);
}

static void
tile_clicked_cb (GtkButton  *button,
                 WwHomePage *self)
{
  WwPlugin *plugin = g_object_get_data (G_OBJECT (button), "ww-plugin");

  g_signal_emit (self, signals[THEME_ACTIVATED], 0, plugin);
}

static GtkWidget *
create_tile (WwHomePage *self,
             WwPlugin   *plugin)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *icon = gtk_image_new_from_icon_name (ww_plugin_get_icon_name (plugin));
  GtkWidget *name = gtk_label_new (ww_plugin_get_name (plugin));
  GtkWidget *description = gtk_label_new (ww_plugin_get_description (plugin));

  gtk_image_set_pixel_size (GTK_IMAGE (icon), 32);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, "", -1);
  gtk_widget_add_css_class (name, "heading");
  gtk_label_set_wrap (GTK_LABEL (name), TRUE);
  gtk_label_set_wrap (GTK_LABEL (description), TRUE);
  gtk_label_set_justify (GTK_LABEL (description), GTK_JUSTIFY_CENTER);
  gtk_label_set_max_width_chars (GTK_LABEL (description), 30);
  gtk_widget_add_css_class (description, "dim-label");

  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), description);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_button_set_child (GTK_BUTTON (button), box);
  gtk_widget_add_css_class (button, "theme-tile");
  gtk_widget_add_css_class (button, "card");

  ww_gui_set_accessible_label (button, ww_plugin_get_name (plugin));
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  ww_plugin_get_description (plugin),
                                  -1);

  g_object_set_data_full (G_OBJECT (button), "ww-plugin", g_object_ref (plugin), g_object_unref);
  g_signal_connect (button, "clicked", G_CALLBACK (tile_clicked_cb), self);

  return button;
}

void
ww_home_page_set_plugins (WwHomePage *self,
                          GListModel *plugins)
{
  GtkWidget *child;

  g_return_if_fail (WW_IS_HOME_PAGE (self));
  g_return_if_fail (G_IS_LIST_MODEL (plugins));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->tiles))) != NULL)
    gtk_flow_box_remove (self->tiles, child);

  for (guint i = 0; i < g_list_model_get_n_items (plugins); i++)
    {
      g_autoptr(WwPlugin) plugin = g_list_model_get_item (plugins, i);

      gtk_flow_box_append (self->tiles, create_tile (self, plugin));
    }
}

void
ww_home_page_set_message (WwHomePage *self,
                          const char *title,
                          const char *description)
{
  g_return_if_fail (WW_IS_HOME_PAGE (self));

  adw_status_page_set_title (self->message_page, title);
  adw_status_page_set_description (self->message_page, description);
  gtk_widget_set_visible (GTK_WIDGET (self->message_page), title != NULL);
}

void
ww_home_page_set_can_check (WwHomePage *self,
                            gboolean    can_check)
{
  g_return_if_fail (WW_IS_HOME_PAGE (self));

  gtk_widget_set_visible (self->check_box, can_check);
}

static void
language_chosen_cb (WwHomePage *self,
                    const char *code)
{
  g_signal_emit (self, signals[LANGUAGE_CHOSEN], 0, code);
}

void
ww_home_page_set_languages (WwHomePage        *self,
                            const char *const *codes)
{
  g_return_if_fail (WW_IS_HOME_PAGE (self));

  ww_language_bar_set_languages (self->languages, codes);
  gtk_widget_set_visible (GTK_WIDGET (self->languages), codes != NULL && codes[0] != NULL && codes[1] != NULL);
}

void
ww_home_page_reset (WwHomePage *self)
{
  g_return_if_fail (WW_IS_HOME_PAGE (self));

  g_signal_handlers_block_by_func (self->search_entry, search_changed_cb, self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  g_signal_handlers_unblock_by_func (self->search_entry, search_changed_cb, self);
}

void
ww_home_page_focus (WwHomePage *self)
{
  g_return_if_fail (WW_IS_HOME_PAGE (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
ww_home_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), WW_TYPE_HOME_PAGE);

  G_OBJECT_CLASS (ww_home_page_parent_class)->dispose (object);
}

static void
ww_home_page_class_init (WwHomePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ww_home_page_dispose;

  /**
   * WwHomePage::theme-activated:
   * @plugin: the theme's plugin
   */
  signals [THEME_ACTIVATED] =
    g_signal_new ("theme-activated",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, WW_TYPE_PLUGIN);

  /**
   * WwHomePage::search-changed:
   * @text: what was typed
   */
  signals [SEARCH_CHANGED] =
    g_signal_new ("search-changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * WwHomePage::check-requested:
   *
   * The visitor wants to see how a request they made is doing.
   */
  signals [CHECK_REQUESTED] =
    g_signal_new ("check-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * WwHomePage::language-chosen:
   * @code: the language the visitor wants the screen in
   */
  signals [LANGUAGE_CHOSEN] =
    g_signal_new ("language-chosen",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/nl/wegwijzer/Wegwijzer/ww-home-page.ui");
  gtk_widget_class_bind_template_child (widget_class, WwHomePage, scroller);
  gtk_widget_class_bind_template_child (widget_class, WwHomePage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, WwHomePage, message_page);
  gtk_widget_class_bind_template_child (widget_class, WwHomePage, tiles);
  gtk_widget_class_bind_template_child (widget_class, WwHomePage, check_box);
  gtk_widget_class_bind_template_child (widget_class, WwHomePage, check_button);
  gtk_widget_class_bind_template_child (widget_class, WwHomePage, box);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, check_clicked_cb);
}

static void
ww_home_page_init (WwHomePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  ww_gui_set_accessible_label (GTK_WIDGET (self->search_entry), _("Search the directory"));
  ww_gui_set_accessible_label (GTK_WIDGET (self->tiles), _("Themes"));
  ww_gui_set_accessible_label (GTK_WIDGET (self->check_button), _("Check my request"));

  /* under the themes: a visitor who cannot read this page looks there
   * for their language's name */
  self->languages = WW_LANGUAGE_BAR (ww_language_bar_new (ww_language_get_translated ()));
  gtk_widget_set_margin_top (GTK_WIDGET (self->languages), 18);
  gtk_box_append (self->box, GTK_WIDGET (self->languages));
  g_signal_connect_swapped (self->languages, "language-chosen", G_CALLBACK (language_chosen_cb), self);
}
