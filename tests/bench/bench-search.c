/* bench-search.c: how fast the directory answers as someone types
 *
 *   bench-search --count 1000000 [--seed S] [--queries Q] [--keep FILE]
 *
 * Generates N providers, then times each kind of query (Q of each, the
 * default result limit, the first page loaded as the program does) and
 * prints one line per kind: "<kind> p50=<ms> p95=<ms> p99=<ms>".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "wegwijzer.h"

/* Words the generated directory uses, for queries that find something. */
static const char *words[] = {
  "huisartsenpraktijk", "gezondheidscentrum", "advocatenkantoor", "zakenbank",
  "verzekeringen", "administratiekantoor", "ondernemersloket", "wijkteam",
  "politiepost", "meldpunt", "stichting", "rechtswinkel", "belastingadvies",
  "vergunningenloket", "testlocatie", "amsterdam", "rotterdam", "utrecht",
  "groningen", "eindhoven", "maastricht", "leeuwarden", "nijmegen", "arnhem",
  "jansen", "bakker", "visser", "dekker", "brouwer", "kerkstraat", "lindenlaan",
  "havenstraat", "boekhouding", "arbeidsrecht", "inkomstenbelasting", "gynaecologie",
  "anticonceptie", "begeleiding", "vergunning", "registratie", "afspraak",
};

static const char *cities[] = {
  "Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Groningen",
};

static const char *attributes[] = {
  "working-name-ok", "no-bsn-needed", "walk-in", "staff-trained", "anonymous-ok",
};

typedef enum {
  KIND_PREFIX_2,
  KIND_PREFIX_3,
  KIND_WORD,
  KIND_WORD_FILTERS,
  KIND_TYPO,
  KIND_TYPING,
  N_KINDS
} Kind;

static const char *kind_names[N_KINDS] = {
  "prefix-2", "prefix-3", "word", "word+2-filters", "typo",
  "typing (every prefix of a word, as typed)",
};

static WwQuery *
make_query (Kind   kind,
            GRand *rand)
{
  const char *word = words[g_rand_int_range (rand, 0, G_N_ELEMENTS (words))];
  WwQuery *query = ww_query_new ();
  g_autofree char *text = NULL;

  switch (kind)
    {
    case KIND_PREFIX_2:
      text = g_strndup (word, 2);
      break;

    case KIND_PREFIX_3:
      text = g_strndup (word, 3);
      break;

    case KIND_WORD:
      text = g_strconcat (word, " ", NULL);
      break;

    case KIND_WORD_FILTERS:
      text = g_strconcat (word, " ", NULL);
      ww_query_set_city (query, cities[g_rand_int_range (rand, 0, G_N_ELEMENTS (cities))]);
      ww_query_add_attribute (query, attributes[g_rand_int_range (rand, 0, G_N_ELEMENTS (attributes))]);
      break;

    case KIND_TYPO:
      {
        /* drop one letter from the middle of the word */
        gsize len = strlen (word);
        gsize drop = 1 + g_rand_int_range (rand, 0, (gint32) len - 2);

        text = g_strdup_printf ("%.*s%s ", (int) drop, word, word + drop + 1);
      }
      break;

    case KIND_TYPING:
      /* one keystroke of a word: any of its prefixes, a single letter too */
      text = g_strndup (word, 1 + g_rand_int_range (rand, 0, (gint32) strlen (word)));
      break;

    case N_KINDS:
    default:
      g_assert_not_reached ();
    }

  ww_query_set_text (query, text);
  return query;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *sorted_ms,
            double  p)
{
  guint index = (guint) (p * (sorted_ms->len - 1) + 0.5);

  return g_array_index (sorted_ms, double, index);
}

