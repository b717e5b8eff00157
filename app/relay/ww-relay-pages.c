/* ww-relay-pages.c: the relay's HTML pages, for phones and providers
 *
 * Plain server-rendered HTML: no script, no outside resource, small
 * enough for any phone browser. The pages speak Dutch and English; they
 * are served by a daemon that answers many people at once, so they
 * carry their own texts instead of switching the process's locale.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-relay-pages"

#include "config.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "ww-relay-pages.h"

typedef enum {
  T_STATUS_TITLE,
  T_STATUS_INTRO,
  T_REFERENCE,
  T_PIN,
  T_CHECK,
  T_RECEIVED,
  T_DELIVERED,
  T_ACCEPTED,
  T_PROPOSED,
  T_PROPOSED_NEXT,
  T_DECLINED,
  T_REASON_GIVEN,
  T_UNDELIVERABLE,
  T_ERROR_NOT_FOUND,
  T_ERROR_LOCKED,
  T_ERROR_INVALID,
  T_KEEPS_NOTHING,
  T_OTHER_LANGUAGE,
  T_CHECK_ANOTHER,
  T_INBOX_TITLE,
  T_INBOX_INTRO,
  T_INBOX_EMPTY,
  T_RECEIVED_AT,
  T_NAME,
  T_CONTACT,
  T_WHEN,
  T_LANGUAGE,
  T_QUESTIONS,
  T_CONTACT_NONE,
  T_CONTACT_PHONE,
  T_CONTACT_EMAIL,
  T_CONTACT_SMS,
  T_CONTACT_CASEWORKER,
  T_MORNING,
  T_AFTERNOON,
  T_EVENING,
  T_ANY_TIME,
  T_TIME,
  T_REASON,
  T_ACCEPT,
  T_PROPOSE,
  T_DECLINE,
  T_ANSWER,
  T_STATE_NEW,
  T_STATE_ACCEPTED,
  T_STATE_PROPOSED,
  T_STATE_DECLINED,
  T_SAVED,
  T_ERROR_NO_TIME,
  T_ERROR_BAD_TIME,
  T_ERROR_NO_REASON,
  T_ERROR_BAD_REASON,
  T_ERROR_BAD_ACTION,
  T_ERROR_PAST_TIME,
  T_CHANGE_ANSWER,
  N_TEXTS
} Text;

typedef struct {
  const char *code;
  const char *name;              /* the language in its own name */
  const char *texts[N_TEXTS];
  const char *days[7];           /* Monday first, as GDateTime counts */
  const char *months[12];
} Language;

