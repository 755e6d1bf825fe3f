/* engine.c - the packet loop: the only place that calls more than one stage.
 *
 *   capture -> decode [-> defrag] [-> ipcomp] -> conntrack -> retired queue -> record -> reporters
 *
 * An IP fragment goes to defrag; the datagram it completes is decoded here
 * and analysed as a segment of the fragment's frame (number and time), its
 * bytes valid until the next frame; so is an IPComp payload once inflated.
 *
 * Connections retire (close, idle, eviction, new incarnation, capture end)
 * into a queue that is drained after every frame, so records go out as
 * connections end and memory does not grow with finished connections.
 */
#include "config.h"

#include "tcpflow-audit/engine.h"

#include <signal.h>
#include <string.h>

#include "tcpflow-audit/conntrack.h"
#include "tcpflow-audit/decode.h"
#include "tcpflow-audit/defrag.h"
#include "tcpflow-audit/ipcomp.h"
#include "tcpflow-audit/html.h"
#include "tcpflow-audit/message.h"
#include "tcpflow-audit/record.h"
#include "tcpflow-audit/report-queue.h"
#include "tcpflow-audit/seqtrack.h"
#include "tcpflow-audit/shard.h"
#include "tcpflow-audit/stats.h"
#include "tcpflow-audit/extract.h"
#include "tcpflow-audit/flow.h"
#include "tcpflow-audit/summary.h"
#include "tcpflow-audit/tcpsm.h"

struct TfaEngine {
    const TfaOptions *opts;
    TfaCapture *cap;
    TfaReporter *rep;
    TfaReportQueue *rq;      /* files, with a second CPU: records written behind */
    TfaConnTable *ct;
    TfaDefrag *defrag;       /* NULL: --max-frag-bytes 0, no reassembly */
    TfaIpcomp *ipcomp;
    TfaSummary *summary;
    TfaStats stats;
    TfaBudget budget;
    GQueue retired;
    TfaTs now;               /* latest capture time seen */
    TfaTs prev_ts;           /* the previous frame's time */
    TfaTs start_wall;        /* live: when the run started (ns) */
    guint64 records;
    bool damaged;
    bool fail;               /* --fail-on was reached */
    const volatile sig_atomic_t *stop; /* borrowed from main */
    bool stopped;
    TfaTs progress_at;       /* when the progress line was last drawn (0: never) */
    guint64 drops;           /* live: kernel + interface drops so far */
    guint64 gaps;            /* live: times the interface went down or away so far */
    guint64 html_points;     /* -f html: graph rows held by live connections */
    TfaExtractBudget xbudget; /* --extract: stream bytes held */
};

TfaEngine *tfa_engine_new(const TfaOptions *opts, TfaCapture *cap, TfaReporter *rep)
{
    TfaEngine *e = g_new0(TfaEngine, 1);
    e->opts = opts;
    e->cap = cap;
    e->rep = rep;
    /* A new connection-table seed every run, so that a hostile capture
     * cannot aim its 4-tuples at one hash bucket.  Output never depends on
     * hash order (records go out in retirement order). */
    e->ct = tfa_conntrack_new(opts, &e->stats, g_random_int());
    e->summary = tfa_summary_new(opts, &e->stats);
    e->defrag = tfa_defrag_new(opts->max_frag_bytes, opts->frag_timeout, &e->stats);
    e->ipcomp = tfa_ipcomp_new();
    e->budget.limit = opts->max_buffer_bytes;
    e->xbudget.limit = opts->extract_max_total;
    g_queue_init(&e->retired);
    return e;
}

