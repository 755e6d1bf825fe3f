/* zeek.c - Zeek's endpoint states, history letters and conn_state. */
#include "config.h"

#include "tcpflow-audit/zeek.h"

#include "tcpflow-audit/seqnum.h"

#include <string.h>

enum { ONCE_D, ONCE_A, ONCE_I, ONCE_Q };
enum { LOG_T, LOG_G, LOG_W, LOG_C };

static const char *const state_names[] = {
#define X(name) #name,
    TFA_ZEEK_STATE_LIST(X)
#undef X
};

const char *tfa_zeek_state_name(TfaZeekState s)
{
    return (unsigned)s < G_N_ELEMENTS(state_names) ? state_names[s] : "?";
}

static void letter(TfaZeekTrack *z, char ch, bool orig)
{
    if (z->hlen >= TFA_ZEEK_HISTORY_MAX)
        return;
    z->history[z->hlen++] = orig ? ch : (char)(ch - 'A' + 'a');
    z->history[z->hlen] = '\0';
}

/* Zeek's "scaled history entry": the 1st, 10th, 100th, ... occurrence. */
static void scaled(TfaZeekTrack *z, uint8_t side, int which, char ch, bool orig)
{
    if (z->next_at[side][which] == 0)
        z->next_at[side][which] = 1;
    if (++z->count[side][which] == z->next_at[side][which]) {
        letter(z, ch, orig);
        z->next_at[side][which] *= 10;
    }
}

static bool inactive_ish(uint8_t st)
{
    return st == TFA_Z_INACTIVE || st == TFA_Z_PARTIAL;
}

/* The history letter of one packet, decided before any state change. */
static void history(TfaConn *c, const TfaSegment *seg, uint8_t side, bool orig)
{
    TfaZeekTrack *z = &c->zeek;
    uint16_t f = seg->flags;
    bool syn = f & TFA_TH_SYN, fin = f & TFA_TH_FIN, rst = f & TFA_TH_RST;
    int n = syn + fin + rst;

    if (n == 1) {
        if (syn) {
            uint32_t rel = seg->seq;
            if (!z->seen_synlike[side] || z->synlike_seq[side] != rel)
                letter(z, (f & TFA_TH_ACK) ? 'H' : 'S', orig);
            z->seen_synlike[side] = true;
            z->synlike_seq[side] = rel;
        } else if (fin) {
            uint32_t end = seg->seq + seg->payload_len;
            if (!z->seen_fin[side] || z->fin_end[side] != end)
                letter(z, 'F', orig);
            z->seen_fin[side] = true;
            z->fin_end[side] = end;
        } else {
            if (!z->seen_rst[side] || z->rst_seq[side] != seg->seq)
                letter(z, 'R', orig);
            z->seen_rst[side] = true;
            z->rst_seq[side] = seg->seq;
        }
    } else if (fin && rst) {
        if (!z->once[side][ONCE_I])
            letter(z, 'I', orig);
        z->once[side][ONCE_I] = true;
    } else if (n == 2) {
        if (!z->once[side][ONCE_Q])
            letter(z, 'Q', orig);
        z->once[side][ONCE_Q] = true;
    } else if (seg->payload_len > 0) {
        if (!z->once[side][ONCE_D])
            letter(z, 'D', orig);
        z->once[side][ONCE_D] = true;
    } else if (f & TFA_TH_ACK) {
        if (!z->once[side][ONCE_A])
            letter(z, 'A', orig);
        z->once[side][ONCE_A] = true;
    }

    /* a data packet that does not advance the highest sequence seen:
     * retransmitted or reordered */
    uint32_t end = seg->seq + seg->payload_len + (syn ? 1u : 0u) + (fin ? 1u : 0u);
    if (seg->payload_len > 0 && !syn && !rst && z->st[side] != TFA_Z_RESET &&
        z->max_known[side] && !tfa_seq_gt(end, z->max_end[side]))
        scaled(z, side, LOG_T, 'T', orig);
    /* not once the peer is CLOSED: its FIN, unless a RST followed */
    if (seg->window == 0 && !rst && z->st[1 - side] != TFA_Z_CLOSED && z->st[side] != TFA_Z_RESET)
        scaled(z, side, LOG_W, 'W', orig);
    if (!rst && (!z->max_known[side] || tfa_seq_gt(end, z->max_end[side]))) {
        z->max_end[side] = end;
        z->max_known[side] = true;
    }
}

