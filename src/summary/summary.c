/* summary.c - hosts' final states and the --at netstat view. */
#include "config.h"

#include "tcpflow-audit/summary.h"

#include "tcpflow-audit/tcpsm.h"

#include <string.h>

struct TfaSummary {
    const TfaOptions *opts;
    GHashTable *hosts;   /* TfaAddr* (inside the value) -> TfaHostStates* */
    guint64 other_hosts; /* endpoints of hosts beyond the cap */
    GArray *sockets;     /* TfaSocketRow, --at only */
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

TfaSummary *tfa_summary_new(const TfaOptions *opts)
{
    TfaSummary *s = g_new0(TfaSummary, 1);
    s->opts = opts;
    s->hosts = g_hash_table_new_full(addr_hash, addr_equal, NULL, g_free);
    if (opts->at_set)
        s->sockets = g_array_new(FALSE, FALSE, sizeof(TfaSocketRow));
    return s;
}

void tfa_summary_free(TfaSummary *s)
{
    if (s == NULL)
        return;
    g_hash_table_destroy(s->hosts);
    if (s->sockets != NULL)
        g_array_unref(s->sockets);
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

void tfa_summary_add(TfaSummary *s, const TfaConnRecord *rec)
{
    const TfaConn *c = rec->conn;
    for (uint8_t i = 0; i < 2; i++)
        count_host(s, &c->key.addr[i], c->ep[i].state);
    if (s->sockets == NULL)
        return;
    TfaTs at = tfa_summary_at(s);
    if (at < rec->first_ts)
        return;
    for (uint8_t i = 0; i < 2; i++) {
        TfaTcpState st = tfa_tcpsm_state_at(c, i, at);
        if (st == TFA_TCP_CLOSED)
            continue;
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
