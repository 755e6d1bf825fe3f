/* detect.c - runs the detectors (one table, each with its private state
 * laid out here in TfaConn.det_live) and decides the one-word verdict.
 *
 * Verdict rule (tcpflow-audit-records(5)): "failed" when the handshake
 * failed (refused, unanswered as the client's own retries prove, SYN-ACK
 * never acknowledged, reset during it)
 * or an anomaly of severity error was found; "degraded" when a warning was
 * found or the connection ended by reset; "ok" otherwise. */
#include "config.h"

#include "tcpflow-audit/detect.h"

#include <string.h>

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

void tfa_sink_count(TfaAnomalySink *sink, uint16_t code, uint8_t side)
{
    tfa_conn_count(sink->conn, code, side);
}

/* The detectors in the order they see a segment. */
enum { SEQUENCE, ACKDELAY, HANDSHAKE, TEARDOWN, RST, ICMP, N_DETECTORS };
static const TfaDetector *const detectors[N_DETECTORS] = {
    [SEQUENCE] = &tfa_detector_sequence,
    [ACKDELAY] = &tfa_detector_ackdelay,
    [HANDSHAKE] = &tfa_detector_handshake,
    [TEARDOWN] = &tfa_detector_teardown,
    [RST] = &tfa_detector_rst,
    [ICMP] = &tfa_detector_icmp,
};

/* The order of their end-of-connection findings (the records' anomaly
 * order): the handshake's outcome first, which the others read, the RSTs'
 * causes before the close that may end with one. */
static const uint8_t end_order[N_DETECTORS] = {HANDSHAKE, RST, TEARDOWN, SEQUENCE, ACKDELAY, ICMP};

static size_t state_bytes(const TfaDetector *d)
{
    return (d->state_size + 7) & ~(size_t)7; /* each at an 8-byte boundary */
}

/* Where detector @i's state starts in det_live. */
static size_t offset_of(unsigned i)
{
    size_t off = 0;
    for (unsigned k = 0; k < i; k++)
        off += state_bytes(detectors[k]);
    return off;
}

static void *state_of(TfaConn *c, unsigned i)
{
    return (uint8_t *)c->det_live + offset_of(i);
}

size_t tfa_detect_state_size(void)
{
    size_t n = 0;
    for (unsigned k = 0; k < N_DETECTORS; k++)
        n += state_bytes(detectors[k]);
    return n;
}

TfaHandshakeTimes tfa_detect_handshake_times(const TfaConn *c)
{
    if (c->out_ready)
        return (TfaHandshakeTimes){
            .syn_ts = c->out.syn_ts,
            .synack_ts = c->out.synack_ts,
            .ack_ts = c->out.ack_ts,
            .syn_count = c->out.syn_count,
            .synack_count = c->out.synack_count,
        };
    return tfa_handshake_times_of((const uint8_t *)c->det_live + offset_of(HANDSHAKE));
}

void tfa_detect_segment(TfaConn *c, const TfaOptions *opts, const TfaSegment *seg, uint8_t side,
                        const TfaSmEvent *ev, const TfaSeqEvent *sq, bool created)
{
    TfaAnomalySink sink = {.conn = c, .cap = opts->max_anomalies_per_conn};
    TfaDetectSeg x = {
        .opts = opts,
        .seg = seg,
        .side = side,
        .ev = ev,
        .sq = sq,
        .created = created,
        .hs = state_of(c, HANDSHAKE),
    };
    bool copy = (sq->facts & TFA_SEQ_DUP_FRAME) != 0;
    void *st = c->det_live;
    for (unsigned i = 0; i < N_DETECTORS; i++) {
        const TfaDetector *d = detectors[i];
        /* the capture's own repetition: only the detectors that say so
         * have something to say about it */
        if (d->on_segment != NULL && (!copy || d->sees_copies))
            d->on_segment(c, st, &x, &sink);
        st = (uint8_t *)st + state_bytes(d);
    }
}

static TfaVerdict decide_verdict(const TfaConn *c, const TfaOutcome *o)
{
    switch ((TfaHandshake)o->handshake) {
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
    if (worst == TFA_SEV_WARNING || o->close_kind == TFA_CLOSE_RESET ||
        o->close_kind == TFA_CLOSE_RESET_AFTER_FIN)
        return TFA_VERDICT_DEGRADED;
    return TFA_VERDICT_OK;
}

void tfa_detect_end(TfaConn *c, const TfaOptions *opts, TfaTs now)
{
    g_assert(tfa_detect_state_size() <= sizeof(c->det_live));
    if (c->out_ready)
        return;
    TfaAnomalySink sink = {.conn = c, .cap = opts->max_anomalies_per_conn};
    /* the outcome is made apart: its bytes are the states' until the end */
    TfaOutcome out = {0};
    TfaDetectEnd x = {
        .opts = opts,
        .now = now,
        .hs = state_of(c, HANDSHAKE),
        .out = &out,
        .rsts = c->rsts,
    };
    for (unsigned k = 0; k < N_DETECTORS; k++) {
        unsigned i = end_order[k];
        if (detectors[i]->on_end != NULL)
            detectors[i]->on_end(c, state_of(c, i), &x, &sink);
    }
    out.verdict = (uint8_t)decide_verdict(c, &out);
    tfa_detect_release(c);
    c->out = out;
    c->out_ready = true;
}

void tfa_detect_release(TfaConn *c)
{
    if (c->out_ready)
        return;
    void *st = c->det_live;
    for (unsigned i = 0; i < N_DETECTORS; i++) {
        const TfaDetector *d = detectors[i];
        if (d->release != NULL)
            d->release(st);
        st = (uint8_t *)st + state_bytes(d);
    }
    memset(c->det_live, 0, sizeof(c->det_live));
}
