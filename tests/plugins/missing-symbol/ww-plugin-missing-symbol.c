/* ww-plugin-missing-symbol.c: a module whose entry point is misspelt
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-plugin-missing-symbol"

#include "config.h"

#include <glib-object.h>
#include <gmodule.h>

/* The engine looks for ww_plugin_query_type; this is the kind of typo
 * that makes a plugin invisible. */
G_MODULE_EXPORT GType ww_plugin_query_types (void);

G_MODULE_EXPORT GType
ww_plugin_query_types (void)
{
  return G_TYPE_INVALID;
}
