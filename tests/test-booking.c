/* test-booking.c: booking requests, checked against a real plugin's form
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "wegwijzer.h"

typedef struct {
  WwPluginEngine *engine;
  WwPlugin       *care;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  ww_set_language ("en");
  fixture->engine = ww_plugin_engine_new ();
  ww_plugin_engine_load (fixture->engine);
  fixture->care = ww_plugin_engine_lookup (fixture->engine, "care");
  g_assert_nonnull (fixture->care);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->engine);
}

/* A request the care form accepts; each bad case changes one thing. */
static WwBookingRequest *
new_valid_request (void)
{
  WwBookingRequest *request = ww_booking_request_new ("test-care-01");

  ww_booking_request_set_field (request, "topic", "prep");
  ww_booking_request_set_field (request, "details", "Evenings are best.");
  ww_booking_request_set_contact (request, WW_CONTACT_METHOD_PHONE, "+31 6 1234 5678");
  ww_booking_request_set_name (request, "Sample Sam");
  ww_booking_request_set_language (request, "en");
  ww_booking_request_set_day_parts (request, WW_DAY_PART_MORNING | WW_DAY_PART_EVENING);
  ww_booking_request_set_consent (request, TRUE);

  return request;
}

static void
test_valid (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(WwBookingRequest) request = new_valid_request ();
  g_autoptr(WwBookingRequest) other = new_valid_request ();
  g_autoptr(GError) error = NULL;
  static const struct {
    WwContactMethod  method;
    const char      *value;
  } contacts[] = {
    { WW_CONTACT_METHOD_NONE, NULL },
    { WW_CONTACT_METHOD_EMAIL, "sam@example.nl" },
    { WW_CONTACT_METHOD_SMS, "06-12345678" },
    { WW_CONTACT_METHOD_VIA_CASEWORKER, NULL },
    { WW_CONTACT_METHOD_VIA_CASEWORKER, "Sample caseworker, Sample Foundation" },
  };

  g_assert_true (ww_booking_request_validate (request, fixture->care, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (contacts); i++)
    {
      ww_booking_request_set_contact (request, contacts[i].method, contacts[i].value);
      g_assert_true (ww_booking_request_validate (request, fixture->care, &error));
      g_assert_no_error (error);
    }

  /* two requests never share an id or a key */
  g_assert_true (g_uuid_string_is_valid (ww_booking_request_get_id (request)));
  g_assert_true (g_uuid_string_is_valid (ww_booking_request_get_idempotency_key (request)));
  g_assert_cmpstr (ww_booking_request_get_id (request), !=,
                   ww_booking_request_get_idempotency_key (request));
  g_assert_cmpstr (ww_booking_request_get_id (request), !=, ww_booking_request_get_id (other));
  g_assert_cmpstr (ww_booking_request_get_idempotency_key (request), !=,
                   ww_booking_request_get_idempotency_key (other));
}

typedef void (*BreakFunc) (WwBookingRequest *request);

#define BREAK(name, body) \
  static void name (WwBookingRequest *r) { body; }

BREAK (missing_topic, ww_booking_request_set_field (r, "topic", NULL))
BREAK (unknown_choice, ww_booking_request_set_field (r, "topic", "haircut"))
BREAK (two_choices, ww_booking_request_set_field (r, "topic", "prep,sti-test"))
BREAK (unknown_carer, ww_booking_request_set_field (r, "carer-preference", "robot"))
BREAK (unknown_field, ww_booking_request_set_field (r, "shoe-size", "42"))
BREAK (details_too_long,
       g_autofree char *text = g_strnfill (401, 'x');
       ww_booking_request_set_field (r, "details", text))
BREAK (details_control, ww_booking_request_set_field (r, "details", "bell\a"))
BREAK (details_bad_utf8, ww_booking_request_set_field (r, "details", "caf\xc3"))
BREAK (phone_letters, ww_booking_request_set_contact (r, WW_CONTACT_METHOD_PHONE, "06 call me"))
BREAK (phone_short, ww_booking_request_set_contact (r, WW_CONTACT_METHOD_PHONE, "+31 6"))
BREAK (phone_long, ww_booking_request_set_contact (r, WW_CONTACT_METHOD_PHONE,
                                                   "+31 6 1234 5678 1234 5678 90"))
BREAK (phone_plus_inside, ww_booking_request_set_contact (r, WW_CONTACT_METHOD_PHONE,
                                                          "06 12+345678"))
BREAK (phone_missing, ww_booking_request_set_contact (r, WW_CONTACT_METHOD_PHONE, NULL))
BREAK (sms_letters, ww_booking_request_set_contact (r, WW_CONTACT_METHOD_SMS, "06-abcdefgh"))
BREAK (sms_missing, ww_booking_request_set_contact (r, WW_CONTACT_METHOD_SMS, ""))
BREAK (email_no_at, ww_booking_request_set_contact (r, WW_CONTACT_METHOD_EMAIL, "sam.example.nl"))
BREAK (email_two_at, ww_booking_request_set_contact (r, WW_CONTACT_METHOD_EMAIL, "sam@x@example.nl"))
BREAK (email_no_dot, ww_booking_request_set_contact (r, WW_CONTACT_METHOD_EMAIL, "sam@localhost"))
BREAK (email_dot_last, ww_booking_request_set_contact (r, WW_CONTACT_METHOD_EMAIL, "sam@example."))
BREAK (email_no_local, ww_booking_request_set_contact (r, WW_CONTACT_METHOD_EMAIL, "@example.nl"))
BREAK (email_missing, ww_booking_request_set_contact (r, WW_CONTACT_METHOD_EMAIL, NULL))
BREAK (none_with_value, ww_booking_request_set_contact (r, WW_CONTACT_METHOD_NONE, "06 12345678"))
BREAK (name_missing, ww_booking_request_set_name (r, NULL))
BREAK (name_blank, ww_booking_request_set_name (r, "   "))
BREAK (name_long,
       g_autofree char *text = g_strnfill (81, 'n');
       ww_booking_request_set_name (r, text))
BREAK (name_newline, ww_booking_request_set_name (r, "Sam\nSample"))
BREAK (no_consent, ww_booking_request_set_consent (r, FALSE))

static void
test_invalid (Fixture       *fixture,
              gconstpointer  data)
{
  static const struct {
    const char     *what;
    BreakFunc       func;
    WwBookingError  code;
    const char     *names;  /* what the message must name */
  } cases[] = {
    { "missing topic", missing_topic, WW_BOOKING_ERROR_MISSING_FIELD, "What is it about?" },
    { "unknown choice", unknown_choice, WW_BOOKING_ERROR_INVALID_CHOICE, "What is it about?" },
    { "two choices", two_choices, WW_BOOKING_ERROR_INVALID_CHOICE, "What is it about?" },
    { "unknown carer", unknown_carer, WW_BOOKING_ERROR_INVALID_CHOICE,
      "Preference for the care provider" },
    { "unknown field", unknown_field, WW_BOOKING_ERROR_UNKNOWN_FIELD, "shoe-size" },
    { "details too long", details_too_long, WW_BOOKING_ERROR_TOO_LONG,
      "Anything the practice should know" },
    { "details control", details_control, WW_BOOKING_ERROR_INVALID_TEXT,
      "Anything the practice should know" },
    { "details bad UTF-8", details_bad_utf8, WW_BOOKING_ERROR_INVALID_TEXT,
      "Anything the practice should know" },
    { "phone letters", phone_letters, WW_BOOKING_ERROR_INVALID_PHONE, "Phone number" },
    { "phone short", phone_short, WW_BOOKING_ERROR_INVALID_PHONE, "Phone number" },
    { "phone long", phone_long, WW_BOOKING_ERROR_INVALID_PHONE, "Phone number" },
    { "phone + inside", phone_plus_inside, WW_BOOKING_ERROR_INVALID_PHONE, "Phone number" },
    { "phone missing", phone_missing, WW_BOOKING_ERROR_MISSING_CONTACT, "Phone number" },
    { "sms letters", sms_letters, WW_BOOKING_ERROR_INVALID_PHONE, "Mobile number" },
    { "sms missing", sms_missing, WW_BOOKING_ERROR_MISSING_CONTACT, "Mobile number" },
    { "email without @", email_no_at, WW_BOOKING_ERROR_INVALID_EMAIL, "Email address" },
    { "email with two @", email_two_at, WW_BOOKING_ERROR_INVALID_EMAIL, "Email address" },
    { "email without dot", email_no_dot, WW_BOOKING_ERROR_INVALID_EMAIL, "Email address" },
    { "email dot last", email_dot_last, WW_BOOKING_ERROR_INVALID_EMAIL, "Email address" },
    { "email without local part", email_no_local, WW_BOOKING_ERROR_INVALID_EMAIL,
      "Email address" },
    { "email missing", email_missing, WW_BOOKING_ERROR_MISSING_CONTACT, "Email address" },
    { "none with a value", none_with_value, WW_BOOKING_ERROR_UNEXPECTED_CONTACT,
      "How to reach you" },
    { "name missing", name_missing, WW_BOOKING_ERROR_INVALID_NAME, "Name" },
    { "name blank", name_blank, WW_BOOKING_ERROR_INVALID_NAME, "Name" },
    { "name too long", name_long, WW_BOOKING_ERROR_INVALID_NAME, "Name" },
    { "name with a newline", name_newline, WW_BOOKING_ERROR_INVALID_TEXT, "Name" },
    { "no consent", no_consent, WW_BOOKING_ERROR_NO_CONSENT, "Consent" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(WwBookingRequest) request = new_valid_request ();
      g_autoptr(GError) error = NULL;

      g_test_message ("case: %s", cases[i].what);
      cases[i].func (request);
      g_assert_false (ww_booking_request_validate (request, fixture->care, &error));
      g_assert_error (error, WW_BOOKING_ERROR, (int) cases[i].code);
      g_assert_true (g_str_has_prefix (error->message, cases[i].names));
    }

  /* no provider */
  {
    g_autoptr(WwBookingRequest) orphan = ww_booking_request_new (NULL);
    g_autoptr(GError) error = NULL;

    ww_booking_request_set_field (orphan, "topic", "prep");
    ww_booking_request_set_name (orphan, "Sample Sam");
    ww_booking_request_set_consent (orphan, TRUE);
    g_assert_false (ww_booking_request_validate (orphan, fixture->care, &error));
    g_assert_error (error, WW_BOOKING_ERROR, WW_BOOKING_ERROR_MISSING_PROVIDER);
    g_assert_true (g_str_has_prefix (error->message, "Provider"));
  }
}

static void
test_json (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(WwBookingRequest) request = new_valid_request ();
  g_autoptr(WwBookingRequest) quiet = new_valid_request ();
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;
  g_autofree char *quiet_text = NULL;

  text = ww_booking_request_to_json_string (request);
  g_assert_cmpstr (text, ==,
                   "{\"provider_id\":\"test-care-01\","
                   "\"fields\":{\"details\":\"Evenings are best.\",\"topic\":\"prep\"},"
                   "\"contact\":{\"method\":\"phone\",\"value\":\"+31 6 1234 5678\"},"
                   "\"name\":\"Sample Sam\",\"language\":\"en\","
                   "\"day_parts\":[\"morning\",\"evening\"],\"consent\":true}");

  /* the same request always makes the same bytes */
  again = ww_booking_request_to_json_string (request);
  g_assert_cmpstr (text, ==, again);

  /* method none carries no value */
  ww_booking_request_set_contact (quiet, WW_CONTACT_METHOD_NONE, NULL);
  ww_booking_request_set_day_parts (quiet, WW_DAY_PART_NONE);
  ww_booking_request_set_field (quiet, "details", NULL);
  quiet_text = ww_booking_request_to_json_string (quiet);
  g_assert_cmpstr (quiet_text, ==,
                   "{\"provider_id\":\"test-care-01\",\"fields\":{\"topic\":\"prep\"},"
                   "\"contact\":{\"method\":\"none\"},\"name\":\"Sample Sam\","
                   "\"language\":\"en\",\"day_parts\":[],\"consent\":true}");
}

static void
test_preview (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(WwBookingRequest) request = new_valid_request ();
  g_autoptr(GPtrArray) lines = NULL;
  static const char *expected[][2] = {
    { "What is it about?", "PrEP" },
    { "Anything the practice should know beforehand (optional)", "Evenings are best." },
    { "When suits", "Morning, evening" },
    { "Name", "Sample Sam" },
    { "Phone number", "+31 6 1234 5678" },
    { "Language", "English" },
  };

  lines = ww_booking_request_dup_preview (request, fixture->care);
  g_assert_cmpuint (lines->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < lines->len; i++)
    {
      WwBookingPreviewLine *line = g_ptr_array_index (lines, i);

      g_assert_cmpstr (line->label, ==, expected[i][0]);
      g_assert_cmpstr (line->value, ==, expected[i][1]);
    }
  g_clear_pointer (&lines, g_ptr_array_unref);

  /* labels follow the interface language, as the plugin gives them */
  ww_set_language ("nl");
  ww_booking_request_set_contact (request, WW_CONTACT_METHOD_NONE, NULL);
  lines = ww_booking_request_dup_preview (request, fixture->care);
  {
    WwBookingPreviewLine *first = g_ptr_array_index (lines, 0);
    WwBookingPreviewLine *contact = g_ptr_array_index (lines, 4);

    g_assert_cmpstr (first->label, ==, "Waar gaat het over?");
    g_assert_cmpstr (first->value, ==, "PrEP");
    g_assert_cmpstr (contact->label, ==, "How to reach you");
    g_assert_true (strstr (contact->value, "reference code") != NULL);
  }
  ww_set_language ("en");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/booking/valid", test_valid);
  ADD ("/booking/invalid", test_invalid);
  ADD ("/booking/json", test_json);
  ADD ("/booking/preview", test_preview);

  return g_test_run ();
}