static const Language languages[] = {
  {
    "nl", "Nederlands",
    {
      [T_STATUS_TITLE] = "Uw aanvraag bekijken",
      [T_STATUS_INTRO] = "Vul de referentiecode en de pincode in die u bij de kiosk kreeg.",
      [T_REFERENCE] = "Referentiecode",
      [T_PIN] = "Pincode",
      [T_CHECK] = "Bekijken",
      [T_RECEIVED] = "Uw aanvraag is binnen. De organisatie heeft hem nog niet gezien.",
      [T_DELIVERED] = "De organisatie heeft uw aanvraag. Kijk later nog eens voor het antwoord.",
      [T_ACCEPTED] = "Uw afspraak is bevestigd:",
      [T_PROPOSED] = "De organisatie stelt een andere tijd voor:",
      [T_PROPOSED_NEXT] = "Past dat niet? Neem dan zelf contact op, of vraag bij de kiosk een andere tijd.",
      [T_DECLINED] = "De organisatie kan u met deze aanvraag niet helpen.",
      [T_REASON_GIVEN] = "Hun uitleg:",
      [T_UNDELIVERABLE] = "Het lukte niet uw aanvraag bij de organisatie te krijgen. Neem zelf contact met hen op.",
      [T_ERROR_NOT_FOUND] = "Geen aanvraag heeft deze referentiecode en pincode. Controleer ze en probeer het opnieuw.",
      [T_ERROR_LOCKED] = "Er zijn te vaak verkeerde pincodes geprobeerd. Wacht een kwartier en probeer het dan opnieuw.",
      [T_ERROR_INVALID] = "Vul de referentiecode (8 tekens) en de pincode (6 cijfers) in.",
      [T_KEEPS_NOTHING] = "Deze pagina bewaart niets over u.",
      [T_OTHER_LANGUAGE] = "In English",
      [T_CHECK_ANOTHER] = "Een andere aanvraag bekijken",
      [T_INBOX_TITLE] = "Aanvragen voor",
      [T_INBOX_INTRO] = "Mensen vroegen via Wegwijzer om een afspraak. Een werknaam is prima; vraag niet naar een officiële naam als dat niet nodig is.",
      [T_INBOX_EMPTY] = "Er zijn nog geen aanvragen.",
      [T_RECEIVED_AT] = "Ontvangen",
      [T_NAME] = "Naam (mag een werknaam zijn)",
      [T_CONTACT] = "Contact",
      [T_WHEN] = "Wanneer het uitkomt",
      [T_LANGUAGE] = "Taal",
      [T_QUESTIONS] = "Waar het over gaat",
      [T_CONTACT_NONE] = "Kijkt zelf terug met de referentiecode",
      [T_CONTACT_PHONE] = "Telefoon",
      [T_CONTACT_EMAIL] = "E-mail",
      [T_CONTACT_SMS] = "Sms",
      [T_CONTACT_CASEWORKER] = "Via de eigen hulpverlener",
      [T_MORNING] = "ochtend",
      [T_AFTERNOON] = "middag",
      [T_EVENING] = "avond",
      [T_ANY_TIME] = "geen voorkeur",
      [T_TIME] = "Tijd",
      [T_REASON] = "Uitleg (als u afwijst)",
      [T_ACCEPT] = "Accepteren op deze tijd",
      [T_PROPOSE] = "Deze tijd voorstellen",
      [T_DECLINE] = "Afwijzen",
      [T_ANSWER] = "Uw antwoord",
      [T_STATE_NEW] = "Nog niet beantwoord",
      [T_STATE_ACCEPTED] = "Geaccepteerd:",
      [T_STATE_PROPOSED] = "Andere tijd voorgesteld:",
      [T_STATE_DECLINED] = "Afgewezen:",
      [T_SAVED] = "Uw antwoord is opgeslagen. De bezoeker ziet het met de referentiecode.",
      [T_ERROR_NO_TIME] = "Kies een tijd om te accepteren of voor te stellen.",
      [T_ERROR_BAD_TIME] = "Die tijd kon niet gelezen worden; gebruik bijvoorbeeld 2026-12-03 10:00.",
      [T_ERROR_NO_REASON] = "Geef een korte uitleg als u afwijst.",
      [T_ERROR_BAD_REASON] = "De uitleg mag hooguit 500 tekens zijn.",
      [T_ERROR_BAD_ACTION] = "Kies accepteren, voorstellen of afwijzen.",
      [T_ERROR_PAST_TIME] = "Die tijd is al voorbij; kies de tijd van de afspraak.",
      [T_CHANGE_ANSWER] = "Het antwoord wijzigen",
    },
    { "maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag" },
    { "januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
      "september", "oktober", "november", "december" },
  },
  {
    "en", "English",
    {
      [T_STATUS_TITLE] = "Check your request",
      [T_STATUS_INTRO] = "Type the reference code and the PIN you got at the kiosk.",
      [T_REFERENCE] = "Reference code",
      [T_PIN] = "PIN",
      [T_CHECK] = "Check",
      [T_RECEIVED] = "Your request has arrived. The provider has not seen it yet.",
      [T_DELIVERED] = "The provider has your request. Check again later for their answer.",
      [T_ACCEPTED] = "Your appointment is confirmed:",
      [T_PROPOSED] = "The provider proposes another time:",
      [T_PROPOSED_NEXT] = "If it does not suit you, contact them yourself, or ask for another time at the kiosk.",
      [T_DECLINED] = "The provider cannot help with this request.",
      [T_REASON_GIVEN] = "What they said:",
      [T_UNDELIVERABLE] = "We could not get your request to the provider. Please contact them yourself.",
      [T_ERROR_NOT_FOUND] = "No request has this reference code and PIN. Check both and try again.",
      [T_ERROR_LOCKED] = "Too many wrong PINs were tried. Wait a quarter of an hour, then try again.",
      [T_ERROR_INVALID] = "Type the reference code (8 characters) and the PIN (6 digits).",
      [T_KEEPS_NOTHING] = "This page keeps nothing about you.",
      [T_OTHER_LANGUAGE] = "In het Nederlands",
      [T_CHECK_ANOTHER] = "Check another request",
      [T_INBOX_TITLE] = "Requests for",
      [T_INBOX_INTRO] = "People asked for an appointment through Wegwijzer. A working name is fine; do not ask for a legal name unless you need it.",
      [T_INBOX_EMPTY] = "There are no requests yet.",
      [T_RECEIVED_AT] = "Received",
      [T_NAME] = "Name (may be a working name)",
      [T_CONTACT] = "Contact",
      [T_WHEN] = "When suits them",
      [T_LANGUAGE] = "Language",
      [T_QUESTIONS] = "What it is about",
      [T_CONTACT_NONE] = "Checks back with the reference code",
      [T_CONTACT_PHONE] = "Phone",
      [T_CONTACT_EMAIL] = "E-mail",
      [T_CONTACT_SMS] = "Text message",
      [T_CONTACT_CASEWORKER] = "Through their caseworker",
      [T_MORNING] = "morning",
      [T_AFTERNOON] = "afternoon",
      [T_EVENING] = "evening",
      [T_ANY_TIME] = "no preference",
      [T_TIME] = "Time",
      [T_REASON] = "Reason (when you decline)",
      [T_ACCEPT] = "Accept this time",
      [T_PROPOSE] = "Propose this time",
      [T_DECLINE] = "Decline",
      [T_ANSWER] = "Your answer",
      [T_STATE_NEW] = "Not answered yet",
      [T_STATE_ACCEPTED] = "Accepted:",
      [T_STATE_PROPOSED] = "Another time proposed:",
      [T_STATE_DECLINED] = "Declined:",
      [T_SAVED] = "Your answer was saved. The visitor sees it with their reference code.",
      [T_ERROR_NO_TIME] = "Choose a time to accept or to propose.",
      [T_ERROR_BAD_TIME] = "That time could not be read; use for example 2026-12-03 10:00.",
      [T_ERROR_NO_REASON] = "Give a short reason when you decline.",
      [T_ERROR_BAD_REASON] = "The reason may be at most 500 characters.",
      [T_ERROR_BAD_ACTION] = "Choose accept, propose or decline.",
      [T_ERROR_PAST_TIME] = "That time has passed; choose the time of the appointment.",
      [T_CHANGE_ANSWER] = "Change the answer",
    },
    { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" },
    { "January", "February", "March", "April", "May", "June", "July", "August",
      "September", "October", "November", "December" },
  },
};

static const Language *
get_language (const char *code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (languages); i++)
    if (g_strcmp0 (code, languages[i].code) == 0)
      return &languages[i];
  return &languages[0];
}

