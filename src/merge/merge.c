/* merge.c - --shard runs' JSON Lines into one run's (merge.h). */
#include "config.h"

#include "tcpflow-audit/merge.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "tcpflow-audit/codes.h"
#include "tcpflow-audit/report.h"

#ifdef HAVE_JSONGLIB
#include <dlfcn.h>
#include <json-glib/json-glib.h>

/* json-glib is opened when --merge runs, not linked: its dependencies (gio,
 * gobject, libmount, ...) would cost every run of the program over a MiB of
 * memory.  The table is filled once, by load_json_glib, before any use; it
 * is the file's only mutable object. */
static struct {
    __typeof__(json_parser_new) *p_json_parser_new;
    __typeof__(json_parser_load_from_data) *p_json_parser_load_from_data;
    __typeof__(json_parser_get_root) *p_json_parser_get_root;
    __typeof__(json_node_get_node_type) *p_json_node_get_node_type;
    __typeof__(json_node_get_object) *p_json_node_get_object;
    __typeof__(json_node_get_array) *p_json_node_get_array;
    __typeof__(json_node_get_value_type) *p_json_node_get_value_type;
    __typeof__(json_node_get_int) *p_json_node_get_int;
    __typeof__(json_node_get_string) *p_json_node_get_string;
    __typeof__(json_node_get_boolean) *p_json_node_get_boolean;
    __typeof__(json_node_equal) *p_json_node_equal;
    __typeof__(json_object_has_member) *p_json_object_has_member;
    __typeof__(json_object_get_member) *p_json_object_get_member;
    __typeof__(json_object_get_members) *p_json_object_get_members;
    __typeof__(json_array_get_length) *p_json_array_get_length;
    __typeof__(json_array_get_element) *p_json_array_get_element;
    __typeof__(g_object_unref) *p_g_object_unref;
} jg;

static const char *const jg_names[] = {
    "json_parser_new",          "json_parser_load_from_data",
    "json_parser_get_root",     "json_node_get_node_type",
    "json_node_get_object",     "json_node_get_array",
    "json_node_get_value_type", "json_node_get_int",
    "json_node_get_string",     "json_node_get_boolean",
    "json_node_equal",          "json_object_has_member",
    "json_object_get_member",   "json_object_get_members",
    "json_array_get_length",    "json_array_get_element",
    "g_object_unref",
};

#define json_parser_new (jg.p_json_parser_new)
#define json_parser_load_from_data (jg.p_json_parser_load_from_data)
#define json_parser_get_root (jg.p_json_parser_get_root)
#define json_node_get_node_type (jg.p_json_node_get_node_type)
#define json_node_get_object (jg.p_json_node_get_object)
#define json_node_get_array (jg.p_json_node_get_array)
#define json_node_get_value_type (jg.p_json_node_get_value_type)
#define json_node_get_int (jg.p_json_node_get_int)
#define json_node_get_string (jg.p_json_node_get_string)
#define json_node_get_boolean (jg.p_json_node_get_boolean)
#define json_node_equal (jg.p_json_node_equal)
#define json_object_has_member (jg.p_json_object_has_member)
#define json_object_get_member (jg.p_json_object_get_member)
#define json_object_get_members (jg.p_json_object_get_members)
#define json_array_get_length (jg.p_json_array_get_length)
#define json_array_get_element (jg.p_json_array_get_element)
#define g_object_unref (jg.p_g_object_unref)

static bool load_json_glib(GError **error)
{
    if (jg.p_json_parser_new != NULL)
        return true;
    void *h = dlopen("libjson-glib-1.0.so.0", RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "--merge needs json-glib (libjson-glib-1.0.so.0): %s", dlerror());
        return false;
    }
    void **slot = (void **)(void *)&jg;
    G_STATIC_ASSERT(sizeof(jg) == G_N_ELEMENTS(jg_names) * sizeof(void *));
    for (size_t i = 0; i < G_N_ELEMENTS(jg_names); i++) {
        void *f = dlsym(h, jg_names[i]);
        if (f == NULL) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                        "--merge needs json-glib: %s not found in it", jg_names[i]);
            memset(&jg, 0, sizeof(jg));
            return false;
        }
        memcpy(&slot[i], &f, sizeof(f));
    }
    return true; /* kept open for the process's life */
}
#endif

