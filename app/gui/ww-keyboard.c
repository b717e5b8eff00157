/* ww-keyboard.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-keyboard"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "ww-gui-util.h"
#include "ww-keyboard.h"

/* the smallest key a fingertip hits on a public screen */
#define KEY_MIN_SIZE 48
/* between two keys; half of it on each side of every key */
#define KEY_GAP 4
/* A key is four columns of a page's grid wide, so that a row can be
 * offset by half a key, as on a real keyboard, or by a quarter. */
#define KEY_COLUMNS 4
/* Shift and backspace take what the last row leaves of a page's widest
 * row, from one and a quarter keys to one and a half: on the page with
 * the most keys, the least, so that it still fits a screen 768 pixels
 * wide. */
#define FUNCTION_KEY_MIN_COLUMNS 5
#define FUNCTION_KEY_MAX_COLUMNS 6
/* wider would spread the keys further than a hand reaches */
#define MAXIMUM_WIDTH 900

/* Adwaita's arrows are chevrons, and it has none for enter; these are
 * in the fonts of every script the keyboard types. */
#define SHIFT_LABEL "⇧"
#define CAPS_LOCK_LABEL "⇪"
#define ENTER_LABEL "↵"

typedef enum
{
  PAGE_LETTERS,
  PAGE_ACCENTS,
  PAGE_CYRILLIC,
  PAGE_DIGITS,
  N_PAGES
} Page;

typedef enum
{
  SHIFT_OFF,
  SHIFT_ONCE,   /* for the next letter */
  SHIFT_LOCKED, /* caps lock */
} ShiftState;

typedef struct
{
  const char *name;
  /* The page key shows a few of the page's characters: they read the
   * same in every language, so they are not translated. */
  const char *sample;
  const char *accessible_name;
  gboolean    has_shift;
  /* each row's character keys, separated by spaces; the last row has
   * shift (if the page has it) and backspace at its ends */
  const char *rows[3];
} PageLayout;

static const PageLayout page_layouts[N_PAGES] = {
  [PAGE_LETTERS] = {
    "letters", "ABC",
    /* Translators: the accessible name of the key that shows the page
     * of plain letters of the on-screen keyboard */
    N_("Letters"),
    TRUE,
    { "q w e r t y u i o p",
      "a s d f g h j k l",
      "z x c v b n m" },
  },
  /* what Dutch, Romanian, Hungarian, Polish, Spanish and Portuguese
   * write, in the order of the letters they are made on */
  [PAGE_ACCENTS] = {
    "accents", "áé",
    /* Translators: the accessible name of the key that shows the page
     * of letters with accents (á, ë, ő, ł, …) of the on-screen keyboard */
    N_("Letters with accents"),
    TRUE,
    { "á à â ä ã å ă ą ç ć é è ê ë",
      "ę í ì î ï ĳ ł ñ ń ó ò ô ö õ",
      "ő ś ș ß ț ú ù û ü ű ź ż" },
  },
  /* Russian ЙЦУКЕН as a Russian visitor knows it, with Ukrainian's own
   * letters at the ends of the rows; Bulgarian uses a part of it */
  [PAGE_CYRILLIC] = {
    "cyrillic", "АБВ",
    /* Translators: the accessible name of the key that shows the page
     * of Cyrillic letters (Russian, Ukrainian, Bulgarian) of the
     * on-screen keyboard */
    N_("Cyrillic letters"),
    TRUE,
    { "й ц у к е н г ш щ з х ъ ї",
      "ф ы в а п р о л д ж э є і",
      "я ч с м и т ь б ю ё ґ" },
  },
  /* what addresses, phone numbers and dates need */
  [PAGE_DIGITS] = {
    "digits", "123",
    /* Translators: the accessible name of the key that shows the page
     * of digits and symbols of the on-screen keyboard */
    N_("Digits and symbols"),
    FALSE,
    { "1 2 3 4 5 6 7 8 9 0",
      "@ . - _ ' + , ! ?",
      "/ : ( ) & # €" },
  },
};

/* A key that types: the letters, digits and symbols, and space. */
typedef struct
{
  WwKeyboard *keyboard; /* unowned: the keyboard outlives its keys */
  GtkWidget  *button;   /* unowned: it owns this */
  char       *text;
  char       *shifted;  /* NULL when shift changes nothing */
} CharacterKey;

struct _WwKeyboard
{
  GtkWidget        parent_instance;

