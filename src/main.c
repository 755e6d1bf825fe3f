/* main.c - the command line: options -> TfaOptions -> engine -> exit status.
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
#include <sys/stat.h>
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

/* Parsed command-line values before they are checked into TfaOptions. */
typedef struct Cli {
    char **read_files;
    char *interface;
    char *filter;
    char *format;
    char *color;
    gint64 count;
    char *duration;
    char *write_file;
    char *user;
    gint snaplen;
    gboolean no_promisc;
    gboolean immediate;
    gint buffer_kib;
    char *idle_timeout;
    char *close_linger;
    char *msl;
    gint64 max_conns;
    gint64 max_anomalies;
    gint64 max_details;
    gint64 max_buffer_bytes;
    gint64 max_buffer_per_dir;
    gint64 max_frag_bytes;
    char *frag_timeout;
    char *extract;
    gint64 extract_max_bytes, extract_max_total;
    char *extract_fill;
    gboolean verify_checksums;
    char *stuck_after;
    char *rst_idle;
    gint64 rst_storm, leak_threshold, pileup_threshold, flood_threshold, scan_threshold,
        refusing_threshold;
    gboolean only_anomalous;
    char *codes;
    char *min_severity;
    char *fail_on;
    gboolean ladder;
    gint64 ladder_rows;
    char **conn_ids;
    char *at;
    char *shard;
    gboolean merge;
    gboolean list_codes;
    gboolean version;
    char **rest;
} Cli;

static void cli_clear(Cli *c)
{
    g_strfreev(c->read_files);
    g_free(c->interface);
    g_free(c->filter);
    g_free(c->format);
    g_free(c->color);
    g_free(c->duration);
    g_free(c->write_file);
    g_free(c->user);
    g_free(c->idle_timeout);
    g_free(c->close_linger);
    g_free(c->msl);
    g_free(c->frag_timeout);
    g_free(c->extract);
    g_free(c->extract_fill);
    g_strfreev(c->conn_ids);
    g_free(c->codes);
    g_free(c->min_severity);
    g_free(c->fail_on);
    g_free(c->stuck_after);
    g_free(c->rst_idle);
    g_free(c->at);
    g_free(c->shard);
    g_strfreev(c->rest);
}

/* Seconds (decimal fraction allowed) to nanoseconds; false when not a
 * non-negative number below ten years. */
static bool parse_seconds(const char *s, TfaDuration *out)
{
    char *end = NULL;
    errno = 0;
    double v = g_ascii_strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !(v >= 0.0) || v > 315360000.0)
        return false;
    *out = (TfaDuration)(v * 1e9 + 0.5);
    return true;
}

/* "SECONDS[.FRACTION]" to nanoseconds, exactly (no floating point). */
static bool parse_exact_seconds(const char *s, TfaTs *out)
{
    const char *dot = strchr(s, '.');
    g_autofree char *whole = g_strndup(s, dot != NULL ? (gsize)(dot - s) : strlen(s));
    guint64 secs = 0, frac = 0;
    if (whole[0] == '\0' ||
        !g_ascii_string_to_unsigned(whole, 10, 0, G_MAXINT64 / TFA_NSEC_PER_SEC - 1, &secs, NULL))
        return false;
    if (dot != NULL) {
        const char *f = dot + 1;
        size_t n = strlen(f);
        if (n == 0 || n > 9 || !g_ascii_string_to_unsigned(f, 10, 0, 999999999, &frac, NULL))
            return false;
        for (size_t k = n; k < 9; k++)
            frac *= 10;
    }
    *out = (TfaTs)secs * TFA_NSEC_PER_SEC + (TfaTs)frac;
    return true;
}

