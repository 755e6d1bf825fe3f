/* icmp.c - the ICMP errors of a connection: a fixed record per endpoint
 * (tcpflow-audit/icmp.h), allocated for both sides at the connection's first
 * ICMP error (a rare packet, not the per-segment path), written without
 * allocating after that. */
#include "config.h"

#include "tcpflow-audit/conntrack.h"

#include "tcpflow-audit/seqnum.h"

void tfa_conntrack_icmp(TfaConn *c, const TfaSegment *seg, uint8_t side)
{
    if (c->icmp == NULL)
        c->icmp = g_new0(TfaIcmpSeen, 2);
    TfaIcmpSeen *s = &c->icmp[side];
    const TfaEndpoint *ep = &c->ep[side];

    if (s->count++ == 0) {
        s->frame = seg->frame_no;
        s->ts = seg->ts;
        s->version = seg->icmp.version;
        s->type = seg->icmp.type;
        s->code = seg->icmp.code;
        s->state = ep->state;
        s->seq = seg->seq;
        s->mtu = seg->icmp.mtu;
        s->reporter = seg->icmp.reporter;
        /* tcp_v4_err drops an error whose quoted sequence number is not in
         * SND.UNA..SND.NXT (LINUX_MIB_OUTOFWINDOWICMPS) */
        uint32_t una = ep->snd_una != 0 ? ep->snd_una : ep->iss; /* no ACK yet: ISS */
        s->window_known = ep->snd_nxt_known && (ep->snd_una != 0 || ep->iss_known);
        s->in_window = s->window_known && !tfa_seq_lt(seg->seq, una) &&
                       !tfa_seq_gt(seg->seq, ep->snd_nxt);
    }
    s->last_frame = seg->frame_no;
    s->last_ts = seg->ts;
    s->last_type = seg->icmp.type;
    s->last_code = seg->icmp.code;
}
