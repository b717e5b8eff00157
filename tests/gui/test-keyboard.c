/* test-keyboard.c: the on-screen keyboard, tapped as a visitor taps it
 *
 * Each test opens a window with a GtkEntry, a GtkTextView and a
 * WwKeyboard, points the keyboard at one of the fields, taps keys
 * (emits "clicked", as a tap does) found by their accessible names, and
 * checks what the field then holds. Whatever needs the window on the
 * screen waits for it with wait_for(): its time limit is a guard
 * against hanging, never a measurement.
 *
 * Run under a display: `meson test --suite gui` wraps it in xvfb-run
 * and dbus-run-session.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-keyboard"

#include "config.h"

#include <adwaita.h>

#include "ww-gui-util.h"
#include "ww-keyboard.h"

/* Generous for the sanitizer build on a busy machine; reaching it means
 * the window is stuck, not slow. */
#define WAIT_SECONDS 60

typedef struct {
  GtkWindow   *window;  /* owned by GTK, as every toplevel is */
  GtkEntry    *entry;
  GtkTextView *view;
  WwKeyboard  *keyboard;

  guint        activations;
  guint        hide_requests;
} Fixture;

/* Waiting ------------------------------------------------------------------ */

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main loop until @condition holds. */
#define wait_for(condition) \
  G_STMT_START \
    { \
      gint64 wait_deadline = g_get_monotonic_time () + WAIT_SECONDS * G_USEC_PER_SEC; \
      guint wait_wake_id = g_timeout_add (20, wake_cb, NULL); \
      while (!(condition)) \
        { \
          if (g_get_monotonic_time () > wait_deadline) \
            { \
              g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, \
                                   "gave up waiting for: " #condition); \
              break; \
            } \
          g_main_context_iteration (NULL, TRUE); \
        } \
      g_source_remove (wait_wake_id); \
    } \
  G_STMT_END

/* Keys --------------------------------------------------------------------- */

static void
collect_keys (GtkWidget *widget,
              GPtrArray *keys)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_BUTTON (child))
        g_ptr_array_add (keys, child);
      else
        collect_keys (child, keys);
    }
}

/* every key, on every page, shown or not */
static GPtrArray *
get_keys (Fixture *f)
{
  GPtrArray *keys = g_ptr_array_new ();

  collect_keys (GTK_WIDGET (f->keyboard), keys);
  g_assert_cmpuint (keys->len, >, 0);

  return keys;
}

/* on the page shown (a GtkStack hides the others with child-visible) */
static gboolean
is_shown (Fixture   *f,
          GtkWidget *key)
{
  for (GtkWidget *widget = key;
       widget != NULL && widget != GTK_WIDGET (f->keyboard);
       widget = gtk_widget_get_parent (widget))
    if (!gtk_widget_get_visible (widget) || !gtk_widget_get_child_visible (widget))
      return FALSE;

  return TRUE;
}

static GPtrArray *
get_shown_keys (Fixture *f)
{
  g_autoptr(GPtrArray) keys = get_keys (f);
  GPtrArray *shown = g_ptr_array_new ();

  for (guint i = 0; i < keys->len; i++)
    if (is_shown (f, g_ptr_array_index (keys, i)))
      g_ptr_array_add (shown, g_ptr_array_index (keys, i));

  return shown;
}

/* the key shown with this accessible name, or NULL */
static GtkWidget *
find_key (Fixture    *f,
          const char *name)
{
  g_autoptr(GPtrArray) keys = get_shown_keys (f);

  for (guint i = 0; i < keys->len; i++)
    {
      GtkWidget *key = g_ptr_array_index (keys, i);

      if (g_strcmp0 (ww_gui_get_accessible_label (key), name) == 0)
        return key;
    }

  return NULL;
}

static void
tap_impl (Fixture    *f,
          const char *name,
          const char *file,
          int         line,
          const char *function)
{
  GtkWidget *key = find_key (f, name);

  if (key == NULL)
    {
      g_autofree char *message = g_strdup_printf ("no key “%s” is shown", name);

      g_assertion_message (G_LOG_DOMAIN, file, line, function, message);
      return;
    }

  g_signal_emit_by_name (key, "clicked");
}

/* taps the key shown with this accessible name */
#define tap(f, name) tap_impl ((f), (name), __FILE__, __LINE__, G_STRFUNC)

