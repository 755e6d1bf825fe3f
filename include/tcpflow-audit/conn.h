/* conn.h - one TCP connection (one incarnation of a 4-tuple): data only.
 *
 * A TfaConn is created and owned by the conntrack stage while it is live;
 * once retired it is handed to the engine, which reports and frees it.
 * Fields are readable by every stage, but each group is written only by the
 * stage named on it (one writer per field): conntrack (identity, traffic,
 * lifecycle), tcpsm (the endpoints, the RSTs' evidence, what each side
 * sent), seqtrack (the byte streams, the opening's times, irtt), the
 * detectors (their private states while live, then the outcome and the
 * RSTs' causes), record/zeek.c (Zeek's view), the engine (drops, IP
 * reassembly, the ladder), conntrack/icmp.c (ICMP errors), extract.c
 * (--extract).  The findings (anomalies and counts) are a log appended to
 * only through tfa_conn_count() and tfa_conn_add_anomaly(): diagnostics by
 * the stage that meets them, anomalies by the detectors' sink.  The order
 * the stages run in is flow.c's.  Everything that grows (anomalies, counts)
 * has a cap from TfaOptions, and hitting it is counted on the connection.
 *
 * Sides: side 0 is the endpoint with the lower (address, port); `client`
 * says which side is the originator (DESIGN.md §6: client = originator),
 * and may be revised while evidence arrives (a SYN-ACK captured before its
 * SYN).  Reporters translate sides into client/server.
 */
#pragma once

#include <glib.h>

#include "tcpflow-audit/codes.h"
#include "tcpflow-audit/common.h"
#include "tcpflow-audit/icmp.h"

/* Canonical connection key: endpoint 0 < endpoint 1, plus the VLAN IDs. */
typedef struct TfaConnKey {
    TfaAddr addr[2];
    uint16_t port[2];
    uint16_t vlan[2];
    uint32_t hash; /* computed once with the table's seed */
} TfaConnKey;

/* What one side sent (written by conntrack). */
typedef struct TfaSideStats {
    guint64 packets;
    guint64 bytes;        /* TCP payload bytes (from the IP header) */
    guint64 bytes_captured; /* of which actually captured */
    uint16_t flags_seen;  /* OR of TFA_TH_* */
    TfaFrameNo first_frame, last_frame;
    TfaTs first_ts, last_ts;
} TfaSideStats;

/* The opening facts conntrack uses to tell incarnations apart, and whether
 * the connection has closed (written by conntrack; "closed" is decided by
 * the state machine, see tfa_conntrack_set_closed). */
typedef struct TfaLifecycle {
    bool syn_seen[2];     /* a SYN without ACK from this side */
    bool synack_seen[2];  /* a SYN+ACK from this side */
    uint32_t isn[2];      /* sequence number of this side's SYN */
    uint32_t isn_open[2]; /* ... of the first one, which opened the connection */
    bool rst_seen;
    bool closed;          /* both endpoints are done (tcpsm) */
    TfaFrameNo closed_frame; /* the frame that closed it */
} TfaLifecycle;

/* One step of an endpoint's path. */
typedef struct TfaTransition {
    uint8_t state;       /* TfaTcpState entered */
    uint8_t evidence;    /* TfaEvidence */
    bool certain;        /* sent, or received and later confirmed */
    TfaFrameNo frame;    /* 0 for timer transitions and initial states */
    TfaTs ts;
} TfaTransition;

#define TFA_MAX_PENDING 4

/* One endpoint as the RFC 9293 state machine sees it (written by tcpsm).
 * TCB fields (RFC 9293 §3.3.1) hold what the capture shows; *_known says
 * whether a value has been seen at all. */
