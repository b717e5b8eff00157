/* ww-plugin-media.c: the communication and media theme (communicatie en media): peer
 * and advocacy organisations, media guidance
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-plugin-media"

#include "config.h"

#include <gmodule.h>

#include "ww-plugin.h"

#define WW_TYPE_MEDIA_PLUGIN (ww_media_plugin_get_type ())
G_DECLARE_FINAL_TYPE (WwMediaPlugin, ww_media_plugin, WW, MEDIA_PLUGIN, WwPlugin)

struct _WwMediaPlugin
{
  WwPlugin parent_instance;
};

G_DEFINE_FINAL_TYPE (WwMediaPlugin, ww_media_plugin, WW_TYPE_PLUGIN)

static void
ww_media_plugin_class_init (WwMediaPluginClass *klass)
{
  /* The theme is data only: WwPlugin's defaults read theme.json and
   * providers.json from here. */
  ww_plugin_class_set_resource_path (WW_PLUGIN_CLASS (klass), "/nl/wegwijzer/plugins/media");
}

static void
ww_media_plugin_init (WwMediaPlugin *self)
{
}

G_MODULE_EXPORT GType ww_plugin_query_type (void);

G_MODULE_EXPORT GType
ww_plugin_query_type (void)
{
  return WW_TYPE_MEDIA_PLUGIN;
}
