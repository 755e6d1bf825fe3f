/* codes.h - every name that reaches the output, defined once.
 *
 * Each list is an X-macro: it expands into an enum, a name table and, where
 * they apply, severity and explanation tables (util/names.c).  The names ARE
 * the output schema (DESIGN.md §6, ANOMALIES.md): once released a name is
 * never renamed or reused, and new entries go at the end of their list.
 * The JSON Schema's lists of anomaly codes, counters and severities are
 * written from `tcpflow-audit --list-codes` by tests/schema/schema-codes.py
 * --update, and 'make check' fails until they are.
 * Owns nothing; the tables are const.
 */
#pragma once

#include <stddef.h>

/* RFC 9293 §3.3.2 connection states, spelled with underscores. */
#define TFA_TCP_STATE_LIST(X)                                                  \
    X(CLOSED)                                                                  \
    X(LISTEN)                                                                  \
    X(SYN_SENT)                                                                \
    X(SYN_RECEIVED)                                                            \
    X(ESTABLISHED)                                                             \
    X(FIN_WAIT_1)                                                              \
    X(FIN_WAIT_2)                                                              \
    X(CLOSE_WAIT)                                                              \
    X(CLOSING)                                                                 \
    X(LAST_ACK)                                                                \
    X(TIME_WAIT)

typedef enum TfaTcpState {
#define X(name) TFA_TCP_##name,
    TFA_TCP_STATE_LIST(X)
#undef X
    TFA_TCP_N_STATES
} TfaTcpState;

#define TFA_TCPF(state) (1u << (TFA_TCP_##state))

typedef enum TfaSeverity {
    TFA_SEV_INFO = 0,
    TFA_SEV_NOTICE,
    TFA_SEV_WARNING,
    TFA_SEV_ERROR,
    TFA_SEV_N
} TfaSeverity;

/* Anomaly codes attached to a connection: X(NAME, SEVERITY, "meaning",
 * ARGS).  ARGS says what the anomaly's arg[] slots hold, from arg[0] on:
 * A0() none, An(name, UNIT, ...) n of them, each by its name in the JSON
 * record's "args" object (the unit, when one, in the name: _ns) and its
 * TfaArgUnit, which says how it is written out.  Slots beyond are 0. */