void tfa_engine_free(TfaEngine *e)
{
    if (e == NULL)
        return;
    GList *l;
    /* an aborted run: connections never reported still hold the
     * detectors' states, which the flow releases */
    if (e->ct != NULL)
        tfa_conntrack_retire_all(e->ct, &e->retired);
    while ((l = g_queue_pop_head_link(&e->retired)) != NULL) {
        tfa_flow_release(l->data);
        tfa_conn_free(l->data);
    }
    tfa_conntrack_free(e->ct);
    tfa_defrag_free(e->defrag);
    tfa_ipcomp_free(e->ipcomp);
    tfa_summary_free(e->summary);
    tfa_capture_free(e->cap);
    tfa_report_queue_free(e->rq); /* before the reporter it writes with */
    tfa_reporter_free(e->rep);
    g_free(e);
}

void tfa_engine_set_stop_flag(TfaEngine *e, const volatile sig_atomic_t *flag)
{
    e->stop = flag;
}

static bool stop_requested(TfaEngine *e)
{
    if (e->stop != NULL && *e->stop != 0)
        e->stopped = true;
    return e->stopped;
}

/* Report and free every retired connection. */
static gboolean drain(TfaEngine *e, GError **error)
{
    GList *l;
    while ((l = g_queue_pop_head_link(&e->retired)) != NULL) {
        g_autoptr(TfaConn) c = l->data;
        TfaConnRecord rec;
        c->drops_during = e->drops + e->gaps > c->drops_at_start;
        tfa_flow_end(c, e->opts, e->now);
        /* after the end-of-connection anomalies, which may also be dropped */
        e->stats.diag[TFA_DIAG_CONN_ANOMALIES_TRUNCATED] += c->anomalies_dropped;
        tfa_seqtrack_release(c, &e->budget);
        if (e->opts->format == TFA_FORMAT_HTML && c->ladder != NULL)
            e->html_points -= MIN(e->html_points, c->ladder->len);
        tfa_record_build(c, &rec);
        for (unsigned code = 0; code < TFA_ANOMALY_N; code++)
            e->stats.anomaly[code] += rec.code_count[code];
        tfa_summary_add(e->summary, &rec);
        if (e->opts->fail_on >= 0 && rec.worst_severity >= e->opts->fail_on)
            e->fail = true;
        if (!tfa_options_conn_selected(e->opts, c->id) || e->opts->at_set ||
            !tfa_options_conn_wanted(e->opts, rec.code_count, rec.worst_severity)) {
            tfa_extract_release(c, &e->xbudget);
            continue;
        }
        tfa_extract_finish(c, e->opts, &e->xbudget, &e->stats);
        e->records++;
        if (e->rq != NULL) {
            if (!tfa_report_queue_push(e->rq, g_steal_pointer(&c), &rec, error))
                return FALSE;
        } else if (!tfa_report_conn(e->rep, &rec, error)) {
            return FALSE;
        }
    }
    return TRUE;
}

static void count_segment_diags(TfaEngine *e, uint32_t diags)
{
    for (; diags != 0; diags &= diags - 1)
        tfa_stats_count(&e->stats, (TfaDiag)g_bit_nth_lsf(diags, -1));
}

/* Keep the segment for the ladder diagram, up to the cap. */
static void ladder_add(TfaEngine *e, TfaConn *c, const TfaSegment *seg, uint8_t side)
{
    if (c->ladder != NULL && c->ladder->len >= e->opts->ladder_rows) {
        c->ladder_dropped++;
        return;
    }
    if (c->ladder == NULL)
        c->ladder = g_array_sized_new(FALSE, FALSE, sizeof(TfaLadderRow), 16);
    TfaLadderRow row = tfa_ladder_row_of(seg, side);
    g_array_append_val(c->ladder, row);
}

/* Diagnostics of the TCP layer: not the fragment frame's own when the
 * fragment is held (the reassembled segment has its own). */
#define TCP_LAYER_DIAGS ((1u << TFA_DIAG_DECODE_BAD_OPTION) | (1u << TFA_DIAG_DECODE_ILLEGAL_FLAGS))

/* The IP datagram @dg that a reassembly or an inflation produced, decoded
 * into @local in place of *seg, keeping the outer frame's VLAN tags, number
 * and time (*seg may be @local itself); *seg then points at @local. */
