/* html.h - the points -f html draws, collected during the analysis.
 *
 * Owns: nothing of its own.  With -f html the engine hands every segment
 * of a selected connection (--conn) to tfa_html_collect(), which keeps it
 * in the connection's ladder array (TfaLadderRow: frame, time, seq, ack,
 * length, flags, raw window, sender, first SACK block), the same facts
 * --ladder draws (both make the row with tfa_ladder_row_of()).  The
 * array grows to TFA_HTML_POINTS_PER_CONN rows and no further: when it is
 * full it is decimated in place (every second row kept, except the rows
 * that must stay: SYN, FIN, RST, zero windows and the frames of the
 * connection's anomalies found by then), and from then on one segment in
 * ladder_stride is kept; what was left out is counted in ladder_dropped.  Over all live
 * connections at most TFA_HTML_POINTS_TOTAL rows are held (*held, owned by
 * the engine, which subtracts a connection's rows when it retires it);
 * beyond, segments are counted as dropped, not kept.  No allocation
 * besides the array's growth to its cap; nothing printed.
 */
#pragma once

#include "tcpflow-audit/conn.h"
#include "tcpflow-audit/decode.h"

/* The ladder row of @seg, sent by @side. */
static inline TfaLadderRow tfa_ladder_row_of(const TfaSegment *seg, uint8_t side)
{
    TfaLadderRow row = {
        .frame = seg->frame_no,
        .ts = seg->ts,
        .seq = seg->seq,
        .ack = seg->ack,
        .len = seg->payload_len,
        .flags = seg->flags,
        .window = seg->window,
        .side = side,
        .sack_left = seg->opt.n_sack > 0 ? seg->opt.sack[0].left : 0,
        .sack_right = seg->opt.n_sack > 0 ? seg->opt.sack[0].right : 0,
    };
    return row;
}

/* Keep @seg (sent by @side) for @c's graphs, within the caps above. */
void tfa_html_collect(TfaConn *c, const TfaSegment *seg, uint8_t side, guint64 *held);

/* Whether row @r, just collected, must survive decimation: SYN, FIN, RST,
 * a zero window, or the frame of one of the latest anomalies. */
bool tfa_html_row_pinned(const TfaConn *c, const TfaLadderRow *r);
