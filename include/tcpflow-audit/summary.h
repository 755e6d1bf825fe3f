/* summary.h - capture-level aggregation over every reported connection.
 *
 * Owns: a table of hosts with the final state of each of their endpoints
 * (the netstat view at the end of the capture), capped at TFA_SUMMARY_MAX_HOSTS
 * hosts with the rest counted together; per service (server address and
 * port) the server side's final states, refusals and half-open handshakes,
 * and per client host the ports it failed to reach, from which the
 * capture-level findings (SERVICE_*, HOST_PORT_SCAN) are drawn with the
 * thresholds of TfaOptions; and, with --at, the endpoints alive
 * at that capture time with their state then (what `netstat -nat` would have
 * shown on each host).  Fed one record at a time by the engine; read by the
 * reporters at the end.  Output order never depends on hash order.
 *
 * Caps: every table is capped, so that the summary's memory does not grow
 * with the number of connections in the capture (a SYN flood from a
 * million sources): at most TFA_SUMMARY_MAX_HOSTS hosts (the endpoints of
 * the others are counted together, hosts_not_listed), TFA_SUMMARY_MAX_SERVICES
 * services (services_not_listed), TFA_SUMMARY_MAX_SCANNERS client hosts
 * tracked for port scans (the connections of the others are counted as
 * SUMMARY_SCANNERS_NOT_TRACKED) and, with --at, TFA_SUMMARY_MAX_SOCKETS
 * endpoints (the others counted as SUMMARY_SOCKETS_NOT_LISTED).  The
 * counters go to the TfaStats given to tfa_summary_new (borrowed for the
 * summary's life).  The first ones seen are kept.
 */
#pragma once

#include <glib.h>

#include "tcpflow-audit/options.h"
#include "tcpflow-audit/record.h"
#include "tcpflow-audit/stats.h"

#define TFA_SUMMARY_MAX_HOSTS 65536u
#define TFA_SUMMARY_MAX_SERVICES 65536u
#define TFA_SUMMARY_MAX_SCANNERS 16384u
#define TFA_SUMMARY_MAX_SOCKETS 262144u /* --at rows (48 bytes each) */

typedef struct TfaSummary TfaSummary;

/* One host's endpoints by final state. */
typedef struct TfaHostStates {
    TfaAddr addr;
    guint64 states[TFA_TCP_N_STATES];
} TfaHostStates;

/* One service (server address and port): its connections and how the
 * server side ended. */
typedef struct TfaServiceStats {
    TfaAddr addr;
    uint16_t port;
    guint64 conns;
    guint64 states[TFA_TCP_N_STATES]; /* the server endpoint's final states */
    guint64 refused, accepted, half_open;
    guint half_open_sources;          /* distinct clients of half-open handshakes (capped) */
    GArray *sources;                  /* of TfaAddr, at most the flood threshold + 1 */
} TfaServiceStats;

/* A capture-level finding. */
typedef struct TfaFindingRow {
    TfaFinding code;
    TfaAddr addr;
    uint16_t port;          /* 0 for host findings */
    guint64 value;          /* the count that crossed the threshold */
    guint64 total;          /* out of */
} TfaFindingRow;

/* One endpoint alive at --at time. */
typedef struct TfaSocketRow {
    TfaAddr local, foreign;
    uint16_t lport, fport;
    uint8_t state;
    bool certain;
    guint64 conn_id;
} TfaSocketRow;

TfaSummary *tfa_summary_new(const TfaOptions *opts, TfaStats *stats);
void tfa_summary_free(TfaSummary *sum);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TfaSummary, tfa_summary_free)

/* The capture's first frame time (for --at +SECONDS); set before any add. */
void tfa_summary_set_start(TfaSummary *sum, TfaTs first_ts);

void tfa_summary_add(TfaSummary *sum, const TfaConnRecord *rec);

/* Hosts sorted by address; *n_other_hosts: hosts beyond the cap. */
GPtrArray *tfa_summary_hosts(const TfaSummary *sum, guint64 *n_other_hosts);

/* Services sorted by address and port; *n_other: beyond the cap. */
GPtrArray *tfa_summary_services(const TfaSummary *sum, guint64 *n_other);

/* The findings, in code order, then by address and port. */
GArray *tfa_summary_findings(const TfaSummary *sum);

/* --at: the endpoints alive then, sorted by local address and port; and the
 * time asked for, resolved (relative times counted from the first frame). */
const GArray *tfa_summary_sockets_at(const TfaSummary *sum);
TfaTs tfa_summary_at(const TfaSummary *sum);

/* --shard and --merge (merge.h): the raw counts behind the findings, so
 * that a merge of shards draws the findings a single run would have. */
typedef struct TfaScanTarget {
    TfaAddr addr;
    uint16_t port;
} TfaScanTarget;

typedef void (*TfaScannerFunc)(const TfaAddr *addr, guint64 attempts, guint64 failed,
                               const TfaScanTarget *targets, guint n_targets, gpointer data);

/* Every tracked client host, in no particular order. */
void tfa_summary_foreach_scanner(const TfaSummary *sum, TfaScannerFunc fn, gpointer data);

/* Fold one shard's rows in: a host's final states are added; a service's
 * counts are added and its half-open sources joined under the cap (so the
 * count is the single run's: distinct sources, at most threshold + 1); a
 * scanner's counts are added and its failed targets joined under the cap. */
void tfa_summary_merge_host(TfaSummary *sum, const TfaAddr *addr,
                            const guint64 states[TFA_TCP_N_STATES]);
void tfa_summary_merge_service(TfaSummary *sum, const TfaServiceStats *svc, guint64 accepted);
void tfa_summary_merge_scanner(TfaSummary *sum, const TfaAddr *addr, guint64 attempts,
                               guint64 failed, const TfaScanTarget *targets, guint n_targets);
void tfa_summary_merge_not_listed(TfaSummary *sum, guint64 hosts, guint64 services);
/* A service's accepted handshakes (SERVICE_REFUSING needs none). */
guint64 tfa_summary_service_accepted(const TfaServiceStats *svc);
