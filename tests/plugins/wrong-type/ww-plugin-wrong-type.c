/* ww-plugin-wrong-type.c: a module whose entry point returns a type that is
 * not a WwPlugin
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ww-plugin-wrong-type"

#include "config.h"

#include <glib-object.h>
#include <gmodule.h>

#define WW_TYPE_TEST_NOT_A_PLUGIN (ww_test_not_a_plugin_get_type ())
G_DECLARE_FINAL_TYPE (WwTestNotAPlugin, ww_test_not_a_plugin, WW, TEST_NOT_A_PLUGIN, GObject)

struct _WwTestNotAPlugin
{
  GObject parent_instance;
};

G_DEFINE_FINAL_TYPE (WwTestNotAPlugin, ww_test_not_a_plugin, G_TYPE_OBJECT)

static void
ww_test_not_a_plugin_class_init (WwTestNotAPluginClass *klass)
{
}

static void
ww_test_not_a_plugin_init (WwTestNotAPlugin *self)
{
}

G_MODULE_EXPORT GType ww_plugin_query_type (void);

G_MODULE_EXPORT GType
ww_plugin_query_type (void)
{
  return WW_TYPE_TEST_NOT_A_PLUGIN;
}
