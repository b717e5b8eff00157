/* ww-provider-page.c: everything the directory knows of one listing
 *
 * The rows depend on what a listing has, so the page is built in code
 * each time; the template gives it its frame.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-provider-page"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "ww-gui-util.h"
#include "ww-provider-page.h"

struct _WwProviderPage
{
  GtkWidget          parent_instance;

  WwProvider        *provider;
  gboolean           can_book;

  GtkScrolledWindow *scroller;
  GtkBox            *content;
};

G_DEFINE_FINAL_TYPE (WwProviderPage, ww_provider_page, GTK_TYPE_WIDGET)

enum {
  SIGNAL_BOOK_REQUESTED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static GtkWidget *
add_label (GtkBox     *box,
           const char *text,
           const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  gtk_box_append (box, label);

  return label;
}

static AdwPreferencesGroup *
add_group (WwProviderPage *self,
           const char     *title)
{
  GtkWidget *group = adw_preferences_group_new ();

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  gtk_box_append (self->content, group);

  return ADW_PREFERENCES_GROUP (group);
}

static GtkWidget *
add_row (AdwPreferencesGroup *group,
         const char          *title,
         const char          *subtitle,
         const char          *icon_name)
{
  GtkWidget *row = adw_action_row_new ();

  /* plain text: names may hold "&" and "<"; set before the texts are */
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  if (icon_name != NULL)
    adw_action_row_set_icon_name (ADW_ACTION_ROW (row), icon_name);
  adw_preferences_group_add (group, row);

  return row;
}

static void
add_field_row (AdwPreferencesGroup *group,
               WwProvider          *provider,
               WwProviderField      field,
               const char          *title)
{
  const char *value = ww_provider_get_field (provider, field);

  if (value != NULL)
    add_row (group, value, title, NULL);
}

static void
book_clicked_cb (WwProviderPage *self)
{
  g_signal_emit (self, signals[SIGNAL_BOOK_REQUESTED], 0);
}

static void
clear_content (WwProviderPage *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->content))) != NULL)
    gtk_box_remove (self->content, child);
}

