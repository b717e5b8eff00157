/* ww-qr-code.h: a QR code as a texture, for the status page's address
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* the light border a reader needs around the code, in modules */
#define WW_QR_CODE_QUIET_ZONE 4
/* the smallest module, in pixels, that a phone reads from a step away */
#define WW_QR_CODE_MIN_SCALE 2

/* Black modules on white, the quiet zone included, each module a whole
 * number of pixels (@scale × @scale, the most that keeps the texture
 * within @max_pixels, and at least WW_QR_CODE_MIN_SCALE): crisp at its
 * size, and the same in the light and the dark style. @n_modules is
 * set to the modules on a side, the quiet zone included; the texture
 * is n_modules × scale pixels square. */
GdkTexture *ww_qr_code_new_texture (const char  *text,
                                    guint        max_pixels,
                                    guint       *n_modules,
                                    guint       *scale,
                                    GError     **error);

G_END_DECLS