static void decode_inner(const uint8_t *dg, uint32_t len, TfaFrameNo frag_first,
                         const TfaSegment **seg, TfaSegment *local, TfaDiag *why,
                         TfaDecodeStatus *decoded)
{
    TfaSegment keep = **seg;
    *decoded = tfa_decode_ip(dg, len, len, local, why);
    local->vlan[0] = keep.vlan[0];
    local->vlan[1] = keep.vlan[1];
    local->frame_no = keep.frame_no;
    local->ts = keep.ts;
    local->frag_first_frame = frag_first;
    *seg = local;
}

/* An IP fragment.  False: defrag took it, nothing to analyse now.  True:
 * *seg, *why and *decoded are the datagram it completed (decoded into
 * @local), or, when defrag did not take it, the frame as it is. */
static bool reassemble(TfaEngine *e, const TfaFrame *frame, const TfaSegment **seg,
                       TfaSegment *local, TfaDiag *why, TfaDecodeStatus *decoded,
                       TfaDefragOut *out)
{
    const TfaSegment *s = *seg;
    TfaFragment f = {
        .ip = s->frag_ip,
        .len = s->frag_len,
        .caplen = s->frag_caplen,
        .frag_hdr = s->frag_hdr,
        .vlan = {s->vlan[0], s->vlan[1]},
        .frame_no = frame->frame_no,
        .ts = frame->ts,
    };
    tfa_defrag_expire(e->defrag, frame->ts);
    TfaDefragResult r = tfa_defrag_fragment(e->defrag, &f, out);
    if (r == TFA_DEFRAG_NOT_HELD)
        return true;
    count_segment_diags(e, s->diags & ~TCP_LAYER_DIAGS);
    if (r == TFA_DEFRAG_HELD)
        return false;
    decode_inner(out->datagram, out->len, out->first_frame, seg, local, why, decoded);
    return true;
}

/* A frame skipped for an IPComp payload: inflated and decoded into @local
 * (*seg points at it, keeping the frame's number, time and VLAN tags), or
 * counted as DECODE_BAD_IPCOMP (then *why). */
static void inflate_ipcomp(TfaEngine *e, const TfaSegment **seg, TfaSegment *local, TfaDiag *why,
                           TfaDecodeStatus *decoded)
{
    const TfaSegment *s = *seg;
    const uint8_t *dg;
    uint32_t len;
    if (s->comp_caplen < s->comp_len ||
        !tfa_ipcomp_inflate(e->ipcomp, s->comp_ip, s->comp, s->comp_len, &dg, &len)) {
        *why = TFA_DIAG_DECODE_BAD_IPCOMP;
        return;
    }
    count_segment_diags(e, s->diags & ~TCP_LAYER_DIAGS);
    tfa_stats_count(&e->stats, TFA_DIAG_DECODE_IPCOMP);
    decode_inner(dg, len, s->frag_first_frame, seg, local, why, decoded);
}