static void
tap_chars_impl (Fixture    *f,
                const char *chars,
                const char *file,
                int         line,
                const char *function)
{
  for (const char *p = chars; *p != '\0'; p = g_utf8_next_char (p))
    {
      char name[8] = { 0, };

      g_unichar_to_utf8 (g_utf8_get_char (p), name);
      tap_impl (f, name, file, line, function);
    }
}

/* taps the key of each character in turn, the keys being named so */
#define tap_chars(f, chars) tap_chars_impl ((f), (chars), __FILE__, __LINE__, G_STRFUNC)

#define assert_shown(f, name) \
  g_assert_nonnull (find_key ((f), (name)))
#define assert_not_shown(f, name) \
  g_assert_null (find_key ((f), (name)))

/* Fields ------------------------------------------------------------------- */

static const char *
entry_text (Fixture *f)
{
  return gtk_editable_get_text (GTK_EDITABLE (f->entry));
}

static int
entry_position (Fixture *f)
{
  return gtk_editable_get_position (GTK_EDITABLE (f->entry));
}

static char *
view_text (Fixture *f)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (f->view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);

  return gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
}

static int
view_cursor (Fixture *f)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (f->view);
  GtkTextIter cursor;

  gtk_text_buffer_get_iter_at_mark (buffer, &cursor, gtk_text_buffer_get_insert (buffer));

  return gtk_text_iter_get_offset (&cursor);
}

static void
set_view_text (Fixture    *f,
               const char *text,
               int         cursor)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (f->view);
  GtkTextIter iter;

  gtk_text_buffer_set_text (buffer, text, -1);
  gtk_text_buffer_get_iter_at_offset (buffer, &iter, cursor);
  gtk_text_buffer_place_cursor (buffer, &iter);
}

static void
select_view_text (Fixture *f,
                  int      start_offset,
                  int      end_offset)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (f->view);
  GtkTextIter start, end;

  gtk_text_buffer_get_iter_at_offset (buffer, &start, start_offset);
  gtk_text_buffer_get_iter_at_offset (buffer, &end, end_offset);
  gtk_text_buffer_select_range (buffer, &start, &end);
}

/* the window shown, and each key on its page allocated */
static gboolean
shown_keys_allocated (Fixture *f)
{
  g_autoptr(GPtrArray) keys = get_shown_keys (f);

  for (guint i = 0; i < keys->len; i++)
    {
      GtkWidget *key = g_ptr_array_index (keys, i);

      if (!gtk_widget_get_mapped (key) || gtk_widget_get_width (key) == 0)
        return FALSE;
    }

  return TRUE;
}

static void
present (Fixture *f)
{
  gtk_window_present (f->window);
  wait_for (gtk_widget_get_mapped (GTK_WIDGET (f->window)) && shown_keys_allocated (f));
}

/* Fixture ------------------------------------------------------------------ */

static void
activate_cb (GtkEntry *entry,
             Fixture  *f)
{
  f->activations++;
}

static void
hide_requested_cb (WwKeyboard *keyboard,
                   Fixture    *f)
{
  f->hide_requests++;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  f->entry = GTK_ENTRY (gtk_entry_new ());
  f->view = GTK_TEXT_VIEW (gtk_text_view_new ());
  f->keyboard = WW_KEYBOARD (ww_keyboard_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (f->view), TRUE);
  gtk_widget_set_valign (GTK_WIDGET (f->keyboard), GTK_ALIGN_END);

  g_signal_connect (f->entry, "activate", G_CALLBACK (activate_cb), f);
  g_signal_connect (f->keyboard, "hide-requested", G_CALLBACK (hide_requested_cb), f);

  gtk_box_append (GTK_BOX (box), GTK_WIDGET (f->entry));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (f->view));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (f->keyboard));

  f->window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (f->window, 1200, 700);
  gtk_window_set_child (f->window, box);

  /* the GtkText inside, as the window code passes it */
  ww_keyboard_set_target (f->keyboard, gtk_widget_get_first_child (GTK_WIDGET (f->entry)));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (f->window);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static GtkWidget *
entry_text_widget (Fixture *f)
{
  return GTK_WIDGET (gtk_editable_get_delegate (GTK_EDITABLE (f->entry)));
}

/* Tests -------------------------------------------------------------------- */

