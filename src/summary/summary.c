/* summary.c - hosts' final states, services, scanners and the --at netstat
 * view, each table capped (summary.h). */
#include "config.h"

#include "tcpflow-audit/summary.h"

#include "tcpflow-audit/tcpsm.h"

#include <string.h>

/* A client host's failed attempts (refused or unanswered), for scans. */
typedef struct TfaScanner {
    TfaAddr addr;
    guint64 attempts, failed;
    GArray *targets; /* distinct failed (address, port), at most 2 * scan threshold */
} TfaScanner;

typedef TfaScanTarget TfaTarget; /* summary.h */

struct TfaSummary {
    const TfaOptions *opts;
    TfaStats *stats;     /* borrowed: the caps' counters */
    GHashTable *hosts;   /* TfaAddr* (inside the value) -> TfaHostStates* */
    guint64 other_hosts; /* endpoints of hosts beyond the cap */
    GHashTable *services; /* TfaServiceStats* -> itself (keyed by address and port) */
    guint64 other_services;
    GHashTable *scanners; /* TfaAddr* -> TfaScanner* */
    GArray *sockets;     /* TfaSocketRow, --at only */
    GHashTable *listeners; /* --at: TfaServiceStats* (address, port) -> its LISTEN row's index + 1 */
    TfaTs first_ts;      /* of the first record's first frame, for relative --at */
    bool have_first;
};

static guint addr_hash(gconstpointer p)
{
    const TfaAddr *a = p;
    guint h = a->family;
    for (int i = 0; i < 16; i++)
        h = h * 31u + a->bytes[i];
    return h;
}

static gboolean addr_equal(gconstpointer a, gconstpointer b)
{
    return tfa_addr_cmp(a, b) == 0;
}

static guint service_hash(gconstpointer p)
{
    const TfaServiceStats *s = p;
    return addr_hash(&s->addr) * 65599u + s->port;
}

static gboolean service_equal(gconstpointer a, gconstpointer b)
{
    const TfaServiceStats *x = a, *y = b;
    return x->port == y->port && tfa_addr_cmp(&x->addr, &y->addr) == 0;
}

static void service_free(gpointer p)
{
    TfaServiceStats *s = p;
    if (s->sources != NULL)
        g_array_unref(s->sources);
    g_free(s);
}

static void scanner_free(gpointer p)
{
    TfaScanner *s = p;
    if (s->targets != NULL)
        g_array_unref(s->targets);
    g_free(s);
}

TfaSummary *tfa_summary_new(const TfaOptions *opts, TfaStats *stats)
{
    TfaSummary *s = g_new0(TfaSummary, 1);
    s->opts = opts;
    s->stats = stats;
    s->hosts = g_hash_table_new_full(addr_hash, addr_equal, NULL, g_free);
    s->services = g_hash_table_new_full(service_hash, service_equal, NULL, service_free);
    s->scanners = g_hash_table_new_full(addr_hash, addr_equal, NULL, scanner_free);
    if (opts->at_set) {
        s->sockets = g_array_new(FALSE, FALSE, sizeof(TfaSocketRow));
        s->listeners = g_hash_table_new_full(service_hash, service_equal, g_free, NULL);
    }
    return s;
}

void tfa_summary_free(TfaSummary *s)
{
    if (s == NULL)
        return;
    g_hash_table_destroy(s->hosts);
    g_hash_table_destroy(s->services);
    g_hash_table_destroy(s->scanners);
    if (s->sockets != NULL)
        g_array_unref(s->sockets);
    if (s->listeners != NULL)
        g_hash_table_destroy(s->listeners);
    g_free(s);
}

void tfa_summary_set_start(TfaSummary *s, TfaTs first_ts)
{
    s->first_ts = first_ts;
    s->have_first = true;
}

TfaTs tfa_summary_at(const TfaSummary *s)
{
    if (!s->opts->at_relative)
        return s->opts->at;
    return (s->have_first ? s->first_ts : 0) + s->opts->at;
}

static void count_host(TfaSummary *s, const TfaAddr *addr, uint8_t state)
{
    TfaHostStates *h = g_hash_table_lookup(s->hosts, addr);
    if (h == NULL) {
        if (g_hash_table_size(s->hosts) >= TFA_SUMMARY_MAX_HOSTS) {
            s->other_hosts++;
            return;
        }
        h = g_new0(TfaHostStates, 1);
        h->addr = *addr;
        g_hash_table_insert(s->hosts, &h->addr, h);
    }
    h->states[state]++;
}

