/* ww-generator.c
 *
 * Synthetic listings for load tests and benchmarks: plausible Dutch
 * names, streets and hours, spread over the country, and all marked as
 * sample data. The same seed gives the same directory on every machine,
 * so the generator uses its own hash rather than GRand.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-generator"

#include "config.h"

#include "ww-generator.h"
#include "ww-text.h"

#define BATCH_SIZE 5000

typedef struct {
  const char *theme;
  const char *category;
  const char *kinds[3];
  const char *offer;
} Kind;

static const Kind kinds[] = {
  { "finance", "bank", { "Bank", "Spaarbank", "Zakenbank" }, "zakelijke rekening openen" },
  { "finance", "insurer", { "Verzekeringen", "Verzekeraar", "Assurantiekantoor" }, "arbeidsongeschiktheidsverzekering en aansprakelijkheid" },
  { "finance", "accountant", { "Administratiekantoor", "Accountants", "Boekhoudpraktijk" }, "boekhouding en belastingaangifte" },
  { "finance", "business-registration", { "Ondernemersloket", "Startersbureau", "Ondernemerscentrum" }, "inschrijven bij de KvK" },
  { "care", "gp", { "Huisartsenpraktijk", "Gezondheidscentrum", "Huisartsenpost" }, "huisarts voor nieuwe patiënten" },
  { "care", "sexual-health", { "Centrum Seksuele Gezondheid", "Soa-poli", "Testlocatie" }, "soa-test en seksuele gezondheid" },
  { "care", "prep", { "PrEP-spreekuur", "PrEP-poli", "Preventiepunt" }, "PrEP en begeleiding" },
  { "care", "gynaecology", { "Gynaecologiepraktijk", "Vrouwenpoli", "Verloskundigenpraktijk" }, "gynaecologie en anticonceptie" },
  { "care", "mental-health", { "Praktijk Psychologie", "GGZ-team", "Praktijkondersteuner" }, "gesprekken en psychische zorg" },
  { "police", "contact-officer", { "Politiepost", "Wijkteam Politie", "Contactpunt Politie" }, "aanspreekpunt sekswerk" },
  { "police", "report-by-appointment", { "Aangiftebureau", "Politiebureau", "Aangiftepunt" }, "aangifte op afspraak" },
  { "police", "anonymous-reporting", { "Meldpunt", "Anoniem Meldpunt", "Meldlijn" }, "anoniem melden" },
  { "municipality", "permit-desk", { "Vergunningenloket", "Stadsloket", "Publiekszaken" }, "vergunning en registratie" },
  { "municipality", "social-support", { "Wijkteam", "Sociaal Loket", "Buurtteam" }, "hulp bij geld, wonen en zorg" },
  { "media", "peer-organisation", { "Stichting", "Belangenvereniging", "Collectief" }, "steun van collega-sekswerkers" },
  { "media", "media-guidance", { "Mediapunt", "Persadvies", "Communicatiebureau" }, "advies over pers en sociale media" },
  { "legal", "lawyer", { "Advocatenkantoor", "Advocaten", "Advocatenpraktijk" }, "advocaat arbeidsrecht en strafrecht" },
  { "legal", "legal-aid", { "Rechtswinkel", "Juridisch Spreekuur", "Sociaal Raadslieden" }, "gratis juridisch advies" },
  { "legal", "tax-advice", { "Belastingadvies", "Fiscalisten", "Belastingspreekuur" }, "inkomstenbelasting en btw" },
  { "legal", "labour-advice", { "Arbeidsrechtwinkel", "Arbeidsadvies", "Werkrechtloket" }, "arbeidsrecht en contracten" },
};

typedef struct {
  const char *name;
  const char *region;
  const char *postcode;
  const char *area_code;
  double      latitude;
  double      longitude;
} City;

static const City cities[] = {
  { "Amsterdam", "Noord-Holland", "10", "20", 52.3676, 4.9041 },
  { "Rotterdam", "Zuid-Holland", "30", "10", 51.9244, 4.4777 },
  { "Den Haag", "Zuid-Holland", "25", "70", 52.0705, 4.3007 },
  { "Utrecht", "Utrecht", "35", "30", 52.0907, 5.1214 },
  { "Eindhoven", "Noord-Brabant", "56", "40", 51.4416, 5.4697 },
  { "Groningen", "Groningen", "97", "50", 53.2194, 6.5665 },
  { "Arnhem", "Gelderland", "68", "26", 51.9851, 5.8987 },
  { "Nijmegen", "Gelderland", "65", "24", 51.8126, 5.8372 },
  { "Maastricht", "Limburg", "62", "43", 50.8514, 5.6910 },
  { "Leeuwarden", "Friesland", "89", "58", 53.2012, 5.7999 },
  { "Zwolle", "Overijssel", "80", "38", 52.5168, 6.0830 },
  { "Haarlem", "Noord-Holland", "20", "23", 52.3874, 4.6462 },
  { "Tilburg", "Noord-Brabant", "50", "13", 51.5555, 5.0913 },
  { "Breda", "Noord-Brabant", "48", "76", 51.5719, 4.7683 },
  { "Enschede", "Overijssel", "75", "53", 52.2215, 6.8937 },
  { "Alkmaar", "Noord-Holland", "18", "72", 52.6324, 4.7534 },
};

static const char *surnames[] = {
  "De Jong", "Jansen", "De Vries", "Van den Berg", "Van Dijk", "Bakker",
  "Janssen", "Visser", "Smit", "Meijer", "De Boer", "Mulder", "De Groot",
  "Bos", "Vos", "Peters", "Hendriks", "Van Leeuwen", "Dekker", "Brouwer",
  "De Wit", "Dijkstra", "Smits", "De Graaf", "Van der Meer", "Van der Linden",
  "Kok", "Jacobs", "De Haan", "Vermeulen", "Van den Heuvel", "Van der Veen",
  "Van den Broek", "De Bruijn", "De Bruin", "Van der Heijden", "Schouten",
  "Van Beek", "Willems", "Van Vliet", "Van de Ven", "Hoekstra", "Maas",
  "Verhoeven", "Koster", "Van Dam", "Prins", "Blom", "Huisman", "Peeters",
};

static const char *places[] = {
  "De Linde", "Centrum", "Oost", "West", "Noord", "Zuid", "Het Plein",
  "De Haven", "De Brug", "Het Park", "De Poort", "De Kade", "De Wilg",
  "Het Anker", "De Eik", "Het Baken", "De Toren", "Het Veld",
};

static const char *streets[] = {
  "Kerkstraat", "Schoolstraat", "Molenstraat", "Dorpsstraat", "Stationsweg",
  "Nieuwstraat", "Marktplein", "Julianastraat", "Beatrixstraat", "Parkweg",
  "Wilhelminastraat", "Kastanjelaan", "Lindenlaan", "Eikenlaan", "Havenstraat",
  "Prins Hendrikkade", "Oranjestraat", "Emmastraat", "Zuiderweg", "Noorderweg",
  "Brugstraat", "Koningsweg", "Singel", "Vondellaan", "Rembrandtplein",
};

static const char *attribute_codes[] = {
  "working-name-ok", "no-bsn-needed", "uninsured-ok", "anonymous-ok",
  "staff-trained", "interpreter", "wheelchair", "walk-in",
};

static const char *language_codes[] = {
  "en", "ro", "bg", "hu", "pl", "es", "pt", "ru", "uk",
};

/* splitmix64: a good, tiny, portable mixer */
static guint64
mix (guint64 x)
{
  x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return x ^ (x >> 31);
}

