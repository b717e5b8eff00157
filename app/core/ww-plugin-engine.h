/* ww-plugin-engine.h: finds, checks and loads theme plugins
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ww-plugin.h"

G_BEGIN_DECLS

/* What the engine knows of one plugin, loaded or skipped. */
#define WW_TYPE_PLUGIN_INFO (ww_plugin_info_get_type ())
G_DECLARE_FINAL_TYPE (WwPluginInfo, ww_plugin_info, WW, PLUGIN_INFO, GObject)

const char   *ww_plugin_info_get_id          (WwPluginInfo *self);
const char   *ww_plugin_info_get_name        (WwPluginInfo *self);
const char   *ww_plugin_info_get_key_file    (WwPluginInfo *self);
const char   *ww_plugin_info_get_module_path (WwPluginInfo *self);
int           ww_plugin_info_get_abi_version (WwPluginInfo *self);
/* the plugin, or NULL when it was skipped */
WwPlugin     *ww_plugin_info_get_plugin      (WwPluginInfo *self);
/* why it was skipped, or NULL when it loaded */
const GError *ww_plugin_info_get_error       (WwPluginInfo *self);

#define WW_TYPE_PLUGIN_ENGINE (ww_plugin_engine_get_type ())
G_DECLARE_FINAL_TYPE (WwPluginEngine, ww_plugin_engine, WW, PLUGIN_ENGINE, GObject)

WwPluginEngine *ww_plugin_engine_new              (void);
/* Directories searched, in order; set before ww_plugin_engine_load(). The
 * default is WEGWIJZER_PLUGIN_PATH, then the build tree when
 * WEGWIJZER_UNINSTALLED is set, then the install directory, then the
 * Flatpak extension folders. */
void            ww_plugin_engine_set_search_path  (WwPluginEngine     *self,
                                                   const char *const  *directories);
const char *const *ww_plugin_engine_get_search_path (WwPluginEngine   *self);
/* Loads every plugin it finds; a broken one is skipped with one warning. */
void            ww_plugin_engine_load             (WwPluginEngine     *self);
/* the loaded plugins (WwPlugin), by Order then id */
GListModel     *ww_plugin_engine_get_plugins      (WwPluginEngine     *self);
/* every plugin found (WwPluginInfo), loaded or skipped */
GListModel     *ww_plugin_engine_get_infos        (WwPluginEngine     *self);
WwPlugin       *ww_plugin_engine_lookup           (WwPluginEngine     *self,
                                                   const char         *id);

char          **ww_plugin_engine_dup_default_search_path (void);
char          **ww_plugin_engine_dup_flatpak_search_path (const char *mount);

G_END_DECLS
