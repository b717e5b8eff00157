/* ww-plugin-police.c: the police theme (politie): contact officers, reporting by
 * appointment, anonymous reporting
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-plugin-police"

#include "config.h"

#include <gmodule.h>

#include "ww-plugin.h"

#define WW_TYPE_POLICE_PLUGIN (ww_police_plugin_get_type ())
G_DECLARE_FINAL_TYPE (WwPolicePlugin, ww_police_plugin, WW, POLICE_PLUGIN, WwPlugin)

struct _WwPolicePlugin
{
  WwPlugin parent_instance;
};

G_DEFINE_FINAL_TYPE (WwPolicePlugin, ww_police_plugin, WW_TYPE_PLUGIN)

static void
ww_police_plugin_class_init (WwPolicePluginClass *klass)
{
  /* The theme is data only: WwPlugin's defaults read theme.json and
   * providers.json from here. */
  ww_plugin_class_set_resource_path (WW_PLUGIN_CLASS (klass), "/nl/wegwijzer/plugins/police");
}

static void
ww_police_plugin_init (WwPolicePlugin *self)
{
}

G_MODULE_EXPORT GType ww_plugin_query_type (void);

G_MODULE_EXPORT GType
ww_plugin_query_type (void)
{
  return WW_TYPE_POLICE_PLUGIN;
}
