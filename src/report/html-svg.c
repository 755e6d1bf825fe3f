/* html-svg.c - the graphs of -f html: the time-sequence graph of each
 * direction (after tcptrace and Stevens: sequence number against time) and
 * the ladder, as inline SVG built from the segments kept by
 * html-collect.c (TfaLadderRow) and the connection's findings.
 *
 * Time-sequence graph of the data @sender sent: x is seconds from the
 * connection's first frame, y the sequence number relative to the
 * sender's ISN (or its first segment's sequence number when the handshake
 * was not captured).  A data segment is a vertical bar from its first to
 * its last byte: blue when new, vermillion when sent again (below the
 * highest sequence number already sent), orange when an anomaly calls it
 * out of order, purple when it probes a zero window.  The peer's
 * acknowledgement is a green step line, its advertised right edge (ACK +
 * window, scaled as RFC 7323 §2.2 says) a dashed sky-blue step line, the
 * first SACK block of each of its ACKs a translucent green bar;
 * periods when the peer advertised a zero window are shaded; the gaps
 * seqtrack decided were lost before the capture point are drawn as
 * dashed boxes.  SYN, FIN and RST are labelled where they were sent.  Each
 * kept anomaly marked on this graph is a circle (coloured by severity)
 * with id cID-aI linking to its entry in the list.  Every element carries
 * a <title> with the absolute values (frame, UTC time, absolute sequence
 * number), which a browser shows on hover.  Only fixed-point numbers are
 * printed, so the output is the same for the same input.
 */
#include "config.h"

#include "html-private.h"

#include "tcpflow-audit/decode.h"

#include <inttypes.h>
#include <string.h>

#define W 760.0
#define H 300.0
#define ML 78.0 /* margins: left (the sequence axis labels), right, top, bottom */
#define MR 16.0
#define MT 16.0
#define MB 40.0
#define PW (W - ML - MR)
#define PH (H - MT - MB)

/* classes of a segment on the graph (also the CSS classes) */
enum { SEG_NEW, SEG_RX, SEG_OOO, SEG_PROBE };

typedef struct Scale {
    double t1;         /* seconds at the right edge */
    double y0, y1;     /* relative sequence numbers at the bottom and top */
} Scale;

static double sx(const Scale *s, double t)
{
    return ML + (s->t1 > 0 ? t / s->t1 : 0) * PW;
}

static double sy(const Scale *s, double y)
{
    if (y > s->y1)
        y = s->y1;
    if (y < s->y0)
        y = s->y0;
    return MT + PH - (s->y1 > s->y0 ? (y - s->y0) / (s->y1 - s->y0) : 0) * PH;
}

static double secs(TfaDuration d)
{
    return (double)d / TFA_NSEC_PER_SEC;
}

void tfa_html_rel_time(char *out, size_t len, TfaDuration d)
{
    const char *sign = d < 0 ? "-" : "+";
    if (d < 0)
        d = -d;
    g_snprintf(out, len, "%s%" PRId64 ".%06" PRId64, sign, d / TFA_NSEC_PER_SEC,
               (d % TFA_NSEC_PER_SEC) / 1000);
}

/* A round step for about @n ticks over @span: 1, 2 or 5 times a power of ten. */
static double nice_step(double span, int n)
{
    if (span <= 0)
        return 1;
    double raw = span / n, p = 1;
    while (p > raw && p > 1e-9)
        p /= 10;
    while (p * 10 <= raw)
        p *= 10;
    double m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

/* The smallest multiple of @step not below @v. */
static double ceil_to(double v, double step)
{
    double k = (double)(int64_t)(v / step);
    if (k * step < v)
        k += 1;
    return k * step;
}

static int64_t rel32(uint32_t v, uint32_t base)
{
    return (int64_t)(int32_t)(v - base);
}

static const TfaLadderRow *row_of_frame(const TfaConnRecord *rec, TfaFrameNo frame)
{
    const TfaLadderRow *rows = rec->ladder;
    if (rows == NULL || frame == 0)
        return NULL;
    /* rows are in capture order, frames mostly increasing: bisect, then look around */
    guint lo = 0, hi = rec->n_ladder;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        if (rows[mid].frame < frame)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < rec->n_ladder && rows[lo].frame == frame)
        return &rows[lo];
    for (guint i = 0; i < rec->n_ladder; i++)
        if (rows[i].frame == frame)
            return &rows[i];
    return NULL;
}

/* Codes about what a segment acknowledges or advertises: marked on the
 * ACK line, in the graph of the data it acknowledges. */
