/* cli.h - the command line (tcpflow-audit(1) OPTIONS) into TfaOptions.
 *
 * Parsing only: main.c acts on the result (prints the version or the code
 * list, opens the capture, runs the engine, chooses the exit status).  The
 * defaults --help prints are the TFA_DEFAULT_* constants of options.h.
 * Owns nothing after it returns; @opts owns what it was given
 * (tfa_options_clear() frees it).
 */
#pragma once

#include <glib.h>

#include "tcpflow-audit/options.h"

typedef enum TfaCliAction {
    TFA_CLI_RUN = 0,    /* analyse (or --merge) with the options parsed */
    TFA_CLI_VERSION,    /* --version: print the version, exit 0 */
    TFA_CLI_LIST_CODES, /* --list-codes: list the codes, exit 0 */
} TfaCliAction;

/* Parse @argv into @opts, which tfa_options_init() filled; on TFA_CLI_RUN
 * every value is checked and the format-dependent defaults applied
 * (--ladder, -f html's --max-details).  --help prints the help and exits
 * the process (GOption).  FALSE with @error on a usage error (exit status
 * 2); @opts then holds what was parsed before it. */
gboolean tfa_cli_parse(int *argc, char ***argv, TfaOptions *opts, TfaCliAction *action,
                       GError **error);

/* What --help prints (the program name as g_get_prgname() gives it); free
 * with g_free(). */
char *tfa_cli_help(void);