static goffset
file_size (const char *path)
{
  GStatBuf buf;

  return g_stat (path, &buf) == 0 ? (goffset) buf.st_size : 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(WwDirectory) directory = NULL;
  g_autoptr(WwPluginEngine) engine = NULL;
  g_autoptr(GRand) rand = NULL;
  g_autofree char *tmpdir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *keep = NULL;
  g_autofree char *wal = NULL;
  gint64 start;
  double build_s;
  int count = 100000;
  int seed = 1;
  int n_queries = 200;
  int limit = WW_QUERY_DEFAULT_LIMIT;
  GOptionEntry entries[] = {
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "Providers to generate (default 100000)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "Generator seed (default 1)", "S" },
    { "queries", 0, 0, G_OPTION_ARG_INT, &n_queries, "Queries of each kind (default 200)", "Q" },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "Results per query (default 500; the program asks for 2000)", "N" },
    { "keep", 0, 0, G_OPTION_ARG_FILENAME, &keep, "Keep the directory in FILE (reused if it exists)", "FILE" },
    { NULL }
  };

  context = g_option_context_new ("— time directory searches");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || count <= 0 || n_queries <= 0)
    {
      g_printerr ("bench-search: %s\n", error ? error->message : "--count and --queries must be positive");
      return 2;
    }

  if (keep != NULL)
    path = g_strdup (keep);
  else
    {
      tmpdir = g_dir_make_tmp ("ww-bench-XXXXXX", &error);
      if (tmpdir == NULL)
        {
          g_printerr ("bench-search: %s\n", error->message);
          return 1;
        }
      path = g_build_filename (tmpdir, "directory.db", NULL);
    }

  directory = ww_directory_open (path, &error);
  if (directory == NULL)
    {
      g_printerr ("bench-search: %s\n", error->message);
      return 1;
    }

  /* Category words come from the plugins, when they can be found. */
  engine = ww_plugin_engine_new ();
  ww_plugin_engine_load (engine);
  ww_directory_set_plugin_engine (directory, engine);

  wal = g_strconcat (path, "-wal", NULL);
  if (ww_directory_count (directory, NULL) < (guint) count)
    {
      start = g_get_monotonic_time ();
      if (!ww_generator_fill (directory, count, seed, NULL, NULL, &error))
        {
          g_printerr ("bench-search: %s\n", error->message);
          return 1;
        }
      build_s = (g_get_monotonic_time () - start) / 1e6;
      g_print ("index-build seconds=%.1f rate=%.0f/s\n", build_s, count / MAX (build_s, 1e-6));
    }
  else
    g_print ("index-build reused %s\n", path);

  g_print ("providers=%u\n", ww_directory_count (directory, NULL));
  g_print ("database-size MB=%.1f (wal %.1f)\n",
           (file_size (path) + file_size (wal)) / 1048576.0, file_size (wal) / 1048576.0);

  rand = g_rand_new_with_seed (seed);
  for (Kind kind = 0; kind < N_KINDS; kind++)
    {
      g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (double));
      guint64 total_results = 0;

      for (int i = 0; i < n_queries; i++)
        {
          g_autoptr(WwQuery) query = make_query (kind, rand);
          g_autoptr(WwSearchResults) results = NULL;
          double ms;

          ww_query_set_limit (query, limit);
          start = g_get_monotonic_time ();
          results = ww_directory_search (directory, query, NULL, &error);
          ms = (g_get_monotonic_time () - start) / 1000.0;
          if (results == NULL)
            {
              g_printerr ("bench-search: %s\n", error->message);
              return 1;
            }
          total_results += g_list_model_get_n_items (G_LIST_MODEL (results));
          g_array_append_val (times, ms);
        }

      g_array_sort (times, compare_doubles);
      g_print ("%s p50=%.2f p95=%.2f p99=%.2f (mean results %.0f)\n", kind_names[kind],
               percentile (times, 0.50), percentile (times, 0.95), percentile (times, 0.99),
               (double) total_results / n_queries);
    }

  g_clear_object (&directory);
  if (tmpdir != NULL)
    {
      const char *suffixes[] = { "", "-wal", "-shm" };

      for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
          g_remove (file);
        }
      g_rmdir (tmpdir);
    }

  return 0;
}