  GtkStack        *pages;
  GtkToggleButton *page_keys[N_PAGES];
  GtkWidget       *at_key;
  GtkWidget       *dot_key;
  GPtrArray       *shift_keys;      /* GtkToggleButton, unowned */
  GPtrArray       *shiftable_keys;  /* CharacterKey, unowned */

  GtkWidget       *target;          /* weak */
  GtkInputPurpose  purpose;
  Page             page;
  ShiftState       shift;
};

G_DEFINE_FINAL_TYPE (WwKeyboard, ww_keyboard, GTK_TYPE_WIDGET)

enum {
  HIDE_REQUESTED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static void
character_key_free (gpointer data)
{
  CharacterKey *key = data;

  g_free (key->text);
  g_free (key->shifted);
  g_free (key);
}

/* The GtkText that does the work of a GtkEntry, GtkSearchEntry or
 * GtkPasswordEntry, or @target itself; NULL for another editable. */
static GtkWidget *
find_text (GtkWidget *target)
{
  GtkEditable *editable = GTK_EDITABLE (target);

  while (editable != NULL && !GTK_IS_TEXT (editable))
    editable = gtk_editable_get_delegate (editable);

  return editable != NULL ? GTK_WIDGET (editable) : NULL;
}

static GtkInputPurpose
get_input_purpose (GtkWidget *target)
{
  GtkWidget *text;

  if (target == NULL)
    return GTK_INPUT_PURPOSE_FREE_FORM;
  if (GTK_IS_TEXT_VIEW (target))
    return gtk_text_view_get_input_purpose (GTK_TEXT_VIEW (target));

  text = find_text (target);
  if (text != NULL)
    return gtk_text_get_input_purpose (GTK_TEXT (text));

  return GTK_INPUT_PURPOSE_FREE_FORM;
}

static gboolean
is_numeric_purpose (GtkInputPurpose purpose)
{
  return purpose == GTK_INPUT_PURPOSE_DIGITS ||
         purpose == GTK_INPUT_PURPOSE_NUMBER ||
         purpose == GTK_INPUT_PURPOSE_PHONE ||
         purpose == GTK_INPUT_PURPOSE_PIN;
}

/* Typing ------------------------------------------------------------------- */

static void
type_text (WwKeyboard *self,
           const char *text)
{
  if (GTK_IS_TEXT_VIEW (self->target))
    {
      GtkTextView *view = GTK_TEXT_VIEW (self->target);
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
      gboolean editable = gtk_text_view_get_editable (view);

      /* one step for undo, as a typed key is */
      gtk_text_buffer_begin_user_action (buffer);
      gtk_text_buffer_delete_selection (buffer, TRUE, editable);
      gtk_text_buffer_insert_interactive_at_cursor (buffer, text, -1, editable);
      gtk_text_buffer_end_user_action (buffer);
      gtk_text_view_scroll_mark_onscreen (view, gtk_text_buffer_get_insert (buffer));
    }
  else if (GTK_IS_EDITABLE (self->target))
    {
      GtkEditable *editable = GTK_EDITABLE (self->target);
      int position;

      if (!gtk_editable_get_editable (editable))
        return;

      /* A GtkText's buffer keeps to its max-length: @position then moves
       * past only what fitted. */
      gtk_editable_delete_selection (editable);
      position = gtk_editable_get_position (editable);
      gtk_editable_insert_text (editable, text, -1, &position);
      gtk_editable_set_position (editable, position);
    }
}

static void
delete_backwards (WwKeyboard *self)
{
  if (GTK_IS_TEXT_VIEW (self->target))
    {
      GtkTextView *view = GTK_TEXT_VIEW (self->target);
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
      gboolean editable = gtk_text_view_get_editable (view);

      gtk_text_buffer_begin_user_action (buffer);
      if (!gtk_text_buffer_delete_selection (buffer, TRUE, editable))
        {
          GtkTextIter cursor;

          gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));
          gtk_text_buffer_backspace (buffer, &cursor, TRUE, editable);
        }
      gtk_text_buffer_end_user_action (buffer);
      gtk_text_view_scroll_mark_onscreen (view, gtk_text_buffer_get_insert (buffer));
    }
  else if (GTK_IS_EDITABLE (self->target))
    {
      GtkEditable *editable = GTK_EDITABLE (self->target);
      int position;

      if (!gtk_editable_get_editable (editable))
        return;

      if (gtk_editable_get_selection_bounds (editable, NULL, NULL))
        {
          gtk_editable_delete_selection (editable);
          return;
        }

      /* positions count characters, so this is a whole “ő”, not a byte of it */
      position = gtk_editable_get_position (editable);
      if (position > 0)
        {
          gtk_editable_delete_text (editable, position - 1, position);
          gtk_editable_set_position (editable, position - 1);
        }
    }
}

