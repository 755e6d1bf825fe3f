/* extract.h - the byte streams of a connection, one file per direction
 * (--extract DIR), as the receiving TCP delivered them.
 *
 * Owns: the TfaExtract hung on TfaConn.extract (allocated at a connection's
 * first segment, only when --extract is given) and, per direction, one
 * buffer of the stream and a bitmap of the bytes captured, both growing
 * geometrically up to --extract-max-bytes and, all live connections
 * together, --extract-max-total (TfaExtractBudget).  Beyond either cap the
 * bytes are not kept: counted on the direction (over_cap) and as the
 * diagnostic EXTRACT_CAP_HIT.  Borrows: the segment's payload (copied),
 * the options (the directory descriptor opened by tfa_extract_open_dir).
 *
 * Offsets count from the byte after the sender's SYN (RFC 9293 §3.4: the
 * first data octet is ISN+1), or from the first segment of the direction
 * with data or FIN when the handshake was not captured.  Sequence numbers
 * are unwrapped against the highest offset seen, so a stream may cross
 * 2^32 (RFC 9293 §3.4 comparisons are modulo 2^32, within 2^31).
 *
 * Which copy wins: the first one captured, byte by byte.  That is what
 * Linux's tcp_data_queue() does for bytes below rcv_nxt (a retransmission
 * of delivered bytes is trimmed to rcv_nxt and its old part dropped) and
 * what tcp_data_queue_ofo() does when a later out-of-order segment is
 * covered by one already queued ("all the bits are present: drop").  Not
 * modelled: tcp_data_queue_ofo() replacing a queued out-of-order segment
 * by a later one that starts at the same sequence number and covers it
 * entirely.  Any byte whose later copy differs is listed in `differs`
 * with both versions' SHA-256, so that case is never silent.
 *
 * Not delivered, counted: payload on an RST segment, payload that reaches
 * an endpoint the state machine (tcpsm, which runs first) saw closed after
 * an RST: one it accepted (RFC 5961 §3.2: exactly at RCV.NXT; RFC 9293
 * §3.10.7) or one it sent; a challenged or ignored RST changes nothing; bytes
 * beyond the sender's FIN (§3.10.7.4: text after FIN is ignored), bytes
 * before offset 0.  Holes (bytes never captured, including the cut of a
 * snap length) are left out of the file, or filled with --extract-fill;
 * each is listed with whether the receiver acknowledged it (capture loss).
 *
 * Files are written when the connection is reported (drain), so at most
 * one descriptor is open at a time; names are built from numbers only and
 * created with openat(O_EXCL|O_NOFOLLOW) inside the directory:
 *   CONNID-INCARNATION-R-SRC.SPORT-DST.DPORT
 * CONNID 12 decimal digits, R 'c' (client to server) or 's', IPv4
 * addresses as four 3-digit octets (tcpflow's form), IPv6 as eight groups
 * of 4 lowercase hex digits, all joined by '.', ports 5 decimal digits.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "tcpflow-audit/conn.h"
#include "tcpflow-audit/decode.h"
#include "tcpflow-audit/json.h"
#include "tcpflow-audit/options.h"
#include "tcpflow-audit/record.h"
#include "tcpflow-audit/stats.h"

#define TFA_EXTRACT_MAX_RANGES 16  /* holes and differing ranges listed per direction */
#define TFA_EXTRACT_NAME_MAX 112

typedef struct TfaExtractHole {
    guint64 from, to; /* [from, to) in stream offsets */
    bool acked;       /* the receiver acknowledged bytes beyond it: capture loss */
} TfaExtractHole;

typedef struct TfaExtractDiffer {
    guint64 from, to;
    uint8_t first_sha256[32], later_sha256[32]; /* SHA-256 of each version */
} TfaExtractDiffer;

typedef struct TfaExtractDir {
    bool based;            /* offset 0 is known */
    uint32_t base;         /* its sequence number */
    guint64 seen_end;      /* highest end offset of the data seen */
    guint64 stored_end;    /* highest end offset stored */
    guint64 limit;         /* where storing stopped (G_MAXUINT64: never) */
    uint8_t *buf, *have;   /* the bytes and their bitmap */
    guint64 cap;           /* bytes allocated */
    bool fin;
    guint64 fin_off;       /* offset of the FIN */
    bool acked_known;
    guint64 acked;         /* the receiver's highest ACK, as an offset */
    guint64 after_fin, after_rst, before_start, over_cap;
    guint n_differs;
    guint64 differs_total;
    TfaExtractDiffer differs[TFA_EXTRACT_MAX_RANGES];
    /* results (tfa_extract_finish) */
    bool done;
    int err;               /* errno of a failed write, 0 */
    char name[TFA_EXTRACT_NAME_MAX]; /* "" when no file was written */
    guint64 bytes;         /* written */
    guint n_holes;
    guint64 holes_total, hole_bytes;
    TfaExtractHole holes[TFA_EXTRACT_MAX_RANGES];
    uint8_t sha256[32];    /* of the bytes written */
} TfaExtractDir;

typedef struct TfaExtract {
    TfaExtractDir dir[2]; /* by sending side */
    bool rst;             /* an RST was seen: an endpoint it closed delivers nothing more */
    int fill;             /* the --extract-fill byte the files were written with, -1: none */
} TfaExtract;

/* Bytes held by every live connection's buffers (the engine owns one). */
typedef struct TfaExtractBudget {
    guint64 held, limit;
} TfaExtractBudget;

/* Open @path as the extraction directory: a directory this process can
 * write; -1 with @error otherwise. */
int tfa_extract_open_dir(const char *path, GError **error);

/* One segment of @c from @side (the per-segment path: no allocation but
 * the connection's TfaExtract once and the geometric growth of a buffer;
 * hashing only for a retransmission that differs).  No-op without
 * --extract or for a connection --conn does not select. */
void tfa_extract_segment(TfaConn *c, const TfaOptions *o, TfaExtractBudget *b, TfaStats *stats,
                         const TfaSegment *seg, uint8_t side);

/* @c is reported: write its files into o->extract_fd, compute the facts
 * of the record, free the buffers. */
void tfa_extract_finish(TfaConn *c, const TfaOptions *o, TfaExtractBudget *b, TfaStats *stats);

/* @c is not reported: free its buffers (TfaConn.extract stays). */
void tfa_extract_release(TfaConn *c, TfaExtractBudget *b);

/* tfa_conn_free's part. */
void tfa_extract_free(TfaExtract *x);

/* @digest (32 bytes) as 64 lowercase hex digits and a NUL into @out. */
void tfa_extract_hex(const uint8_t *digest, char out[65]);

/* The file name of @side's stream into @buf (TFA_EXTRACT_NAME_MAX). */
void tfa_extract_name(const TfaConn *c, uint8_t side, char *buf, size_t len);

/* The record's "streams" object (only when --extract was given). */
void tfa_extract_json(TfaJson *j, const TfaConnRecord *rec);
