/* test-hsds.c: Open Referral HSDS 3.0 in and out
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "wegwijzer.h"

static GBytes *
fixture_bytes (void)
{
  g_autofree char *contents = NULL;
  gsize length;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (g_test_get_filename (G_TEST_DIST, "data", "search-fixture.json", NULL),
                       &contents, &length, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (g_steal_pointer (&contents), length);
}

static GPtrArray *
parse_string (const char  *text,
              const char  *default_theme,
              GError     **error)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));

  return ww_hsds_parse_bytes (bytes, default_theme, error);
}

static void
assert_same_providers (GPtrArray *a,
                       GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_true (ww_provider_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)));
}

static void
test_parse_array (void)
{
  g_autoptr(GBytes) bytes = fixture_bytes ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) providers = ww_hsds_parse_bytes (bytes, NULL, &error);
  WwProvider *first, *third;
  GPtrArray *schedules;
  double latitude, longitude;

  g_assert_no_error (error);
  g_assert_cmpuint (providers->len, ==, 8);

  first = g_ptr_array_index (providers, 0);
  g_assert_cmpstr (ww_provider_get_id (first), ==, "test-01");
  g_assert_cmpstr (ww_provider_get_name (first), ==, "Huisartsenpraktijk De Linde");
  g_assert_cmpstr (ww_provider_get_theme (first), ==, "care");
  g_assert_cmpstr (ww_provider_get_category (first), ==, "gp");
  g_assert_cmpstr (ww_provider_get_city (first), ==, "Amsterdam");
  g_assert_cmpstr (ww_provider_get_field (first, WW_PROVIDER_STREET), ==, "Lindengracht 12");
  g_assert_cmpstr (ww_provider_get_field (first, WW_PROVIDER_POSTAL_CODE), ==, "1015 KK");
  g_assert_cmpstr (ww_provider_get_field (first, WW_PROVIDER_PHONE), ==, "+31 20 000 0001");
  g_assert_cmpstr (ww_provider_get_field (first, WW_PROVIDER_ORGANIZATION_ID), ==, "org-01");
  g_assert_cmpstr (ww_provider_get_field (first, WW_PROVIDER_ASSURED_DATE), ==, "2026-06-01");
  g_assert_true (ww_provider_get_coordinates (first, &latitude, &longitude));
  g_assert_cmpfloat (latitude, ==, 52.3731);
  g_assert_cmpfloat (longitude, ==, 4.8922);
  g_assert_true (ww_provider_has_language (first, "en"));
  g_assert_true (ww_provider_has_attribute (first, "no-bsn-needed"));
  g_assert_false (ww_provider_has_attribute (first, "walk-in"));
  g_assert_true (ww_provider_get_sample (first));

  third = g_ptr_array_index (providers, 2);
  g_assert_cmpstr (ww_provider_get_name (third), ==, "Café Één Inloop");
  schedules = ww_provider_get_schedules (third);
  g_assert_cmpuint (schedules->len, ==, 1);
  g_assert_cmpuint (((WwSchedule *) g_ptr_array_index (schedules, 0))->days, ==, WW_DAY_SATURDAY);
  g_assert_cmpuint (((WwSchedule *) g_ptr_array_index (schedules, 0))->opens, ==, 600);
  g_assert_cmpuint (((WwSchedule *) g_ptr_array_index (schedules, 0))->closes, ==, 840);
}

static void
test_round_trip_ndjson (void)
{
  g_autoptr(GBytes) bytes = fixture_bytes ();
  g_autoptr(GPtrArray) original = ww_hsds_parse_bytes (bytes, NULL, NULL);
  g_autoptr(GString) ndjson = g_string_new (NULL);
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(GString) ndjson_again = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < original->len; i++)
    {
      g_autofree char *line = ww_hsds_provider_to_ndjson (g_ptr_array_index (original, i));

      g_assert_null (strchr (line, '\n'));
      g_string_append_printf (ndjson, "%s\n", line);
    }

  again = parse_string (ndjson->str, NULL, &error);
  g_assert_no_error (error);
  assert_same_providers (original, again);

  /* and the second export is the first, byte for byte */
  for (guint i = 0; i < again->len; i++)
    {
      g_autofree char *line = ww_hsds_provider_to_ndjson (g_ptr_array_index (again, i));
      g_string_append_printf (ndjson_again, "%s\n", line);
    }
  g_assert_cmpstr (ndjson->str, ==, ndjson_again->str);
}

