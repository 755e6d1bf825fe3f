/* test-zeek.c - Zeek's conn_state (all 13 values) and history letters, from
 * hand-made segments fed to tfa_zeek_segment() as the engine feeds them.
 *
 * Expected values follow Zeek's published rules (ORACLES.md part 2): the
 * endpoint states of 1.1, the conn_state table of 2 (rules tried top to
 * bottom, "inactive-ish" = INACTIVE or PARTIAL), the letters of 3.  The
 * originator is the tool's (c->client), never Zeek's port heuristics. */
#include "tfa-test.h"

#include "tcpflow-audit/zeek.h"

#define C 0 /* the client's side in these tests */
#define S 1 /* the server's */
#define MS TFA_NSEC_PER_MSEC
#define ISS_C 1000u
#define ISS_S 5000u

enum { SYN = TFA_TH_SYN, ACK = TFA_TH_ACK, FIN = TFA_TH_FIN, RST = TFA_TH_RST, PSH = TFA_TH_PSH };

typedef struct Fx {
    TfaConn *c;
    TfaFrameNo frame;
} Fx;

static int setup(void **state)
{
    Fx *f = g_new0(Fx, 1);
    f->c = g_new0(TfaConn, 1);
    f->c->client = C;
    f->c->originator = TFA_ORIGINATOR_SYN;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    Fx *f = *state;
    tfa_conn_free(f->c);
    g_free(f);
    return 0;
}

/* A fresh connection, for tests that compare several short ones. */
static void renew(Fx *f)
{
    tfa_conn_free(f->c);
    f->c = g_new0(TfaConn, 1);
    f->c->client = C;
    f->c->originator = TFA_ORIGINATOR_SYN;
}

/* One segment from @side, accounted as conntrack does before the zeek
 * module sees it, with the facts seqtrack and the checksum check give. */
static void put(Fx *f, uint8_t side, uint16_t flags, uint32_t seq, uint32_t ack, uint32_t len,
                uint16_t window, const TfaZeekFacts *facts)
{
    f->frame++;
    TfaAddr a = tfa_test_ip4(10, 0, 0, (uint8_t)(1 + side));
    TfaAddr b = tfa_test_ip4(10, 0, 0, (uint8_t)(2 - side));
    TfaSegment seg = tfa_test_seg(a, side == C ? 40000 : 80, b, side == C ? 80 : 40000, flags, seq,
                                  ack, len, f->frame, (TfaTs)f->frame * MS);
    seg.window = window;
    TfaSideStats *st = &f->c->side[side];
    st->packets++;
    st->bytes += len;
    st->flags_seen |= flags;
    tfa_zeek_segment(f->c, &seg, side, facts);
}

static void tx(Fx *f, uint8_t side, uint16_t flags, uint32_t seq, uint32_t ack, uint32_t len)
{
    TfaZeekFacts none = {0};
    put(f, side, flags, seq, ack, len, 65535, &none);
}

/* The ACK from @side acknowledges bytes of its peer never captured. */
static void tx_gap(Fx *f, uint8_t side, uint16_t flags, uint32_t seq, uint32_t ack)
{
    TfaZeekFacts gap = {.content_gap = true, .gap_side = 1 - side};
    put(f, side, flags, seq, ack, 0, 65535, &gap);
}

static void tx_bad_checksum(Fx *f, uint8_t side, uint16_t flags, uint32_t seq, uint32_t ack)
{
    TfaZeekFacts bad = {.bad_checksum = true};
    put(f, side, flags, seq, ack, 0, 65535, &bad);
}

static void tx_window(Fx *f, uint8_t side, uint16_t flags, uint32_t seq, uint32_t ack,
                      uint16_t window)
{
    TfaZeekFacts none = {0};
    put(f, side, flags, seq, ack, 0, window, &none);
}

/* SYN, SYN-ACK, ACK. */
static void handshake(Fx *f)
{
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 0);
}

static void assert_zeek(Fx *f, const char *conn_state, const char *history)
{
    assert_string_equal(tfa_zeek_state_name(tfa_zeek_conn_state(f->c)), conn_state);
    assert_string_equal(f->c->zeek.history, history);
}

