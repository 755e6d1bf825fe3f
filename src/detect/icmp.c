/* icmp.c - findings from the ICMP errors tied to a connection
 * (TfaConn.icmp, see tcpflow-audit/icmp.h for how Linux reacts to each). */
#include "config.h"

#include "tcpflow-audit/detect.h"

static void icmp_end(const TfaConn *c, void *state, const TfaDetectEnd *x, TfaAnomalySink *sink)
{
    (void)state;
    for (uint8_t side = 0; side < 2; side++) {
        const TfaIcmpSeen *ic = tfa_conn_icmp(c, side);
        bool hard;
        if (ic->count == 0)
            continue;
        bool ignored = ic->window_known && !ic->in_window;
        if (tfa_icmp_is_pmtu(ic->version, ic->type, ic->code)) {
            tfa_sink_add(sink, TFA_ANOMALY_ICMP_PATH_MTU, side, ic->frame, ic->ts, ic->count,
                         ic->mtu);
            continue;
        }
        if (ic->state == TFA_TCP_SYN_SENT && !ignored) {
            /* connect() failed at the last error if no SYN followed it
             * (tcp_v4_err in SYN_SENT: the socket is done) */
            const char *err = tfa_icmp_errno(ic->version, ic->last_type, ic->last_code, &hard);
            if (err != NULL && x->out->syn_last_frame < ic->last_frame) {
                tfa_sink_add(sink, TFA_ANOMALY_ICMP_CONNECT_FAILED, side, ic->last_frame,
                             ic->last_ts, ic->count, 0);
                continue;
            }
        }
        if (tfa_icmp_errno(ic->version, ic->type, ic->code, &hard) == NULL)
            continue; /* a code Linux ignores */
        if (ignored)
            tfa_sink_add_possible(sink, TFA_ANOMALY_ICMP_ERROR, TFA_SEV_NOTICE, side, ic->frame,
                                  ic->ts, ic->count, 1);
        else
            tfa_sink_add(sink, TFA_ANOMALY_ICMP_ERROR, side, ic->frame, ic->ts, ic->count, 0);
    }
}

const TfaDetector tfa_detector_icmp = {
    .name = "icmp",
    .on_end = icmp_end,
};
