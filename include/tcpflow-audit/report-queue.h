/* report-queue.h - write connection records on a second thread.
 *
 * The engine hands each retired connection, with its record already built
 * (and already added to the summary), to the queue; a writer thread formats
 * and writes them in the order given, then frees the connections.  The
 * analysis goes on meanwhile.  Records come out exactly as with
 * tfa_report_conn() called in line; only when they are written changes.
 *
 * Owns: the writer thread and the connections handed over.  Borrows: the
 * reporter, which no one else may use between tfa_report_queue_new() and
 * tfa_report_queue_finish().  Bounded: at most TFA_REPORT_QUEUE_PENDING
 * connections wait to be written (a push beyond that blocks until the
 * writer catches up), and as many again, written, wait to be freed by the
 * caller's thread at its next push: 2 x 128 + 1 connections at most.
 */
#pragma once

#include <glib.h>

#include "tcpflow-audit/conn.h"
#include "tcpflow-audit/record.h"
#include "tcpflow-audit/report.h"

#define TFA_REPORT_QUEUE_PENDING 128u

typedef struct TfaReportQueue TfaReportQueue;

TfaReportQueue *tfa_report_queue_new(TfaReporter *rep);

/* Hand over @c (owned by the queue from now on) and its record, to be
 * written with tfa_report_conn().  False, with the writer's error, once a
 * write has failed; @c is freed either way. */
gboolean tfa_report_queue_push(TfaReportQueue *q, TfaConn *c, const TfaConnRecord *rec,
                               GError **error);

/* Wait until every record handed over is written, and stop the writer;
 * false with the first write error.  The reporter is the caller's again. */
gboolean tfa_report_queue_finish(TfaReportQueue *q, GError **error);

/* Finish (ignoring errors) if not done, and free. */
void tfa_report_queue_free(TfaReportQueue *q);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TfaReportQueue, tfa_report_queue_free)
