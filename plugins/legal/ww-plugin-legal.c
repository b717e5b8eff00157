/* ww-plugin-legal.c: the legal-position theme: lawyers, legal-aid desks, tax and
 * labour-law advice
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-plugin-legal"

#include "config.h"

#include <gmodule.h>

#include "ww-plugin.h"

#define WW_TYPE_LEGAL_PLUGIN (ww_legal_plugin_get_type ())
G_DECLARE_FINAL_TYPE (WwLegalPlugin, ww_legal_plugin, WW, LEGAL_PLUGIN, WwPlugin)

struct _WwLegalPlugin
{
  WwPlugin parent_instance;
};

G_DEFINE_FINAL_TYPE (WwLegalPlugin, ww_legal_plugin, WW_TYPE_PLUGIN)

static void
ww_legal_plugin_class_init (WwLegalPluginClass *klass)
{
  /* The theme is data only: WwPlugin's defaults read theme.json and
   * providers.json from here. */
  ww_plugin_class_set_resource_path (WW_PLUGIN_CLASS (klass), "/nl/wegwijzer/plugins/legal");
}

static void
ww_legal_plugin_init (WwLegalPlugin *self)
{
}

G_MODULE_EXPORT GType ww_plugin_query_type (void);

G_MODULE_EXPORT GType
ww_plugin_query_type (void)
{
  return WW_TYPE_LEGAL_PLUGIN;
}