#define TFA_ANOMALY_LIST(X)                                                                        \
    X(HANDSHAKE_SYN_RETRANSMITTED, NOTICE, "the same SYN (same ISN) was sent again",               \
      A2(syns, COUNT, since_previous_ns, NS))                                                      \
    X(HANDSHAKE_SYN_UNANSWERED, ERROR, "SYN(s) sent, no SYN-ACK or RST by the end of the capture", \
      A2(syns, COUNT, time_ns, NS))                                                                \
    X(HANDSHAKE_SYNACK_RETRANSMITTED, NOTICE, "the SYN-ACK was sent again",                        \
      A2(answers_frame, FRAME, since_previous_ns, NS))                                             \
    X(HANDSHAKE_THIRD_ACK_LOST, WARNING,                                                           \
      "the server repeated its SYN-ACK after the client's ACK or data was seen",                   \
      A2(ack_frame, FRAME, after_ack_ns, NS))                                                      \
    X(HANDSHAKE_SYNACK_BAD_ACK, ERROR, "the SYN-ACK acknowledges something other than ISN+1",      \
      A2(ack, SEQ, expected_ack, SEQ))                                                             \
    X(HANDSHAKE_SYN_ISN_CHANGED, WARNING, "a repeated SYN carries a different ISN",                \
      A2(isn, SEQ, previous_isn, SEQ))                                                             \
    X(HANDSHAKE_SYN_WITH_DATA, INFO, "the SYN carries payload", A1(bytes, BYTES))                  \
    X(HANDSHAKE_SIMULTANEOUS_OPEN, NOTICE, "both sides sent a SYN", A0())                          \
    X(HANDSHAKE_DATA_BEFORE_ESTABLISHED, WARNING,                                                  \
      "data sent before the sender's side of the handshake completed",                             \
      A2(bytes, BYTES, state, STATE))                                                              \
    X(HANDSHAKE_NOT_SEEN, INFO, "the connection was picked up mid-stream",                         \
      A2(originator, ORIGINATOR, continues, FLAG))                                                 \
    X(HANDSHAKE_OPTIONS_ASYMMETRIC, INFO,                                                          \
      "an option offered in the SYN was not returned in the SYN-ACK but used anyway",              \
      A2(timestamps, FLAG, sack, FLAG))                                                            \
    X(HANDSHAKE_SYN_INSIDE_CONNECTION, WARNING, "a SYN arrived inside a live connection",          \
      A1(seq, SEQ))                                                                                \
    X(HANDSHAKE_PORT_REUSE_IN_TIME_WAIT, WARNING,                                                  \
      "a new SYN on a 4-tuple still in TIME_WAIT on one side",                                     \
      A1(time_wait_ns, NS))                                                                        \
    X(TEARDOWN_FIN_RETRANSMITTED, NOTICE, "a FIN was sent again",                                  \
      A2(first_frame, FRAME, after_first_ns, NS))                                                  \
    X(TEARDOWN_LAST_ACK_LOST, WARNING,                                                             \
      "the LAST_ACK side repeated its FIN after the peer's ACK was seen",                          \
      A2(ack_frame, FRAME, after_ack_ns, NS))                                                      \
    X(TEARDOWN_DATA_AFTER_FIN, ERROR, "new data beyond the sender's own FIN",                      \
      A2(fin_frame, FRAME, bytes, BYTES))                                                          \
    X(TEARDOWN_FIN_SEQ_CHANGED, ERROR, "a repeated FIN at a different sequence number",            \
      A2(seq, SEQ, previous_seq, SEQ))                                                             \
    X(TEARDOWN_SIMULTANEOUS_CLOSE, INFO, "the FINs crossed: CLOSING was reached", A0())            \
    X(TEARDOWN_HALF_CLOSED_AT_END, NOTICE,                                                         \
      "one FIN; the other direction was still open at the end",                                    \
      A2(open_ns, NS, peer_sent, FLAG))                                                            \
    X(TEARDOWN_CLOSE_WAIT_STUCK, WARNING,                                                          \
      "an endpoint acknowledged a FIN and never closed: the application is not calling close()",   \
      A2(quiet_ns, NS, peer_fin_frame, FRAME))                                                     \
    X(TEARDOWN_FIN_WAIT_2_STUCK, NOTICE, "the closer waited in FIN_WAIT_2 for the peer's FIN",     \
      A2(waited_ns, NS, fin_frame, FRAME))                                                         \
    X(TEARDOWN_FIN_WITHOUT_ACK, WARNING, "FIN without the ACK flag outside SYN_SENT",              \
      A1(state, STATE))                                                                            \
    X(TEARDOWN_SPONTANEOUS_FIN, NOTICE, "a FIN on a 4-tuple with nothing else seen",               \
      A1(with_ack, FLAG))                                                                          \
    X(RST_REFUSED, ERROR, "RST answering a SYN: no listener", A2(rst, RST, idle_before_ns, NS))    \
    X(RST_HANDSHAKE_ABORT, ERROR, "RST from the client during the handshake",                      \
      A2(rst, RST, idle_before_ns, NS))                                                            \
    X(RST_ABORTIVE_CLOSE, WARNING, "abortive close by the application (SO_LINGER 0)",              \
      A2(rst, RST, idle_before_ns, NS))                                                            \
    X(RST_CLOSE_WITH_UNREAD_DATA, WARNING, "socket closed with unread received data",              \
      A2(rst, RST, idle_before_ns, NS))                                                            \
    X(RST_DATA_TO_CLOSED_SOCKET, WARNING, "data arrived for a socket that had already closed",     \
      A2(rst, RST, idle_before_ns, NS))                                                            \
    X(RST_STALE_CONNECTION, WARNING, "RST for a connection the sender no longer knows",            \
      A2(rst, RST, idle_before_ns, NS))                                                            \
    X(RST_IN_TIME_WAIT, NOTICE, "RST while one side is in TIME_WAIT",                              \
      A2(rst, RST, idle_before_ns, NS))                                                            \
    X(RST_OUT_OF_WINDOW, WARNING, "RST not acceptable to the receiver (RFC 5961)",                 \
      A2(rst, RST, idle_before_ns, NS))                                                            \
    X(RST_SUSPECTED_INJECTION, ERROR, "RST not sent by the endpoint it claims to come from",       \
      A2(rst, RST, idle_before_ns, NS))                                                            \
    X(RST_KEEPALIVE_TIMEOUT, WARNING, "RST after unanswered keep-alive probes",                    \
      A2(rst, RST, idle_before_ns, NS))                                                            \
    X(RST_AFTER_IDLE, WARNING, "RST after a long idle period (endpoint or NAT idle timer)",        \
      A2(rst, RST, idle_before_ns, NS))                                                            \
    X(RST_UNKNOWN, WARNING, "RST whose cause the evidence does not decide",                        \
      A2(rst, RST, idle_before_ns, NS))                                                            \
    X(RST_WITH_DATA, INFO, "RST carrying a diagnostic payload (RFC 9293 §3.5.3)",                  \
      A1(bytes, BYTES))                                                                            \
    X(RST_STORM, WARNING, "many RSTs on one 4-tuple", A1(rsts, COUNT))                             \
    X(ACK_DELAYED, INFO, "ACK held back in the delayed-ACK range",                                 \
      A2(delay_ns, NS, acked_frame, FRAME))                                                        \
    X(ACK_DELAY_OVER_500MS, WARNING, "ACK delayed beyond RFC 1122's 500 ms limit",                 \
      A2(delay_ns, NS, acked_frame, FRAME))                                                        \
    X(ACK_NAGLE_DELACK_STALL, WARNING,                                                             \
      "sender held a small segment until the peer's delayed ACK arrived (repeatedly, or long)",    \
      A2(stalls, COUNT, stall_ns, NS))                                                             \
    X(ACK_STRETCH, INFO, "one ACK covers more than two full-sized segments",                       \
      A2(bytes, BYTES, mss, BYTES))                                                                \
    X(ACK_UNSEEN_DATA, INFO, "ACK covers bytes never seen in the capture: capture loss",           \
      A2(bytes, BYTES, ack, SEQ))                                                                  \
    X(SEQ_RETRANSMISSION, NOTICE, "data already sent was sent again", A2(seq, SEQ, bytes, BYTES))  \
    X(SEQ_FAST_RETRANSMISSION, NOTICE, "retransmission after duplicate ACKs",                      \
      A2(seq, SEQ, dupacks, COUNT))                                                                \
    X(SEQ_SPURIOUS_RETRANSMISSION, NOTICE, "retransmitted data the receiver had already ACKed",    \
      A2(seq, SEQ, bytes, BYTES))                                                                  \
    X(SEQ_OUT_OF_ORDER, NOTICE, "segment below the highest sequence seen, shortly after",          \
      A2(seq, SEQ, after_ns, NS))                                                                  \
    X(SEQ_LOST_SEGMENT, WARNING, "sequence gap: the previous segment was not captured",            \
      A2(bytes, BYTES, evidence, LOST))                                                            \
    X(SEQ_DUP_ACK, INFO, "duplicate ACK", A2(dupacks, COUNT, ack, SEQ))                            \
    X(SEQ_RETRANSMISSION_DATA_DIFFERS, ERROR, "retransmitted bytes differ from the original",      \
      A2(differs_at, SEQ, seq, SEQ))                                                               \
    X(SEQ_OUT_OF_WINDOW, WARNING, "segment beyond the receiver's advertised window",               \
      A2(end_seq, SEQ, right_edge, SEQ))                                                           \
    X(SEQ_ACK_INVALID, WARNING, "ACK beyond anything the peer sent, or far behind",                \
      A2(ack, SEQ, peer_next, SEQ))                                                                \
    X(SEQ_STALE_INCARNATION, ERROR, "segment of an earlier incarnation of the same 4-tuple",       \
      A2(seq, SEQ, previous_next, SEQ))                                                            \
    X(SEQ_KEEPALIVE, INFO, "keep-alive probe or its ACK", A1(idle_ns, NS))                         \
    X(SEQ_TIMESTAMP_REGRESSION, WARNING, "TSval went backwards (PAWS would drop it)",              \
      A2(tsval, TSVAL, ts_recent, TSVAL))                                                          \
    X(WINDOW_ZERO, WARNING, "receiver advertised a zero window", A2(shut_ns, NS, until_end, FLAG)) \
    X(WINDOW_ZERO_PROBE, INFO, "probe into a zero window", A1(bytes, BYTES))                       \
    X(WINDOW_FULL, NOTICE, "sender filled the receiver's window", A1(end_seq, SEQ))                \
    X(WINDOW_SHRUNK, WARNING, "the right edge of the window moved left",                           \
      A2(shrunk_by, BYTES, ack, SEQ))                                                              \
    X(CAPTURE_DUPLICATE_FRAME, INFO, "the same frame was captured twice",                          \
      A2(copy_of, FRAME, copy, COPY))                                                              \
    X(ICMP_CONNECT_FAILED, ERROR,                                                                  \
      "an ICMP error answered the SYN and the client tried no more: connect() failed",             \
      A1(errors, COUNT))                                                                           \
    X(ICMP_ERROR, WARNING,                                                                         \
      "an ICMP error (unreachable, time exceeded, parameter problem) about the endpoint's segment",\
      A2(errors, COUNT, outside_flight, FLAG))                                                     \
    X(ICMP_PATH_MTU, INFO, "ICMP fragmentation needed / packet too big lowered the path MTU",      \
      A2(errors, COUNT, mtu, BYTES))                                                               \
    X(HANDSHAKE_SYN_COOKIE, INFO,                                                                  \
      "the SYN-ACK was a SYN cookie: the listener kept no state until the ACK",                    \
      A1(option_bits, BITS))