/* The sender's endpoint state (ORACLES.md part 2, table 1.1). */
static void transition(TfaConn *c, const TfaSegment *seg, uint8_t side, bool orig)
{
    TfaZeekTrack *z = &c->zeek;
    uint8_t *me = &z->st[side], *peer = &z->st[1 - side];
    uint16_t f = seg->flags;
    bool syn = f & TFA_TH_SYN, fin = f & TFA_TH_FIN, rst = f & TFA_TH_RST, ack = f & TFA_TH_ACK;

    switch (*me) {
    case TFA_Z_INACTIVE:
        /* SYN, then FIN, then RST, each on the state the previous left */
        if (syn && orig) {
            *me = ack ? TFA_Z_SYN_ACK_SENT : TFA_Z_SYN_SENT;
        } else if (syn) {
            /* a SYN-ACK, or a SYN of a simultaneous open: both establish */
            *me = TFA_Z_ESTABLISHED;
            if (*peer == TFA_Z_SYN_SENT)
                *peer = TFA_Z_ESTABLISHED;
        }
        if (fin)
            *me = TFA_Z_CLOSED;
        if (rst)
            *me = TFA_Z_RESET;
        if (*me != TFA_Z_INACTIVE) {
            /* moved by its flags */
        } else if (!orig && seg->payload_len == 0 && *peer == TFA_Z_SYN_SENT) {
            /* a stack that ACKs a SYN before answering it: ignored */
        } else if (ack && *peer == TFA_Z_ESTABLISHED) {
            *me = TFA_Z_ESTABLISHED;
        } else {
            *me = TFA_Z_PARTIAL;
        }
        break;
    case TFA_Z_SYN_SENT:
    case TFA_Z_SYN_ACK_SENT:
        if (rst)
            *me = TFA_Z_RESET;
        else if (fin)
            *me = TFA_Z_CLOSED;
        break;
    case TFA_Z_ESTABLISHED:
    case TFA_Z_PARTIAL:
        if (syn && !ack && !fin && !rst && *me == TFA_Z_PARTIAL && *peer == TFA_Z_INACTIVE) {
            *me = TFA_Z_SYN_SENT;
        } else if (rst) {
            *me = TFA_Z_RESET;
        } else if (fin) {
            *me = TFA_Z_CLOSED;
            if (*peer == TFA_Z_RESET && z->reset_from_closed[1 - side])
                *peer = TFA_Z_CLOSED; /* FIN, RST, then the peer's FIN: "normal" */
        }
        break;
    case TFA_Z_CLOSED:
        if (rst && *peer != TFA_Z_CLOSED) {
            *me = TFA_Z_RESET;
            z->reset_from_closed[side] = true;
        }
        break;
    default:
        break; /* RESET stays */
    }
}

/* Zeek hands its reassembler only payload captured whole: bytes cut by
 * the snap length are a hole, reported as a content gap (G) when the peer
 * acknowledges past them.  A whole copy of the missing bytes fills it. */
static void note_hole(TfaZeekTrack *z, const TfaSegment *seg, uint8_t side)
{
    if (seg->payload_len == 0 || (seg->flags & TFA_TH_RST))
        return;
    uint32_t start = seg->seq + ((seg->flags & TFA_TH_SYN) ? 1u : 0u);
    if (seg->payload_caplen < seg->payload_len) {
        if (!z->hole[side]) {
            z->hole[side] = true;
            z->hole_seq[side] = start;
        }
    } else if (z->hole[side] && !tfa_seq_gt(start, z->hole_seq[side]) &&
               tfa_seq_gt(start + seg->payload_len, z->hole_seq[side])) {
        z->hole[side] = false;
    }
}

/* Zeek's once-per-direction slots belong to the role, so D A I Q follow a
 * flip (S F R and the counters stay with the endpoint). */
static void flip(TfaZeekTrack *z)
{
    bool t[4];
    memcpy(t, z->once[0], sizeof(t));
    memcpy(z->once[0], z->once[1], sizeof(t));
    memcpy(z->once[1], t, sizeof(t));
    letter(z, '^', true);
}

