/* detect-test.h - replay hand-made segments through the connection's
 * pipeline (flow.h: seqtrack, the Zeek tracker, tcpsm, the detectors), the
 * very one the engine runs, without pcap or conntrack. */
#pragma once

#include "tfa-test.h"

#include "tcpflow-audit/detect.h"
#include "tcpflow-audit/flow.h"

#define C 0 /* the client's side */
#define S 1 /* the server's */
#define MS TFA_NSEC_PER_MSEC
#define ISS_C 1000u
#define ISS_S 5000u

enum { SYN = TFA_TH_SYN, ACK = TFA_TH_ACK, FIN = TFA_TH_FIN, RST = TFA_TH_RST };

typedef struct Fx {
    TfaOptions opts;
    TfaConn *c;
    TfaFrameNo frame;
    TfaTs now;
    TfaSmEvent ev;
    TfaSeqEvent sq;
    TfaBudget budget;
    TfaExtractBudget xbudget;
    TfaStats stats;
    uint8_t ttl[2];
    uint16_t next_ip_id; /* the next frame's IPv4 ID when non-zero (used once) */
    uint16_t mss[2];     /* the MSS each side's SYN announces (0: none) */
    bool set_window;     /* the frames advertise @window (else tfa_test_seg's) */
    uint16_t window;
} Fx;

static inline int fx_setup(void **state)
{
    Fx *f = g_new0(Fx, 1);
    tfa_options_init(&f->opts);
    f->c = g_new0(TfaConn, 1);
    f->c->client = C;
    f->c->originator = TFA_ORIGINATOR_SYN;
    f->ttl[C] = f->ttl[S] = 64;
    f->budget.limit = f->opts.max_buffer_bytes;
    *state = f;
    return 0;
}

static inline int fx_teardown(void **state)
{
    Fx *f = *state;
    tfa_seqtrack_release(f->c, &f->budget);
    assert_int_equal(f->budget.used, 0);
    tfa_flow_release(f->c); /* a connection the test did not finish */
    tfa_conn_free(f->c);
    g_free(f);
    return 0;
}

/* A new connection in place of the test's (the fixture's options kept). */
static inline void fx_reset(Fx *f)
{
    tfa_seqtrack_release(f->c, &f->budget);
    tfa_flow_release(f->c);
    tfa_conn_free(f->c);
    f->c = g_new0(TfaConn, 1);
    f->c->client = C;
    f->c->originator = TFA_ORIGINATOR_SYN;
    f->frame = 0;
    f->now = 0;
}

/* One segment from @side, @gap after the previous one, with an optional
 * payload (bytes given, or zeros). */
static inline void tx_at(Fx *f, TfaDuration gap, uint8_t side, uint16_t flags, uint32_t seq, uint32_t ack,
                  uint32_t len, const char *payload)
{
    f->frame++;
    f->now += gap;
    TfaAddr a = tfa_test_ip4(10, 0, 0, (uint8_t)(1 + side));
    TfaAddr b = tfa_test_ip4(10, 0, 0, (uint8_t)(2 - side));
    TfaSegment seg = tfa_test_seg(a, side == C ? 40000 : 80, b, side == C ? 80 : 40000, flags, seq,
                                  ack, len, f->frame, f->now);
    seg.ttl = f->ttl[side];
    if (f->set_window)
        seg.window = f->window;
    if ((flags & SYN) && f->mss[side] != 0) {
        seg.opt.has_mss = true;
        seg.opt.mss = f->mss[side];
    }
    seg.payload = (const uint8_t *)payload;
    if (payload == NULL)
        seg.payload_caplen = 0;
    bool created = f->c->side[0].packets + f->c->side[1].packets == 0;
    TfaSideStats *st = &f->c->side[side];
    if (st->packets++ == 0) {
        st->first_frame = f->frame;
        st->first_ts = f->now;
    }
    st->last_frame = f->frame;
    st->last_ts = f->now;
    st->bytes += len;
    if ((flags & (SYN | ACK)) == SYN)
        f->c->life.syn_seen[side] = true;
    seg.ip_id = (uint16_t)f->frame; /* every frame its own IP ID, as Linux does */
    if (f->next_ip_id != 0) {
        seg.ip_id = f->next_ip_id;
        f->next_ip_id = 0;
    }
    TfaFlowEnv env = {
        .opts = &f->opts,
        .budget = &f->budget,
        .xbudget = &f->xbudget,
        .stats = &f->stats,
    };
    TfaFlowEvents out;
    tfa_flow_segment(f->c, &env, &seg, side, created, &out);
    f->sq = out.sq;
    f->ev = out.sm;
}

static inline void tx(Fx *f, uint8_t side, uint16_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
    tx_at(f, MS, side, flags, seq, ack, len, NULL);
}

/* Report the connection @after the last segment. */
static inline void finish(Fx *f, TfaEndReason why, TfaDuration after)
{
    f->c->end_reason = why;
    f->now += after;
    tfa_flow_end(f->c, &f->opts, f->now);
}

static inline guint32 count_of(Fx *f, TfaAnomalyCode code)
{
    return tfa_conn_get_count(f->c, TFA_COUNT_ANOMALY(code), 0) +
           tfa_conn_get_count(f->c, TFA_COUNT_ANOMALY(code), 1);
}

/* The first anomaly of @code kept on the connection (fails if none). */
static inline const TfaAnomaly *anomaly_of(Fx *f, TfaAnomalyCode code)
{
    for (guint i = 0; f->c->anomalies != NULL && i < f->c->anomalies->len; i++) {
        const TfaAnomaly *a = &g_array_index(f->c->anomalies, TfaAnomaly, i);
        if (a->code == code)
            return a;
    }
    fail_msg("no anomaly %s", tfa_anomaly_name(code));
    return NULL;
}

static inline const TfaRstInfo *rst_n(Fx *f, guint i)
{
    assert_non_null(f->c->rsts);
    assert_true(i < f->c->rsts->len);
    return &g_array_index(f->c->rsts, TfaRstInfo, i);
}

/* SYN, SYN-ACK, ACK: frames 1-3. */
static inline void handshake(Fx *f)
{
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 0);
}

#define FX_TEST(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)
