/* detect.c - runs the detectors and decides the one-word verdict.
 *
 * Verdict rule (tcpflow-audit-records(5)): "failed" when the handshake
 * failed (refused, unanswered as the client's own retries prove, SYN-ACK
 * never acknowledged, reset during it)
 * or an anomaly of severity error was found; "degraded" when a warning was
 * found or the connection ended by reset; "ok" otherwise. */
#include "config.h"

#include "tcpflow-audit/detect.h"

static void sink_add(TfaAnomalySink *sink, TfaAnomalyCode code, TfaSeverity sev, bool possible,
                     int side, TfaFrameNo frame, TfaTs ts, int64_t arg0, int64_t arg1)
{
    TfaAnomaly a = {
        .code = (uint16_t)code,
        .side = (int8_t)side,
        .severity = (uint8_t)sev,
        .possible = possible,
        .frame_no = frame,
        .ts = ts,
        .arg = {arg0, arg1},
    };
    tfa_conn_add_anomaly(sink->conn, &a, sink->cap);
}

void tfa_sink_add(TfaAnomalySink *sink, TfaAnomalyCode code, int side, TfaFrameNo frame, TfaTs ts,
                  int64_t arg0, int64_t arg1)
{
    sink_add(sink, code, tfa_anomaly_severity(code), false, side, frame, ts, arg0, arg1);
}

void tfa_sink_add_possible(TfaAnomalySink *sink, TfaAnomalyCode code, TfaSeverity sev, int side,
                           TfaFrameNo frame, TfaTs ts, int64_t arg0, int64_t arg1)
{
    TfaSeverity own = tfa_anomaly_severity(code);
    sink_add(sink, code, sev < own ? sev : own, true, side, frame, ts, arg0, arg1);
}

void tfa_detect_segment(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg, uint8_t side,
                        const TfaSmEvent *ev, const TfaSeqEvent *sq, bool created)
{
    TfaAnomalySink sink = {.conn = c, .cap = opts->max_anomalies_per_conn};
    tfa_detect_sequence_segment(c, seg, side, sq, &sink);
    tfa_detect_ack_segment(c, seg, side, sq, &sink);
    if (sq->facts & TFA_SEQ_DUP_FRAME)
        return; /* the capture's own repetition: nothing more to say about it */
    tfa_detect_handshake_segment(c, &c->det, seg, side, ev, created, &sink);
    tfa_detect_teardown_segment(c, &c->det, seg, side, ev, created, &sink);
    tfa_detect_rst_segment(c, &c->det, seg, side, ev, &sink);
}

static TfaVerdict decide_verdict(const TfaConn *c)
{
    switch ((TfaHandshake)c->det.handshake) {
    case TFA_HANDSHAKE_UNANSWERED:
        /* failed only when the capture proves it (HANDSHAKE_SYN_UNANSWERED at
         * its own severity); a lone SYN near the end proves nothing */
        if (tfa_conn_code_severity(c, TFA_ANOMALY_HANDSHAKE_SYN_UNANSWERED) == TFA_SEV_ERROR)
            return TFA_VERDICT_FAILED;
        break;
    case TFA_HANDSHAKE_REFUSED:
    case TFA_HANDSHAKE_SYNACK_UNACKED:
    case TFA_HANDSHAKE_RESET_DURING:
        return TFA_VERDICT_FAILED;
    default:
        break;
    }
    TfaSeverity worst = TFA_SEV_INFO;
    for (guint i = 0; c->counts != NULL && i < c->counts->len; i++) {
        const TfaCount *n = &g_array_index(c->counts, TfaCount, i);
        if (n->code < TFA_ANOMALY_N && n->n[0] + n->n[1] > 0 && n->worst > (int)worst)
            worst = (TfaSeverity)n->worst;
    }
    if (worst == TFA_SEV_ERROR)
        return TFA_VERDICT_FAILED;
    if (worst == TFA_SEV_WARNING || c->det.close_kind == TFA_CLOSE_RESET ||
        c->det.close_kind == TFA_CLOSE_RESET_AFTER_FIN)
        return TFA_VERDICT_DEGRADED;
    return TFA_VERDICT_OK;
}

void tfa_detect_end(TfaConn *c, const TfaOptions *opts, TfaTs now)
{
    TfaAnomalySink sink = {.conn = c, .cap = opts->max_anomalies_per_conn};
    tfa_detect_handshake_end(c, &c->det, now, &sink);
    tfa_detect_rst_end(c, &c->det, opts, &sink);
    tfa_detect_teardown_end(c, &c->det, opts, now, &sink);
    tfa_detect_sequence_end(c, now, &sink);
    tfa_detect_ack_end(c, &sink);
    tfa_detect_icmp_end(c, &sink);
    c->det.verdict = (uint8_t)decide_verdict(c);
}