static bool about_ack(uint16_t code)
{
    switch (code) {
    case TFA_ANOMALY_SEQ_DUP_ACK:
    case TFA_ANOMALY_SEQ_ACK_INVALID:
    case TFA_ANOMALY_ACK_DELAYED:
    case TFA_ANOMALY_ACK_DELAY_OVER_500MS:
    case TFA_ANOMALY_ACK_STRETCH:
    case TFA_ANOMALY_ACK_UNSEEN_DATA:
    case TFA_ANOMALY_WINDOW_ZERO:
    case TFA_ANOMALY_WINDOW_SHRUNK:
        return true;
    default:
        return false;
    }
}

uint8_t tfa_html_anomaly_side(const TfaConnRecord *rec, const TfaAnomaly *a)
{
    const TfaLadderRow *r = row_of_frame(rec, a->frame_no);
    if (r != NULL)
        return about_ack(a->code) && (r->flags & TFA_TH_ACK) ? (uint8_t)(1 - r->side) : r->side;
    if (a->side == 0 || a->side == 1)
        return (uint8_t)a->side;
    return rec->side[TFA_ROLE_CLIENT];
}

static const char *sev_colour(int sev)
{
    switch (sev) {
    case TFA_SEV_ERROR:
        return TFA_HTML_VERMILLION;
    case TFA_SEV_WARNING:
        return TFA_HTML_ORANGE;
    case TFA_SEV_NOTICE:
        return TFA_HTML_BLUE;
    default:
        return TFA_HTML_GREY;
    }
}

/* The receive window @r advertises, as its peer reads it. */
static uint32_t scaled_window(const TfaConnRecord *rec, const TfaLadderRow *r)
{
    uint32_t win = r->window;
    const TfaEndpoint *snd = rec->ep[r->side], *rcv = rec->ep[1 - r->side];
    if (!(r->flags & TFA_TH_SYN) && snd->has_wscale && rcv->has_wscale)
        win <<= snd->wscale;
    return win;
}

/* The anomaly codes of frame @frame that change how its segment is drawn. */
static int seg_class_of(const TfaConnRecord *rec, TfaFrameNo frame)
{
    int cls = SEG_NEW;
    for (guint i = 0; i < rec->n_anomalies; i++) {
        const TfaAnomaly *a = &rec->anomalies[i];
        if (a->frame_no != frame)
            continue;
        if (a->code == TFA_ANOMALY_SEQ_OUT_OF_ORDER)
            cls = SEG_OOO;
        else if (a->code == TFA_ANOMALY_WINDOW_ZERO_PROBE && cls == SEG_NEW)
            cls = SEG_PROBE;
    }
    return cls;
}

static void hover(GString *buf, const TfaConnRecord *rec, const TfaLadderRow *r, uint32_t base)
{
    char when[64], rt[32], flags[64];
    tfa_decode_flags_string(r->flags, flags, sizeof(flags));
    tfa_html_rel_time(rt, sizeof(rt), r->ts - rec->first_ts);
    g_string_append(buf, "<title>");
    tfa_html_escapef(buf,
                     "frame %" PRIu64 " at %s s (%s UTC): %s seq %" PRId64 " (absolute %" PRIu32
                     ") len %" PRIu32 " ack %" PRIu32 " win %" PRIu32,
                     (uint64_t)r->frame, rt, tfa_report_ts_human(r->ts, true, when, sizeof(when)),
                     flags, rel32(r->seq, base), r->seq, r->len, r->ack,
                     scaled_window(rec, r));
    g_string_append(buf, "</title>");
}

static void axes(GString *buf, const Scale *s, const char *ylabel)
{
    g_string_append_printf(buf,
                           "<rect class=\"plot\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                           "height=\"%.1f\"/>",
                           ML, MT, PW, PH);
    double st = nice_step(s->t1, 6);
    for (int k = 0; k <= 40 && k * st <= s->t1 * 1.0000001; k++) {
        double t = k * st, x = sx(s, t);
        g_string_append_printf(buf,
                               "<line class=\"tick\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                               "y2=\"%.1f\"/><text class=\"tl\" x=\"%.1f\" y=\"%.1f\">%.*f</text>",
                               x, MT + PH, x, MT + PH + 4, x, MT + PH + 16,
                               st >= 1 ? 0 : st >= 0.1 ? 1 : st >= 0.01 ? 2 : st >= 0.001 ? 3 : 6,
                               t);
    }
    double sq = nice_step(s->y1 - s->y0, 5);
    double first = ceil_to(s->y0, sq);
    for (int k = 0; k <= 40 && first + k * sq <= s->y1; k++) {
        double v = first + k * sq, y = sy(s, v);
        g_string_append_printf(buf,
                               "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                               "y2=\"%.1f\"/><text class=\"yl\" x=\"%.1f\" y=\"%.1f\">%.0f</text>",
                               ML, y, ML + PW, y, ML - 4, y + 4, v);
    }
    g_string_append_printf(buf,
                           "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\">seconds from the "
                           "connection's first frame</text>"
                           "<text class=\"axis\" transform=\"translate(12 %.1f) rotate(-90)\">",
                           ML + PW / 2, H - 6, MT + PH / 2);
    tfa_html_escape(buf, ylabel);
    g_string_append(buf, "</text>");
}

