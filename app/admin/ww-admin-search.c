/* ww-admin-search.c: wegwijzer-admin search
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-admin"

#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "ww-admin-private.h"

#define DEFAULT_RADIUS_KM 5.0
#define DEFAULT_LIMIT     20

/* A whole string as a number, in C notation whatever the locale. */
static gboolean
parse_double (const char *text,
              double     *value)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  char *end = NULL;
  double parsed;

  if (stripped[0] == '\0')
    return FALSE;

  errno = 0;
  parsed = g_ascii_strtod (stripped, &end);
  if (errno != 0 || end == stripped || *end != '\0' || !isfinite (parsed))
    return FALSE;

  *value = parsed;
  return TRUE;
}

static gboolean
parse_point (const char *text,
             double     *latitude,
             double     *longitude)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);

  return g_strv_length (parts) == 2 &&
         parse_double (parts[0], latitude) &&
         parse_double (parts[1], longitude) &&
         *latitude >= -90.0 && *latitude <= 90.0 &&
         *longitude >= -180.0 && *longitude <= 180.0;
}

/* as import accepts them: listings may be in more languages than the
 * ones the kiosk itself speaks */
static gboolean
is_language_code (const char *code)
{
  gsize length = strlen (code);

  if (length < 2 || length > 3)
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_islower (code[i]))
        return FALSE;
    }

  return TRUE;
}

static char *
join_codes (const char *const *codes)
{
  return g_strjoinv (", ", (char **) codes);
}

/* "--language nl,en --language tr" → nl, en, tr */
static GStrv
split_codes (char **values)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    {
      g_auto(GStrv) parts = g_strsplit (values[i], ",", -1);

      for (guint j = 0; parts[j] != NULL; j++)
        {
          g_strstrip (parts[j]);
          if (parts[j][0] != '\0')
            g_strv_builder_add (builder, parts[j]);
        }
    }

  return g_strv_builder_end (builder);
}

/* Returns the exit status when a filter value is not one we know. */
static int
check_filters (WwAdmin           *admin,
               const char        *theme,
               const char        *category,
               const char *const *languages,
               const char *const *attributes)
{
  WwPluginEngine *engine = ww_admin_get_engine (admin);

  if (theme != NULL && ww_plugin_engine_lookup (engine, theme) == NULL)
    {
      g_autofree char *themes = ww_admin_dup_theme_list (admin);

      ww_admin_printerr (_("unknown theme “%s” for --theme; the installed themes are: %s"),
                         theme, themes);
      return WW_ADMIN_EXIT_DATA;
    }

  if (category != NULL)
    {
      GListModel *plugins = ww_plugin_engine_get_plugins (engine);
      gboolean found = FALSE;
      g_autoptr(GString) known = g_string_new (NULL);

      for (guint i = 0; i < g_list_model_get_n_items (plugins) && !found; i++)
        {
          g_autoptr(WwPlugin) plugin = g_list_model_get_item (plugins, i);
          g_autofree char *categories = NULL;

          if (theme != NULL && !g_str_equal (theme, ww_plugin_get_id (plugin)))
            continue;

          found = ww_plugin_lookup_category (plugin, category) != NULL;
          categories = ww_admin_dup_category_list (plugin);
          g_string_append_printf (known, "\n  %s: %s", ww_plugin_get_id (plugin), categories);
        }

      if (!found)
        {
          if (theme != NULL)
            ww_admin_printerr (_("unknown category “%s” for --category in theme “%s”; "
                                 "its categories are:%s"),
                               category, theme, known->str);
          else
            ww_admin_printerr (_("unknown category “%s” for --category; the categories are:%s"),
                               category, known->str);
          return WW_ADMIN_EXIT_DATA;
        }
    }

  for (guint i = 0; languages[i] != NULL; i++)
    {
      if (!is_language_code (languages[i]))
        {
          g_autofree char *known = join_codes (ww_language_get_all ());

          ww_admin_printerr (_("cannot read --language “%s”: give a two- or three-letter "
                               "language code such as %s"),
                             languages[i], known);
          return WW_ADMIN_EXIT_DATA;
        }
    }

  for (guint i = 0; attributes[i] != NULL; i++)
    {
      if (!ww_attribute_is_known (attributes[i]))
        {
          g_autofree char *known = join_codes (ww_attribute_get_all ());

          ww_admin_printerr (_("unknown attribute “%s” for --attribute; the attributes are: %s"),
                             attributes[i], known);
          return WW_ADMIN_EXIT_DATA;
        }
    }

  return WW_ADMIN_EXIT_OK;
}