static void process_frame(TfaEngine *e, const TfaFrame *frame)
{
    TfaSegment local;
    const TfaSegment *seg = &local;
    TfaDiag why;
    uint8_t side;

    e->stats.frames++;
    if (!e->stats.have_ts) {
        e->stats.first_ts = frame->ts;
        e->stats.have_ts = true;
        e->now = frame->ts;
        e->prev_ts = frame->ts;
        tfa_summary_set_start(e->summary, frame->ts);
    }
    /* Each step back from the previous frame counts once: one record whose
     * time jumped ahead, or a file given after a later one, is one step, not
     * every frame after it.  (Nor is the live wall clock a previous frame.) */
    if (frame->ts < e->prev_ts)
        tfa_stats_count(&e->stats, TFA_DIAG_CAPTURE_TIME_WENT_BACKWARDS);
    e->prev_ts = frame->ts;
    if (frame->ts > e->now)
        e->now = frame->ts;
    e->stats.last_ts = e->now;

    TfaDecodeStatus decoded;
    if (frame->decoded != NULL) { /* done on the capture's reader thread */
        seg = &frame->decoded->seg;
        why = frame->decoded->why;
        decoded = frame->decoded->status;
    } else {
        decoded = tfa_decode_frame(frame, &local, &why);
    }
    TfaDefragOut dg = {0};
    if (seg->frag_ip != NULL && e->defrag != NULL &&
        !reassemble(e, frame, &seg, &local, &why, &decoded, &dg))
        return;
    bool inflated = false;
    if (decoded != TFA_DECODE_TCP && seg->comp != NULL) {
        inflate_ipcomp(e, &seg, &local, &why, &decoded);
        inflated = seg->comp == NULL;
    }
    if (decoded == TFA_DECODE_ICMP_ERROR) {
        /* an ICMP error about a TCP segment: the connection it belongs to */
        count_segment_diags(e, seg->diags);
        if (e->opts->shard_n != 0 && tfa_shard_of(seg, e->opts->shard_n) != e->opts->shard_k)
            return; /* another shard's connection: counted there */
        TfaConn *ic = tfa_conntrack_lookup(e->ct, seg, &side);
        if (ic != NULL)
            tfa_conntrack_icmp(ic, seg, side);
        tfa_stats_count(&e->stats, ic != NULL ? TFA_DIAG_ICMP_ERROR_TIED
                                              : TFA_DIAG_ICMP_ERROR_NO_CONN);
        return;
    }
    if (decoded != TFA_DECODE_TCP) {
        /* (a reason beyond bit 31, DECODE_BAD_IPCOMP, is never a segment bit) */
        count_segment_diags(e, seg->diags & (why < 32 ? ~(1u << why) : ~0u));
        tfa_stats_count(&e->stats, why);
        return;
    }
    if (e->opts->verify_checksums && !tfa_decode_tcp_checksum_ok(seg)) {
        if (seg != &local) {
            local = *seg;
            seg = &local;
        }
        local.diags |= 1u << TFA_DIAG_DECODE_BAD_CHECKSUM;
    }
    e->stats.tcp_segments++;
    count_segment_diags(e, seg->diags);

    /* Idle and linger times are measured up to this frame's own time, not
     * the latest time seen: after a step back in time (a damaged record, a
     * file given out of order) the frames of the past would otherwise find
     * their own connection idle and split it into one record per frame. */
    tfa_conntrack_expire(e->ct, frame->ts, &e->retired);
    /* --shard: every frame above is counted in every shard (the merge takes
     * those counters once); what follows only for this shard's connections */
    if (e->opts->shard_n != 0 && tfa_shard_of(seg, e->opts->shard_n) != e->opts->shard_k)
        return;
    bool created;
    TfaConn *c = tfa_conntrack_segment(e->ct, seg, &side, &e->retired, &created);
    if (created && e->opts->shard_n != 0) {
        /* ids unique across shards: the frame that created the connection
         * (one frame creates at most one); --merge renumbers them 1, 2, ...
         * in this order, which is the order of creation a single run numbers */
        c->id = seg->frame_no;
    }
    if (created)
        c->drops_at_start = e->drops + e->gaps;
    if (inflated)
        tfa_conn_count(c, TFA_COUNT_DIAG(TFA_DIAG_DECODE_IPCOMP), side);
    if (seg->frag_first_frame != 0) {
        TfaFragEvidence ev = {
            .frame = seg->frame_no,
            .first_frame = seg->frag_first_frame,
            .fragments = dg.fragments,
            .side = side,
        };
        tfa_conn_count(c, TFA_COUNT_DIAG(TFA_DIAG_DEFRAG_REASSEMBLED), side);
        if (c->frag_first.frame == 0)
            c->frag_first = ev;
        if (dg.overlap_differs) {
            tfa_conn_count(c, TFA_COUNT_DIAG(TFA_DIAG_DEFRAG_OVERLAP_DIFFERS), side);
            if (c->frag_overlap.frame == 0)
                c->frag_overlap = ev;
        }
    }
    TfaFlowEnv env = {
        .opts = e->opts,
        .budget = &e->budget,
        .xbudget = &e->xbudget,
        .stats = &e->stats,
    };
    tfa_flow_segment(c, &env, seg, side, created, NULL);
    if (e->opts->ladder && tfa_options_conn_selected(e->opts, c->id))
        ladder_add(e, c, seg, side);
    else if (e->opts->format == TFA_FORMAT_HTML && tfa_options_conn_selected(e->opts, c->id))
        tfa_html_collect(c, seg, side, &e->html_points);
    tfa_conntrack_set_closed(e->ct, c, tfa_tcpsm_finished(c), seg->frame_no);
}