typedef struct TfaEndpoint {
    uint8_t state;          /* TfaTcpState */
    bool passive;           /* opened from LISTEN */
    bool iss_known, irs_known, snd_nxt_known, rcv_nxt_known, fin_sent, synack_sent;
    uint32_t iss, irs;      /* initial send / receive sequence numbers */
    uint32_t snd_una;       /* highest ACK received from the peer */
    uint32_t snd_nxt;       /* sequence number after the last byte (SYN/FIN) sent */
    uint32_t rcv_nxt;       /* highest ACK this endpoint sent */
    uint32_t snd_wnd;       /* the peer's last advertised window, scaled */
    uint32_t rcv_wnd;       /* this endpoint's last advertised window, scaled */
    uint32_t fin_end;       /* sequence number after this endpoint's FIN */
    bool has_wscale;        /* its SYN carried the window scale option */
    uint8_t wscale;         /* ... with this shift */
    TfaTs time_wait_ts;     /* when TIME_WAIT began */
    /* received transitions not yet confirmed, oldest first: the state each
     * left, and the ACK that confirms it (0 when any later send does) */
    uint8_t n_pending;
    uint8_t pending_from[TFA_MAX_PENDING];
    uint8_t pending_retx[TFA_MAX_PENDING];  /* its cause was sent again this often */
    uint32_t pending_ack[TFA_MAX_PENDING];
    bool pending_need_ack[TFA_MAX_PENDING];
    /* an RST this endpoint appears to have sent, and its state before it */
    bool closed_by_own_rst;
    uint8_t state_before_rst;
    bool refuted;           /* its own segment showed it had not received ... */
    uint32_t refuted_ack;   /* ... what ends here (a FIN sent again and again) */
    uint8_t acks_dropped;   /* its repeated SYN-ACK showed the ACK taken to complete its
                             * passive open never counted, this often */
    uint16_t path_dropped;  /* transitions beyond the cap, not kept */
    GArray *path;           /* of TfaTransition, capped */
} TfaEndpoint;

/* One RST of the connection: its evidence written by tcpsm (tcpsm.c opens
 * the entry, history.c adds what the capture shows around it); its cause
 * decided by the RST detector when the connection is reported. */
typedef struct TfaRstInfo {
    TfaFrameNo frame;
    TfaTs ts;
    uint8_t side;           /* who sent it */
    uint8_t accept;         /* TfaRstAccept */
    uint8_t sender_state;   /* the sender's state before it */
    uint8_t receiver_state; /* the receiver's state before it */
    uint32_t seq, ack;
    bool has_ack;
    uint32_t payload_len;
    uint8_t ttl;            /* the RST's IP TTL / hop limit */
    uint8_t sender_ttl;     /* the TTL of the sender's previous segment (0: none) */
    TfaDuration idle_before; /* since the connection's previous segment */
    uint16_t answered_flags; /* the peer's segment just before it */
    uint32_t answered_len;
    uint32_t answered_ack, answered_seq;
    bool answered_valid;
    bool sender_sent_data;  /* the sender had sent payload before it */
    bool sender_talked_after; /* the sender sent non-RST segments after it */
    bool receiver_talked_after; /* and the receiver */
    bool sender_probed;     /* the sender's keep-alive probes went unanswered before it */
    uint8_t cause;          /* TfaRstCause, decided when the connection is reported (the
                             * RST detector: its only field here) */
    char diag[48];          /* printable RFC 9293 diagnostic payload, if any */
    /* what the capture shows of the sender and the peer before it (the RST
     * detector, from the segments in capture order) */
    uint16_t ip_id;          /* the RST's IPv4 ID (0: IPv6) */
    uint16_t sender_ip_id;   /* of the sender's previous segment */
    uint8_t sender_ttl_min, sender_ttl_max; /* over all its earlier segments */
    uint8_t probes;          /* the sender's unanswered keep-alive probes just before it */
    uint8_t follow_up;       /* TFA_RST_FOLLOW_*: the connection was already reset */
    bool copy;               /* a second capture of an earlier RST (same IP ID and sequence) */
    uint8_t copy_of;         /* ... the index in rsts[] of that one */
    bool receiver_acked_fin; /* the receiver had ACKed the sender's FIN */
    bool lone;               /* no earlier segment of the connection at all */
    bool probe_answer;       /* the sender had sent nothing; the peer only segments with
                              * neither SYN nor ACK (FIN, NULL, Xmas probes) */
    bool sender_held;        /* the sender had shown the connection: an ACK-bearing segment
                              * after its SYN, or an RST at exactly what the peer acknowledged */
    bool sender_fin_before;  /* the sender had sent its FIN */
    TfaFrameNo sender_fin_frame;
    bool sender_acked_peer_fin; /* the sender (or the RST itself) had ACKed the peer's FIN */
    bool peer_data_after_fin; /* the peer sent data after the sender's FIN */
    bool peer_wrote_after_ack; /* ... after it had acknowledged that FIN */
    TfaFrameNo peer_data_frame; /* the first such segment */
    uint64_t peer_bytes;     /* payload the peer had sent before it */
    uint64_t rcvd_unanswered; /* payload the sender had been sent since its own last data */
    TfaDuration answered_after; /* the silence before the segment it answers */
    bool answered_probe;     /* that segment was the peer's keep-alive probe */
    TfaFrameNo syn_inside_frame; /* the sender's SYN inside the connection before it (0: none) */
    /* the sender's last segment before it: its copies after the RST are no talk */
    uint32_t pre_seq, pre_ack, pre_len;
    uint16_t pre_flags;
} TfaRstInfo;

