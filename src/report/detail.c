/* detail.c - the one-line explanation of each anomaly and finding, made at
 * report time from the numbers they carry (anomalies carry no strings): who,
 * what the capture shows (frames, times, sequence numbers) and what it means
 * for the engineer who reads it. */
#include "config.h"

#include "tcpflow-audit/report.h"

#include "tcpflow-audit/decode.h"
#include "tcpflow-audit/seqnum.h"
#include "tcpflow-audit/seqtrack.h"

#include <inttypes.h>
#include <string.h>

/* "client 10.0.0.1:40000" */
static const char *who(const TfaConnRecord *rec, int8_t side, char *buf, size_t len)
{
    if (side < 0) {
        g_strlcpy(buf, "both endpoints", len);
        return buf;
    }
    TfaRole r = (uint8_t)side == rec->side[TFA_ROLE_CLIENT] ? TFA_ROLE_CLIENT : TFA_ROLE_SERVER;
    const char *ip = rec->ip[r];
    g_snprintf(buf, len, strchr(ip, ':') != NULL ? "%s [%s]:%u" : "%s %s:%u",
               r == TFA_ROLE_CLIENT ? "client" : "server", ip, rec->port[r]);
    return buf;
}

/* What a retransmission reported as possible lacks (seqtrack: resent at
 * once, nothing from the peer in between). */
static const char *unasked(const TfaAnomaly *a)
{
    return a->possible ? "; but it left at once after the first copy with nothing from the peer "
                         "in between, which no loss recovery does: an edited or crafted trace?"
                       : "";
}

static double secs(int64_t ns)
{
    return (double)ns / 1e9;
}

static const char *state(int64_t s)
{
    return tfa_tcp_state_name((TfaTcpState)s);
}

/* The RST an RST_* anomaly is about (arg 0 is its index in rsts[]). */
static const TfaRstInfo *rst_of(const TfaConnRecord *rec, const TfaAnomaly *a)
{
    if (a->arg[0] < 0 || (guint64)a->arg[0] >= rec->n_rsts)
        return NULL;
    return &rec->rsts[a->arg[0]];
}

/* ICMP_*: arg 0 the errors' count, arg 1 (ICMP_ERROR) 1 when the quoted
 * sequence number is outside what the endpoint had in flight, (PATH_MTU)
 * the MTU; the rest is the connection's record of them. */
static const char *icmp_detail(const TfaConnRecord *rec, const TfaAnomaly *a, const char *w,
                               char *buf, size_t len)
{
    const TfaIcmpSeen *ic = rec->icmp[a->side >= 0 ? a->side : 0];
    char from[TFA_ADDR_STRLEN], more[64] = "";
    bool hard;
    const char *v = ic->version == 6 ? "ICMPv6" : "ICMP";
    tfa_addr_to_string(&ic->reporter, from, sizeof(from));
    if (a->arg[0] > 1)
        g_snprintf(more, sizeof(more), " (%" PRId64 " such errors, the last at frame %" PRIu64 ")",
                   a->arg[0], (uint64_t)ic->last_frame);
    if (a->code == TFA_ANOMALY_ICMP_CONNECT_FAILED) {
        const char *err = tfa_icmp_errno(ic->version, ic->last_type, ic->last_code, &hard);
        g_snprintf(buf, len,
                   "the SYN of %s drew %s %s from %s (frame %" PRIu64 ")%s and it sent no "
                   "SYN after it: connect() failed with %s; %s",
                   w, v, tfa_icmp_describe(ic->version, ic->last_type, ic->last_code), from,
                   (uint64_t)ic->last_frame, a->arg[0] > 1 ? " after earlier ones it retried" : "",
                   err != NULL ? err : "?",
                   tfa_addr_cmp(&ic->reporter,
                                &rec->addr[tfa_record_role_of(rec, (uint8_t)(1 - a->side))]) == 0
                       ? "the server's host itself sent it (a firewall rule rejecting with ICMP, "
                         "or no route back)"
                       : "a router on the path sent it (no route, or a filter)");
    } else if (a->code == TFA_ANOMALY_ICMP_PATH_MTU) {
        g_snprintf(buf, len,
                   "%s %s from %s (frame %" PRIu64 ") for %s's segment: path MTU %" PRId64
                   "%s; the kernel resends in smaller segments, no error for the application "
                   "(if these never arrive, large segments vanish: a PMTU black hole)",
                   v, tfa_icmp_describe(ic->version, ic->type, ic->code), from,
                   (uint64_t)ic->frame, w, a->arg[1], more);
    } else {
        const char *err = tfa_icmp_errno(ic->version, ic->type, ic->code, &hard);
        g_snprintf(buf, len,
                   "%s %s from %s (frame %" PRIu64 ", in %s) about a segment of %s (seq %u)%s: "
                   "%s",
                   v, tfa_icmp_describe(ic->version, ic->type, ic->code), from,
                   (uint64_t)ic->frame, state(ic->state), w, ic->seq, more,
                   a->arg[1] ? "its sequence number is outside what the endpoint had in "
                               "flight, so Linux ignores it (a late or forged error)"
                   : ic->state == TFA_TCP_SYN_SENT
                       ? "the client sent its SYN again: kept as a soft error, connect() fails "
                         "with it if the retries run out"
                       : hard ? "on an established connection Linux keeps it as a soft error "
                                "unless IP_RECVERR is set"
                              : "a soft error: the connection keeps retransmitting, and reports "
                                "it only if it then times out");
        (void)err;
    }
    return buf;
}

