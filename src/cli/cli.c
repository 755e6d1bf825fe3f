/* cli.c - the command line, parsed into TfaOptions (tcpflow-audit(1) OPTIONS).
 *
 * GOption reads argv into a Cli of raw values; check_options() checks each
 * one and writes TfaOptions.  Every default --help prints is formatted from
 * the TFA_DEFAULT_* constants of options.h, the ones tfa_options_init()
 * sets, so the help cannot say another figure than the code uses
 * (tests/unit/cli/test-cli.c gives each printed default back as the option's
 * value and finds the defaults unchanged).  Owns the Cli only while parsing.
 */
#include "config.h"

#include "tcpflow-audit/cli.h"

#include "tcpflow-audit/capture.h"
#include "tcpflow-audit/codes.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

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
    GPtrArray *texts; /* the help texts built from TFA_DEFAULT_*, owned */
} Cli;

/* Values a GOption leaves alone when its option is not given: what tells
 * "not given" from a value to check. */
static void cli_init(Cli *c)
{
    memset(c, 0, sizeof(*c));
    c->max_details = -1;
    /* -1: not given on the command line */
    c->rst_storm = c->leak_threshold = c->pileup_threshold = c->flood_threshold = -1;
    c->scan_threshold = c->refusing_threshold = -1;
    c->max_buffer_bytes = c->max_buffer_per_dir = -1;
    c->max_frag_bytes = G_MININT64; /* so that -1 is refused */
    c->extract_max_bytes = c->extract_max_total = -1;
    c->texts = g_ptr_array_new_with_free_func(g_free);
}

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
    if (c->texts != NULL)
        g_ptr_array_unref(c->texts);
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
        if (g_strv_length(kn) != 2 || !g_ascii_string_to_unsigned(kn[1], 10, 1, 65536, &n, NULL) ||
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
         cli->extract_fill != NULL) &&
        cli->extract == NULL) {
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

static const char summary_text[] =
    "Rebuild every TCP connection in pcap/pcapng captures (or a live interface),\n"
    "replay each through an RFC 9293 state machine for both endpoints, and report\n"
    "per connection what went wrong, with frame numbers as evidence.\n"
    "\n"
    "FILE... are read as one continuous capture in the order given ('-' = stdin);\n"
    "a BPF filter EXPRESSION may follow them.  Pipes and FIFOs are read once;\n"
    "gzip, zstd, xz and lz4 files are decompressed as they are read.";

static const char description_text[] =
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

/* A help text the Cli keeps until it is cleared (GOption borrows it). */
static const char *keep(Cli *c, char *text)
{
    g_ptr_array_add(c->texts, text);
    return text;
}

/* A duration default as --help and the man page write it: whole seconds,
 * or seconds with their fraction. */
static const char *seconds(Cli *c, TfaDuration d)
{
    if (d % TFA_NSEC_PER_SEC == 0)
        return keep(c, g_strdup_printf("%" G_GINT64_FORMAT, (gint64)(d / TFA_NSEC_PER_SEC)));
    return keep(c, g_strdup_printf("%.9g", (double)d / 1e9));
}

/* The option context over @cli's fields. */
static GOptionContext *context_new(Cli *cli)
{
    const GOptionEntry entries[] = {
        {"read", 'r', 0, G_OPTION_ARG_FILENAME_ARRAY, &cli->read_files,
         "Read capture FILE (pcap or pcapng; '-' = stdin); may be repeated", "FILE"},
        {"interface", 'i', 0, G_OPTION_ARG_STRING, &cli->interface,
         "Capture live on IFACE ('any' for all)", "IFACE"},
        {"filter", 0, 0, G_OPTION_ARG_STRING, &cli->filter,
         "BPF filter expression (or give it after the files)", "EXPR"},
        {"format", 'f', 0, G_OPTION_ARG_STRING, &cli->format,
         "Output format: text, jsonl, csv or html (one self-contained page with graphs, "
         "written at the end; default: text on a terminal, jsonl otherwise)",
         "FORMAT"},
        {"color", 0, 0, G_OPTION_ARG_STRING, &cli->color,
         "Colour text output: auto, always or never (default auto)", "WHEN"},
        {"count", 'c', 0, G_OPTION_ARG_INT64, &cli->count, "Stop after N frames", "N"},
        {"duration", 0, 0, G_OPTION_ARG_STRING, &cli->duration, "Live: stop after SECONDS",
         "SECONDS"},
        {"write", 'w', 0, G_OPTION_ARG_FILENAME, &cli->write_file,
         "Live: also write the captured packets to FILE (pcap)", "FILE"},
        {"relinquish-privileges", 'Z', 0, G_OPTION_ARG_STRING, &cli->user,
         "Live: drop root privileges to USER once the capture is open", "USER"},
        {"snaplen", 's', 0, G_OPTION_ARG_INT, &cli->snaplen,
         keep(cli, g_strdup_printf("Live: bytes to capture per packet (default %d)",
                                   TFA_DEFAULT_SNAPLEN)),
         "N"},
        {"no-promisc", 0, 0, G_OPTION_ARG_NONE, &cli->no_promisc,
         "Live: do not put the interface in promiscuous mode", NULL},
        {"immediate", 0, 0, G_OPTION_ARG_NONE, &cli->immediate,
         keep(cli, g_strdup_printf(
                       "Live: hand packets over within %d ms instead of in batches of up to %d ms",
                       TFA_CAPTURE_IMMEDIATE_TIMEOUT_MS, TFA_DEFAULT_LIVE_TIMEOUT_MS)),
         NULL},
        {"buffer-size", 'B', 0, G_OPTION_ARG_INT, &cli->buffer_kib,
         "Live: kernel capture buffer in KiB (default: libpcap's)", "KIB"},
        {"idle-timeout", 0, 0, G_OPTION_ARG_STRING, &cli->idle_timeout,
         keep(cli,
              g_strdup_printf("Report a connection idle this long in capture time (default %s)",
                              seconds(cli, TFA_DEFAULT_IDLE_TIMEOUT))),
         "SECONDS"},
        {"close-linger", 0, 0, G_OPTION_ARG_STRING, &cli->close_linger,
         keep(cli, g_strdup_printf("Report a closed connection after this much quiet capture time "
                                   "(default %s)",
                                   seconds(cli, TFA_DEFAULT_CLOSE_LINGER))),
         "SECONDS"},
        {"msl", 0, 0, G_OPTION_ARG_STRING, &cli->msl,
         keep(cli, g_strdup_printf("Maximum segment lifetime; TIME_WAIT lasts 2*MSL (default %s)",
                                   seconds(cli, TFA_DEFAULT_MSL))),
         "SECONDS"},
        {"max-connections", 0, 0, G_OPTION_ARG_INT64, &cli->max_conns,
         keep(cli,
              g_strdup_printf("Track at most N connections at once; the least recently active is "
                              "evicted (default %u)",
                              TFA_DEFAULT_MAX_CONNS)),
         "N"},
        {"max-anomalies", 0, 0, G_OPTION_ARG_INT64, &cli->max_anomalies,
         keep(cli, g_strdup_printf("Keep at most N anomalies per connection; counts stay exact "
                                   "(default %u)",
                                   TFA_DEFAULT_MAX_ANOMALIES)),
         "N"},
        {"max-details", 0, 0, G_OPTION_ARG_INT64, &cli->max_details,
         keep(cli, g_strdup_printf("Text report: explain at most N anomalous connections in detail "
                                   "(default %u); html: draw at most N (default %u)",
                                   TFA_DEFAULT_MAX_DETAILS, TFA_DEFAULT_HTML_DRAWN)),
         "N"},
        {"stuck-after", 0, 0, G_OPTION_ARG_STRING, &cli->stuck_after,
         keep(cli,
              g_strdup_printf("An endpoint quiet this long in CLOSE_WAIT or FIN_WAIT_2 is stuck "
                              "(default %s)",
                              seconds(cli, TFA_DEFAULT_STUCK_AFTER))),
         "SECONDS"},
        {"rst-idle", 0, 0, G_OPTION_ARG_STRING, &cli->rst_idle,
         keep(cli, g_strdup_printf("An RST after this much silence is blamed on the idle time "
                                   "(default %s)",
                                   seconds(cli, TFA_DEFAULT_RST_IDLE))),
         "SECONDS"},
        {"rst-storm", 0, 0, G_OPTION_ARG_INT64, &cli->rst_storm,
         keep(cli, g_strdup_printf("This many RSTs on one connection are a storm (default %u)",
                                   TFA_DEFAULT_RST_STORM)),
         "N"},
        {"leak-threshold", 0, 0, G_OPTION_ARG_INT64, &cli->leak_threshold,
         keep(cli, g_strdup_printf("Connections left in CLOSE_WAIT on a service that make a leak "
                                   "(default %u)",
                                   TFA_DEFAULT_LEAK_THRESHOLD)),
         "N"},
        {"pileup-threshold", 0, 0, G_OPTION_ARG_INT64, &cli->pileup_threshold,
         keep(cli, g_strdup_printf("Server-side TIME_WAIT on a service that make a pile-up "
                                   "(default %u)",
                                   TFA_DEFAULT_PILEUP_THRESHOLD)),
         "N"},
        {"flood-threshold", 0, 0, G_OPTION_ARG_INT64, &cli->flood_threshold,
         keep(cli, g_strdup_printf("Distinct sources of half-open handshakes that make a SYN flood "
                                   "(default %u)",
                                   TFA_DEFAULT_FLOOD_THRESHOLD)),
         "N"},
        {"scan-threshold", 0, 0, G_OPTION_ARG_INT64, &cli->scan_threshold,
         keep(cli, g_strdup_printf("Distinct ports one host failed to reach that make a scan "
                                   "(default %u)",
                                   TFA_DEFAULT_SCAN_THRESHOLD)),
         "N"},
        {"refusing-threshold", 0, 0, G_OPTION_ARG_INT64, &cli->refusing_threshold,
         keep(cli, g_strdup_printf("Refused SYNs, none accepted, that make a refusing service "
                                   "(default %u)",
                                   TFA_DEFAULT_REFUSING_THRESHOLD)),
         "N"},
        {"only-anomalous", 0, 0, G_OPTION_ARG_NONE, &cli->only_anomalous,
         "Report only connections with an anomaly of severity notice or worse", NULL},
        {"code", 0, 0, G_OPTION_ARG_STRING, &cli->codes,
         "Report only connections with one of these anomaly codes (comma-separated)", "CODE"},
        {"min-severity", 0, 0, G_OPTION_ARG_STRING, &cli->min_severity,
         "Report only connections with an anomaly of at least LEVEL (info, notice, warning, "
         "error)",
         "LEVEL"},
        {"fail-on", 0, 0, G_OPTION_ARG_STRING, &cli->fail_on,
         "Exit with status 4 when any connection has an anomaly of at least LEVEL", "LEVEL"},
        {"ladder", 0, 0, G_OPTION_ARG_NONE, &cli->ladder,
         "Draw each connection's ladder diagram (states | segments | states) instead of records",
         NULL},
        {"ladder-rows", 0, 0, G_OPTION_ARG_INT64, &cli->ladder_rows,
         keep(cli, g_strdup_printf("Draw at most N segments per connection (default %u)",
                                   TFA_DEFAULT_LADDER_ROWS)),
         "N"},
        {"conn", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cli->conn_ids,
         "Report only the connections with these ids (comma-separated, or repeat the option)",
         "ID"},
        {"at", 0, 0, G_OPTION_ARG_STRING, &cli->at,
         "Show every endpoint's state at capture time TIME (+SECONDS from the first frame, epoch "
         "seconds, or ISO 8601), as netstat -nat would have, instead of records",
         "TIME"},
        {"max-buffer-bytes", 0, 0, G_OPTION_ARG_INT64, &cli->max_buffer_bytes,
         keep(cli,
              g_strdup_printf("Keep at most N bytes of unacknowledged payload, all connections "
                              "together, to compare retransmissions with the original "
                              "(default %" G_GUINT64_FORMAT ")",
                              (guint64)TFA_DEFAULT_MAX_BUFFER_BYTES)),
         "N"},
        {"max-buffer-per-direction", 0, 0, G_OPTION_ARG_INT64, &cli->max_buffer_per_dir,
         keep(cli, g_strdup_printf("... and at most N bytes per direction of a connection, rounded "
                                   "down to a power of two; 0 keeps none (default %u)",
                                   TFA_DEFAULT_MAX_BUFFER_PER_DIR)),
         "N"},
        {"max-frag-bytes", 0, 0, G_OPTION_ARG_INT64, &cli->max_frag_bytes,
         keep(cli, g_strdup_printf("Hold at most N bytes of IP fragments for reassembly, in 2 KiB "
                                   "chunks; 0 reassembles nothing (default %" G_GUINT64_FORMAT ")",
                                   (guint64)TFA_DEFAULT_MAX_FRAG_BYTES)),
         "N"},
        {"frag-timeout", 0, 0, G_OPTION_ARG_STRING, &cli->frag_timeout,
         keep(cli,
              g_strdup_printf("Give up a fragmented IP datagram not complete this long after its "
                              "first fragment, in capture time (default %s)",
                              seconds(cli, TFA_DEFAULT_FRAG_TIMEOUT))),
         "SECONDS"},
        {"extract", 0, 0, G_OPTION_ARG_FILENAME, &cli->extract,
         "Write each reported connection's two byte streams, as the receiver's TCP delivered "
         "them, into files in DIR (which must exist) as the connection ends; the JSON record's "
         "\"streams\" tells their holes and differing retransmissions",
         "DIR"},
        {"extract-max-bytes", 0, 0, G_OPTION_ARG_INT64, &cli->extract_max_bytes,
         keep(cli, g_strdup_printf("Keep at most N bytes of each direction's stream "
                                   "(default %" G_GUINT64_FORMAT ")",
                                   (guint64)TFA_DEFAULT_EXTRACT_MAX_BYTES)),
         "N"},
        {"extract-max-total", 0, 0, G_OPTION_ARG_INT64, &cli->extract_max_total,
         keep(cli,
              g_strdup_printf("... and at most N bytes of streams held at once, all connections "
                              "together (default %" G_GUINT64_FORMAT ")",
                              (guint64)TFA_DEFAULT_EXTRACT_MAX_TOTAL)),
         "N"},
        {"extract-fill", 0, 0, G_OPTION_ARG_STRING, &cli->extract_fill,
         "Fill the holes of the streams (bytes never captured) with byte B (0-255 or 0xNN) "
         "instead of leaving them out",
         "B"},
        {"verify-checksums", 0, 0, G_OPTION_ARG_NONE, &cli->verify_checksums,
         "Check TCP checksums (off by default: offloading leaves them unset)", NULL},
        {"shard", 0, 0, G_OPTION_ARG_STRING, &cli->shard,
         "Analyse only the connections of flow-hash shard K of N (1 <= K <= N), writing JSON "
         "Lines for --merge; every shard reads all the input",
         "K/N"},
        {"merge", 0, 0, G_OPTION_ARG_NONE, &cli->merge,
         "Merge the JSON Lines files of the N --shard runs named as arguments into one run's "
         "output",
         NULL},
        {"list-codes", 0, 0, G_OPTION_ARG_NONE, &cli->list_codes,
         "List every anomaly code and diagnostic, then exit", NULL},
        {"version", 'V', 0, G_OPTION_ARG_NONE, &cli->version, "Print the version and exit", NULL},
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &cli->rest, NULL,
         "[FILE...] [EXPRESSION]"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };

    /* the usage line takes "[FILE...] [EXPRESSION]" from G_OPTION_REMAINING */
    GOptionContext *ctx = g_option_context_new(NULL);
    g_option_context_set_summary(ctx, summary_text);
    g_option_context_set_description(ctx, description_text);
    g_option_context_add_main_entries(ctx, entries, NULL);
    return ctx;
}

gboolean tfa_cli_parse(int *argc, char ***argv, TfaOptions *opts, TfaCliAction *action,
                       GError **error)
{
    Cli cli;
    cli_init(&cli);
    GOptionContext *ctx = context_new(&cli);
    gboolean ok = g_option_context_parse(ctx, argc, argv, error);
    g_option_context_free(ctx);
    *action = TFA_CLI_RUN;
    if (ok && cli.version) {
        *action = TFA_CLI_VERSION;
    } else if (ok && cli.list_codes) {
        *action = TFA_CLI_LIST_CODES;
    } else if (ok) {
        bool max_details_given = cli.max_details != -1;
        ok = check_options(&cli, opts, error);
        if (ok && opts->ladder)
            opts->format = TFA_FORMAT_LADDER;
        if (ok && opts->format == TFA_FORMAT_HTML && !max_details_given)
            opts->max_details = TFA_DEFAULT_HTML_DRAWN;
    }
    cli_clear(&cli);
    return ok;
}

char *tfa_cli_help(void)
{
    Cli cli;
    cli_init(&cli);
    GOptionContext *ctx = context_new(&cli);
    char *help = g_option_context_get_help(ctx, TRUE, NULL);
    g_option_context_free(ctx);
    cli_clear(&cli);
    return help;
}
