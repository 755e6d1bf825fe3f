/* html-collect.c - the graph points of -f html, bounded (see html.h). */
#include "config.h"

#include "tcpflow-audit/html.h"
#include "tcpflow-audit/options.h"

#include <stdlib.h>

#define PIN_FRAMES 512 /* anomaly frames looked up while decimating (the first ones) */

static int cmp_frame(const void *a, const void *b)
{
    TfaFrameNo x = *(const TfaFrameNo *)a, y = *(const TfaFrameNo *)b;
    return x < y ? -1 : x > y;
}

static bool flags_pinned(const TfaLadderRow *r)
{
    if (r->flags & (TFA_TH_SYN | TFA_TH_FIN | TFA_TH_RST))
        return true;
    return (r->flags & TFA_TH_ACK) && r->window == 0;
}

/* The anomalies of the segment being collected were just appended by the
 * detectors: only the latest few are looked at (the per-packet path stays
 * O(1)); decimate() pins the frames of all the anomalies found by then. */
#define RECENT_ANOMALIES 8

bool tfa_html_row_pinned(const TfaConn *c, const TfaLadderRow *r)
{
    if (flags_pinned(r))
        return true;
    guint n = c->anomalies != NULL ? c->anomalies->len : 0;
    for (guint i = n; i > 0 && n - i < RECENT_ANOMALIES; i--)
        if (g_array_index(c->anomalies, TfaAnomaly, i - 1).frame_no == r->frame)
            return true;
    return false;
}

/* Keep every second row that need not stay; double the stride. */
static void decimate(TfaConn *c)
{
    TfaFrameNo pins[PIN_FRAMES];
    guint n_pins = 0;
    for (guint i = 0; c->anomalies != NULL && i < c->anomalies->len && n_pins < PIN_FRAMES; i++)
        pins[n_pins++] = g_array_index(c->anomalies, TfaAnomaly, i).frame_no;
    qsort(pins, n_pins, sizeof(pins[0]), cmp_frame);
    GArray *a = c->ladder;
    guint out = 0, k = 0;
    for (guint i = 0; i < a->len; i++) {
        const TfaLadderRow *r = &g_array_index(a, TfaLadderRow, i);
        bool keep = flags_pinned(r) ||
                    bsearch(&r->frame, pins, n_pins, sizeof(pins[0]), cmp_frame) != NULL ||
                    (k++ % 2) == 0;
        if (!keep) {
            c->ladder_dropped++;
            continue;
        }
        if (out != i)
            g_array_index(a, TfaLadderRow, out) = *r;
        out++;
    }
    g_array_set_size(a, out);
    c->ladder_stride = c->ladder_stride == 0 ? 2 : c->ladder_stride * 2;
}

void tfa_html_collect(TfaConn *c, const TfaSegment *seg, uint8_t side, guint64 *held)
{
    TfaLadderRow row = tfa_ladder_row_of(seg, side);
    bool pinned = tfa_html_row_pinned(c, &row);
    /* after a decimation, one ordinary segment in ladder_stride */
    if (!pinned && c->ladder_stride > 1 && ++c->ladder_skip % c->ladder_stride != 0) {
        c->ladder_dropped++;
        return;
    }
    if (*held >= TFA_HTML_POINTS_TOTAL) {
        c->ladder_dropped++;
        return;
    }
    if (c->ladder == NULL)
        c->ladder = g_array_sized_new(FALSE, FALSE, sizeof(TfaLadderRow), 64);
    if (c->ladder->len >= TFA_HTML_POINTS_PER_CONN) {
        guint before = c->ladder->len;
        decimate(c);
        *held -= before - c->ladder->len;
        if (c->ladder->len >= TFA_HTML_POINTS_PER_CONN) { /* all pinned */
            c->ladder_dropped++;
            return;
        }
    }
    g_array_append_val(c->ladder, row);
    (*held)++;
}