static const Language *
get_other_language (const Language *language)
{
  return language == &languages[0] ? &languages[1] : &languages[0];
}

#define TEXT(language, id) ((language)->texts[(id)])

const char *
ww_relay_pages_pick_language (const char *query_language,
                              const char *accept_language)
{
  g_auto(GStrv) ranges = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (languages); i++)
    if (g_strcmp0 (query_language, languages[i].code) == 0)
      return languages[i].code;

  if (accept_language == NULL)
    return languages[0].code;

  /* in the order given; weights are rarely out of order in practice */
  ranges = g_strsplit (accept_language, ",", 16);
  for (guint r = 0; ranges[r] != NULL; r++)
    {
      g_autofree char *range = g_ascii_strdown (g_strstrip (ranges[r]), -1);

      for (gsize i = 0; i < G_N_ELEMENTS (languages); i++)
        if (g_str_has_prefix (range, languages[i].code) &&
            (range[2] == '\0' || range[2] == '-' || range[2] == ';'))
          return languages[i].code;
    }

  return languages[0].code;
}

/* Appends @text as HTML text or attribute content. */
static void
append_escaped (GString    *html,
                const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text != NULL ? text : "", -1);

  g_string_append (html, escaped);
}

static void
open_page (GString        *html,
           const Language *language,
           const char     *title)
{
  g_string_append_printf (html,
                          "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
                          "<meta charset=\"utf-8\">\n"
                          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                          "<meta name=\"referrer\" content=\"no-referrer\">\n"
                          "<title>", language->code);
  append_escaped (html, title);
  g_string_append (html, " – Wegwijzer</title>\n<style>\n"
                   "body{font:1.05rem/1.5 system-ui,sans-serif;margin:0 auto;max-width:42rem;padding:1rem;"
                   "color:#1d1d1f;background:#fafafa}\n"
                   "h1{font-size:1.5rem}h2{font-size:1.15rem;margin:0 0 .5rem}\n"
                   "label{display:block;font-weight:600;margin-top:.75rem}\n"
                   "input,textarea,button{font:inherit;box-sizing:border-box;min-height:48px}\n"
                   "input,textarea{width:100%;padding:.5rem;border:1px solid #767676;border-radius:6px;background:#fff}\n"
                   "textarea{min-height:4.5rem}\n"
                   "button{margin:.75rem .5rem 0 0;padding:.5rem 1rem;border:0;border-radius:6px;"
                   "background:#1c5fb8;color:#fff;font-weight:600}\n"
                   "button.secondary{background:#e4e4e7;color:#1d1d1f}\n"
                   "button.destructive{background:#b3261e}\n"
                   "button:focus,input:focus,textarea:focus,a:focus{outline:3px solid #f5a623;outline-offset:2px}\n"
                   ".card{background:#fff;border:1px solid #d4d4d8;border-radius:10px;padding:1rem;margin:1rem 0}\n"
                   ".card>:first-child{margin-top:0}.card>:last-child{margin-bottom:0}\n"
                   ".notice{background:#e7f5e9;border-color:#2e7d32}\n"
                   ".error{background:#fdecea;border-color:#b3261e}\n"
                   ".answer{font-size:1.2rem;font-weight:600}\n"
                   "dl{margin:0}dt{font-weight:600;margin-top:.5rem}dd{margin:0}\n"
                   "footer{margin-top:2rem;font-size:.9rem;color:#52525b}\n"
                   "summary{min-height:48px;line-height:48px;cursor:pointer;font-weight:600}\n"
                   "</style>\n</head>\n<body>\n");
}

