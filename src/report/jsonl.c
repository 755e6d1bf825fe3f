/* jsonl.c - JSON Lines: one object per connection, a summary object last
 * (DESIGN.md §6; every field in tcpflow-audit-records(5)). */
#include "config.h"

#include "report-private.h"

#include "tcpflow-audit/extract.h"
#include "tcpflow-audit/appview.h"

#include "tcpflow-audit/decode.h"
#include "tcpflow-audit/json.h"
#include "tcpflow-audit/merge.h"
#include "tcpflow-audit/seqtrack.h" /* TFA_LOST_*, TFA_SEQ_COPY_*: the args' names */
#include "tcpflow-audit/zeek.h"

#define TFA_SCHEMA_VERSION 1

static void endpoint(TfaJson *j, const char *key, const TfaConnRecord *rec, TfaRole role)
{
    tfa_json_begin_object(j, key);
    tfa_json_string(j, "ip", rec->ip[role]);
    tfa_json_uint(j, "port", rec->port[role]);
    tfa_json_end_object(j);
}

static void by_role_uint(TfaJson *j, const char *key, uint64_t client, uint64_t server)
{
    tfa_json_begin_object(j, key);
    tfa_json_uint(j, "client", client);
    tfa_json_uint(j, "server", server);
    tfa_json_end_object(j);
}

static const char *count_name(uint16_t code)
{
    if (code < TFA_ANOMALY_N)
        return tfa_anomaly_name((TfaAnomalyCode)code);
    return tfa_diag_name((TfaDiag)(code - TFA_ANOMALY_N));
}

/* When each endpoint sent its first and last segment (null when it sent
 * nothing). */
static void sent_span(TfaJson *j, const char *key, const TfaSideStats *st)
{
    tfa_json_begin_object(j, key);
    if (st->packets > 0) {
        tfa_json_uint(j, "first_frame", st->first_frame);
        tfa_json_uint(j, "last_frame", st->last_frame);
        tfa_json_ts(j, "first_ts", st->first_ts);
        tfa_json_ts(j, "last_ts", st->last_ts);
    } else {
        tfa_json_null(j, "first_frame");
        tfa_json_null(j, "last_frame");
        tfa_json_null(j, "first_ts");
        tfa_json_null(j, "last_ts");
    }
    tfa_json_end_object(j);
}

static void counts(TfaJson *j, const TfaConnRecord *rec)
{
    tfa_json_begin_object(j, "counts");
    for (uint16_t code = 0; code < TFA_COUNT_N && rec->n_counts > 0; code++) {
        for (guint i = 0; i < rec->n_counts; i++) {
            const TfaCount *n = &rec->counts[i];
            if (n->code != code)
                continue;
            by_role_uint(j, count_name(code), n->n[rec->side[TFA_ROLE_CLIENT]],
                         n->n[rec->side[TFA_ROLE_SERVER]]);
        }
    }
    tfa_json_end_object(j);
}

static const char *endpoint_name(const TfaConnRecord *rec, int8_t side)
{
    if (side < 0)
        return "both";
    return (uint8_t)side == rec->side[TFA_ROLE_CLIENT] ? "client" : "server";
}

/* A segment reassembled from IP fragments: its frame and its fragments'. */
static void frag_evidence(TfaJson *j, const char *key, const TfaConnRecord *rec,
                          const TfaFragEvidence *ev)
{
    if (ev->frame == 0) {
        tfa_json_null(j, key);
        return;
    }
    tfa_json_begin_object(j, key);
    tfa_json_string(j, "endpoint", endpoint_name(rec, (int8_t)ev->side));
    tfa_json_uint(j, "frame", ev->frame);
    tfa_json_uint(j, "first_frame", ev->first_frame);
    tfa_json_uint(j, "fragments", ev->fragments);
    tfa_json_end_object(j);
}

