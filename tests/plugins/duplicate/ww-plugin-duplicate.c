/* ww-plugin-duplicate.c: a second plugin with the id "good"; its own GType
 * name tells the tests which of the two was loaded
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-plugin-duplicate"

#include "config.h"

#include <gmodule.h>

#include "ww-plugin.h"

#define WW_TYPE_TEST_DUPLICATE_PLUGIN (ww_test_duplicate_plugin_get_type ())
G_DECLARE_FINAL_TYPE (WwTestDuplicatePlugin, ww_test_duplicate_plugin, WW, TEST_DUPLICATE_PLUGIN, WwPlugin)

struct _WwTestDuplicatePlugin
{
  WwPlugin parent_instance;
};

G_DEFINE_FINAL_TYPE (WwTestDuplicatePlugin, ww_test_duplicate_plugin, WW_TYPE_PLUGIN)

static void
ww_test_duplicate_plugin_class_init (WwTestDuplicatePluginClass *klass)
{
  ww_plugin_class_set_resource_path (WW_PLUGIN_CLASS (klass),
                                     "/nl/wegwijzer/tests/plugins/duplicate");
}

static void
ww_test_duplicate_plugin_init (WwTestDuplicatePlugin *self)
{
}

G_MODULE_EXPORT GType ww_plugin_query_type (void);

G_MODULE_EXPORT GType
ww_plugin_query_type (void)
{
  return WW_TYPE_TEST_DUPLICATE_PLUGIN;
}