static void
add_strv_member (JsonBuilder       *builder,
                 const char        *name,
                 const char *const *values)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (builder, values[i]);
  json_builder_end_array (builder);
}

static void
add_provider_object (JsonBuilder *builder,
                     WwProvider  *provider,
                     GDateTime   *now,
                     gboolean     with_distance)
{
  double latitude, longitude;
  gboolean located = ww_provider_get_coordinates (provider, &latitude, &longitude);

  json_builder_begin_object (builder);
  ww_admin_json_add_string (builder, "id", ww_provider_get_id (provider));
  ww_admin_json_add_string (builder, "name", ww_provider_get_name (provider));
  ww_admin_json_add_string (builder, "theme", ww_provider_get_theme (provider));
  ww_admin_json_add_string (builder, "category", ww_provider_get_category (provider));
  ww_admin_json_add_string (builder, "city", ww_provider_get_city (provider));
  ww_admin_json_add_string (builder, "street", ww_provider_get_field (provider, WW_PROVIDER_STREET));
  ww_admin_json_add_string (builder, "postal_code", ww_provider_get_field (provider, WW_PROVIDER_POSTAL_CODE));

  json_builder_set_member_name (builder, "latitude");
  if (located)
    json_builder_add_double_value (builder, latitude);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "longitude");
  if (located)
    json_builder_add_double_value (builder, longitude);
  else
    json_builder_add_null_value (builder);

  ww_admin_json_add_string (builder, "phone", ww_provider_get_field (provider, WW_PROVIDER_PHONE));
  add_strv_member (builder, "languages", ww_provider_get_languages (provider));
  add_strv_member (builder, "attributes", ww_provider_get_attributes (provider));

  json_builder_set_member_name (builder, "open_now");
  json_builder_add_boolean_value (builder, ww_provider_is_open_at (provider, now));

  if (with_distance)
    {
      json_builder_set_member_name (builder, "distance_km");
      if (ww_provider_get_distance (provider) >= 0)
        json_builder_add_double_value (builder, ww_provider_get_distance (provider));
      else
        json_builder_add_null_value (builder);
    }

  json_builder_set_member_name (builder, "sample");
  json_builder_add_boolean_value (builder, ww_provider_get_sample (provider));
  json_builder_end_object (builder);
}

static int
print_json (GListModel *results,
            gboolean    with_distance)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *text = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (results); i++)
    {
      g_autoptr(WwProvider) provider = g_list_model_get_item (results, i);

      add_provider_object (builder, provider, now, with_distance);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);

  /* JSON is UTF-8 whatever the locale, so not g_print() */
  if (fputs (text, stdout) == EOF || fputs ("\n", stdout) == EOF || fflush (stdout) != 0)
    {
      ww_admin_printerr (_("cannot write the results: %s"), g_strerror (errno));
      return WW_ADMIN_EXIT_FAILURE;
    }

  return WW_ADMIN_EXIT_OK;
}

/* Imported names could hold anything; a line of the table holds no
 * control characters. */
static char *
dup_cell (const char *text)
{
  char *cell;

  if (text == NULL || text[0] == '\0')
    return g_strdup ("-");

  cell = g_utf8_make_valid (text, -1);
  for (char *p = cell; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        *p = ' ';
    }

  return cell;
}

static void
append_cell (GString    *line,
             const char *cell,
             guint       width,
             gboolean    last)
{
  g_string_append (line, cell);
  if (last)
    return;

  for (glong n = g_utf8_strlen (cell, -1); n < (glong) width + 2; n++)
    g_string_append_c (line, ' ');
}

enum {
  COLUMN_NAME,
  COLUMN_CATEGORY,
  COLUMN_CITY,
  COLUMN_DISTANCE,
  N_COLUMNS
};

