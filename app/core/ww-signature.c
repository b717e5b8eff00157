/* ww-signature.c: Standard Webhooks signatures
 *
 * A secret is "whsec_" + base64 of 24–64 random bytes. A signature is
 * "v1," + base64 of HMAC-SHA256, keyed with the decoded secret, over
 * "<msg id>.<timestamp>.<body>". A header may carry several signatures,
 * separated by spaces, so that a secret can be rotated without downtime.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-signature"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "ww-error.h"
#include "ww-signature.h"

#define SECRET_PREFIX "whsec_"
#define SECRET_BYTES 32
#define SECRET_MIN_BYTES 24
#define SECRET_MAX_BYTES 64
#define DIGEST_BYTES 32

/**
 * ww_signature_fill_random:
 *
 * Fills @buffer from the kernel's CSPRNG. GRand is predictable and must
 * never make a secret, a reference code or a PIN.
 */
void
ww_signature_fill_random (guint8 *buffer,
                          gsize   length)
{
  gsize done = 0;

  while (done < length)
    {
      ssize_t got = getrandom (buffer + done, length - done, 0);

      if (got < 0)
        {
          if (errno == EINTR)
            continue;
          /* There is no safe fallback: a guessable secret is worse
           * than no service. */
          g_error ("Cannot read random bytes: %s", g_strerror (errno));
        }
      done += got;
    }
}

char *
ww_signature_new_secret (void)
{
  guint8 key[SECRET_BYTES];
  g_autofree char *encoded = NULL;
  char *secret;

  ww_signature_fill_random (key, sizeof key);
  encoded = g_base64_encode (key, sizeof key);
  secret = g_strconcat (SECRET_PREFIX, encoded, NULL);
  memset (key, 0, sizeof key);

  return secret;
}

/* g_base64_decode() skips characters it does not know, so a damaged
 * value would decode to something; check the alphabet and padding first. */
static guint8 *
decode_strict_base64 (const char *text,
                      gsize      *length)
{
  gsize len = strlen (text);
  gsize padding = 0;

  if (len == 0 || len % 4 != 0)
    return NULL;

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (c == '=')
        {
          if (i < len - 2)
            return NULL;
          padding++;
        }
      else if (padding > 0 ||
               !(g_ascii_isalnum (c) || c == '+' || c == '/'))
        return NULL;
    }

  return g_base64_decode (text, length);
}

static guint8 *
decode_secret (const char  *secret,
               gsize       *length,
               GError     **error)
{
  guint8 *key;

  if (secret == NULL || !g_str_has_prefix (secret, SECRET_PREFIX))
    {
      g_set_error (error, WW_SIGNATURE_ERROR, WW_SIGNATURE_ERROR_MALFORMED,
                   "the secret does not start with '" SECRET_PREFIX "'");
      return NULL;
    }

  key = decode_strict_base64 (secret + strlen (SECRET_PREFIX), length);
  if (key == NULL || *length < SECRET_MIN_BYTES || *length > SECRET_MAX_BYTES)
    {
      g_free (key);
      g_set_error (error, WW_SIGNATURE_ERROR, WW_SIGNATURE_ERROR_MALFORMED,
                   "the secret is not %d to %d bytes of base64 after '" SECRET_PREFIX "'",
                   SECRET_MIN_BYTES, SECRET_MAX_BYTES);
      return NULL;
    }

  return key;
}

gboolean
ww_signature_check_secret (const char  *secret,
                           GError     **error)
{
  gsize length;
  g_autofree guint8 *key = decode_secret (secret, &length, error);

  return key != NULL;
}

static void
compute_digest (const guint8 *key,
                gsize         key_length,
                const char   *msg_id,
                const char   *timestamp,
                const void   *body,
                gsize         length,
                guint8        digest[DIGEST_BYTES])
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, key, key_length);
  gsize digest_length = DIGEST_BYTES;

  g_hmac_update (hmac, (const guchar *) msg_id, strlen (msg_id));
  g_hmac_update (hmac, (const guchar *) ".", 1);
  g_hmac_update (hmac, (const guchar *) timestamp, strlen (timestamp));
  g_hmac_update (hmac, (const guchar *) ".", 1);
  if (length > 0)
    g_hmac_update (hmac, body, length);
  g_hmac_get_digest (hmac, digest, &digest_length);
  g_assert (digest_length == DIGEST_BYTES);
}

char *
ww_signature_sign (const char  *secret,
                   const char  *msg_id,
                   gint64       timestamp,
                   const void  *body,
                   gsize        length,
                   GError     **error)
{
  g_autofree guint8 *key = NULL;
  g_autofree char *timestamp_text = NULL;
  g_autofree char *encoded = NULL;
  guint8 digest[DIGEST_BYTES];
  gsize key_length;

  g_return_val_if_fail (msg_id != NULL, NULL);
  g_return_val_if_fail (body != NULL || length == 0, NULL);

  if (!(key = decode_secret (secret, &key_length, error)))
    return NULL;

  timestamp_text = g_strdup_printf ("%" G_GINT64_FORMAT, timestamp);
  compute_digest (key, key_length, msg_id, timestamp_text, body, length, digest);
  memset (key, 0, key_length);
  encoded = g_base64_encode (digest, sizeof digest);

  return g_strconcat ("v1,", encoded, NULL);
}

