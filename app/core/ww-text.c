/* ww-text.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-text"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "ww-text.h"

char *
ww_text_fold (const char *text)
{
  g_autofree char *decomposed = NULL;
  g_autofree char *lower = NULL;
  GString *folded;

  g_return_val_if_fail (text != NULL, NULL);

  /* Lower case first, then decompose and drop the combining marks, as
   * SQLite's unicode61 tokenizer with remove_diacritics does. */
  lower = g_utf8_strdown (text, -1);
  decomposed = g_utf8_normalize (lower, -1, G_NORMALIZE_NFD);
  if (decomposed == NULL)
    return g_strdup ("");

  folded = g_string_sized_new (strlen (decomposed));
  for (const char *p = decomposed; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_ismark (c))
        continue;
      g_string_append_unichar (folded, c);
    }

  return g_string_free (folded, FALSE);
}

char **
ww_text_split_words (const char *text)
{
  g_autofree char *folded = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  const char *start = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  folded = ww_text_fold (text);
  for (const char *p = folded; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      gboolean in_word = c != 0 && g_unichar_isalnum (c);

      if (in_word && start == NULL)
        start = p;
      else if (!in_word && start != NULL)
        {
          g_autofree char *word = g_strndup (start, p - start);

          g_strv_builder_add (builder, word);
          start = NULL;
        }

      if (c == 0)
        break;
    }

  return g_strv_builder_end (builder);
}

typedef struct {
  const char *code;
  const char *label;
} Entry;

/* The words sex workers' organisations use; shown as they are. */
static const Entry attributes[] = {
  { "working-name-ok", N_("Working name accepted") },
  { "no-bsn-needed",   N_("No BSN needed") },
  { "uninsured-ok",    N_("Uninsured welcome") },
  { "anonymous-ok",    N_("Anonymous possible") },
  { "staff-trained",   N_("Staff trained on sex work") },
  { "interpreter",     N_("Interpreter available") },
  { "wheelchair",      N_("Wheelchair accessible") },
  { "walk-in",         N_("Walk-in, no appointment needed") },
  { "evening-hours",   N_("Evening hours") },
};

/* Language names are written in the language itself, so they are not
 * translated. */
static const Entry languages[] = {
  { "nl", "Nederlands" },
  { "en", "English" },
  { "ro", "Română" },
  { "bg", "Български" },
  { "hu", "Magyar" },
  { "pl", "Polski" },
  { "es", "Español" },
  { "pt", "Português" },
  { "ru", "Русский" },
  { "uk", "Українська" },
};

/* Each one has a catalogue in po/ (English is the source) and a name in
 * languages[] above; the order is the default order of the kiosk's
 * "languages" setting. */
static const char *const translated_languages[] = {
  "nl", "en", "ro", "bg", "hu", "pl", "es", "pt", "ru", "uk", NULL
};

static const char *const *
entry_codes (const Entry *entries,
             gsize        n_entries,
             gsize        once_slot_index)
{
  static const char **slots[2];
  static gsize once[2];

  if (g_once_init_enter (&once[once_slot_index]))
    {
      const char **codes = g_new0 (const char *, n_entries + 1);

      for (gsize i = 0; i < n_entries; i++)
        codes[i] = entries[i].code;
      slots[once_slot_index] = codes;
      g_once_init_leave (&once[once_slot_index], 1);
    }

  return (const char *const *) slots[once_slot_index];
}

static const Entry *
find_entry (const Entry *entries,
            gsize        n_entries,
            const char  *code)
{
  if (code == NULL)
    return NULL;

  for (gsize i = 0; i < n_entries; i++)
    if (strcmp (entries[i].code, code) == 0)
      return &entries[i];

  return NULL;
}

const char *const *
ww_attribute_get_all (void)
{
  return entry_codes (attributes, G_N_ELEMENTS (attributes), 0);
}

gboolean
ww_attribute_is_known (const char *code)
{
  return find_entry (attributes, G_N_ELEMENTS (attributes), code) != NULL;
}

const char *
ww_attribute_get_label (const char *code)
{
  const Entry *entry = find_entry (attributes, G_N_ELEMENTS (attributes), code);

  return entry != NULL ? g_dgettext (GETTEXT_PACKAGE, entry->label) : code;
}

const char *const *
ww_language_get_all (void)
{
  return entry_codes (languages, G_N_ELEMENTS (languages), 1);
}

const char *
ww_language_get_name (const char *code)
{
  const Entry *entry = find_entry (languages, G_N_ELEMENTS (languages), code);

  return entry != NULL ? entry->label : code;
}

const char *const *
ww_language_get_translated (void)
{
  return translated_languages;
}