void tfa_html_svg_tsg(GString *buf, const TfaConnRecord *rec, uint8_t sender)
{
    const TfaLadderRow *rows = rec->ladder;
    guint n_rows = rec->n_ladder;
    uint8_t peer = (uint8_t)(1 - sender);
    bool sent_any = false;
    uint32_t base = 0;
    char ylabel[128];

    if (rec->ep[sender]->iss_known)
        base = rec->ep[sender]->iss;
    for (guint i = 0; i < n_rows; i++) {
        const TfaLadderRow *r = &rows[i];
        if (r->side == sender && !sent_any && !rec->ep[sender]->iss_known)
            base = r->seq;
        sent_any |= r->side == sender;
    }

    /* the ranges */
    Scale s = {.t1 = secs(rec->last_ts - rec->first_ts), .y0 = 0, .y1 = 0};
    double data_top = 0, win_top = 0;
    for (guint i = 0; i < n_rows; i++) {
        const TfaLadderRow *r = &rows[i];
        if (r->side == sender) {
            uint32_t occ = r->len + ((r->flags & TFA_TH_SYN) != 0) + ((r->flags & TFA_TH_FIN) != 0);
            double lo = (double)rel32(r->seq, base), hi = lo + occ;
            data_top = MAX(data_top, hi);
            s.y0 = MIN(s.y0, lo);
        } else if ((r->flags & TFA_TH_ACK) && !(r->flags & TFA_TH_RST)) {
            double a = (double)rel32(r->ack, base);
            data_top = MAX(data_top, a);
            win_top = MAX(win_top, a + scaled_window(rec, r));
            s.y0 = MIN(s.y0, a);
        }
    }
    for (guint i = 0; i < rec->n_anomalies; i++)
        s.t1 = MAX(s.t1, secs((&rec->anomalies[i])->ts - rec->first_ts));
    if (s.t1 <= 0)
        s.t1 = 0.001;
    if (data_top <= 0)
        data_top = MAX(win_top, 1);
    /* the window line may dwarf the data: it is cut at twice the data's height */
    s.y1 = MAX(data_top, MIN(win_top, 2 * data_top)) * 1.04 + 1;
    bool win_cut = win_top > s.y1;

    g_snprintf(ylabel, sizeof(ylabel), "sequence number relative to %s", 
               rec->ep[sender]->iss_known ? "the ISN" : "the first segment");
    g_string_append_printf(buf,
                           "<svg class=\"tsg\" xmlns=\"http://www.w3.org/2000/svg\" "
                           "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\">",
                           W, H, W, H);
    axes(buf, &s, ylabel);

    /* zero-window periods of the peer */
    TfaTs zero_from = -1;
    for (guint i = 0; rows != NULL && i <= n_rows; i++) {
        const TfaLadderRow *r = i < n_rows ? &rows[i] : NULL;
        if (r != NULL && (r->side != peer || !(r->flags & TFA_TH_ACK) ||
                          (r->flags & (TFA_TH_RST | TFA_TH_SYN))))
            continue;
        bool zero = r != NULL && r->window == 0;
        if (zero && zero_from < 0) {
            zero_from = r->ts;
        } else if (!zero && zero_from >= 0) {
            TfaTs until = r != NULL ? r->ts : rec->last_ts;
            double x0 = sx(&s, secs(zero_from - rec->first_ts));
            double x1 = sx(&s, secs(until - rec->first_ts));
            char a[32], b[32];
            tfa_html_rel_time(a, sizeof(a), zero_from - rec->first_ts);
            tfa_html_rel_time(b, sizeof(b), until - rec->first_ts);
            g_string_append_printf(buf,
                                   "<rect class=\"zwin\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                                   "height=\"%.1f\"><title>zero window advertised by the peer "
                                   "from %s s to %s s</title></rect>",
                                   x0, MT, MAX(x1 - x0, 1.5), PH, a, b);
            zero_from = -1;
        }
    }

    /* lost before the capture point: the gaps retransmissions filled */
    for (guint i = 0; i < rec->n_holes[sender]; i++) {
        const TfaHole *o = &rec->holes[sender][i];
        if (!o->lost)
            continue;
        double x = sx(&s, secs(o->ts - rec->first_ts));
        double y0 = sy(&s, (double)rel32(o->start, base)), y1 = sy(&s, (double)rel32(o->end, base));
        g_string_append_printf(buf,
                               "<rect class=\"lost\" x=\"%.1f\" y=\"%.1f\" width=\"8\" "
                               "height=\"%.1f\"><title>",
                               x - 4, y1, MAX(y0 - y1, 2));
        tfa_html_escapef(buf, "lost: bytes %" PRId64 "-%" PRId64 " were never captured before "
                              "frame %" PRIu64 " and sent again later",
                         rel32(o->start, base), rel32(o->end, base), (uint64_t)o->frame);
        g_string_append(buf, "</title></rect>");
    }

    /* the peer's ACK and window lines (steps) */
    GString *ackp = g_string_new(NULL), *winp = g_string_new(NULL);
    double last_ack_y = -1, last_win_y = -1;
    for (guint i = 0; i < n_rows; i++) {
        const TfaLadderRow *r = &rows[i];
        if (r->side != peer || !(r->flags & TFA_TH_ACK) || (r->flags & TFA_TH_RST))
            continue;
        double x = sx(&s, secs(r->ts - rec->first_ts));
        double ay = sy(&s, (double)rel32(r->ack, base));
        double wy = sy(&s, (double)rel32(r->ack, base) + scaled_window(rec, r));
        if (last_ack_y >= 0)
            g_string_append_printf(ackp, " %.1f,%.1f", x, last_ack_y);
        g_string_append_printf(ackp, " %.1f,%.1f", x, ay);
        if (last_win_y >= 0)
            g_string_append_printf(winp, " %.1f,%.1f", x, last_win_y);
        g_string_append_printf(winp, " %.1f,%.1f", x, wy);
        last_ack_y = ay;
        last_win_y = wy;
    }
    if (ackp->len > 0) {
        double xe = sx(&s, s.t1);
        g_string_append_printf(ackp, " %.1f,%.1f", xe, last_ack_y);
        g_string_append_printf(winp, " %.1f,%.1f", xe, last_win_y);
        g_string_append_printf(buf, "<polyline class=\"win\" points=\"%s\"><title>the peer's "
                                    "advertised right edge (ACK + window)%s</title></polyline>",
                               winp->str + 1, win_cut ? ", cut at the top of the graph" : "");
        g_string_append_printf(buf, "<polyline class=\"ackl\" points=\"%s\"><title>the peer's "
                                    "cumulative ACK</title></polyline>",
                               ackp->str + 1);
    }
    g_string_free(ackp, TRUE);
    g_string_free(winp, TRUE);

    /* the peer's SACK blocks (the first of each ACK): data it holds above
     * its cumulative ACK, a bar at the ACK's time */
    for (guint i = 0; i < n_rows; i++) {
        const TfaLadderRow *r = &rows[i];
        if (r->side != peer || r->sack_left == r->sack_right)
            continue;
        double x = sx(&s, secs(r->ts - rec->first_ts));
        double lo = (double)rel32(r->sack_left, base), hi = (double)rel32(r->sack_right, base);
        g_string_append_printf(buf,
                               "<line class=\"sack\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                               "y2=\"%.1f\"><title>",
                               x, sy(&s, lo), x, sy(&s, hi));
        tfa_html_escapef(buf, "SACK block %" PRId64 "-%" PRId64 " (frame %" PRIu64
                              ", ack %" PRId64 "): the peer holds these bytes above its ACK",
                         (int64_t)lo, (int64_t)hi, (uint64_t)r->frame,
                         rel32(r->ack, base));
        g_string_append(buf, "</title></line>");
    }

    /* the segments sent */
    double high = -1e18; /* highest relative sequence number sent, plus one */
    for (guint i = 0; i < n_rows; i++) {
        const TfaLadderRow *r = &rows[i];
        if (r->side != sender)
            continue;
        double x = sx(&s, secs(r->ts - rec->first_ts));
        double lo = (double)rel32(r->seq, base);
        uint32_t occ = r->len + ((r->flags & TFA_TH_SYN) != 0) + ((r->flags & TFA_TH_FIN) != 0);
        if (occ > 0) {
            int cls = seg_class_of(rec, r->frame);
            if (cls == SEG_NEW && lo < high)
                cls = SEG_RX;
            static const char *const names[] = {"seg", "seg rx", "seg ooo", "seg probe"};
            double y0 = sy(&s, lo), y1 = sy(&s, lo + occ);
            if (y0 - y1 < 2) { /* a byte is still visible */
                y0 += 1;
                y1 -= 1;
            }
            g_string_append_printf(buf,
                                   "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                                   "y2=\"%.1f\">",
                                   names[cls], x, y0, x, y1);
            hover(buf, rec, r, base);
            g_string_append(buf, "</line>");
            high = MAX(high, lo + occ);
        }
        const char *label = (r->flags & TFA_TH_RST)   ? "RST"
                            : (r->flags & TFA_TH_SYN) ? ((r->flags & TFA_TH_ACK) ? "SYN-ACK" : "SYN")
                            : (r->flags & TFA_TH_FIN) ? "FIN"
                                                      : NULL;
        if (label != NULL) {
            double y = sy(&s, lo);
            g_string_append_printf(buf,
                                   "<g class=\"flag\"><path d=\"M%.1f %.1f l-4 -8 h8 z\"/>"
                                   "<text x=\"%.1f\" y=\"%.1f\"%s>%s</text>",
                                   x, y - 2, x > ML + PW - 60 ? x - 5 : x + 5, y - 12,
                                   x > ML + PW - 60 ? " text-anchor=\"end\"" : "", label);
            hover(buf, rec, r, base);
            g_string_append(buf, "</g>");
        }
    }

    /* the anomalies of this direction */
    for (guint i = 0; i < rec->n_anomalies; i++) {
        const TfaAnomaly *a = (&rec->anomalies[i]);
        if (tfa_html_anomaly_side(rec, a) != sender)
            continue;
        const TfaLadderRow *r = row_of_frame(rec, a->frame_no);
        double x = sx(&s, secs((r != NULL ? r->ts : a->ts) - rec->first_ts));
        double y = MT + 8;
        if (r != NULL) {
            double v = r->side == sender ? (double)rel32(r->seq, base) + r->len / 2.0
                                         : (double)rel32(r->ack, base);
            if (a->code == TFA_ANOMALY_WINDOW_SHRUNK && r->side != sender)
                v += scaled_window(rec, r);
            y = sy(&s, v);
        }
        char rt[32];
        tfa_html_rel_time(rt, sizeof(rt), a->ts - rec->first_ts);
        g_string_append_printf(buf,
                               "<a href=\"#c%" PRIu64 "-l%u\"><circle class=\"amark\" "
                               "id=\"c%" PRIu64 "-a%u\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\" "
                               "fill=\"%s\"><title>",
                               (uint64_t)rec->id, i, (uint64_t)rec->id, i, x, y,
                               sev_colour(a->severity));
        tfa_html_escapef(buf, "%s %s at frame %" PRIu64 ", %s s (click: the explanation)",
                         tfa_severity_name((TfaSeverity)a->severity),
                         tfa_anomaly_name((TfaAnomalyCode)a->code), (uint64_t)a->frame_no, rt);
        g_string_append(buf, "</title></circle></a>");
    }
    if (!sent_any)
        g_string_append_printf(buf,
                               "<text class=\"empty\" x=\"%.1f\" y=\"%.1f\">no segment of this "
                               "direction was captured</text>",
                               ML + PW / 2, MT + PH / 2);
    g_string_append(buf, "</svg>\n");
}