static int
print_text (WwAdmin         *admin,
            WwSearchResults *search_results,
            gboolean         with_distance)
{
  GListModel *results = G_LIST_MODEL (search_results);
  guint n_results = g_list_model_get_n_items (results);
  guint n_columns = with_distance ? N_COLUMNS : COLUMN_DISTANCE;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  guint widths[N_COLUMNS] = { 0 };
  gboolean any_sample = FALSE;

  if (ww_search_results_get_corrected (search_results) != NULL)
    g_print (_("Showing results for “%s”\n"), ww_search_results_get_corrected (search_results));

  for (guint i = 0; i < n_results; i++)
    {
      g_autoptr(WwProvider) provider = g_list_model_get_item (results, i);
      char **row = g_new0 (char *, N_COLUMNS + 1);

      row[COLUMN_NAME] = dup_cell (ww_provider_get_name (provider));
      row[COLUMN_CATEGORY] = dup_cell (ww_admin_get_category_label (admin,
                                                                    ww_provider_get_theme (provider),
                                                                    ww_provider_get_category (provider)));
      row[COLUMN_CITY] = dup_cell (ww_provider_get_city (provider));
      if (ww_provider_get_distance (provider) >= 0)
        row[COLUMN_DISTANCE] = g_strdup_printf (_("%.1f km"), ww_provider_get_distance (provider));
      else
        row[COLUMN_DISTANCE] = g_strdup ("-");

      for (guint c = 0; c < N_COLUMNS; c++)
        widths[c] = MAX (widths[c], (guint) g_utf8_strlen (row[c], -1));

      any_sample |= ww_provider_get_sample (provider);
      g_ptr_array_add (rows, row);
    }

  for (guint i = 0; i < rows->len; i++)
    {
      char **row = g_ptr_array_index (rows, i);
      g_autoptr(GString) line = g_string_new (NULL);

      for (guint c = 0; c < n_columns; c++)
        append_cell (line, row[c], widths[c], c + 1 == n_columns);
      g_print ("%s\n", line->str);
    }

  if (any_sample)
    g_print ("%s\n", _("Sample data: these listings are fictional"));

  if (ww_search_results_get_truncated (search_results))
    g_print (ngettext ("%u result (more match; --limit 0 shows them all)\n",
                       "%u results (more match; --limit 0 shows them all)\n",
                       n_results),
             n_results);
  else
    g_print (ngettext ("%u result\n", "%u results\n", n_results), n_results);

  return WW_ADMIN_EXIT_OK;
}