static void
test_letters_at_cursor (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *text = NULL;

  g_assert_true (ww_keyboard_get_target (f->keyboard) == entry_text_widget (f));
  g_assert_true (GTK_IS_TEXT (entry_text_widget (f)));

  /* the key reads what it types */
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (find_key (f, "q"))), ==, "q");

  gtk_editable_set_text (GTK_EDITABLE (f->entry), "hlo");
  gtk_editable_set_position (GTK_EDITABLE (f->entry), 1);
  tap_chars (f, "el");
  g_assert_cmpstr (entry_text (f), ==, "hello");
  g_assert_cmpint (entry_position (f), ==, 3);

  tap (f, "Space");
  g_assert_cmpstr (entry_text (f), ==, "hel lo");

  /* and into a text view */
  ww_keyboard_set_target (f->keyboard, GTK_WIDGET (f->view));
  g_assert_true (ww_keyboard_get_target (f->keyboard) == GTK_WIDGET (f->view));
  set_view_text (f, "ab", 1);
  tap_chars (f, "xy");
  text = view_text (f);
  g_assert_cmpstr (text, ==, "axyb");
  g_assert_cmpint (view_cursor (f), ==, 3);
}

static void
test_shift_once (Fixture       *f,
                 gconstpointer  data)
{
  GtkWidget *shift = find_key (f, "Shift");

  g_assert_nonnull (shift);
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (shift)));

  tap (f, "Shift");
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (shift)));
  /* the keys show the upper case */
  assert_not_shown (f, "a");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (find_key (f, "A"))), ==, "A");

  tap (f, "A");
  g_assert_cmpstr (entry_text (f), ==, "A");
  /* one letter only */
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (shift)));
  assert_not_shown (f, "B");
  tap (f, "b");
  g_assert_cmpstr (entry_text (f), ==, "Ab");

  /* the other pages' letters as well */
  tap (f, "Shift");
  tap (f, "Letters with accents");
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (find_key (f, "Shift"))));
  tap (f, "É");
  tap (f, "é");
  g_assert_cmpstr (entry_text (f), ==, "AbÉé");
}

static void
test_shift_caps_lock (Fixture       *f,
                      gconstpointer  data)
{
  GtkWidget *shift = find_key (f, "Shift");
  g_autofree char *differs = NULL;

  tap (f, "Shift");
  tap (f, "Shift");
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (shift)));
  differs = gtk_test_accessible_check_property (GTK_ACCESSIBLE (shift),
                                                GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                                "Caps lock");
  g_assert_null (differs);

  tap_chars (f, "ABC");
  g_assert_cmpstr (entry_text (f), ==, "ABC");
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (shift)));

  /* a third press releases it */
  tap (f, "Shift");
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (shift)));
  tap (f, "d");
  g_assert_cmpstr (entry_text (f), ==, "ABCd");
}

static void
test_accents (Fixture       *f,
              gconstpointer  data)
{
  static const char *const lower[] = {
    "á", "à", "â", "ä", "ã", "å", "ç", "é", "è", "ê", "ë", "í", "ì", "î", "ï",
    "ñ", "ó", "ò", "ô", "ö", "õ", "ő", "ú", "ù", "û", "ü", "ű", "ă", "ș", "ț",
    "ą", "ć", "ę", "ł", "ń", "ś", "ź", "ż", "ĳ", "ß", NULL
  };

  tap (f, "Letters with accents");
  for (guint i = 0; lower[i] != NULL; i++)
    assert_shown (f, lower[i]);

  tap_chars (f, "őĳșțłß");
  g_assert_cmpstr (entry_text (f), ==, "őĳșțłß");
  /* spelt out, as the source could hold the look-alikes: ș and ț with
   * the comma below (U+0219, U+021B), not the cedilla; ĳ as one letter */
  g_assert_cmpstr (entry_text (f), ==, "\xc5\x91\xc4\xb3\xc8\x99\xc8\x9b\xc5\x82\xc3\x9f");
  g_assert_cmpint (entry_position (f), ==, 6);

  tap (f, "Shift");
  tap (f, "Ő");
  tap (f, "Shift");
  tap (f, "Shift");
  tap_chars (f, "ĲȘŃẞ");
  g_assert_cmpstr (entry_text (f), ==, "őĳșțłßŐĲȘŃẞ");
  g_assert_true (g_utf8_validate (entry_text (f), -1, NULL));
}