/* How an anomaly argument reads (its JSON form in tcpflow-audit-records(5)). */
typedef enum TfaArgUnit {
    TFA_ARG_COUNT,      /* a number of things */
    TFA_ARG_BYTES,      /* bytes of payload, or a size */
    TFA_ARG_SEQ,        /* a sequence or acknowledgement number (negative: unknown, null) */
    TFA_ARG_FRAME,      /* a frame number (0: none, null) */
    TFA_ARG_NS,         /* a duration in nanoseconds */
    TFA_ARG_TSVAL,      /* an RFC 7323 timestamp value */
    TFA_ARG_RST,        /* an index into the record's rsts[] */
    TFA_ARG_BITS,       /* a bit field */
    TFA_ARG_FLAG,       /* 0 or not: a boolean */
    TFA_ARG_STATE,      /* a TfaTcpState: its name */
    TFA_ARG_ORIGINATOR, /* a TfaOriginator: its name */
    TFA_ARG_LOST,       /* how a loss is proven (seqtrack.h TFA_LOST_*): its name */
    TFA_ARG_COPY,       /* what kind of copy a frame is (seqtrack.h TFA_SEQ_COPY_*): its name */
    TFA_ARG_UNIT_N
} TfaArgUnit;

#define TFA_ANOMALY_ARGS_MAX 4

