/* summary.h - capture-level aggregation over every reported connection.
 *
 * Owns: a table of hosts with the final state of each of their endpoints
 * (the netstat view at the end of the capture), capped at TFA_SUMMARY_MAX_HOSTS
 * hosts with the rest counted together; and, with --at, the endpoints alive
 * at that capture time with their state then (what `netstat -nat` would have
 * shown on each host).  Fed one record at a time by the engine; read by the
 * reporters at the end.  Output order never depends on hash order.
 */
#pragma once

#include <glib.h>

#include "tcpflow-audit/options.h"
#include "tcpflow-audit/record.h"

#define TFA_SUMMARY_MAX_HOSTS 65536u

typedef struct TfaSummary TfaSummary;

/* One host's endpoints by final state. */
typedef struct TfaHostStates {
    TfaAddr addr;
    guint64 states[TFA_TCP_N_STATES];
} TfaHostStates;

/* One endpoint alive at --at time. */
typedef struct TfaSocketRow {
    TfaAddr local, foreign;
    uint16_t lport, fport;
    uint8_t state;
    bool certain;
    guint64 conn_id;
} TfaSocketRow;

TfaSummary *tfa_summary_new(const TfaOptions *opts);
void tfa_summary_free(TfaSummary *sum);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TfaSummary, tfa_summary_free)

/* The capture's first frame time (for --at +SECONDS); set before any add. */
void tfa_summary_set_start(TfaSummary *sum, TfaTs first_ts);

void tfa_summary_add(TfaSummary *sum, const TfaConnRecord *rec);

/* Hosts sorted by address; *n_other_hosts: hosts beyond the cap. */
GPtrArray *tfa_summary_hosts(const TfaSummary *sum, guint64 *n_other_hosts);

/* --at: the endpoints alive then, sorted by local address and port; and the
 * time asked for, resolved (relative times counted from the first frame). */
const GArray *tfa_summary_sockets_at(const TfaSummary *sum);
TfaTs tfa_summary_at(const TfaSummary *sum);
