/* test-descriptors.c: translations, categories, form fields and info pages
 * from JSON, and the messages bad JSON gets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-descriptors"

#include "config.h"

#include "wegwijzer.h"

static JsonNode *
parse_json (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);

  return json_node_copy (json_parser_get_root (parser));
}

static void
test_localized_fallback (void)
{
  g_autoptr(JsonNode) node = parse_json ("{\"nl\": \"Huisartsen\", \"en\": \"GPs\", \"pt-BR\": \"Médicos\"}");
  g_autoptr(JsonNode) dutch_only = parse_json ("{\"nl\": \"Alleen Nederlands\"}");
  g_autoptr(WwLocalized) localized = NULL;
  g_autoptr(WwLocalized) untranslated = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *all = NULL;

  localized = ww_localized_new_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ww_localized_get_for (localized, "nl"), ==, "Huisartsen");
  g_assert_cmpstr (ww_localized_get_for (localized, "en"), ==, "GPs");
  g_assert_cmpstr (ww_localized_get_for (localized, "pt-BR"), ==, "Médicos");
  /* a region falls back to its language, and anything else to English */
  g_assert_cmpstr (ww_localized_get_for (localized, "nl_BE"), ==, "Huisartsen");
  g_assert_cmpstr (ww_localized_get_for (localized, "de"), ==, "GPs");
  g_assert_cmpstr (ww_localized_get_for (localized, NULL), ==, "GPs");

  ww_set_language ("nl");
  g_assert_cmpstr (ww_localized_get (localized), ==, "Huisartsen");
  ww_set_language ("en");
  g_assert_cmpstr (ww_localized_get (localized), ==, "GPs");

  all = ww_localized_dup_all (localized);
  g_assert_cmpstr (all, ==, "Huisartsen GPs Médicos");

  /* without English, whatever language there is */
  untranslated = ww_localized_new_from_json (dutch_only, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ww_localized_get_for (untranslated, "en"), ==, "Alleen Nederlands");

  ww_set_language (NULL);
}

static void
test_localized_plain (void)
{
  g_autoptr(JsonNode) node = parse_json ("\"Plain English\"");
  g_autoptr(WwLocalized) from_json = NULL;
  g_autoptr(WwLocalized) english = ww_localized_new ("English only");
  g_autoptr(GError) error = NULL;

  from_json = ww_localized_new_from_json (node, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ww_localized_get_for (from_json, "nl"), ==, "Plain English");
  g_assert_cmpstr (ww_localized_get_for (english, "nl"), ==, "English only");
}

typedef struct
{
  const char *json;
  const char *message;
} InvalidCase;

static const InvalidCase invalid_localized[] = {
  { "42", "expected translations such as {\"en\": \"…\", \"nl\": \"…\"}, not a number" },
  { "[\"GPs\"]", "expected translations such as {\"en\": \"…\", \"nl\": \"…\"}, not an array" },
  { "{}", "has no text in any language" },
  { "{\"english\": \"GPs\"}", "'english' is not a language code; use codes such as \"en\" and \"nl\"" },
  { "{\"en\": \"GPs\", \"nl\": 3}", "nl: expected a string, not a number" },
  { "{\"en\": \"\"}", "en: is empty; leave the language out instead" },
  { "{\"en\": [\"GPs\"]}", "en: expected a string, not an array" },
};

static void
test_localized_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_localized); i++)
    {
      g_autoptr(JsonNode) node = parse_json (invalid_localized[i].json);
      g_autoptr(WwLocalized) localized = NULL;
      g_autoptr(GError) error = NULL;

      localized = ww_localized_new_from_json (node, &error);
      g_assert_null (localized);
      g_assert_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA);
      g_assert_cmpstr (error->message, ==, invalid_localized[i].message);
    }
}

typedef struct
{
  const char *locale;
  const char *language;
} LanguageCase;

static const LanguageCase language_cases[] = {
  { "nl_NL.UTF-8", "nl" },
  { "pt_BR", "pt" },
  { "en_GB.UTF-8@euro", "en" },
  { "C", "en" },
  { "C.UTF-8", "en" },
  { "POSIX", "en" },
};

