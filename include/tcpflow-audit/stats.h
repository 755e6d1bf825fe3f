/* stats.h - capture-wide counters, indexed by the codes of codes.h.
 *
 * TfaStats is a plain struct embedded in the engine.  Counting is a single
 * increment (the per-packet path); the summary reporter reads it at the end.
 */
#pragma once

#include <glib.h>

#include "tcpflow-audit/codes.h"

typedef struct TfaStats {
    guint64 frames;
    guint64 tcp_segments;
    guint64 conns_total;
    guint64 conns_peak;         /* most connections tracked at once */
    guint64 diag[TFA_DIAG_N];   /* frames per diagnostic */
    guint64 anomaly[TFA_ANOMALY_N]; /* anomalies per code, over every connection */
    TfaTs first_ts, last_ts;
    bool have_ts;
} TfaStats;

static inline void tfa_stats_count(TfaStats *st, TfaDiag d)
{
    st->diag[d]++;
}
