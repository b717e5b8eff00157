/* test-signature.c: Standard Webhooks signing and verification
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "wegwijzer.h"

/* The example of the Standard Webhooks specification
 * (github.com/standard-webhooks/standard-webhooks, spec/standard-webhooks.md),
 * recomputed to be sure with
 *   python3 -c 'import hmac,hashlib,base64;
 *     k=base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
 *     m=b"msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330."+b"{\"test\": 2432232314}";
 *     print(base64.b64encode(hmac.new(k,m,hashlib.sha256).digest()))' */
#define SPEC_SECRET "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define SPEC_ID "msg_p5jXN8AQM9LWM0D4loKWxJek"
#define SPEC_TIMESTAMP 1614265330
#define SPEC_BODY "{\"test\": 2432232314}"
#define SPEC_SIGNATURE "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

/* Our own vector, with a 32-byte key 00 01 … 1f as ww_signature_new_secret()
 * makes them, computed the same way:
 *   k=bytes(range(32)); m=b"msg_2KWPBgLlAfxdpx2AI54pPJ85f4W.1674087231."+body */
#define OWN_SECRET "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define OWN_ID "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W"
#define OWN_TIMESTAMP 1674087231
#define OWN_SIGNATURE "v1,cAp9TQtaE2ZR9not+U8dvvN3yUkNsSp3s7Jkeij79bQ="

static gboolean
verify (const char  *secret,
        const char  *id,
        const char  *timestamp,
        const char  *header,
        const char  *body,
        gint64       now,
        GError     **error)
{
  return ww_signature_verify (secret, id, timestamp, header,
                              body, body ? strlen (body) : 0,
                              now, WW_SIGNATURE_DEFAULT_TOLERANCE, error);
}