static void assert_history(Fx *f, const char *history)
{
    assert_string_equal(f->c->zeek.history, history);
}

/* ---- conn_state: one minimal sequence per value ---- */

/* Rule 12: originator SYN_SENT, responder INACTIVE. */
static void test_s0(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    assert_zeek(f, "S0", "S");
}

/* Rule 13: both ESTABLISHED (the SYN-ACK establishes both). */
static void test_s1(void **state)
{
    Fx *f = *state;
    handshake(f);
    assert_zeek(f, "S1", "ShA");
}

/* Rule 7: both CLOSED. */
static void test_sf(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 2, 0);
    tx(f, C, ACK, ISS_C + 2, ISS_S + 2, 0);
    assert_zeek(f, "SF", "ShAFf");
}

/* Rule 1: responder RESET, originator SYN_SENT. */
static void test_rej(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, S, RST | ACK, 0, ISS_C + 1, 0);
    assert_zeek(f, "REJ", "Sr");
}

/* Rule 9: originator CLOSED, responder active (ESTABLISHED). */
static void test_s2(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    assert_zeek(f, "S2", "ShAF");
}

/* Rule 11: responder CLOSED, originator active (ESTABLISHED). */
static void test_s3(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 1, 0);
    assert_zeek(f, "S3", "ShAf");
}

/* Rule 6: originator RESET, responder active. */
static void test_rsto(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, RST | ACK, ISS_C + 1, ISS_S + 1, 0);
    assert_zeek(f, "RSTO", "ShAR");
}

/* Rule 3: responder RESET, originator neither SYN_SENT nor inactive-ish. */
static void test_rstr(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, S, RST, ISS_S + 1, 0, 0);
    assert_zeek(f, "RSTR", "ShAr");
}

/* Rule 4: originator RESET, responder inactive-ish, history "S", no H A F G
 * I Q, then R.  The responder's ACK of the SYN is ignored (1.1: pure ACK
 * while the originator is SYN_SENT), and a lower-case letter may sit
 * between S and R; an upper-case A may not (rule 5: OTH). */
static void test_rstos0(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, C, RST, ISS_C + 1, 0, 0);
    assert_zeek(f, "RSTOS0", "SR");

    renew(f);
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, S, ACK, ISS_S, ISS_C + 1, 0);
    tx(f, C, RST, ISS_C + 1, 0, 0);
    assert_zeek(f, "RSTOS0", "SaR");
}

/* Rule 2: responder RESET, originator inactive-ish: the SYN-ACK and RST of
 * a server whose client sent nothing captured. */
static void test_rstrh(void **state)
{
    Fx *f = *state;
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);
    tx(f, S, RST, ISS_S + 1, 0, 0);
    assert_zeek(f, "RSTRH", "^hr");
}

/* Rule 8: originator CLOSED, responder inactive-ish (SYN then FIN). */
static void test_sh(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, C, FIN, ISS_C + 1, 0, 0);
    assert_zeek(f, "SH", "SF");
}

/* Rule 10: responder CLOSED, originator inactive-ish (SYN-ACK then FIN). */
static void test_shr(void **state)
{
    Fx *f = *state;
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 1, 0);
    assert_zeek(f, "SHR", "^hf");
}

/* Rule 14: midstream, not closed (originator PARTIAL, responder INACTIVE). */
static void test_oth(void **state)
{
    Fx *f = *state;
    tx(f, C, ACK | PSH, ISS_C + 1, ISS_S + 1, 100);
    assert_zeek(f, "OTH", "D");
}

/* ---- conn_state: the consequences ORACLES.md lists ---- */

/* Rule 5: a lone RST (INACTIVE -> RESET) is OTH; so is SYN, ACK, FIN, RST:
 * the F keeps the history from matching rule 4.  A lone RST from each side
 * with no payload is REJ (rule 1, both RESET and both sizes 0), but with
 * payload sent before it is RSTR (rule 3). */
