/* ww-plugin-municipality.c: the municipalities theme (gemeenten): permit and registration
 * desks, local rules, social support
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-plugin-municipality"

#include "config.h"

#include <gmodule.h>

#include "ww-plugin.h"

#define WW_TYPE_MUNICIPALITY_PLUGIN (ww_municipality_plugin_get_type ())
G_DECLARE_FINAL_TYPE (WwMunicipalityPlugin, ww_municipality_plugin, WW, MUNICIPALITY_PLUGIN, WwPlugin)

struct _WwMunicipalityPlugin
{
  WwPlugin parent_instance;
};

G_DEFINE_FINAL_TYPE (WwMunicipalityPlugin, ww_municipality_plugin, WW_TYPE_PLUGIN)

static void
ww_municipality_plugin_class_init (WwMunicipalityPluginClass *klass)
{
  /* The theme is data only: WwPlugin's defaults read theme.json and
   * providers.json from here. */
  ww_plugin_class_set_resource_path (WW_PLUGIN_CLASS (klass), "/nl/wegwijzer/plugins/municipality");
}

static void
ww_municipality_plugin_init (WwMunicipalityPlugin *self)
{
}

G_MODULE_EXPORT GType ww_plugin_query_type (void);

G_MODULE_EXPORT GType
ww_plugin_query_type (void)
{
  return WW_TYPE_MUNICIPALITY_PLUGIN;
}