static void
test_language_default (gconstpointer data)
{
  const LanguageCase *language_case = data;

  if (g_test_subprocess ())
    {
      /* before anything asks, so that the default comes from these */
      g_unsetenv ("LANGUAGE");
      g_setenv ("LC_ALL", language_case->locale, TRUE);
      g_assert_cmpstr (ww_get_language (), ==, language_case->language);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

static void
test_language_set (void)
{
  const char *initial = ww_get_language ();

  ww_set_language ("nl_BE.UTF-8");
  g_assert_cmpstr (ww_get_language (), ==, "nl");
  ww_set_language ("ro");
  g_assert_cmpstr (ww_get_language (), ==, "ro");
  ww_set_language ("not a language");
  g_assert_cmpstr (ww_get_language (), ==, "en");
  ww_set_language (NULL);
  g_assert_cmpstr (ww_get_language (), ==, initial);
}

static void
test_category (void)
{
  g_autoptr(JsonNode) node = parse_json (
    "{\"id\": \"sexual-health\","
    " \"label\": {\"en\": \"Sexual health\", \"nl\": \"Seksuele gezondheid\"},"
    " \"description\": {\"en\": \"Testing and advice.\", \"nl\": \"Testen en advies.\"},"
    " \"keywords\": {\"en\": \"sti hiv\", \"nl\": [\"soa\", \"ggd\"]},"
    " \"icon\": \"ignored-for-now\"}");
  g_autoptr(JsonNode) bare = parse_json ("{\"id\": \"gp\", \"label\": \"GPs\"}");
  g_autoptr(WwCategory) category = NULL;
  g_autoptr(WwCategory) bare_category = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *terms = NULL;
  g_autofree char *bare_terms = NULL;
  g_autofree char *id = NULL;
  g_autofree char *label = NULL;

  category = ww_category_new_from_json (json_node_get_object (node), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ww_category_get_id (category), ==, "sexual-health");

  ww_set_language ("nl");
  g_assert_cmpstr (ww_category_get_label (category), ==, "Seksuele gezondheid");
  g_assert_cmpstr (ww_category_get_description (category), ==, "Testen en advies.");
  g_object_get (category, "id", &id, "label", &label, NULL);
  g_assert_cmpstr (id, ==, "sexual-health");
  g_assert_cmpstr (label, ==, "Seksuele gezondheid");
  ww_set_language (NULL);

  terms = ww_category_dup_search_terms (category);
  g_assert_cmpstr (terms, ==, "Sexual health Seksuele gezondheid Testing and advice. "
                   "Testen en advies. sti hiv soa ggd");

  bare_category = ww_category_new_from_json (json_node_get_object (bare), &error);
  g_assert_no_error (error);
  g_assert_null (ww_category_get_description (bare_category));
  bare_terms = ww_category_dup_search_terms (bare_category);
  g_assert_cmpstr (bare_terms, ==, "GPs");
}

static const InvalidCase invalid_categories[] = {
  { "{\"label\": \"GPs\"}", "id: is missing" },
  { "{\"id\": 7, \"label\": \"GPs\"}", "id: expected a string, not a number" },
  { "{\"id\": \"GP's\", \"label\": \"GPs\"}",
    "id: 'GP's' is not a valid id; use lower-case letters, digits and '-', starting with a letter" },
  { "{\"id\": \"gp\"}", "label: is missing" },
  { "{\"id\": \"gp\", \"label\": {\"en\": \"GPs\", \"nl\": null}}", "label.nl: expected a string, not null" },
  { "{\"id\": \"gp\", \"label\": \"GPs\", \"description\": true}",
    "description: expected translations such as {\"en\": \"…\", \"nl\": \"…\"}, not true or false" },
  { "{\"id\": \"gp\", \"label\": \"GPs\", \"keywords\": {\"nl\": [\"soa\", 1]}}",
    "keywords.nl[1]: expected a non-empty string, not a number" },
  { "{\"id\": \"gp\", \"label\": \"GPs\", \"keywords\": {\"nl\": []}}", "keywords.nl: is empty" },
};

static void
test_category_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_categories); i++)
    {
      g_autoptr(JsonNode) node = parse_json (invalid_categories[i].json);
      g_autoptr(WwCategory) category = NULL;
      g_autoptr(GError) error = NULL;

      category = ww_category_new_from_json (json_node_get_object (node), &error);
      g_assert_null (category);
      g_assert_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA);
      g_assert_cmpstr (error->message, ==, invalid_categories[i].message);
    }
}