/* ---- the shard run's side: the raw counts in its summary ---- */

static void write_addr(TfaJson *j, const char *key, const TfaAddr *a)
{
    char ip[TFA_ADDR_STRLEN];
    tfa_json_string(j, key, tfa_addr_to_string(a, ip, sizeof(ip)));
}

static void write_scanner(const TfaAddr *addr, guint64 attempts, guint64 failed,
                          const TfaScanTarget *targets, guint n, gpointer data)
{
    TfaJson *j = data;
    tfa_json_begin_object(j, NULL);
    write_addr(j, "ip", addr);
    tfa_json_uint(j, "attempts", attempts);
    tfa_json_uint(j, "failed", failed);
    tfa_json_begin_array(j, "targets");
    for (guint i = 0; i < n; i++) {
        tfa_json_begin_object(j, NULL);
        write_addr(j, "ip", &targets[i].addr);
        tfa_json_uint(j, "port", targets[i].port);
        tfa_json_end_object(j);
    }
    tfa_json_end_array(j);
    tfa_json_end_object(j);
}

void tfa_merge_write_shard(TfaJson *j, const TfaOptions *o, const TfaSummary *sum)
{
    tfa_json_begin_object(j, "shard");
    tfa_json_uint(j, "k", o->shard_k);
    tfa_json_uint(j, "n", o->shard_n);
    tfa_json_string(j, "hash", TFA_SHARD_HASH_NAME);
    tfa_json_begin_object(j, "thresholds");
    tfa_json_uint(j, "leak", o->leak_threshold);
    tfa_json_uint(j, "pileup", o->pileup_threshold);
    tfa_json_uint(j, "flood", o->flood_threshold);
    tfa_json_uint(j, "scan", o->scan_threshold);
    tfa_json_uint(j, "refusing", o->refusing_threshold);
    tfa_json_end_object(j);
    guint64 other = 0;
    g_autoptr(GPtrArray) sv = tfa_summary_services(sum, &other);
    tfa_json_begin_array(j, "services");
    for (guint i = 0; i < sv->len; i++) {
        const TfaServiceStats *s = g_ptr_array_index(sv, i);
        tfa_json_begin_object(j, NULL);
        write_addr(j, "ip", &s->addr);
        tfa_json_uint(j, "port", s->port);
        tfa_json_uint(j, "accepted", tfa_summary_service_accepted(s));
        tfa_json_begin_array(j, "half_open_sources");
        for (guint k = 0; s->sources != NULL && k < s->sources->len; k++) {
            char ip[TFA_ADDR_STRLEN];
            tfa_json_string(
                j, NULL,
                tfa_addr_to_string(&g_array_index(s->sources, TfaAddr, k), ip, sizeof(ip)));
        }
        tfa_json_end_array(j);
        tfa_json_end_object(j);
    }
    tfa_json_end_array(j);
    tfa_json_begin_array(j, "scanners");
    tfa_summary_foreach_scanner(sum, write_scanner, j);
    tfa_json_end_array(j);
    tfa_json_end_object(j);
}

/* ---- the merge ---- */

#ifndef HAVE_JSONGLIB
gboolean tfa_merge_run(const TfaOptions *opts, FILE *out, GError **error)
{
    (void)opts;
    (void)out;
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                "--merge needs json-glib, which this build was configured without");
    return FALSE;
}
#else

/* A connection record: where it is, not what it says, so that the merge
 * holds 32 bytes per connection, not the records (which are re-read in id
 * order); only an input that cannot be re-read (a pipe) is held whole. */
