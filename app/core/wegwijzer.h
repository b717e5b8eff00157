/* wegwijzer.h: libwegwijzer, everything but the user interface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "ww-booking.h"
#include "ww-descriptors.h"
#include "ww-directory.h"
#include "ww-error.h"
#include "ww-generator.h"
#include "ww-hsds.h"
#include "ww-outbox.h"
#include "ww-plugin.h"
#include "ww-plugin-engine.h"
#include "ww-provider.h"
#include "ww-query.h"
#include "ww-relay-client.h"
#include "ww-search-results.h"
#include "ww-searcher.h"
#include "ww-signature.h"
#include "ww-text.h"