static void test_rst_variants(void **state)
{
    Fx *f = *state;
    tx(f, C, RST, ISS_C, 0, 0);
    assert_zeek(f, "OTH", "R");
    tx(f, S, RST, ISS_S, 0, 0);
    assert_zeek(f, "REJ", "Rr");

    renew(f);
    tx(f, C, ACK | PSH, ISS_C + 1, ISS_S + 1, 10);
    tx(f, C, RST, ISS_C + 11, 0, 0);
    tx(f, S, RST, ISS_S + 1, 0, 0);
    assert_zeek(f, "RSTR", "DRr");

    /* RSTs carrying text (a diagnostic): Zeek's sizes are sequence space,
     * which a RST's payload is not, so both are 0 and it is still REJ */
    renew(f);
    tx(f, C, RST, ISS_C, 0, 20);
    tx(f, S, RST | ACK, ISS_S, ISS_C, 30);
    assert_zeek(f, "REJ", "Rr");

    renew(f);
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, S, ACK, ISS_S, ISS_C + 1, 0);
    tx(f, C, FIN, ISS_C + 1, 0, 0);
    tx(f, C, RST, ISS_C + 2, 0, 0);
    assert_zeek(f, "OTH", "SaFR");

    renew(f);
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, C, RST, ISS_C + 1, 0, 0);
    assert_zeek(f, "OTH", "SAR");
}

/* Rule 7 survives a RST after both FINs (CLOSED ignores a RST when the peer
 * is CLOSED too), and FIN, RST, then the peer's FIN (the peer's RST coming
 * from CLOSED is turned back into CLOSED). */
static void test_sf_through_rst(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 2, 0);
    tx(f, S, RST, ISS_S + 2, 0, 0);
    assert_zeek(f, "SF", "ShAFfr");

    renew(f);
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, C, RST, ISS_C + 2, 0, 0);
    assert_zeek(f, "RSTO", "ShAFR");
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 2, 0);
    assert_zeek(f, "SF", "ShAFRf");
}

/* SF without a handshake: midstream data, both FINs ("DaFfA"). */
static void test_sf_midstream(void **state)
{
    Fx *f = *state;
    tx(f, C, ACK | PSH, ISS_C + 1, ISS_S + 1, 100);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 101, 0);
    assert_zeek(f, "OTH", "Da");
    tx(f, C, FIN | ACK, ISS_C + 101, ISS_S + 1, 0);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 102, 0);
    tx(f, C, ACK, ISS_C + 102, ISS_S + 2, 0);
    assert_zeek(f, "SF", "DaFfA");
}

/* One-sided captures: the client's half is S0 with data ("SAD": the
 * originator never leaves SYN_SENT by itself), then SH ("SADF"); the
 * server's half is SHR ("^hdaf", as Zeek's ssh.server-side-half-duplex
 * trace: the first packet, a SYN-ACK, came from the responder). */
static void test_half_duplex(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, C, ACK | PSH, ISS_C + 1, ISS_S + 1, 100);
    assert_zeek(f, "S0", "SAD");
    tx(f, C, FIN | ACK, ISS_C + 101, ISS_S + 1, 0);
    assert_zeek(f, "SH", "SADF");

    renew(f);
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);
    tx(f, S, ACK | PSH, ISS_S + 1, ISS_C + 1, 100);
    tx(f, S, ACK, ISS_S + 101, ISS_C + 50, 0);
    tx(f, S, FIN | ACK, ISS_S + 101, ISS_C + 50, 0);
    assert_zeek(f, "SHR", "^hdaf");
}

/* Endpoint rules of 1.1 for an INACTIVE sender: the responder's early ACK
 * (or an empty flagless packet) while the originator is SYN_SENT is
 * ignored; an ACK while the peer is ESTABLISHED establishes (the SYN was
 * missed: S1, not OTH); a SYN after PARTIAL with the peer INACTIVE goes to
 * SYN_SENT (S0). */
static void test_inactive_rules(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, S, ACK, ISS_S, ISS_C + 1, 0);
    tx(f, S, 0, ISS_S, 0, 0);
    assert_zeek(f, "S0", "Sa");
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);
    assert_zeek(f, "S1", "Sah");

    renew(f);
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 0);
    assert_zeek(f, "S1", "^hA");

    renew(f);
    tx(f, C, ACK | PSH, ISS_C + 1, ISS_S + 1, 10);
    tx(f, C, SYN, ISS_C + 500, 0, 0);
    assert_zeek(f, "S0", "DS");
}