/* TfaRstInfo.follow_up */
enum { TFA_RST_FOLLOW_NONE = 0, TFA_RST_FOLLOW_SENDER = 1, TFA_RST_FOLLOW_RECEIVER = 2 };

#define TFA_MAX_RSTS_KEPT 16

#define TFA_MAX_HS_FRAMES 8

/* The handshake's times and counts, which other detectors and tcpsm's
 * finish need while the connection is live (the handshake detector keeps
 * them: tfa_detect_handshake_times()), and which the outcome repeats. */
typedef struct TfaHandshakeTimes {
    TfaTs syn_ts, synack_ts, ack_ts;      /* the answered SYN, the first SYN-ACK, the third ACK */
    uint8_t syn_count, synack_count;      /* pure SYNs from the client, SYN-ACKs from the server */
} TfaHandshakeTimes;

/* ACK timing of one endpoint, as the reporters read it: how it
 * acknowledged the peer's data, and the round trips of its own data
 * (detect/ackdelay.c, measured at the capture point). */
typedef struct TfaAckFigures {
    guint64 acks, immediate, delayed, over_500ms, piggybacked, stretch;
    guint64 full_acks;             /* pure ACKs of full-sized data ... */
    guint64 full_acks_within_two;  /* ... covering at most two segments */
    guint64 rtt_samples;
    TfaDuration max_delay;
    TfaDuration rtt_min, rtt_max;
    TfaDuration stall_time;        /* its Nagle + delayed-ACK stalls: their time ... */
    guint stalls;                  /* ... and number */
    uint16_t n_delays, n_rtts;     /* samples in the rings */
    TfaDuration *delays;           /* its latest TFA_DELAY_SAMPLES delays, or NULL */
    TfaDuration *rtts;             /* the latest round trips of its data, or NULL */
} TfaAckFigures;

/* What the detectors decided, filled by their end (tfa_detect_end) and read
 * by the reporters; valid once TfaConn.out_ready is set. */