/* One anomaly argument, as its unit reads (codes.h TfaArgUnit). */
static void anomaly_arg(TfaJson *j, const TfaArgDesc *d, int64_t v)
{
    static const char *const lost[] = {
        [TFA_LOST_FILLED] = "filled", [TFA_LOST_SACK] = "sack", [TFA_LOST_DUPACKS] = "dupacks"};
    static const char *const copy[] = {
        [TFA_SEQ_COPY_NONE] = "none", [TFA_SEQ_COPY_SAME] = "same",
        [TFA_SEQ_COPY_ROUTER] = "router", [TFA_SEQ_COPY_ALTERED] = "altered"};
    switch (d->unit) {
    case TFA_ARG_SEQ:
    case TFA_ARG_NS:
        if (v < 0)
            tfa_json_null(j, d->name);
        else
            tfa_json_int(j, d->name, v);
        break;
    case TFA_ARG_FRAME:
        if (v == 0)
            tfa_json_null(j, d->name);
        else
            tfa_json_int(j, d->name, v);
        break;
    case TFA_ARG_FLAG:
        tfa_json_bool(j, d->name, v != 0);
        break;
    case TFA_ARG_STATE:
        tfa_json_string(j, d->name, tfa_tcp_state_name((TfaTcpState)v));
        break;
    case TFA_ARG_ORIGINATOR:
        tfa_json_string(j, d->name, tfa_originator_name((TfaOriginator)v));
        break;
    case TFA_ARG_LOST:
        tfa_json_string(j, d->name,
                        v >= 0 && (guint64)v < G_N_ELEMENTS(lost) ? lost[v] : "?");
        break;
    case TFA_ARG_COPY:
        tfa_json_string(j, d->name,
                        v >= 0 && (guint64)v < G_N_ELEMENTS(copy) ? copy[v] : "?");
        break;
    default:
        tfa_json_int(j, d->name, v);
        break;
    }
}

static void anomalies(TfaJson *j, const TfaConnRecord *rec)
{
    char detail[512];

    tfa_json_begin_array(j, "anomalies");
    for (guint i = 0; i < rec->n_anomalies; i++) {
        const TfaAnomaly *a = &rec->anomalies[i];
        tfa_json_begin_object(j, NULL);
        tfa_json_string(j, "code", tfa_anomaly_name((TfaAnomalyCode)a->code));
        tfa_json_string(j, "severity", tfa_severity_name((TfaSeverity)a->severity));
        tfa_json_bool(j, "possible", a->possible);
        tfa_json_string(j, "endpoint", endpoint_name(rec, a->side));
        tfa_json_uint(j, "frame", a->frame_no);
        tfa_json_ts(j, "ts", a->ts);
        unsigned n;
        const TfaArgDesc *args = tfa_anomaly_args((TfaAnomalyCode)a->code, &n);
        tfa_json_begin_object(j, "args");
        for (unsigned k = 0; k < n; k++)
            anomaly_arg(j, &args[k], a->arg[k]);
        tfa_json_end_object(j);
        tfa_json_string(j, "detail", tfa_report_detail(rec, a, detail, sizeof(detail)));
        tfa_json_end_object(j);
    }
    tfa_json_end_array(j);
}

/* endpoints.<role>.application: what its application most likely saw and
 * did (record/appview.c). */
