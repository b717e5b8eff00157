/* ww-admin-private.h: what the subcommands of wegwijzer-admin share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <wegwijzer.h>

#include "ww-relay-store-sqlite.h"

G_BEGIN_DECLS

/* The exit status, as the top-level --help documents it. */
typedef enum {
  WW_ADMIN_EXIT_OK      = 0,
  WW_ADMIN_EXIT_FAILURE = 1,
  WW_ADMIN_EXIT_USAGE   = 2,
  WW_ADMIN_EXIT_DATA    = 3,
} WwAdminExit;

typedef struct
{
  char           *db_path;
  char           *db_description;
  gboolean        show_help;
  WwPluginEngine *engine;
  WwDirectory    *directory;
} WwAdmin;

typedef int (*WwAdminCommandFunc) (WwAdmin   *admin,
                                   int        argc,
                                   char     **argv);

void            ww_admin_printerr           (const char          *format,
                                             ...) G_GNUC_PRINTF (1, 2);

/* Parses the options of one command; --db and --help are added to
 * @entries. Returns FALSE when the command is done: *exit_status is then
 * 0 after --help and 2 after a usage error. */
gboolean        ww_admin_parse_options      (WwAdmin             *admin,
                                             const char          *command,
                                             const char          *parameter_string,
                                             const char          *summary,
                                             const char          *description,
                                             const GOptionEntry  *entries,
                                             int                 *argc,
                                             char              ***argv,
                                             int                 *exit_status);
/* for a usage error found after parsing: prints it and the --help hint */
int             ww_admin_usage_error        (const char          *command,
                                             const char          *format,
                                             ...) G_GNUC_PRINTF (2, 3);

WwPluginEngine *ww_admin_get_engine         (WwAdmin             *admin);
WwDirectory    *ww_admin_open_directory     (WwAdmin             *admin,
                                             GError             **error);

/* "care, finance, …": the loaded plugins, for messages */
char           *ww_admin_dup_theme_list     (WwAdmin             *admin);
char           *ww_admin_dup_category_list  (WwPlugin            *plugin);
/* the label of @category_id in @theme_id, falling back to the id */
const char     *ww_admin_get_category_label (WwAdmin             *admin,
                                             const char          *theme_id,
                                             const char          *category_id);

/* writes raw UTF-8 (JSON, NDJSON) to standard output */
GOutputStream  *ww_admin_open_stdout        (void);
GInputStream   *ww_admin_open_stdin         (void);

int             ww_admin_search             (WwAdmin  *admin,
                                             int       argc,
                                             char    **argv);
int             ww_admin_import             (WwAdmin  *admin,
                                             int       argc,
                                             char    **argv);
int             ww_admin_validate           (WwAdmin  *admin,
                                             int       argc,
                                             char    **argv);
int             ww_admin_export             (WwAdmin  *admin,
                                             int       argc,
                                             char    **argv);
int             ww_admin_plugins            (WwAdmin  *admin,
                                             int       argc,
                                             char    **argv);
/* plugins verify: checks the plugins in @paths (the --path folders), or
 * where the program looks when %NULL */
int             ww_admin_plugins_verify     (WwAdmin            *admin,
                                             const char *const  *paths,
                                             gboolean            json);
int             ww_admin_generate           (WwAdmin  *admin,
                                             int       argc,
                                             char    **argv);
/* the relay's store, for kiosk and provider; NULL with a message
 * printed. Without @create a missing file is an error. */
WwRelayStoreSqlite *ww_admin_open_relay_store (const char *relay_db,
                                               gboolean    create);
char           *ww_admin_format_time        (gint64               unix_seconds);
void            ww_admin_print_json         (JsonBuilder         *builder);
/* a member @name that is @value, or null for NULL */
void            ww_admin_json_add_string    (JsonBuilder         *builder,
                                             const char          *name,
                                             const char          *value);
char           *ww_admin_dup_json_string    (const char          *text);

int             ww_admin_provider           (WwAdmin  *admin,
                                             int       argc,
                                             char    **argv);
int             ww_admin_kiosk              (WwAdmin  *admin,
                                             int       argc,
                                             char    **argv);
int             ww_admin_sync               (WwAdmin  *admin,
                                             int       argc,
                                             char    **argv);

G_END_DECLS