static void
test_cyrillic (Fixture       *f,
               gconstpointer  data)
{
  static const char *const lower[] = {
    "а", "б", "в", "г", "д", "е", "ё", "ж", "з", "и", "й", "к", "л", "м", "н",
    "о", "п", "р", "с", "т", "у", "ф", "х", "ц", "ч", "ш", "щ", "ъ", "ы", "ь",
    "э", "ю", "я", "і", "ї", "є", "ґ", NULL
  };

  tap (f, "Cyrillic letters");
  for (guint i = 0; lower[i] != NULL; i++)
    assert_shown (f, lower[i]);
  assert_not_shown (f, "q");

  tap_chars (f, "привет");
  tap (f, "Space");
  tap_chars (f, "їєіґёъ");
  g_assert_cmpstr (entry_text (f), ==, "привет їєіґёъ");
  /* Cyrillic, not Latin look-alikes: ї є і ґ (U+0457, U+0454, U+0456,
   * U+0491), ё ъ */
  g_assert_true (g_str_has_suffix (entry_text (f), "\xd1\x97\xd1\x94\xd1\x96\xd2\x91\xd1\x91\xd1\x8a"));

  tap (f, "Shift");
  tap (f, "Ж");
  tap (f, "Shift");
  tap (f, "Shift");
  tap_chars (f, "ЇҐ");
  g_assert_cmpstr (entry_text (f), ==, "привет їєіґёъЖЇҐ");
}

static void
test_digits (Fixture       *f,
             gconstpointer  data)
{
  static const char *const keys[] = {
    "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "@", ".", "-", "_", "'",
    "+", ",", "!", "?", "/", ":", "(", ")", "&", "#", "€", NULL
  };

  tap (f, "Digits and symbols");
  for (guint i = 0; keys[i] != NULL; i++)
    assert_shown (f, keys[i]);
  /* digits have no case */
  assert_not_shown (f, "Shift");

  tap_chars (f, "10€");
  tap (f, "Space");
  tap_chars (f, "(5)'#&");
  g_assert_cmpstr (entry_text (f), ==, "10€ (5)'#&");
}

static void
test_backspace_character (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *text = NULL;

  tap (f, "a");
  tap (f, "Letters with accents");
  tap (f, "ő");
  tap (f, "Cyrillic letters");
  tap (f, "ї");
  g_assert_cmpstr (entry_text (f), ==, "aőї");

  /* a whole character each time, never a byte of one */
  tap (f, "Backspace");
  g_assert_cmpstr (entry_text (f), ==, "aő");
  g_assert_cmpint (entry_position (f), ==, 2);
  tap (f, "Backspace");
  g_assert_cmpstr (entry_text (f), ==, "a");
  g_assert_cmpint (entry_position (f), ==, 1);

  /* the one before the cursor, and nothing at the start */
  gtk_editable_set_text (GTK_EDITABLE (f->entry), "xyz");
  gtk_editable_set_position (GTK_EDITABLE (f->entry), 2);
  tap (f, "Backspace");
  g_assert_cmpstr (entry_text (f), ==, "xz");
  g_assert_cmpint (entry_position (f), ==, 1);
  tap (f, "Backspace");
  tap (f, "Backspace");
  g_assert_cmpstr (entry_text (f), ==, "z");
  g_assert_cmpint (entry_position (f), ==, 0);

  ww_keyboard_set_target (f->keyboard, GTK_WIDGET (f->view));
  set_view_text (f, "bőї", 3);
  tap (f, "Backspace");
  text = view_text (f);
  g_assert_cmpstr (text, ==, "bő");
  g_clear_pointer (&text, g_free);
  tap (f, "Backspace");
  text = view_text (f);
  g_assert_cmpstr (text, ==, "b");
}

static void
test_backspace_selection (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *text = NULL;

  gtk_editable_set_text (GTK_EDITABLE (f->entry), "abcdef");
  gtk_editable_select_region (GTK_EDITABLE (f->entry), 1, 4);
  tap (f, "Backspace");
  g_assert_cmpstr (entry_text (f), ==, "aef");
  g_assert_cmpint (entry_position (f), ==, 1);

  ww_keyboard_set_target (f->keyboard, GTK_WIDGET (f->view));
  set_view_text (f, "abcdef", 0);
  select_view_text (f, 1, 4);
  tap (f, "Backspace");
  text = view_text (f);
  g_assert_cmpstr (text, ==, "aef");
  g_assert_cmpint (view_cursor (f), ==, 1);
}

static void
test_replace_selection (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *text = NULL;

  gtk_editable_set_text (GTK_EDITABLE (f->entry), "abcdef");
  gtk_editable_select_region (GTK_EDITABLE (f->entry), 4, 1);
  tap (f, "x");
  g_assert_cmpstr (entry_text (f), ==, "axef");
  g_assert_cmpint (entry_position (f), ==, 2);

  ww_keyboard_set_target (f->keyboard, GTK_WIDGET (f->view));
  set_view_text (f, "abcdef", 0);
  select_view_text (f, 1, 4);
  tap (f, "Cyrillic letters");
  tap (f, "ж");
  text = view_text (f);
  g_assert_cmpstr (text, ==, "aжef");
  g_assert_cmpint (view_cursor (f), ==, 2);
}