/* One argument of an anomaly code. */
typedef struct TfaArgDesc {
    const char *name;
    TfaArgUnit unit;
} TfaArgDesc;

typedef enum TfaAnomalyCode {
#define X(name, sev, text, args) TFA_ANOMALY_##name,
    TFA_ANOMALY_LIST(X)
#undef X
    TFA_ANOMALY_N
} TfaAnomalyCode;

/* Capture-level diagnostics and counters: X(NAME, "meaning").  DECODE_* are
 * problems of one frame; the OK/NOT_* entries count frames that are fine but
 * not analysed; CAPTURE_* concern the capture as a whole; CONN_*, BUFFER_*
 * and SUMMARY_* count what a cap evicted, truncated or left out. */
#define TFA_DIAG_LIST(X)                                                                           \
    X(DECODE_TRUNCATED, "frame cut by the snaplen: headers used, payload length from the IP header") \
    X(DECODE_BAD_LINK_HEADER, "link-layer header shorter than its type requires")                  \
    X(DECODE_UNKNOWN_LINKTYPE, "link type not decoded")                                            \
    X(DECODE_BAD_IP_HEADER, "IP header malformed (version, header length, cut before its end)")    \
    X(DECODE_BAD_IP_LENGTH, "IP length field inconsistent with the frame")                         \
    X(DECODE_BAD_IPV6_EXT, "IPv6 extension header chain malformed or cut")                         \
    X(DECODE_IP_FRAGMENT, "IP fragment, held for reassembly (DEFRAG_*; if not held, a first "     \
                          "fragment's complete TCP header is used)")                              \
    X(DECODE_JUMBO, "IPv4 length 0 (GSO/BIG TCP) or IPv6 jumbogram: length taken from the frame")  \
    X(DECODE_BAD_TCP_HEADER, "TCP header malformed (data offset < 5 or beyond the packet)")        \
    X(DECODE_BAD_OPTION, "TCP option malformed (bad length, cut, duplicated)")                     \
    X(DECODE_ILLEGAL_FLAGS, "illegal TCP flag combination (e.g. SYN+FIN, SYN+RST, no flags)")      \
    X(DECODE_BAD_CHECKSUM, "TCP checksum wrong (only checked with --verify-checksums)")            \
    X(DECODE_NOT_IP, "frame carries no IPv4/IPv6 packet")                                          \
    X(DECODE_NOT_TCP, "IP packet that is not TCP")                                                 \
    X(CAPTURE_TIME_WENT_BACKWARDS, "a frame's timestamp is earlier than the previous frame's")     \
    X(CAPTURE_KERNEL_DROPS, "packets dropped by the kernel or interface (live capture)")           \
    X(CAPTURE_DAMAGED_FILE, "capture file truncated or corrupt; reading stopped at the damage")    \
    X(CONN_EVICTED, "connections evicted at the --max-connections cap")                            \
    X(CONN_ANOMALIES_TRUNCATED, "anomalies not kept at the --max-anomalies cap (counts stay exact)") \
    X(CONN_TIME_WAIT_FORGOTTEN, "reported connections in TIME_WAIT forgotten at the --max-connections cap") \
    X(BUFFER_CAP_HIT, "payload not kept for comparing retransmissions: --max-buffer-bytes reached") \
    X(CAPTURE_CAPLEN_ABOVE_WIRELEN,                                                                \
      "capture record longer than the packet on the wire: the captured length is used for both") \
    X(SUMMARY_SCANNERS_NOT_TRACKED,                                                                \
      "connections whose client was not tracked for port scans (table full)")                      \
    X(SUMMARY_SOCKETS_NOT_LISTED, "--at: endpoints alive then but not listed (cap reached)")      \
    X(CONN_VLAN_ASYMMETRIC,                                                                        \
      "a direction seen only on another VLAN tag than its connection's: matched on the 4-tuple") \
    X(CAPTURE_ACKED_UNSEEN,                                                                        \
      "gaps the receiver acknowledged but the capture never showed: capture loss, not network loss") \
    X(CAPTURE_ONE_DIRECTION,                                                                       \
      "connections of which the capture holds one direction only: the other side is unknown") \
    X(CONN_GAPS_FORGOTTEN,                                                                         \
      "undecided gaps of a direction forgotten at its cap of 8: their loss is not judged")        \
    X(DECODE_ENCRYPTED,                                                                            \
      "encrypted link or tunnel payload (802.11 protected frame, CAPWAP DTLS): not decoded") \
    X(DEFRAG_REASSEMBLED, "IP datagrams reassembled from their fragments (RFC 791, RFC 8200 §4.5)") \
    X(DEFRAG_INCOMPLETE,                                                                           \
      "fragmented datagrams given up: not complete within --frag-timeout or by the capture's end") \
    X(DEFRAG_CAP_HIT, "IP fragments not held for reassembly: --max-frag-bytes reached")           \
    X(DEFRAG_OVERLAP_DIFFERS,                                                                      \
      "overlapping IP fragments with different bytes: receivers disagree on which wins (evasion)") \
    X(DEFRAG_OVERLAP_DROPPED,                                                                      \
      "datagrams dropped for partly overlapping fragments, as RFC 5722 and Linux do")             \
    X(DEFRAG_BAD_FRAGMENT,                                                                         \
      "IP fragment rejected: beyond 65535 bytes, empty, not a multiple of 8, or a moved end") \
    X(DECODE_IPCOMP, "IPComp (RFC 3173) payloads inflated (DEFLATE) and decoded")                 \
    X(DECODE_BAD_IPCOMP,                                                                           \
      "IPComp payloads not inflated: not DEFLATE, corrupt, cut, or beyond 65535 bytes") \
    X(ICMP_ERROR_TIED,                                                                             \
      "ICMP errors quoting a TCP segment of a tracked connection: recorded on it")                 \
    X(ICMP_ERROR_NO_CONN,                                                                          \
      "ICMP errors quoting a TCP segment of no tracked connection")                                \
    X(EXTRACT_CAP_HIT,                                                                             \
      "stream directions cut for --extract: --extract-max-bytes or --extract-max-total reached")  \
    X(EXTRACT_WRITE_FAILED, "stream files of --extract not created or not fully written")   \
    X(CAPTURE_IFACE_DOWN,                                                                          \
      "live: times the interface went down or away: nothing captured until it came back "        \
      "(capture quality, not a network verdict)")                                                 \
    X(CAPTURE_IFACE_GONE,                                                                          \
      "live: the interface disappeared and did not come back: the capture ended early")

