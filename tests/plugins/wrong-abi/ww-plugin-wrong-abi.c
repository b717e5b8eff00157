/* ww-plugin-wrong-abi.c: a module that stands for one built for another ABI
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-plugin-wrong-abi"

#include "config.h"

#include <glib-object.h>
#include <gmodule.h>

G_MODULE_EXPORT GType ww_plugin_query_type (void);

/* The engine must refuse the plugin from its .plugin file alone; should
 * it ever run this, the test aborts right here. */
G_MODULE_EXPORT GType
ww_plugin_query_type (void)
{
  g_error ("A plugin for another ABI was loaded; the engine must check "
           "AbiVersion before it opens the module");
}
