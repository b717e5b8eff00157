/* ww-relay-store-sqlite.h: the relay's embedded SQLite store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ww-relay-store.h"

G_BEGIN_DECLS

#define WW_TYPE_RELAY_STORE_SQLITE (ww_relay_store_sqlite_get_type ())
G_DECLARE_FINAL_TYPE (WwRelayStoreSqlite, ww_relay_store_sqlite, WW, RELAY_STORE_SQLITE, GObject)

WwRelayStoreSqlite *ww_relay_store_sqlite_new (const char  *path,
                                               GError     **error);
void                ww_relay_store_sqlite_set_group_commit (WwRelayStoreSqlite *self,
                                                            gboolean            group_commit);

G_END_DECLS