static TfaTs wall_now(void)
{
    return (TfaTs)g_get_real_time() * TFA_NSEC_PER_USEC;
}

static bool limits_reached(TfaEngine *e)
{
    if (e->opts->max_packets > 0 && e->stats.frames >= e->opts->max_packets)
        return true;
    if (e->opts->duration > 0 && tfa_capture_is_live(e->cap) &&
        wall_now() - e->start_wall >= e->opts->duration)
        return true;
    return false;
}

/* Live: read the capture's drop counters and interface gaps; new ones are
 * counted and every connection open across them will say its evidence may
 * be incomplete. */
static void poll_drops(TfaEngine *e)
{
    TfaCaptureStats cs;
    if (e->cap == NULL || !tfa_capture_is_live(e->cap))
        return;
    tfa_capture_get_stats(e->cap, &cs);
    guint64 total = cs.kernel_drops + cs.iface_drops;
    if (cs.have_kernel_stats && total > e->drops) {
        e->stats.diag[TFA_DIAG_CAPTURE_KERNEL_DROPS] += total - e->drops;
        e->drops = total;
    }
    if (cs.iface_gaps > e->gaps) { /* a gap is a loss of capture too */
        e->stats.diag[TFA_DIAG_CAPTURE_IFACE_DOWN] += cs.iface_gaps - e->gaps;
        e->gaps = cs.iface_gaps;
    }
}

static void advance_clock(TfaEngine *e, TfaTs now)
{
    poll_drops(e);
    if (now <= e->now)
        return;
    e->now = now;
    tfa_conntrack_expire(e->ct, e->now, &e->retired);
    tfa_defrag_expire(e->defrag, e->now);
}

gboolean tfa_engine_frame(TfaEngine *e, const TfaFrame *frame, GError **error)
{
    process_frame(e, frame);
    return drain(e, error);
}

gboolean tfa_engine_tick(TfaEngine *e, TfaTs now, GError **error)
{
    advance_clock(e, now);
    return drain(e, error);
}

/* Every 64 Ki frames, redraw the progress line if half a second has passed
 * (files on a terminal only). */
static void progress(TfaEngine *e)
{
    if ((e->stats.frames & 0xffff) != 0)
        return;
    TfaTs t = wall_now();
    if (t - e->progress_at < TFA_NSEC_PER_SEC / 2)
        return;
    guint64 done, total;
    tfa_capture_progress(e->cap, &done, &total);
    e->progress_at = t;
    tfa_message_progress(done, total, e->stats.frames,
                         (double)(t - e->start_wall) / TFA_NSEC_PER_SEC);
}