typedef struct MergeRec {
    guint64 id;   /* the shard id: the creating frame */
    guint64 off;  /* in its file */
    guint32 len;  /* without the newline */
    guint32 file; /* index in the shards */
    char *line;   /* unseekable input only */
} MergeRec;

typedef struct Shard {
    char *file;
    FILE *f;   /* open until the records are written; NULL: stdin */
    char *raw; /* the summary line as written */
    JsonParser *parser;
    JsonObject *sum; /* borrowed from parser */
    guint k, n;
} Shard;

/* Counted per connection (after the shard check, engine.c): summed.  Every
 * other diagnostic is counted per frame, the same in every shard. */
static bool diag_per_connection(TfaDiag d)
{
    switch (d) {
    case TFA_DIAG_CONN_EVICTED:
    case TFA_DIAG_CONN_ANOMALIES_TRUNCATED:
    case TFA_DIAG_CONN_TIME_WAIT_FORGOTTEN:
    case TFA_DIAG_BUFFER_CAP_HIT:
    case TFA_DIAG_SUMMARY_SCANNERS_NOT_TRACKED:
    case TFA_DIAG_SUMMARY_SOCKETS_NOT_LISTED:
    case TFA_DIAG_CONN_VLAN_ASYMMETRIC:
    case TFA_DIAG_CAPTURE_ACKED_UNSEEN:
    case TFA_DIAG_CAPTURE_ONE_DIRECTION:
    case TFA_DIAG_CONN_GAPS_FORGOTTEN:
    case TFA_DIAG_ICMP_ERROR_TIED:
    case TFA_DIAG_ICMP_ERROR_NO_CONN:
        return true;
    default:
        return false;
    }
}

static void shard_clear(Shard *s)
{
    if (s->f != NULL && s->f != stdin)
        fclose(s->f);
    g_free(s->file);
    g_free(s->raw);
    if (s->parser != NULL)
        g_object_unref(s->parser);
    s->parser = NULL;
}

static gboolean fail(GError **error, const char *file, const char *what)
{
    g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "--merge: %s: %s", file, what);
    return FALSE;
}

static bool parse_uint_at(const char *p, guint64 *out)
{
    char *end = NULL;
    errno = 0;
    guint64 v = g_ascii_strtoull(p, &end, 10);
    if (errno != 0 || end == p)
        return false;
    *out = v;
    return true;
}

static bool parse_addr(const char *s, TfaAddr *a)
{
    memset(a, 0, sizeof(*a));
    if (s == NULL)
        return false;
    if (strchr(s, ':') != NULL) {
        a->family = 6;
        return inet_pton(AF_INET6, s, a->bytes) == 1;
    }
    a->family = 4;
    return inet_pton(AF_INET, s, a->bytes) == 1;
}

/* A top-level time as written ("first_ts":SECONDS.NNNNNNNNN), exactly. */
static bool raw_ts(const char *raw, const char *key, TfaTs *out, bool *present)
{
    g_autofree char *pat = g_strdup_printf("\"%s\":", key);
    const char *p = strstr(raw, pat);
    *present = false;
    if (p == NULL)
        return false;
    p += strlen(pat);
    if (strncmp(p, "null", 4) == 0)
        return true;
    bool neg = *p == '-';
    if (neg)
        p++;
    guint64 secs = 0, ns = 0;
    char *end = NULL;
    secs = g_ascii_strtoull(p, &end, 10);
    if (end == p || *end != '.' || secs > G_MAXINT64 / TFA_NSEC_PER_SEC - 1)
        return false;
    p = end + 1;
    for (int i = 0; i < 9; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        ns = ns * 10 + (guint64)(p[i] - '0');
    }
    TfaTs v = (TfaTs)(secs * TFA_NSEC_PER_SEC + ns);
    *out = neg ? -v : v;
    *present = true;
    return true;
}