static void
test_form_field (void)
{
  g_autoptr(JsonNode) choice_node = parse_json (
    "{\"id\": \"topic\", \"type\": \"multi-choice\","
    " \"label\": {\"en\": \"What is it about?\", \"nl\": \"Waar gaat het over?\"},"
    " \"required\": true,"
    " \"choices\": [{\"id\": \"account\", \"label\": {\"en\": \"An account\", \"nl\": \"Een rekening\"}},"
    "               {\"id\": \"other\", \"label\": \"Something else\"}]}");
  g_autoptr(JsonNode) email_node = parse_json (
    "{\"id\": \"email\", \"type\": \"email\", \"label\": \"E-mail\", \"personal\": true}");
  g_autoptr(JsonNode) text_node = parse_json (
    "{\"id\": \"deadline\", \"type\": \"text\", \"label\": \"Deadline\", \"max_length\": 40}");
  g_autoptr(WwFormField) choice = NULL;
  g_autoptr(WwFormField) email = NULL;
  g_autoptr(WwFormField) text = NULL;
  g_autoptr(GError) error = NULL;
  WwFormFieldType type;
  guint max_length;

  choice = ww_form_field_new_from_json (json_node_get_object (choice_node), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ww_form_field_get_id (choice), ==, "topic");
  g_assert_cmpint (ww_form_field_get_field_type (choice), ==, WW_FORM_FIELD_MULTI_CHOICE);
  g_assert_true (ww_form_field_get_required (choice));
  g_assert_false (ww_form_field_get_personal (choice));
  g_assert_cmpuint (ww_form_field_get_max_length (choice), ==, 0);
  g_assert_cmpuint (ww_form_field_get_n_choices (choice), ==, 2);
  g_assert_cmpstr (ww_form_field_get_choice_id (choice, 1), ==, "other");
  ww_set_language ("nl");
  g_assert_cmpstr (ww_form_field_get_label (choice), ==, "Waar gaat het over?");
  g_assert_cmpstr (ww_form_field_get_choice_label (choice, 0), ==, "Een rekening");
  g_assert_cmpstr (ww_form_field_get_choice_label (choice, 1), ==, "Something else");
  ww_set_language (NULL);
  g_object_get (choice, "field-type", &type, NULL);
  g_assert_cmpint (type, ==, WW_FORM_FIELD_MULTI_CHOICE);

  /* types without max_length get room for what belongs in them */
  email = ww_form_field_new_from_json (json_node_get_object (email_node), &error);
  g_assert_no_error (error);
  g_assert_false (ww_form_field_get_required (email));
  g_assert_true (ww_form_field_get_personal (email));
  g_assert_cmpuint (ww_form_field_get_max_length (email), ==, 254);

  text = ww_form_field_new_from_json (json_node_get_object (text_node), &error);
  g_assert_no_error (error);
  g_object_get (text, "max-length", &max_length, NULL);
  g_assert_cmpuint (max_length, ==, 40);

  g_assert_cmpstr (ww_form_field_type_to_string (WW_FORM_FIELD_MULTI_CHOICE), ==, "multi-choice");
  g_assert_cmpstr (ww_form_field_type_to_string (WW_FORM_FIELD_PHONE), ==, "phone");
}