#define LW 820.0
#define LROW 24.0
#define LTOP 40.0
#define LX_CLIENT 300.0
#define LX_SERVER 640.0

static void ladder_state(GString *buf, const char *st, double x, double y, const char *anchor)
{
    if (st[0] == '\0')
        return;
    g_string_append_printf(buf, "<text class=\"st\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x,
                           y, anchor);
    tfa_html_escape(buf, st);
    g_string_append(buf, "</text>");
}

void tfa_html_svg_ladder(GString *buf, const TfaConnRecord *rec)
{
    uint8_t cside = rec->side[TFA_ROLE_CLIENT];
    guint n = MIN(rec->n_ladder, TFA_HTML_LADDER_ROWS);
    double h = LTOP + (n + 1) * LROW + 10;
    char cst[96], sst[96];

    g_string_append_printf(buf,
                           "<svg class=\"ladder\" xmlns=\"http://www.w3.org/2000/svg\" "
                           "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\">",
                           LW, h, LW, h);
    g_string_append_printf(buf,
                           "<text class=\"hd\" x=\"8\" y=\"16\">frame</text>"
                           "<text class=\"hd\" x=\"64\" y=\"16\">time (s)</text>"
                           "<text class=\"hd\" x=\"%.1f\" y=\"16\" text-anchor=\"middle\">client"
                           "</text><text class=\"hd\" x=\"%.1f\" y=\"16\" "
                           "text-anchor=\"middle\">server</text>"
                           "<line class=\"life\" x1=\"%.1f\" y1=\"24\" x2=\"%.1f\" y2=\"%.1f\"/>"
                           "<line class=\"life\" x1=\"%.1f\" y1=\"24\" x2=\"%.1f\" y2=\"%.1f\"/>",
                           LX_CLIENT, LX_SERVER, LX_CLIENT, LX_CLIENT, h - 6, LX_SERVER, LX_SERVER,
                           h - 6);
    tfa_report_ladder_states(rec, cside, 0, cst, sizeof(cst));
    tfa_report_ladder_states(rec, (uint8_t)(1 - cside), 0, sst, sizeof(sst));
    ladder_state(buf, cst, LX_CLIENT - 6, LTOP - 4, "end");
    ladder_state(buf, sst, LX_SERVER + 6, LTOP - 4, "start");
    for (guint i = 0; i < n; i++) {
        const TfaLadderRow *r = &rec->ladder[i];
        const TfaEndpoint *snd = rec->ep[r->side], *rcv = rec->ep[1 - r->side];
        double y = LTOP + (i + 1) * LROW;
        bool right = r->side == cside;
        double x0 = right ? LX_CLIENT : LX_SERVER, x1 = right ? LX_SERVER : LX_CLIENT;
        char flags[64], label[160], rt[32];
        bool flagged = false;
        for (guint k = 0; k < rec->n_anomalies; k++)
            flagged |= (&rec->anomalies[k])->frame_no == r->frame;

        tfa_decode_flags_string(r->flags & (uint16_t)~TFA_TH_PSH, flags, sizeof(flags));
        size_t m = (size_t)g_snprintf(label, sizeof(label), "%s seq=%" PRIu32, flags,
                                      snd->iss_known ? r->seq - snd->iss : r->seq);
        if (r->flags & TFA_TH_ACK)
            m += (size_t)g_snprintf(label + m, sizeof(label) - m, " ack=%" PRIu32,
                                    rcv->iss_known ? r->ack - rcv->iss : r->ack);
        if (r->len > 0)
            m += (size_t)g_snprintf(label + m, sizeof(label) - m, " len=%" PRIu32, r->len);
        if (!(r->flags & TFA_TH_RST))
            g_snprintf(label + m, sizeof(label) - m, " win=%" PRIu32, scaled_window(rec, r));
        tfa_html_rel_time(rt, sizeof(rt), r->ts - rec->first_ts);
        g_string_append_printf(buf,
                               "<g class=\"lrow%s\"><text x=\"8\" y=\"%.1f\">%" PRIu64
                               "</text><text x=\"64\" y=\"%.1f\">%s</text>"
                               "<line class=\"arrow\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                               "y2=\"%.1f\" marker-end=\"url(#ah%" PRIu64 ")\"/>"
                               "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\" "
                               "text-anchor=\"middle\">",
                               flagged ? " flagged" : "", y + 4, (uint64_t)r->frame, y + 4, rt, x0,
                               y - 6, x1 + (right ? -2 : 2), y + 6, (uint64_t)rec->id,
                               (LX_CLIENT + LX_SERVER) / 2,
                               y - 6);
        tfa_html_escape(buf, label);
        g_string_append(buf, "</text>");
        hover(buf, rec, r, snd->iss_known ? snd->iss : 0);
        g_string_append(buf, "</g>");
        tfa_report_ladder_states(rec, cside, r->frame, cst, sizeof(cst));
        tfa_report_ladder_states(rec, (uint8_t)(1 - cside), r->frame, sst, sizeof(sst));
        ladder_state(buf, cst, LX_CLIENT - 6, y + 4, "end");
        ladder_state(buf, sst, LX_SERVER + 6, y + 4, "start");
    }
    if (rec->n_ladder > n)
        g_string_append_printf(buf,
                               "<text x=\"8\" y=\"%.1f\">(%u more segments kept, not drawn "
                               "here)</text>",
                               h - 2, rec->n_ladder - n);
    g_string_append_printf(buf,
                           "<defs><marker id=\"ah%" PRIu64 "\" viewBox=\"0 0 10 10\" "
                           "refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
                           "orient=\"auto\"><path d=\"M0 0 L10 5 L0 10 z\"/></marker></defs>"
                           "</svg>\n",
                           (uint64_t)rec->id);
}

