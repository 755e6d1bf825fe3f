/* options.c - defaults of TfaOptions. */
#include "config.h"

#include "tcpflow-audit/options.h"

#include "tcpflow-audit/codes.h"

#include <string.h>
#include <unistd.h>

void tfa_options_init(TfaOptions *o)
{
    memset(o, 0, sizeof(*o));
    o->format = TFA_FORMAT_AUTO;
    o->color = TFA_COLOR_AUTO;
    o->snaplen = TFA_DEFAULT_SNAPLEN;
    o->promisc = true;
    o->immediate = false;
    o->idle_timeout = TFA_DEFAULT_IDLE_TIMEOUT;
    o->close_linger = TFA_DEFAULT_CLOSE_LINGER;
    o->msl = TFA_DEFAULT_MSL;
    o->max_conns = TFA_DEFAULT_MAX_CONNS;
    o->max_anomalies_per_conn = TFA_DEFAULT_MAX_ANOMALIES;
    o->max_details = TFA_DEFAULT_MAX_DETAILS;
    o->max_transitions_per_endpoint = TFA_DEFAULT_MAX_TRANSITIONS;
    o->ladder_rows = TFA_DEFAULT_LADDER_ROWS;
    o->max_buffer_bytes = TFA_DEFAULT_MAX_BUFFER_BYTES;
    o->max_frag_bytes = TFA_DEFAULT_MAX_FRAG_BYTES;
    o->frag_timeout = TFA_DEFAULT_FRAG_TIMEOUT;
    o->max_buffer_per_dir = TFA_DEFAULT_MAX_BUFFER_PER_DIR;
    o->min_severity = -1;
    o->fail_on = -1;
    o->stuck_after = TFA_DEFAULT_STUCK_AFTER;
    o->rst_idle = TFA_DEFAULT_RST_IDLE;
    o->rst_storm = TFA_DEFAULT_RST_STORM;
    o->leak_threshold = TFA_DEFAULT_LEAK_THRESHOLD;
    o->pileup_threshold = TFA_DEFAULT_PILEUP_THRESHOLD;
    o->flood_threshold = TFA_DEFAULT_FLOOD_THRESHOLD;
    o->scan_threshold = TFA_DEFAULT_SCAN_THRESHOLD;
    o->refusing_threshold = TFA_DEFAULT_REFUSING_THRESHOLD;
    o->extract_fd = -1;
    o->extract_max_bytes = TFA_DEFAULT_EXTRACT_MAX_BYTES;
    o->extract_max_total = TFA_DEFAULT_EXTRACT_MAX_TOTAL;
    o->extract_fill = -1;
}

bool tfa_options_conn_selected(const TfaOptions *o, guint64 id)
{
    if (o->conn_ids == NULL)
        return true;
    for (guint i = 0; i < o->conn_ids->len; i++) {
        if (g_array_index(o->conn_ids, guint64, i) == id)
            return true;
    }
    return false;
}

bool tfa_options_conn_wanted(const TfaOptions *o, const guint64 *code_count, int worst)
{
    if (o->only_anomalous && worst < (int)TFA_SEV_NOTICE)
        return false;
    if (o->min_severity >= 0 && worst < o->min_severity)
        return false;
    if (o->code_set) {
        for (unsigned i = 0; i < TFA_ANOMALY_N; i++) {
            if (code_count[i] > 0 && (o->code_mask[i / 64] & (UINT64_C(1) << (i % 64))) != 0)
                return true;
        }
        return false;
    }
    return true;
}

void tfa_options_clear(TfaOptions *o)
{
    g_strfreev(o->files);
    g_free(o->interface);
    g_free(o->filter);
    g_free(o->write_file);
    g_free(o->drop_user);
    g_free(o->extract_dir);
    if (o->extract_fd >= 0)
        close(o->extract_fd);
    if (o->conn_ids != NULL)
        g_array_unref(o->conn_ids);
    tfa_options_init(o);
}