void tfa_zeek_segment(TfaConn *c, const TfaSegment *seg, uint8_t side, const TfaZeekFacts *facts)
{
    TfaZeekTrack *z = &c->zeek;
    /* Zeek drops a packet whose TCP header, options included, was not
     * captured whole (weird "truncated_header"): it leaves no letter and
     * moves no state.  Told apart from cut payload when there is none. */
    if ((seg->diags & (1u << TFA_DIAG_DECODE_TRUNCATED)) && seg->payload_len == 0)
        return;
    if (!z->started) {
        z->started = true;
        z->orig_side = c->client;
        /* A connection first seen through a packet of the responder's that
         * is not a pure SYN: Zeek flips it at creation (the sender's port
         * is a likely server port) or, for a SYN-ACK, at the next ACK or
         * data ("H" becomes "^h"); either way its history starts with '^'. */
        if (side != c->client && (seg->flags & (TFA_TH_SYN | TFA_TH_ACK)) != TFA_TH_SYN)
            letter(z, '^', true);
    }
    /* The letter is written as the originator was known before this
     * packet; a revision it caused (the SYN that settles who the client is)
     * is marked after it, as Zeek marks its own flips ("Hs^"). */
    bool orig = side == z->orig_side;
    if (facts->bad_checksum)
        scaled(z, side, LOG_C, 'C', orig); /* Zeek then drops the packet */
    else
        history(c, seg, side, orig);
    if (z->orig_side != c->client) {
        flip(z);
        z->orig_side = c->client;
    }
    if (facts->bad_checksum)
        return;
    transition(c, seg, side, side == c->client);
    if (seg->payload_len > 0 && !(seg->flags & TFA_TH_RST))
        z->sent_data[side] = true; /* a RST's payload is no part of the stream */
    /* after the state change, as Zeek delivers the ACK to the reassembler:
     * a gap revealed by a RST is not recorded */
    uint8_t peer = (uint8_t)(1 - side);
    bool gap = facts->content_gap;
    uint8_t gs = gap ? (uint8_t)facts->gap_side : peer;
    if ((seg->flags & TFA_TH_ACK) && z->hole[peer] && tfa_seq_gt(seg->ack, z->hole_seq[peer])) {
        z->hole[peer] = false; /* reported once, as Zeek's reassembler does */
        if (!gap || gs == peer) {
            gap = true;
            gs = peer;
        }
    }
    if (gap) {
        if (z->st[0] == TFA_Z_ESTABLISHED || z->st[0] == TFA_Z_CLOSED)
            if (z->st[1] == TFA_Z_ESTABLISHED || z->st[1] == TFA_Z_CLOSED)
                scaled(z, gs, LOG_G, 'G', gs == c->client);
    }
    note_hole(z, seg, side);
}

/* "optional ^, S, then any letters except H A F G I Q, then R, then anything" */
static bool rstos0_history(const char *h)
{
    if (*h == '^')
        h++;
    if (*h != 'S')
        return false;
    for (h++; *h != '\0'; h++) {
        if (*h == 'R')
            return true;
        if (strchr("HAFGIQ", *h) != NULL)
            return false;
    }
    return false;
}

TfaZeekState tfa_zeek_conn_state(const TfaConn *c)
{
    const TfaZeekTrack *z = &c->zeek;
    uint8_t os = z->st[c->client], rs = z->st[1 - c->client];

    if (rs == TFA_Z_RESET) {
        /* Zeek's sizes count sequence space, which a RST's payload is not */
        if (os == TFA_Z_SYN_SENT || os == TFA_Z_SYN_ACK_SENT ||
            (os == TFA_Z_RESET && !z->sent_data[0] && !z->sent_data[1]))
            return TFA_ZEEK_REJ;
        if (inactive_ish(os))
            return TFA_ZEEK_RSTRH;
        return TFA_ZEEK_RSTR;
    }
    if (os == TFA_Z_RESET) {
        if (inactive_ish(rs))
            return rstos0_history(z->history) ? TFA_ZEEK_RSTOS0 : TFA_ZEEK_OTH;
        return TFA_ZEEK_RSTO;
    }
    if (os == TFA_Z_CLOSED && rs == TFA_Z_CLOSED)
        return TFA_ZEEK_SF;
    if (os == TFA_Z_CLOSED)
        return inactive_ish(rs) ? TFA_ZEEK_SH : TFA_ZEEK_S2;
    if (rs == TFA_Z_CLOSED)
        return inactive_ish(os) ? TFA_ZEEK_SHR : TFA_ZEEK_S3;
    if (os == TFA_Z_SYN_SENT && rs == TFA_Z_INACTIVE)
        return TFA_ZEEK_S0;
    if (os == TFA_Z_ESTABLISHED && rs == TFA_Z_ESTABLISHED)
        return TFA_ZEEK_S1;
    return TFA_ZEEK_OTH;
}
