/* ww-hsds.h: Open Referral HSDS 3.0 service records ⇄ WwProvider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "ww-provider.h"

G_BEGIN_DECLS

#define WW_TAXONOMY_THEME    "wegwijzer-theme"
#define WW_TAXONOMY_CATEGORY "wegwijzer-category"
#define WW_TAXONOMY_FACTS    "wegwijzer"
#define WW_ATTRIBUTE_SAMPLE  "sample-data"

/* Reads a JSON array of service objects, or NDJSON (one per line).
 * @default_theme is used for records that name no theme (may be NULL).
 * Fails on the first bad record, naming its number (from 1) and field:
 * "record 3: service_at_locations[0].location.latitude: must be a number". */
GPtrArray  *ww_hsds_parse_bytes     (GBytes       *bytes,
                                     const char   *default_theme,
                                     GError      **error);
GPtrArray  *ww_hsds_parse_stream    (GInputStream *stream,
                                     const char   *default_theme,
                                     GCancellable *cancellable,
                                     GError      **error);
GPtrArray  *ww_hsds_parse_file      (GFile        *file,
                                     const char   *default_theme,
                                     GCancellable *cancellable,
                                     GError      **error);
WwProvider *ww_hsds_provider_from_json (JsonNode  *node,
                                        const char *default_theme,
                                        GError   **error);
JsonNode   *ww_hsds_provider_to_json (WwProvider  *provider);
/* one line of NDJSON, without the newline */
char       *ww_hsds_provider_to_ndjson (WwProvider *provider);

G_END_DECLS
