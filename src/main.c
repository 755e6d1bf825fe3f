/* main.c - the program: command line (cli/cli.c) -> TfaOptions -> engine ->
 * exit status.
 *
 * The only place that ends the process.  Exit statuses (tcpflow-audit(1)):
 *   0  every input read and every record written
 *   1  some input was damaged, missing or unreadable; every record of what
 *      could be read was still written
 *   2  usage: bad option, bad value, bad filter
 *   3  fatal: live capture or output failed
 *   4  the input was clean, but a connection had an anomaly at or above
 *      --fail-on (1 wins over 4: damaged input is reported first)
 *   5  reading files or stdin was interrupted by SIGINT/SIGTERM (the lowest
 *      non-zero status wins)
 */
#include "config.h"

#include "tcpflow-audit/capture.h"
#include "tcpflow-audit/cli.h"
#include "tcpflow-audit/codes.h"
#include "tcpflow-audit/engine.h"
#include "tcpflow-audit/extract.h"
#include "tcpflow-audit/merge.h"
#include "tcpflow-audit/message.h"
#include "tcpflow-audit/options.h"
#include "tcpflow-audit/report.h"

#include <errno.h>
#include <grp.h>
#include <locale.h>
#include <pcap/pcap.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum {
    EXIT_OK = 0,
    EXIT_DAMAGED = 1,
    EXIT_USAGE = 2,
    EXIT_FATAL = 3,
    EXIT_FAIL_ON = 4,
    EXIT_INTERRUPTED = 5,
};

/* The one mutable file-scope object: set by the signal handler only. */
static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    stop_flag = sig; /* the engine names it */
}

static void list_codes(void)
{
    for (unsigned i = 0; i < TFA_ANOMALY_N; i++)
        printf("%-36s %-8s %s\n", tfa_anomaly_name((TfaAnomalyCode)i),
               tfa_severity_name(tfa_anomaly_severity((TfaAnomalyCode)i)),
               tfa_anomaly_meaning((TfaAnomalyCode)i));
    for (unsigned i = 0; i < TFA_DIAG_N; i++)
        printf("%-36s %-8s %s\n", tfa_diag_name((TfaDiag)i), "counter",
               tfa_diag_meaning((TfaDiag)i));
}

/* Give up root after the capture handle is open, as tcpdump -Z does. */
static bool drop_privileges(const char *user, GError **error)
{
    struct passwd *pw = getpwnam(user);
    if (pw == NULL) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "-Z: no such user '%s'",
                    user);
        return false;
    }
    if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
        setuid(pw->pw_uid) != 0) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "-Z: cannot become '%s': %s", user, g_strerror(errno));
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    TfaOptions opts;
    g_autoptr(GError) error = NULL;
    int status = EXIT_OK;

    setlocale(LC_ALL, "");
    tfa_options_init(&opts);
    TfaCliAction action;
    if (!tfa_cli_parse(&argc, &argv, &opts, &action, &error)) {
        tfa_message_error("%s (try --help)", error->message);
        tfa_options_clear(&opts);
        return EXIT_USAGE;
    }
    if (action == TFA_CLI_VERSION) {
        printf("tcpflow-audit %s\n%s\n", PACKAGE_VERSION, pcap_lib_version());
        tfa_options_clear(&opts);
        return EXIT_OK;
    }
    if (action == TFA_CLI_LIST_CODES) {
        list_codes();
        tfa_options_clear(&opts);
        return EXIT_OK;
    }

    if (opts.merge) {
        if (!tfa_merge_run(&opts, stdout, &error)) {
            tfa_message_error("%s", error->message);
            status = EXIT_DAMAGED;
        } else {
            status = fflush(stdout) == 0 ? EXIT_OK : EXIT_FATAL;
        }
        tfa_options_clear(&opts);
        return status;
    }
    if (opts.format == TFA_FORMAT_AUTO)
        opts.format = isatty(STDOUT_FILENO) ? TFA_FORMAT_TEXT : TFA_FORMAT_JSONL;
    if (opts.color == TFA_COLOR_AUTO)
        opts.color = isatty(STDOUT_FILENO) && g_getenv("NO_COLOR") == NULL ? TFA_COLOR_ALWAYS
                                                                            : TFA_COLOR_NEVER;
    opts.progress = isatty(STDERR_FILENO);
    if (opts.extract_dir != NULL) { /* before reading starts */
        opts.extract_fd = tfa_extract_open_dir(opts.extract_dir, &error);
        if (opts.extract_fd < 0) {
            tfa_message_error("%s", error->message);
            tfa_options_clear(&opts);
            return EXIT_FATAL;
        }
    }

    TfaCapture *cap;
    if (opts.interface != NULL) {
        TfaCaptureLiveOptions live = {
            .device = opts.interface,
            .snaplen = opts.snaplen,
            .promisc = opts.promisc,
            .immediate = opts.immediate,
            .buffer_size = opts.buffer_size,
            .timeout_ms = TFA_DEFAULT_LIVE_TIMEOUT_MS,
        };
        cap = tfa_capture_new_live(&live, opts.filter, &error);
    } else {
        cap = tfa_capture_new_files((const char *const *)opts.files, opts.filter, &error);
    }
    if (cap == NULL) {
        bool usage = g_error_matches(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_FILTER);
        tfa_message_error("%s", error->message);
        tfa_options_clear(&opts);
        return usage ? EXIT_USAGE : EXIT_FATAL;
    }
    if (opts.write_file != NULL && !tfa_capture_dump_to(cap, opts.write_file, &error)) {
        tfa_message_error("%s", error->message);
        tfa_capture_free(cap);
        tfa_options_clear(&opts);
        return EXIT_FATAL;
    }
    if (opts.drop_user != NULL && !drop_privileges(opts.drop_user, &error)) {
        tfa_message_error("%s", error->message);
        tfa_capture_free(cap);
        tfa_options_clear(&opts);
        return EXIT_FATAL;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    TfaReporter *rep = tfa_reporter_new(opts.format, stdout, &opts);
    g_autoptr(TfaEngine) engine = tfa_engine_new(&opts, cap, rep);
    tfa_engine_set_stop_flag(engine, &stop_flag);
    switch (tfa_engine_run(engine, &error)) {
    case TFA_RUN_OK:
        status = EXIT_OK;
        break;
    case TFA_RUN_DAMAGED:
        status = EXIT_DAMAGED;
        break;
    case TFA_RUN_PIPE_CLOSED:
        status = EXIT_OK;
        break;
    case TFA_RUN_FAIL_ON:
        status = EXIT_FAIL_ON;
        break;
    case TFA_RUN_INTERRUPTED:
        status = EXIT_INTERRUPTED;
        break;
    case TFA_RUN_FAILED:
    default:
        tfa_message_error("%s", error != NULL ? error->message : "unknown failure");
        status = EXIT_FATAL;
        break;
    }
    g_clear_pointer(&engine, tfa_engine_free);
    tfa_options_clear(&opts);
    return status;
}
