/* ww-provider-page.h
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "wegwijzer.h"

G_BEGIN_DECLS

#define WW_TYPE_PROVIDER_PAGE (ww_provider_page_get_type ())
G_DECLARE_FINAL_TYPE (WwProviderPage, ww_provider_page, WW, PROVIDER_PAGE, GtkWidget)

void        ww_provider_page_set_provider (WwProviderPage *self,
                                           WwProvider     *provider,
                                           WwPluginEngine *engine);
void        ww_provider_page_set_can_book (WwProviderPage *self,
                                           gboolean        can_book);
WwProvider *ww_provider_page_get_provider (WwProviderPage *self);

G_END_DECLS