typedef struct TfaOutcome {
    /* handshake (detect/handshake.c) */
    uint8_t handshake;                    /* TfaHandshake */
    uint8_t syn_count, synack_count;      /* pure SYNs from the client, SYN-ACKs from the server */
    uint8_t n_syn_frames, n_synack_frames;
    bool refused;                         /* the server's RST answered the SYN */
    bool hs_done_data;                    /* hs_done_frame carried data */
    int8_t syn_data_acked;                /* SYN payload acknowledged by the SYN-ACK: 1, 0, -1 unknown */
    uint8_t third_ack_repeats;            /* SYN-ACKs repeated after the client's ACK */
    TfaFrameNo syn_frames[TFA_MAX_HS_FRAMES], synack_frames[TFA_MAX_HS_FRAMES];
    TfaTs syn_ts, synack_ts, ack_ts;      /* the answered SYN, the first SYN-ACK, the third ACK */
    TfaFrameNo ack_frame;
    TfaTs syn_last_ts;                    /* the client's latest SYN */
    TfaFrameNo syn_last_frame;
    TfaTs synack_last_ts;                 /* the server's latest SYN-ACK */
    TfaFrameNo hs_done_frame;             /* the client's segment that completed the server's
                                           * side after a lost third ACK (0: none) */
    TfaTs hs_done_ts;
    TfaFrameNo hs_data_frame;             /* without: the client's first data after it */
    TfaFrameNo hs_reset_frame;            /* or the server's RST that ended it (0: none) */
    /* closing (detect/teardown.c) */
    uint8_t close_kind;                   /* TfaCloseKind */
    uint8_t close_initiator;              /* TfaInitiator */
    uint8_t verdict;                      /* TfaVerdict (detect.c) */
    TfaFrameNo close_frame;               /* the first FIN or the RST that ended it */
    /* ACK timing, by endpoint (detect/ackdelay.c) */
    TfaAckFigures timing[2];
} TfaOutcome;

/* Room for the detectors' private states while the connection is live
 * (detect.c lays them out; the unit tests check they fit). */
#define TFA_DETECT_LIVE_WORDS 100

/* What each side sent, as the capture shows it (written by tcpsm's
 * history.c, after the detectors: they read it as of the segment before
 * the one they judge).  The RST evidence in TfaRstInfo is drawn from it. */
typedef struct TfaSentHistory {
    /* each side's FIN */
    TfaFrameNo fin_frame[2];              /* its first FIN's frame ... */
    TfaTs fin_ts[2];
    TfaTs fin_last_ts[2];                 /* its latest copy of that FIN */
    uint32_t fin_seq[2];                  /* the first FIN's sequence number */
    bool fin_sent[2];                     /* it sent one */
    /* its latest segment, and the connection's */
    bool last_valid[2];
    uint32_t last_len[2], last_ack[2], last_seq[2];
    uint16_t last_flags[2];               /* each side's latest segment */
    uint8_t last_ttl[2];                  /* of each side's latest non-RST segment */
    uint8_t ttl_min[2], ttl_max[2];       /* of each side's non-RST segments */
    TfaTs prev_ts;                        /* the connection's previous segment */
    TfaDuration last_gap;                 /* the silence before the connection's latest segment */
    /* what the sender looked like: IPv4 IDs */
    uint16_t last_ip_id[2];
    uint16_t recent_ip_id[2][8];          /* each side's latest non-zero IPv4 IDs (a ring): a
                                           * segment with one of them is a copy */
    uint8_t recent_ip_id_pos[2];
    bool only_probes[2];                  /* all its non-RST segments without SYN and without ACK */
    uint32_t nonrst[2];                   /* each side's non-RST segments */
    uint32_t snd_max[2];                  /* the highest sequence number it sent, plus one */
    bool snd_max_valid[2];
    bool held[2];                         /* it sent an ACK-bearing segment that is no SYN */
    uint8_t probes[2];                    /* keep-alive probes in a row, unanswered */
    uint8_t reset_by[2];                  /* 1 + index in rsts[] of its accepted RST, while it
                                           * stays silent after it (0: none) */
    /* what it wrote and acknowledged after the peer's FIN */
    bool acked_fin[2];                    /* it acknowledged the peer's FIN */
    bool data_after_fin[2];               /* it sent data after the peer's FIN */
    bool wrote_after_ack[2];              /* ... after it had acknowledged that FIN */
    TfaFrameNo data_after_fin_frame[2];
    uint64_t rcvd_unanswered[2];          /* payload it was sent since its own last data */
    TfaFrameNo syn_inside_frame[2];       /* its latest SYN inside the connection (0: none) */
} TfaSentHistory;