void tfa_html_svg_legend(GString *buf)
{
    static const struct {
        const char *cls, *text;
    } items[] = {
        {"seg", "data segment (first to last byte)"},
        {"seg rx", "sent again (retransmission)"},
        {"seg ooo", "out of order"},
        {"seg probe", "zero-window probe"},
        {"ackl", "peer's ACK"},
        {"win", "peer's ACK + window"},
        {"sack", "peer's SACK block (first of its ACK)"},
    };
    g_string_append(buf, "<svg class=\"legend\" xmlns=\"http://www.w3.org/2000/svg\" "
                         "viewBox=\"0 0 760 82\" width=\"760\" height=\"82\" role=\"img\">");
    for (guint i = 0; i < G_N_ELEMENTS(items); i++) {
        /* rows of 3; the SACK item on the last row, after the areas */
        double x = 8 + (i % 3) * 250.0, y = i < 6 ? 14 + (i / 3) * 20.0 : 74;
        if (g_str_has_prefix(items[i].cls, "seg") || strcmp(items[i].cls, "sack") == 0)
            g_string_append_printf(buf,
                                   "<line class=\"%s\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
                                   "y2=\"%.0f\"/>",
                                   items[i].cls, x + 10, y - 8, x + 10, y + 6);
        else
            g_string_append_printf(buf,
                                   "<polyline class=\"%s\" points=\"%.0f,%.0f %.0f,%.0f %.0f,%.0f "
                                   "%.0f,%.0f\"/>",
                                   items[i].cls, x, y + 2, x + 10, y + 2, x + 10, y - 4, x + 20,
                                   y - 4);
        g_string_append_printf(buf, "<text x=\"%.0f\" y=\"%.0f\">%s</text>", x + 28, y + 4,
                               items[i].text);
    }
    g_string_append(buf, "<rect class=\"zwin\" x=\"8\" y=\"46\" width=\"20\" height=\"12\"/>"
                         "<text x=\"36\" y=\"56\">peer's zero window</text>"
                         "<rect class=\"lost\" x=\"254\" y=\"46\" width=\"8\" height=\"12\"/>"
                         "<text x=\"286\" y=\"56\">lost before the capture point</text>"
                         "<circle class=\"amark\" cx=\"514\" cy=\"52\" r=\"5\" fill=\""
                         TFA_HTML_ORANGE "\"/><text x=\"536\" y=\"56\">anomaly (links to "
                         "its explanation)</text></svg>\n");
}