typedef enum TfaDiag {
#define X(name, text) TFA_DIAG_##name,
    TFA_DIAG_LIST(X)
#undef X
    TFA_DIAG_N
} TfaDiag;

/* How the client (originator) of a connection was decided. */
#define TFA_ORIGINATOR_LIST(X)                                                 \
    X(SYN, "syn")                                                              \
    X(SYNACK, "synack")                                                        \
    X(PORT, "port")                                                            \
    X(FIRST_PACKET, "first_packet")

typedef enum TfaOriginator {
#define X(name, text) TFA_ORIGINATOR_##name,
    TFA_ORIGINATOR_LIST(X)
#undef X
    TFA_ORIGINATOR_N
} TfaOriginator;

/* handshake.outcome (ANOMALIES.md) */
#define TFA_HANDSHAKE_LIST(X)                                                  \
    X(COMPLETE, "complete")                                                    \
    X(COMPLETE_AFTER_RETRY, "complete_after_retry")                            \
    X(REFUSED, "refused")                                                      \
    X(UNANSWERED, "unanswered")                                                \
    X(SYNACK_UNACKED, "synack_unacked")                                        \
    X(SIMULTANEOUS_OPEN, "simultaneous_open")                                  \
    X(NOT_SEEN, "not_seen")                                                    \
    X(RESET_DURING, "reset_during")

