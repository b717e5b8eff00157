/* ww-plugin-empty.c: a data-only plugin with a theme but no listings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-plugin-empty"

#include "config.h"

#include <gmodule.h>

#include "ww-plugin.h"

#define WW_TYPE_TEST_EMPTY_PLUGIN (ww_test_empty_plugin_get_type ())
G_DECLARE_FINAL_TYPE (WwTestEmptyPlugin, ww_test_empty_plugin, WW, TEST_EMPTY_PLUGIN, WwPlugin)

struct _WwTestEmptyPlugin
{
  WwPlugin parent_instance;
};

G_DEFINE_FINAL_TYPE (WwTestEmptyPlugin, ww_test_empty_plugin, WW_TYPE_PLUGIN)

static void
ww_test_empty_plugin_class_init (WwTestEmptyPluginClass *klass)
{
  ww_plugin_class_set_resource_path (WW_PLUGIN_CLASS (klass),
                                     "/nl/wegwijzer/tests/gui/empty");
}

static void
ww_test_empty_plugin_init (WwTestEmptyPlugin *self)
{
}

G_MODULE_EXPORT GType ww_plugin_query_type (void);

G_MODULE_EXPORT GType
ww_plugin_query_type (void)
{
  return WW_TYPE_TEST_EMPTY_PLUGIN;
}