/* Every byte is looked at whatever the earlier ones were, so the time
 * taken says nothing about how much of a forged signature was right. */
static gboolean
digests_equal (const guint8 *a,
               const guint8 *b)
{
  guint8 difference = 0;

  for (gsize i = 0; i < DIGEST_BYTES; i++)
    difference |= a[i] ^ b[i];

  return difference == 0;
}

static gboolean
parse_timestamp (const char *text,
                 gint64     *timestamp)
{
  gsize len = strlen (text);

  /* Plain decimal seconds only: no sign, no spaces, nothing after */
  if (len == 0 || len > 18)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isdigit (text[i]))
      return FALSE;

  *timestamp = g_ascii_strtoll (text, NULL, 10);
  return TRUE;
}

/**
 * ww_signature_verify:
 * @now: the receiver's clock, in seconds since the epoch
 * @tolerance: how many seconds @timestamp may lie before or after @now
 *
 * Checks @signature_header against the message. Signatures of versions
 * other than "v1" are skipped, as Standard Webhooks asks; if none of the
 * v1 signatures matches, the message is refused.
 */
gboolean
ww_signature_verify (const char  *secret,
                     const char  *msg_id,
                     const char  *timestamp,
                     const char  *signature_header,
                     const void  *body,
                     gsize        length,
                     gint64       now,
                     guint        tolerance,
                     GError     **error)
{
  g_autofree guint8 *key = NULL;
  g_auto(GStrv) entries = NULL;
  guint8 expected[DIGEST_BYTES];
  gint64 sent_at;
  gsize key_length;
  gboolean any_v1 = FALSE;  /* a well-formed v1 signature was seen */
  gboolean matched = FALSE;

  g_return_val_if_fail (body != NULL || length == 0, FALSE);

  if (msg_id == NULL || *msg_id == '\0')
    {
      g_set_error (error, WW_SIGNATURE_ERROR, WW_SIGNATURE_ERROR_MISSING,
                   "the message id (webhook-id) is missing");
      return FALSE;
    }
  if (timestamp == NULL || *timestamp == '\0')
    {
      g_set_error (error, WW_SIGNATURE_ERROR, WW_SIGNATURE_ERROR_MISSING,
                   "the timestamp (webhook-timestamp) is missing");
      return FALSE;
    }
  if (signature_header == NULL || *signature_header == '\0')
    {
      g_set_error (error, WW_SIGNATURE_ERROR, WW_SIGNATURE_ERROR_MISSING,
                   "the signature (webhook-signature) is missing");
      return FALSE;
    }

  if (!parse_timestamp (timestamp, &sent_at))
    {
      g_set_error (error, WW_SIGNATURE_ERROR, WW_SIGNATURE_ERROR_MALFORMED,
                   "the timestamp is not whole seconds since 1970");
      return FALSE;
    }
  if (sent_at < now - (gint64) tolerance || sent_at > now + (gint64) tolerance)
    {
      g_set_error (error, WW_SIGNATURE_ERROR, WW_SIGNATURE_ERROR_EXPIRED,
                   "the timestamp is %" G_GINT64_FORMAT " s away from the server's clock "
                   "(at most %u s allowed); check the sender's clock",
                   sent_at - now, tolerance);
      return FALSE;
    }

  if (!(key = decode_secret (secret, &key_length, error)))
    return FALSE;

  compute_digest (key, key_length, msg_id, timestamp, body, length, expected);
  memset (key, 0, key_length);

  entries = g_strsplit (signature_header, " ", -1);
  for (guint i = 0; entries[i] != NULL; i++)
    {
      g_autofree guint8 *given = NULL;
      gsize given_length = 0;

      if (!g_str_has_prefix (entries[i], "v1,"))
        continue;

      given = decode_strict_base64 (entries[i] + 3, &given_length);
      if (given == NULL || given_length != DIGEST_BYTES)
        continue;

      any_v1 = TRUE;
      /* Keep looking after a match, so that the time taken does not
       * depend on where the right signature sits. */
      if (digests_equal (given, expected))
        matched = TRUE;
    }

  if (matched)
    return TRUE;

  if (!any_v1)
    g_set_error (error, WW_SIGNATURE_ERROR, WW_SIGNATURE_ERROR_MALFORMED,
                 "the signature header holds no 'v1,<base64 of 32 bytes>' signature");
  else
    g_set_error (error, WW_SIGNATURE_ERROR, WW_SIGNATURE_ERROR_MISMATCH,
                 "no signature matches the message and the sender's secret");
  return FALSE;
}
