/* ww-language.c: the languages a visitor can choose, and switching to one
 *
 * gettext reads the LANGUAGE variable at each lookup, so a switch is
 * setting it and telling gettext that its cached translations are
 * stale. Two things would stop that from working, and
 * ww_language_init() deals with both before anything is translated.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-language"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "wegwijzer.h"
#include "ww-gui-util.h"
#include "ww-language.h"

static const char *current;
/* LANGUAGE as the program was started with it */
static char *started_language;

void
ww_language_init (void)
{
  const char *messages = setlocale (LC_MESSAGES, NULL);

  /* In the C locale gettext ignores LANGUAGE altogether; C.UTF-8 is on
   * every Debian system and keeps everything else as C has it. */
  if (messages == NULL || g_str_equal (messages, "C") || g_str_equal (messages, "POSIX"))
    setlocale (LC_ALL, "C.UTF-8");

  /* GLib decides at its first g_dgettext() whether to translate at all,
   * and for good: not when the locale of that moment has no catalogue
   * of ours. A kiosk started in English would then never show Dutch,
   * so the decision is taken under a language that has one. */
  g_free (started_language);
  started_language = g_strdup (g_getenv ("LANGUAGE"));
  g_setenv ("LANGUAGE", "nl", TRUE);
  textdomain (GETTEXT_PACKAGE);
  (void) g_dgettext (GETTEXT_PACKAGE, "");
  if (started_language != NULL)
    g_setenv ("LANGUAGE", started_language, TRUE);
  else
    g_unsetenv ("LANGUAGE");
  textdomain (GETTEXT_PACKAGE);
}

/* The names are libwegwijzer's, which has one for every language a
 * listing can be in; these are the ones the program also speaks. */
const char *
ww_language_get_own_name (const char *code)
{
  if (code == NULL || !g_strv_contains (ww_language_get_translated (), code))
    return NULL;

  return ww_language_get_name (code);
}

void
ww_language_use (const char *code)
{
  g_return_if_fail (code == NULL || ww_language_get_own_name (code) != NULL);

  if (code == NULL)
    {
      /* back to the locale, and to LANGUAGE as the program was given it */
      current = NULL;
      if (started_language != NULL)
        g_setenv ("LANGUAGE", started_language, TRUE);
      else
        g_unsetenv ("LANGUAGE");
      textdomain (GETTEXT_PACKAGE);
      ww_set_language (NULL);
      return;
    }

  current = g_intern_string (code);
  /* English is the source language: no catalogue, the texts as they are */
  g_setenv ("LANGUAGE", code, TRUE);
  /* a new text domain is what makes gettext forget what it looked up */
  textdomain (GETTEXT_PACKAGE);
  /* the plugins' and the directory's texts */
  ww_set_language (code);
}

const char *
ww_language_get_current (void)
{
  return current != NULL ? current : ww_get_language ();
}

/* WwLanguageBar */

struct _WwLanguageBar
{
  GtkWidget   parent_instance;

  GtkFlowBox *flow_box;
};

G_DEFINE_FINAL_TYPE (WwLanguageBar, ww_language_bar, GTK_TYPE_WIDGET)

enum {
  LANGUAGE_CHOSEN,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static void
language_clicked_cb (GtkButton     *button,
                     WwLanguageBar *self)
{
  g_signal_emit (self, signals[LANGUAGE_CHOSEN], 0,
                 g_object_get_data (G_OBJECT (button), "ww-language"));
}

void
ww_language_bar_set_languages (WwLanguageBar     *self,
                               const char *const *codes)
{
  GtkWidget *child;

  g_return_if_fail (WW_IS_LANGUAGE_BAR (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->flow_box))) != NULL)
    gtk_flow_box_remove (self->flow_box, child);

  for (guint i = 0; codes != NULL && codes[i] != NULL; i++)
    {
      const char *name = ww_language_get_own_name (codes[i]);
      g_autoptr(PangoAttrList) attributes = NULL;
      GtkWidget *button;
      GtkWidget *label;

      if (name == NULL)
        continue;

      /* so that the font and the screen reader's voice fit the language */
      attributes = pango_attr_list_new ();
      pango_attr_list_insert (attributes, pango_attr_language_new (pango_language_from_string (codes[i])));
      label = gtk_label_new (name);
      gtk_label_set_attributes (GTK_LABEL (label), attributes);

      button = gtk_button_new ();
      gtk_button_set_child (GTK_BUTTON (button), label);
      gtk_widget_add_css_class (button, "pill");
      gtk_widget_add_css_class (button, "language");
      if (g_strcmp0 (codes[i], ww_language_get_current ()) == 0)
        {
          gtk_widget_add_css_class (button, "suggested-action");
          gtk_accessible_update_state (GTK_ACCESSIBLE (button),
                                       GTK_ACCESSIBLE_STATE_SELECTED, TRUE, -1);
        }
      ww_gui_set_accessible_label (button, name);
      g_object_set_data (G_OBJECT (button), "ww-language", (gpointer) g_intern_string (codes[i]));
      g_signal_connect (button, "clicked", G_CALLBACK (language_clicked_cb), self);
      gtk_flow_box_append (self->flow_box, button);
    }
}

static void
ww_language_bar_dispose (GObject *object)
{
  WwLanguageBar *self = WW_LANGUAGE_BAR (object);

  g_clear_pointer ((GtkWidget **) &self->flow_box, gtk_widget_unparent);

  G_OBJECT_CLASS (ww_language_bar_parent_class)->dispose (object);
}

static void
ww_language_bar_class_init (WwLanguageBarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ww_language_bar_dispose;

  /**
   * WwLanguageBar::language-chosen:
   * @code: the language's code, such as "ro"
   */
  signals [LANGUAGE_CHOSEN] =
    g_signal_new ("language-chosen",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "languagebar");
}

static void
ww_language_bar_init (WwLanguageBar *self)
{
  self->flow_box = GTK_FLOW_BOX (gtk_flow_box_new ());
  gtk_flow_box_set_selection_mode (self->flow_box, GTK_SELECTION_NONE);
  gtk_flow_box_set_min_children_per_line (self->flow_box, 2);
  gtk_flow_box_set_max_children_per_line (self->flow_box, 10);
  gtk_flow_box_set_column_spacing (self->flow_box, 6);
  gtk_flow_box_set_row_spacing (self->flow_box, 6);
  gtk_widget_set_halign (GTK_WIDGET (self->flow_box), GTK_ALIGN_CENTER);
  gtk_widget_set_parent (GTK_WIDGET (self->flow_box), GTK_WIDGET (self));
  /* in every language the same words, so that anyone finds it */
  ww_gui_set_accessible_label (GTK_WIDGET (self->flow_box), "Language · Taal · Limba · Език · Nyelv · Język · Idioma · Língua · Язык · Мова");
}

GtkWidget *
ww_language_bar_new (const char *const *codes)
{
  WwLanguageBar *self = g_object_new (WW_TYPE_LANGUAGE_BAR, NULL);

  ww_language_bar_set_languages (self, codes);

  return GTK_WIDGET (self);
}
