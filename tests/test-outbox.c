/* test-outbox.c: the durable outbox, and that it forgets what it must
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "wegwijzer.h"

#define CANARY_NAME   "Canary Zwaluw 7f3a"
#define CANARY_PHONE  "+31 6 9876 5432"
#define CANARY_DIGITS "98765432"

typedef struct {
  char     *folder;
  char     *path;
  WwOutbox *outbox;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->folder = g_build_filename (g_get_user_data_dir (), "outbox-test", NULL);
  fixture->path = g_build_filename (fixture->folder, "outbox.sqlite", NULL);
  fixture->outbox = ww_outbox_open (fixture->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->outbox);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->outbox);
  g_free (fixture->path);
  g_free (fixture->folder);
}

static void
reopen (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&fixture->outbox);
  fixture->outbox = ww_outbox_open (fixture->path, &error);
  g_assert_no_error (error);
}

static WwBookingRequest *
new_request (const char *name,
             const char *phone)
{
  WwBookingRequest *request = ww_booking_request_new ("test-care-01");

  ww_booking_request_set_field (request, "topic", "prep");
  ww_booking_request_set_contact (request, WW_CONTACT_METHOD_PHONE, phone);
  ww_booking_request_set_name (request, name);
  ww_booking_request_set_consent (request, TRUE);

  return request;
}

static char *
enqueue (Fixture    *fixture,
         const char *name)
{
  g_autoptr(WwBookingRequest) request = new_request (name, "+31 6 1234 5678");
  g_autoptr(GError) error = NULL;

  g_assert_true (ww_outbox_enqueue (fixture->outbox, request, &error));
  g_assert_no_error (error);

  return g_strdup (ww_booking_request_get_id (request));
}

static WwOutboxItem *
find_item (WwOutbox   *outbox,
           const char *id)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;

  items = ww_outbox_list (outbox, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < items->len; i++)
    {
      WwOutboxItem *item = g_ptr_array_index (items, i);

      g_assert_null (item->body);
      if (g_str_equal (item->id, id))
        return g_ptr_array_steal_index (items, i);
    }

  return NULL;
}

static double
random_one (gpointer user_data)
{
  return 1.0;
}

static double
random_fixed (gpointer user_data)
{
  return *(double *) user_data;
}

static void
test_survives_restart (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *id = enqueue (fixture, "Sample Sam");
  g_autoptr(WwOutboxItem) before = NULL;
  g_autoptr(WwOutboxItem) after = NULL;
  g_autoptr(WwOutboxItem) due = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now = g_get_real_time ();

  ww_outbox_set_random_for_testing (fixture->outbox, random_one, NULL);
  g_assert_true (ww_outbox_mark_failed_attempt (fixture->outbox, id, now, &error));
  g_assert_no_error (error);
  before = find_item (fixture->outbox, id);

  reopen (fixture);

  after = find_item (fixture->outbox, id);
  g_assert_nonnull (after);
  g_assert_cmpint (after->state, ==, WW_OUTBOX_STATE_QUEUED);
  g_assert_cmpuint (after->attempts, ==, 1);
  g_assert_cmpint (after->next_attempt_at, ==, now + 5 * G_USEC_PER_SEC);
  g_assert_cmpint (after->next_attempt_at, ==, before->next_attempt_at);
  g_assert_cmpstr (after->idempotency_key, ==, before->idempotency_key);
  g_assert_null (after->reference);

  /* not due before its time, due after, with the body to send */
  g_assert_null (ww_outbox_next_due (fixture->outbox, now + 5 * G_USEC_PER_SEC - 1));
  due = ww_outbox_next_due (fixture->outbox, now + 5 * G_USEC_PER_SEC);
  g_assert_nonnull (due);
  g_assert_cmpstr (due->id, ==, id);
  g_assert_cmpstr (due->idempotency_key, ==, before->idempotency_key);
  g_assert_true (strstr (due->body, "\"name\":\"Sample Sam\"") != NULL);
}

