/* ladder.c - the textbook two-column diagram of a connection, drawn from the
 * capture: client state | segment arrow with flags, relative seq/ack, length,
 * frame and time | server state.  A state is printed on the row of the frame
 * that evidenced it; "?" marks a state the endpoint itself never confirmed.
 * Anomalies are listed under the segment that shows them. */
#include "config.h"

#include "report-private.h"

#include "tcpflow-audit/decode.h"

#include <inttypes.h>
#include <string.h>

#define STATE_COL 22
#define ARROW_COL 56

/* Every transition of @side evidenced by @frame, "A>B" with "?" for
 * probable ones; empty when none. */
void tfa_report_ladder_states(const TfaConnRecord *rec, uint8_t side, TfaFrameNo frame, char *buf,
                              size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    for (guint i = 0; i < rec->n_path[side]; i++) {
        const TfaTransition *t = &rec->path[side][i];
        if (t->frame != frame || t->evidence == TFA_EVIDENCE_TIMER)
            continue;
        if (frame == 0 && t->evidence != TFA_EVIDENCE_CAPTURE_START)
            continue;
        int n = g_snprintf(buf + used, len - used, "%s%s%s", used ? ">" : "",
                           tfa_tcp_state_name((TfaTcpState)t->state),
                           t->certain || t->evidence == TFA_EVIDENCE_CAPTURE_START ? "" : "?");
        if (n < 0 || (size_t)n >= len - used)
            break;
        used += (size_t)n;
    }
}

static uint32_t rel(uint32_t v, bool known, uint32_t base)
{
    return known ? v - base : v;
}

static const char *rst_note(const TfaConnRecord *rec, TfaFrameNo frame)
{
    for (guint i = 0; i < rec->n_rsts; i++) {
        const TfaRstInfo *r = &rec->rsts[i];
        if (r->frame != frame)
            continue;
        switch ((TfaRstAccept)r->accept) {
        case TFA_RST_CHALLENGED:
            return " (in window, not exact: challenge ACK, no reset)";
        case TFA_RST_IGNORED:
            return " (not acceptable: ignored)";
        case TFA_RST_NO_STATE:
            return " (no connection to reset)";
        default:
            return "";
        }
    }
    return "";
}

static void row(TfaReporter *rep, const TfaConnRecord *rec, const TfaLadderRow *r, TfaTs t0,
                GString *buf)
{
    uint8_t cside = rec->side[TFA_ROLE_CLIENT];
    const TfaEndpoint *snd = rec->ep[r->side];
    const TfaEndpoint *rcv = rec->ep[1 - r->side];
    char flags[64], label[160], arrow[ARROW_COL + 64], cst[96], sst[96];

    tfa_decode_flags_string(r->flags & (uint16_t)~TFA_TH_PSH, flags, sizeof(flags));
    size_t n = (size_t)g_snprintf(label, sizeof(label), "%s seq=%" PRIu32, flags,
                                  rel(r->seq, snd->iss_known, snd->iss));
    if (r->flags & TFA_TH_ACK)
        n += (size_t)g_snprintf(label + n, sizeof(label) - n, " ack=%" PRIu32,
                                rel(r->ack, rcv->iss_known, rcv->iss));
    if (r->len > 0)
        n += (size_t)g_snprintf(label + n, sizeof(label) - n, " len=%" PRIu32, r->len);
    if (!(r->flags & TFA_TH_RST)) {
        /* the window as the receiver reads it: scaled once both SYNs agreed */
        uint32_t win = r->window;
        if (!(r->flags & TFA_TH_SYN) && snd->has_wscale && rcv->has_wscale)
            win <<= snd->wscale;
        g_snprintf(label + n, sizeof(label) - n, " win=%" PRIu32, win);
    }

    /* ---- label ----->   or   <---- label ------ */
    bool right = r->side == cside;
    size_t ll = strlen(label);
    size_t fill = ll + 8 < ARROW_COL ? ARROW_COL - ll - 8 : 2;
    char full[sizeof(label) + ARROW_COL + 16]; /* all of it, then cut as the column is */
    size_t k = (size_t)g_snprintf(full, sizeof(full), "%s%s ", right ? "---- " : "<--- ", label);
    for (size_t d = 0; d < fill && k + 3 < sizeof(full); d++)
        full[k++] = '-';
    full[k] = '\0';
    g_strlcat(full, right ? "->" : "--", sizeof(full));
    g_strlcpy(arrow, full, sizeof(arrow));

    tfa_report_ladder_states(rec, cside, r->frame, cst, sizeof(cst));
    tfa_report_ladder_states(rec, (uint8_t)(1 - cside), r->frame, sst, sizeof(sst));
    TfaTs dt = r->ts - t0;
    g_string_append_printf(buf, "  %-*s %6" PRIu64 " %4" PRId64 ".%06" PRId64 "  %s  %s%s\n",
                           STATE_COL, cst, (uint64_t)r->frame, dt / TFA_NSEC_PER_SEC,
                           (dt % TFA_NSEC_PER_SEC) / 1000, arrow, sst,
                           (r->flags & TFA_TH_RST) ? rst_note(rec, r->frame) : "");

    for (guint i = 0; i < rec->n_anomalies; i++) {
        const TfaAnomaly *an = &rec->anomalies[i];
        if (an->frame_no != r->frame)
            continue;
        g_string_append_printf(buf, "  %-*s %6s %11s  ^ %s %s\n", STATE_COL, "", "", "",
                               tfa_severity_name((TfaSeverity)an->severity),
                               tfa_anomaly_name((TfaAnomalyCode)an->code));
    }
}