static const char *rst_detail(const TfaConnRecord *rec, const TfaAnomaly *a, const char *w,
                              char *buf, size_t len)
{
    const TfaRstInfo *r = rst_of(rec, a);
    guint64 f = a->frame_no;
    if (r == NULL) {
        g_snprintf(buf, len, "%s: %s (frame %" PRIu64 ")", w,
                   tfa_anomaly_meaning((TfaAnomalyCode)a->code), f);
        return buf;
    }
    const char *ss = state(r->sender_state), *rs = state(r->receiver_state);
    uint8_t peer = (uint8_t)(1 - r->side);
    char pw[TFA_ADDR_STRLEN + 32];
    who(rec, (int8_t)peer, pw, sizeof(pw));
    switch ((TfaAnomalyCode)a->code) {
    case TFA_ANOMALY_RST_REFUSED:
        g_snprintf(buf, len,
                   "%s answered the SYN with RST (frame %" PRIu64 "): nothing listens on port "
                   "%u there, or a firewall rejects the connection",
                   w, f, rec->port[TFA_ROLE_SERVER]);
        break;
    case TFA_ANOMALY_RST_HANDSHAKE_ABORT:
        g_snprintf(buf, len,
                   "%s reset the connection during the handshake (frame %" PRIu64 ", in %s): its "
                   "connect() gave up or it rejected the server's SYN-ACK",
                   w, f, ss);
        break;
    case TFA_ANOMALY_RST_ABORTIVE_CLOSE:
        g_snprintf(buf, len,
                   "%s aborted the connection with RST from %s (frame %" PRIu64 ") instead of "
                   "closing it with FIN%s: SO_LINGER 0, or a program on another OS exiting "
                   "without close()%s; on Linux a killed or crashed process closes with FIN "
                   "when nothing is unread",
                   w, ss, f,
                   r->sender_state == TFA_TCP_CLOSE_WAIT ? ", after the peer had closed" : "",
                   r->rcvd_unanswered > 0 ? ", or close() with the answer it was sent last "
                                            "left unread"
                                          : "");
        break;
    case TFA_ANOMALY_RST_CLOSE_WITH_UNREAD_DATA:
        g_snprintf(buf, len,
                   "%s was sent %" PRIu64 " bytes after its own last write, never answered "
                   "them, and closed with RST (frame %" PRIu64 "): most likely its application "
                   "closed the socket (or exited, or was killed) without reading them, and "
                   "Linux resets then instead of FIN; else SO_LINGER 0",
                   w, (guint64)r->rcvd_unanswered, f);
        break;
    case TFA_ANOMALY_RST_DATA_TO_CLOSED_SOCKET:
        if (r->peer_wrote_after_ack)
            g_snprintf(buf, len,
                       "%s had closed (FIN, frame %" PRIu64 ") and reset (frame %" PRIu64 ") "
                       "the data %s wrote after acknowledging that FIN (frame %" PRIu64 "): its "
                       "application wrote to a connection the other side had closed; the RST "
                       "finds its socket in CLOSE_WAIT, so its next send() fails with EPIPE "
                       "(SIGPIPE unless MSG_NOSIGNAL) while read() goes on returning 0; stop "
                       "writing after the peer's EOF, or let the closer shutdown(SHUT_WR) and "
                       "read on",
                       w, (guint64)r->sender_fin_frame, f, pw, (guint64)r->peer_data_frame);
        else if (!r->receiver_acked_fin && r->receiver_state == TFA_TCP_ESTABLISHED &&
                 rec->fin[r->side].last_ts > rec->fin[r->side].first_ts)
            g_snprintf(buf, len,
                       "%s had closed (FIN, frame %" PRIu64 ", sent again for %.3f s) but %s "
                       "never acknowledged that FIN: it never arrived, so the peer was still "
                       "ESTABLISHED as far as it knew (not CLOSE_WAIT) and its write (frame "
                       "%" PRIu64 ") was an ordinary one; the closer's application had closed "
                       "the socket, so its kernel reset that data (frame %" PRIu64 "): the "
                       "peer's application gets ECONNRESET on a connection it never saw "
                       "closed, and that data is lost",
                       w, (guint64)r->sender_fin_frame,
                       secs(rec->fin[r->side].last_ts - rec->fin[r->side].first_ts), pw,
                       (guint64)r->peer_data_frame, f);
        else
            g_snprintf(buf, len,
                       "%s had closed (FIN, frame %" PRIu64 ") while data from %s was on its "
                       "way; that data (frame %" PRIu64 ") crossed the FIN and was reset (frame "
                       "%" PRIu64 "): the closer's application closed before the peer had "
                       "finished (a keep-alive close racing a request), and the peer's last "
                       "write is lost",
                       w, (guint64)r->sender_fin_frame, pw, (guint64)r->peer_data_frame, f);
        break;
    case TFA_ANOMALY_RST_STALE_CONNECTION:
        if (r->sender_fin_before)
            g_snprintf(buf, len,
                       "%s answered with a bare RST (frame %" PRIu64 ", seq = the ACK it "
                       "answers) after its own FIN (frame %" PRIu64 "): its closed socket was "
                       "already gone (%s)",
                       w, f, (guint64)r->sender_fin_frame,
                       r->sender_acked_peer_fin ? "it had acknowledged the peer's FIN: its "
                                                  "TIME_WAIT had ended"
                                                : "its FIN_WAIT_2 had ended, or it was aborted");
        else if (rec->hs.reset_frame == r->frame)
            g_snprintf(buf, len,
                       "%s answered the client's segment with a bare RST (frame %" PRIu64 ", "
                       "seq = the ACK it answers): the client's ACKs of its SYN-ACK never "
                       "reached it (HANDSHAKE_THIRD_ACK_LOST), and it gave up the half-open "
                       "connection after its SYN-ACK retries; the client's connect() had "
                       "succeeded, and its first use of the connection draws ECONNRESET",
                       w, f);
        else if (!r->sender_held && !a->possible && !rec->mid_stream)
            g_snprintf(buf, len,
                       "%s answered the segment that completes the handshake with a bare RST "
                       "(frame %" PRIu64 ", seq = the ACK it answers): its listener had no "
                       "connection for it after its SYN-ACK (accept queue full with "
                       "tcp_abort_on_overflow, SYN cookies rejected, the listener closed); the "
                       "peer's connect() succeeded and the connection is reset",
                       w, f);
        else if (!r->sender_held)
            g_snprintf(buf, len,
                       "%s answered with a bare RST (frame %" PRIu64 ", seq = the ACK it "
                       "answers): it had no connection for that segment, and the capture "
                       "shows none from it before (only a SYN or SYN-ACK, or nothing): SYN "
                       "cookies, a segment it did not accept, or state lost",
                       w, f);
        else if (r->syn_inside_frame != 0)
            g_snprintf(buf, len,
                       "%s answered the challenge ACK to its own new SYN (frame %" PRIu64 ", "
                       "another ISN from the same port: it lost the old connection, after a "
                       "reboot say, and connects again) with a bare RST (frame %" PRIu64 "): that "
                       "resets the old connection at %s (RFC 5961 §4), whose application gets "
                       "ECONNRESET; the SYN's retry opens the new connection",
                       w, (guint64)r->syn_inside_frame, f, pw);
        else if (r->answered_after >= TFA_NSEC_PER_SEC)
            g_snprintf(buf, len,
                       "%s answered %s's %s, sent after %.1f s of silence, with a bare RST "
                       "(frame %" PRIu64 ", seq = the ACK it answers): it lost the connection "
                       "during the idle time (rebooted, restarted, its state expired) while "
                       "the peer's stayed ESTABLISHED, a half-open connection; the peer's "
                       "next call gets ECONNRESET%s",
                       w, pw, r->answered_probe ? "keep-alive probe" : "segment",
                       secs(r->answered_after), f,
                       r->answered_probe ? "" : "; keep-alives (SO_KEEPALIVE, TCP_KEEPIDLE) "
                                                "find such a peer before the next write");
        else
            g_snprintf(buf, len,
                       "%s answered with a bare RST (frame %" PRIu64 ", seq = the ACK it "
                       "answers): it no longer has this connection (restarted, state expired "
                       "or reset)",
                       w, f);
        break;
    case TFA_ANOMALY_RST_IN_TIME_WAIT:
        g_snprintf(buf, len,
                   "RST from %s (frame %" PRIu64 ") reached %s in TIME_WAIT (it had closed and "
                   "acknowledged the peer's FIN): unless it protects TIME_WAIT (RFC 1337), the "
                   "RST ends it early; harmful only if an old duplicate then arrives",
                   w, f, pw);
        break;
    case TFA_ANOMALY_RST_OUT_OF_WINDOW:
        g_snprintf(buf, len,
                   "RST claiming %s (frame %" PRIu64 ", seq %" PRIu32 ") was %s by the receiver "
                   "in %s: not the sequence number it expected; a blind reset attempt or a "
                   "stale segment, the connection is not reset",
                   w, f, r->seq, tfa_rst_accept_name((TfaRstAccept)r->accept), rs);
        break;
    case TFA_ANOMALY_RST_SUSPECTED_INJECTION:
        if (r->sender_talked_after)
            g_snprintf(buf, len,
                       "RST claiming %s (frame %" PRIu64 ") but that endpoint kept sending "
                       "afterwards: a middlebox or an attacker injected it%s",
                       w, f, r->accept == TFA_RST_ACCEPTED ? ", and the peer accepted it" : "");
        else
            g_snprintf(buf, len,
                       "RST claiming %s (frame %" PRIu64 ") has TTL %u where its packets had "
                       "%u..%u: sent from elsewhere on the path (a middlebox, an IPS, an "
                       "attacker)",
                       w, f, r->ttl, r->sender_ttl_min, r->sender_ttl_max);
        break;
    case TFA_ANOMALY_RST_KEEPALIVE_TIMEOUT:
        g_snprintf(buf, len,
                   "%s sent %u keep-alive probe%s that went unanswered, then reset (frame "
                   "%" PRIu64 "): the peer is gone (crashed, unreachable, or a NAT dropped the "
                   "mapping)",
                   w, r->probes, r->probes == 1 ? "" : "s", f);
        break;
    case TFA_ANOMALY_RST_AFTER_IDLE:
        if (r->sender_ttl_min != 0 && (r->ttl < r->sender_ttl_min || r->ttl > r->sender_ttl_max))
            g_snprintf(buf, len,
                       "RST claiming %s (frame %" PRIu64 ") after %.1f s of silence has TTL %u "
                       "where its packets had %u..%u: a NAT or firewall on the path forgot the "
                       "idle connection and reset it; send keep-alives more often than its "
                       "timeout",
                       w, f, secs(r->idle_before), r->ttl, r->sender_ttl_min,
                       r->sender_ttl_max);
        else if (r->ip_id != 0 || r->sender_ip_id != 0)
            g_snprintf(buf, len,
                       "%s reset the connection (frame %" PRIu64 ") after %.1f s of silence; "
                       "the RST looks like its own packets (TTL %u, IP ID %u after %u): the "
                       "endpoint itself ended the idle connection (its application's or its "
                       "own idle timer), not a middlebox",
                       w, f, secs(r->idle_before), r->ttl, r->ip_id, r->sender_ip_id);
        else
            g_snprintf(buf, len,
                       "%s reset the connection (frame %" PRIu64 ") after %.1f s of silence; "
                       "the RST has the TTL of its own packets (%u): the endpoint itself ended "
                       "the idle connection (its application's or its own idle timer)",
                       w, f, secs(r->idle_before), r->ttl);
        break;
    default:
        if (r->sender_fin_before)
            g_snprintf(buf, len,
                       "%s reset the connection (frame %" PRIu64 ") after its own FIN (frame "
                       "%" PRIu64 "), answering no data: it aborted after closing (SO_LINGER 0 "
                       "after shutdown(), or a FIN_WAIT_2 timeout); the capture does not tell "
                       "which",
                       w, f, (guint64)r->sender_fin_frame);
        else
            g_snprintf(buf, len,
                       "RST from %s in %s to the peer in %s (frame %" PRIu64 "): the evidence "
                       "does not decide why",
                       w, ss, rs, f);
        break;
    }
    return buf;
}