static void
close_page (GString        *html,
            const Language *language,
            const char     *other_language_href)
{
  g_string_append (html, "<footer><p>");
  append_escaped (html, TEXT (language, T_KEEPS_NOTHING));
  g_string_append (html, "</p>");
  if (other_language_href != NULL)
    {
      g_string_append_printf (html, "<p><a href=\"%s\" lang=\"%s\">", other_language_href,
                              get_other_language (language)->code);
      append_escaped (html, TEXT (language, T_OTHER_LANGUAGE));
      g_string_append (html, "</a></p>");
    }
  g_string_append (html, "</footer>\n</body>\n</html>\n");
}

/* "donderdag 3 december 2026, 10:00" */
static char *
format_time (const Language *language,
             const char     *iso)
{
  g_autoptr(GDateTime) time = iso != NULL ? g_date_time_new_from_iso8601 (iso, NULL) : NULL;
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier ("Europe/Amsterdam");
  g_autoptr(GDateTime) local = NULL;

  if (time == NULL)
    return g_strdup (iso != NULL ? iso : "");
  local = zone != NULL ? g_date_time_to_timezone (time, zone) : g_date_time_ref (time);

  return g_strdup_printf ("%s %d %s %d, %02d:%02d",
                          language->days[g_date_time_get_day_of_week (local) - 1],
                          g_date_time_get_day_of_month (local),
                          language->months[g_date_time_get_month (local) - 1],
                          g_date_time_get_year (local),
                          g_date_time_get_hour (local),
                          g_date_time_get_minute (local));
}

char *
ww_relay_normalize_time (const char *text)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier ("Europe/Amsterdam");
  g_autoptr(GDateTime) time = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autofree char *copy = NULL;
  int year, month, day, hour, minute;
  char separator;
  int consumed = 0;

  if (text == NULL || zone == NULL)
    return NULL;

  copy = g_strstrip (g_strdup (text));

  /* what a browser's datetime-local sends, or a person types */
  if (sscanf (copy, "%4d-%2d-%2d%c%2d:%2d%n", &year, &month, &day, &separator,
              &hour, &minute, &consumed) == 6 &&
      (separator == 'T' || separator == ' ') &&
      (copy[consumed] == '\0' || (copy[consumed] == ':' && strlen (copy + consumed) == 3)))
    time = g_date_time_new (zone, year, month, day, hour, minute, 0);
  else
    time = g_date_time_new_from_iso8601 (copy, NULL);

  if (time == NULL || g_date_time_get_year (time) < 2000 || g_date_time_get_year (time) > 2199)
    return NULL;

  local = g_date_time_to_timezone (time, zone);
  return g_date_time_format (local, "%Y-%m-%dT%H:%M:%S%:z");
}