static void add_unique(GArray **set, const void *item, size_t size, guint cap, guint *count)
{
    if (*set == NULL)
        *set = g_array_new(FALSE, FALSE, (guint)size);
    for (guint i = 0; i < (*set)->len; i++) {
        if (memcmp((*set)->data + i * size, item, size) == 0)
            return;
    }
    if ((*set)->len < cap) {
        g_array_append_vals(*set, item, 1);
        if (count != NULL)
            (*count)++;
    }
}

static bool counted_state(const TfaSummary *s, const TfaConnRecord *rec, uint8_t i, uint8_t *st);

static void count_service(TfaSummary *s, const TfaConnRecord *rec)
{
    const TfaConn *c = rec->conn;
    uint8_t srv = rec->side[TFA_ROLE_SERVER], cli = rec->side[TFA_ROLE_CLIENT];
    TfaServiceStats probe = {.addr = c->key.addr[srv], .port = c->key.port[srv]};
    TfaServiceStats *svc = g_hash_table_lookup(s->services, &probe);
    if (svc == NULL) {
        if (g_hash_table_size(s->services) >= TFA_SUMMARY_MAX_SERVICES) {
            s->other_services++;
            return;
        }
        svc = g_new0(TfaServiceStats, 1);
        svc->addr = probe.addr;
        svc->port = probe.port;
        g_hash_table_add(s->services, svc);
    }
    svc->conns++;
    uint8_t st;
    if (counted_state(s, rec, srv, &st))
        svc->states[st]++;
    TfaHandshake h = (TfaHandshake)c->out.handshake;
    if (h == TFA_HANDSHAKE_REFUSED)
        svc->refused++;
    if (c->out.synack_count > 0)
        svc->accepted++;
    if (h == TFA_HANDSHAKE_SYNACK_UNACKED) {
        svc->half_open++;
        add_unique(&svc->sources, &c->key.addr[cli], sizeof(TfaAddr),
                   s->opts->flood_threshold + 1, &svc->half_open_sources);
    }
}

/* A client that tried to open a connection, and whether it failed. */
static void count_scanner(TfaSummary *s, const TfaConnRecord *rec)
{
    const TfaConn *c = rec->conn;
    TfaHandshake h = (TfaHandshake)c->out.handshake;
    if (h == TFA_HANDSHAKE_NOT_SEEN || h == TFA_HANDSHAKE_SIMULTANEOUS_OPEN)
        return;
    uint8_t srv = rec->side[TFA_ROLE_SERVER], cli = rec->side[TFA_ROLE_CLIENT];
    TfaScanner *sc = g_hash_table_lookup(s->scanners, &c->key.addr[cli]);
    if (sc == NULL) {
        if (g_hash_table_size(s->scanners) >= TFA_SUMMARY_MAX_SCANNERS) {
            tfa_stats_count(s->stats, TFA_DIAG_SUMMARY_SCANNERS_NOT_TRACKED);
            return;
        }
        sc = g_new0(TfaScanner, 1);
        sc->addr = c->key.addr[cli];
        g_hash_table_insert(s->scanners, &sc->addr, sc);
    }
    sc->attempts++;
    if (h == TFA_HANDSHAKE_REFUSED || h == TFA_HANDSHAKE_UNANSWERED) {
        TfaTarget t;
        memset(&t, 0, sizeof(t));
        t.addr = c->key.addr[srv];
        t.port = c->key.port[srv];
        guint n = 0;
        add_unique(&sc->targets, &t, sizeof(t), 2 * s->opts->scan_threshold, &n);
        sc->failed++;
    }
}

/* The diagnostics decided per connection (the gaps the receivers
 * acknowledged unseen, the one-direction connections, the gaps forgotten at
 * the cap) into the capture's totals. */
static void count_capture_quality(TfaSummary *s, const TfaConn *c)
{
    static const TfaDiag per_conn[] = {TFA_DIAG_CAPTURE_ACKED_UNSEEN,
                                       TFA_DIAG_CAPTURE_ONE_DIRECTION,
                                       TFA_DIAG_CONN_GAPS_FORGOTTEN};
    for (size_t k = 0; k < G_N_ELEMENTS(per_conn); k++) {
        uint16_t code = TFA_COUNT_DIAG(per_conn[k]);
        s->stats->diag[per_conn[k]] += tfa_conn_get_count(c, code, 0) +
                                       tfa_conn_get_count(c, code, 1);
    }
}

