/* ww-plugin-finance.c: the business-services theme (zakelijke dienstverlening): banks,
 * insurers, accountants, KvK help
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-plugin-finance"

#include "config.h"

#include <gmodule.h>

#include "ww-plugin.h"

#define WW_TYPE_FINANCE_PLUGIN (ww_finance_plugin_get_type ())
G_DECLARE_FINAL_TYPE (WwFinancePlugin, ww_finance_plugin, WW, FINANCE_PLUGIN, WwPlugin)

struct _WwFinancePlugin
{
  WwPlugin parent_instance;
};

G_DEFINE_FINAL_TYPE (WwFinancePlugin, ww_finance_plugin, WW_TYPE_PLUGIN)

static void
ww_finance_plugin_class_init (WwFinancePluginClass *klass)
{
  /* The theme is data only: WwPlugin's defaults read theme.json and
   * providers.json from here. */
  ww_plugin_class_set_resource_path (WW_PLUGIN_CLASS (klass), "/nl/wegwijzer/plugins/finance");
}

static void
ww_finance_plugin_init (WwFinancePlugin *self)
{
}

G_MODULE_EXPORT GType ww_plugin_query_type (void);

G_MODULE_EXPORT GType
ww_plugin_query_type (void)
{
  return WW_TYPE_FINANCE_PLUGIN;
}