#define MH 150.0 /* the small graphs: height and bottom margin */
#define MMB 36.0

typedef struct Pt {
    double t, y;
} Pt;

/* One small graph of @pts against the connection's time: a step line, or
 * dots with their values on hover. */
static void mini_plot(GString *buf, const GArray *pts, double t1, bool step, const char *ylabel,
                      const char *unit, const char *cls)
{
    double ymax = 0;
    for (guint i = 0; i < pts->len; i++)
        ymax = MAX(ymax, g_array_index(pts, Pt, i).y);
    ymax = ymax > 0 ? ymax * 1.08 : 1;
    double ph = MH - MT - MMB;
    g_string_append_printf(buf,
                           "<svg class=\"mini %s\" xmlns=\"http://www.w3.org/2000/svg\" "
                           "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\">"
                           "<rect class=\"plot\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                           "height=\"%.1f\"/>",
                           cls, W, MH, W, MH, ML, MT, PW, ph);
    double sq = nice_step(ymax, 3);
    if (step && sq < 1) /* bytes */
        sq = 1;
    for (int k = 0; k <= 10 && k * sq <= ymax; k++) {
        double y = MT + ph - k * sq / ymax * ph;
        g_string_append_printf(buf,
                               "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                               "y2=\"%.1f\"/><text class=\"yl\" x=\"%.1f\" y=\"%.1f\">%.*f</text>",
                               ML, y, ML + PW, y, ML - 4, y + 4,
                               sq >= 1 ? 0 : sq >= 0.1 ? 1 : sq >= 0.01 ? 2 : 3, k * sq);
    }
    double st = nice_step(t1, 6);
    for (int k = 0; k <= 40 && k * st <= t1 * 1.0000001; k++) {
        double x = ML + k * st / t1 * PW;
        g_string_append_printf(buf, "<text class=\"tl\" x=\"%.1f\" y=\"%.1f\">%.*f</text>", x,
                               MT + ph + 14,
                               st >= 1 ? 0 : st >= 0.1 ? 1 : st >= 0.01 ? 2 : st >= 0.001 ? 3 : 6,
                               k * st);
    }
    g_string_append_printf(buf,
                           "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\">seconds from the "
                           "connection's first frame</text>"
                           "<text class=\"axis\" transform=\"translate(12 %.1f) rotate(-90)\">",
                           ML + PW / 2, MH - 6, MT + ph / 2);
    tfa_html_escape(buf, ylabel);
    g_string_append(buf, "</text>");
    if (step && pts->len > 0) {
        g_string_append(buf, "<polyline class=\"flight\" points=\"");
        double prev = -1;
        for (guint i = 0; i < pts->len; i++) {
            const Pt *p = &g_array_index(pts, Pt, i);
            double x = ML + p->t / t1 * PW, y = MT + ph - p->y / ymax * ph;
            if (prev >= 0)
                g_string_append_printf(buf, "%.1f,%.1f ", x, prev);
            g_string_append_printf(buf, "%.1f,%.1f ", x, y);
            prev = y;
        }
        g_string_truncate(buf, buf->len - 1);
        g_string_append(buf, "\"/>");
    } else {
        for (guint i = 0; i < pts->len; i++) {
            const Pt *p = &g_array_index(pts, Pt, i);
            g_string_append_printf(buf,
                                   "<circle class=\"rtt\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\">"
                                   "<title>+%.6f s: %.3f %s</title></circle>",
                                   ML + p->t / t1 * PW, MT + ph - p->y / ymax * ph, p->t, p->y,
                                   unit);
        }
    }
    if (pts->len == 0)
        g_string_append_printf(buf, "<text class=\"empty\" x=\"%.1f\" y=\"%.1f\">no sample"
                                    "</text>",
                               ML + PW / 2, MT + ph / 2);
    g_string_append(buf, "</svg>\n");
}

