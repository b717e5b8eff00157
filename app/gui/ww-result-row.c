/* ww-result-row.c: one listing in the results
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-result-row"

#include "config.h"

#include <glib/gi18n.h>

#include "ww-gui-util.h"
#include "ww-result-row.h"

struct _WwResultRow
{
  GtkWidget  parent_instance;

  GtkLabel  *name_label;
  GtkLabel  *distance_label;
  GtkLabel  *detail_label;
  GtkLabel  *facts_label;
};

G_DEFINE_FINAL_TYPE (WwResultRow, ww_result_row, GTK_TYPE_WIDGET)

WwResultRow *
ww_result_row_new (void)
{
  return g_object_new (WW_TYPE_RESULT_ROW, NULL);
}

void
ww_result_row_set_provider (WwResultRow    *self,
                            WwProvider     *provider,
                            WwPluginEngine *engine)
{
  g_autoptr(GString) facts = g_string_new (NULL);
  g_autofree char *detail = NULL;
  const char *street;
  double km;

  g_return_if_fail (WW_IS_RESULT_ROW (self));

  if (provider == NULL)
    {
      gtk_label_set_label (self->name_label, "");
      gtk_label_set_label (self->detail_label, "");
      gtk_label_set_label (self->facts_label, "");
      return;
    }

  gtk_label_set_label (self->name_label, ww_provider_get_name (provider));

  street = ww_provider_get_field (provider, WW_PROVIDER_STREET);
  detail = street != NULL
             /* Translators: a listing's category · its street, its city */
           ? g_strdup_printf (_("%s · %s, %s"),
                              ww_gui_category_label (engine, ww_provider_get_theme (provider),
                                                     ww_provider_get_category (provider)),
                              street, ww_provider_get_city (provider))
             /* Translators: a listing's category · its city */
           : g_strdup_printf (_("%s · %s"),
                              ww_gui_category_label (engine, ww_provider_get_theme (provider),
                                                     ww_provider_get_category (provider)),
                              ww_provider_get_city (provider));
  gtk_label_set_label (self->detail_label, detail);

  for (const char *const *a = ww_provider_get_attributes (provider); *a != NULL; a++)
    {
      if (facts->len > 0)
        g_string_append (facts, " · ");
      g_string_append (facts, ww_attribute_get_label (*a));
    }
  gtk_label_set_label (self->facts_label, facts->str);
  gtk_widget_set_visible (GTK_WIDGET (self->facts_label), facts->len > 0);

  km = ww_provider_get_distance (provider);
  gtk_widget_set_visible (GTK_WIDGET (self->distance_label), km >= 0);
  if (km >= 0)
    {
      g_autofree char *distance = g_strdup_printf (_("%.1f km"), km);

      gtk_label_set_label (self->distance_label, distance);
    }
}

static void
ww_result_row_dispose (GObject *object)
{
  ww_gui_unparent_children (GTK_WIDGET (object));

  G_OBJECT_CLASS (ww_result_row_parent_class)->dispose (object);
}

static void
ww_result_row_class_init (WwResultRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ww_result_row_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static GtkLabel *
add_label (GtkBox     *box,
           const char *css_class)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_box_append (box, label);

  return GTK_LABEL (label);
}

/* Built in code rather than from a template: the list makes a row for
 * every line on screen each time the results change, and GtkBuilder
 * costs milliseconds a row. */
static void
ww_result_row_init (WwResultRow *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 3);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  gtk_widget_set_margin_top (box, 9);
  gtk_widget_set_margin_bottom (box, 9);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_parent (box, GTK_WIDGET (self));

  gtk_box_append (GTK_BOX (box), top);
  self->name_label = add_label (GTK_BOX (top), "heading");
  gtk_widget_set_hexpand (GTK_WIDGET (self->name_label), TRUE);
  gtk_label_set_ellipsize (self->name_label, PANGO_ELLIPSIZE_END);
  self->distance_label = add_label (GTK_BOX (top), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->distance_label), "numeric");
  gtk_widget_set_visible (GTK_WIDGET (self->distance_label), FALSE);

  self->detail_label = add_label (GTK_BOX (box), NULL);
  gtk_label_set_ellipsize (self->detail_label, PANGO_ELLIPSIZE_END);

  self->facts_label = add_label (GTK_BOX (box), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->facts_label), "caption");
  /* one line each: wrapped labels need height-for-width, and the list
   * measures a few hundred rows whenever the results change */
  gtk_label_set_ellipsize (self->facts_label, PANGO_ELLIPSIZE_END);
}