static void
append_form (GString        *html,
             const Language *language,
             const char     *reference)
{
  g_string_append (html, "<form class=\"card\" method=\"post\" action=\"/status\">\n");
  g_string_append_printf (html, "<input type=\"hidden\" name=\"lang\" value=\"%s\">\n", language->code);
  g_string_append (html, "<label for=\"reference\">");
  append_escaped (html, TEXT (language, T_REFERENCE));
  g_string_append (html, "</label>\n<input id=\"reference\" name=\"reference\" autocomplete=\"off\" "
                   "autocapitalize=\"characters\" spellcheck=\"false\" maxlength=\"16\" required value=\"");
  append_escaped (html, reference);
  g_string_append (html, "\">\n<label for=\"pin\">");
  append_escaped (html, TEXT (language, T_PIN));
  g_string_append (html, "</label>\n<input id=\"pin\" name=\"pin\" type=\"password\" inputmode=\"numeric\" "
                   "autocomplete=\"off\" maxlength=\"6\" required>\n"
                   "<button type=\"submit\" id=\"check\">");
  append_escaped (html, TEXT (language, T_CHECK));
  g_string_append (html, "</button>\n</form>\n");
}

char *
ww_relay_page_status_form (const char *language_code,
                           const char *reference,
                           const char *error_text)
{
  const Language *language = get_language (language_code);
  GString *html = g_string_new (NULL);
  g_autofree char *other = NULL;
  g_autofree char *escaped_reference = g_uri_escape_string (reference ? reference : "", NULL, FALSE);

  open_page (html, language, TEXT (language, T_STATUS_TITLE));
  g_string_append (html, "<main>\n<h1>");
  append_escaped (html, TEXT (language, T_STATUS_TITLE));
  g_string_append (html, "</h1>\n<p>");
  append_escaped (html, TEXT (language, T_STATUS_INTRO));
  g_string_append (html, "</p>\n");
  if (error_text != NULL)
    {
      g_string_append (html, "<p class=\"card error\" id=\"error\" role=\"alert\">");
      append_escaped (html, error_text);
      g_string_append (html, "</p>\n");
    }
  append_form (html, language, reference);
  g_string_append (html, "</main>\n");

  other = g_strdup_printf ("/status?reference=%s&amp;lang=%s", escaped_reference,
                           get_other_language (language)->code);
  close_page (html, language, other);
  return g_string_free (html, FALSE);
}

const char *
ww_relay_page_status_error (const char *language_code,
                            const char *kind)
{
  const Language *language = get_language (language_code);

  if (g_strcmp0 (kind, "locked") == 0)
    return TEXT (language, T_ERROR_LOCKED);
  if (g_strcmp0 (kind, "invalid") == 0)
    return TEXT (language, T_ERROR_INVALID);
  return TEXT (language, T_ERROR_NOT_FOUND);
}