/* Simultaneous open: the responder's SYN (INACTIVE, pure SYN) establishes
 * it and the originator waiting in SYN_SENT, as a SYN-ACK would: S1.  The
 * SYN-ACKs repeat each side's ISN, so no H/h (S and H share one slot). */
static void test_simultaneous_open(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, S, SYN, ISS_S, 0, 0);
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);
    tx(f, C, SYN | ACK, ISS_C, ISS_S + 1, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 0);
    assert_zeek(f, "S1", "SsA");
}

/* Flags of one packet act in order SYN, FIN, RST: a responder's SYN-ACK
 * carrying RST (Q) first establishes the originator, then resets the
 * responder: RSTR, not REJ.  An originator's SYN+FIN: SYN_SENT then
 * CLOSED: SH. */
static void test_multi_flag_states(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, S, SYN | ACK | RST, ISS_S, ISS_C + 1, 0);
    assert_zeek(f, "RSTR", "Sq");

    renew(f);
    tx(f, C, SYN | FIN, ISS_C, 0, 0);
    assert_zeek(f, "SH", "Q");
}

/* ---- history letters ---- */

/* A whole connection: letters in order of first occurrence, upper case for
 * the originator, D and A once per direction however many packets. */
static void test_order_and_case(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK | PSH, ISS_C + 1, ISS_S + 1, 100);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 101, 0);
    tx(f, S, ACK | PSH, ISS_S + 1, ISS_C + 101, 200);
    tx(f, C, ACK, ISS_C + 101, ISS_S + 201, 0);
    for (uint32_t i = 0; i < 5; i++) {
        tx(f, C, ACK | PSH, ISS_C + 101 + 10 * i, ISS_S + 201, 10);
        tx(f, S, ACK, ISS_S + 201, ISS_C + 111 + 10 * i, 0);
        tx(f, S, ACK | PSH, ISS_S + 201 + 10 * i, ISS_C + 151, 10);
    }
    tx(f, C, FIN | ACK, ISS_C + 151, ISS_S + 251, 0);
    tx(f, S, FIN | ACK, ISS_S + 251, ISS_C + 152, 0);
    tx(f, C, ACK, ISS_C + 152, ISS_S + 252, 0);
    assert_zeek(f, "SF", "ShADadFf");
}

/* Packets that add nothing: no flags and no payload; a SYN with data adds
 * only S; a FIN with data only F; a RST with data only R. */
static void test_quiet_packets(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 20);
    assert_history(f, "S");
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 21, 0);
    tx(f, C, 0, ISS_C + 21, 0, 0);
    assert_history(f, "Sh");
    tx(f, C, FIN | ACK, ISS_C + 21, ISS_S + 1, 30);
    assert_history(f, "ShF");
    tx(f, S, RST | ACK, ISS_S + 1, ISS_C + 52, 40);
    assert_history(f, "ShFr");
}

/* S and H again only for a different sequence number of the same
 * direction: a retransmitted SYN adds nothing, a SYN with a new ISN adds S;
 * likewise for SYN-ACKs. */
static void test_syn_repeats(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, C, SYN, ISS_C, 0, 0);
    assert_history(f, "S");
    tx(f, C, SYN, ISS_C + 7777, 0, 0);
    assert_history(f, "SS");
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 7778, 0);
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 7778, 0);
    assert_history(f, "SSh");
    tx(f, S, SYN | ACK, ISS_S + 9, ISS_C + 7778, 0);
    assert_zeek(f, "S1", "SShh");
}

/* F again only if sequence + payload length differs from the last FIN of
 * that direction; R again only if the sequence number differs. */
static void test_fin_rst_repeats(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    assert_history(f, "ShAF");
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 5);
    assert_history(f, "ShAFF");
    tx(f, S, RST, ISS_S + 1, 0, 0);
    tx(f, S, RST, ISS_S + 1, 0, 0);
    assert_history(f, "ShAFFr");
    tx(f, S, RST, ISS_S + 2, 0, 0);
    assert_zeek(f, "RSTR", "ShAFFrr");
}