/* --at: the listener of a service seen accepting (its SYN-ACK answered a
 * SYN from LISTEN), one row however many connections came to it; certain
 * when it accepted at or before that time (a listener seen only later most
 * likely existed then too). */
static void add_listener(TfaSummary *s, const TfaConn *c, uint8_t srv, TfaTs at)
{
    if (!c->ep[srv].passive || c->out.synack_count == 0 || c->out.syn_count == 0)
        return;
    TfaTs accepted = c->out.synack_ts;
    TfaServiceStats probe = {.addr = c->key.addr[srv], .port = c->key.port[srv]};
    guint idx = GPOINTER_TO_UINT(g_hash_table_lookup(s->listeners, &probe));
    if (idx != 0) {
        TfaSocketRow *r = &g_array_index(s->sockets, TfaSocketRow, idx - 1);
        if (accepted <= at && !r->certain) {
            r->certain = true;
            r->conn_id = c->id;
        }
        return;
    }
    if (s->sockets->len >= TFA_SUMMARY_MAX_SOCKETS) {
        tfa_stats_count(s->stats, TFA_DIAG_SUMMARY_SOCKETS_NOT_LISTED);
        return;
    }
    TfaSocketRow row = {
        .local = probe.addr,
        .lport = probe.port,
        .foreign = {.family = probe.addr.family},
        .fport = 0,
        .state = TFA_TCP_LISTEN,
        .certain = accepted <= at,
        .conn_id = c->id,
    };
    g_array_append_val(s->sockets, row);
    g_hash_table_insert(s->listeners, g_memdup2(&probe, sizeof(probe)),
                        GUINT_TO_POINTER(s->sockets->len));
}

/* The state @c's endpoint @i is counted in: its final one, or with --at its
 * state then (a connection not begun by then is not counted). */
static bool counted_state(const TfaSummary *s, const TfaConnRecord *rec, uint8_t i, uint8_t *st)
{
    if (!s->opts->at_set) {
        *st = rec->conn->ep[i].state;
        return true;
    }
    TfaTs at = tfa_summary_at(s);
    if (at < rec->first_ts)
        return false;
    *st = (uint8_t)tfa_tcpsm_state_at(rec->conn, i, at);
    return true;
}

void tfa_summary_add(TfaSummary *s, const TfaConnRecord *rec)
{
    const TfaConn *c = rec->conn;
    count_capture_quality(s, c);
    for (uint8_t i = 0; i < 2; i++) {
        uint8_t st;
        if (counted_state(s, rec, i, &st))
            count_host(s, &c->key.addr[i], st);
    }
    count_service(s, rec);
    count_scanner(s, rec);
    if (s->sockets == NULL)
        return;
    TfaTs at = tfa_summary_at(s);
    uint8_t srv = rec->side[TFA_ROLE_SERVER];
    add_listener(s, c, srv, at);
    if (at < rec->first_ts)
        return;
    for (uint8_t i = 0; i < 2; i++) {
        TfaTcpState st = tfa_tcpsm_state_at(c, i, at);
        if (st == TFA_TCP_CLOSED)
            continue;
        /* the listener has its own row */
        if (st == TFA_TCP_LISTEN && c->ep[i].passive)
            continue;
        if (s->sockets->len >= TFA_SUMMARY_MAX_SOCKETS) {
            tfa_stats_count(s->stats, TFA_DIAG_SUMMARY_SOCKETS_NOT_LISTED);
            continue;
        }
        TfaSocketRow row = {
            .local = c->key.addr[i],
            .lport = c->key.port[i],
            .foreign = c->key.addr[1 - i],
            .fport = c->key.port[1 - i],
            .state = (uint8_t)st,
            .certain = true,
            .conn_id = c->id,
        };
        /* certain when the transition that led to it is */
        const GArray *p = c->ep[i].path;
        for (guint k = 0; p != NULL && k < p->len; k++) {
            const TfaTransition *t = &g_array_index(p, TfaTransition, k);
            if (k > 0 && t->ts > at)
                break;
            row.certain = t->certain;
        }
        g_array_append_val(s->sockets, row);
    }
}