/* "  a, b, c" over as many lines of the help as it needs */
static void
append_wrapped_codes (GString           *text,
                      const char *const *codes)
{
  gsize line_start = text->len;

  g_string_append (text, "  ");
  for (guint i = 0; codes[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (text, ',');
      if (i > 0 && text->len - line_start + strlen (codes[i]) + 2 > 76)
        {
          g_string_append (text, "\n");
          line_start = text->len;
          g_string_append (text, "  ");
        }
      else if (i > 0)
        {
          g_string_append_c (text, ' ');
        }
      g_string_append (text, codes[i]);
    }
  g_string_append_c (text, '\n');
}

static char *
dup_description (void)
{
  GString *text = g_string_new (NULL);

  g_string_append (text, _("Finds providers whose name, description or category holds the words of\n"
                           "QUERY; the last word may be the start of a word. Without QUERY, every\n"
                           "provider that passes the filters is listed; a provider must pass every\n"
                           "filter given."));
  g_string_append (text, "\n\n");
  g_string_append (text, _("Attributes (--attribute):"));
  g_string_append_c (text, '\n');
  append_wrapped_codes (text, ww_attribute_get_all ());
  g_string_append (text, _("Languages (--language takes any two- or three-letter code), such as:"));
  g_string_append_c (text, '\n');
  append_wrapped_codes (text, ww_language_get_all ());

  return g_string_free (text, FALSE);
}

int
ww_admin_search (WwAdmin  *admin,
                 int       argc,
                 char    **argv)
{
  g_autofree char *theme = NULL;
  g_autofree char *category = NULL;
  g_autofree char *city = NULL;
  g_autofree char *near = NULL;
  g_autofree char *radius = NULL;
  g_auto(GStrv) language_options = NULL;
  g_auto(GStrv) attribute_options = NULL;
  g_auto(GStrv) languages = NULL;
  g_auto(GStrv) attributes = NULL;
  gboolean open_now = FALSE;
  gboolean json = FALSE;
  int limit = DEFAULT_LIMIT;
  const GOptionEntry entries[] = {
    { "theme", 0, 0, G_OPTION_ARG_STRING, &theme,
      N_("Only providers of this theme (a plugin id)"), N_("ID") },
    { "category", 0, 0, G_OPTION_ARG_STRING, &category,
      N_("Only providers in this category"), N_("ID") },
    { "city", 0, 0, G_OPTION_ARG_STRING, &city,
      N_("Only providers in this city"), N_("NAME") },
    { "language", 0, 0, G_OPTION_ARG_STRING_ARRAY, &language_options,
      N_("Only providers that speak this language; repeat for more"), N_("CODE") },
    { "attribute", 0, 0, G_OPTION_ARG_STRING_ARRAY, &attribute_options,
      N_("Only providers with this attribute; repeat for more"), N_("CODE") },
    { "open-now", 0, 0, G_OPTION_ARG_NONE, &open_now,
      N_("Only providers that are open now"), NULL },
    { "near", 0, 0, G_OPTION_ARG_STRING, &near,
      N_("Only providers near this point (such as 52.37,4.89), nearest first"), N_("LAT,LON") },
    { "radius", 0, 0, G_OPTION_ARG_STRING, &radius,
      N_("How far from --near to look, in km (default: 5)"), N_("KM") },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit,
      N_("Show at most N results; 0 shows them all (default: 20)"), N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Write the results as a JSON array"), NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autofree char *description = dup_description ();
  g_autoptr(WwQuery) query = NULL;
  g_autoptr(WwSearchResults) results = NULL;
  g_autoptr(GError) error = NULL;
  WwDirectory *directory;
  double latitude = 0, longitude = 0, radius_km = DEFAULT_RADIUS_KM;
  int status;

  if (!ww_admin_parse_options (admin, "search", N_("[QUERY…]"),
                               N_("Search the directory."), description,
                               entries, &argc, &argv, &status))
    return status;

  if (limit < 0)
    return ww_admin_usage_error ("search", _("--limit must be 0 or more, not %d"), limit);

  if (radius != NULL && near == NULL)
    return ww_admin_usage_error ("search", _("--radius needs --near"));

  if (near != NULL && !parse_point (near, &latitude, &longitude))
    {
      ww_admin_printerr (_("cannot read --near “%s”: give a latitude from -90 to 90 and a "
                           "longitude from -180 to 180 in decimal degrees, separated by a "
                           "comma, such as 52.37,4.89"),
                         near);
      return WW_ADMIN_EXIT_DATA;
    }

  if (radius != NULL && (!parse_double (radius, &radius_km) || radius_km <= 0))
    {
      ww_admin_printerr (_("cannot read --radius “%s”: give a distance in km that is more "
                           "than 0, such as 2.5"),
                         radius);
      return WW_ADMIN_EXIT_DATA;
    }

  languages = split_codes (language_options);
  attributes = split_codes (attribute_options);
  status = check_filters (admin, theme, category,
                          (const char *const *) languages,
                          (const char *const *) attributes);
  if (status != WW_ADMIN_EXIT_OK)
    return status;

  directory = ww_admin_open_directory (admin, &error);
  if (directory == NULL)
    {
      ww_admin_printerr ("%s", error->message);
      return WW_ADMIN_EXIT_FAILURE;
    }

  query = ww_query_new ();
  if (argc > 1)
    {
      g_autofree char *text = g_strjoinv (" ", argv + 1);

      ww_query_set_text (query, text);
    }
  ww_query_set_theme (query, theme);
  ww_query_set_category (query, category);
  ww_query_set_city (query, city);
  for (guint i = 0; languages[i] != NULL; i++)
    ww_query_add_language (query, languages[i]);
  for (guint i = 0; attributes[i] != NULL; i++)
    ww_query_add_attribute (query, attributes[i]);
  ww_query_set_open_now (query, open_now);
  if (near != NULL)
    ww_query_set_near (query, latitude, longitude, radius_km);
  ww_query_set_limit (query, limit);

  results = ww_directory_search (directory, query, NULL, &error);
  if (results == NULL)
    {
      ww_admin_printerr (_("cannot search %s: %s"), admin->db_path, error->message);
      return WW_ADMIN_EXIT_FAILURE;
    }

  if (json)
    return print_json (G_LIST_MODEL (results), near != NULL);

  return print_text (admin, results, near != NULL);
}