char *
ww_relay_page_status (const char           *language_code,
                      const WwRelayBooking *booking)
{
  const Language *language = get_language (language_code);
  GString *html = g_string_new (NULL);
  g_autofree char *time = format_time (language, booking->answer_time);
  const char *status = booking->status;

  open_page (html, language, TEXT (language, T_STATUS_TITLE));
  g_string_append (html, "<main>\n<h1>");
  append_escaped (html, TEXT (language, T_STATUS_TITLE));
  g_string_append (html, "</h1>\n<div class=\"card\">\n<p>");
  append_escaped (html, TEXT (language, T_REFERENCE));
  g_string_append (html, ": <strong>");
  append_escaped (html, booking->reference);
  g_string_append (html, "</strong></p>\n");

  g_string_append (html, "<p id=\"status\" data-status=\"");
  append_escaped (html, status);
  g_string_append (html, "\">");
  if (g_str_equal (status, WW_RELAY_STATUS_ACCEPTED) || g_str_equal (status, WW_RELAY_STATUS_PROPOSED))
    {
      append_escaped (html, TEXT (language, g_str_equal (status, WW_RELAY_STATUS_ACCEPTED)
                                            ? T_ACCEPTED : T_PROPOSED));
      g_string_append (html, "<br><span class=\"answer\" id=\"answer-time\">");
      append_escaped (html, time);
      g_string_append (html, "</span>");
    }
  else if (g_str_equal (status, WW_RELAY_STATUS_DECLINED))
    append_escaped (html, TEXT (language, T_DECLINED));
  else if (g_str_equal (status, WW_RELAY_STATUS_DELIVERED))
    append_escaped (html, TEXT (language, T_DELIVERED));
  else if (g_str_equal (status, WW_RELAY_STATUS_UNDELIVERABLE))
    append_escaped (html, TEXT (language, T_UNDELIVERABLE));
  else
    append_escaped (html, TEXT (language, T_RECEIVED));
  g_string_append (html, "</p>\n");

  if (g_str_equal (status, WW_RELAY_STATUS_PROPOSED))
    {
      g_string_append (html, "<p>");
      append_escaped (html, TEXT (language, T_PROPOSED_NEXT));
      g_string_append (html, "</p>\n");
    }
  if (booking->answer_reason != NULL && *booking->answer_reason != '\0')
    {
      g_string_append (html, "<p>");
      append_escaped (html, TEXT (language, T_REASON_GIVEN));
      g_string_append (html, " <q id=\"answer-reason\">");
      append_escaped (html, booking->answer_reason);
      g_string_append (html, "</q></p>\n");
    }
  g_string_append (html, "</div>\n<p><a href=\"/status?lang=");
  g_string_append (html, language->code);
  g_string_append (html, "\">");
  append_escaped (html, TEXT (language, T_CHECK_ANOTHER));
  g_string_append (html, "</a></p>\n</main>\n");

  close_page (html, language, NULL);
  return g_string_free (html, FALSE);
}

char *
ww_relay_page_message (const char *language_code,
                       const char *title,
                       const char *text)
{
  const Language *language = get_language (language_code);
  GString *html = g_string_new (NULL);

  open_page (html, language, title);
  g_string_append (html, "<main>\n<h1>");
  append_escaped (html, title);
  g_string_append (html, "</h1>\n<p id=\"error\">");
  append_escaped (html, text);
  g_string_append (html, "</p>\n</main>\n");
  close_page (html, language, NULL);
  return g_string_free (html, FALSE);
}

const char *
ww_relay_page_inbox_error (const char *language_code,
                           const char *kind)
{
  const Language *language = get_language (language_code);

  if (g_strcmp0 (kind, "no-time") == 0)
    return TEXT (language, T_ERROR_NO_TIME);
  if (g_strcmp0 (kind, "bad-time") == 0)
    return TEXT (language, T_ERROR_BAD_TIME);
  if (g_strcmp0 (kind, "past-time") == 0)
    return TEXT (language, T_ERROR_PAST_TIME);
  if (g_strcmp0 (kind, "no-reason") == 0)
    return TEXT (language, T_ERROR_NO_REASON);
  if (g_strcmp0 (kind, "bad-reason") == 0)
    return TEXT (language, T_ERROR_BAD_REASON);
  if (g_strcmp0 (kind, "saved") == 0)
    return TEXT (language, T_SAVED);
  return TEXT (language, T_ERROR_BAD_ACTION);
}

static void
append_term (GString        *html,
             const Language *language,
             Text            term,
             const char     *value)
{
  g_string_append (html, "<dt>");
  append_escaped (html, TEXT (language, term));
  g_string_append (html, "</dt><dd>");
  append_escaped (html, value);
  g_string_append (html, "</dd>\n");
}

/* "sti-test" → "Sti test": the relay does not load the plugins, so a
 * field is named by its id made readable. */
static char *
humanize (const char *id)
{
  char *text = g_strdup (id);

  g_strdelimit (text, "-_", ' ');
  if (text[0] != '\0')
    text[0] = g_ascii_toupper (text[0]);
  return text;
}

/* What the visitor asked, from the stored request: every member the
 * relay accepted, so the provider sees what the kiosk showed. */