/* I: FIN and RST together (with or without SYN), once per direction.
 * Q: SYN with FIN or RST, once per direction.  Neither adds S, F or R. */
static void test_inconsistent_and_multi_flag(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | RST | ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, C, FIN | RST, ISS_C + 2, 0, 0);
    tx(f, C, SYN | FIN | RST, ISS_C + 3, 0, 0);
    assert_history(f, "ShAI");
    tx(f, S, FIN | RST, ISS_S + 1, 0, 0);
    assert_history(f, "ShAIi");

    renew(f);
    tx(f, C, SYN | FIN, ISS_C, 0, 0);
    tx(f, C, SYN | RST, ISS_C, 0, 0);
    assert_history(f, "Q");
    tx(f, S, SYN | RST | ACK, ISS_S, ISS_C + 1, 0);
    tx(f, S, SYN | FIN, ISS_S, 0, 0);
    assert_history(f, "Qq");
}

/* T: a data packet whose end does not advance the sender's highest
 * sequence: retransmission or reordering.  Recorded at the 1st, 10th, 100th
 * and 1000th occurrence of that direction. */
static void test_retransmission_scaled(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK | PSH, ISS_C + 1, ISS_S + 1, 100);
    static const struct {
        guint upto;
        const char *history;
    } steps[] = {
        {1, "ShADT"},     {9, "ShADT"},     {10, "ShADTT"},     {99, "ShADTT"},
        {100, "ShADTTT"}, {999, "ShADTTT"}, {1000, "ShADTTTT"},
    };
    guint n = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(steps); i++) {
        for (; n < steps[i].upto; n++)
            tx(f, C, ACK | PSH, ISS_C + 1, ISS_S + 1, 100);
        assert_history(f, steps[i].history);
    }
    /* the responder's count is its own */
    tx(f, S, ACK | PSH, ISS_S + 1, ISS_C + 101, 10);
    tx(f, S, ACK | PSH, ISS_S + 1, ISS_C + 101, 10);
    assert_history(f, "ShADTTTTdt");
}

/* Reordering counts as T; a FIN carrying the last data again advances by
 * its FIN octet and is not a retransmission; nothing is T once RESET. */
static void test_retransmission_edges(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK | PSH, ISS_C + 101, ISS_S + 1, 100);
    tx(f, C, ACK | PSH, ISS_C + 1, ISS_S + 1, 100);
    assert_history(f, "ShADT");

    renew(f);
    handshake(f);
    tx(f, C, ACK | PSH, ISS_C + 1, ISS_S + 1, 100);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 100);
    assert_history(f, "ShADF");
    tx(f, S, ACK | PSH, ISS_S + 1, ISS_C + 102, 50);
    tx(f, S, RST, ISS_S + 51, 0, 0);
    tx(f, S, ACK | PSH, ISS_S + 1, ISS_C + 102, 50);
    assert_history(f, "ShADFdr");
}

/* W: window 0, not on a RST, not once the peer is CLOSED, not from a RESET
 * sender; 1st, 10th, 100th occurrence per direction. */
static void test_zero_window(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, ACK | PSH, ISS_C + 1, ISS_S + 1, 100);
    tx_window(f, S, ACK, ISS_S + 1, ISS_C + 101, 0);
    assert_history(f, "ShADaw");
    for (int i = 2; i <= 9; i++)
        tx_window(f, S, ACK, ISS_S + 1, ISS_C + 101, 0);
    assert_history(f, "ShADaw");
    tx_window(f, S, ACK, ISS_S + 1, ISS_C + 101, 0);
    assert_history(f, "ShADaww");
    tx_window(f, C, ACK, ISS_C + 101, ISS_S + 1, 0);
    assert_history(f, "ShADawwW");
    tx_window(f, S, RST | ACK, ISS_S + 1, ISS_C + 101, 0);
    assert_history(f, "ShADawwWr");
    tx_window(f, S, ACK, ISS_S + 1, ISS_C + 101, 0); /* RESET sender */
    assert_history(f, "ShADawwWr");
}