static void application(TfaJson *j, const TfaConnRecord *rec, const TfaAppView *view,
                        TfaRole role)
{
    const TfaAppSide *s = &view->role[role];
    char text[512];
    tfa_json_begin_object(j, "application");
    tfa_json_begin_array(j, "events");
    for (unsigned i = 0; i < s->n; i++) {
        const TfaAppEvent *e = &s->ev[i];
        tfa_json_begin_object(j, NULL);
        tfa_json_string(j, "call", tfa_app_call_name((TfaAppCall)e->call));
        tfa_json_string(j, "result", tfa_app_result_name((TfaAppResult)e->result));
        if (e->err != NULL)
            tfa_json_string(j, "errno", e->err);
        else
            tfa_json_null(j, "errno");
        tfa_json_string(j, "story", tfa_app_why_name((TfaAppWhy)e->why));
        if (e->frame != 0) {
            tfa_json_uint(j, "frame", e->frame);
            tfa_json_ts(j, "ts", e->ts);
        } else {
            tfa_json_null(j, "frame");
            tfa_json_null(j, "ts");
        }
        tfa_json_bool(j, "certain", e->certain);
        tfa_json_string(j, "detail", tfa_appview_event_text(rec, role, e, text, sizeof(text)));
        tfa_json_end_object(j);
    }
    tfa_json_end_array(j);
    tfa_json_begin_array(j, "advice");
    for (unsigned i = 0; i < s->n_advice; i++) {
        tfa_json_begin_object(j, NULL);
        tfa_json_string(j, "use", tfa_app_advice_name((TfaAppAdvice)s->advice[i]));
        tfa_json_string(j, "detail", tfa_appview_advice_text(rec, role, s, i, text, sizeof(text)));
        tfa_json_end_object(j);
    }
    tfa_json_end_array(j);
    tfa_json_end_object(j);
}

static void endpoint_state(TfaJson *j, const char *key, const TfaConnRecord *rec,
                           const TfaAppView *view, TfaRole role)
{
    uint8_t side = rec->side[role];
    const TfaEndpoint *ep = rec->ep[side];
    tfa_json_begin_object(j, key);
    tfa_json_string(j, "final_state", tfa_tcp_state_name((TfaTcpState)ep->state));
    tfa_json_bool(j, "certain", tfa_record_state_certain(rec, role));
    tfa_json_bool(j, "passive", ep->passive);
    tfa_json_begin_array(j, "path");
    for (guint i = 0; i < rec->n_path[side]; i++) {
        const TfaTransition *t = &rec->path[side][i];
        tfa_json_begin_object(j, NULL);
        tfa_json_string(j, "state", tfa_tcp_state_name((TfaTcpState)t->state));
        if (t->frame != 0)
            tfa_json_uint(j, "frame", t->frame);
        else
            tfa_json_null(j, "frame");
        tfa_json_ts(j, "ts", t->ts);
        tfa_json_string(j, "evidence", tfa_evidence_name((TfaEvidence)t->evidence));
        tfa_json_bool(j, "certain", t->certain);
        tfa_json_end_object(j);
    }
    tfa_json_end_array(j);
    tfa_json_uint(j, "path_dropped", ep->path_dropped);
    tfa_json_begin_object(j, "tcb");
    if (ep->iss_known)
        tfa_json_uint(j, "iss", ep->iss);
    if (ep->irs_known)
        tfa_json_uint(j, "irs", ep->irs);
    if (ep->rcv_nxt_known || ep->snd_nxt_known) {
        tfa_json_uint(j, "snd_una", ep->snd_una);
        tfa_json_uint(j, "snd_nxt", ep->snd_nxt);
        tfa_json_uint(j, "snd_wnd", ep->snd_wnd);
        tfa_json_uint(j, "rcv_nxt", ep->rcv_nxt);
        tfa_json_uint(j, "rcv_wnd", ep->rcv_wnd);
    }
    tfa_json_end_object(j);
    application(j, rec, view, role);
    tfa_json_end_object(j);
}