/* Typed look-ups: a member of another type (hostile or damaged input) reads
 * as absent, never as a json-glib critical. */
static JsonNode *member(JsonObject *o, const char *key)
{
    return o != NULL && json_object_has_member(o, key) ? json_object_get_member(o, key) : NULL;
}

static bool node_is(JsonNode *n, GType t)
{
    return n != NULL && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == t;
}

static guint64 node_uint(JsonNode *n)
{
    if (!node_is(n, G_TYPE_INT64))
        return 0;
    gint64 v = json_node_get_int(n);
    return v < 0 ? 0 : (guint64)v;
}

static guint64 get_uint(JsonObject *o, const char *key)
{
    return node_uint(member(o, key));
}

static const char *get_str(JsonObject *o, const char *key)
{
    JsonNode *n = member(o, key);
    return node_is(n, G_TYPE_STRING) ? json_node_get_string(n) : NULL;
}

static bool get_bool(JsonObject *o, const char *key)
{
    JsonNode *n = member(o, key);
    return node_is(n, G_TYPE_BOOLEAN) && json_node_get_boolean(n);
}

static JsonObject *get_obj(JsonObject *o, const char *key)
{
    JsonNode *n = member(o, key);
    return n != NULL && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static JsonArray *get_arr(JsonObject *o, const char *key)
{
    JsonNode *n = member(o, key);
    return n != NULL && JSON_NODE_HOLDS_ARRAY(n) ? json_node_get_array(n) : NULL;
}

static guint arr_len(JsonArray *a)
{
    return a != NULL ? json_array_get_length(a) : 0;
}

static JsonObject *arr_obj(JsonArray *a, guint i)
{
    JsonNode *n = i < arr_len(a) ? json_array_get_element(a, i) : NULL;
    return n != NULL && JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
}

static const char *arr_str(JsonArray *a, guint i)
{
    JsonNode *n = i < arr_len(a) ? json_array_get_element(a, i) : NULL;
    return node_is(n, G_TYPE_STRING) ? json_node_get_string(n) : NULL;
}

static void states_of(JsonObject *o, guint64 states[TFA_TCP_N_STATES])
{
    memset(states, 0, sizeof(guint64) * TFA_TCP_N_STATES);
    for (unsigned k = 0; o != NULL && k < TFA_TCP_N_STATES; k++)
        states[k] = get_uint(o, tfa_tcp_state_name((TfaTcpState)k));
}

static gboolean read_file(const char *file, guint32 index, GArray *recs, Shard *sh, GError **error)
{
    FILE *f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
    if (f == NULL)
        return fail(error, file, g_strerror(errno));
    sh->f = f;
    bool seekable = f != stdin && ftello(f) == 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    gboolean ok = TRUE;
    guint64 off = 0, next = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        off = next;
        next += (guint64)n;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue;
        static const char conn_prefix[] = "{\"type\":\"connection\",\"id\":";
        if (strncmp(line, conn_prefix, sizeof(conn_prefix) - 1) == 0) {
            MergeRec r = {0};
            if (!parse_uint_at(line + sizeof(conn_prefix) - 1, &r.id)) {
                ok = fail(error, file, "a connection record without an id");
                break;
            }
            if ((guint64)n > G_MAXUINT32) {
                ok = fail(error, file, "a record longer than 4 GiB");
                break;
            }
            r.off = off;
            r.len = (guint32)n;
            r.file = index;
            if (!seekable)
                r.line = g_strndup(line, (gsize)n);
            g_array_append_val(recs, r);
        } else if (strncmp(line, "{\"type\":\"summary\"", 17) == 0) {
            if (sh->raw != NULL) {
                ok = fail(error, file, "two summary records");
                break;
            }
            sh->raw = g_strndup(line, (gsize)n);
        } else {
            ok = fail(error, file,
                      "not the JSON Lines output of a --shard run (only connection and summary "
                      "records can be merged)");
            break;
        }
    }
    free(line);
    if (ferror(f) && ok)
        ok = fail(error, file, g_strerror(errno));
    if (!ok)
        return FALSE;
    if (sh->raw == NULL)
        return fail(error, file, "no summary record (was the shard run cut short?)");
    sh->parser = json_parser_new();
    GError *perr = NULL;
    if (!json_parser_load_from_data(sh->parser, sh->raw, -1, &perr)) {
        g_autofree char *msg = g_strdup_printf("summary: %s", perr->message);
        g_error_free(perr);
        return fail(error, file, msg);
    }
    JsonNode *root = json_parser_get_root(sh->parser);
    if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root))
        return fail(error, file, "the summary is not a JSON object");
    sh->sum = json_node_get_object(root);
    JsonObject *so = get_obj(sh->sum, "shard");
    if (so == NULL)
        return fail(error, file, "the summary has no \"shard\" object: not a --shard run");
    const char *hash = get_str(so, "hash");
    if (hash == NULL || strcmp(hash, TFA_SHARD_HASH_NAME) != 0)
        return fail(error, file, "a shard of another flow hash");
    guint64 sk = get_uint(so, "k"), sn = get_uint(so, "n");
    if (sk < 1 || sk > sn || sn > 65536)
        return fail(error, file, "bad shard number");
    sh->k = (guint)sk;
    sh->n = (guint)sn;
    return TRUE;
}