/* The opening as seqtrack times it, for the reordering window (irtt):
 * the client's latest SYN before the first SYN-ACK, and its first ACK
 * after them (the handshake detector's rule for the same times; written by
 * seqtrack). */
typedef struct TfaSeqOpen {
    TfaTs syn_ts, ack_ts;
    bool syn_from[2];          /* a pure SYN from this side (simultaneous open) */
    bool syn_seen, synack_seen, acked;
} TfaSeqOpen;

/* One segment as the ladder diagram draws it (kept only with --ladder). */
typedef struct TfaLadderRow {
    TfaFrameNo frame;
    TfaTs ts;
    uint32_t seq, ack, len;
    uint16_t flags;
    uint16_t window;     /* raw */
    uint8_t side;        /* sender */
    uint32_t sack_left, sack_right; /* its first SACK block (RFC 2018); 0, 0: none */
} TfaLadderRow;

/* One segment of a direction as seqtrack remembers it, to tell a copy made
 * by the capture from a segment sent again. */
typedef struct TfaRecentSeg {
    uint32_t seq, ack, len, tsval;
    uint32_t sack_left, sack_right; /* its first SACK block */
    TfaTs ts;
    TfaFrameNo frame;
    uint16_t ip_id, flags, checksum, window;
    uint8_t n_sack, ttl;
    bool has_ts;
} TfaRecentSeg;

#define TFA_RECENT_SEGS 8
/* A gap in one direction: [start, end) never captured (written by
 * seqtrack). */
typedef struct TfaHole {
    uint32_t start, end;
    TfaFrameNo frame;          /* the segment after it */
    TfaTs ts;
    uint16_t ip_id;            /* ... and its IPv4 ID (0: IPv6 or none) */
    bool lost;                 /* reported SEQ_LOST_SEGMENT (filled late) */
    bool acked;                /* acknowledged unseen: capture loss */
    bool counted;              /* ... counted in CAPTURE_ACKED_UNSEEN (once per gap) */
} TfaHole;

#define TFA_MAX_HOLES 8

/* One direction of the byte stream as the capture shows it (written by
 * seqtrack).  "next" is the sequence number after the highest byte (or
 * SYN/FIN) seen, or acknowledged by the peer when the capture missed it;
 * "contig" the end of what was seen without a hole. */