/* --at: "+SECONDS" from the first frame, epoch seconds, or ISO 8601. */
static bool parse_at(const char *s, TfaOptions *o)
{
    if (s[0] == '+') {
        o->at_relative = true;
        return parse_exact_seconds(s + 1, &o->at);
    }
    o->at_relative = false;
    if (parse_exact_seconds(s, &o->at))
        return true;
    g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
    g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(s, utc);
    if (dt == NULL)
        return false;
    o->at = g_date_time_to_unix(dt) * TFA_NSEC_PER_SEC +
            (TfaTs)g_date_time_get_microsecond(dt) * TFA_NSEC_PER_USEC;
    return true;
}

/* --conn 3 --conn 5,7 */
static bool parse_conn_ids(char **args, TfaOptions *o)
{
    o->conn_ids = g_array_new(FALSE, FALSE, sizeof(guint64));
    for (guint i = 0; args[i] != NULL; i++) {
        g_auto(GStrv) parts = g_strsplit(args[i], ",", -1);
        for (guint k = 0; parts[k] != NULL; k++) {
            guint64 id;
            if (!g_ascii_string_to_unsigned(g_strstrip(parts[k]), 10, 1, G_MAXUINT64, &id, NULL))
                return false;
            g_array_append_val(o->conn_ids, id);
        }
    }
    return true;
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

/* A name that can only be meant as a capture file. */
static bool looks_like_file(const char *arg)
{
    if (strchr(arg, ' ') != NULL)
        return false;
    return strchr(arg, '/') != NULL || g_str_has_suffix(arg, ".pcap") ||
           g_str_has_suffix(arg, ".pcapng") || g_str_has_suffix(arg, ".cap") ||
           g_str_has_suffix(arg, ".dmp");
}

static bool is_readable_input(const char *arg)
{
    struct stat st;
    return strcmp(arg, "-") == 0 || (stat(arg, &st) == 0 && !S_ISDIR(st.st_mode));
}

/* Split the positional arguments: leading capture files, then an optional
 * filter expression (like tcpdump's, which may span several arguments). */
static bool split_positionals(Cli *cli, TfaOptions *o, GError **error)
{
    g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
    guint n_rest = cli->rest != NULL ? g_strv_length(cli->rest) : 0;
    guint i = 0;

    for (guint k = 0; cli->read_files != NULL && cli->read_files[k] != NULL; k++)
        g_ptr_array_add(files, g_strdup(cli->read_files[k]));
    /* with -r or -i, every positional argument is filter, as in tcpdump */
    if (files->len == 0 && cli->interface == NULL) {
        for (; i < n_rest; i++) {
            const char *a = cli->rest[i];
            if (is_readable_input(a)) {
                g_ptr_array_add(files, g_strdup(a));
                continue;
            }
            if (looks_like_file(a) || (files->len == 0 && i + 1 == n_rest && cli->filter == NULL)) {
                /* a missing capture file is an input problem, reported later */
                g_ptr_array_add(files, g_strdup(a));
                continue;
            }
            break;
        }
    }
    if (i < n_rest) {
        if (cli->filter != NULL) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "a filter was given with --filter and as arguments ('%s')", cli->rest[i]);
            return false;
        }
        o->filter = g_strjoinv(" ", cli->rest + i);
    } else if (cli->filter != NULL) {
        o->filter = g_strdup(cli->filter);
    }
    if (files->len == 0 && cli->interface == NULL) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "no input: name capture files (or '-' for stdin) or a live interface with -i");
        return false;
    }
    if (files->len > 0 && cli->interface != NULL) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "read files or capture live with -i, not both");
        return false;
    }
    g_ptr_array_add(files, NULL);
    o->files = (char **)g_ptr_array_steal(files, NULL);
    if (o->files[0] == NULL) {
        g_free(o->files);
        o->files = NULL;
    }
    o->interface = g_strdup(cli->interface);
    return true;
}