static const InvalidCase invalid_form_fields[] = {
  { "{\"id\": \"when\", \"type\": \"date\", \"label\": \"When?\"}",
    "type: 'date' is not a field type; use text, multiline, choice, multi-choice, phone or email" },
  { "{\"id\": \"when\", \"label\": \"When?\"}",
    "type: is missing; use text, multiline, choice, multi-choice, phone or email" },
  { "{\"id\": \"when\", \"type\": \"text\"}", "label: is missing" },
  { "{\"id\": \"when\", \"type\": \"text\", \"label\": \"When?\", \"required\": \"yes\"}",
    "required: expected true or false, not a string" },
  { "{\"id\": \"when\", \"type\": \"text\", \"label\": \"When?\", \"personal\": 1}",
    "personal: expected true or false, not a number" },
  { "{\"id\": \"when\", \"type\": \"text\", \"label\": \"When?\", \"max_length\": 0}",
    "max_length: 0 is out of range; use 1 to 10000" },
  { "{\"id\": \"when\", \"type\": \"multiline\", \"label\": \"When?\", \"max_length\": 1000000}",
    "max_length: 1000000 is out of range; use 1 to 10000" },
  { "{\"id\": \"when\", \"type\": \"text\", \"label\": \"When?\", \"max_length\": 2.5}",
    "max_length: expected a whole number, not a fraction" },
  { "{\"id\": \"topic\", \"type\": \"choice\", \"label\": \"Topic\", \"max_length\": 20,"
    " \"choices\": [{\"id\": \"a\", \"label\": \"A\"}]}",
    "max_length: a choice field has no maximum length; use 0 or leave it out" },
  { "{\"id\": \"topic\", \"type\": \"choice\", \"label\": \"Topic\"}",
    "choices: is missing; a choice field needs at least one choice" },
  { "{\"id\": \"topic\", \"type\": \"multi-choice\", \"label\": \"Topic\", \"choices\": []}",
    "choices: is empty; a multi-choice field needs at least one choice" },
  { "{\"id\": \"name\", \"type\": \"text\", \"label\": \"Name\", \"choices\": []}",
    "choices: only choice and multi-choice fields have choices, this one is 'text'" },
  { "{\"id\": \"topic\", \"type\": \"choice\", \"label\": \"Topic\", \"choices\": [\"a\"]}",
    "choices[0]: expected an object with \"id\" and \"label\", not a string" },
  { "{\"id\": \"topic\", \"type\": \"choice\", \"label\": \"Topic\","
    " \"choices\": [{\"id\": \"a\", \"label\": \"A\"}, {\"id\": \"a\", \"label\": \"B\"}]}",
    "choices[1]: id 'a' is already used by choices[0]" },
  { "{\"id\": \"topic\", \"type\": \"choice\", \"label\": \"Topic\","
    " \"choices\": [{\"id\": \"a\", \"label\": {\"nl\": \"\"}}]}",
    "choices[0].label.nl: is empty; leave the language out instead" },
  { "{\"id\": \"topic\", \"type\": \"choice\", \"label\": \"Topic\","
    " \"choices\": [{\"label\": \"A\"}]}",
    "choices[0].id: is missing" },
};

static void
test_form_field_invalid (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (invalid_form_fields); i++)
    {
      g_autoptr(JsonNode) node = parse_json (invalid_form_fields[i].json);
      g_autoptr(WwFormField) field = NULL;
      g_autoptr(GError) error = NULL;

      field = ww_form_field_new_from_json (json_node_get_object (node), &error);
      g_assert_null (field);
      g_assert_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA);
      g_assert_cmpstr (error->message, ==, invalid_form_fields[i].message);
    }
}

static void
test_info_page (void)
{
  g_autoptr(JsonNode) node = parse_json (
    "{\"id\": \"tax\", \"title\": {\"en\": \"Tax\", \"nl\": \"Belasting\"},"
    " \"body\": {\"en\": \"Fictional body.\", \"nl\": \"Verzonnen tekst.\"}}");
  g_autoptr(JsonNode) no_body = parse_json ("{\"id\": \"tax\", \"title\": \"Tax\"}");
  g_autoptr(WwInfoPage) page = NULL;
  g_autoptr(WwInfoPage) invalid = NULL;
  g_autoptr(GError) error = NULL;

  page = ww_info_page_new_from_json (json_node_get_object (node), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ww_info_page_get_id (page), ==, "tax");
  ww_set_language ("nl");
  g_assert_cmpstr (ww_info_page_get_title (page), ==, "Belasting");
  g_assert_cmpstr (ww_info_page_get_body (page), ==, "Verzonnen tekst.");
  ww_set_language ("en");
  g_assert_cmpstr (ww_info_page_get_title (page), ==, "Tax");
  ww_set_language (NULL);

  invalid = ww_info_page_new_from_json (json_node_get_object (no_body), &error);
  g_assert_null (invalid);
  g_assert_error (error, WW_PLUGIN_ERROR, WW_PLUGIN_ERROR_INVALID_DATA);
  g_assert_cmpstr (error->message, ==, "body: is missing");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/descriptors/localized/fallback", test_localized_fallback);
  g_test_add_func ("/descriptors/localized/plain-string", test_localized_plain);
  g_test_add_func ("/descriptors/localized/invalid", test_localized_invalid);

  for (guint i = 0; i < G_N_ELEMENTS (language_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/descriptors/language/default/%s",
                                               language_cases[i].locale);

      g_test_add_data_func (path, &language_cases[i], test_language_default);
    }
  g_test_add_func ("/descriptors/language/set", test_language_set);

  g_test_add_func ("/descriptors/category/valid", test_category);
  g_test_add_func ("/descriptors/category/invalid", test_category_invalid);
  g_test_add_func ("/descriptors/form-field/valid", test_form_field);
  g_test_add_func ("/descriptors/form-field/invalid", test_form_field_invalid);
  g_test_add_func ("/descriptors/info-page", test_info_page);

  return g_test_run ();
}