/* Shift -------------------------------------------------------------------- */

static char *
shift_text (const char *text)
{
  g_autoptr(GString) shifted = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      /* Unicode gives ß no upper case of one letter (it is “SS”); a key
       * types one, so the capital ẞ. */
      g_string_append_unichar (shifted, c == 0x00DF ? 0x1E9E : g_unichar_toupper (c));
    }

  if (g_str_equal (shifted->str, text))
    return NULL;

  return g_string_free (g_steal_pointer (&shifted), FALSE);
}

static void
update_shift (WwKeyboard *self)
{
  gboolean shifted = self->shift != SHIFT_OFF;

  for (guint i = 0; i < self->shift_keys->len; i++)
    {
      GtkToggleButton *shift_key = g_ptr_array_index (self->shift_keys, i);

      gtk_toggle_button_set_active (shift_key, shifted);
      /* this makes the arrow the accessible name, which it is not */
      gtk_button_set_label (GTK_BUTTON (shift_key),
                            self->shift == SHIFT_LOCKED ? CAPS_LOCK_LABEL : SHIFT_LABEL);
      /* Translators: a key of the on-screen keyboard */
      ww_gui_set_accessible_label (GTK_WIDGET (shift_key), _("Shift"));
      if (self->shift == SHIFT_LOCKED)
        {
          gtk_widget_add_css_class (GTK_WIDGET (shift_key), "osk-caps-lock");
          gtk_accessible_update_property (GTK_ACCESSIBLE (shift_key),
                                          GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                          /* Translators: what the shift key of the on-screen
                                           * keyboard does once it is pressed twice */
                                          _("Caps lock"),
                                          -1);
        }
      else
        {
          gtk_widget_remove_css_class (GTK_WIDGET (shift_key), "osk-caps-lock");
          gtk_accessible_reset_property (GTK_ACCESSIBLE (shift_key),
                                         GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
        }
    }

  /* the keys show what they type */
  for (guint i = 0; i < self->shiftable_keys->len; i++)
    {
      CharacterKey *key = g_ptr_array_index (self->shiftable_keys, i);
      const char *text = shifted ? key->shifted : key->text;

      gtk_button_set_label (GTK_BUTTON (key->button), text);
      ww_gui_set_accessible_label (key->button, text);
    }
}

/* Off, then for the next letter, then locked, then off: counted
 * presses, not a double-press timed, as hands on a public screen are
 * slow and unsure; the key shows each state. */
static void
shift_clicked_cb (WwKeyboard *self)
{
  switch (self->shift)
    {
    case SHIFT_OFF:
      self->shift = SHIFT_ONCE;
      break;
    case SHIFT_ONCE:
      self->shift = SHIFT_LOCKED;
      break;
    case SHIFT_LOCKED:
    default:
      self->shift = SHIFT_OFF;
      break;
    }

  /* GtkToggleButton has already flipped the pressed key; this sets it,
   * and the other pages' shift keys, to the state */
  update_shift (self);
}

/* Keys --------------------------------------------------------------------- */

static void
character_key_clicked_cb (GtkButton    *button,
                          CharacterKey *key)
{
  WwKeyboard *self = key->keyboard;
  gboolean shifted = self->shift != SHIFT_OFF && key->shifted != NULL;

  if (self->target == NULL)
    return;

  type_text (self, shifted ? key->shifted : key->text);

  if (shifted && self->shift == SHIFT_ONCE)
    {
      self->shift = SHIFT_OFF;
      update_shift (self);
    }
}

static void
backspace_clicked_cb (WwKeyboard *self)
{
  if (self->target == NULL)
    return;

  delete_backwards (self);
}

static void
enter_clicked_cb (WwKeyboard *self)
{
  GtkWidget *text;

  if (self->target == NULL)
    return;

  if (GTK_IS_TEXT_VIEW (self->target))
    {
      type_text (self, "\n");
      return;
    }

  /* What pressing Enter in the field does: the "activate" of its
   * GtkText, which a GtkEntry passes on as its own. (A GtkText has no
   * activate signal for gtk_widget_activate(); Enter is a key binding.) */
  text = find_text (self->target);
  if (text != NULL)
    g_signal_emit_by_name (text, "activate");
  else
    gtk_widget_activate (self->target);
}

static void
hide_clicked_cb (WwKeyboard *self)
{
  g_signal_emit (self, signals[HIDE_REQUESTED], 0);
}

/* @label: NULL for a key with an icon */
static GtkWidget *
create_key (GType       type,
            const char *label,
            const char *accessible_name,
            gboolean    is_function)
{
  GtkWidget *key = g_object_new (type, NULL);

  /* The field keeps the focus, and with it its cursor and selection:
   * a key never takes it, not even when it is tapped. */
  gtk_widget_set_focusable (key, FALSE);
  gtk_widget_set_focus_on_click (key, FALSE);

  /* in code, not in the style sheet: a touch target is not a look */
  gtk_widget_set_size_request (key, KEY_MIN_SIZE, KEY_MIN_SIZE);
  gtk_widget_set_margin_start (key, KEY_GAP / 2);
  gtk_widget_set_margin_end (key, KEY_GAP / 2);
  gtk_widget_set_margin_top (key, KEY_GAP / 2);
  gtk_widget_set_margin_bottom (key, KEY_GAP / 2);

  gtk_widget_add_css_class (key, "card");
  gtk_widget_add_css_class (key, "osk-key");
  if (is_function)
    gtk_widget_add_css_class (key, "osk-function");

  /* the label first: GtkButton makes it the accessible name */
  if (label != NULL)
    gtk_button_set_label (GTK_BUTTON (key), label);
  ww_gui_set_accessible_label (key, accessible_name);

  return key;
}

/* @accessible_name: NULL for the key's own text */
static GtkWidget *
create_character_key (WwKeyboard *self,
                      const char *text,
                      const char *accessible_name)
{
  CharacterKey *key = g_new0 (CharacterKey, 1);

  key->keyboard = self;
  key->text = g_strdup (text);
  key->button = create_key (GTK_TYPE_BUTTON, text, accessible_name ? accessible_name : text, FALSE);

  /* only the keys that read as they type change with shift */
  if (accessible_name == NULL)
    key->shifted = shift_text (text);
  if (key->shifted != NULL)
    g_ptr_array_add (self->shiftable_keys, key);

  g_signal_connect (key->button, "clicked", G_CALLBACK (character_key_clicked_cb), key);
  g_object_set_data_full (G_OBJECT (key->button), "ww-keyboard-key", key, character_key_free);

  return key->button;
}

static GtkWidget *
create_icon_key (const char *icon_name,
                 const char *accessible_name)
{
  GtkWidget *key = create_key (GTK_TYPE_BUTTON, NULL, accessible_name, TRUE);

  gtk_button_set_icon_name (GTK_BUTTON (key), icon_name);

  return key;
}

/* Pages -------------------------------------------------------------------- */

static void
update_email_keys (WwKeyboard *self)
{
  gboolean email = self->purpose == GTK_INPUT_PURPOSE_EMAIL && self->page == PAGE_LETTERS;

  gtk_widget_set_visible (self->at_key, email);
  gtk_widget_set_visible (self->dot_key, email);
}

static void
show_page (WwKeyboard *self,
           Page        page)
{
  self->page = page;
  gtk_stack_set_visible_child_name (self->pages, page_layouts[page].name);
  /* Its key shows which page this is; that it toggles brings us back
   * here, where page is already self->page. */
  gtk_toggle_button_set_active (self->page_keys[page], TRUE);
  update_email_keys (self);
}

static void
page_key_toggled_cb (GtkToggleButton *page_key,
                     WwKeyboard      *self)
{
  Page page = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (page_key), "ww-keyboard-page"));

  if (gtk_toggle_button_get_active (page_key) && page != self->page)
    show_page (self, page);
}