/* The explanations with nothing to decide: the text, with the anomaly's
 * values in braces.  {w} the endpoint, {f} the frame; {0} and {1} arg[0]
 * and arg[1] (codes.h names them) as integers, {Nx} in hex (two digits at
 * least), {Ns1} and {Ns3} as seconds, {Nms1} and {Nms3} as milliseconds
 * (one or three decimals), {Nstate} as a TCP state; {unasked} what a
 * possible retransmission lacks.  The other codes need prose that depends
 * on the evidence: detail_text()'s switch. */
static const char *const plain[TFA_ANOMALY_N] = {
    [TFA_ANOMALY_HANDSHAKE_SYN_COOKIE] =
        "{w} answered the SYN with a SYN cookie (frame {f}): its SYN-ACK's TSval "
        "ends in the SYN's options (0x{0x}: window scale, SACK, ECN), its MSS is a "
        "cookie's, and its next TSval ran ahead of the clock (the cookie's was set "
        "back); its SYN queue was full (a flood, or a burst beyond the listen "
        "backlog), so it kept no state for the connection until the client's ACK "
        "rebuilt it, and never repeats that SYN-ACK",
    [TFA_ANOMALY_HANDSHAKE_SYNACK_BAD_ACK] =
        "{w}'s SYN-ACK (frame {f}) acknowledges {0} instead of the client's ISN+1 = "
        "{1}: a stale SYN-ACK, or a middlebox rewriting sequence numbers; the client "
        "will reset it",
    [TFA_ANOMALY_HANDSHAKE_SYN_ISN_CHANGED] =
        "{w} sent a new SYN with ISN {0} (frame {f}, was {1}): it gave up and called "
        "connect() again from the same port",
    [TFA_ANOMALY_HANDSHAKE_SIMULTANEOUS_OPEN] =
        "both endpoints sent a SYN (frame {f}): a simultaneous open (RFC 9293 figure "
        "7), rare outside NAT traversal",
    [TFA_ANOMALY_HANDSHAKE_DATA_BEFORE_ESTABLISHED] =
        "{w} sent {0} bytes while still in {1state} (frame {f}): before its side of "
        "the handshake completed",
    [TFA_ANOMALY_HANDSHAKE_SYN_INSIDE_CONNECTION] =
        "{w} sent a SYN (seq {0}, frame {f}) on a connection that was already "
        "established: it no longer knows the connection (restart, lost state); the "
        "peer answers with a challenge ACK",
    [TFA_ANOMALY_HANDSHAKE_PORT_REUSE_IN_TIME_WAIT] =
        "{w} was still in TIME_WAIT (entered {0s3} s before) when the new SYN (frame "
        "{f}) reused the 4-tuple: the stack let a new connection take over the old "
        "one's TIME_WAIT; a stale segment of the old one could now be taken for new "
        "data",
    [TFA_ANOMALY_TEARDOWN_DATA_AFTER_FIN] =
        "{w} sent {1} bytes beyond its own FIN (FIN frame {0}, data frame {f}): a "
        "protocol violation, the peer discards them",
    [TFA_ANOMALY_TEARDOWN_FIN_SEQ_CHANGED] =
        "{w} sent a FIN at sequence {0} (frame {f}) after one at {1}: the two cannot "
        "both be right",
    [TFA_ANOMALY_TEARDOWN_SIMULTANEOUS_CLOSE] =
        "both endpoints sent a FIN before receiving the other's (frame {f}): both "
        "pass through CLOSING and both end in TIME_WAIT",
    [TFA_ANOMALY_TEARDOWN_CLOSE_WAIT_STUCK] =
        "{w} acknowledged the peer's FIN (frame {1}) and sent nothing for {0s1} s: "
        "its application is not closing the socket (CLOSE_WAIT leak)",
    [TFA_ANOMALY_TEARDOWN_FIN_WAIT_2_STUCK] =
        "{w} has waited {0s1} s in FIN_WAIT_2 since its FIN (frame {1}) was "
        "acknowledged: the peer's application has not closed its side",
    [TFA_ANOMALY_TEARDOWN_FIN_WITHOUT_ACK] =
        "{w} sent a FIN without the ACK flag in {0state} (frame {f}): no ordinary "
        "stack does; a scanner or a broken implementation",
    [TFA_ANOMALY_SEQ_RETRANSMISSION] =
        "{w} sent {1} bytes at seq {0} again (frame {f}): a retransmission without "
        "three duplicate ACKs before it (a timeout, a tail loss probe or a partial "
        "ACK); the first copy or its ACK was lost{unasked}",
    [TFA_ANOMALY_SEQ_FAST_RETRANSMISSION] =
        "{w} resent seq {0} (frame {f}) after {1} duplicate ACKs: fast retransmit "
        "(RFC 5681), a segment was lost{unasked}",
    [TFA_ANOMALY_SEQ_SPURIOUS_RETRANSMISSION] =
        "{w} resent seq {0} (frame {f}) which the peer had already acknowledged: a "
        "needless retransmission (the ACK was late or lost){unasked}",
    [TFA_ANOMALY_SEQ_OUT_OF_ORDER] =
        "{w}'s segment at seq {0} (frame {f}) arrived {1ms3} ms after a later one: "
        "reordered on the path, not lost",
    [TFA_ANOMALY_ACK_UNSEEN_DATA] =
        "{w} acknowledged {0} bytes the capture never saw (ack {1}, frame {f}) and "
        "that were never sent again: they reached it, the capture missed them "
        "(capture loss, not network loss)",
    [TFA_ANOMALY_SEQ_DUP_ACK] =
        "{w} repeated ack {1} (duplicate #{0}, frame {f}): data beyond it is missing "
        "or reordered",
    [TFA_ANOMALY_SEQ_RETRANSMISSION_DATA_DIFFERS] =
        "{w} retransmitted different bytes than it first sent at seq {0} (frame "
        "{f}): a broken stack or middlebox, or an injection attempt{unasked}",
    [TFA_ANOMALY_SEQ_OUT_OF_WINDOW] =
        "{w} sent up to seq {0} (frame {f}) beyond every window the peer offered "
        "(highest right edge {1}): the peer drops the excess, and the sender's stack "
        "ignores the window it was given",
    [TFA_ANOMALY_SEQ_KEEPALIVE] =
        "{w} sent a keep-alive probe (frame {f}) after {0s1} s without new data",
    [TFA_ANOMALY_SEQ_TIMESTAMP_REGRESSION] =
        "{w} sent TSval {0} (frame {f}), below {1}, the peer's TS.Recent from an "
        "earlier in-sequence segment, and its next new segment was below it too: its "
        "timestamp clock went back, and the peer's PAWS check drops its segments "
        "(RFC 7323); look for a load balancer or NAT that mixes two hosts' "
        "connections, or a clock reset",
    [TFA_ANOMALY_WINDOW_ZERO_PROBE] =
        "{w} probed the peer's zero window (frame {f}) to learn when it reopens",
    [TFA_ANOMALY_WINDOW_FULL] =
        "{w} filled the peer's receive window exactly (frame {f}): it must wait for "
        "the window to open; the receiver limits throughput",
    [TFA_ANOMALY_WINDOW_SHRUNK] =
        "{w} moved the right edge of its window left by {0} bytes (frame {f}, ack "
        "{1}) while the peer had data in flight: segments the peer sent up to the "
        "old edge fall outside the new one and are dropped; RFC 9293 discourages "
        "shrinking a window the sender may already be using",
    [TFA_ANOMALY_ACK_DELAYED] =
        "{w} held its ACK of frame {1} for {0ms1} ms beyond the round trip from the "
        "capture point (frame {f}): its delayed-ACK timer (Linux 40 ms and up, "
        "Windows 200 ms); harmless alone, a stall when the peer's Nagle waits for it",
    [TFA_ANOMALY_ACK_STRETCH] =
        "{w} acknowledged {0} bytes (more than two {1}-byte segments) in one ACK "
        "(frame {f}): receive offload (GRO/LRO), a receiver acknowledging in batches (its "
        "socket busy, or Linux holding the ACK while the application has not read the data), "
        "ACK thinning on the path, or the ACKs in between lost before the capture point",
    [TFA_ANOMALY_RST_STORM] =
        "{0} RSTs on this connection (the last in frame {f}): something keeps "
        "resetting it",
};

