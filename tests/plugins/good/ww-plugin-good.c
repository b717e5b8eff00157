/* ww-plugin-good.c: a data-only plugin that loads, as the themes do
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-plugin-good"

#include "config.h"

#include <gmodule.h>

#include "ww-plugin.h"

#define WW_TYPE_TEST_GOOD_PLUGIN (ww_test_good_plugin_get_type ())
G_DECLARE_FINAL_TYPE (WwTestGoodPlugin, ww_test_good_plugin, WW, TEST_GOOD_PLUGIN, WwPlugin)

struct _WwTestGoodPlugin
{
  WwPlugin parent_instance;
};

G_DEFINE_FINAL_TYPE (WwTestGoodPlugin, ww_test_good_plugin, WW_TYPE_PLUGIN)

static void
ww_test_good_plugin_class_init (WwTestGoodPluginClass *klass)
{
  ww_plugin_class_set_resource_path (WW_PLUGIN_CLASS (klass),
                                     "/nl/wegwijzer/tests/plugins/good");
}

static void
ww_test_good_plugin_init (WwTestGoodPlugin *self)
{
}

G_MODULE_EXPORT GType ww_plugin_query_type (void);

G_MODULE_EXPORT GType
ww_plugin_query_type (void)
{
  return WW_TYPE_TEST_GOOD_PLUGIN;
}