static void rsts(TfaJson *j, const TfaConnRecord *rec)
{
    tfa_json_begin_array(j, "rsts");
    for (guint i = 0; i < rec->n_rsts; i++) {
        const TfaRstInfo *r = &rec->rsts[i];
        tfa_json_begin_object(j, NULL);
        tfa_json_uint(j, "frame", r->frame);
        tfa_json_ts(j, "ts", r->ts);
        tfa_json_string(j, "from", endpoint_name(rec, (int8_t)r->side));
        tfa_json_string(j, "accepted", tfa_rst_accept_name((TfaRstAccept)r->accept));
        tfa_json_string(j, "sender_state", tfa_tcp_state_name((TfaTcpState)r->sender_state));
        tfa_json_string(j, "receiver_state", tfa_tcp_state_name((TfaTcpState)r->receiver_state));
        tfa_json_uint(j, "seq", r->seq);
        if (r->has_ack)
            tfa_json_uint(j, "ack", r->ack);
        else
            tfa_json_null(j, "ack");
        tfa_json_uint(j, "payload_bytes", r->payload_len);
        if (r->diag[0] != '\0')
            tfa_json_string(j, "diagnostic", r->diag);
        tfa_json_string(j, "cause", tfa_rst_cause_name((TfaRstCause)r->cause));
        tfa_json_uint(j, "ttl", r->ttl);
        tfa_json_int(j, "idle_before_ns", r->idle_before);
        tfa_json_bool(j, "sender_kept_talking", r->sender_talked_after);
        tfa_json_end_object(j);
    }
    tfa_json_end_array(j);
    tfa_json_uint(j, "rsts_total", rec->rsts_total);
}

static void frames(TfaJson *j, const char *key, const TfaFrameNo *f, uint8_t n)
{
    tfa_json_begin_array(j, key);
    for (uint8_t i = 0; i < n; i++)
        tfa_json_uint(j, NULL, f[i]);
    tfa_json_end_array(j);
}

static void handshake(TfaJson *j, const TfaConnRecord *rec)
{
    const TfaRecordHandshake *d = &rec->hs;
    const TfaRecordOutcome *o = &rec->outcome;
    tfa_json_begin_object(j, "handshake");
    tfa_json_string(j, "outcome", tfa_handshake_name((TfaHandshake)o->handshake));
    if (d->syn_ts != 0 && d->synack_ts != 0)
        tfa_json_int(j, "syn_to_synack_ns", d->synack_ts - d->syn_ts);
    else
        tfa_json_null(j, "syn_to_synack_ns");
    if (d->synack_ts != 0 && d->ack_ts != 0)
        tfa_json_int(j, "synack_to_ack_ns", d->ack_ts - d->synack_ts);
    else
        tfa_json_null(j, "synack_to_ack_ns");
    if (d->syn_ts != 0 && d->ack_ts != 0)
        tfa_json_int(j, "rtt_ns", d->ack_ts - d->syn_ts);
    else
        tfa_json_null(j, "rtt_ns");
    tfa_json_uint(j, "syn_count", d->syn_count);
    tfa_json_uint(j, "synack_count", d->synack_count);
    frames(j, "syn_frames", d->syn_frames, d->n_syn_frames);
    frames(j, "synack_frames", d->synack_frames, d->n_synack_frames);
    if (d->ack_frame != 0)
        tfa_json_uint(j, "ack_frame", d->ack_frame);
    else
        tfa_json_null(j, "ack_frame");
    tfa_json_end_object(j);
    tfa_json_begin_object(j, "close");
    tfa_json_string(j, "kind", tfa_close_name((TfaCloseKind)o->close_kind));
    tfa_json_string(j, "initiator", tfa_initiator_name((TfaInitiator)o->close_initiator));
    if (o->close_frame != 0)
        tfa_json_uint(j, "frame", o->close_frame);
    else
        tfa_json_null(j, "frame");
    tfa_json_end_object(j);
}

static void dur_or_null(TfaJson *j, const char *key, TfaDuration v)
{
    if (v >= 0)
        tfa_json_int(j, key, v);
    else
        tfa_json_null(j, key);
}

