/* conntrack.h - the table of live connections: lookup, incarnations, expiry,
 * eviction (DESIGN.md §2 "conntrack").
 *
 * Owns: every live TfaConn, in an open-addressing table keyed by the
 * canonical TfaConnKey (hash computed once per segment with the table's own
 * seed), and in a log of activity per class (open, closed) that gives them
 * in order of their latest segment (TfaConn.age_pos).
 * Retiring a connection takes it out of the table and appends it to the
 * caller's `retired` queue: ownership passes to the caller, who reports and
 * frees it.  Calls go one way: conntrack never reports anything itself.
 *
 * Lifecycle: a connection is created by its first segment; it retires when
 *  - it has closed (the state machine says both endpoints are done: see
 *    tfa_conntrack_set_closed) and stayed quiet for close_linger of capture
 *    time,
 *  - a new SYN (with a new ISN) arrives on its tuple after it closed: a new
 *    incarnation (the old one retires first),
 *  - it stays idle for idle_timeout of capture time (it is remembered for
 *    another idle_timeout: a later segment on its tuple that is not a new
 *    SYN makes a record that continues it, TfaConn.continues_id),
 *  - the table is full (max_conns): the least recently active is evicted,
 *  - or the capture ends (tfa_conntrack_retire_all).
 */
#pragma once

#include <glib.h>

#include "tcpflow-audit/conn.h"
#include "tcpflow-audit/decode.h"
#include "tcpflow-audit/options.h"
#include "tcpflow-audit/stats.h"

typedef struct TfaConnTable TfaConnTable;

TfaConnTable *tfa_conntrack_new(const TfaOptions *opts, TfaStats *stats, guint32 seed);
void tfa_conntrack_free(TfaConnTable *ct);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TfaConnTable, tfa_conntrack_free)

/* Retire connections idle (or closed and lingering) at capture time @now. */
void tfa_conntrack_expire(TfaConnTable *ct, TfaTs now, GQueue *retired);

/* Find or create the connection of @seg and account the segment to it.
 * *side is set to the sending side, *created to whether the connection is
 * new.  May retire an older incarnation or evict the least recently active
 * connection into @retired. */
TfaConn *tfa_conntrack_segment(TfaConnTable *ct, const TfaSegment *seg, uint8_t *side,
                               GQueue *retired, bool *created);

/* Mark @c closed (it then retires after close_linger of quiet) or open
 * again (traffic after an RST that turned out not to end it). */
void tfa_conntrack_set_closed(TfaConnTable *ct, TfaConn *c, bool closed, TfaFrameNo frame);

/* Retire every live connection (capture end), in order of first frame. */
void tfa_conntrack_retire_all(TfaConnTable *ct, GQueue *retired);

guint tfa_conntrack_size(const TfaConnTable *ct);

/* Build the canonical key of @seg; *side = the sender's side in that key. */
void tfa_conntrack_key(const TfaSegment *seg, guint32 seed, TfaConnKey *key, uint8_t *side);

/* The live connection of the TCP segment an ICMP error quotes (@seg as the
 * decoder left it: TFA_DECODE_ICMP_ERROR), matched on its 4-tuple and VLAN
 * tags, or on the 4-tuple alone as tfa_conntrack_segment() does; *side =
 * the side that sent the quoted segment.  NULL when none is tracked.
 * Read-only: the connection's activity and traffic are left alone. */
TfaConn *tfa_conntrack_lookup(TfaConnTable *ct, const TfaSegment *seg, uint8_t *side);

/* Record on @c the ICMP error @seg about @side's segment (no allocation). */
void tfa_conntrack_icmp(TfaConn *c, const TfaSegment *seg, uint8_t side);