static void
test_max_length (Fixture       *f,
                 gconstpointer  data)
{
  gtk_entry_set_max_length (f->entry, 3);

  tap_chars (f, "abcde");
  g_assert_cmpstr (entry_text (f), ==, "abc");
  g_assert_cmpint (entry_position (f), ==, 3);

  /* a selection replaced keeps within it too */
  gtk_editable_select_region (GTK_EDITABLE (f->entry), 1, 2);
  tap_chars (f, "xy");
  g_assert_cmpstr (entry_text (f), ==, "axc");
  g_assert_cmpint (entry_position (f), ==, 2);
}

static void
test_enter_entry (Fixture       *f,
                  gconstpointer  data)
{
  tap_chars (f, "ok");
  tap (f, "Enter");
  g_assert_cmpuint (f->activations, ==, 1);
  g_assert_cmpstr (entry_text (f), ==, "ok");

  /* the GtkEntry itself as the target does the same */
  ww_keyboard_set_target (f->keyboard, GTK_WIDGET (f->entry));
  tap (f, "Enter");
  g_assert_cmpuint (f->activations, ==, 2);
}

static void
test_enter_text_view (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *text = NULL;

  ww_keyboard_set_target (f->keyboard, GTK_WIDGET (f->view));
  set_view_text (f, "ab", 2);
  tap (f, "Enter");
  tap (f, "c");
  text = view_text (f);
  g_assert_cmpstr (text, ==, "ab\nc");
  g_assert_cmpuint (f->activations, ==, 0);
}

static void
count_cb (GtkWidget *widget,
          guint     *count)
{
  (*count)++;
}

static void
test_other_entries (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GtkWidget) search = g_object_ref_sink (gtk_search_entry_new ());
  g_autoptr(GtkWidget) password = g_object_ref_sink (gtk_password_entry_new ());
  guint search_activations = 0;

  g_signal_connect (search, "activate", G_CALLBACK (count_cb), &search_activations);

  ww_keyboard_set_target (f->keyboard, search);
  tap_chars (f, "zo");
  tap (f, "Backspace");
  tap_chars (f, "ek");
  tap (f, "Enter");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (search)), ==, "zek");
  g_assert_cmpuint (search_activations, ==, 1);

  ww_keyboard_set_target (f->keyboard, password);
  tap (f, "Shift");
  tap (f, "P");
  tap (f, "Digits and symbols");
  tap_chars (f, "4!");
  tap (f, "Backspace");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (password)), ==, "P4");

  ww_keyboard_set_target (f->keyboard, NULL);
}

static void
test_not_editable (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *text = NULL;

  gtk_editable_set_text (GTK_EDITABLE (f->entry), "fixed");
  gtk_editable_set_editable (GTK_EDITABLE (f->entry), FALSE);
  tap (f, "a");
  tap (f, "Backspace");
  tap (f, "Space");
  g_assert_cmpstr (entry_text (f), ==, "fixed");

  ww_keyboard_set_target (f->keyboard, GTK_WIDGET (f->view));
  set_view_text (f, "fixed", 5);
  gtk_text_view_set_editable (f->view, FALSE);
  tap (f, "a");
  tap (f, "Backspace");
  tap (f, "Enter");
  text = view_text (f);
  g_assert_cmpstr (text, ==, "fixed");
}

static void
test_purpose_email (Fixture       *f,
                    gconstpointer  data)
{
  /* not for other text */
  assert_not_shown (f, "@");
  assert_not_shown (f, ".");

  gtk_entry_set_input_purpose (f->entry, GTK_INPUT_PURPOSE_EMAIL);
  ww_keyboard_reset (f->keyboard);
  assert_shown (f, "q");
  assert_shown (f, "@");
  assert_shown (f, ".");

  tap_chars (f, "jo@e.nl");
  g_assert_cmpstr (entry_text (f), ==, "jo@e.nl");

  /* by the letters only: the digits page has its own */
  tap (f, "Letters with accents");
  assert_not_shown (f, "@");
  tap (f, "Letters");
  assert_shown (f, "@");

  ww_keyboard_set_target (f->keyboard, GTK_WIDGET (f->view));
  assert_not_shown (f, "@");
  gtk_text_view_set_input_purpose (f->view, GTK_INPUT_PURPOSE_EMAIL);
  ww_keyboard_reset (f->keyboard);
  assert_shown (f, "@");
}