typedef struct TfaHalf {
    bool started;              /* a segment of this direction was seen */
    uint32_t next, contig;
    TfaTs next_ts;             /* when next last advanced */
    /* what this side acknowledged and advertised */
    bool ack_seen;
    uint32_t last_ack, max_ack;
    TfaTs last_ack_ts;
    uint16_t last_win_raw;
    uint32_t last_win;         /* scaled */
    uint32_t max_win;          /* largest scaled window seen */
    bool edge_known;
    uint32_t right_edge;       /* last_ack + last_win */
    uint32_t edge_seq;         /* the sequence number of the segment that set it (SND.WL1) */
    uint32_t max_edge;         /* the highest right edge advertised */
    /* this side's SYN as captured: its window scale option (RFC 7323 §2.2) */
    bool syn_seen, syn_is_synack, syn_wscale;
    uint8_t syn_shift;
    uint32_t dupacks;          /* identical ACKs in a row with data outstanding */
    TfaTs dupack_ts;
    /* zero window episode of this side's receive window */
    bool zero;
    bool zero_probed;          /* the peer probed it during this episode */
    TfaFrameNo zero_frame;
    TfaTs zero_ts;
    /* timestamps (RFC 7323) */
    bool ts_seen;
    uint32_t ts_recent;        /* the receiver's TS.Recent for this direction, as
                                * rebuilt from the capture (RFC 7323 §4.3) */
    uint32_t ts_before;        /* TS.Recent before its latest advance */
    /* a TSval below TS.Recent, waiting for the sender's next new segment
     * to show whether its clock really went back */
    bool ts_pending;
    uint32_t ts_pending_val, ts_pending_recent;
    TfaFrameNo ts_pending_frame;
    TfaTs ts_pending_ts;
    /* the latest segments of this side (a ring, newest at recent_pos - 1),
     * to recognise a frame captured twice with other frames in between */
    TfaRecentSeg recent[TFA_RECENT_SEGS];
    uint8_t recent_pos, recent_n;
    bool ip_id_reused;         /* one IP ID on two different segments: IDs prove nothing */
    TfaDuration prev_idle;     /* the connection's silence before this side's latest segment */
    /* a keep-alive or zero-window probe waiting for its ACK */
    bool probe_out;
    TfaFrameNo probe_frame;
    /* the previous incarnation's sequence space (a stale segment lands there) */
    bool prev_incarnation;
    uint32_t prev_next;
    /* the gaps: bytes never captured below next, oldest first (at most
     * TFA_MAX_HOLES; beyond, the oldest undecided one is forgotten and
     * counted as CONN_GAPS_FORGOTTEN).  A gap is decided when the capture
     * explains it: filled late by a retransmission (network loss before the
     * capture point: SEQ_LOST_SEGMENT), acknowledged by the peer without
     * ever being resent (capture loss: ACK_UNSEEN_DATA and the diagnostic
     * CAPTURE_ACKED_UNSEEN), or neither by the end (undecided) */
    uint8_t n_holes;
    TfaHole *holes;            /* TFA_MAX_HOLES of them, allocated at the first gap
                                * (most connections have none) */
    /* an ACK by the peer of this direction's bytes beyond anything
     * captured, [ahead_from, ahead_to): capture loss, unless this side's
     * next pure ACK shows it had not sent them (SEQ_ACK_INVALID) */
    bool ahead;
    uint32_t ahead_from, ahead_to;
    TfaFrameNo ahead_frame;
    TfaTs ahead_ts;
    /* SACK and duplicate-ACK evidence this side gives of its peer's lost
     * segments when the capture holds none of them (one-direction capture) */
    uint32_t blind_dupacks;    /* duplicate ACKs in a row, peer's bytes unseen */
    TfaTs blind_dupack_ts;
    bool blind_reported;       /* a loss at last_ack already reported */
    bool blind_sack;           /* a SACK block above last_ack was seen ... */
    uint32_t blind_sack_left;  /* ... the lowest left edge of those */
    /* retained payload of not yet acknowledged bytes, to compare
     * retransmissions with what was first sent (capped, see TfaBudget);
     * given back when all of it is acknowledged */
    uint8_t *keep;             /* a ring of keep_cap bytes, grown up to the cap; NULL
                                * while nothing is kept (keep_cap: the size the
                                * next one starts at) */
    uint32_t keep_base, keep_len, keep_cap;
    bool keep_budget_hit;      /* --max-buffer-bytes stopped it growing */
} TfaHalf;

/* The ACK-delay samples each endpoint keeps (a ring; tfa_ack_percentile). */
#define TFA_DELAY_SAMPLES 64

#define TFA_ZEEK_HISTORY_MAX 40

/* Zeek's view of the connection (written by record/zeek.c). */
typedef struct TfaZeekTrack {
    uint8_t st[2];                 /* Zeek endpoint state, by side */
    bool reset_from_closed[2];     /* it sent FIN, then RST */
    bool seen_synlike[2], seen_fin[2], seen_rst[2];
    uint32_t synlike_seq[2], fin_end[2], rst_seq[2];
    bool once[2][4];               /* D, A, I, Q recorded */
    uint32_t count[2][4];          /* T, G, W, C occurrences */
    uint32_t next_at[2][4];        /* the next occurrence recorded (1, 10, 100, ...) */
    bool max_known[2];
    uint32_t max_end[2];           /* highest sequence end seen, for T */
    uint8_t orig_side;             /* the originator when the last letter was written */
    bool started;
    bool hole[2];                  /* payload of this side not captured (cut by the snap length) */
    uint32_t hole_seq[2];          /* where the first such bytes start */
    bool sent_data[2];             /* payload outside RSTs (Zeek's endpoint size > 0) */
    uint8_t hlen;
    char history[TFA_ZEEK_HISTORY_MAX + 1];
} TfaZeekTrack;