/* Append @n bytes of @s at *@pos, cut at @len - 1 bytes as g_snprintf cuts. */
static void put(char *buf, size_t len, size_t *pos, const char *s, size_t n)
{
    size_t room = *pos + 1 < len ? len - 1 - *pos : 0;
    if (n > room)
        n = room;
    memcpy(buf + *pos, s, n);
    *pos += n;
    buf[*pos] = '\0';
}

/* One of plain[]'s texts filled in (its placeholders above). */
static const char *fill(const char *t, const TfaAnomaly *a, const char *w, char *buf, size_t len)
{
    size_t pos = 0;
    buf[0] = '\0';
    while (*t != '\0') {
        const char *brace = strchr(t, '{');
        if (brace == NULL) {
            put(buf, len, &pos, t, strlen(t));
            break;
        }
        put(buf, len, &pos, t, (size_t)(brace - t));
        const char *key = brace + 1, *end = strchr(key, '}');
        char v[64];
        const char *out = v;
        int64_t x = a->arg[key[0] == '1'];
        if (strncmp(key, "w}", 2) == 0)
            out = w;
        else if (strncmp(key, "f}", 2) == 0)
            g_snprintf(v, sizeof(v), "%" PRIu64, (guint64)a->frame_no);
        else if (strncmp(key, "unasked}", 8) == 0)
            out = unasked(a);
        else if (key[1] == '}')
            g_snprintf(v, sizeof(v), "%" PRId64, x);
        else if (strncmp(key + 1, "x}", 2) == 0)
            g_snprintf(v, sizeof(v), "%02" PRIx64, x);
        else if (strncmp(key + 1, "state}", 6) == 0)
            out = state(x);
        else if (strncmp(key + 1, "ms", 2) == 0)
            g_snprintf(v, sizeof(v), key[3] == '1' ? "%.1f" : "%.3f", secs(x) * 1000.0);
        else /* s1, s3 */
            g_snprintf(v, sizeof(v), key[2] == '1' ? "%.1f" : "%.3f", secs(x));
        put(buf, len, &pos, out, strlen(out));
        t = end + 1;
    }
    return buf;
}