typedef enum TfaHandshake {
#define X(name, text) TFA_HANDSHAKE_##name,
    TFA_HANDSHAKE_LIST(X)
#undef X
    TFA_HANDSHAKE_N
} TfaHandshake;

/* close.kind (ANOMALIES.md) */
#define TFA_CLOSE_LIST(X)                                                      \
    X(GRACEFUL, "graceful")                                                    \
    X(HALF_CLOSED, "half_closed")                                              \
    X(SIMULTANEOUS, "simultaneous")                                            \
    X(RESET, "reset")                                                          \
    X(RESET_AFTER_FIN, "reset_after_fin")                                      \
    X(OPEN_AT_END, "open_at_end")                                              \
    X(IDLE_TIMEOUT, "idle_timeout")                                            \
    X(EVICTED, "evicted")

typedef enum TfaCloseKind {
#define X(name, text) TFA_CLOSE_##name,
    TFA_CLOSE_LIST(X)
#undef X
    TFA_CLOSE_N
} TfaCloseKind;

/* close.initiator */
#define TFA_INITIATOR_LIST(X)                                                  \
    X(CLIENT, "client")                                                        \
    X(SERVER, "server")                                                        \
    X(BOTH, "both")                                                            \
    X(NONE, "none")

typedef enum TfaInitiator {
#define X(name, text) TFA_INITIATOR_##name,
    TFA_INITIATOR_LIST(X)
#undef X
    TFA_INITIATOR_N
} TfaInitiator;

