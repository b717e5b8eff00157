/* ww-plugin-care.c: the care theme (zorg): GPs, sexual-health clinics, PrEP,
 * mental health
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-plugin-care"

#include "config.h"

#include <gmodule.h>

#include "ww-plugin.h"

#define WW_TYPE_CARE_PLUGIN (ww_care_plugin_get_type ())
G_DECLARE_FINAL_TYPE (WwCarePlugin, ww_care_plugin, WW, CARE_PLUGIN, WwPlugin)

struct _WwCarePlugin
{
  WwPlugin parent_instance;
};

G_DEFINE_FINAL_TYPE (WwCarePlugin, ww_care_plugin, WW_TYPE_PLUGIN)

static void
ww_care_plugin_class_init (WwCarePluginClass *klass)
{
  /* The theme is data only: WwPlugin's defaults read theme.json and
   * providers.json from here. */
  ww_plugin_class_set_resource_path (WW_PLUGIN_CLASS (klass), "/nl/wegwijzer/plugins/care");
}

static void
ww_care_plugin_init (WwCarePlugin *self)
{
}

G_MODULE_EXPORT GType ww_plugin_query_type (void);

G_MODULE_EXPORT GType
ww_plugin_query_type (void)
{
  return WW_TYPE_CARE_PLUGIN;
}
