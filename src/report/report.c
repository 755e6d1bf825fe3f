/* report.c - the reporter object: buffer, write, flush, error mapping. */
#include "config.h"

#include "tcpflow-audit/report.h"

#include "report-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

G_DEFINE_QUARK(tfa-report-error-quark, tfa_report_error)

TfaReporter *tfa_reporter_new(TfaFormat format, FILE *out, const TfaOptions *opts)
{
    TfaReporter *rep = g_new0(TfaReporter, 1);
    switch (format) {
    case TFA_FORMAT_CSV:
        rep->ops = &tfa_report_csv_ops;
        break;
    case TFA_FORMAT_TEXT:
        rep->ops = &tfa_report_text_ops;
        break;
    case TFA_FORMAT_LADDER:
        rep->ops = &tfa_report_ladder_ops;
        break;
    case TFA_FORMAT_HTML:
        rep->ops = &tfa_report_html_ops;
        break;
    case TFA_FORMAT_JSONL:
    case TFA_FORMAT_AUTO:
    default:
        rep->ops = &tfa_report_jsonl_ops;
        break;
    }
    rep->out = out;
    rep->opts = opts;
    rep->buf = g_string_sized_new(4096);
    int fd = fileno(out);
    bool tty = fd >= 0 && isatty(fd);
    if (opts->color == TFA_COLOR_AUTO) {
        /* https://no-color.org: NO_COLOR set and not empty turns colours off */
        const char *no = getenv("NO_COLOR"), *term = getenv("TERM");
        rep->color = tty && (no == NULL || no[0] == '\0') &&
                     (term == NULL || strcmp(term, "dumb") != 0);
    } else {
        rep->color = opts->color == TFA_COLOR_ALWAYS;
    }
    struct winsize ws;
    if (tty && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        rep->width = ws.ws_col;
    rep->details = g_string_new(NULL);
    return rep;
}

void tfa_reporter_free(TfaReporter *rep)
{
    if (rep == NULL)
        return;
    g_string_free(rep->buf, TRUE);
    g_string_free(rep->details, TRUE);
    tfa_report_html_free(rep->html);
    g_free(rep);
}

static gboolean flush_buf(TfaReporter *rep, GError **error)
{
    if (rep->buf->len > 0) {
        errno = 0;
        size_t n = fwrite(rep->buf->str, 1, rep->buf->len, rep->out);
        if (n != rep->buf->len || fflush(rep->out) != 0) {
            int e = errno;
            g_string_truncate(rep->buf, 0);
            g_set_error(error, TFA_REPORT_ERROR_DOMAIN,
                        e == EPIPE ? TFA_REPORT_ERROR_PIPE : TFA_REPORT_ERROR_FAILED,
                        "cannot write the report: %s", e != 0 ? g_strerror(e) : "write error");
            return FALSE;
        }
    }
    g_string_truncate(rep->buf, 0);
    return TRUE;
}

gboolean tfa_report_begin(TfaReporter *rep, GError **error)
{
    if (rep->ops->begin != NULL)
        rep->ops->begin(rep, rep->buf);
    return flush_buf(rep, error);
}

gboolean tfa_report_conn(TfaReporter *rep, const TfaConnRecord *rec, GError **error)
{
    /* --at shows one moment of the capture, not the connections */
    if (rep->opts->at_set)
        return TRUE;
    rep->ops->conn(rep, rec, rep->buf);
    rep->rows++;
    return flush_buf(rep, error);
}

gboolean tfa_report_summary(TfaReporter *rep, const TfaRunInfo *info, GError **error)
{
    if (rep->ops->summary != NULL)
        rep->ops->summary(rep, info, rep->buf);
    return flush_buf(rep, error);
}

gboolean tfa_report_end(TfaReporter *rep, GError **error)
{
    if (rep->ops->end != NULL)
        rep->ops->end(rep, rep->buf);
    return flush_buf(rep, error);
}

const char *tfa_report_ts_human(TfaTs ts, bool with_date, char *buf, size_t len)
{
    time_t secs = (time_t)(ts >= 0 ? ts / TFA_NSEC_PER_SEC : (ts - TFA_NSEC_PER_SEC + 1) / TFA_NSEC_PER_SEC);
    int64_t ns = ts - (int64_t)secs * TFA_NSEC_PER_SEC;
    struct tm tm;
    if (gmtime_r(&secs, &tm) == NULL) {
        g_strlcpy(buf, "?", len);
        return buf;
    }
    if (with_date)
        g_snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d.%06" G_GINT64_FORMAT, tm.tm_year + 1900,
                   tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ns / 1000);
    else
        g_snprintf(buf, len, "%02d:%02d:%02d.%06" G_GINT64_FORMAT, tm.tm_hour, tm.tm_min,
                   tm.tm_sec, ns / 1000);
    return buf;
}
