/* flow.c - one connection's pipeline (see flow.h for the order and why). */
#include "config.h"

#include "tcpflow-audit/flow.h"

#include <string.h>

#include "tcpflow-audit/detect.h"
#include "tcpflow-audit/zeek.h"

void tfa_flow_segment(TfaConn *c, const TfaFlowEnv *env, const TfaSegment *seg, uint8_t side,
                      bool created, TfaFlowEvents *out)
{
    TfaFlowEvents local;
    TfaFlowEvents *e = out != NULL ? out : &local;
    const TfaOptions *opts = env->opts;

    if (created)
        tfa_tcpsm_init(c, opts, seg, side);
    tfa_seqtrack_segment(c, opts, env->budget, env->stats, seg, side, &e->sq);
    TfaZeekFacts zf = {
        .content_gap = (e->sq.facts & TFA_SEQ_ACK_UNSEEN) != 0,
        .gap_side = 1 - side,
        .bad_checksum = (seg->diags & (1u << TFA_DIAG_DECODE_BAD_CHECKSUM)) != 0,
    };
    tfa_zeek_segment(c, seg, side, &zf);
    bool dup = (e->sq.facts & TFA_SEQ_DUP_FRAME) != 0;
    if (dup) {
        memset(&e->sm, 0, sizeof(e->sm)); /* the same frame twice is one event, already replayed */
    } else {
        tfa_tcpsm_segment(c, opts, seg, side, &e->sm);
        /* after tcpsm: whether an RST closed its receiver */
        tfa_extract_segment(c, opts, env->xbudget, env->stats, seg, side);
    }
    tfa_detect_segment(c, opts, seg, side, &e->sm, &e->sq, created);
    if (!dup) /* after the detectors, which read it as of the segment before */
        tfa_tcpsm_history_segment(c, seg, side, &e->sm);
}

void tfa_flow_end(TfaConn *c, const TfaOptions *opts, TfaTs now)
{
    /* states as of now: a TIME_WAIT that has run out is CLOSED */
    TfaHandshakeTimes hs = tfa_detect_handshake_times(c);
    tfa_tcpsm_finish(c, opts, now, &hs);
    tfa_detect_end(c, opts, now);
}

void tfa_flow_release(TfaConn *c)
{
    tfa_detect_release(c);
}