static void
test_purpose_numeric (Fixture       *f,
                      gconstpointer  data)
{
  static const GtkInputPurpose numeric[] = {
    GTK_INPUT_PURPOSE_DIGITS,
    GTK_INPUT_PURPOSE_NUMBER,
    GTK_INPUT_PURPOSE_PHONE,
    GTK_INPUT_PURPOSE_PIN,
  };

  for (guint i = 0; i < G_N_ELEMENTS (numeric); i++)
    {
      g_test_message ("input purpose %d", numeric[i]);
      gtk_entry_set_input_purpose (f->entry, numeric[i]);
      ww_keyboard_set_target (f->keyboard, NULL);
      ww_keyboard_set_target (f->keyboard, entry_text_widget (f));
      assert_shown (f, "1");
      assert_not_shown (f, "q");
    }

  gtk_editable_set_text (GTK_EDITABLE (f->entry), "");
  tap_chars (f, "+316");
  g_assert_cmpstr (entry_text (f), ==, "+316");

  /* the letters are a tap away, and reset comes back to the digits */
  tap (f, "Letters");
  assert_shown (f, "q");
  ww_keyboard_reset (f->keyboard);
  assert_shown (f, "1");

  /* a field for words opens on the letters */
  ww_keyboard_set_target (f->keyboard, GTK_WIDGET (f->view));
  assert_shown (f, "q");
  gtk_text_view_set_input_purpose (f->view, GTK_INPUT_PURPOSE_PHONE);
  ww_keyboard_reset (f->keyboard);
  assert_shown (f, "1");
}

static void
test_reset (Fixture       *f,
            gconstpointer  data)
{
  tap (f, "Cyrillic letters");
  tap (f, "Shift");
  tap (f, "Shift");
  assert_shown (f, "Ж");

  ww_keyboard_reset (f->keyboard);
  assert_shown (f, "q");
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (find_key (f, "Shift"))));

  /* and shift off on the other pages too */
  tap (f, "Cyrillic letters");
  assert_shown (f, "ж");
  g_assert_false (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (find_key (f, "Shift"))));

  /* a new target resets too */
  tap (f, "Shift");
  ww_keyboard_set_target (f->keyboard, GTK_WIDGET (f->view));
  assert_shown (f, "q");
  assert_not_shown (f, "Q");
}

static void
test_page_keys (Fixture       *f,
                gconstpointer  data)
{
  static const char *const pages[] = {
    "Letters", "Letters with accents", "Cyrillic letters", "Digits and symbols", NULL
  };
  static const char *const labels[] = { "ABC", "áé", "АБВ", "123", NULL };
  /* a key of that page only */
  static const char *const samples[] = { "q", "ő", "ж", "€", NULL };

  for (guint i = 0; pages[i] != NULL; i++)
    {
      GtkWidget *page_key = find_key (f, pages[i]);

      g_assert_nonnull (page_key);
      g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (page_key)), ==, labels[i]);

      /* a second tap keeps the page */
      for (guint taps = 0; taps < 2; taps++)
        {
          g_signal_emit_by_name (page_key, "clicked");

          /* the page's keys, and its page key pressed, no other */
          for (guint j = 0; pages[j] != NULL; j++)
            {
              GtkWidget *other = find_key (f, pages[j]);

              g_assert_nonnull (other);
              g_assert_cmpint (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (other)), ==, i == j);
              if (i == j)
                assert_shown (f, samples[j]);
              else
                assert_not_shown (f, samples[j]);
            }

          /* always there */
          assert_shown (f, "Backspace");
          assert_shown (f, "Space");
          assert_shown (f, "Enter");
          assert_shown (f, "Hide keyboard");
        }
    }
}

static void
test_hide (Fixture       *f,
           gconstpointer  data)
{
  tap (f, "Hide keyboard");
  g_assert_cmpuint (f->hide_requests, ==, 1);
  g_assert_cmpstr (entry_text (f), ==, "");
}