/* TIME_WAIT running out: not on any segment. */
static void timers(const TfaConnRecord *rec, TfaTs t0, GString *buf)
{
    for (int role = 0; role < 2; role++) {
        uint8_t side = rec->side[role];
        for (guint i = 0; i < rec->n_path[side]; i++) {
            const TfaTransition *t = &rec->path[side][i];
            if (t->evidence != TFA_EVIDENCE_TIMER)
                continue;
            TfaTs dt = t->ts - t0;
            g_string_append_printf(buf, "  %-*s %6s %4" PRId64 ".%06" PRId64 "  %-*s  %s\n",
                                   STATE_COL, role == TFA_ROLE_CLIENT ? "CLOSED (2*MSL)" : "", "",
                                   dt / TFA_NSEC_PER_SEC, (dt % TFA_NSEC_PER_SEC) / 1000,
                                   ARROW_COL, "(TIME_WAIT timer)",
                                   role == TFA_ROLE_SERVER ? "CLOSED (2*MSL)" : "");
        }
    }
}

static void ladder_conn(TfaReporter *rep, const TfaConnRecord *rec, GString *buf)
{
    uint8_t cside = rec->side[TFA_ROLE_CLIENT];
    char cst[96], sst[96];

    if (rec->ladder == NULL)
        return;
    g_string_append_printf(buf,
                           "connection %" PRIu64 ": client %s:%u -> server %s:%u "
                           "(originator: %s, incarnation %u, %s)\n",
                           (uint64_t)rec->id, rec->ip[TFA_ROLE_CLIENT], rec->port[TFA_ROLE_CLIENT],
                           rec->ip[TFA_ROLE_SERVER], rec->port[TFA_ROLE_SERVER],
                           tfa_originator_name(rec->originator), rec->incarnation,
                           tfa_end_name(rec->end_reason));
    g_string_append(buf, "  sequence numbers relative to each side's ISN; time from the "
                         "connection's first frame; ? = not confirmed by the endpoint itself\n\n");
    g_string_append_printf(buf, "  %-*s %6s %11s  %-*s  %s\n", STATE_COL, "CLIENT", "FRAME",
                           "TIME", ARROW_COL, "SEGMENT", "SERVER");
    tfa_report_ladder_states(rec, cside, 0, cst, sizeof(cst));
    tfa_report_ladder_states(rec, (uint8_t)(1 - cside), 0, sst, sizeof(sst));
    g_string_append_printf(buf, "  %-*s %6s %11s  %-*s  %s\n", STATE_COL, cst, "", "", ARROW_COL,
                           "", sst);
    TfaTs t0 = rec->first_ts;
    for (guint i = 0; i < rec->n_ladder; i++)
        row(rep, rec, &rec->ladder[i], t0, buf);
    timers(rec, t0, buf);
    if (rec->ladder_dropped > 0)
        g_string_append_printf(buf, "  (%" PRIu64 " more segments not drawn: --ladder-rows)\n",
                               (uint64_t)rec->ladder_dropped);
    g_string_append_printf(buf, "  final: client %s%s, server %s%s\n\n",
                           tfa_tcp_state_name((TfaTcpState)tfa_record_final_state(rec, TFA_ROLE_CLIENT)),
                           tfa_record_state_certain(rec, TFA_ROLE_CLIENT) ? "" : "?",
                           tfa_tcp_state_name((TfaTcpState)tfa_record_final_state(rec, TFA_ROLE_SERVER)),
                           tfa_record_state_certain(rec, TFA_ROLE_SERVER) ? "" : "?");
}

const TfaReporterOps tfa_report_ladder_ops = {
    .name = "ladder",
    .conn = ladder_conn,
};