static gint rec_cmp(gconstpointer a, gconstpointer b)
{
    const MergeRec *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* The merged id of shard id @old (0: not among the records). */
static guint64 new_id(GArray *recs, guint64 old)
{
    guint lo = 0, hi = recs->len;
    while (lo < hi) {
        guint mid = lo + (hi - lo) / 2;
        guint64 v = g_array_index(recs, MergeRec, mid).id;
        if (v == old)
            return (guint64)mid + 1;
        if (v < old)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

/* Replace the number after @at (a pointer into @line) by @v. */
static void put_id(GString *out, const char *line, const char *at, guint64 v, const char **rest)
{
    g_string_append_len(out, line, at - line);
    g_string_append_printf(out, "%" G_GUINT64_FORMAT, v);
    while (*at >= '0' && *at <= '9')
        at++;
    *rest = at;
}

/* Top-level members that every shard must have alike. */
static const char *const same_members[] = {"schema", "version", "frames", "tcp_segments"};

static gboolean check_same(Shard *sh, guint n, GError **error)
{
    for (guint i = 1; i < n; i++) {
        for (size_t m = 0; m < G_N_ELEMENTS(same_members); m++) {
            JsonNode *a = json_object_get_member(sh[0].sum, same_members[m]);
            JsonNode *b = json_object_get_member(sh[i].sum, same_members[m]);
            if (a == NULL || b == NULL || !json_node_equal(a, b))
                return fail(error, sh[i].file,
                            "its per-frame counts differ from the first shard's: shards of "
                            "different inputs or versions");
        }
        JsonObject *da = get_obj(sh[0].sum, "diagnostics");
        JsonObject *db = get_obj(sh[i].sum, "diagnostics");
        for (unsigned d = 0; d < TFA_DIAG_N; d++) {
            if (diag_per_connection((TfaDiag)d))
                continue;
            const char *name = tfa_diag_name((TfaDiag)d);
            if (get_uint(da, name) != get_uint(db, name))
                return fail(error, sh[i].file,
                            "its per-frame diagnostics differ from the first shard's: shards of "
                            "different inputs or options");
        }
        JsonNode *ia = json_object_get_member(sh[0].sum, "input");
        JsonNode *ib = json_object_get_member(sh[i].sum, "input");
        JsonNode *ta = json_object_get_member(get_obj(sh[0].sum, "shard"), "thresholds");
        JsonNode *tb = json_object_get_member(get_obj(sh[i].sum, "shard"), "thresholds");
        JsonNode *ca = json_object_get_member(sh[0].sum, "caps");
        JsonNode *cb = json_object_get_member(sh[i].sum, "caps");
        if (ia == NULL || ib == NULL || !json_node_equal(ia, ib) || ta == NULL || tb == NULL ||
            !json_node_equal(ta, tb) || ca == NULL || cb == NULL || !json_node_equal(ca, cb))
            return fail(error, sh[i].file,
                        "its input, thresholds or caps differ from the first shard's");
        if (strcmp(sh[0].raw, sh[i].raw) != 0) {
            TfaTs t0 = 0, t1 = 0;
            bool p0, p1;
            if (raw_ts(sh[0].raw, "first_ts", &t0, &p0) !=
                    raw_ts(sh[i].raw, "first_ts", &t1, &p1) ||
                p0 != p1 || t0 != t1)
                return fail(error, sh[i].file, "its capture times differ from the first shard's");
        }
    }
    return TRUE;
}

static void merge_tables(TfaSummary *sum, Shard *sh)
{
    JsonArray *hosts = get_arr(sh->sum, "hosts");
    for (guint i = 0; i < arr_len(hosts); i++) {
        JsonObject *h = arr_obj(hosts, i);
        TfaAddr a;
        guint64 st[TFA_TCP_N_STATES];
        if (!parse_addr(get_str(h, "ip"), &a))
            continue;
        states_of(get_obj(h, "final_states"), st);
        tfa_summary_merge_host(sum, &a, st);
    }
    /* the raw service counts sit beside the table, in the same order */
    JsonArray *svcs = get_arr(sh->sum, "services");
    JsonArray *raw = get_arr(get_obj(sh->sum, "shard"), "services");
    for (guint i = 0; i < arr_len(svcs); i++) {
        JsonObject *s = arr_obj(svcs, i);
        JsonObject *r = arr_obj(raw, i);
        TfaServiceStats in;
        memset(&in, 0, sizeof(in));
        if (!parse_addr(get_str(s, "ip"), &in.addr))
            continue;
        in.port = (uint16_t)get_uint(s, "port");
        in.conns = get_uint(s, "connections");
        states_of(get_obj(s, "server_final_states"), in.states);
        in.refused = get_uint(s, "refused");
        in.half_open = get_uint(s, "half_open");
        JsonArray *src = get_arr(r, "half_open_sources");
        in.sources = g_array_new(FALSE, FALSE, sizeof(TfaAddr));
        for (guint k = 0; k < arr_len(src); k++) {
            TfaAddr a;
            if (parse_addr(arr_str(src, k), &a))
                g_array_append_val(in.sources, a);
        }
        tfa_summary_merge_service(sum, &in, get_uint(r, "accepted"));
        g_array_unref(in.sources);
    }
    tfa_summary_merge_not_listed(sum, get_uint(sh->sum, "hosts_not_listed"),
                                 get_uint(sh->sum, "services_not_listed"));
    JsonArray *scs = get_arr(get_obj(sh->sum, "shard"), "scanners");
    for (guint i = 0; i < arr_len(scs); i++) {
        JsonObject *s = arr_obj(scs, i);
        TfaAddr a;
        if (!parse_addr(get_str(s, "ip"), &a))
            continue;
        JsonArray *ts = get_arr(s, "targets");
        guint nt = arr_len(ts);
        g_autofree TfaScanTarget *t = g_new0(TfaScanTarget, nt + 1);
        guint m = 0;
        for (guint k = 0; k < nt; k++) {
            JsonObject *to = arr_obj(ts, k);
            if (!parse_addr(get_str(to, "ip"), &t[m].addr))
                continue;
            t[m++].port = (uint16_t)get_uint(to, "port");
        }
        tfa_summary_merge_scanner(sum, &a, get_uint(s, "attempts"), get_uint(s, "failed"), t, m);
    }
}

static int diag_from_name(const char *name)
{
    for (unsigned d = 0; d < TFA_DIAG_N; d++)
        if (strcmp(tfa_diag_name((TfaDiag)d), name) == 0)
            return (int)d;
    return -1;
}

gboolean tfa_merge_run(const TfaOptions *opts, FILE *out, GError **error)
{
    if (!load_json_glib(error))
        return FALSE;
    guint nf = opts->files != NULL ? g_strv_length(opts->files) : 0;
    if (nf == 0)
        return fail(error, "(none)", "name the shard runs' JSON Lines files");
    g_autoptr(GArray) recs = g_array_new(FALSE, FALSE, sizeof(MergeRec));
    Shard *sh = g_new0(Shard, nf);
    gboolean ok = TRUE;
    TfaOptions mo;
    tfa_options_init(&mo);
    TfaSummary *sum = NULL;
    g_autoptr(GString) buf = NULL;
    g_autoptr(GString) line = NULL;

    for (guint i = 0; ok && i < nf; i++) {
        sh[i].file = g_strdup(opts->files[i]);
        ok = read_file(opts->files[i], i, recs, &sh[i], error);
    }
    if (ok) {
        guint n = sh[0].n;
        g_autofree bool *seen = g_new0(bool, n + 1);
        for (guint i = 0; ok && i < nf; i++) {
            if (sh[i].n != n)
                ok = fail(error, sh[i].file, "a shard of another N");
            else if (seen[sh[i].k])
                ok = fail(error, sh[i].file, "the same shard twice");
            else
                seen[sh[i].k] = true;
        }
        if (ok && nf != n) {
            g_autofree char *msg =
                g_strdup_printf("%u shard(s) of %u given: every shard 1..%u is needed", nf, n, n);
            ok = fail(error, sh[0].file, msg);
        }
    }
    if (ok)
        ok = check_same(sh, nf, error);
    if (!ok)
        goto done;

    /* the options the shards ran with, as far as the summary says */
    JsonObject *th = get_obj(get_obj(sh[0].sum, "shard"), "thresholds");
    mo.leak_threshold = (guint)get_uint(th, "leak");
    mo.pileup_threshold = (guint)get_uint(th, "pileup");
    mo.flood_threshold = (guint)get_uint(th, "flood");
    mo.scan_threshold = (guint)get_uint(th, "scan");
    mo.refusing_threshold = (guint)get_uint(th, "refusing");
    JsonObject *caps = get_obj(sh[0].sum, "caps");
    mo.max_conns = (guint)get_uint(caps, "max_connections");
    mo.max_anomalies_per_conn = (guint)get_uint(caps, "max_anomalies");
    mo.format = TFA_FORMAT_JSONL;

    TfaStats st;
    memset(&st, 0, sizeof(st));
    st.frames = get_uint(sh[0].sum, "frames");
    st.tcp_segments = get_uint(sh[0].sum, "tcp_segments");
    bool p1 = false, p2 = false;
    (void)raw_ts(sh[0].raw, "first_ts", &st.first_ts, &p1);
    (void)raw_ts(sh[0].raw, "last_ts", &st.last_ts, &p2);
    st.have_ts = p1 && p2;
    TfaRunInfo info = {.opts = &mo, .stats = &st};
    JsonObject *in = get_obj(sh[0].sum, "input");
    info.capture.files_opened = get_uint(in, "files_opened");
    info.capture.files_damaged = get_uint(in, "files_damaged");
    info.capture.have_kernel_stats = member(in, "kernel_drops") != NULL;
    info.capture.kernel_drops = get_uint(in, "kernel_drops");
    info.capture.iface_drops = get_uint(in, "interface_drops");
    info.input_damaged = get_bool(in, "damaged");
    info.interrupted = get_bool(in, "interrupted");

    sum = tfa_summary_new(&mo, &st);
    for (guint i = 0; i < nf; i++) {
        JsonObject *s = sh[i].sum;
        st.conns_total += get_uint(s, "connections");
        st.conns_peak += get_uint(s, "connections_peak");
        info.records += get_uint(s, "records");
        JsonObject *dg = get_obj(s, "diagnostics");
        GList *names = dg != NULL ? json_object_get_members(dg) : NULL;
        for (GList *l = names; l != NULL; l = l->next) {
            int d = diag_from_name(l->data);
            if (d < 0)
                continue;
            if (diag_per_connection((TfaDiag)d))
                st.diag[d] += get_uint(dg, l->data);
            else if (i == 0)
                st.diag[d] = get_uint(dg, l->data);
        }
        g_list_free(names);
        JsonObject *an = get_obj(s, "anomalies");
        names = an != NULL ? json_object_get_members(an) : NULL;
        for (GList *l = names; l != NULL; l = l->next) {
            int a = tfa_anomaly_from_name(l->data);
            if (a >= 0)
                st.anomaly[a] += get_uint(an, l->data);
        }
        g_list_free(names);
        merge_tables(sum, &sh[i]);
    }
    info.summary = sum;

    /* records: by creating frame, renumbered as one run numbers them */
    g_array_sort(recs, rec_cmp);
    for (guint i = 1; i < recs->len; i++) {
        if (g_array_index(recs, MergeRec, i - 1).id == g_array_index(recs, MergeRec, i).id) {
            ok = fail(error, "(shards)", "two connection records with the same id");
            goto done;
        }
    }
    buf = g_string_new(NULL);
    line = g_string_new(NULL);
    for (guint i = 0; i < recs->len; i++) {
        MergeRec *r = &g_array_index(recs, MergeRec, i);
        static const char cont[] = "\"continues\":{\"id\":";
        const char *text = r->line;
        if (text == NULL) {
            FILE *f = sh[r->file].f;
            g_string_set_size(line, r->len);
            if (fseeko(f, (off_t)r->off, SEEK_SET) != 0 ||
                fread(line->str, 1, r->len, f) != r->len ||
                strncmp(line->str, "{\"type\":\"connection\",\"id\":", 26) != 0) {
                ok = fail(error, sh[r->file].file, "changed while it was being merged");
                goto done;
            }
            text = line->str;
        }
        g_string_truncate(buf, 0);
        const char *rest;
        put_id(buf, text, text + 26, i + 1, &rest); /* after {"type":"connection","id": */
        const char *c = strstr(rest, cont);
        if (c != NULL) {
            guint64 old = 0;
            (void)parse_uint_at(c + sizeof(cont) - 1, &old);
            guint64 now = new_id(recs, old);
            put_id(buf, rest, c + sizeof(cont) - 1, now, &rest);
            /* and where an anomaly's detail names it (report/detail.c) */
            g_autofree char *was = g_strdup_printf("continues record %" G_GUINT64_FORMAT " ", old);
            const char *d;
            while ((d = strstr(rest, was)) != NULL)
                put_id(buf, rest, d + 17, now, &rest); /* after "continues record " */
        }
        g_string_append(buf, rest);
        g_string_append_c(buf, '\n');
        if (fwrite(buf->str, 1, buf->len, out) != buf->len) {
            ok = fail(error, "output", g_strerror(errno));
            goto done;
        }
    }
    if (fflush(out) != 0) {
        ok = fail(error, "output", g_strerror(errno));
        goto done;
    }
    TfaReporter *rep = tfa_reporter_new(TFA_FORMAT_JSONL, out, &mo);
    ok = tfa_report_begin(rep, error) && tfa_report_summary(rep, &info, error) &&
         tfa_report_end(rep, error);
    tfa_reporter_free(rep);

done:
    for (guint i = 0; i < recs->len; i++)
        g_free(g_array_index(recs, MergeRec, i).line);
    for (guint i = 0; i < nf; i++)
        shard_clear(&sh[i]);
    g_free(sh);
    tfa_summary_free(sum);
    tfa_options_clear(&mo);
    return ok;
}
#endif