static void
test_known_answer (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *spec = NULL;
  g_autofree char *own = NULL;

  spec = ww_signature_sign (SPEC_SECRET, SPEC_ID, SPEC_TIMESTAMP,
                            SPEC_BODY, strlen (SPEC_BODY), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (spec, ==, SPEC_SIGNATURE);

  own = ww_signature_sign (OWN_SECRET, OWN_ID, OWN_TIMESTAMP,
                           SPEC_BODY, strlen (SPEC_BODY), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (own, ==, OWN_SIGNATURE);

  g_assert_true (verify (SPEC_SECRET, SPEC_ID, "1614265330", SPEC_SIGNATURE,
                         SPEC_BODY, SPEC_TIMESTAMP, &error));
  g_assert_no_error (error);
}

static void
test_new_secret (void)
{
  g_autofree char *a = ww_signature_new_secret ();
  g_autofree char *b = ww_signature_new_secret ();
  g_autofree char *signature = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_str_has_prefix (a, "whsec_"));
  /* 32 bytes are 44 characters of base64 */
  g_assert_cmpuint (strlen (a), ==, strlen ("whsec_") + 44);
  g_assert_cmpstr (a, !=, b);
  g_assert_true (ww_signature_check_secret (a, &error));
  g_assert_no_error (error);

  signature = ww_signature_sign (a, "msg_1", 1000, "{}", 2, &error);
  g_assert_no_error (error);
  g_assert_true (verify (a, "msg_1", "1000", signature, "{}", 1000, &error));
  g_assert_no_error (error);
  g_assert_false (verify (b, "msg_1", "1000", signature, "{}", 1000, &error));
  g_assert_error (error, WW_SIGNATURE_ERROR, WW_SIGNATURE_ERROR_MISMATCH);
}

static void
test_several_signatures (void)
{
  g_autoptr(GError) error = NULL;

  /* A rotated secret: the old signature first, then the right one, and a
   * future version the receiver does not know yet. */
  g_assert_true (verify (SPEC_SECRET, SPEC_ID, "1614265330",
                         "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= "
                         "v2,whatever " SPEC_SIGNATURE,
                         SPEC_BODY, SPEC_TIMESTAMP, &error));
  g_assert_no_error (error);
}

typedef struct {
  const char *name;
  const char *secret;
  const char *id;
  const char *timestamp;
  const char *header;
  const char *body;
  gint64 now;
  WwSignatureError code;
} TamperCase;

static const TamperCase tamper_cases[] = {
  { "body changed", SPEC_SECRET, SPEC_ID, "1614265330", SPEC_SIGNATURE,
    "{\"test\": 2432232315}", SPEC_TIMESTAMP, WW_SIGNATURE_ERROR_MISMATCH },
  { "empty body", SPEC_SECRET, SPEC_ID, "1614265330", SPEC_SIGNATURE,
    "", SPEC_TIMESTAMP, WW_SIGNATURE_ERROR_MISMATCH },
  { "id changed", SPEC_SECRET, "msg_p5jXN8AQM9LWM0D4loKWxJeK", "1614265330", SPEC_SIGNATURE,
    SPEC_BODY, SPEC_TIMESTAMP, WW_SIGNATURE_ERROR_MISMATCH },
  { "timestamp changed", SPEC_SECRET, SPEC_ID, "1614265331", SPEC_SIGNATURE,
    SPEC_BODY, SPEC_TIMESTAMP, WW_SIGNATURE_ERROR_MISMATCH },
  { "other secret", OWN_SECRET, SPEC_ID, "1614265330", SPEC_SIGNATURE,
    SPEC_BODY, SPEC_TIMESTAMP, WW_SIGNATURE_ERROR_MISMATCH },
  { "301 s late", SPEC_SECRET, SPEC_ID, "1614265330", SPEC_SIGNATURE,
    SPEC_BODY, SPEC_TIMESTAMP + 301, WW_SIGNATURE_ERROR_EXPIRED },
  { "301 s early", SPEC_SECRET, SPEC_ID, "1614265330", SPEC_SIGNATURE,
    SPEC_BODY, SPEC_TIMESTAMP - 301, WW_SIGNATURE_ERROR_EXPIRED },
  { "unknown version only", SPEC_SECRET, SPEC_ID, "1614265330",
    "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    SPEC_BODY, SPEC_TIMESTAMP, WW_SIGNATURE_ERROR_MALFORMED },
  { "malformed base64", SPEC_SECRET, SPEC_ID, "1614265330",
    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE!",
    SPEC_BODY, SPEC_TIMESTAMP, WW_SIGNATURE_ERROR_MALFORMED },
  { "truncated signature", SPEC_SECRET, SPEC_ID, "1614265330",
    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJE",
    SPEC_BODY, SPEC_TIMESTAMP, WW_SIGNATURE_ERROR_MALFORMED },
  { "no version", SPEC_SECRET, SPEC_ID, "1614265330",
    "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    SPEC_BODY, SPEC_TIMESTAMP, WW_SIGNATURE_ERROR_MALFORMED },
  { "empty header", SPEC_SECRET, SPEC_ID, "1614265330", "",
    SPEC_BODY, SPEC_TIMESTAMP, WW_SIGNATURE_ERROR_MISSING },
  { "no header", SPEC_SECRET, SPEC_ID, "1614265330", NULL,
    SPEC_BODY, SPEC_TIMESTAMP, WW_SIGNATURE_ERROR_MISSING },
  { "no id", SPEC_SECRET, "", "1614265330", SPEC_SIGNATURE,
    SPEC_BODY, SPEC_TIMESTAMP, WW_SIGNATURE_ERROR_MISSING },
  { "no timestamp", SPEC_SECRET, SPEC_ID, NULL, SPEC_SIGNATURE,
    SPEC_BODY, SPEC_TIMESTAMP, WW_SIGNATURE_ERROR_MISSING },
  { "signed timestamp", SPEC_SECRET, SPEC_ID, "+1614265330", SPEC_SIGNATURE,
    SPEC_BODY, SPEC_TIMESTAMP, WW_SIGNATURE_ERROR_MALFORMED },
  { "timestamp with a space", SPEC_SECRET, SPEC_ID, " 1614265330", SPEC_SIGNATURE,
    SPEC_BODY, SPEC_TIMESTAMP, WW_SIGNATURE_ERROR_MALFORMED },
  { "secret without prefix", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", SPEC_ID, "1614265330",
    SPEC_SIGNATURE, SPEC_BODY, SPEC_TIMESTAMP, WW_SIGNATURE_ERROR_MALFORMED },
  { "secret not base64", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS*", SPEC_ID, "1614265330",
    SPEC_SIGNATURE, SPEC_BODY, SPEC_TIMESTAMP, WW_SIGNATURE_ERROR_MALFORMED },
  { "secret too short", "whsec_AAAA", SPEC_ID, "1614265330",
    SPEC_SIGNATURE, SPEC_BODY, SPEC_TIMESTAMP, WW_SIGNATURE_ERROR_MALFORMED },
};

static void
test_tampered (gconstpointer data)
{
  const TamperCase *tc = data;
  g_autoptr(GError) error = NULL;

  g_assert_false (verify (tc->secret, tc->id, tc->timestamp, tc->header,
                          tc->body, tc->now, &error));
  g_assert_error (error, WW_SIGNATURE_ERROR, (int) tc->code);
  g_assert_cmpstr (error->message, !=, "");
}

static void
test_edges_of_tolerance (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (verify (SPEC_SECRET, SPEC_ID, "1614265330", SPEC_SIGNATURE,
                         SPEC_BODY, SPEC_TIMESTAMP + 300, &error));
  g_assert_no_error (error);
  g_assert_true (verify (SPEC_SECRET, SPEC_ID, "1614265330", SPEC_SIGNATURE,
                         SPEC_BODY, SPEC_TIMESTAMP - 300, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/signature/known-answer", test_known_answer);
  g_test_add_func ("/signature/new-secret", test_new_secret);
  g_test_add_func ("/signature/several", test_several_signatures);
  g_test_add_func ("/signature/tolerance-edges", test_edges_of_tolerance);
  for (gsize i = 0; i < G_N_ELEMENTS (tamper_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/signature/refused/%s", tamper_cases[i].name);

      g_strdelimit (path, " ", '-');
      g_test_add_data_func (path, &tamper_cases[i], test_tampered);
    }

  return g_test_run ();
}