static void
append_request (GString        *html,
                const Language *language,
                const char     *payload)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *request;
  JsonObject *contact;
  JsonObject *fields;
  const char *method;
  const char *value;

  if (!json_parser_load_from_data (parser, payload, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  request = json_node_get_object (json_parser_get_root (parser));

  /* the lines the visitor saw and agreed to send, in their words */
  if (json_object_has_member (request, "preview"))
    {
      JsonArray *lines = json_object_get_array_member (request, "preview");

      g_string_append (html, "<dl>\n");
      for (guint i = 0; lines != NULL && i < json_array_get_length (lines); i++)
        {
          JsonObject *line = json_array_get_object_element (lines, i);

          g_string_append (html, "<dt>");
          append_escaped (html, json_object_get_string_member (line, "label"));
          g_string_append (html, "</dt><dd>");
          append_escaped (html, json_object_get_string_member (line, "value"));
          g_string_append (html, "</dd>\n");
        }
      g_string_append (html, "</dl>\n");
      return;
    }

  g_string_append (html, "<dl>\n");
  append_term (html, language, T_NAME, json_object_get_string_member_with_default (request, "name", ""));

  contact = json_object_get_object_member (request, "contact");
  method = contact ? json_object_get_string_member_with_default (contact, "method", "none") : "none";
  value = contact ? json_object_get_string_member_with_default (contact, "value", NULL) : NULL;
  {
    Text label = T_CONTACT_NONE;
    g_autofree char *shown = NULL;

    if (g_str_equal (method, "phone"))
      label = T_CONTACT_PHONE;
    else if (g_str_equal (method, "email"))
      label = T_CONTACT_EMAIL;
    else if (g_str_equal (method, "sms"))
      label = T_CONTACT_SMS;
    else if (g_str_equal (method, "via-caseworker"))
      label = T_CONTACT_CASEWORKER;
    shown = value != NULL && *value != '\0'
            ? g_strdup_printf ("%s: %s", TEXT (language, label), value)
            : g_strdup (TEXT (language, label));
    append_term (html, language, T_CONTACT, shown);
  }

  {
    JsonArray *parts = json_object_has_member (request, "day_parts")
                       ? json_object_get_array_member (request, "day_parts") : NULL;
    g_autoptr(GString) when = g_string_new (NULL);

    for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++)
      {
        const char *part = json_array_get_string_element (parts, i);
        Text text = g_strcmp0 (part, "morning") == 0 ? T_MORNING
                    : g_strcmp0 (part, "afternoon") == 0 ? T_AFTERNOON : T_EVENING;

        if (when->len > 0)
          g_string_append (when, ", ");
        g_string_append (when, TEXT (language, text));
      }
    append_term (html, language, T_WHEN, when->len > 0 ? when->str : TEXT (language, T_ANY_TIME));
  }

  append_term (html, language, T_LANGUAGE,
               json_object_get_string_member_with_default (request, "language", ""));

  fields = json_object_get_object_member (request, "fields");
  if (fields != NULL && json_object_get_size (fields) > 0)
    {
      g_autoptr(GList) names = json_object_get_members (fields);

      g_string_append (html, "<dt>");
      append_escaped (html, TEXT (language, T_QUESTIONS));
      g_string_append (html, "</dt><dd><ul>\n");
      names = g_list_sort (names, (GCompareFunc) g_strcmp0);
      for (GList *l = names; l != NULL; l = l->next)
        {
          g_autofree char *label = humanize (l->data);

          g_string_append (html, "<li>");
          append_escaped (html, label);
          g_string_append (html, ": ");
          append_escaped (html, json_object_get_string_member (fields, l->data));
          g_string_append (html, "</li>\n");
        }
      g_string_append (html, "</ul></dd>\n");
    }
  g_string_append (html, "</dl>\n");
}