static void
attach_key (GtkGrid   *grid,
            GtkWidget *key,
            int        column,
            int        row,
            int        width)
{
  gtk_widget_set_hexpand (key, TRUE);
  gtk_grid_attach (grid, key, column, row, width, 1);
}

static GtkWidget *
create_page (WwKeyboard *self,
             Page        page)
{
  const PageLayout *layout = &page_layouts[page];
  GtkGrid *grid = GTK_GRID (gtk_grid_new ());
  const guint last = G_N_ELEMENTS (layout->rows) - 1;
  const int n_function_keys = layout->has_shift ? 2 : 1;
  char **keys[G_N_ELEMENTS (layout->rows)];
  int row_widths[G_N_ELEMENTS (layout->rows)];
  int function_width;
  int width = 0;

  /* equal columns: every key as wide as the others, however wide the
   * keyboard is */
  gtk_grid_set_column_homogeneous (grid, TRUE);
  gtk_grid_set_row_homogeneous (grid, TRUE);

  for (guint row = 0; row <= last; row++)
    {
      keys[row] = g_strsplit (layout->rows[row], " ", -1);
      row_widths[row] = (int) g_strv_length (keys[row]) * KEY_COLUMNS;
      if (row < last)
        width = MAX (width, row_widths[row]);
    }
  function_width = CLAMP ((width - row_widths[last]) / n_function_keys,
                          FUNCTION_KEY_MIN_COLUMNS, FUNCTION_KEY_MAX_COLUMNS);
  row_widths[last] += n_function_keys * function_width;
  width = MAX (width, row_widths[last]);

  /* each row centred under the widest */
  for (guint row = 0; row <= last; row++)
    {
      int column = (width - row_widths[row]) / 2;

      if (row == last && layout->has_shift)
        {
          GtkWidget *shift_key = create_key (GTK_TYPE_TOGGLE_BUTTON, SHIFT_LABEL,
                                             /* Translators: a key of the on-screen keyboard */
                                             _("Shift"), TRUE);

          gtk_widget_add_css_class (shift_key, "osk-shift");

          g_signal_connect_swapped (shift_key, "clicked", G_CALLBACK (shift_clicked_cb), self);
          g_ptr_array_add (self->shift_keys, shift_key);
          attach_key (grid, shift_key, column, (int) row, function_width);
          column += function_width;
        }

      for (guint i = 0; keys[row][i] != NULL; i++)
        {
          attach_key (grid, create_character_key (self, keys[row][i], NULL),
                      column, (int) row, KEY_COLUMNS);
          column += KEY_COLUMNS;
        }

      if (row == last)
        {
          /* Adwaita's backspace, the arrow pointing back into the text */
          GtkWidget *backspace_key = create_icon_key ("edit-clear-symbolic",
                                                      /* Translators: a key of the on-screen keyboard */
                                                      _("Backspace"));

          g_signal_connect_swapped (backspace_key, "clicked", G_CALLBACK (backspace_clicked_cb), self);
          attach_key (grid, backspace_key, column, (int) row, function_width);
        }

      g_strfreev (keys[row]);
    }

  return GTK_WIDGET (grid);
}