static void
test_keeps_focus (Fixture       *f,
                  gconstpointer  data)
{
  GtkWidget *text = entry_text_widget (f);

  present (f);
  gtk_widget_grab_focus (GTK_WIDGET (f->entry));
  wait_for (gtk_root_get_focus (GTK_ROOT (f->window)) == text);

  tap (f, "a");
  tap (f, "Shift");
  tap (f, "B");
  tap (f, "Letters with accents");
  tap (f, "é");
  tap (f, "Backspace");
  tap (f, "Space");
  tap (f, "Digits and symbols");
  tap (f, "1");
  tap (f, "Enter");
  g_assert_cmpstr (entry_text (f), ==, "aB 1");
  g_assert_true (gtk_root_get_focus (GTK_ROOT (f->window)) == text);
  g_assert_cmpint (entry_position (f), ==, 4);

  ww_keyboard_set_target (f->keyboard, GTK_WIDGET (f->view));
  gtk_widget_grab_focus (GTK_WIDGET (f->view));
  wait_for (gtk_root_get_focus (GTK_ROOT (f->window)) == GTK_WIDGET (f->view));
  tap (f, "x");
  tap (f, "Enter");
  tap (f, "Backspace");
  tap (f, "Cyrillic letters");
  tap (f, "д");
  g_assert_true (gtk_root_get_focus (GTK_ROOT (f->window)) == GTK_WIDGET (f->view));
}

static void
test_touch_size (Fixture       *f,
                 gconstpointer  data)
{
  static const char *const pages[] = {
    "Letters", "Letters with accents", "Cyrillic letters", "Digits and symbols", NULL
  };

  /* the e-mail keys too */
  gtk_entry_set_input_purpose (f->entry, GTK_INPUT_PURPOSE_EMAIL);
  ww_keyboard_reset (f->keyboard);
  present (f);

  for (guint i = 0; pages[i] != NULL; i++)
    {
      g_autoptr(GPtrArray) keys = NULL;

      tap (f, pages[i]);
      wait_for (shown_keys_allocated (f));

      keys = get_shown_keys (f);
      for (guint j = 0; j < keys->len; j++)
        {
          GtkWidget *key = g_ptr_array_index (keys, j);

          g_test_message ("page “%s”, key “%s”: %d×%d", pages[i],
                          ww_gui_get_accessible_label (key),
                          gtk_widget_get_width (key), gtk_widget_get_height (key));
          g_assert_cmpint (gtk_widget_get_width (key), >=, 48);
          g_assert_cmpint (gtk_widget_get_height (key), >=, 48);
        }
      if (i == 0)
        {
          /* the e-mail keys were among them */
          assert_shown (f, "@");
        }
    }
}

static void
assert_keys_named (Fixture *f)
{
  g_autoptr(GPtrArray) keys = get_keys (f);

  for (guint i = 0; i < keys->len; i++)
    {
      GtkWidget *key = g_ptr_array_index (keys, i);
      const char *name = ww_gui_get_accessible_label (key);
      g_autofree char *differs = NULL;

      g_assert_nonnull (name);
      g_assert_cmpstr (name, !=, "");
      /* what a screen reader gets, not only what the helper remembers */
      differs = gtk_test_accessible_check_property (GTK_ACCESSIBLE (key),
                                                    GTK_ACCESSIBLE_PROPERTY_LABEL, name);
      if (differs != NULL)
        g_test_message ("key “%s”: %s", name, differs);
      g_assert_null (differs);
    }
}

static void
test_a11y_names (Fixture       *f,
                 gconstpointer  data)
{
  static const char *const named[] = {
    "Shift", "Backspace", "Space", "Enter", "Hide keyboard", "Letters",
    "Letters with accents", "Cyrillic letters", "Digits and symbols", NULL
  };
  g_autofree char *differs = NULL;

  assert_keys_named (f);
  for (guint i = 0; named[i] != NULL; i++)
    assert_shown (f, named[i]);

  /* and with the upper case shown */
  tap (f, "Shift");
  assert_keys_named (f);

  differs = gtk_test_accessible_check_property (GTK_ACCESSIBLE (f->keyboard),
                                                GTK_ACCESSIBLE_PROPERTY_LABEL,
                                                "On-screen keyboard");
  g_assert_null (differs);
}

static void
test_not_focusable (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) keys = get_keys (f);

  for (guint i = 0; i < keys->len; i++)
    {
      GtkWidget *key = g_ptr_array_index (keys, i);

      g_test_message ("key “%s”", ww_gui_get_accessible_label (key));
      g_assert_false (gtk_widget_get_focusable (key));
      g_assert_false (gtk_widget_get_focus_on_click (key));
    }

  /* nor can Tab reach into it */
  present (f);
  g_assert_false (gtk_widget_child_focus (GTK_WIDGET (f->keyboard), GTK_DIR_TAB_FORWARD));
}