static const char *detail_text(const TfaConnRecord *rec, const TfaAnomaly *a, char *buf, size_t len)
{
    const TfaRecordHandshake *hs = &rec->hs;
    char w[TFA_ADDR_STRLEN + 32];
    guint64 f = a->frame_no;

    who(rec, a->side, w, sizeof(w));
    if (a->code < TFA_ANOMALY_N && plain[a->code] != NULL)
        return fill(plain[a->code], a, w, buf, len);
    switch ((TfaAnomalyCode)a->code) {
    case TFA_ANOMALY_HANDSHAKE_SYN_RETRANSMITTED:
        if (a->possible)
            g_snprintf(buf, len,
                       "%s sent the same SYN again (frame %" PRIu64 ") only %.1f ms after the "
                       "previous one, sooner than any retransmission timer: a copy made on the "
                       "way or a crafted packet rather than a retry",
                       w, f, secs(a->arg[1]) * 1000.0);
        else
            g_snprintf(buf, len,
                       "%s sent its SYN again (frame %" PRIu64 ", %.3f s after the previous "
                       "one): the SYN or the SYN-ACK was lost, or the server is slow to answer",
                       w, f, secs(a->arg[1]));
        break;
    case TFA_ANOMALY_HANDSHAKE_SYN_UNANSWERED:
        if (a->possible)
            g_snprintf(buf, len,
                       "%s sent %" PRId64 " SYN%s and the capture holds no answer%s; %s %.3f s "
                       "%s",
                       w, a->arg[0], a->arg[0] == 1 ? "" : "s",
                       a->arg[0] == 1 ? "" : ", each repeat sooner than a retransmission timer",
                       a->arg[1] < TFA_NSEC_PER_SEC ? "but the capture ended"
                                                    : "but the client did not retry in the",
                       secs(a->arg[1]),
                       a->arg[1] < TFA_NSEC_PER_SEC
                           ? "after the last SYN, too soon for a missing answer to show (a "
                             "client with no answer retries after 1 s)"
                           : "the capture went on, as a client with no answer would after 1 s: "
                             "the answer most likely took a path the capture does not see, or "
                             "the application gave up");
        else
            g_snprintf(buf, len,
                       "%s sent %" PRId64 " SYNs over %.3f s, each retry after a timeout, and "
                       "got no answer: the server is down or unreachable, or a firewall drops "
                       "the SYNs silently",
                       w, a->arg[0], secs(a->arg[1]));
        break;
    case TFA_ANOMALY_HANDSHAKE_SYNACK_RETRANSMITTED:
        if (a->possible)
            g_snprintf(buf, len,
                       "%s's SYN-ACK came again (frame %" PRIu64 ") only %.1f ms after the "
                       "previous one, sooner than any retransmission timer and with no new SYN "
                       "captured: a copy made on the way, or the answer to a copy of the SYN "
                       "the capture did not see; nothing was lost",
                       w, f, secs(a->arg[1]) * 1000.0);
        else if (a->arg[0] != 0)
            g_snprintf(buf, len,
                       "%s sent its SYN-ACK again (frame %" PRIu64 ", %.3f s after the "
                       "previous one) answering the client's repeated SYN (frame %" PRId64 "): "
                       "the client had not received the first SYN-ACK",
                       w, f, secs(a->arg[1]), a->arg[0]);
        else
            g_snprintf(buf, len,
                       "%s sent its SYN-ACK again on its own timer (frame %" PRIu64 ", %.3f s "
                       "after the previous one): the SYN-ACK or the client's ACK did not "
                       "arrive",
                       w, f, secs(a->arg[1]));
        break;
    case TFA_ANOMALY_HANDSHAKE_THIRD_ACK_LOST:
        if (a->possible)
            g_snprintf(buf, len,
                       "%s repeated its SYN-ACK (frame %" PRIu64 ") %.3f s after the client's "
                       "ACK was captured (frame %" PRId64 "); the capture holds no SYN to time "
                       "the round trip to the server, so the ACK may have crossed the repeat "
                       "on the wire rather than been lost",
                       w, f, secs(a->arg[1]), a->arg[0]);
        else {
            /* the cause, from where the capture sits; then what followed */
            TfaDuration to_s = rec->to_server_rtt, to_c = rec->to_client_rtt;
            TfaVantage v = rec->vantage;
            /* next to the server: absolutely, or (all within a millisecond)
             * five times nearer to it than to the client */
            bool near_server = v == TFA_VANTAGE_NEAR_SERVER ||
                               (v == TFA_VANTAGE_NEAR_BOTH && to_s * 5 <= to_s + to_c);
            char then[256] = "";
            if (hs->done_frame != 0 && hs->data_frame != 0)
                g_snprintf(then, sizeof(then),
                           "; it completed at frame %" PRIu64 " (the client's ACK of a repeat) "
                           "or, that lost too, at frame %" PRIu64 " (its data, whose ACK Linux "
                           "takes): accept() could return only then, %.3f s or more after "
                           "connect() returned",
                           (guint64)hs->done_frame, (guint64)hs->data_frame,
                           secs(hs->done_ts - hs->synack_ts));
            else if (hs->done_frame != 0)
                g_snprintf(then, sizeof(then),
                           "; it completed only at frame %" PRIu64 " (the client's %s): "
                           "accept() could return only then, %.3f s after connect() returned",
                           (guint64)hs->done_frame,
                           hs->done_data ? "data, whose ACK Linux takes in SYN_RECEIVED"
                                           : "ACK of a repeat",
                           secs(hs->done_ts - hs->synack_ts));
            else if (hs->reset_frame != 0)
                g_snprintf(then, sizeof(then),
                           "; it gave up that half-open connection, which the client believed "
                           "open (connect() had returned), and reset its next segment (frame "
                           "%" PRIu64 "): ECONNRESET",
                           (guint64)hs->reset_frame);
            else
                g_snprintf(then, sizeof(then), "; nothing captured completes its side: "
                                               "accept() had not returned by the end");
            char again[32] = "";
            if (hs->third_ack_repeats > 1)
                g_snprintf(again, sizeof(again), ", and %u more time%s", hs->third_ack_repeats - 1u,
                           hs->third_ack_repeats == 2 ? "" : "s");
            g_snprintf(buf, len,
                       "%s repeated its SYN-ACK (frame %" PRIu64 ") on its own timer, %.3f s "
                       "after the client's ACK was captured (frame %" PRId64 ")%s: %s%s",
                       w, f, secs(a->arg[1]), a->arg[0], again,
                       near_server
                           ? "captured next to the server, the ACK most likely arrived and was "
                             "dropped, as Linux does while the accept queue (listen backlog) is "
                             "full: the application is slow to call accept(), or does not"
                           : "the ACK was lost before the server (or dropped there, its accept "
                             "queue full), which stayed in SYN_RECEIVED",
                       then);
        }
        break;
    case TFA_ANOMALY_HANDSHAKE_SYN_WITH_DATA:
        g_snprintf(buf, len,
                   "%s sent %" PRId64 " bytes on its SYN (frame %" PRIu64 ", TCP Fast Open?): "
                   "%s",
                   w, a->arg[0], f,
                   hs->syn_data_acked == 1   ? "the SYN-ACK acknowledged them"
                   : hs->syn_data_acked == 0 ? "the SYN-ACK did not acknowledge them; they are "
                                              "sent again after the handshake"
                                            : "no SYN-ACK shows whether they were accepted");
        break;
    case TFA_ANOMALY_HANDSHAKE_NOT_SEEN:
        if (a->arg[1] != 0)
            g_snprintf(buf, len,
                       "this record continues record %" PRId64 " of the same connection, which "
                       "was reported when the connection had been silent longer than "
                       "--idle-timeout; after %.1f s of silence it spoke again (frame %" PRIu64
                       "): what the capture holds of its start (handshake, window scale) is "
                       "in that record",
                       a->arg[1], secs(rec->continues_after), f);
        else
            g_snprintf(buf, len,
                       "the capture began after this connection's handshake; the client was "
                       "decided by %s",
                       a->arg[0] == TFA_ORIGINATOR_SYNACK ? "a SYN-ACK it received"
                       : a->arg[0] == TFA_ORIGINATOR_PORT ? "the ports (the lower, well-known "
                                                            "one is the server)"
                                                          : "who sent the first packet");
        break;
    case TFA_ANOMALY_HANDSHAKE_OPTIONS_ASYMMETRIC:
        g_snprintf(buf, len,
                   "the SYN offered %s%s%s, the SYN-ACK (frame %" PRIu64 ") did not return it, "
                   "yet it is used afterwards: a middlebox strips options from the SYN-ACK",
                   a->arg[0] ? "timestamps" : "", a->arg[0] && a->arg[1] ? " and " : "",
                   a->arg[1] ? "SACK" : "", f);
        break;
    case TFA_ANOMALY_TEARDOWN_FIN_RETRANSMITTED:
        if (a->arg[0] == 0)
            g_snprintf(buf, len,
                       "%s sent its FIN (frame %" PRIu64 ") after a segment whose sequence "
                       "number already stood beyond it: it had sent this FIN before, and that "
                       "copy was lost before the capture point%s",
                       w, f,
                       a->possible ? " (possible: no IPv4 IDs to tell it from a FIN that came "
                                     "late)"
                                   : "");
        else if (a->possible)
            g_snprintf(buf, len,
                       "%s sent its FIN again (frame %" PRIu64 ") %.3f ms after the first (frame "
                       "%" PRId64 "), sooner than any retransmission timer and with nothing from "
                       "the peer in between: a second copy from the sender's stack or a "
                       "middlebox, not the recovery of a loss",
                       w, f, secs(a->arg[1]) * 1000.0, a->arg[0]);
        else
            g_snprintf(buf, len,
                       "%s sent its FIN again (frame %" PRIu64 ", %.3f s after the first, frame "
                       "%" PRId64 "): no ACK of it had reached the sender in time; the FIN or "
                       "its ACK was lost, or late",
                       w, f, secs(a->arg[1]), a->arg[0]);
        break;
    case TFA_ANOMALY_TEARDOWN_LAST_ACK_LOST:
        if (a->possible)
            g_snprintf(buf, len,
                       "%s repeated its FIN (frame %" PRIu64 ") %.3f s after the peer's last "
                       "ACK was captured (frame %" PRId64 "); the capture holds no handshake "
                       "to time the round trip to %s, so the ACK may have crossed the repeat "
                       "on the wire rather than been lost",
                       w, f, secs(a->arg[1]), a->arg[0],
                       a->side == rec->side[TFA_ROLE_CLIENT] ? "the client" : "the server");
        else
            g_snprintf(buf, len,
                       "%s repeated its FIN (frame %" PRIu64 ") %.3f s after the peer's last "
                       "ACK was captured (frame %" PRId64 "), longer than the round trip: that "
                       "ACK was lost after the capture point, and %s stayed in LAST_ACK",
                       w, f, secs(a->arg[1]), a->arg[0],
                       a->side == rec->side[TFA_ROLE_CLIENT] ? "the client" : "the server");
        break;
    case TFA_ANOMALY_TEARDOWN_HALF_CLOSED_AT_END: {
        char p[TFA_ADDR_STRLEN + 32];
        int8_t peer = (int8_t)(1 - a->side);
        who(rec, peer, p, sizeof(p));
        if (a->possible && a->arg[1] == 0)
            g_snprintf(buf, len,
                       "%s closed its direction (FIN, frame %" PRIu64 "), and the capture holds "
                       "no segment at all from %s: it sees one direction only, so whether and "
                       "when %s closed cannot be told",
                       w, f, p, p);
        else if (a->possible && rec->stats[peer]->last_ts < a->ts)
            g_snprintf(buf, len,
                       "%s closed its direction (FIN, frame %" PRIu64 ") and the record ended "
                       "%.3f s later with nothing captured from %s after the FIN: the capture "
                       "does not show that it got the FIN, and its ACK and FIN may be among "
                       "the segments the capture lacks",
                       w, f, secs(a->arg[0]), p);
        else if (a->possible)
            g_snprintf(buf, len,
                       "%s closed its direction (FIN, frame %" PRIu64 "); %s (%s) had not "
                       "closed its own when the record ended only %.3f s later: too soon to "
                       "say it would not",
                       w, f, p, tfa_tcp_state_name((TfaTcpState)rec->ep[peer]->state),
                       secs(a->arg[0]));
        else if (rec->ep[peer]->state == TFA_TCP_CLOSE_WAIT)
            g_snprintf(buf, len,
                       "%s closed its direction (FIN, frame %" PRIu64 "); %s took the FIN but "
                       "had not sent its own %.1f s later when the record ended, so it sits in "
                       "CLOSE_WAIT: its application has not called close() on the socket. Once "
                       "is a slow application; many on one service is a socket leak",
                       w, f, p, secs(a->arg[0]));
        else if (rec->ep[peer]->state == TFA_TCP_ESTABLISHED && !rec->fin[peer].peer_fin_acked &&
                 rec->fin[a->side].last_ts > rec->fin[a->side].first_ts)
            g_snprintf(buf, len,
                       "%s closed its direction (FIN, frame %" PRIu64 ") and sent its FIN again "
                       "for %.3f s, but %s never acknowledged it%s: the FIN never reached it, "
                       "so it is still ESTABLISHED (its read() has not returned 0) %.1f s "
                       "later when the record ended, not in CLOSE_WAIT",
                       w, f, secs(rec->fin[a->side].last_ts - rec->fin[a->side].first_ts), p,
                       rec->stats[peer]->last_ts > rec->fin[a->side].first_ts ? ", though it sent after"
                                                                   : "",
                       secs(a->arg[0]));
        else
            g_snprintf(buf, len,
                       "%s closed its direction (FIN, frame %" PRIu64 "); %s (%s) had not closed "
                       "its own %.1f s later when the record ended",
                       w, f, p, tfa_tcp_state_name((TfaTcpState)rec->ep[peer]->state),
                       secs(a->arg[0]));
        break;
    }
    case TFA_ANOMALY_TEARDOWN_SPONTANEOUS_FIN:
        if (a->possible)
            g_snprintf(buf, len,
                       "the connection was open before the capture began: the first segment "
                       "seen on this 4-tuple is a FIN with an ACK from %s (frame %" PRIu64 "), "
                       "an ordinary close of a connection whose start the capture lacks (or "
                       "whose other direction it does not hold); a scan only if many such "
                       "FINs come from one host",
                       w, f);
        else
            g_snprintf(buf, len,
                       "a FIN without an ACK from %s (frame %" PRIu64 ") is the first segment "
                       "seen on this 4-tuple: no open connection closes that way; a probe "
                       "(FIN, Xmas scan), many of them from one host to many ports a FIN scan",
                       w, f);
        break;
    case TFA_ANOMALY_RST_WITH_DATA: {
        const char *text = "";
        for (guint i = 0; i < rec->n_rsts; i++) {
            const TfaRstInfo *r = &rec->rsts[i];
            if (r->frame == a->frame_no)
                text = r->diag;
        }
        if (text[0] != '\0')
            g_snprintf(buf, len, "%s's RST (frame %" PRIu64 ") says: \"%s\"", w, f, text);
        else
            g_snprintf(buf, len,
                       "%s's RST (frame %" PRIu64 ") carries %" PRId64 " bytes that are not "
                       "text",
                       w, f, a->arg[0]);
        break;
    }
    case TFA_ANOMALY_SEQ_LOST_SEGMENT:
        if (a->possible && a->side >= 0 && rec->stats[1 - a->side]->packets == 0)
            g_snprintf(buf, len,
                       "%" PRId64 " bytes from %s before frame %" PRIu64 " never appear in the "
                       "capture, which holds none of the receiver's segments: lost on the way, "
                       "or missed by the capture (it cannot tell)",
                       a->arg[0], w, f);
        else if (a->possible)
            g_snprintf(buf, len,
                       "%" PRId64 " bytes from %s before frame %" PRIu64 " never appear in the "
                       "capture, and by its end the receiver had neither acknowledged them nor "
                       "had them sent again: lost on the way, or missed by the capture",
                       a->arg[0], w, f);
        else if (a->arg[1] == TFA_LOST_SACK)
            g_snprintf(buf, len,
                       "%s's segments from %" PRId64 " bytes below the peer's SACK block were lost "
                       "before reaching the peer: it repeated its ACK with that block (frame %"
                       PRIu64 "); the capture holds none of them, the sender had to resend",
                       w, a->arg[0], f);
        else if (a->arg[1] == TFA_LOST_DUPACKS)
            g_snprintf(buf, len,
                       "%s's segment was lost before reaching the peer: the peer repeated its ACK "
                       "three times, then acknowledged past the hole (frame %" PRIu64 ") once "
                       "the resent segment arrived; the capture holds none of them",
                       w, f);
        else
            g_snprintf(buf, len,
                       "%" PRId64 " bytes from %s before frame %" PRIu64 " were lost before the "
                       "capture point: the capture never showed them until they were sent again, "
                       "and the receiver had not acknowledged them before",
                       a->arg[0], w, f);
        break;
    case TFA_ANOMALY_SEQ_ACK_INVALID:
        if (tfa_seq_gt((uint32_t)a->arg[0], (uint32_t)a->arg[1]))
            g_snprintf(buf, len,
                       "%s acknowledged %" PRId64 " (frame %" PRIu64 ") but the peer's next ACK "
                       "came from %" PRId64 ", below it: the peer had not sent those bytes (RFC "
                       "9293 drops such an ACK); a broken stack or middlebox rewriting numbers",
                       w, a->arg[0], f, a->arg[1]);
        else
            g_snprintf(buf, len,
                       "%s acknowledged %" PRId64 " (frame %" PRIu64 ") where the peer had sent up "
                       "to %" PRId64 ": far behind anything it had acknowledged, not an ACK of this "
                       "connection's data",
                       w, a->arg[0], f, a->arg[1]);
        break;
    case TFA_ANOMALY_SEQ_STALE_INCARNATION:
        if (a->arg[1] < 0)
            g_snprintf(buf, len,
                       "%s's segment at seq %" PRId64 " (frame %" PRIu64 ") belongs to an "
                       "earlier connection on this 4-tuple: it lies before this connection's "
                       "ISN and acknowledges nothing of it; a delayed duplicate that TIME_WAIT "
                       "exists to absorb",
                       w, a->arg[0], f);
        else
            g_snprintf(buf, len,
                   "%s's segment at seq %" PRId64 " (frame %" PRIu64 ") belongs to the previous "
                   "connection on this 4-tuple (which ended near %" PRId64 "): a delayed "
                   "duplicate that TIME_WAIT exists to absorb",
                   w, a->arg[0], f, a->arg[1]);
        break;
    case TFA_ANOMALY_WINDOW_ZERO:
        if (a->possible)
            g_snprintf(buf, len,
                       "%s advertised a zero window (frame %" PRIu64 ") for %.3f s%s, but the "
                       "capture shows no sender waiting for it (no probe into it, no pause "
                       "before data resumed): it reopened at once, or came while the connection "
                       "was closing",
                       w, f, secs(a->arg[0]), a->arg[1] == 1 ? " until the end" : "");
        else if (a->arg[1] == 1)
            g_snprintf(buf, len,
                       "%s advertised a zero window (frame %" PRIu64 ") and kept it shut for "
                       "%.3f s, to the end, while the sender probed it: its application stopped "
                       "reading, the sender is stuck",
                       w, f, secs(a->arg[0]));
        else
            g_snprintf(buf, len,
                       "%s advertised a zero window (frame %" PRIu64 ") for %.3f s: its "
                       "application was not reading fast enough, the sender had to stop and "
                       "wait; a larger receive buffer or a faster reader helps",
                       w, f, secs(a->arg[0]));
        break;
    case TFA_ANOMALY_CAPTURE_DUPLICATE_FRAME:
        /* arg 0: the frame it copies; arg 1: TFA_SEQ_COPY_* */
        if (a->arg[1] == TFA_SEQ_COPY_ROUTER)
            g_snprintf(buf, len,
                       "frame %" PRIu64 " from %s is frame %" PRId64 " again with the TTL one "
                       "lower (same IP ID, sequence and ACK): the capture saw the packet on "
                       "both sides of a router; it was sent once, not retransmitted",
                       f, w, a->arg[0]);
        else if (a->arg[1] == TFA_SEQ_COPY_ALTERED)
            g_snprintf(buf, len,
                       "frame %" PRIu64 " from %s has the IP ID, sequence and ACK of frame "
                       "%" PRId64 " but other bytes: one datagram recorded twice, one copy "
                       "damaged or edited in the file; it proves neither a retransmission "
                       "nor changed data",
                       f, w, a->arg[0]);
        else
            g_snprintf(buf, len,
                       "frame %" PRIu64 " from %s repeats frame %" PRId64 " byte for byte "
                       "(same IP ID and checksum): captured twice (SPAN port, two "
                       "interfaces) or duplicated by the network, not retransmitted",
                       f, w, a->arg[0]);
        break;
    case TFA_ANOMALY_ACK_DELAY_OVER_500MS:
        if (a->possible)
            g_snprintf(buf, len,
                       "%s acknowledged frame %" PRId64 " %.1f ms beyond the round trip (frame "
                       "%" PRIu64 "), past RFC 1122's 500 ms limit; the capture point is not "
                       "next to it, or the handshake that gives the round trip is missing, so an "
                       "earlier ACK lost on the way would look the same",
                       w, a->arg[1], secs(a->arg[0]) * 1000.0, f);
        else
            g_snprintf(buf, len,
                       "%s took %.1f ms beyond the round trip to acknowledge frame %" PRId64
                       " (frame %" PRIu64 "): past RFC 1122's 500 ms limit; the peer's "
                       "retransmission timer may fire first, and its window stays unconfirmed "
                       "meanwhile: a busy or broken stack",
                       w, secs(a->arg[0]) * 1000.0, a->arg[1], f);
        break;
    case TFA_ANOMALY_ACK_NAGLE_DELACK_STALL:
        if (a->arg[0] == 1)
            g_snprintf(buf, len,
                       "%s held its next small write until the peer's delayed ACK came (frame "
                       "%" PRIu64 "), losing %.1f ms of the connection's %.1f ms%s: Nagle's "
                       "algorithm meeting a delayed ACK; set TCP_NODELAY on %s, or write each "
                       "message in one call",
                       w, f, secs(a->arg[1]) * 1000.0, secs(rec->last_ts - rec->first_ts) * 1000.0,
                       a->possible ? "; the capture places the write only roughly after the "
                                     "ACK, and data written on a timer would look alike"
                                   : "",
                       a->side == rec->side[TFA_ROLE_CLIENT] ? "the client" : "the server");
        else
            g_snprintf(buf, len,
                   "%s held its next small write until the peer's delayed ACK came, %" PRId64
                   " times (first at frame %" PRIu64 "), losing %.1f ms (the peer's delays, "
                   "round trip subtracted)%s: Nagle's algorithm meeting a delayed ACK; set "
                   "TCP_NODELAY on %s, or have the peer ACK at once (TCP_QUICKACK), or write each "
                   "message in one call",
                   w, a->arg[0], f, secs(a->arg[1]) * 1000.0,
                   a->possible ? "; the capture places the write only roughly after the ACK: "
                                 "it is far from the sender, or lacks the handshake that gives "
                                 "the round trip, and data written on a timer would look alike"
                               : "",
                   a->side == rec->side[TFA_ROLE_CLIENT] ? "the client" : "the server");
        break;
    case TFA_ANOMALY_ICMP_CONNECT_FAILED:
    case TFA_ANOMALY_ICMP_ERROR:
    case TFA_ANOMALY_ICMP_PATH_MTU:
        return icmp_detail(rec, a, w, buf, len);
    default:
        if (tfa_rst_cause_of_code((TfaAnomalyCode)a->code) >= 0)
            return rst_detail(rec, a, w, buf, len);
        g_snprintf(buf, len, "%s: %s (frame %" PRIu64 ")", w,
                   tfa_anomaly_meaning((TfaAnomalyCode)a->code), f);
        break;
    }
    return buf;
}

