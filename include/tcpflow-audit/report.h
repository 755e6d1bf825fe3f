/* report.h - reporters: text, JSON Lines, CSV.
 *
 * A TfaReporter writes to a FILE* it borrows (main owns stdout); it is
 * created from the options and driven by the engine: begin, one conn() per
 * finished connection as it retires, summary(), end.  Records are built into
 * a buffer and written whole, then flushed, so a reader sees whole lines as
 * connections end.  Write failures (a full disk, a closed pipe) are returned
 * as GError (TFA_REPORT_ERROR); EPIPE is TFA_REPORT_ERROR_PIPE, which main
 * treats as a quiet end.
 */
#pragma once

#include <stdio.h>

#include <glib.h>

#include "tcpflow-audit/capture.h"
#include "tcpflow-audit/options.h"
#include "tcpflow-audit/record.h"
#include "tcpflow-audit/stats.h"
#include "tcpflow-audit/summary.h"

#define TFA_REPORT_ERROR_DOMAIN (tfa_report_error_quark())
GQuark tfa_report_error_quark(void);

typedef enum TfaReportErrorCode {
    TFA_REPORT_ERROR_FAILED,
    TFA_REPORT_ERROR_PIPE,
} TfaReportErrorCode;

/* What the summary says about the run as a whole. */
typedef struct TfaRunInfo {
    const TfaOptions *opts;
    const TfaStats *stats;
    const TfaSummary *summary;
    TfaCaptureStats capture;
    guint64 records;          /* connection records written */
    guint64 conns_open_at_end;
    bool input_damaged;
    bool interrupted;
} TfaRunInfo;

typedef struct TfaReporter TfaReporter;

TfaReporter *tfa_reporter_new(TfaFormat format, FILE *out, const TfaOptions *opts);
void tfa_reporter_free(TfaReporter *rep);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TfaReporter, tfa_reporter_free)

gboolean tfa_report_begin(TfaReporter *rep, GError **error);
gboolean tfa_report_conn(TfaReporter *rep, const TfaConnRecord *rec, GError **error);
gboolean tfa_report_summary(TfaReporter *rep, const TfaRunInfo *info, GError **error);
gboolean tfa_report_end(TfaReporter *rep, GError **error);

/* One-line explanation of a capture-level finding into @buf. */
const char *tfa_report_finding_detail(const TfaFindingRow *f, char *buf, size_t len);

/* One-line explanation of anomaly @a of @rec into @buf. */
const char *tfa_report_detail(const TfaConnRecord *rec, const TfaAnomaly *a, char *buf,
                              size_t len);