typedef struct {
  guint64 state;
} Dice;

static guint
roll (Dice  *dice,
      guint  sides)
{
  dice->state = mix (dice->state);
  return (guint) (dice->state % sides);
}

static double
roll_unit (Dice *dice)
{
  dice->state = mix (dice->state);
  return (dice->state >> 11) * (1.0 / 9007199254740992.0);
}

#define PICK(dice, array) (array[roll (dice, G_N_ELEMENTS (array))])

WwProvider *
ww_generator_make_provider (guint32 seed,
                            guint   index)
{
  Dice dice = { mix (((guint64) seed << 32) ^ index) };
  WwProvider *provider = ww_provider_new ();
  const Kind *kind = &PICK (&dice, kinds);
  const City *city = &PICK (&dice, cities);
  const char *surname = PICK (&dice, surnames);
  const char *place = PICK (&dice, places);
  const char *street = PICK (&dice, streets);
  g_autofree char *id = g_strdup_printf ("gen-%08x-%08x", seed, index);
  g_autofree char *name = NULL;
  g_autofree char *description = NULL;
  g_autofree char *address = NULL;
  g_autofree char *postal_code = NULL;
  g_autofree char *phone = NULL;
  g_autofree char *date = NULL;
  gboolean evening = roll (&dice, 4) == 0;

  if (roll (&dice, 2) == 0)
    name = g_strdup_printf ("%s %s (voorbeeld)", kind->kinds[roll (&dice, 3)], surname);
  else
    name = g_strdup_printf ("%s %s (voorbeeld)", kind->kinds[roll (&dice, 3)], place);

  description = g_strdup_printf ("Voorbeeldgegevens: %s in %s, %s.", kind->offer, city->name,
                                 roll (&dice, 2) ? "op afspraak" : "ook zonder afspraak");
  address = g_strdup_printf ("%s %u", street, 1 + roll (&dice, 240));
  postal_code = g_strdup_printf ("%s%02u %c%c", city->postcode, roll (&dice, 100),
                                 'A' + roll (&dice, 26), 'A' + roll (&dice, 26));
  /* Dutch subscriber numbers never start with 0, so these are never real. */
  phone = g_strdup_printf ("+31 %s 000 %04u", city->area_code, roll (&dice, 10000));
  date = g_strdup_printf ("2026-%02u-%02u", 1 + roll (&dice, 10), 1 + roll (&dice, 28));

  ww_provider_set_field (provider, WW_PROVIDER_ID, id);
  ww_provider_set_field (provider, WW_PROVIDER_THEME, kind->theme);
  ww_provider_set_field (provider, WW_PROVIDER_CATEGORY, kind->category);
  ww_provider_set_field (provider, WW_PROVIDER_NAME, name);
  ww_provider_set_field (provider, WW_PROVIDER_DESCRIPTION, description);
  ww_provider_set_field (provider, WW_PROVIDER_STATUS, "active");
  ww_provider_set_field (provider, WW_PROVIDER_ASSURED_DATE, date);
  ww_provider_set_field (provider, WW_PROVIDER_ASSURER_EMAIL, "generator@wegwijzer.example");
  ww_provider_set_field (provider, WW_PROVIDER_PHONE, phone);
  ww_provider_set_field (provider, WW_PROVIDER_PHONE_TYPE, "voice");
  ww_provider_set_field (provider, WW_PROVIDER_STREET, address);
  ww_provider_set_field (provider, WW_PROVIDER_POSTAL_CODE, postal_code);
  ww_provider_set_field (provider, WW_PROVIDER_CITY, city->name);
  ww_provider_set_field (provider, WW_PROVIDER_REGION, city->region);
  ww_provider_set_field (provider, WW_PROVIDER_COUNTRY, "NL");
  ww_provider_set_coordinates (provider,
                               city->latitude + (roll_unit (&dice) - 0.5) * 0.06,
                               city->longitude + (roll_unit (&dice) - 0.5) * 0.09);
  ww_provider_set_sample (provider, TRUE);

  ww_provider_add_language (provider, "nl");
  for (guint i = 0; i < G_N_ELEMENTS (language_codes); i++)
    if (roll (&dice, i == 0 ? 2 : 8) == 0)
      ww_provider_add_language (provider, language_codes[i]);

  for (guint i = 0; i < G_N_ELEMENTS (attribute_codes); i++)
    if (roll (&dice, 3) == 0)
      ww_provider_add_attribute (provider, attribute_codes[i]);

  ww_provider_add_schedule (provider,
                            ww_schedule_new (NULL,
                                             WW_DAY_MONDAY | WW_DAY_TUESDAY | WW_DAY_WEDNESDAY |
                                             WW_DAY_THURSDAY | WW_DAY_FRIDAY,
                                             (8 + roll (&dice, 2)) * 60, (16 + roll (&dice, 2)) * 60));
  if (evening)
    {
      ww_provider_add_attribute (provider, "evening-hours");
      ww_provider_add_schedule (provider,
                                ww_schedule_new (NULL, 1u << roll (&dice, 5), 18 * 60, 21 * 60));
    }
  if (roll (&dice, 5) == 0)
    ww_provider_add_schedule (provider, ww_schedule_new (NULL, WW_DAY_SATURDAY, 10 * 60, 13 * 60));

  return provider;
}

gboolean
ww_generator_fill (WwDirectory          *directory,
                   guint                 count,
                   guint32               seed,
                   WwGeneratorProgress   progress,
                   gpointer              user_data,
                   GError              **error)
{
  g_return_val_if_fail (WW_IS_DIRECTORY (directory), FALSE);

  for (guint done = 0; done < count; )
    {
      g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func (g_object_unref);
      guint n = MIN (BATCH_SIZE, count - done);

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (batch, ww_generator_make_provider (seed, done + i));

      if (!ww_directory_add_providers (directory, batch, "generated", error))
        return FALSE;

      done += n;
      if (progress != NULL)
        progress (done, count, user_data);
    }

  return TRUE;
}