/* A finding whose evidence is incomplete says so first, in the same words
 * in every format. */
const char *tfa_report_detail(const TfaConnRecord *rec, const TfaAnomaly *a, char *buf, size_t len)
{
    static const char prefix[] = "possible, not proven by the capture: ";

    if (!a->possible || len <= sizeof(prefix))
        return detail_text(rec, a, buf, len);
    memcpy(buf, prefix, sizeof(prefix) - 1);
    detail_text(rec, a, buf + sizeof(prefix) - 1, len - (sizeof(prefix) - 1));
    return buf;
}

const char *tfa_report_finding_detail(const TfaFindingRow *f, char *buf, size_t len)
{
    char ip[TFA_ADDR_STRLEN];
    tfa_addr_to_string(&f->addr, ip, sizeof(ip));
    switch (f->code) {
    case TFA_FINDING_SERVICE_CLOSE_WAIT_LEAK:
        g_snprintf(buf, len,
                   "%s:%u left %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                   " connections in CLOSE_WAIT: the peer closed, the application never called "
                   "close() (a socket leak)",
                   ip, f->port, (guint64)f->value, (guint64)f->total);
        break;
    case TFA_FINDING_SERVICE_TIME_WAIT_PILEUP:
        g_snprintf(buf, len,
                   "%s:%u holds %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                   " connections in TIME_WAIT: the server closes first; let clients close, or "
                   "reuse connections",
                   ip, f->port, (guint64)f->value, (guint64)f->total);
        break;
    case TFA_FINDING_SERVICE_SYN_FLOOD:
        g_snprintf(buf, len,
                   "%s:%u has %" G_GUINT64_FORMAT " half-open handshakes (SYN-ACK never "
                   "acknowledged) from many sources: a SYN flood, or clients that cannot reach "
                   "back",
                   ip, f->port, (guint64)f->value);
        break;
    case TFA_FINDING_HOST_PORT_SCAN:
        g_snprintf(buf, len,
                   "%s failed to connect to %" G_GUINT64_FORMAT " distinct ports (refused or "
                   "unanswered) in %" G_GUINT64_FORMAT " attempts: a port scan",
                   ip, (guint64)f->value, (guint64)f->total);
        break;
    case TFA_FINDING_SERVICE_REFUSING:
        g_snprintf(buf, len,
                   "%s:%u refused all %" G_GUINT64_FORMAT " connection attempts: nothing "
                   "listens there",
                   ip, f->port, (guint64)f->value);
        break;
    default:
        g_strlcpy(buf, tfa_finding_meaning(f->code), len);
        break;
    }
    return buf;
}
