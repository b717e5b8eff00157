/* ww-qr-code.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-qr-code"

#include "config.h"

#include <errno.h>
#include <qrencode.h>
#include <string.h>

#include "ww-qr-code.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC (QRcode, QRcode_free)

GdkTexture *
ww_qr_code_new_texture (const char  *text,
                        guint        max_pixels,
                        guint       *n_modules,
                        guint       *scale,
                        GError     **error)
{
  g_autoptr(QRcode) code = NULL;
  g_autoptr(GBytes) bytes = NULL;
  guint8 *pixels;
  gsize stride;
  guint modules;
  guint size;
  guint side;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* Medium error correction: a screen has no stains, and the code stays
   * small enough to be read from a step away. */
  errno = 0;
  code = QRcode_encodeString (text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (code == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "The address cannot be made into a QR code: %s",
                   saved_errno == ERANGE ? "it is too long" : g_strerror (saved_errno));
      return NULL;
    }

  modules = (guint) code->width + 2 * WW_QR_CODE_QUIET_ZONE;
  size = MAX (WW_QR_CODE_MIN_SCALE, max_pixels / modules);
  side = modules * size;
  stride = (gsize) side * 3;

  /* white, then each dark module as a whole block of pixels */
  pixels = g_malloc (stride * side);
  memset (pixels, 0xff, stride * side);
  for (guint y = 0; y < (guint) code->width; y++)
    for (guint x = 0; x < (guint) code->width; x++)
      {
        gsize top = (gsize) (y + WW_QR_CODE_QUIET_ZONE) * size;
        gsize left = (gsize) (x + WW_QR_CODE_QUIET_ZONE) * size;

        /* bit 0 of each byte is the module's colour */
        if ((code->data[y * (guint) code->width + x] & 1) == 0)
          continue;
        for (gsize row = top; row < top + size; row++)
          memset (pixels + row * stride + left * 3, 0x00, (gsize) size * 3);
      }
  bytes = g_bytes_new_take (pixels, stride * side);

  if (n_modules != NULL)
    *n_modules = modules;
  if (scale != NULL)
    *scale = size;

  return gdk_memory_texture_new ((int) side, (int) side, GDK_MEMORY_R8G8B8, bytes, stride);
}