/* One anomaly: numbers only; the text is made when reporting. */
typedef struct TfaAnomaly {
    uint16_t code;       /* TfaAnomalyCode */
    int8_t side;         /* 0, 1, or -1 for both */
    uint8_t severity;    /* TfaSeverity: the code's own, or lower when the
                          * capture lacks part of its evidence (possible) */
    bool possible;       /* the evidence is incomplete: the text says so */
    TfaFrameNo frame_no;
    TfaTs ts;
    int64_t arg[4];      /* code-specific evidence (see report/detail.c) */
} TfaAnomaly;

/* Per-code counters by side: anomaly codes first, then diagnostics. */
#define TFA_COUNT_ANOMALY(code) ((uint16_t)(code))
#define TFA_COUNT_DIAG(diag) ((uint16_t)(TFA_ANOMALY_N + (diag)))
#define TFA_COUNT_N (TFA_ANOMALY_N + TFA_DIAG_N)

typedef struct TfaCount {
    uint16_t code;   /* TFA_COUNT_ANOMALY() or TFA_COUNT_DIAG() */
    int8_t worst;    /* anomalies: the highest severity recorded, kept or not */
    uint32_t n[2];   /* by side */
} TfaCount;

/* A segment reassembled from IP fragments, as evidence (engine). */
typedef struct TfaFragEvidence {
    TfaFrameNo frame;        /* the fragment that completed it: the segment's frame; 0: none */
    TfaFrameNo first_frame;  /* its lowest-numbered fragment */
    uint32_t fragments;
    uint8_t side;
} TfaFragEvidence;

typedef struct TfaConn TfaConn;

struct TfaConn {
    /* identity (conntrack) */
    TfaConnKey key;
    guint64 id;                /* unique in the run, in order of first frame */
    guint32 incarnation;       /* 1 for the first connection on this key */
    GList age_link;            /* link in the queue of retired connections */
    guint64 age_pos;           /* its entry in conntrack's log of activity */
    uint8_t client;            /* side of the originator */
    TfaOriginator originator;  /* how the client was decided */
    bool retired;

    /* the 4-tuple without the VLAN tags, to match a direction seen on
     * another tag (conntrack) */
    TfaConnKey tuple;
    bool vlan_split[2];        /* this side was seen on another tag ... */
    uint16_t side_vlan[2][2];  /* ... this one */

    /* traffic (conntrack) */
    TfaSideStats side[2];
    TfaLifecycle life;
    TfaEndReason end_reason;
    TfaFrameNo end_frame;      /* NEW_INCARNATION: the SYN that opened the next one */
    TfaTs end_ts;
    /* the previous connection on this 4-tuple still had an endpoint in
     * TIME_WAIT when this one's SYN came (conntrack) */
    bool reused_time_wait;
    uint8_t reused_side;       /* the side that was in TIME_WAIT */
    TfaDuration reused_after;  /* how long after TIME_WAIT began */
    /* this record continues an earlier one of the same connection, reported
     * after idle_timeout of silence (conntrack): its id (0: none) and how
     * long the silence lasted */
    guint64 continues_id;
    TfaDuration continues_after;