static void ack_timing(TfaJson *j, const TfaConnRecord *rec)
{
    TfaVantage v = rec->vantage;
    static const char *const roles[2] = {"client", "server"};

    tfa_json_begin_object(j, "vantage");
    tfa_json_string(j, "position", tfa_vantage_name(v));
    dur_or_null(j, "to_server_rtt_ns", rec->to_server_rtt);
    dur_or_null(j, "to_client_rtt_ns", rec->to_client_rtt);
    tfa_json_end_object(j);

    tfa_json_begin_object(j, "ack_delay");
    for (int r = 0; r < 2; r++) {
        const TfaRecordAck *t = &rec->ack[rec->side[r]];
        bool near = v == TFA_VANTAGE_NEAR_BOTH ||
                    (r == TFA_ROLE_CLIENT ? v == TFA_VANTAGE_NEAR_CLIENT
                                          : v == TFA_VANTAGE_NEAR_SERVER);
        tfa_json_begin_object(j, roles[r]);
        tfa_json_uint(j, "acks", t->acks);
        tfa_json_uint(j, "immediate", t->immediate);
        tfa_json_uint(j, "delayed", t->delayed);
        tfa_json_uint(j, "over_500ms", t->over_500ms);
        tfa_json_uint(j, "piggybacked", t->piggybacked);
        tfa_json_uint(j, "stretch", t->stretch);
        dur_or_null(j, "p50_ns", t->delay_p50);
        dur_or_null(j, "p90_ns", t->delay_p90);
        dur_or_null(j, "max_ns", t->delay_max);
        if (t->full_acks > 0)
            tfa_json_bool(j, "acks_every_second_segment", t->full_acks_within_two == t->full_acks);
        else
            tfa_json_null(j, "acks_every_second_segment");
        tfa_json_bool(j, "trusted", near);
        tfa_json_uint(j, "nagle_stalls", t->stalls);
        tfa_json_int(j, "nagle_stall_ns", t->stall_time);
        tfa_json_end_object(j);
    }
    tfa_json_end_object(j);

    /* round trips of each side's data, capture -> receiver -> capture */
    tfa_json_begin_object(j, "rtt");
    for (int r = 0; r < 2; r++) {
        const TfaRecordAck *t = &rec->ack[rec->side[r]];
        tfa_json_begin_object(j, r == TFA_ROLE_CLIENT ? "client_data" : "server_data");
        tfa_json_uint(j, "samples", t->rtt_samples);
        dur_or_null(j, "min_ns", t->rtt_min);
        dur_or_null(j, "p50_ns", t->rtt_p50);
        dur_or_null(j, "max_ns", t->rtt_max);
        tfa_json_end_object(j);
    }
    tfa_json_end_object(j);
}

