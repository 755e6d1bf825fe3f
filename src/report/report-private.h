/* report-private.h - the reporter ops table and the formats' shared helpers. */
#pragma once

#include "tcpflow-audit/report.h"

typedef struct TfaReporterOps {
    const char *name;
    void (*begin)(TfaReporter *rep, GString *buf);
    void (*conn)(TfaReporter *rep, const TfaConnRecord *rec, GString *buf);
    void (*summary)(TfaReporter *rep, const TfaRunInfo *info, GString *buf);
    void (*end)(TfaReporter *rep, GString *buf);
} TfaReporterOps;

struct TfaReporter {
    const TfaReporterOps *ops;
    FILE *out;               /* borrowed */
    const TfaOptions *opts;  /* borrowed */
    GString *buf;            /* one record at a time */
    bool color;              /* text: ANSI colours */
    unsigned width;          /* text: terminal columns, 0 when not a terminal */
    guint64 rows;            /* records written */
    guint64 anomalous;       /* text: connections with anomalies (for the summary) */
    GString *details;        /* text: anomalous connections explained, shown before
                              * the summary (at most opts->max_details of them) */
    guint64 detailed;        /* text: connections in details */
    guint64 not_detailed;    /* text: anomalous connections over the cap */
    guint64 verdicts[TFA_VERDICT_N]; /* text: reported connections by verdict */
    struct TfaHtmlState *html;       /* html: the page being built (html.c) */
};

extern const TfaReporterOps tfa_report_jsonl_ops;
extern const TfaReporterOps tfa_report_csv_ops;
extern const TfaReporterOps tfa_report_text_ops;
extern const TfaReporterOps tfa_report_ladder_ops;

/* "HH:MM:SS.nnnnnnnnn" UTC of @ts, or the full date when @with_date. */
const char *tfa_report_ts_human(TfaTs ts, bool with_date, char *buf, size_t len);

/* Append one RFC 4180 field to a CSV row (a comma first unless @first;
 * quoted when it holds a comma, quote, CR or LF; quotes doubled). */
void tfa_report_csv_field(GString *buf, const char *s, bool first);

extern const TfaReporterOps tfa_report_html_ops;

/* The ladder's state column: every transition of @side evidenced by
 * @frame, "A>B" with "?" for probable ones; empty when none (ladder.c). */
void tfa_report_ladder_states(const TfaConnRecord *rec, uint8_t side, TfaFrameNo frame,
                              char *buf, size_t len);

/* html.c: free the page state (NULL is fine). */
void tfa_report_html_free(struct TfaHtmlState *h);