/* W after the peer's FIN: not counted while the peer is CLOSED, counted
 * again when a RST took it out of CLOSED. */
static void test_zero_window_after_fin(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    tx_window(f, S, ACK, ISS_S + 1, ISS_C + 2, 0);
    assert_history(f, "ShAFa");
    tx(f, C, RST, ISS_C + 2, 0, 0);
    tx_window(f, S, ACK, ISS_S + 1, ISS_C + 2, 0);
    assert_history(f, "ShAFaRw");
}

/* G: the peer acknowledged bytes never captured, recorded for the stream
 * that has the hole, only when both endpoints are ESTABLISHED or CLOSED
 * after this packet's state change: not during the handshake, not on the
 * RST that reveals it; 1st, 10th, ... per direction. */
static void test_content_gap(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    tx_gap(f, S, ACK, ISS_S, ISS_C + 500); /* ignored early ACK: no G */
    assert_history(f, "Sa");
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 0);
    tx_gap(f, S, ACK, ISS_S + 1, ISS_C + 101);
    assert_history(f, "SahAG");
    tx_gap(f, C, ACK, ISS_C + 101, ISS_S + 51);
    assert_history(f, "SahAGg");
    for (int i = 2; i <= 10; i++)
        tx_gap(f, S, ACK, ISS_S + 1, ISS_C + 101 + (uint32_t)i);
    assert_history(f, "SahAGgG");
    tx_gap(f, S, FIN | ACK, ISS_S + 1, ISS_C + 300); /* CLOSED counts */
    for (int i = 12; i <= 99; i++)
        tx_gap(f, S, ACK, ISS_S + 2, ISS_C + 300 + (uint32_t)i);
    assert_history(f, "SahAGgGf");
    tx_gap(f, S, RST | ACK, ISS_S + 2, ISS_C + 900); /* the 100th, but RESET */
    assert_history(f, "SahAGgGfr");
}

/* C: a bad checksum adds only C/c (scaled) and the packet changes no state. */
static void test_bad_checksum(void **state)
{
    Fx *f = *state;
    tx_bad_checksum(f, C, SYN, ISS_C, 0);
    assert_zeek(f, "OTH", "C");
    tx(f, C, SYN, ISS_C, 0, 0);
    assert_zeek(f, "S0", "CS");
    for (int i = 1; i <= 10; i++)
        tx_bad_checksum(f, S, SYN | ACK, ISS_S, ISS_C + 1);
    assert_zeek(f, "S0", "CScc");
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);
    assert_zeek(f, "S1", "CScch");
}

/* ^: the tool revised the originator (a pure SYN from the side it had not
 * taken for the client).  The packet's letter keeps the old orientation and
 * ^ follows it; the once-per-direction letters belong to the role, so the
 * new originator's data adds no D (the old originator's D took it) while
 * the new responder's adds d. */
static void test_flip(void **state)
{
    Fx *f = *state;
    f->c->client = C;
    f->c->originator = TFA_ORIGINATOR_FIRST_PACKET;
    tx(f, C, ACK | PSH, ISS_C + 1, ISS_S + 1, 10);
    assert_history(f, "D");
    f->c->client = S; /* conntrack, on the SYN from S */
    f->c->originator = TFA_ORIGINATOR_SYN;
    tx(f, S, SYN, ISS_S, 0, 0);
    assert_history(f, "Ds^");
    tx(f, S, ACK | PSH, ISS_S + 1, ISS_C + 11, 10);
    tx(f, C, ACK | PSH, ISS_C + 11, ISS_S + 11, 10);
    tx(f, C, FIN | ACK, ISS_C + 21, ISS_S + 11, 0);
    /* S, the originator, is SYN_SENT (not inactive-ish), C, the responder,
     * CLOSED: rule 11, S3 */
    assert_zeek(f, "S3", "Ds^df");
}