/* rsts[].cause: X(NAME, "text", ANOMALY): each cause of an RST and the
 * anomaly code (TFA_ANOMALY_LIST, without its prefix) the RST detector raises
 * for it; the text is that code without "RST_", lower case.  The codes are
 * found through this list (tfa_rst_cause_code(), tfa_rst_cause_of_code()),
 * never by their place in TFA_ANOMALY_LIST: a new cause goes at the end of
 * this list and its code at the end of TFA_ANOMALY_LIST, so no other code and
 * no CSV column n_<CODE> moves. */
#define TFA_RST_CAUSE_LIST(X)                                                                      \
    X(REFUSED, "refused", RST_REFUSED)                                                             \
    X(HANDSHAKE_ABORT, "handshake_abort", RST_HANDSHAKE_ABORT)                                     \
    X(ABORTIVE_CLOSE, "abortive_close", RST_ABORTIVE_CLOSE)                                        \
    X(CLOSE_WITH_UNREAD_DATA, "close_with_unread_data", RST_CLOSE_WITH_UNREAD_DATA)                \
    X(DATA_TO_CLOSED_SOCKET, "data_to_closed_socket", RST_DATA_TO_CLOSED_SOCKET)                   \
    X(STALE_CONNECTION, "stale_connection", RST_STALE_CONNECTION)                                  \
    X(IN_TIME_WAIT, "in_time_wait", RST_IN_TIME_WAIT)                                              \
    X(OUT_OF_WINDOW, "out_of_window", RST_OUT_OF_WINDOW)                                           \
    X(SUSPECTED_INJECTION, "suspected_injection", RST_SUSPECTED_INJECTION)                         \
    X(KEEPALIVE_TIMEOUT, "keepalive_timeout", RST_KEEPALIVE_TIMEOUT)                               \
    X(AFTER_IDLE, "after_idle", RST_AFTER_IDLE)                                                    \
    X(UNKNOWN, "unknown", RST_UNKNOWN)

typedef enum TfaRstCause {
#define X(name, text, code) TFA_RST_CAUSE_##name,
    TFA_RST_CAUSE_LIST(X)
#undef X
    TFA_RST_CAUSE_N
} TfaRstCause;

/* Why a connection's record was emitted. */
#define TFA_END_LIST(X)                                                        \
    X(CLOSED, "closed")                                                        \
    X(RESET, "reset")                                                          \
    X(IDLE_TIMEOUT, "idle_timeout")                                            \
    X(NEW_INCARNATION, "new_incarnation")                                      \
    X(CAPTURE_END, "capture_end")                                              \
    X(EVICTED, "evicted")

typedef enum TfaEndReason {
#define X(name, text) TFA_END_##name,
    TFA_END_LIST(X)
#undef X
    TFA_END_N
} TfaEndReason;

/* How a state transition was evidenced (path[].evidence). */
#define TFA_EVIDENCE_LIST(X)                                                                       \
    X(SENT, "sent")                     /* the endpoint sent the segment: certain */              \
    X(RECEIVED, "received")             /* it was sent the segment: probable until confirmed */    \
    X(TIMER, "timer")                   /* TIME_WAIT ran out (2*MSL); connect() gave up */         \
    X(INFERRED, "inferred")             /* implied by a later segment (a SYN-ACK before its SYN) */ \
    X(CAPTURE_START, "capture_start")   /* its state when the capture first shows it */

typedef enum TfaEvidence {
#define X(name, text) TFA_EVIDENCE_##name,
    TFA_EVIDENCE_LIST(X)
#undef X
    TFA_EVIDENCE_N
} TfaEvidence;

/* How the receiver of an RST judged it (RFC 9293 §3.10.7, RFC 5961 §3.2). */
#define TFA_RST_ACCEPT_LIST(X)                                                                     \
    X(ACCEPTED, "accepted")     /* sequence number exactly RCV.NXT (in SYN_SENT: acks the SYN) */ \
    X(CHALLENGED, "challenged") /* in the window but not exact: a challenge ACK, no reset */       \
    X(IGNORED, "ignored")       /* outside the window, or not acknowledging the SYN */            \
    X(NO_STATE, "no_state")     /* the receiver had nothing to reset (CLOSED, LISTEN) */