static gint host_cmp(gconstpointer a, gconstpointer b)
{
    const TfaHostStates *x = *(TfaHostStates *const *)a;
    const TfaHostStates *y = *(TfaHostStates *const *)b;
    return tfa_addr_cmp(&x->addr, &y->addr);
}

GPtrArray *tfa_summary_hosts(const TfaSummary *s, guint64 *n_other)
{
    GPtrArray *out = g_ptr_array_sized_new(g_hash_table_size(s->hosts));
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, s->hosts);
    while (g_hash_table_iter_next(&it, NULL, &v))
        g_ptr_array_add(out, v);
    g_ptr_array_sort(out, host_cmp);
    *n_other = s->other_hosts;
    return out;
}

static gint service_cmp(gconstpointer a, gconstpointer b)
{
    const TfaServiceStats *x = *(TfaServiceStats *const *)a;
    const TfaServiceStats *y = *(TfaServiceStats *const *)b;
    int d = tfa_addr_cmp(&x->addr, &y->addr);
    if (d != 0)
        return d;
    return x->port < y->port ? -1 : x->port > y->port;
}

GPtrArray *tfa_summary_services(const TfaSummary *s, guint64 *n_other)
{
    GPtrArray *out = g_ptr_array_sized_new(g_hash_table_size(s->services));
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, s->services);
    while (g_hash_table_iter_next(&it, &k, NULL))
        g_ptr_array_add(out, k);
    g_ptr_array_sort(out, service_cmp);
    *n_other = s->other_services;
    return out;
}

static gint finding_cmp(gconstpointer a, gconstpointer b)
{
    const TfaFindingRow *x = a, *y = b;
    if (x->code != y->code)
        return x->code < y->code ? -1 : 1;
    int d = tfa_addr_cmp(&x->addr, &y->addr);
    if (d != 0)
        return d;
    return x->port < y->port ? -1 : x->port > y->port;
}

static void finding(GArray *out, TfaFinding code, const TfaAddr *addr, uint16_t port,
                    guint64 value, guint64 total)
{
    TfaFindingRow f = {.code = code, .addr = *addr, .port = port, .value = value, .total = total};
    g_array_append_val(out, f);
}

GArray *tfa_summary_findings(const TfaSummary *s)
{
    const TfaOptions *o = s->opts;
    GArray *out = g_array_new(FALSE, FALSE, sizeof(TfaFindingRow));
    GHashTableIter it;
    gpointer k, v;

    g_hash_table_iter_init(&it, s->services);
    while (g_hash_table_iter_next(&it, &k, NULL)) {
        const TfaServiceStats *svc = k;
        if (svc->states[TFA_TCP_CLOSE_WAIT] >= o->leak_threshold)
            finding(out, TFA_FINDING_SERVICE_CLOSE_WAIT_LEAK, &svc->addr, svc->port,
                    svc->states[TFA_TCP_CLOSE_WAIT], svc->conns);
        if (svc->states[TFA_TCP_TIME_WAIT] >= o->pileup_threshold)
            finding(out, TFA_FINDING_SERVICE_TIME_WAIT_PILEUP, &svc->addr, svc->port,
                    svc->states[TFA_TCP_TIME_WAIT], svc->conns);
        if (svc->half_open_sources >= o->flood_threshold)
            finding(out, TFA_FINDING_SERVICE_SYN_FLOOD, &svc->addr, svc->port, svc->half_open,
                    svc->conns);
        if (svc->refused >= o->refusing_threshold && svc->accepted == 0)
            finding(out, TFA_FINDING_SERVICE_REFUSING, &svc->addr, svc->port, svc->refused,
                    svc->conns);
    }
    g_hash_table_iter_init(&it, s->scanners);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        const TfaScanner *sc = v;
        guint targets = sc->targets != NULL ? sc->targets->len : 0;
        /* many distinct ports, and most attempts failed */
        if (targets >= o->scan_threshold && 2 * sc->failed >= sc->attempts)
            finding(out, TFA_FINDING_HOST_PORT_SCAN, &sc->addr, 0, targets, sc->attempts);
    }
    g_array_sort(out, finding_cmp);
    return out;
}