static void
test_backoff (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *id = enqueue (fixture, "Sample Sam");
  g_autoptr(GError) error = NULL;
  double fraction = 0.5;
  gint64 now = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC;
  /* 5 s doubling: 5, 10, 20, …, 2560, then 3600 (1 h) for good */
  static const gint64 ceilings_s[] = {
    5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600, 3600,
  };

  /* the formula on its own, at both ends of the jitter */
  g_assert_cmpint (ww_outbox_compute_backoff (1, 0.0), ==, 0);
  g_assert_cmpint (ww_outbox_compute_backoff (1, 1.0), ==, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (ww_outbox_compute_backoff (12, 1.0), ==, WW_OUTBOX_BACKOFF_MAX_US);
  g_assert_cmpint (ww_outbox_compute_backoff (G_MAXUINT, 1.0), ==, WW_OUTBOX_BACKOFF_MAX_US);

  for (guint run = 0; run < 2; run++)
    {
      fraction = run == 0 ? 1.0 : 0.25;
      ww_outbox_set_random_for_testing (fixture->outbox, random_fixed, &fraction);

      for (guint i = 0; i < G_N_ELEMENTS (ceilings_s); i++)
        {
          g_autoptr(WwOutboxItem) item = NULL;
          guint attempts = run * G_N_ELEMENTS (ceilings_s) + i + 1;
          gint64 ceiling = attempts <= G_N_ELEMENTS (ceilings_s)
                           ? ceilings_s[attempts - 1] * G_USEC_PER_SEC
                           : WW_OUTBOX_BACKOFF_MAX_US;

          now += G_USEC_PER_SEC;
          g_assert_true (ww_outbox_mark_failed_attempt (fixture->outbox, id, now, &error));
          g_assert_no_error (error);

          item = find_item (fixture->outbox, id);
          g_assert_cmpuint (item->attempts, ==, attempts);
          g_assert_cmpint (item->next_attempt_at, ==, now + (gint64) (fraction * ceiling));
          g_assert_cmpint (item->next_attempt_at - now, <=, WW_OUTBOX_BACKOFF_MAX_US);
        }
    }

  /* an unknown id is an error that says so */
  g_assert_false (ww_outbox_mark_failed_attempt (fixture->outbox, "no-such-id", now, &error));
  g_assert_error (error, WW_OUTBOX_ERROR, WW_OUTBOX_ERROR_NOT_FOUND);
}

static void
test_due_order (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *a = enqueue (fixture, "Sample A");
  g_autofree char *b = NULL;
  g_autofree char *c = NULL;
  g_autoptr(GError) error = NULL;
  gint64 now;

  g_usleep (1000);
  b = enqueue (fixture, "Sample B");
  g_usleep (1000);
  c = enqueue (fixture, "Sample C");
  now = g_get_real_time ();

  ww_outbox_set_random_for_testing (fixture->outbox, random_one, NULL);

  /* oldest first */
  {
    g_autoptr(WwOutboxItem) due = ww_outbox_next_due (fixture->outbox, now);
    g_assert_cmpstr (due->id, ==, a);
  }

  /* a failed one waits its turn; the others go first */
  g_assert_true (ww_outbox_mark_failed_attempt (fixture->outbox, a, now, &error));
  g_assert_no_error (error);
  {
    g_autoptr(WwOutboxItem) due = ww_outbox_next_due (fixture->outbox, now);
    g_assert_cmpstr (due->id, ==, b);
  }

  /* confirmed ones are never due again */
  g_assert_true (ww_outbox_mark_confirmed (fixture->outbox, b, "REF-B", &error));
  g_assert_no_error (error);
  {
    g_autoptr(WwOutboxItem) due = ww_outbox_next_due (fixture->outbox, now);
    g_assert_cmpstr (due->id, ==, c);
  }
  g_assert_true (ww_outbox_mark_confirmed (fixture->outbox, c, "REF-C", &error));
  g_assert_no_error (error);
  g_assert_null (ww_outbox_next_due (fixture->outbox, now));
  {
    g_autoptr(WwOutboxItem) due = ww_outbox_next_due (fixture->outbox,
                                                      now + 5 * G_USEC_PER_SEC);
    g_assert_cmpstr (due->id, ==, a);
  }

  /* a confirmed request cannot fail later, nor take another reference */
  g_assert_false (ww_outbox_mark_failed_attempt (fixture->outbox, b, now, &error));
  g_assert_error (error, WW_OUTBOX_ERROR, WW_OUTBOX_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (ww_outbox_mark_confirmed (fixture->outbox, b, "REF-B", &error));
  g_assert_no_error (error);
  g_assert_false (ww_outbox_mark_confirmed (fixture->outbox, b, "REF-X", &error));
  g_assert_error (error, WW_OUTBOX_ERROR, WW_OUTBOX_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (ww_outbox_mark_confirmed (fixture->outbox, a, "not a reference!", &error));
  g_assert_error (error, WW_OUTBOX_ERROR, WW_OUTBOX_ERROR_FAILED);
}

/* Every message logged while the canary test runs, to search afterwards. */
static GString *logged;

static GLogWriterOutput
record_writer (GLogLevelFlags   level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  for (gsize i = 0; logged != NULL && i < n_fields; i++)
    if (fields[i].length < 0)
      g_string_append_printf (logged, "%s=%s\n", fields[i].key, (const char *) fields[i].value);
    else
      {
        g_string_append_printf (logged, "%s=", fields[i].key);
        g_string_append_len (logged, fields[i].value, fields[i].length);
        g_string_append_c (logged, '\n');
      }

  return g_log_writer_default (level, fields, n_fields, user_data);
}

static gboolean
contains (const char *haystack,
          gsize       length,
          const char *needle)
{
  gsize needle_length = strlen (needle);

  for (gsize i = 0; i + needle_length <= length; i++)
    if (memcmp (haystack + i, needle, needle_length) == 0)
      return TRUE;

  return FALSE;
}

/* Reads every file in the outbox's folder and fails on a canary. */
static guint
assert_no_canary_in_files (const char *folder)
{
  g_autoptr(GDir) dir = NULL;
  g_autoptr(GError) error = NULL;
  const char *name;
  guint n_files = 0;

  dir = g_dir_open (folder, 0, &error);
  g_assert_no_error (error);

  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (folder, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      g_assert_true (g_file_get_contents (file, &contents, &length, &error));
      g_assert_no_error (error);
      g_test_message ("%s: %" G_GSIZE_FORMAT " bytes", name, length);
      n_files++;

      if (contains (contents, length, CANARY_NAME) ||
          contains (contents, length, "Zwaluw") ||
          contains (contents, length, CANARY_PHONE) ||
          contains (contents, length, CANARY_DIGITS))
        g_error ("a canary survived in %s", file);
    }

  return n_files;
}

static void
test_erase_on_confirm (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(WwBookingRequest) request = NULL;
  g_autoptr(WwOutboxItem) due = NULL;
  g_autoptr(WwOutboxItem) item = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  g_autofree char *details = NULL;
  gint64 now;

  logged = g_string_new (NULL);

  /* fill a page or two around the canary, as a real kiosk would */
  for (guint i = 0; i < 20; i++)
    g_free (enqueue (fixture, "Sample Neighbour"));

  request = new_request (CANARY_NAME, CANARY_PHONE);
  details = g_strdup_printf ("Call %s, ask for %s", CANARY_PHONE, CANARY_NAME);
  ww_booking_request_set_field (request, "details", details);
  id = g_strdup (ww_booking_request_get_id (request));
  g_assert_true (ww_outbox_enqueue (fixture->outbox, request, &error));
  g_assert_no_error (error);
  g_clear_object (&request);

  /* it really was there, in the body the sender gets */
  ww_outbox_set_random_for_testing (fixture->outbox, random_one, NULL);
  now = g_get_real_time ();
  due = ww_outbox_next_due (fixture->outbox, now);
  while (due != NULL && !g_str_equal (due->id, id))
    {
      /* the neighbours fail once and wait; the canary's turn comes */
      g_assert_true (ww_outbox_mark_failed_attempt (fixture->outbox, due->id, now, &error));
      g_assert_no_error (error);
      g_clear_pointer (&due, ww_outbox_item_free);
      due = ww_outbox_next_due (fixture->outbox, now);
    }
  g_assert_nonnull (due);
  g_assert_true (strstr (due->body, CANARY_NAME) != NULL);
  g_clear_pointer (&due, ww_outbox_item_free);

  g_assert_true (ww_outbox_mark_confirmed (fixture->outbox, id, "K7QM-4XPT", &error));
  g_assert_no_error (error);

  /* while it is still open (a kiosk may lose power right now)… */
  g_assert_cmpuint (assert_no_canary_in_files (fixture->folder), >=, 1);

  /* …and after it closed */
  g_clear_object (&fixture->outbox);
  assert_no_canary_in_files (fixture->folder);

  reopen (fixture);
  item = find_item (fixture->outbox, id);
  g_assert_nonnull (item);
  g_assert_cmpint (item->state, ==, WW_OUTBOX_STATE_CONFIRMED);
  g_assert_cmpstr (item->reference, ==, "K7QM-4XPT");
  g_assert_null (item->body);

  g_assert_false (contains (logged->str, logged->len, "Zwaluw"));
  g_assert_false (contains (logged->str, logged->len, CANARY_DIGITS));
  g_assert_false (contains (logged->str, logged->len, CANARY_PHONE));
  g_string_free (g_steal_pointer (&logged), TRUE);
}

static void
test_corrupt (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *id = enqueue (fixture, "Sample Sam");
  g_autoptr(WwOutbox) outbox = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *garbage = g_strnfill (8192, 'x');
  g_autoptr(GDir) dir = NULL;
  const char *name;
  guint n_moved = 0;

  g_clear_object (&fixture->outbox);
  g_assert_true (g_file_set_contents (fixture->path, garbage, -1, &error));
  g_assert_no_error (error);

  outbox = ww_outbox_open (fixture->path, &error);
  g_assert_null (outbox);
  g_assert_error (error, WW_OUTBOX_ERROR, WW_OUTBOX_ERROR_CORRUPT);
  g_assert_true (strstr (error->message, ".corrupt-") != NULL);
  g_assert_true (strstr (error->message, "waiting to be sent may be in it") != NULL);
  g_clear_error (&error);

  /* the damaged file is kept byte for byte */
  dir = g_dir_open (fixture->folder, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (strstr (name, ".corrupt-") != NULL && !g_str_has_suffix (name, "-wal") &&
        !g_str_has_suffix (name, "-shm"))
      {
        g_autofree char *file = g_build_filename (fixture->folder, name, NULL);
        g_autofree char *contents = NULL;

        g_assert_true (g_file_get_contents (file, &contents, NULL, &error));
        g_assert_cmpstr (contents, ==, garbage);
        n_moved++;
      }
  g_assert_cmpuint (n_moved, ==, 1);

  /* then a new, empty outbox */
  outbox = ww_outbox_open (fixture->path, &error);
  g_assert_no_error (error);
  items = ww_outbox_list (outbox, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  /* once per process (GLib allows no more); it records only while a
   * test has set up 'logged' */
  g_log_set_writer_func (record_writer, NULL, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/outbox/survives-restart", test_survives_restart);
  ADD ("/outbox/backoff", test_backoff);
  ADD ("/outbox/due-order", test_due_order);
  ADD ("/outbox/erase-on-confirm", test_erase_on_confirm);
  ADD ("/outbox/corrupt", test_corrupt);

  return g_test_run ();
}