/* The same on every page: the page keys, space, enter, hide. */
static GtkWidget *
create_bottom_row (WwKeyboard *self)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *space_key;
  GtkWidget *enter_key;
  GtkWidget *hide_key;
  GtkWidget *hide_icons;

  for (Page page = 0; page < N_PAGES; page++)
    {
      GtkWidget *page_key = create_key (GTK_TYPE_TOGGLE_BUTTON, page_layouts[page].sample,
                                        _(page_layouts[page].accessible_name), TRUE);

      gtk_widget_add_css_class (page_key, "osk-page");
      /* one group: the key of the page shown is the one pressed */
      if (page > 0)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (page_key), self->page_keys[0]);
      g_object_set_data (G_OBJECT (page_key), "ww-keyboard-page", GINT_TO_POINTER (page));
      g_signal_connect (page_key, "toggled", G_CALLBACK (page_key_toggled_cb), self);
      self->page_keys[page] = GTK_TOGGLE_BUTTON (page_key);
      gtk_box_append (GTK_BOX (row), page_key);
    }

  /* for an e-mail address, what it cannot do without, by the space */
  self->at_key = create_character_key (self, "@", NULL);
  self->dot_key = create_character_key (self, ".", NULL);
  /* Translators: a key of the on-screen keyboard */
  space_key = create_character_key (self, " ", _("Space"));
  gtk_widget_add_css_class (space_key, "osk-space");
  gtk_widget_set_hexpand (space_key, TRUE);
  gtk_widget_add_css_class (self->at_key, "osk-email");
  gtk_widget_add_css_class (self->dot_key, "osk-email");
  gtk_box_append (GTK_BOX (row), self->at_key);
  gtk_box_append (GTK_BOX (row), space_key);
  gtk_box_append (GTK_BOX (row), self->dot_key);

  /* Translators: a key of the on-screen keyboard */
  enter_key = create_key (GTK_TYPE_BUTTON, ENTER_LABEL, _("Enter"), TRUE);
  gtk_widget_add_css_class (enter_key, "osk-enter");
  g_signal_connect_swapped (enter_key, "clicked", G_CALLBACK (enter_clicked_cb), self);
  gtk_box_append (GTK_BOX (row), enter_key);

  /* Translators: a key of the on-screen keyboard */
  hide_key = create_key (GTK_TYPE_BUTTON, NULL, _("Hide keyboard"), TRUE);
  /* a keyboard going down, as GNOME's own hide key */
  hide_icons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 3);
  gtk_widget_set_halign (hide_icons, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (hide_icons), gtk_image_new_from_icon_name ("input-keyboard-symbolic"));
  gtk_box_append (GTK_BOX (hide_icons), gtk_image_new_from_icon_name ("go-down-symbolic"));
  gtk_button_set_child (GTK_BUTTON (hide_key), hide_icons);
  gtk_widget_add_css_class (hide_key, "osk-hide");
  g_signal_connect_swapped (hide_key, "clicked", G_CALLBACK (hide_clicked_cb), self);
  gtk_box_append (GTK_BOX (row), hide_key);

  return row;
}