TfaRunResult tfa_engine_run(TfaEngine *e, GError **error)
{
    bool live = tfa_capture_is_live(e->cap);
    bool pipe_closed = false;
    bool show_progress = e->opts->progress && !live;
    g_autoptr(GError) local = NULL;

    e->start_wall = wall_now();
    e->progress_at = e->start_wall; /* the first line after half a second */
    if (!tfa_report_begin(e->rep, &local))
        goto write_failed;
    /* Reading files, the records can be formatted and written on a second
     * CPU while the analysis goes on; live, each is written at once. */
    if (!live && g_get_num_processors() > 1)
        e->rq = tfa_report_queue_new(e->rep);

    while (!stop_requested(e)) {
        TfaFrame frame;
        g_autoptr(GError) cerr = NULL;
        TfaCaptureStatus st = tfa_capture_next(e->cap, &frame, &cerr);

        if (st == TFA_CAPTURE_FRAME) {
            if (live && (e->stats.frames & 0xfff) == 0)
                poll_drops(e);
            process_frame(e, &frame);
            if (show_progress)
                progress(e);
        } else if (st == TFA_CAPTURE_TIMEOUT) {
            /* live and quiet: let capture time follow the wall clock so idle
             * and closed connections are still reported */
            if (live)
                advance_clock(e, wall_now());
        } else if (st == TFA_CAPTURE_NOTICE) {
            /* live: the interface went down, came back or was replaced */
            tfa_message_warning("%s", cerr->message);
            advance_clock(e, wall_now());
        } else if (st == TFA_CAPTURE_DAMAGED) {
            if (show_progress && e->progress_at != e->start_wall)
                tfa_message_progress_clear();
            tfa_message_error("%s", cerr->message);
            /* live, the only damage is an interface gone for good */
            tfa_stats_count(&e->stats, live ? TFA_DIAG_CAPTURE_IFACE_GONE
                                            : TFA_DIAG_CAPTURE_DAMAGED_FILE);
            e->damaged = true;
        } else if (st == TFA_CAPTURE_ERROR) {
            g_propagate_error(error, g_steal_pointer(&cerr));
            tfa_conntrack_retire_all(e->ct, &e->retired);
            (void)drain(e, NULL);
            if (e->rq != NULL)
                (void)tfa_report_queue_finish(e->rq, NULL);
            return TFA_RUN_FAILED;
        } else {
            break; /* END or BREAK */
        }
        if (!drain(e, &local))
            goto write_failed;
        if (limits_reached(e))
            break;
    }

    (void)stop_requested(e); /* a signal may have ended the last read */
    if (show_progress && e->progress_at != e->start_wall)
        tfa_message_progress_clear();
    poll_drops(e);
    tfa_defrag_finish(e->defrag);
    tfa_conntrack_retire_all(e->ct, &e->retired);
    if (!drain(e, &local))
        goto write_failed;
    /* every record out before the summary */
    if (e->rq != NULL && !tfa_report_queue_finish(e->rq, &local))
        goto write_failed;

    TfaRunInfo info = {
        .opts = e->opts,
        .stats = &e->stats,
        .summary = e->summary,
        .records = e->records,
        .input_damaged = e->damaged,
        .interrupted = e->stopped,
    };
    tfa_capture_get_stats(e->cap, &info.capture);
    if (!tfa_report_summary(e->rep, &info, &local) || !tfa_report_end(e->rep, &local))
        goto write_failed;
    /* live, a signal is the normal way to stop; reading files it is not */
    bool interrupted = e->stopped && !live;
    if (interrupted) {
        int sig = e->stop != NULL ? (int)*e->stop : 0;
        tfa_message_error("interrupted by %s after %" G_GUINT64_FORMAT " frames: not every input "
                          "was read; the records and summary of what was read were written",
                          sig == SIGINT    ? "SIGINT (Ctrl-C)"
                          : sig == SIGTERM ? "SIGTERM"
                                           : "a signal",
                          e->stats.frames);
    }
    if (e->damaged)
        return TFA_RUN_DAMAGED;
    if (e->fail)
        return TFA_RUN_FAIL_ON;
    return interrupted ? TFA_RUN_INTERRUPTED : TFA_RUN_OK;

write_failed:
    if (e->rq != NULL)
        (void)tfa_report_queue_finish(e->rq, NULL);
    pipe_closed = g_error_matches(local, TFA_REPORT_ERROR_DOMAIN, TFA_REPORT_ERROR_PIPE);
    if (pipe_closed)
        return TFA_RUN_PIPE_CLOSED;
    g_propagate_error(error, g_steal_pointer(&local));
    return TFA_RUN_FAILED;
}
