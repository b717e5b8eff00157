/* ww-generator.h: large synthetic directories, for benchmarks and load tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ww-directory.h"

G_BEGIN_DECLS

typedef void (*WwGeneratorProgress) (guint done, guint total, gpointer user_data);

/* Adds @count fictional providers (all marked sample data), the same ones
 * for the same @seed, in batches of one transaction each. */
gboolean ww_generator_fill (WwDirectory         *directory,
                            guint                count,
                            guint32              seed,
                            WwGeneratorProgress  progress,
                            gpointer             user_data,
                            GError             **error);
/* one synthetic provider, number @index of the set made from @seed */
WwProvider *ww_generator_make_provider (guint32 seed,
                                        guint   index);

G_END_DECLS