/* every key, the hidden pages' too, twice: shift and page keys change
 * only the keyboard */
static void
tap_every_key (Fixture *f)
{
  g_autoptr(GPtrArray) keys = get_keys (f);

  for (guint round = 0; round < 2; round++)
    for (guint i = 0; i < keys->len; i++)
      g_signal_emit_by_name (g_ptr_array_index (keys, i), "clicked");
}

static void
test_no_target (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *text = NULL;
  GtkWidget *gone;

  gtk_editable_set_text (GTK_EDITABLE (f->entry), "kept");
  ww_keyboard_set_target (f->keyboard, NULL);
  g_assert_null (ww_keyboard_get_target (f->keyboard));

  tap_every_key (f);
  g_assert_cmpstr (entry_text (f), ==, "kept");
  text = view_text (f);
  g_assert_cmpstr (text, ==, "");
  g_assert_cmpuint (f->activations, ==, 0);
  /* the one key that needs no field */
  g_assert_cmpuint (f->hide_requests, ==, 2);

  /* a target that went is no target */
  gone = gtk_entry_new ();
  g_object_ref_sink (gone);
  ww_keyboard_set_target (f->keyboard, gone);
  g_object_unref (gone);
  g_assert_null (ww_keyboard_get_target (f->keyboard));
  tap_every_key (f);
  ww_keyboard_reset (f->keyboard);
  assert_shown (f, "q");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkCssProvider) css = NULL;
  g_autoptr(GStrvBuilder) mime_dirs = g_strv_builder_new ();
  g_auto(GStrv) mime_dirs_strv = NULL;

  /* G_TEST_OPTION_ISOLATE_DIRS hides the system's data directories as
   * well as the user's. GTK tells an SVG icon (its own, from its
   * resources) by the system's MIME database, which tests may point at. */
  for (const char *const *dir = g_get_system_data_dirs (); *dir != NULL; dir++)
    {
      g_autofree char *mime_dir = g_build_filename (*dir, "mime", NULL);

      g_strv_builder_add (mime_dirs, mime_dir);
    }
  mime_dirs_strv = g_strv_builder_end (mime_dirs);

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_content_type_set_mime_dirs ((const char *const *) mime_dirs_strv);

  if (!gtk_init_check ())
    {
      /* TAP for "nothing to run here" */
      g_print ("1..0 # SKIP no display; run the tests under xvfb-run\n");
      return 0;
    }
  adw_init ();

  /* the program's style sheet, as WwApplication loads it: the keys are
   * measured as they are shown */
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/nl/wegwijzer/Wegwijzer/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

#define ADD_TEST(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD_TEST ("/keyboard/letters", test_letters_at_cursor);
  ADD_TEST ("/keyboard/shift/once", test_shift_once);
  ADD_TEST ("/keyboard/shift/caps-lock", test_shift_caps_lock);
  ADD_TEST ("/keyboard/accents", test_accents);
  ADD_TEST ("/keyboard/cyrillic", test_cyrillic);
  ADD_TEST ("/keyboard/digits", test_digits);
  ADD_TEST ("/keyboard/backspace/character", test_backspace_character);
  ADD_TEST ("/keyboard/backspace/selection", test_backspace_selection);
  ADD_TEST ("/keyboard/replace-selection", test_replace_selection);
  ADD_TEST ("/keyboard/max-length", test_max_length);
  ADD_TEST ("/keyboard/enter/entry", test_enter_entry);
  ADD_TEST ("/keyboard/enter/text-view", test_enter_text_view);
  ADD_TEST ("/keyboard/target/other-entries", test_other_entries);
  ADD_TEST ("/keyboard/target/not-editable", test_not_editable);
  ADD_TEST ("/keyboard/target/none", test_no_target);
  ADD_TEST ("/keyboard/purpose/email", test_purpose_email);
  ADD_TEST ("/keyboard/purpose/numeric", test_purpose_numeric);
  ADD_TEST ("/keyboard/reset", test_reset);
  ADD_TEST ("/keyboard/page-keys", test_page_keys);
  ADD_TEST ("/keyboard/hide", test_hide);
  ADD_TEST ("/keyboard/focus/kept", test_keeps_focus);
  ADD_TEST ("/keyboard/focus/not-focusable", test_not_focusable);
  ADD_TEST ("/keyboard/a11y/touch-size", test_touch_size);
  ADD_TEST ("/keyboard/a11y/names", test_a11y_names);

#undef ADD_TEST

  return g_test_run ();
}