/* A packet whose payload the snap length cut (@caplen of @len captured). */
static void tx_cut(Fx *f, uint8_t side, uint16_t flags, uint32_t seq, uint32_t ack, uint32_t len,
                   uint32_t caplen)
{
    f->frame++;
    TfaAddr a = tfa_test_ip4(10, 0, 0, (uint8_t)(1 + side));
    TfaAddr b = tfa_test_ip4(10, 0, 0, (uint8_t)(2 - side));
    TfaSegment seg = tfa_test_seg(a, side == C ? 40000 : 80, b, side == C ? 80 : 40000, flags, seq,
                                  ack, len, f->frame, (TfaTs)f->frame * MS);
    seg.payload_caplen = caplen;
    seg.diags |= 1u << TFA_DIAG_DECODE_TRUNCATED; /* as the decoder marks it */
    f->c->side[side].packets++;
    f->c->side[side].bytes += len;
    TfaZeekFacts none = {0};
    tfa_zeek_segment(f->c, &seg, side, &none);
}

/* '^' first: the first packet came from the responder and was not a pure
 * SYN.  Zeek flips such a connection at creation (the sender's port is a
 * likely server port) or, for a SYN-ACK, at the next ACK or data (Zeek's
 * tcp/http-on-irc-port-missing-syn trace: "^hADadFf").  A first packet
 * from the client, or a pure SYN, starts without it. */
static void test_first_packet_from_responder(void **state)
{
    Fx *f = *state;
    f->c->originator = TFA_ORIGINATOR_SYNACK;
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, C, ACK | PSH, ISS_C + 1, ISS_S + 1, 10);
    tx(f, S, ACK | PSH, ISS_S + 1, ISS_C + 11, 10);
    assert_zeek(f, "S1", "^hADd");

    /* data from the server first, the client decided by the ports */
    renew(f);
    f->c->originator = TFA_ORIGINATOR_PORT;
    tx(f, S, ACK | PSH, ISS_S + 1, ISS_C + 1, 10);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 11, 0);
    assert_zeek(f, "OTH", "^dA");

    /* a lone RST from the server's port (Zeek's tunnels/Teredo trace):
     * RSTRH, "^r"; from the client's port it stays OTH, "R" */
    renew(f);
    f->c->originator = TFA_ORIGINATOR_PORT;
    tx(f, S, RST, ISS_S, 0, 0);
    assert_zeek(f, "RSTRH", "^r");
    renew(f);
    f->c->originator = TFA_ORIGINATOR_PORT;
    tx(f, C, RST, ISS_C, 0, 0);
    assert_zeek(f, "OTH", "R");

    /* the client's data first: no flip */
    renew(f);
    f->c->originator = TFA_ORIGINATOR_FIRST_PACKET;
    tx(f, C, ACK | PSH, ISS_C + 1, ISS_S + 1, 10);
    assert_zeek(f, "OTH", "D");

    /* SYN-ACK captured before its SYN (Zeek's tcp/handshake-reorder trace):
     * with port 80 a likely server port Zeek flips at creation, then the
     * SYN is the originator's: "^hS" and both FINs make SF */
    renew(f);
    f->c->originator = TFA_ORIGINATOR_SYNACK;
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);
    tx(f, C, SYN, ISS_C, 0, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, C, FIN | ACK, ISS_C + 1, ISS_S + 1, 0);
    tx(f, S, FIN | ACK, ISS_S + 1, ISS_C + 2, 0);
    assert_zeek(f, "SF", "^hSAFf");
}

/* Payload cut by the snap length is never delivered to Zeek's reassembler:
 * the peer's ACK past it reveals a content gap, G for the originator's
 * bytes, g for the responder's, once per hole (Zeek's
 * tcp/retransmit-fast009 trace: "ShADaGdgtR").  A RST's payload makes no
 * hole; a whole retransmission fills one; no letter before both sides are
 * established. */
