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
  gtk_widget_dispose_template (GTK_WIDGET (object), WW_TYPE_RESULT_ROW);
  /* the template's outer box has no name, so it is not cleared above */
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
  gtk_widget_class_set_template_from_resource (widget_class, "/nl/wegwijzer/Wegwijzer/ww-result-row.ui");
  gtk_widget_class_bind_template_child (widget_class, WwResultRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, WwResultRow, distance_label);
  gtk_widget_class_bind_template_child (widget_class, WwResultRow, detail_label);
  gtk_widget_class_bind_template_child (widget_class, WwResultRow, facts_label);
}

static void
ww_result_row_init (WwResultRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