static bool check_options(Cli *cli, TfaOptions *o, GError **error)
{
    if (cli->format != NULL) {
        if (strcmp(cli->format, "text") == 0)
            o->format = TFA_FORMAT_TEXT;
        else if (strcmp(cli->format, "jsonl") == 0 || strcmp(cli->format, "json") == 0)
            o->format = TFA_FORMAT_JSONL;
        else if (strcmp(cli->format, "csv") == 0)
            o->format = TFA_FORMAT_CSV;
        else if (strcmp(cli->format, "html") == 0)
            o->format = TFA_FORMAT_HTML;
        else {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "unknown format '%s' (text, jsonl, csv or html)", cli->format);
            return false;
        }
    }
    if (cli->color != NULL) {
        if (strcmp(cli->color, "auto") == 0)
            o->color = TFA_COLOR_AUTO;
        else if (strcmp(cli->color, "always") == 0)
            o->color = TFA_COLOR_ALWAYS;
        else if (strcmp(cli->color, "never") == 0)
            o->color = TFA_COLOR_NEVER;
        else {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "unknown --color value '%s' (auto, always or never)", cli->color);
            return false;
        }
    }
    struct {
        const char *name;
        const char *value;
        TfaDuration *dest;
        bool positive;
    } durations[] = {
        {"--idle-timeout", cli->idle_timeout, &o->idle_timeout, true},
        {"--close-linger", cli->close_linger, &o->close_linger, false},
        {"--msl", cli->msl, &o->msl, false},
        {"--duration", cli->duration, &o->duration, true},
        {"--stuck-after", cli->stuck_after, &o->stuck_after, true},
        {"--rst-idle", cli->rst_idle, &o->rst_idle, true},
        {"--frag-timeout", cli->frag_timeout, &o->frag_timeout, true},
    };
    for (size_t k = 0; k < G_N_ELEMENTS(durations); k++) {
        if (durations[k].value == NULL)
            continue;
        if (!parse_seconds(durations[k].value, durations[k].dest) ||
            (durations[k].positive && *durations[k].dest == 0)) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "%s takes a number of seconds%s, not '%s'", durations[k].name,
                        durations[k].positive ? " above 0" : "", durations[k].value);
            return false;
        }
    }
    if (cli->max_conns != 0) {
        if (cli->max_conns < 1 || cli->max_conns > G_MAXUINT32) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--max-connections takes a number from 1 to %u", G_MAXUINT32);
            return false;
        }
        o->max_conns = (guint)cli->max_conns;
    }
    struct {
        const char *name;
        gint64 value;
        guint *dest;
    } counts[] = {
        {"--rst-storm", cli->rst_storm, &o->rst_storm},
        {"--leak-threshold", cli->leak_threshold, &o->leak_threshold},
        {"--pileup-threshold", cli->pileup_threshold, &o->pileup_threshold},
        {"--flood-threshold", cli->flood_threshold, &o->flood_threshold},
        {"--scan-threshold", cli->scan_threshold, &o->scan_threshold},
        {"--refusing-threshold", cli->refusing_threshold, &o->refusing_threshold},
    };
    for (size_t k = 0; k < G_N_ELEMENTS(counts); k++) {
        if (counts[k].value == -1)
            continue; /* not given */
        if (counts[k].value < 1 || counts[k].value > 1000000) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "%s takes a number from 1 to 1000000", counts[k].name);
            return false;
        }
        *counts[k].dest = (guint)counts[k].value;
    }
    if (cli->max_buffer_bytes != -1) {
        if (cli->max_buffer_bytes < 0) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--max-buffer-bytes takes a number of bytes");
            return false;
        }
        o->max_buffer_bytes = (guint64)cli->max_buffer_bytes;
    }
    if (cli->max_frag_bytes != G_MININT64) {
        if (cli->max_frag_bytes < 0 || cli->max_frag_bytes > G_GINT64_CONSTANT(1) << 30) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--max-frag-bytes takes a number of bytes up to 1073741824");
            return false;
        }
        o->max_frag_bytes = (guint64)cli->max_frag_bytes;
    }
    if (cli->max_buffer_per_dir != -1) {
        if (cli->max_buffer_per_dir < 0 || cli->max_buffer_per_dir > 16 * 1024 * 1024) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--max-buffer-per-direction takes a number of bytes up to 16777216");
            return false;
        }
        o->max_buffer_per_dir = (guint)cli->max_buffer_per_dir;
    }
    if (cli->max_anomalies < 0 || cli->max_anomalies > G_MAXUINT16) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--max-anomalies takes a number from 0 to %u", G_MAXUINT16);
        return false;
    }
    if (cli->max_anomalies > 0)
        o->max_anomalies_per_conn = (guint)cli->max_anomalies;
    if (cli->max_details != -1) {
        if (cli->max_details < 0 || cli->max_details > 1000000) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--max-details takes a number from 0 to 1000000");
            return false;
        }
        o->max_details = (guint)cli->max_details;
    }
    if (cli->count < 0) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "-c takes a positive number");
        return false;
    }
    o->max_packets = (guint64)cli->count;
    if (cli->snaplen != 0) {
        if (cli->snaplen < 64 || cli->snaplen > TFA_DEFAULT_SNAPLEN) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--snaplen takes a number from 64 to %d", TFA_DEFAULT_SNAPLEN);
            return false;
        }
        o->snaplen = cli->snaplen;
    }
    if (cli->buffer_kib < 0) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--buffer-size takes a number of KiB");
        return false;
    }
    o->buffer_size = cli->buffer_kib * 1024;
    o->promisc = !cli->no_promisc;
    o->immediate = cli->immediate;
    o->verify_checksums = cli->verify_checksums;
    o->only_anomalous = cli->only_anomalous;
    if (cli->codes != NULL) {
        g_auto(GStrv) parts = g_strsplit(cli->codes, ",", -1);
        for (guint k = 0; parts[k] != NULL; k++) {
            int code = tfa_anomaly_from_name(g_strstrip(parts[k]));
            if (code < 0) {
                g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                            "--code: no anomaly code '%s' (see --list-codes)", parts[k]);
                return false;
            }
            o->code_mask[code / 64] |= UINT64_C(1) << (code % 64);
        }
        o->code_set = true;
    }
    struct {
        const char *name;
        const char *value;
        int *dest;
    } levels[] = {
        {"--min-severity", cli->min_severity, &o->min_severity},
        {"--fail-on", cli->fail_on, &o->fail_on},
    };
    for (size_t k = 0; k < G_N_ELEMENTS(levels); k++) {
        if (levels[k].value == NULL)
            continue;
        *levels[k].dest = tfa_severity_from_name(levels[k].value);
        if (*levels[k].dest < 0) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "%s takes info, notice, warning or error, not '%s'", levels[k].name,
                        levels[k].value);
            return false;
        }
    }
    o->ladder = cli->ladder;
    if (cli->ladder_rows < 0 || cli->ladder_rows > G_MAXUINT32) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--ladder-rows takes a number from 1 to %u", G_MAXUINT32);
        return false;
    }
    if (cli->ladder_rows > 0)
        o->ladder_rows = (guint)cli->ladder_rows;
    if (cli->conn_ids != NULL && !parse_conn_ids(cli->conn_ids, o)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "--conn takes connection ids (1, 2, ...), comma-separated or repeated");
        return false;
    }
    if (cli->at != NULL) {
        o->at_set = true;
        if (!parse_at(cli->at, o)) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--at takes +SECONDS (from the first frame), epoch seconds or an ISO 8601 "
                        "time, not '%s'",
                        cli->at);
            return false;
        }
    }
    if (cli->shard != NULL) {
        g_auto(GStrv) kn = g_strsplit(cli->shard, "/", -1);
        guint64 k = 0, n = 0;
        if (g_strv_length(kn) != 2 ||
            !g_ascii_string_to_unsigned(kn[1], 10, 1, 65536, &n, NULL) ||
            !g_ascii_string_to_unsigned(kn[0], 10, 1, n, &k, NULL)) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--shard takes K/N with 1 <= K <= N <= 65536, not '%s'", cli->shard);
            return false;
        }
        o->shard_k = (guint)k;
        o->shard_n = (guint)n;
        /* the merge renumbers every connection, so each shard writes them all */
        if (o->conn_ids != NULL || o->only_anomalous || o->code_set || o->min_severity >= 0 ||
            o->at_set || o->ladder ||
            (o->format != TFA_FORMAT_AUTO && o->format != TFA_FORMAT_JSONL)) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                        "--shard writes every connection as JSON Lines for --merge: not with "
                        "--conn, --only-anomalous, --code, --min-severity, --at, --ladder or "
                        "another --format");
            return false;
        }
        o->format = TFA_FORMAT_JSONL;
    }
    o->merge = cli->merge;
    if (o->merge && (o->shard_n != 0 || cli->interface != NULL)) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "--merge reads the JSON Lines files of shard runs: not with --shard or -i");
        return false;
    }
    if (o->ladder && o->at_set) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "--ladder and --at do not mix");
        return false;
    }
    o->extract_dir = g_strdup(cli->extract);
    if (cli->extract_max_bytes != -1) {
        if (cli->extract_max_bytes < 1) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--extract-max-bytes takes a positive number of bytes");
            return false;
        }
        o->extract_max_bytes = (guint64)cli->extract_max_bytes;
    }
    if (cli->extract_max_total != -1) {
        if (cli->extract_max_total < 1) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--extract-max-total takes a positive number of bytes");
            return false;
        }
        o->extract_max_total = (guint64)cli->extract_max_total;
    }
    if (cli->extract_fill != NULL) {
        char *end = NULL;
        errno = 0;
        guint64 v = g_ascii_strtoull(cli->extract_fill, &end, 0);
        if (errno != 0 || end == cli->extract_fill || *end != '\0' || v > 255) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "--extract-fill takes a byte value from 0 to 255 (or 0x00 to 0xff)");
            return false;
        }
        o->extract_fill = (int)v;
    }
    if ((cli->extract_max_bytes != -1 || cli->extract_max_total != -1 ||
         cli->extract_fill != NULL) && cli->extract == NULL) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "--extract-max-bytes, --extract-max-total and --extract-fill need --extract");
        return false;
    }
    o->write_file = g_strdup(cli->write_file);
    o->drop_user = g_strdup(cli->user);
    if ((o->write_file != NULL || o->drop_user != NULL || o->duration != 0) &&
        cli->interface == NULL) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "-w, -Z and --duration apply to live capture (-i) only");
        return false;
    }
    if (!split_positionals(cli, o, error))
        return false;
    if (o->merge && (o->filter != NULL || o->at_set || o->ladder || o->conn_ids != NULL ||
                     (o->format != TFA_FORMAT_AUTO && o->format != TFA_FORMAT_JSONL))) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "--merge writes JSON Lines from the files named: no filter expression, "
                    "--at, --ladder, --conn or other --format");
        return false;
    }
    return true;
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