void
ww_provider_page_set_provider (WwProviderPage *self,
                               WwProvider     *provider,
                               WwPluginEngine *engine)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *heading = NULL;
  g_autofree char *place = NULL;
  g_autofree char *verified = NULL;
  g_autofree char *date = NULL;
  AdwPreferencesGroup *group;
  GtkWidget *header;
  GPtrArray *schedules;
  const char *const *attributes;
  const char *const *languages;
  const char *organization;
  const char *description;
  const char *assurer;

  g_return_if_fail (WW_IS_PROVIDER_PAGE (self));
  g_return_if_fail (WW_IS_PROVIDER (provider));

  g_set_object (&self->provider, provider);
  clear_content (self);

  header = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_box_append (self->content, header);
  add_label (GTK_BOX (header), ww_provider_get_name (provider), "title-1");
  organization = ww_provider_get_field (provider, WW_PROVIDER_ORGANIZATION_NAME);
  heading = organization != NULL && g_strcmp0 (organization, ww_provider_get_name (provider)) != 0
            ? g_strdup_printf ("%s · %s",
                               ww_gui_category_label (engine, ww_provider_get_theme (provider),
                                                      ww_provider_get_category (provider)),
                               organization)
            : g_strdup (ww_gui_category_label (engine, ww_provider_get_theme (provider),
                                               ww_provider_get_category (provider)));
  add_label (GTK_BOX (header), heading, "dim-label");

  if (self->can_book)
    {
      GtkWidget *book = gtk_button_new_with_label (_("Ask for an appointment"));

      gtk_widget_add_css_class (book, "suggested-action");
      gtk_widget_add_css_class (book, "pill");
      gtk_widget_add_css_class (book, "book-button");
      gtk_widget_set_halign (book, GTK_ALIGN_START);
      gtk_widget_set_margin_top (book, 6);
      ww_gui_set_accessible_label (book, _("Ask for an appointment"));
      g_signal_connect_swapped (book, "clicked", G_CALLBACK (book_clicked_cb), self);
      gtk_box_append (GTK_BOX (header), book);
    }

  if (ww_provider_get_sample (provider))
    {
      GtkWidget *notice = add_label (self->content,
                                     _("This is a fictional sample listing. The provider, "
                                       "address and phone number do not exist."),
                                     "sample-notice");

      gtk_accessible_update_property (GTK_ACCESSIBLE (notice),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("Sample data"), -1);
    }

  description = ww_provider_get_field (provider, WW_PROVIDER_DESCRIPTION);
  if (description != NULL)
    add_label (self->content, description, "body");

  attributes = ww_provider_get_attributes (provider);
  if (attributes[0] != NULL)
    {
      group = add_group (self, _("What to expect"));
      for (guint i = 0; attributes[i] != NULL; i++)
        add_row (group, ww_attribute_get_label (attributes[i]), NULL, "object-select-symbolic");
    }

  schedules = ww_provider_get_schedules (provider);
  group = add_group (self, schedules->len == 0
                           ? _("Opening hours")
                           : ww_provider_is_open_at (provider, now)
                             ? _("Opening hours: open now")
                             : _("Opening hours: closed now"));
  if (schedules->len == 0)
    add_row (group, _("Not known; call or write first"), NULL, NULL);
  for (guint i = 0; i < schedules->len; i++)
    {
      g_autofree char *hours = ww_gui_format_schedule (g_ptr_array_index (schedules, i));

      add_row (group, hours, NULL, NULL);
    }

  group = add_group (self, _("Address"));
  place = g_strjoin (" ",
                     ww_provider_get_field (provider, WW_PROVIDER_POSTAL_CODE) ?: "",
                     ww_provider_get_city (provider), NULL);
  add_row (group,
           ww_provider_get_field (provider, WW_PROVIDER_STREET) ?: ww_provider_get_city (provider),
           g_strstrip (place), "mark-location-symbolic");

  group = add_group (self, _("Contact"));
  add_field_row (group, provider, WW_PROVIDER_PHONE, _("Phone"));
  add_field_row (group, provider, WW_PROVIDER_EMAIL, _("Email"));
  add_field_row (group, provider, WW_PROVIDER_URL, _("Website"));

  languages = ww_provider_get_languages (provider);
  if (languages[0] != NULL)
    {
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint i = 0; languages[i] != NULL; i++)
        {
          if (names->len > 0)
            g_string_append (names, ", ");
          g_string_append (names, ww_language_get_name (languages[i]));
        }
      group = add_group (self, _("Languages"));
      add_row (group, names->str, NULL, NULL);
    }

  if (organization != NULL &&
      ww_provider_get_field (provider, WW_PROVIDER_ORGANIZATION_DESCRIPTION) != NULL)
    {
      group = add_group (self, _("Organisation"));
      add_row (group, organization,
               ww_provider_get_field (provider, WW_PROVIDER_ORGANIZATION_DESCRIPTION), NULL);
    }

  date = ww_gui_format_date (ww_provider_get_field (provider, WW_PROVIDER_ASSURED_DATE));
  assurer = ww_provider_get_field (provider, WW_PROVIDER_ASSURER_EMAIL);
  if (date != NULL && assurer != NULL)
    verified = g_strdup_printf (_("Details checked on %s by %s."), date, assurer);
  else if (date != NULL)
    verified = g_strdup_printf (_("Details checked on %s."), date);
  else
    verified = g_strdup (_("When these details were last checked is not known."));
  add_label (self->content, verified, "dim-label");

  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->scroller), 0);
}

/* Whether the page offers to ask for an appointment: only where there is
 * a relay to send the request to. Takes effect with the next provider. */
void
ww_provider_page_set_can_book (WwProviderPage *self,
                               gboolean        can_book)
{
  g_return_if_fail (WW_IS_PROVIDER_PAGE (self));

  self->can_book = !!can_book;
}

WwProvider *
ww_provider_page_get_provider (WwProviderPage *self)
{
  g_return_val_if_fail (WW_IS_PROVIDER_PAGE (self), NULL);

  return self->provider;
}

static void
ww_provider_page_dispose (GObject *object)
{
  WwProviderPage *self = (WwProviderPage *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), WW_TYPE_PROVIDER_PAGE);
  g_clear_object (&self->provider);

  G_OBJECT_CLASS (ww_provider_page_parent_class)->dispose (object);
}

static void
ww_provider_page_class_init (WwProviderPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ww_provider_page_dispose;

  /**
   * WwProviderPage::book-requested:
   *
   * The visitor wants to ask the provider shown for an appointment.
   */
  signals[SIGNAL_BOOK_REQUESTED] =
    g_signal_new ("book-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/nl/wegwijzer/Wegwijzer/ww-provider-page.ui");
  gtk_widget_class_bind_template_child (widget_class, WwProviderPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, WwProviderPage, content);
}

static void
ww_provider_page_init (WwProviderPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