static void jsonl_conn(TfaReporter *rep, const TfaConnRecord *rec, GString *buf)
{
    const TfaSideStats *cs = tfa_record_stats(rec, TFA_ROLE_CLIENT);
    const TfaSideStats *ss = tfa_record_stats(rec, TFA_ROLE_SERVER);
    char flags[64];
    TfaJson j;

    tfa_json_init(&j, buf);
    tfa_json_begin_object(&j, NULL);
    tfa_json_string(&j, "type", "connection");
    tfa_json_uint(&j, "id", rec->id);
    endpoint(&j, "client", rec, TFA_ROLE_CLIENT);
    endpoint(&j, "server", rec, TFA_ROLE_SERVER);
    tfa_json_begin_array(&j, "vlan");
    for (int v = 0; v < 2 && rec->vlan[v] != 0; v++)
        tfa_json_uint(&j, NULL, rec->vlan[v]);
    tfa_json_end_array(&j);
    tfa_json_string(&j, "originator", tfa_originator_name(rec->originator));
    tfa_json_uint(&j, "incarnation", rec->incarnation);
    tfa_json_uint(&j, "first_frame", rec->first_frame);
    tfa_json_uint(&j, "last_frame", rec->last_frame);
    tfa_json_ts(&j, "first_ts", rec->first_ts);
    tfa_json_ts(&j, "last_ts", rec->last_ts);
    tfa_json_int(&j, "duration_ns", rec->last_ts - rec->first_ts);
    by_role_uint(&j, "packets", cs->packets, ss->packets);
    by_role_uint(&j, "bytes", cs->bytes, ss->bytes);
    by_role_uint(&j, "bytes_captured", cs->bytes_captured, ss->bytes_captured);
    tfa_json_begin_object(&j, "flags");
    tfa_json_string(&j, "client", tfa_decode_flags_string(cs->flags_seen, flags, sizeof(flags)));
    tfa_json_string(&j, "server", tfa_decode_flags_string(ss->flags_seen, flags, sizeof(flags)));
    tfa_json_end_object(&j);
    tfa_json_begin_object(&j, "sent");
    sent_span(&j, "client", cs);
    sent_span(&j, "server", ss);
    tfa_json_end_object(&j);
    tfa_json_string(&j, "end_reason", tfa_end_name(rec->end_reason));
    tfa_json_string(&j, "verdict", tfa_verdict_name((TfaVerdict)rec->outcome.verdict));
    tfa_json_bool(&j, "mid_stream", rec->mid_stream);
    if (rec->continues_id != 0) {
        tfa_json_begin_object(&j, "continues");
        tfa_json_uint(&j, "id", rec->continues_id);
        tfa_json_int(&j, "silence_ns", rec->continues_after);
        tfa_json_end_object(&j);
    } else {
        tfa_json_null(&j, "continues");
    }
    tfa_json_bool(&j, "capture_drops_during", rec->drops_during);
    handshake(&j, rec);
    TfaAppView view;
    tfa_appview_build(rec, &view);
    tfa_json_begin_object(&j, "endpoints");
    endpoint_state(&j, "client", rec, &view, TFA_ROLE_CLIENT);
    endpoint_state(&j, "server", rec, &view, TFA_ROLE_SERVER);
    tfa_json_end_object(&j);
    rsts(&j, rec);
    ack_timing(&j, rec);
    counts(&j, rec);
    anomalies(&j, rec);
    tfa_json_uint(&j, "anomalies_dropped", rec->anomalies_dropped);
    tfa_json_begin_object(&j, "zeek");
    tfa_json_string(&j, "conn_state", tfa_zeek_state_name((TfaZeekState)rec->zeek_state));
    tfa_json_string(&j, "history", rec->zeek_history);
    tfa_json_end_object(&j);
    if (rec->frag_first.frame != 0) { /* only for connections with reassembled segments */
        tfa_json_begin_object(&j, "ip_fragments");
        frag_evidence(&j, "first", rec, &rec->frag_first);
        frag_evidence(&j, "overlap_differs", rec, &rec->frag_overlap);
        tfa_json_end_object(&j);
    }
    tfa_extract_json(&j, rec); /* --extract only */
    tfa_json_end_object(&j);
    g_string_append_c(buf, '\n');
}

/* --at: one object per endpoint alive at that time, before the summary. */
static void sockets_at(const TfaRunInfo *info, GString *buf)
{
    const GArray *rows = tfa_summary_sockets_at(info->summary);
    char ip[TFA_ADDR_STRLEN];
    for (guint i = 0; rows != NULL && i < rows->len; i++) {
        const TfaSocketRow *r = &g_array_index(rows, TfaSocketRow, i);
        TfaJson j;
        tfa_json_init(&j, buf);
        tfa_json_begin_object(&j, NULL);
        tfa_json_string(&j, "type", "socket");
        tfa_json_ts(&j, "at", tfa_summary_at(info->summary));
        tfa_json_begin_object(&j, "local");
        tfa_json_string(&j, "ip", tfa_addr_to_string(&r->local, ip, sizeof(ip)));
        tfa_json_uint(&j, "port", r->lport);
        tfa_json_end_object(&j);
        tfa_json_begin_object(&j, "foreign");
        tfa_json_string(&j, "ip", tfa_addr_to_string(&r->foreign, ip, sizeof(ip)));
        tfa_json_uint(&j, "port", r->fport);
        tfa_json_end_object(&j);
        tfa_json_string(&j, "state", tfa_tcp_state_name((TfaTcpState)r->state));
        tfa_json_bool(&j, "certain", r->certain);
        tfa_json_uint(&j, "connection", r->conn_id);
        tfa_json_end_object(&j);
        g_string_append_c(buf, '\n');
    }
}

