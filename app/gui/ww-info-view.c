/* ww-info-view.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-info-view"

#include "config.h"

#include "ww-info-view.h"

struct _WwInfoView
{
  GtkWidget          parent_instance;

  WwInfoPage        *page;

  GtkScrolledWindow *scroller;
  GtkLabel          *theme_label;
  GtkLabel          *title_label;
  GtkBox            *body_box;
};

G_DEFINE_FINAL_TYPE (WwInfoView, ww_info_view, GTK_TYPE_WIDGET)

void
ww_info_view_set_page (WwInfoView *self,
                       WwPlugin   *plugin,
                       WwInfoPage *page)
{
  g_auto(GStrv) paragraphs = NULL;
  GtkWidget *child;

  g_return_if_fail (WW_IS_INFO_VIEW (self));
  g_return_if_fail (WW_IS_INFO_PAGE (page));

  g_set_object (&self->page, page);
  gtk_label_set_label (self->theme_label, plugin ? ww_plugin_get_name (plugin) : "");
  gtk_label_set_label (self->title_label, ww_info_page_get_title (page));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->body_box))) != NULL)
    gtk_box_remove (self->body_box, child);

  /* paragraphs are separated by a blank line */
  paragraphs = g_strsplit (ww_info_page_get_body (page), "\n\n", -1);
  for (guint i = 0; paragraphs[i] != NULL; i++)
    {
      GtkWidget *label;

      if (*g_strstrip (paragraphs[i]) == '\0')
        continue;

      label = gtk_label_new (paragraphs[i]);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_widget_add_css_class (label, "body");
      gtk_box_append (self->body_box, label);
    }

  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
}

WwInfoPage *
ww_info_view_get_page (WwInfoView *self)
{
  g_return_val_if_fail (WW_IS_INFO_VIEW (self), NULL);

  return self->page;
}

static void
ww_info_view_dispose (GObject *object)
{
  WwInfoView *self = (WwInfoView *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), WW_TYPE_INFO_VIEW);
  g_clear_object (&self->page);

  G_OBJECT_CLASS (ww_info_view_parent_class)->dispose (object);
}

static void
ww_info_view_class_init (WwInfoViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ww_info_view_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/nl/wegwijzer/Wegwijzer/ww-info-view.ui");
  gtk_widget_class_bind_template_child (widget_class, WwInfoView, scroller);
  gtk_widget_class_bind_template_child (widget_class, WwInfoView, theme_label);
  gtk_widget_class_bind_template_child (widget_class, WwInfoView, title_label);
  gtk_widget_class_bind_template_child (widget_class, WwInfoView, body_box);
}

static void
ww_info_view_init (WwInfoView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
