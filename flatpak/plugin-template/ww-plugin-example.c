/* ww-plugin-example.c: a theme plugin of your own, to start from
 *
 * A theme that is data alone needs no more code than this: WwPlugin reads
 * theme.json (categories, filters, booking form, information pages) and
 * providers.json (the theme's HSDS listings) from the resource path.
 * Override WwPlugin's virtual methods only for what data cannot say.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-plugin-example"

#include <gmodule.h>

#include <ww-plugin.h>

#define WW_TYPE_EXAMPLE_PLUGIN (ww_example_plugin_get_type ())
G_DECLARE_FINAL_TYPE (WwExamplePlugin, ww_example_plugin, WW, EXAMPLE_PLUGIN, WwPlugin)

struct _WwExamplePlugin
{
  WwPlugin parent_instance;
};

G_DEFINE_FINAL_TYPE (WwExamplePlugin, ww_example_plugin, WW_TYPE_PLUGIN)

static void
ww_example_plugin_class_init (WwExamplePluginClass *klass)
{
  ww_plugin_class_set_resource_path (WW_PLUGIN_CLASS (klass), "/nl/wegwijzer/plugins/example");
}

static void
ww_example_plugin_init (WwExamplePlugin *self)
{
}

/* The one symbol the engine looks up. */
G_MODULE_EXPORT GType ww_plugin_query_type (void);

G_MODULE_EXPORT GType
ww_plugin_query_type (void)
{
  return WW_TYPE_EXAMPLE_PLUGIN;
}