/* The netstat view at the end of the capture: each host's endpoints by
 * final state. */
static void hosts(TfaJson *j, const TfaRunInfo *info)
{
    guint64 other = 0;
    if (info->summary == NULL)
        return;
    g_autoptr(GPtrArray) hs = tfa_summary_hosts(info->summary, &other);
    char ip[TFA_ADDR_STRLEN];
    tfa_json_begin_array(j, "hosts");
    for (guint i = 0; i < hs->len; i++) {
        const TfaHostStates *h = g_ptr_array_index(hs, i);
        tfa_json_begin_object(j, NULL);
        tfa_json_string(j, "ip", tfa_addr_to_string(&h->addr, ip, sizeof(ip)));
        tfa_json_begin_object(j, "final_states");
        for (unsigned k = 0; k < TFA_TCP_N_STATES; k++) {
            if (h->states[k] != 0)
                tfa_json_uint(j, tfa_tcp_state_name((TfaTcpState)k), h->states[k]);
        }
        tfa_json_end_object(j);
        tfa_json_end_object(j);
    }
    tfa_json_end_array(j);
    tfa_json_uint(j, "hosts_not_listed", other);
}

/* Per service: how the server side ended, refusals, half-open handshakes. */
static void services(TfaJson *j, const TfaRunInfo *info)
{
    guint64 other = 0;
    g_autoptr(GPtrArray) sv = tfa_summary_services(info->summary, &other);
    char ip[TFA_ADDR_STRLEN];
    tfa_json_begin_array(j, "services");
    for (guint i = 0; i < sv->len; i++) {
        const TfaServiceStats *s = g_ptr_array_index(sv, i);
        tfa_json_begin_object(j, NULL);
        tfa_json_string(j, "ip", tfa_addr_to_string(&s->addr, ip, sizeof(ip)));
        tfa_json_uint(j, "port", s->port);
        tfa_json_uint(j, "connections", s->conns);
        tfa_json_begin_object(j, "server_final_states");
        for (unsigned k = 0; k < TFA_TCP_N_STATES; k++) {
            if (s->states[k] != 0)
                tfa_json_uint(j, tfa_tcp_state_name((TfaTcpState)k), s->states[k]);
        }
        tfa_json_end_object(j);
        tfa_json_uint(j, "refused", s->refused);
        tfa_json_uint(j, "half_open", s->half_open);
        tfa_json_end_object(j);
    }
    tfa_json_end_array(j);
    tfa_json_uint(j, "services_not_listed", other);
}

static void findings(TfaJson *j, const TfaRunInfo *info)
{
    g_autoptr(GArray) fs = tfa_summary_findings(info->summary);
    char ip[TFA_ADDR_STRLEN];
    tfa_json_begin_object(j, "findings");
    for (unsigned code = 0; code < TFA_FINDING_N; code++) {
        guint n = 0;
        for (guint i = 0; i < fs->len; i++)
            n += g_array_index(fs, TfaFindingRow, i).code == code;
        if (n > 0)
            tfa_json_uint(j, tfa_finding_name((TfaFinding)code), n);
    }
    tfa_json_end_object(j);
    tfa_json_begin_array(j, "finding_details");
    for (guint i = 0; i < fs->len; i++) {
        const TfaFindingRow *f = &g_array_index(fs, TfaFindingRow, i);
        char detail[256];
        tfa_json_begin_object(j, NULL);
        tfa_json_string(j, "code", tfa_finding_name(f->code));
        tfa_json_string(j, "ip", tfa_addr_to_string(&f->addr, ip, sizeof(ip)));
        if (f->port != 0)
            tfa_json_uint(j, "port", f->port);
        else
            tfa_json_null(j, "port");
        tfa_json_uint(j, "count", f->value);
        tfa_json_uint(j, "of", f->total);
        tfa_json_string(j, "detail", tfa_report_finding_detail(f, detail, sizeof(detail)));
        tfa_json_end_object(j);
    }
    tfa_json_end_array(j);
}