typedef enum TfaRstAccept {
#define X(name, text) TFA_RST_##name,
    TFA_RST_ACCEPT_LIST(X)
#undef X
    TFA_RST_ACCEPT_N
} TfaRstAccept;

/* The one-word verdict on a connection (tcpflow-audit-records(5)). */
#define TFA_VERDICT_LIST(X)                                                    \
    X(OK, "ok")                                                                \
    X(DEGRADED, "degraded")                                                    \
    X(FAILED, "failed")

typedef enum TfaVerdict {
#define X(name, text) TFA_VERDICT_##name,
    TFA_VERDICT_LIST(X)
#undef X
    TFA_VERDICT_N
} TfaVerdict;

/* Where the capture point sits between the endpoints (vantage.position). */
#define TFA_VANTAGE_LIST(X)                                                    \
    X(UNKNOWN, "unknown")                                                      \
    X(NEAR_CLIENT, "near_client")                                              \
    X(NEAR_SERVER, "near_server")                                              \
    X(NEAR_BOTH, "near_both")                                                  \
    X(MIDDLE, "middle")

typedef enum TfaVantage {
#define X(name, text) TFA_VANTAGE_##name,
    TFA_VANTAGE_LIST(X)
#undef X
    TFA_VANTAGE_N
} TfaVantage;

/* Capture-level findings (summary record). */
#define TFA_FINDING_LIST(X)                                                                        \
    X(SERVICE_CLOSE_WAIT_LEAK, "connections left in CLOSE_WAIT on the server: the application "    \
                               "does not close its sockets")                                       \
    X(SERVICE_TIME_WAIT_PILEUP, "the server closes first and accumulates TIME_WAIT")               \
    X(SERVICE_SYN_FLOOD, "many half-open handshakes from many sources")                            \
    X(HOST_PORT_SCAN, "one source tried many ports, mostly refused or unanswered")                 \
    X(SERVICE_REFUSING, "a port that answers every SYN with RST")

typedef enum TfaFinding {
#define X(name, text) TFA_FINDING_##name,
    TFA_FINDING_LIST(X)
#undef X
    TFA_FINDING_N
} TfaFinding;

/* Name and table look-ups (util/names.c).  Out-of-range values give "?". */
const char *tfa_tcp_state_name(TfaTcpState s);
const char *tfa_severity_name(TfaSeverity s);
const char *tfa_anomaly_name(TfaAnomalyCode c);
TfaSeverity tfa_anomaly_severity(TfaAnomalyCode c);
const char *tfa_anomaly_meaning(TfaAnomalyCode c);
const char *tfa_diag_name(TfaDiag d);
const char *tfa_diag_meaning(TfaDiag d);
const char *tfa_originator_name(TfaOriginator o);
const char *tfa_handshake_name(TfaHandshake h);
const char *tfa_close_name(TfaCloseKind k);
const char *tfa_initiator_name(TfaInitiator i);
const char *tfa_rst_cause_name(TfaRstCause c);
/* The anomaly code of an RST cause (TFA_ANOMALY_RST_UNKNOWN when out of range),
 * and the cause whose code an anomaly is (-1 when it is no cause's code). */
TfaAnomalyCode tfa_rst_cause_code(TfaRstCause c);
int tfa_rst_cause_of_code(TfaAnomalyCode code);
const char *tfa_end_name(TfaEndReason e);
const char *tfa_evidence_name(TfaEvidence e);
const char *tfa_rst_accept_name(TfaRstAccept a);
const char *tfa_verdict_name(TfaVerdict v);
const char *tfa_vantage_name(TfaVantage v);
/* The arguments anomaly @code uses, in slot order (*n of them, at most
 * TFA_ANOMALY_ARGS_MAX); NULL and 0 for an unknown code. */
const TfaArgDesc *tfa_anomaly_args(TfaAnomalyCode code, unsigned *n);
const char *tfa_arg_unit_name(TfaArgUnit u);
const char *tfa_finding_name(TfaFinding f);
const char *tfa_finding_meaning(TfaFinding f);

/* Reverse look-ups for command-line parsing; return -1 when unknown. */
int tfa_anomaly_from_name(const char *name);
int tfa_severity_from_name(const char *name);