static gboolean
collect_cb (WwProvider  *provider,
            gpointer     user_data,
            GError     **error)
{
  g_ptr_array_add (user_data, g_object_ref (provider));
  return TRUE;
}

static void
test_round_trip_directory (void)
{
  g_autoptr(GBytes) bytes = fixture_bytes ();
  g_autoptr(GPtrArray) original = ww_hsds_parse_bytes (bytes, NULL, NULL);
  g_autoptr(GPtrArray) exported = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *tmpdir = g_dir_make_tmp ("ww-hsds-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (tmpdir, "directory.db", NULL);
  g_autoptr(WwDirectory) directory = NULL;
  g_autoptr(GError) error = NULL;

  directory = ww_directory_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (ww_directory_add_providers (directory, original, "import", &error));
  g_assert_true (ww_directory_foreach (directory, NULL, collect_cb, exported, &error));
  g_assert_no_error (error);

  /* the fixture is in id order, as the export is */
  assert_same_providers (original, exported);

  /* everything we store survives JSON and back */
  for (guint i = 0; i < exported->len; i++)
    {
      g_autoptr(JsonNode) node = ww_hsds_provider_to_json (g_ptr_array_index (exported, i));
      g_autoptr(WwProvider) back = ww_hsds_provider_from_json (node, NULL, &error);

      g_assert_no_error (error);
      g_assert_true (ww_provider_equal (back, g_ptr_array_index (original, i)));
    }

  g_clear_object (&directory);
}

static void
test_default_theme (void)
{
  static const char *record =
    "{\"id\": \"x1\", \"name\": \"Praktijk\","
    " \"service_at_locations\": [{\"location\": {\"addresses\": [{\"city\": \"Utrecht\"}]}}],"
    " \"attributes\": [{\"taxonomy_term\": {\"code\": \"gp\", \"taxonomy\": \"wegwijzer-category\"}}]}\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) with_default = parse_string (record, "care", &error);
  g_autoptr(GPtrArray) without = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (ww_provider_get_theme (g_ptr_array_index (with_default, 0)), ==, "care");

  without = parse_string (record, NULL, &error);
  g_assert_null (without);
  g_assert_error (error, WW_HSDS_ERROR, WW_HSDS_ERROR_INVALID_RECORD);
  g_assert_nonnull (strstr (error->message, "record 1: "));
  g_assert_nonnull (strstr (error->message, "wegwijzer-theme"));
}

/* A valid record in which one part is swapped for something bad. */
#define GOOD_HEAD "{\"id\": \"r1\", \"name\": \"Praktijk\", "
#define GOOD_LOCATION "\"service_at_locations\": [{\"location\": {\"latitude\": 52.1, \"longitude\": 5.1, \"addresses\": [{\"city\": \"Utrecht\"}]}}], "
#define GOOD_ATTRIBUTES "\"attributes\": [{\"taxonomy_term\": {\"code\": \"care\", \"taxonomy\": \"wegwijzer-theme\"}}, {\"taxonomy_term\": {\"code\": \"gp\", \"taxonomy\": \"wegwijzer-category\"}}]"
#define GOOD GOOD_HEAD GOOD_LOCATION GOOD_ATTRIBUTES "}"

typedef struct {
  const char *name;
  const char *input;
  int         code;
  const char *message;   /* a piece of the message */
} Malformed;

static const Malformed malformed[] = {
  { "empty", "", WW_HSDS_ERROR_SYNTAX, "empty" },
  { "whitespace", "  \n\t ", WW_HSDS_ERROR_SYNTAX, "empty" },
  { "not-json", "name,city\nPraktijk,Utrecht\n", WW_HSDS_ERROR_SYNTAX, "JSON array" },
  { "truncated-array", "[" GOOD ", {\"id\": \"r2\", \"na", WW_HSDS_ERROR_SYNTAX, "not valid JSON" },
  { "truncated-line", GOOD "\n{\"id\": \"r2\", \"name\": \"B\"", WW_HSDS_ERROR_SYNTAX, "record 2 (line 2)" },
  { "not-utf8", "[{\"id\": \"\xff\xfe\"}]", WW_HSDS_ERROR_SYNTAX, "UTF-8" },
  { "array-of-strings", "[\"a service\"]", WW_HSDS_ERROR_INVALID_RECORD, "record 1: not a service object" },
  { "no-id", "[{\"name\": \"x\"}]", WW_HSDS_ERROR_INVALID_RECORD, "record 1: id: is missing" },
  { "id-number", "[{\"id\": 12, \"name\": \"x\"}]", WW_HSDS_ERROR_INVALID_RECORD, "id: must be a string" },
  { "no-name", "[{\"id\": \"r1\"}]", WW_HSDS_ERROR_INVALID_RECORD, "record 1: name: is missing" },
  { "name-too-long", NULL, WW_HSDS_ERROR_INVALID_RECORD, "name: is longer than" },
  { "second-record-bad", "[" GOOD ", {\"id\": \"r2\"}]", WW_HSDS_ERROR_INVALID_RECORD, "record 2: name: is missing" },
  { "duplicate-id", "[" GOOD ", " GOOD "]", WW_HSDS_ERROR_DUPLICATE_ID, "record 2: id: 'r1' is also record 1" },
  { "bad-status", "[" GOOD_HEAD "\"status\": \"open\", " GOOD_LOCATION GOOD_ATTRIBUTES "}]", WW_HSDS_ERROR_INVALID_RECORD, "status: 'open'" },
  { "bad-date", "[" GOOD_HEAD "\"assured_date\": \"2026-02-30\", " GOOD_LOCATION GOOD_ATTRIBUTES "}]", WW_HSDS_ERROR_INVALID_RECORD, "assured_date: '2026-02-30'" },
  { "organization-string", "[" GOOD_HEAD "\"organization\": \"Org\", " GOOD_LOCATION GOOD_ATTRIBUTES "}]", WW_HSDS_ERROR_INVALID_RECORD, "organization: must be an object" },
  { "phones-object", "[" GOOD_HEAD "\"phones\": {\"number\": \"1\"}, " GOOD_LOCATION GOOD_ATTRIBUTES "}]", WW_HSDS_ERROR_INVALID_RECORD, "phones: must be an array" },
  { "phone-without-number", "[" GOOD_HEAD "\"phones\": [{\"type\": \"voice\"}], " GOOD_LOCATION GOOD_ATTRIBUTES "}]", WW_HSDS_ERROR_INVALID_RECORD, "phones[0].number: is missing" },
  { "bad-language", "[" GOOD_HEAD "\"languages\": [{\"code\": \"Dutch\"}], " GOOD_LOCATION GOOD_ATTRIBUTES "}]", WW_HSDS_ERROR_INVALID_RECORD, "languages[0].code" },
  { "bad-byday", "[" GOOD_HEAD "\"schedules\": [{\"byday\": \"Monday\", \"opens_at\": \"09:00\", \"closes_at\": \"17:00\"}], " GOOD_LOCATION GOOD_ATTRIBUTES "}]", WW_HSDS_ERROR_INVALID_RECORD, "schedules[0].byday: 'Monday'" },
  { "bad-time", "[" GOOD_HEAD "\"schedules\": [{\"byday\": \"MO\", \"opens_at\": \"9am\", \"closes_at\": \"17:00\"}], " GOOD_LOCATION GOOD_ATTRIBUTES "}]", WW_HSDS_ERROR_INVALID_RECORD, "schedules[0].opens_at: '9am'" },
  { "closes-before-opens", "[" GOOD_HEAD "\"schedules\": [{\"byday\": \"MO\", \"opens_at\": \"17:00\", \"closes_at\": \"09:00\"}], " GOOD_LOCATION GOOD_ATTRIBUTES "}]", WW_HSDS_ERROR_INVALID_RECORD, "is not after opens_at" },
  { "monthly", "[" GOOD_HEAD "\"schedules\": [{\"freq\": \"MONTHLY\", \"byday\": \"MO\", \"opens_at\": \"09:00\", \"closes_at\": \"17:00\"}], " GOOD_LOCATION GOOD_ATTRIBUTES "}]", WW_HSDS_ERROR_INVALID_RECORD, "only WEEKLY" },
  { "no-location", "[" GOOD_HEAD GOOD_ATTRIBUTES "}]", WW_HSDS_ERROR_INVALID_RECORD, "service_at_locations: is missing" },
  { "two-locations", "[" GOOD_HEAD "\"service_at_locations\": [{\"location\": {\"addresses\": [{\"city\": \"A\"}]}}, {\"location\": {\"addresses\": [{\"city\": \"B\"}]}}], " GOOD_ATTRIBUTES "}]", WW_HSDS_ERROR_INVALID_RECORD, "one location per service" },
  { "latitude-string", "[" GOOD_HEAD "\"service_at_locations\": [{\"location\": {\"latitude\": \"52.1\", \"longitude\": 5.1, \"addresses\": [{\"city\": \"A\"}]}}], " GOOD_ATTRIBUTES "}]", WW_HSDS_ERROR_INVALID_RECORD, "service_at_locations[0].location.latitude: must be a number" },
  { "latitude-out-of-range", "[" GOOD_HEAD "\"service_at_locations\": [{\"location\": {\"latitude\": 152.1, \"longitude\": 5.1, \"addresses\": [{\"city\": \"A\"}]}}], " GOOD_ATTRIBUTES "}]", WW_HSDS_ERROR_INVALID_RECORD, "latitude: 152.1 is not between -90 and 90" },
  { "longitude-missing", "[" GOOD_HEAD "\"service_at_locations\": [{\"location\": {\"latitude\": 52.1, \"addresses\": [{\"city\": \"A\"}]}}], " GOOD_ATTRIBUTES "}]", WW_HSDS_ERROR_INVALID_RECORD, "give both or neither" },
  { "no-city", "[" GOOD_HEAD "\"service_at_locations\": [{\"location\": {\"addresses\": [{\"address_1\": \"Straat 1\"}]}}], " GOOD_ATTRIBUTES "}]", WW_HSDS_ERROR_INVALID_RECORD, "addresses[0].city: is missing" },
  { "unknown-fact", "[" GOOD_HEAD GOOD_LOCATION "\"attributes\": [{\"taxonomy_term\": {\"code\": \"care\", \"taxonomy\": \"wegwijzer-theme\"}}, {\"taxonomy_term\": {\"code\": \"cheap\", \"taxonomy\": \"wegwijzer\"}}]}]", WW_HSDS_ERROR_INVALID_RECORD, "attributes[1].taxonomy_term.code: 'cheap' is not a known fact" },
  { "two-themes", "[" GOOD_HEAD GOOD_LOCATION "\"attributes\": [{\"taxonomy_term\": {\"code\": \"care\", \"taxonomy\": \"wegwijzer-theme\"}}, {\"taxonomy_term\": {\"code\": \"legal\", \"taxonomy\": \"wegwijzer-theme\"}}]}]", WW_HSDS_ERROR_INVALID_RECORD, "a second 'wegwijzer-theme' term" },
  { "no-category", "[" GOOD_HEAD GOOD_LOCATION "\"attributes\": [{\"taxonomy_term\": {\"code\": \"care\", \"taxonomy\": \"wegwijzer-theme\"}}]}]", WW_HSDS_ERROR_INVALID_RECORD, "names the category" },
  { "term-without-code", "[" GOOD_HEAD GOOD_LOCATION "\"attributes\": [{\"taxonomy_term\": {\"taxonomy\": \"wegwijzer\"}}]}]", WW_HSDS_ERROR_INVALID_RECORD, "attributes[0].taxonomy_term.code: is missing" },
};

static void
test_malformed (gconstpointer data)
{
  const Malformed *item = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) providers = NULL;
  g_autofree char *long_name = NULL;
  const char *input = item->input;

  if (input == NULL)
    {
      g_autofree char *name = g_strnfill (600, 'x');

      long_name = g_strdup_printf ("[{\"id\": \"r1\", \"name\": \"%s\"}]", name);
      input = long_name;
    }

  providers = parse_string (input, NULL, &error);
  g_assert_null (providers);
  g_assert_error (error, WW_HSDS_ERROR, item->code);
  if (strstr (error->message, item->message) == NULL)
    g_error ("'%s' does not say '%s'", error->message, item->message);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/hsds/parse/array", test_parse_array);
  g_test_add_func ("/hsds/parse/default-theme", test_default_theme);
  g_test_add_func ("/hsds/round-trip/ndjson", test_round_trip_ndjson);
  g_test_add_func ("/hsds/round-trip/directory", test_round_trip_directory);

  for (guint i = 0; i < G_N_ELEMENTS (malformed); i++)
    {
      g_autofree char *path = g_strdup_printf ("/hsds/malformed/%s", malformed[i].name);

      g_test_add_data_func (path, &malformed[i], test_malformed);
    }

  return g_test_run ();
}