static void jsonl_summary(TfaReporter *rep, const TfaRunInfo *info, GString *buf)
{
    const TfaStats *st = info->stats;
    TfaJson j;

    if (info->opts->at_set && info->summary != NULL)
        sockets_at(info, buf);

    tfa_json_init(&j, buf);
    tfa_json_begin_object(&j, NULL);
    tfa_json_string(&j, "type", "summary");
    tfa_json_uint(&j, "schema", TFA_SCHEMA_VERSION);
    tfa_json_string(&j, "version", PACKAGE_VERSION);
    tfa_json_uint(&j, "frames", st->frames);
    tfa_json_uint(&j, "tcp_segments", st->tcp_segments);
    tfa_json_uint(&j, "connections", st->conns_total);
    tfa_json_uint(&j, "connections_peak", st->conns_peak);
    tfa_json_uint(&j, "records", info->records);
    if (st->have_ts) {
        tfa_json_ts(&j, "first_ts", st->first_ts);
        tfa_json_ts(&j, "last_ts", st->last_ts);
    } else {
        tfa_json_null(&j, "first_ts");
        tfa_json_null(&j, "last_ts");
    }
    /* --at: hosts and services count the states at that time */
    if (info->opts->at_set && info->summary != NULL)
        tfa_json_ts(&j, "at", tfa_summary_at(info->summary));
    tfa_json_begin_object(&j, "input");
    tfa_json_uint(&j, "files_opened", info->capture.files_opened);
    tfa_json_uint(&j, "files_damaged", info->capture.files_damaged);
    tfa_json_bool(&j, "damaged", info->input_damaged);
    tfa_json_bool(&j, "interrupted", info->interrupted);
    if (info->capture.have_kernel_stats) {
        tfa_json_uint(&j, "kernel_drops", info->capture.kernel_drops);
        tfa_json_uint(&j, "interface_drops", info->capture.iface_drops);
    }
    tfa_json_end_object(&j);
    tfa_json_begin_object(&j, "diagnostics");
    for (unsigned d = 0; d < TFA_DIAG_N; d++) {
        if (st->diag[d] != 0)
            tfa_json_uint(&j, tfa_diag_name((TfaDiag)d), st->diag[d]);
    }
    tfa_json_end_object(&j);
    tfa_json_begin_object(&j, "anomalies");
    for (unsigned a = 0; a < TFA_ANOMALY_N; a++) {
        if (st->anomaly[a] != 0)
            tfa_json_uint(&j, tfa_anomaly_name((TfaAnomalyCode)a), st->anomaly[a]);
    }
    tfa_json_end_object(&j);
    hosts(&j, info);
    if (info->summary != NULL) {
        services(&j, info);
        findings(&j, info);
    }
    tfa_json_begin_object(&j, "caps");
    tfa_json_uint(&j, "max_connections", info->opts->max_conns);
    tfa_json_uint(&j, "max_anomalies", info->opts->max_anomalies_per_conn);
    tfa_json_end_object(&j);
    if (info->opts->shard_n != 0 && info->summary != NULL)
        tfa_merge_write_shard(&j, info->opts, info->summary); /* --shard: for --merge */
    tfa_json_end_object(&j);
    g_string_append_c(buf, '\n');
}

const TfaReporterOps tfa_report_jsonl_ops = {
    .name = "jsonl",
    .conn = jsonl_conn,
    .summary = jsonl_summary,
};
