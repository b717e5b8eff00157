/* ww-plugin.h: the base class every theme plugin derives from
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ww-descriptors.h"

G_BEGIN_DECLS

/* Bump when WwPluginClass or anything a plugin relies on changes
 * incompatibly; plugins live in plugins-<ABI> and declare AbiVersion. */
#define WW_PLUGIN_ABI_VERSION 1

#define WW_TYPE_PLUGIN (ww_plugin_get_type ())
G_DECLARE_DERIVABLE_TYPE (WwPlugin, ww_plugin, WW, PLUGIN, GObject)

typedef struct _WwDirectory WwDirectory;

/**
 * WwPluginClass:
 * @setup: loads what the plugin describes; may fail. The default reads
 *   `theme.json` below the class's resource path.
 * @get_categories: a #GListModel of #WwCategory, in display order.
 * @get_facets: the friendly-fact attribute keys this theme filters on.
 * @get_form_fields: a #GListModel of #WwFormField for a booking request.
 * @get_info_pages: a #GListModel of #WwInfoPage.
 * @open_providers: a stream of HSDS 3.0 service records (a JSON array)
 *   that seeds the directory; the default opens `providers.json` below
 *   the resource path.
 *
 * Every vfunc may be left %NULL by a subclass that has nothing to say,
 * and the defaults do what a data-only theme needs, so that most plugins
 * only set their resource path.
 */
struct _WwPluginClass
{
  GObjectClass parent_class;

  const char   *resource_path;

  gboolean      (*setup)           (WwPlugin      *self,
                                    GError       **error);
  GListModel   *(*get_categories)  (WwPlugin      *self);
  const char  *const *(*get_facets) (WwPlugin     *self);
  GListModel   *(*get_form_fields) (WwPlugin      *self);
  GListModel   *(*get_info_pages)  (WwPlugin      *self);
  GInputStream *(*open_providers)  (WwPlugin      *self,
                                    GError       **error);

  /*< private >*/
  gpointer padding[12];
};

/* What a plugin module exports. */
typedef GType (*WwPluginQueryTypeFunc) (void);
#define WW_PLUGIN_QUERY_TYPE_SYMBOL "ww_plugin_query_type"

void          ww_plugin_class_set_resource_path (WwPluginClass *klass,
                                                 const char    *resource_path);

const char   *ww_plugin_get_id               (WwPlugin     *self);
const char   *ww_plugin_get_name             (WwPlugin     *self);
const char   *ww_plugin_get_description      (WwPlugin     *self);
const char   *ww_plugin_get_icon_name        (WwPlugin     *self);
int           ww_plugin_get_order            (WwPlugin     *self);
gboolean      ww_plugin_setup                (WwPlugin     *self,
                                              GError      **error);
GListModel   *ww_plugin_get_categories       (WwPlugin     *self);
WwCategory   *ww_plugin_lookup_category      (WwPlugin     *self,
                                              const char   *category_id);
const char  *const *ww_plugin_get_facets     (WwPlugin     *self);
GListModel   *ww_plugin_get_form_fields      (WwPlugin     *self);
GListModel   *ww_plugin_get_info_pages       (WwPlugin     *self);
GInputStream *ww_plugin_open_providers       (WwPlugin     *self,
                                              GError      **error);
char         *ww_plugin_dup_providers_checksum (WwPlugin   *self,
                                                GError    **error);

G_END_DECLS