    /* the two endpoints, the RSTs (all but their causes) and what each
     * side sent (tcpsm; hist by tcpsm/history.c) */
    TfaEndpoint ep[2];
    GArray *rsts;              /* of TfaRstInfo, at most TFA_MAX_RSTS_KEPT */
    guint rsts_total;
    TfaSentHistory hist;       /* what each side sent, as of the segment the detectors judge */
    bool mid_stream;           /* the capture began after the handshake (tcpsm_init) */
    /* the live capture's drops (engine) */
    guint64 drops_at_start;    /* live: packets the capture had dropped at its first packet */
    bool drops_during;         /* live: the capture dropped packets while it was open */

    /* the byte streams, by sending side, and the opening's times (seqtrack) */
    TfaHalf half[2];
    TfaSeqOpen open;           /* the handshake's times, as seqtrack sees them */
    TfaDuration irtt;          /* SYN -> third ACK, when captured (0 = unknown) */

    /* the detectors (detect.c): while the connection is live, their
     * private states (det_live, laid out by detect.c, each detector's own
     * struct in its own file); once tfa_detect_end() has run, out_ready is
     * set and the same bytes hold the outcome the reporters read */
    union {
        uint64_t det_live[TFA_DETECT_LIVE_WORDS];
        TfaOutcome out;
    };
    bool out_ready;            /* out holds the outcome (set by tfa_detect_end) */
    TfaZeekTrack zeek;         /* Zeek's conn_state and history (record/zeek.c) */

    /* the ladder (engine, only with --ladder) */
    GArray *ladder;            /* of TfaLadderRow, at most opts->ladder_rows */
    guint64 ladder_dropped;
    /* -f html keeps its graph points in ladder, decimated: one segment in
     * ladder_stride is kept (report/html-collect.c) */
    uint32_t ladder_stride, ladder_skip;

    /* findings: appended to through tfa_conn_count() and
     * tfa_conn_add_anomaly() only (conn.c; the detectors through their sink) */
    GArray *anomalies;         /* of TfaAnomaly, capped */
    GArray *counts;            /* of TfaCount, one per code seen */
    guint anomalies_dropped;   /* beyond the cap */

    /* IP reassembly (engine): the first segment that came in fragments, and
     * the first whose fragments overlapped held bytes with other bytes */
    TfaFragEvidence frag_first, frag_overlap;
    /* ICMP errors about each side's segments (conntrack/icmp.c): two
     * records, by side, allocated at the first error tied to the
     * connection (rare: most connections never have one), or NULL; read
     * them with tfa_conn_icmp() */
    TfaIcmpSeen *icmp;
    /* the byte streams written with --extract, or NULL (extract.h) */
    struct TfaExtract *extract;
};

/* The ICMP errors about @side's segments: an empty record (count 0) when
 * the connection had none. */
static inline const TfaIcmpSeen *tfa_conn_icmp(const TfaConn *c, uint8_t side)
{
    static const TfaIcmpSeen none;
    return c->icmp != NULL ? &c->icmp[side] : &none;
}

static inline uint8_t tfa_conn_side_of(const TfaConn *c, TfaRole role)
{
    return role == TFA_ROLE_CLIENT ? c->client : (uint8_t)(1 - c->client);
}

static inline TfaRole tfa_conn_role_of(const TfaConn *c, uint8_t side)
{
    return side == c->client ? TFA_ROLE_CLIENT : TFA_ROLE_SERVER;
}

/* Count one occurrence of @code for @side (never capped: counts are exact). */
void tfa_conn_count(TfaConn *c, uint16_t code, uint8_t side);

/* Record an anomaly and count it; beyond @cap anomalies only the count grows
 * and anomalies_dropped says how many were not kept. */
void tfa_conn_add_anomaly(TfaConn *c, const TfaAnomaly *a, guint cap);

/* The highest severity of the anomalies of @code recorded on @c, beyond the
 * cap too; -1 when there were none. */
int tfa_conn_code_severity(const TfaConn *c, TfaAnomalyCode code);

/* Count of @code for @side (0 when never seen). */
guint32 tfa_conn_get_count(const TfaConn *c, uint16_t code, uint8_t side);

void tfa_conn_free(TfaConn *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TfaConn, tfa_conn_free)