static const char *summary_text =
    "Rebuild every TCP connection in pcap/pcapng captures (or a live interface),\n"
    "replay each through an RFC 9293 state machine for both endpoints, and report\n"
    "per connection what went wrong, with frame numbers as evidence.\n"
    "\n"
    "FILE... are read as one continuous capture in the order given ('-' = stdin);\n"
    "a BPF filter EXPRESSION may follow them.  Pipes and FIFOs are read once;\n"
    "gzip, zstd, xz and lz4 files are decompressed as they are read.";

static const char *description_text =
    "Exit status: 0 all input read; 1 some input damaged or unreadable (every record\n"
    "of what was read is still written); 2 usage error; 3 fatal capture or output error;\n"
    "4 a connection reached --fail-on; 5 interrupted by a signal before every input was read.\n"
    "\n"
    "Examples:\n"
    "  tcpflow-audit capture.pcap\n"
    "  tcpflow-audit --format jsonl trace-0.pcap trace-1.pcap 'port 443' | jq .\n"
    "  tcpflow-audit -i eth0 --format jsonl 'tcp port 8080'\n"
    "  tcpflow-audit -f html capture.pcap > report.html\n"
    "\n"
    "See tcpflow-audit(1) and tcpflow-audit-records(5).";

int main(int argc, char **argv)
{
    Cli cli = {.max_details = -1};
    TfaOptions opts;
    g_autoptr(GError) error = NULL;
    int status = EXIT_OK;

    setlocale(LC_ALL, "");
    tfa_options_init(&opts);
    /* -1: not given on the command line */
    cli.rst_storm = cli.leak_threshold = cli.pileup_threshold = cli.flood_threshold = -1;
    cli.scan_threshold = cli.refusing_threshold = -1;
    cli.max_buffer_bytes = cli.max_buffer_per_dir = -1;
    cli.max_frag_bytes = G_MININT64; /* so that -1 is refused */
    cli.extract_max_bytes = cli.extract_max_total = -1;

    GOptionEntry entries[] = {
        {"read", 'r', 0, G_OPTION_ARG_FILENAME_ARRAY, &cli.read_files,
         "Read capture FILE (pcap or pcapng; '-' = stdin); may be repeated", "FILE"},
        {"interface", 'i', 0, G_OPTION_ARG_STRING, &cli.interface,
         "Capture live on IFACE ('any' for all)", "IFACE"},
        {"filter", 0, 0, G_OPTION_ARG_STRING, &cli.filter,
         "BPF filter expression (or give it after the files)", "EXPR"},
        {"format", 'f', 0, G_OPTION_ARG_STRING, &cli.format,
         "Output format: text, jsonl, csv or html (one self-contained page with graphs, "
         "written at the end; default: text on a terminal, jsonl otherwise)",
         "FORMAT"},
        {"color", 0, 0, G_OPTION_ARG_STRING, &cli.color,
         "Colour text output: auto, always or never (default auto)", "WHEN"},
        {"count", 'c', 0, G_OPTION_ARG_INT64, &cli.count, "Stop after N frames", "N"},
        {"duration", 0, 0, G_OPTION_ARG_STRING, &cli.duration,
         "Live: stop after SECONDS", "SECONDS"},
        {"write", 'w', 0, G_OPTION_ARG_FILENAME, &cli.write_file,
         "Live: also write the captured packets to FILE (pcap)", "FILE"},
        {"relinquish-privileges", 'Z', 0, G_OPTION_ARG_STRING, &cli.user,
         "Live: drop root privileges to USER once the capture is open", "USER"},
        {"snaplen", 's', 0, G_OPTION_ARG_INT, &cli.snaplen,
         "Live: bytes to capture per packet (default 262144)", "N"},
        {"no-promisc", 0, 0, G_OPTION_ARG_NONE, &cli.no_promisc,
         "Live: do not put the interface in promiscuous mode", NULL},
        {"immediate", 0, 0, G_OPTION_ARG_NONE, &cli.immediate,
         "Live: hand packets over within 5 ms instead of in batches of up to 200 ms", NULL},
        {"buffer-size", 'B', 0, G_OPTION_ARG_INT, &cli.buffer_kib,
         "Live: kernel capture buffer in KiB (default: libpcap's)", "KIB"},
        {"idle-timeout", 0, 0, G_OPTION_ARG_STRING, &cli.idle_timeout,
         "Report a connection idle this long in capture time (default 300)", "SECONDS"},
        {"close-linger", 0, 0, G_OPTION_ARG_STRING, &cli.close_linger,
         "Report a closed connection after this much quiet capture time (default 3)",
         "SECONDS"},
        {"msl", 0, 0, G_OPTION_ARG_STRING, &cli.msl,
         "Maximum segment lifetime; TIME_WAIT lasts 2*MSL (default 30)", "SECONDS"},
        {"max-connections", 0, 0, G_OPTION_ARG_INT64, &cli.max_conns,
         "Track at most N connections at once; the least recently active is evicted "
         "(default 25000)",
         "N"},
        {"max-anomalies", 0, 0, G_OPTION_ARG_INT64, &cli.max_anomalies,
         "Keep at most N anomalies per connection; counts stay exact (default 256)", "N"},
        {"max-details", 0, 0, G_OPTION_ARG_INT64, &cli.max_details,
         "Text report: explain at most N anomalous connections in detail (default 100); "
         "html: draw at most N (default 25)", "N"},
        {"stuck-after", 0, 0, G_OPTION_ARG_STRING, &cli.stuck_after,
         "An endpoint quiet this long in CLOSE_WAIT or FIN_WAIT_2 is stuck (default 5)",
         "SECONDS"},
        {"rst-idle", 0, 0, G_OPTION_ARG_STRING, &cli.rst_idle,
         "An RST after this much silence is blamed on the idle time (default 30)", "SECONDS"},
        {"rst-storm", 0, 0, G_OPTION_ARG_INT64, &cli.rst_storm,
         "This many RSTs on one connection are a storm (default 10)", "N"},
        {"leak-threshold", 0, 0, G_OPTION_ARG_INT64, &cli.leak_threshold,
         "Connections left in CLOSE_WAIT on a service that make a leak (default 5)", "N"},
        {"pileup-threshold", 0, 0, G_OPTION_ARG_INT64, &cli.pileup_threshold,
         "Server-side TIME_WAIT on a service that make a pile-up (default 50)", "N"},
        {"flood-threshold", 0, 0, G_OPTION_ARG_INT64, &cli.flood_threshold,
         "Distinct sources of half-open handshakes that make a SYN flood (default 10)", "N"},
        {"scan-threshold", 0, 0, G_OPTION_ARG_INT64, &cli.scan_threshold,
         "Distinct ports one host failed to reach that make a scan (default 10)", "N"},
        {"refusing-threshold", 0, 0, G_OPTION_ARG_INT64, &cli.refusing_threshold,
         "Refused SYNs, none accepted, that make a refusing service (default 3)", "N"},
        {"only-anomalous", 0, 0, G_OPTION_ARG_NONE, &cli.only_anomalous,
         "Report only connections with an anomaly of severity notice or worse", NULL},
        {"code", 0, 0, G_OPTION_ARG_STRING, &cli.codes,
         "Report only connections with one of these anomaly codes (comma-separated)", "CODE"},
        {"min-severity", 0, 0, G_OPTION_ARG_STRING, &cli.min_severity,
         "Report only connections with an anomaly of at least LEVEL (info, notice, warning, "
         "error)",
         "LEVEL"},
        {"fail-on", 0, 0, G_OPTION_ARG_STRING, &cli.fail_on,
         "Exit with status 4 when any connection has an anomaly of at least LEVEL", "LEVEL"},
        {"ladder", 0, 0, G_OPTION_ARG_NONE, &cli.ladder,
         "Draw each connection's ladder diagram (states | segments | states) instead of records",
         NULL},
        {"ladder-rows", 0, 0, G_OPTION_ARG_INT64, &cli.ladder_rows,
         "Draw at most N segments per connection (default 10000)", "N"},
        {"conn", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cli.conn_ids,
         "Report only the connections with these ids (comma-separated, or repeat the option)",
         "ID"},
        {"at", 0, 0, G_OPTION_ARG_STRING, &cli.at,
         "Show every endpoint's state at capture time TIME (+SECONDS from the first frame, epoch "
         "seconds, or ISO 8601), as netstat -nat would have, instead of records",
         "TIME"},
        {"max-buffer-bytes", 0, 0, G_OPTION_ARG_INT64, &cli.max_buffer_bytes,
         "Keep at most N bytes of unacknowledged payload, all connections together, to compare "
         "retransmissions with the original (default 33554432)",
         "N"},
        {"max-buffer-per-direction", 0, 0, G_OPTION_ARG_INT64, &cli.max_buffer_per_dir,
         "... and at most N bytes per direction of a connection, rounded down to a power of two; "
         "0 keeps none (default 16384)",
         "N"},
        {"max-frag-bytes", 0, 0, G_OPTION_ARG_INT64, &cli.max_frag_bytes,
         "Hold at most N bytes of IP fragments for reassembly, in 2 KiB chunks; 0 reassembles "
         "nothing (default 4194304)",
         "N"},
        {"frag-timeout", 0, 0, G_OPTION_ARG_STRING, &cli.frag_timeout,
         "Give up a fragmented IP datagram not complete this long after its first fragment, in "
         "capture time (default 30)",
         "SECONDS"},
        {"extract", 0, 0, G_OPTION_ARG_FILENAME, &cli.extract,
         "Write each reported connection's two byte streams, as the receiver's TCP delivered "
         "them, into files in DIR (which must exist) as the connection ends; the JSON record's "
         "\"streams\" tells their holes and differing retransmissions",
         "DIR"},
        {"extract-max-bytes", 0, 0, G_OPTION_ARG_INT64, &cli.extract_max_bytes,
         "Keep at most N bytes of each direction's stream (default 67108864)", "N"},
        {"extract-max-total", 0, 0, G_OPTION_ARG_INT64, &cli.extract_max_total,
         "... and at most N bytes of streams held at once, all connections together (default "
         "1073741824)",
         "N"},
        {"extract-fill", 0, 0, G_OPTION_ARG_STRING, &cli.extract_fill,
         "Fill the holes of the streams (bytes never captured) with byte B (0-255 or 0xNN) "
         "instead of leaving them out",
         "B"},
        {"verify-checksums", 0, 0, G_OPTION_ARG_NONE, &cli.verify_checksums,
         "Check TCP checksums (off by default: offloading leaves them unset)", NULL},
        {"shard", 0, 0, G_OPTION_ARG_STRING, &cli.shard,
         "Analyse only the connections of flow-hash shard K of N (1 <= K <= N), writing JSON "
         "Lines for --merge; every shard reads all the input",
         "K/N"},
        {"merge", 0, 0, G_OPTION_ARG_NONE, &cli.merge,
         "Merge the JSON Lines files of the N --shard runs named as arguments into one run's "
         "output",
         NULL},
        {"list-codes", 0, 0, G_OPTION_ARG_NONE, &cli.list_codes,
         "List every anomaly code and diagnostic, then exit", NULL},
        {"version", 'V', 0, G_OPTION_ARG_NONE, &cli.version, "Print the version and exit", NULL},
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &cli.rest, NULL,
         "[FILE...] [EXPRESSION]"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };

    g_autoptr(GOptionContext) ctx = g_option_context_new("[FILE...] [EXPRESSION]");
    g_option_context_set_summary(ctx, summary_text);
    g_option_context_set_description(ctx, description_text);
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        tfa_message_error("%s (try --help)", error->message);
        cli_clear(&cli);
        return EXIT_USAGE;
    }
    if (cli.version) {
        printf("tcpflow-audit %s\n%s\n", PACKAGE_VERSION, pcap_lib_version());
        cli_clear(&cli);
        return EXIT_OK;
    }
    if (cli.list_codes) {
        list_codes();
        cli_clear(&cli);
        return EXIT_OK;
    }
    bool max_details_given = cli.max_details != -1;
    if (!check_options(&cli, &opts, &error)) {
        tfa_message_error("%s (try --help)", error->message);
        cli_clear(&cli);
        tfa_options_clear(&opts);
        return EXIT_USAGE;
    }
    cli_clear(&cli);

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
    if (opts.ladder)
        opts.format = TFA_FORMAT_LADDER;
    if (opts.format == TFA_FORMAT_HTML && !max_details_given)
        opts.max_details = TFA_DEFAULT_HTML_DRAWN;
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