static void test_cut_payload_gap(void **state)
{
    Fx *f = *state;
    handshake(f);
    tx_cut(f, C, ACK | PSH, ISS_C + 1, ISS_S + 1, 100, 0);
    assert_history(f, "ShAD");
    tx(f, S, ACK, ISS_S + 1, ISS_C + 101, 0);
    assert_history(f, "ShADaG");
    tx(f, S, ACK, ISS_S + 1, ISS_C + 101, 0); /* reported once */
    tx_cut(f, S, ACK | PSH, ISS_S + 1, ISS_C + 101, 50, 10);
    tx(f, C, ACK, ISS_C + 101, ISS_S + 51, 0);
    assert_zeek(f, "S1", "ShADaGdg");

    /* filled by a whole retransmission before the ACK: no gap */
    renew(f);
    handshake(f);
    tx_cut(f, C, ACK | PSH, ISS_C + 1, ISS_S + 1, 100, 20);
    tx(f, C, ACK | PSH, ISS_C + 1, ISS_S + 1, 100);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 101, 0);
    assert_history(f, "ShADTa");

    /* a RST's payload is no data */
    renew(f);
    handshake(f);
    tx_cut(f, S, RST, ISS_S + 1, 0, 30, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 31, 0);
    assert_zeek(f, "RSTR", "ShAr");

    /* the originator still SYN_SENT (no SYN-ACK captured): no letter */
    renew(f);
    tx(f, C, SYN, ISS_C, 0, 0);
    tx_cut(f, C, ACK | PSH, ISS_C + 1, ISS_S + 1, 100, 0);
    tx(f, S, ACK, ISS_S + 1, ISS_C + 101, 0);
    assert_zeek(f, "S0", "SDa");
}

/* A segment without payload whose TCP options the snap length cut is
 * dropped, as Zeek drops it (truncated_header; Zeek's tcp/truncated-header
 * trace starts at the SYN-ACK): no letter, no state.  With payload the cut
 * cannot be placed and the segment counts. */
static void test_cut_header_dropped(void **state)
{
    Fx *f = *state;
    TfaZeekFacts none = {0};
    f->frame++;
    TfaSegment seg = tfa_test_seg(tfa_test_ip4(10, 0, 0, 1), 40000, tfa_test_ip4(10, 0, 0, 2), 80,
                                  SYN, ISS_C, 0, 0, f->frame, (TfaTs)f->frame * MS);
    seg.diags |= 1u << TFA_DIAG_DECODE_TRUNCATED;
    tfa_zeek_segment(f->c, &seg, C, &none);
    assert_zeek(f, "OTH", "");
    tx(f, S, SYN | ACK, ISS_S, ISS_C + 1, 0);
    tx(f, C, ACK, ISS_C + 1, ISS_S + 1, 0);
    assert_zeek(f, "S1", "^hA");

    renew(f);
    handshake(f);
    tx_cut(f, C, ACK | PSH, ISS_C + 1, ISS_S + 1, 100, 0);
    assert_history(f, "ShAD");
}

/* The history is capped (TFA_ZEEK_HISTORY_MAX), never overrun. */
static void test_history_cap(void **state)
{
    Fx *f = *state;
    tx(f, C, SYN, ISS_C, 0, 0);
    for (uint32_t i = 1; i <= 60; i++) {
        tx(f, C, SYN, ISS_C + 1000 * i, 0, 0);
        tx(f, S, RST, ISS_S + i, 0, 0);
    }
    assert_int_equal(strlen(f->c->zeek.history), TFA_ZEEK_HISTORY_MAX);
    assert_int_equal(f->c->zeek.hlen, TFA_ZEEK_HISTORY_MAX);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_s0), T(test_s1), T(test_sf), T(test_rej), T(test_s2), T(test_s3),
        T(test_rsto), T(test_rstr), T(test_rstos0), T(test_rstrh), T(test_sh), T(test_shr),
        T(test_oth), T(test_rst_variants), T(test_sf_through_rst), T(test_sf_midstream),
        T(test_half_duplex), T(test_inactive_rules), T(test_simultaneous_open),
        T(test_multi_flag_states), T(test_order_and_case), T(test_quiet_packets),
        T(test_syn_repeats), T(test_fin_rst_repeats), T(test_inconsistent_and_multi_flag),
        T(test_retransmission_scaled), T(test_retransmission_edges), T(test_zero_window),
        T(test_zero_window_after_fin), T(test_content_gap), T(test_bad_checksum), T(test_flip),
        T(test_history_cap), T(test_first_packet_from_responder), T(test_cut_payload_gap),
        T(test_cut_header_dropped),
    };
#undef T
    return cmocka_run_group_tests_name("zeek/zeek", tests, NULL, NULL);
}