static gint socket_cmp(gconstpointer a, gconstpointer b)
{
    const TfaSocketRow *x = a, *y = b;
    int d = tfa_addr_cmp(&x->local, &y->local);
    if (d != 0)
        return d;
    if (x->lport != y->lport)
        return x->lport < y->lport ? -1 : 1;
    d = tfa_addr_cmp(&x->foreign, &y->foreign);
    if (d != 0)
        return d;
    if (x->fport != y->fport)
        return x->fport < y->fport ? -1 : 1;
    return x->conn_id < y->conn_id ? -1 : x->conn_id > y->conn_id;
}

const GArray *tfa_summary_sockets_at(const TfaSummary *s)
{
    if (s->sockets != NULL)
        g_array_sort(s->sockets, socket_cmp);
    return s->sockets;
}

/* --shard / --merge (summary.h) */

void tfa_summary_foreach_scanner(const TfaSummary *s, TfaScannerFunc fn, gpointer data)
{
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, s->scanners);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        const TfaScanner *sc = v;
        fn(&sc->addr, sc->attempts, sc->failed,
           sc->targets != NULL ? (const TfaScanTarget *)(const void *)sc->targets->data : NULL,
           sc->targets != NULL ? sc->targets->len : 0, data);
    }
}

void tfa_summary_merge_host(TfaSummary *s, const TfaAddr *addr,
                            const guint64 states[TFA_TCP_N_STATES])
{
    TfaHostStates *h = g_hash_table_lookup(s->hosts, addr);
    if (h == NULL) {
        if (g_hash_table_size(s->hosts) >= TFA_SUMMARY_MAX_HOSTS) {
            for (unsigned k = 0; k < TFA_TCP_N_STATES; k++)
                s->other_hosts += states[k];
            return;
        }
        h = g_new0(TfaHostStates, 1);
        h->addr = *addr;
        g_hash_table_insert(s->hosts, &h->addr, h);
    }
    for (unsigned k = 0; k < TFA_TCP_N_STATES; k++)
        h->states[k] += states[k];
}

void tfa_summary_merge_service(TfaSummary *s, const TfaServiceStats *in, guint64 accepted)
{
    TfaServiceStats *svc = g_hash_table_lookup(s->services, in);
    if (svc == NULL) {
        if (g_hash_table_size(s->services) >= TFA_SUMMARY_MAX_SERVICES) {
            s->other_services += in->conns;
            return;
        }
        svc = g_new0(TfaServiceStats, 1);
        svc->addr = in->addr;
        svc->port = in->port;
        g_hash_table_add(s->services, svc);
    }
    svc->conns += in->conns;
    for (unsigned k = 0; k < TFA_TCP_N_STATES; k++)
        svc->states[k] += in->states[k];
    svc->refused += in->refused;
    svc->accepted += accepted;
    svc->half_open += in->half_open;
    for (guint i = 0; in->sources != NULL && i < in->sources->len; i++)
        add_unique(&svc->sources, &g_array_index(in->sources, TfaAddr, i), sizeof(TfaAddr),
                   s->opts->flood_threshold + 1, &svc->half_open_sources);
}

void tfa_summary_merge_scanner(TfaSummary *s, const TfaAddr *addr, guint64 attempts,
                               guint64 failed, const TfaScanTarget *targets, guint n_targets)
{
    TfaScanner *sc = g_hash_table_lookup(s->scanners, addr);
    if (sc == NULL) {
        if (g_hash_table_size(s->scanners) >= TFA_SUMMARY_MAX_SCANNERS)
            return; /* the shard counted SUMMARY_SCANNERS_NOT_TRACKED for its own */
        sc = g_new0(TfaScanner, 1);
        sc->addr = *addr;
        g_hash_table_insert(s->scanners, &sc->addr, sc);
    }
    sc->attempts += attempts;
    sc->failed += failed;
    for (guint i = 0; i < n_targets; i++) {
        TfaTarget t;
        memset(&t, 0, sizeof(t));
        t.addr = targets[i].addr;
        t.port = targets[i].port;
        add_unique(&sc->targets, &t, sizeof(t), 2 * s->opts->scan_threshold, NULL);
    }
}

void tfa_summary_merge_not_listed(TfaSummary *s, guint64 hosts, guint64 services)
{
    s->other_hosts += hosts;
    s->other_services += services;
}

guint64 tfa_summary_service_accepted(const TfaServiceStats *svc)
{
    return svc->accepted;
}