static void
append_inbox_booking (GString              *html,
                      const Language       *language,
                      const char           *key,
                      const WwRelayBooking *booking)
{
  g_autofree char *received = NULL;
  g_autoptr(GDateTime) created = g_date_time_new_from_unix_utc (booking->created_at);
  g_autofree char *created_iso = created ? g_date_time_format_iso8601 (created) : NULL;
  g_autofree char *answer_time = format_time (language, booking->answer_time);

  received = format_time (language, created_iso);

  g_string_append (html, "<section class=\"card booking\" id=\"booking-");
  append_escaped (html, booking->id);
  g_string_append (html, "\" data-reference=\"");
  append_escaped (html, booking->reference);
  g_string_append (html, "\" data-status=\"");
  append_escaped (html, booking->status);
  g_string_append (html, "\">\n<h2>");
  append_escaped (html, booking->reference);
  g_string_append (html, "</h2>\n<p>");
  append_escaped (html, TEXT (language, T_RECEIVED_AT));
  g_string_append (html, ": ");
  append_escaped (html, received);
  g_string_append (html, "</p>\n");

  append_request (html, language, booking->payload);

  g_string_append (html, "<p class=\"answer\">");
  if (booking->answer_status == NULL)
    append_escaped (html, TEXT (language, T_STATE_NEW));
  else if (g_str_equal (booking->answer_status, WW_RELAY_STATUS_DECLINED))
    {
      append_escaped (html, TEXT (language, T_STATE_DECLINED));
      g_string_append_c (html, ' ');
      append_escaped (html, booking->answer_reason);
    }
  else
    {
      append_escaped (html, TEXT (language, g_str_equal (booking->answer_status, WW_RELAY_STATUS_ACCEPTED)
                                            ? T_STATE_ACCEPTED : T_STATE_PROPOSED));
      g_string_append_c (html, ' ');
      append_escaped (html, answer_time);
    }
  g_string_append (html, "</p>\n");

  /* an answer stands: changing it takes a deliberate step */
  if (booking->answer_status != NULL)
    {
      g_string_append (html, "<details><summary>");
      append_escaped (html, TEXT (language, T_CHANGE_ANSWER));
      g_string_append (html, "</summary>\n");
    }
  g_string_append (html, "<form method=\"post\" action=\"/inbox/");
  append_escaped (html, key);
  g_string_append (html, "/bookings/");
  append_escaped (html, booking->id);
  g_string_append_printf (html, "\">\n<input type=\"hidden\" name=\"lang\" value=\"%s\">\n", language->code);
  g_string_append (html, "<label for=\"time-");
  append_escaped (html, booking->id);
  g_string_append (html, "\">");
  append_escaped (html, TEXT (language, T_TIME));
  g_string_append (html, "</label>\n<input type=\"datetime-local\" name=\"time\" id=\"time-");
  append_escaped (html, booking->id);
  g_string_append (html, "\">\n<label for=\"reason-");
  append_escaped (html, booking->id);
  g_string_append (html, "\">");
  append_escaped (html, TEXT (language, T_REASON));
  g_string_append (html, "</label>\n<textarea name=\"reason\" maxlength=\"500\" id=\"reason-");
  append_escaped (html, booking->id);
  g_string_append (html, "\"></textarea>\n");

  {
    const struct { const char *action; Text label; const char *css; } buttons[] = {
      { "accept", T_ACCEPT, "" },
      { "propose", T_PROPOSE, "secondary" },
      { "decline", T_DECLINE, "destructive" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS (buttons); i++)
      {
        g_string_append_printf (html, "<button type=\"submit\" name=\"action\" value=\"%s\" class=\"%s\" id=\"%s-",
                                buttons[i].action, buttons[i].css, buttons[i].action);
        append_escaped (html, booking->id);
        g_string_append (html, "\">");
        append_escaped (html, TEXT (language, buttons[i].label));
        g_string_append (html, "</button>\n");
      }
  }
  g_string_append (html, "</form>\n");
  if (booking->answer_status != NULL)
    g_string_append (html, "</details>\n");
  g_string_append (html, "</section>\n");
}

char *
ww_relay_page_inbox (const char *language_code,
                     const char *key,
                     const char *provider_id,
                     GPtrArray  *bookings,
                     const char *notice)
{
  const Language *language = get_language (language_code);
  GString *html = g_string_new (NULL);
  g_autofree char *title = g_strdup_printf ("%s %s", TEXT (language, T_INBOX_TITLE), provider_id);
  g_autofree char *other = NULL;

  open_page (html, language, title);
  g_string_append (html, "<main>\n<h1>");
  append_escaped (html, title);
  g_string_append (html, "</h1>\n<p>");
  append_escaped (html, TEXT (language, T_INBOX_INTRO));
  g_string_append (html, "</p>\n");
  if (notice != NULL)
    {
      g_string_append (html, "<p class=\"card notice\" id=\"notice\" role=\"status\">");
      append_escaped (html, notice);
      g_string_append (html, "</p>\n");
    }
  if (bookings->len == 0)
    {
      g_string_append (html, "<p>");
      append_escaped (html, TEXT (language, T_INBOX_EMPTY));
      g_string_append (html, "</p>\n");
    }
  for (guint i = 0; i < bookings->len; i++)
    append_inbox_booking (html, language, key, g_ptr_array_index (bookings, i));
  g_string_append (html, "</main>\n");

  other = g_strdup_printf ("/inbox/%s?lang=%s", key, get_other_language (language)->code);
  close_page (html, language, other);
  return g_string_free (html, FALSE);
}
