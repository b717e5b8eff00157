/* ww-plugin-bad-data.c: a plugin whose theme.json does not validate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-plugin-bad-data"

#include "config.h"

#include <gmodule.h>

#include "ww-plugin.h"

#define WW_TYPE_TEST_BAD_DATA_PLUGIN (ww_test_bad_data_plugin_get_type ())
G_DECLARE_FINAL_TYPE (WwTestBadDataPlugin, ww_test_bad_data_plugin, WW, TEST_BAD_DATA_PLUGIN, WwPlugin)

struct _WwTestBadDataPlugin
{
  WwPlugin parent_instance;
};

G_DEFINE_FINAL_TYPE (WwTestBadDataPlugin, ww_test_bad_data_plugin, WW_TYPE_PLUGIN)

static void
ww_test_bad_data_plugin_class_init (WwTestBadDataPluginClass *klass)
{
  ww_plugin_class_set_resource_path (WW_PLUGIN_CLASS (klass),
                                     "/nl/wegwijzer/tests/plugins/bad-data");
}

static void
ww_test_bad_data_plugin_init (WwTestBadDataPlugin *self)
{
}

G_MODULE_EXPORT GType ww_plugin_query_type (void);

G_MODULE_EXPORT GType
ww_plugin_query_type (void)
{
  return WW_TYPE_TEST_BAD_DATA_PLUGIN;
}