typedef struct Pending {
    int64_t end;
    TfaTs ts;
} Pending;

void tfa_html_svg_flight_rtt(GString *buf, const TfaConnRecord *rec, uint8_t sender)
{
    const TfaLadderRow *rows = rec->ladder;
    guint n_rows = rec->n_ladder;
    uint8_t peer = (uint8_t)(1 - sender);
    uint32_t base = rec->ep[sender]->iss;
    bool base_known = rec->ep[sender]->iss_known, sent = false, acked = false;
    int64_t high = 0, ack = 0;
    double t1 = secs(rec->last_ts - rec->first_ts);
    GArray *flight = g_array_new(FALSE, FALSE, sizeof(Pt));
    GArray *rtt = g_array_new(FALSE, FALSE, sizeof(Pt));
    GArray *pend = g_array_new(FALSE, FALSE, sizeof(Pending));

    for (guint i = 0; i < n_rows; i++) {
        const TfaLadderRow *r = &rows[i];
        if (r->side == sender && !base_known) {
            base = r->seq;
            base_known = true;
        }
        if (!base_known)
            continue;
        double t = secs(r->ts - rec->first_ts);
        if (r->side == sender) {
            uint32_t occ = r->len + ((r->flags & TFA_TH_SYN) != 0) + ((r->flags & TFA_TH_FIN) != 0);
            int64_t lo = rel32(r->seq, base), hi = lo + occ;
            if (occ == 0)
                continue;
            if (sent && lo < high) {
                g_array_set_size(pend, 0); /* Karn: no sample across a retransmission */
            } else if (pend->len < 4096) {
                Pending p = {.end = hi, .ts = r->ts};
                g_array_append_val(pend, p);
            }
            high = sent ? MAX(high, hi) : hi;
            sent = true;
        } else if (r->side == peer && (r->flags & TFA_TH_ACK) && !(r->flags & TFA_TH_RST)) {
            ack = rel32(r->ack, base);
            acked = true;
            guint k = 0;
            TfaTs sample_from = -1;
            while (k < pend->len && g_array_index(pend, Pending, k).end <= ack)
                sample_from = g_array_index(pend, Pending, k++).ts;
            if (k > 0) {
                g_array_remove_range(pend, 0, k);
                Pt p = {.t = t, .y = (double)(r->ts - sample_from) / TFA_NSEC_PER_MSEC};
                g_array_append_val(rtt, p);
            }
        } else {
            continue;
        }
        if (sent && acked) {
            Pt p = {.t = t, .y = (double)MAX(high - ack, 0)};
            g_array_append_val(flight, p);
        }
    }
    if (t1 <= 0)
        t1 = 0.001;
    mini_plot(buf, flight, t1, true, "bytes in flight", "bytes", "inflight");
    mini_plot(buf, rtt, t1, false, "round trip (ms)", "ms", "rtts");
    g_array_unref(flight);
    g_array_unref(rtt);
    g_array_unref(pend);
}