/* Public ------------------------------------------------------------------- */

GtkWidget *
ww_keyboard_new (void)
{
  return g_object_new (WW_TYPE_KEYBOARD, NULL);
}

void
ww_keyboard_set_target (WwKeyboard *self,
                        GtkWidget  *target)
{
  g_return_if_fail (WW_IS_KEYBOARD (self));
  g_return_if_fail (target == NULL || GTK_IS_EDITABLE (target) || GTK_IS_TEXT_VIEW (target));

  /* weak: a page that goes takes its fields along */
  if (!g_set_weak_pointer (&self->target, target))
    return;

  ww_keyboard_reset (self);
}

GtkWidget *
ww_keyboard_get_target (WwKeyboard *self)
{
  g_return_val_if_fail (WW_IS_KEYBOARD (self), NULL);

  return self->target;
}

void
ww_keyboard_reset (WwKeyboard *self)
{
  g_return_if_fail (WW_IS_KEYBOARD (self));

  /* read here, not watched: a field's purpose is set when it is made */
  self->purpose = get_input_purpose (self->target);
  self->shift = SHIFT_OFF;
  update_shift (self);
  show_page (self, is_numeric_purpose (self->purpose) ? PAGE_DIGITS : PAGE_LETTERS);
}

/* GObject ------------------------------------------------------------------ */

static void
ww_keyboard_dispose (GObject *object)
{
  WwKeyboard *self = (WwKeyboard *)object;

  g_clear_weak_pointer (&self->target);
  /* before the keys go, whose CharacterKeys go with them */
  g_clear_pointer (&self->shift_keys, g_ptr_array_unref);
  g_clear_pointer (&self->shiftable_keys, g_ptr_array_unref);
  ww_gui_unparent_children (GTK_WIDGET (self));

  G_OBJECT_CLASS (ww_keyboard_parent_class)->dispose (object);
}

static void
ww_keyboard_class_init (WwKeyboardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ww_keyboard_dispose;

  /**
   * WwKeyboard::hide-requested:
   *
   * The visitor pressed the hide key.
   */
  signals [HIDE_REQUESTED] =
    g_signal_new ("hide-requested",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ww_keyboard_init (WwKeyboard *self)
{
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *rows = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  self->shift_keys = g_ptr_array_new ();
  self->shiftable_keys = g_ptr_array_new ();
  self->page = N_PAGES;

  /* GtkStack's default of no transition: a tap on a page key shows the
   * page at once */
  self->pages = GTK_STACK (gtk_stack_new ());
  for (Page page = 0; page < N_PAGES; page++)
    gtk_stack_add_named (self->pages, create_page (self, page), page_layouts[page].name);
  gtk_box_append (GTK_BOX (rows), GTK_WIDGET (self->pages));
  gtk_box_append (GTK_BOX (rows), create_bottom_row (self));

  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), MAXIMUM_WIDTH);
  adw_clamp_set_tightening_threshold (ADW_CLAMP (clamp), MAXIMUM_WIDTH);
  adw_clamp_set_child (ADW_CLAMP (clamp), rows);
  gtk_widget_set_parent (clamp, GTK_WIDGET (self));

  gtk_widget_add_css_class (GTK_WIDGET (self), "osk");
  /* Translators: the accessible name of the on-screen keyboard */
  ww_gui_set_accessible_label (GTK_WIDGET (self), _("On-screen keyboard"));

  ww_keyboard_reset (self);
}
