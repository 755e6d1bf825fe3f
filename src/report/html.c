/* html.c - -f html: one self-contained page (HTML5 written as well-formed
 * XML: all CSS, script and SVG inline, no request to the network, the
 * same bytes for the same input).  Nothing is written until the summary:
 * the page needs the whole capture (live too, written at the end).
 *
 * Overview: the capture's time line, one bar per connection from its first
 * to its last frame coloured by verdict with a tick at each anomaly; the
 * verdict and per-code totals; the connections table; the per-service and
 * per-host state tables; the capture-quality diagnostics and the
 * capture-level findings.  A filter (verdict, code, service, endpoint)
 * hides the rows, bars and sections that do not match, with a small
 * inline script (the page reads fine without it).
 *
 * Per connection drawn (each with an anomaly of notice or worse, and every
 * one chosen with --conn; at most --max-details, default 25 with -f html):
 * the facts the text report gives, the time-sequence graph of each
 * direction and the ladder (html-svg.c), the anomaly list with the text
 * report's explanation of each, every entry linked to its mark and back.
 *
 * Caps (stated in the page): TFA_HTML_MAX_LISTED connections in the table
 * and time line, --max-details drawn, and the segments html-collect.c kept
 * for each (TFA_HTML_POINTS_PER_CONN, decimated beyond it).
 *
 * Every string that goes into the page passes through tfa_html_escape().
 */
#include "config.h"

#include "html-private.h"

#include <inttypes.h>
#include <string.h>

#define TL_MARKS 8      /* anomaly ticks per time line bar */
#define TL_W 900.0
#define TL_LEFT 60.0
#define TL_MAXH 2400.0

typedef struct Listed {
    guint64 id;
    TfaTs first, last;
    uint8_t verdict;
    bool drawn;
    uint8_t n_marks;
    TfaTs marks[TL_MARKS];
    char *attrs;  /* the data-* attributes, escaped */
    char *title;  /* the hover text, escaped */
} Listed;

struct TfaHtmlState {
    GString *rows;       /* the connections table */
    GString *sections;   /* the connections drawn */
    GArray *listed;      /* of Listed */
    GTree *services;     /* "ip:port" of the listed connections, for the filter */
    guint64 not_listed;
    guint64 drawn, not_drawn;
    guint64 verdicts[TFA_VERDICT_N];
};

void tfa_html_escape(GString *buf, const char *s)
{
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '&':
            g_string_append(buf, "&amp;");
            break;
        case '<':
            g_string_append(buf, "&lt;");
            break;
        case '>':
            g_string_append(buf, "&gt;");
            break;
        case '"':
            g_string_append(buf, "&quot;");
            break;
        case '\'':
            g_string_append(buf, "&#39;");
            break;
        default:
            if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
                g_string_append_c(buf, *s);
            break;
        }
    }
}

void tfa_html_escapef(GString *buf, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    tfa_html_escape(buf, s);
}

static int svc_cmp(gconstpointer a, gconstpointer b, gpointer data);

static void listed_clear(gpointer p)
{
    Listed *l = p;
    g_free(l->attrs);
    g_free(l->title);
}

static struct TfaHtmlState *state(TfaReporter *rep)
{
    if (rep->html == NULL) {
        struct TfaHtmlState *h = g_new0(struct TfaHtmlState, 1);
        h->rows = g_string_new(NULL);
        h->sections = g_string_new(NULL);
        h->listed = g_array_new(FALSE, TRUE, sizeof(Listed));
        g_array_set_clear_func(h->listed, listed_clear);
        h->services = g_tree_new_full(svc_cmp, NULL, g_free, NULL);
        rep->html = h;
    }
    return rep->html;
}

void tfa_report_html_free(struct TfaHtmlState *h)
{
    if (h == NULL)
        return;
    g_string_free(h->rows, TRUE);
    g_string_free(h->sections, TRUE);
    g_array_unref(h->listed);
    g_tree_destroy(h->services);
    g_free(h);
}

static void endpoint(char *out, size_t len, const char *ip, uint16_t port)
{
    if (strchr(ip, ':') != NULL)
        g_snprintf(out, len, "[%s]:%u", ip, port);
    else
        g_snprintf(out, len, "%s:%u", ip, port);
}

static const char *verdict_class(uint8_t v)
{
    return tfa_verdict_name((TfaVerdict)(v < TFA_VERDICT_N ? v : 0));
}

/* The facts the text report gives about an anomalous connection. */
static void conn_facts(GString *b, const TfaConnRecord *rec, const char *cl, const char *sv)
{
    const TfaConn *c = rec->conn;
    const TfaSideStats *cs = tfa_record_stats(rec, TFA_ROLE_CLIENT);
    const TfaSideStats *ss = tfa_record_stats(rec, TFA_ROLE_SERVER);
    g_string_append(b, "<p>");
    tfa_html_escapef(b,
                     "client %s \u2192 server %s; frames %" PRIu64 "-%" PRIu64 " over %.3f s; "
                     "client sent %" PRIu64 " packets (%" PRIu64 " bytes), server %" PRIu64
                     " (%" PRIu64 " bytes); ended: %s",
                     cl, sv, (uint64_t)rec->first_frame, (uint64_t)rec->last_frame,
                     (double)(rec->last_ts - rec->first_ts) / TFA_NSEC_PER_SEC,
                     (uint64_t)cs->packets, (uint64_t)cs->bytes, (uint64_t)ss->packets,
                     (uint64_t)ss->bytes, tfa_end_name(c->end_reason));
    g_string_append(b, "<br/>");
    char outcome[256];
    tfa_html_escapef(b, "%s", tfa_record_outcome_text(rec, outcome, sizeof(outcome)));
    g_string_append(b, "</p>\n");
    if (c->drops_during)
        g_string_append(b, "<p class=\"warn\">The capture dropped packets while this connection "
                           "was open: its evidence may be incomplete.</p>\n");
    for (int r = 0; r < 2; r++) {
        uint8_t side = rec->side[r];
        const char *role = r == TFA_ROLE_CLIENT ? "client" : "server";
        const char *other = r == TFA_ROLE_CLIENT ? "server" : "client";
        if (tfa_conn_get_count(c, TFA_COUNT_DIAG(TFA_DIAG_CAPTURE_ONE_DIRECTION), side) > 0) {
            g_string_append(b, "<p class=\"warn\">");
            tfa_html_escapef(b, "The capture holds only the %s's segments: the %s's state, "
                                "windows and losses are not known.", role, other);
            g_string_append(b, "</p>\n");
        }
        guint32 missed = tfa_conn_get_count(c, TFA_COUNT_DIAG(TFA_DIAG_CAPTURE_ACKED_UNSEEN), side);
        if (missed > 0) {
            g_string_append(b, "<p class=\"warn\">");
            tfa_html_escapef(b, "The capture missed %u gap(s) of the %s's data that the %s "
                                "acknowledged: capture loss, not network loss.", missed, role,
                             other);
            g_string_append(b, "</p>\n");
        }
    }
}

static void draw_conn(struct TfaHtmlState *h, const TfaConnRecord *rec, const char *attrs,
                      const char *cl, const char *sv)
{
    const TfaConn *c = rec->conn;
    GString *b = h->sections;
    uint64_t id = c->id;
    const char *v = verdict_class(c->out.verdict);
    uint8_t cside = rec->side[TFA_ROLE_CLIENT], sside = rec->side[TFA_ROLE_SERVER];
    char detail[512], rt[32];

    g_string_append_printf(b, "<section class=\"conn\" id=\"conn-%" PRIu64 "\" %s>\n<h2>", id,
                           attrs);
    tfa_html_escapef(b, "Connection %" PRIu64 ": %s \u2192 %s ", id, cl, sv);
    g_string_append_printf(b, "<span class=\"v v-%s\">%s</span></h2>\n", v, v);
    conn_facts(b, rec, cl, sv);
    guint kept = c->ladder != NULL ? c->ladder->len : 0;
    g_string_append_printf(b, "<p class=\"note\">Graphs: %u segments drawn", kept);
    if (c->ladder_dropped > 0)
        g_string_append_printf(b, " of %" PRIu64 " (long transfer decimated to at most %u: every "
                                  "SYN, FIN, RST, zero window and anomaly kept)",
                               (uint64_t)(kept + c->ladder_dropped), TFA_HTML_POINTS_PER_CONN);
    g_string_append(b, ". Hover an element for its absolute values.</p>\n");
    for (int role = 0; role < 2; role++) {
        uint8_t side = role == TFA_ROLE_CLIENT ? cside : sside;
        g_string_append_printf(b, "<h3>%s: time-sequence graph</h3>\n",
                               role == TFA_ROLE_CLIENT ? "Client \u2192 server"
                                                       : "Server \u2192 client");
        tfa_html_svg_tsg(b, rec, side);
        if (tfa_record_stats(rec, (TfaRole)role)->bytes == 0)
            continue;
        g_string_append(b, "<p class=\"note\">Its bytes in flight (highest sequence number sent "
                           "minus the peer's latest ACK) and the round trips of its data (a "
                           "segment to the first ACK covering it, at the capture point, the "
                           "peer's ACK delay included; none across a retransmission), from the "
                           "segments drawn:</p>\n");
        tfa_html_svg_flight_rtt(b, rec, side);
    }

    g_string_append(b, "<h3>Anomalies</h3>\n<ol class=\"anoms\">\n");
    for (guint i = 0; c->anomalies != NULL && i < c->anomalies->len; i++) {
        const TfaAnomaly *a = &g_array_index(c->anomalies, TfaAnomaly, i);
        const char *sev = tfa_severity_name((TfaSeverity)a->severity);
        tfa_html_rel_time(rt, sizeof(rt), a->ts - rec->first_ts);
        g_string_append_printf(b,
                               "<li class=\"anom sev-%s\" id=\"c%" PRIu64 "-l%u\"><a "
                               "href=\"#c%" PRIu64 "-a%u\" title=\"show on the graph\">",
                               sev, id, i, id, i);
        tfa_html_escapef(b, "%s %s", sev, tfa_anomaly_name((TfaAnomalyCode)a->code));
        g_string_append(b, "</a> ");
        tfa_html_escapef(b, "(%s, frame %" PRIu64 ", %s s): %s",
                         tfa_html_anomaly_side(rec, a) == cside ? "client \u2192 server graph"
                                                                : "server \u2192 client graph",
                         (uint64_t)a->frame_no, rt,
                         tfa_report_detail(rec, a, detail, sizeof(detail)));
        g_string_append(b, "</li>\n");
    }
    g_string_append(b, "</ol>\n");
    if (c->anomalies_dropped > 0)
        g_string_append_printf(b, "<p class=\"note\">%u more anomalies not kept "
                                  "(--max-anomalies).</p>\n",
                               c->anomalies_dropped);
    g_string_append(b, "<details class=\"ladder\" open=\"open\"><summary>Ladder: both endpoints' "
                       "states and the segments between them (sequence numbers relative to each "
                       "side's ISN; ? = not confirmed by the endpoint itself)</summary>\n");
    tfa_html_svg_ladder(b, rec);
    g_string_append_printf(b, "</details>\n<p class=\"top\"><a href=\"#overview\">back to the "
                              "overview</a></p>\n</section>\n");
}

static void html_conn(TfaReporter *rep, const TfaConnRecord *rec, GString *buf)
{
    (void)buf; /* the page is written at the end */
    struct TfaHtmlState *h = state(rep);
    const TfaConn *c = rec->conn;
    uint8_t v = c->out.verdict < TFA_VERDICT_N ? c->out.verdict : 0;
    char cl[TFA_ADDR_STRLEN + 16], sv[TFA_ADDR_STRLEN + 16];
    h->verdicts[v]++;

    endpoint(cl, sizeof(cl), rec->ip[TFA_ROLE_CLIENT], rec->port[TFA_ROLE_CLIENT]);
    endpoint(sv, sizeof(sv), rec->ip[TFA_ROLE_SERVER], rec->port[TFA_ROLE_SERVER]);
    bool draw = (rec->worst_severity >= (int)TFA_SEV_NOTICE || rep->opts->conn_ids != NULL);
    if (draw && h->drawn >= rep->opts->max_details) {
        draw = false;
        h->not_drawn++;
    }
    if (!draw && h->listed->len >= TFA_HTML_MAX_LISTED) {
        h->not_listed++;
        return;
    }

    GString *codes = g_string_new(" ");
    for (int code = 0; code < TFA_ANOMALY_N; code++)
        if (rec->code_count[code] > 0)
            g_string_append_printf(codes, "%s ", tfa_anomaly_name((TfaAnomalyCode)code));
    GString *attrs = g_string_new(NULL);
    g_string_append_printf(attrs, "data-conn=\"%" PRIu64 "\" data-v=\"%s\" data-codes=\"",
                           (uint64_t)c->id, verdict_class(v));
    tfa_html_escape(attrs, codes->str);
    g_string_append(attrs, "\" data-svc=\"");
    tfa_html_escape(attrs, sv);
    g_string_append(attrs, "\" data-ep=\"");
    tfa_html_escapef(attrs, "%s %s", cl, sv);
    g_string_append_c(attrs, '"');

    if (draw) {
        h->drawn++;
        draw_conn(h, rec, attrs->str, cl, sv);
    }
    if (h->listed->len < TFA_HTML_MAX_LISTED) {
        char worst[128], states[96];
        g_snprintf(states, sizeof(states), "%s%s/%s%s",
                   tfa_tcp_state_name((TfaTcpState)c->ep[rec->side[TFA_ROLE_CLIENT]].state),
                   tfa_record_state_certain(rec, TFA_ROLE_CLIENT) ? "" : "?",
                   tfa_tcp_state_name((TfaTcpState)c->ep[rec->side[TFA_ROLE_SERVER]].state),
                   tfa_record_state_certain(rec, TFA_ROLE_SERVER) ? "" : "?");
        g_strlcpy(worst, rec->worst_code >= 0 ? tfa_anomaly_name((TfaAnomalyCode)rec->worst_code)
                                              : "-",
                  sizeof(worst));
        g_string_append_printf(h->rows, "<tr class=\"crow\" %s><td>", attrs->str);
        if (draw)
            g_string_append_printf(h->rows, "<a href=\"#conn-%" PRIu64 "\">%" PRIu64 "</a>",
                                   (uint64_t)c->id, (uint64_t)c->id);
        else
            g_string_append_printf(h->rows, "%" PRIu64, (uint64_t)c->id);
        g_string_append_printf(h->rows, "</td><td class=\"v v-%s\">%s</td><td>",
                               verdict_class(v), verdict_class(v));
        tfa_html_escape(h->rows, cl);
        g_string_append(h->rows, "</td><td>");
        tfa_html_escape(h->rows, sv);
        g_string_append(h->rows, "</td><td>");
        tfa_html_escape(h->rows, tfa_handshake_name((TfaHandshake)c->out.handshake));
        g_string_append(h->rows, "</td><td>");
        tfa_html_escape(h->rows, tfa_close_name((TfaCloseKind)c->out.close_kind));
        g_string_append(h->rows, "</td><td>");
        tfa_html_escape(h->rows, states);
        g_string_append(h->rows, "</td><td>");
        tfa_html_escape(h->rows, codes->len > 1 ? codes->str + 1 : worst);
        g_string_append(h->rows, "</td></tr>\n");

        Listed l = {.id = c->id, .first = rec->first_ts, .last = rec->last_ts, .verdict = v,
                    .drawn = draw, .attrs = g_string_free(g_steal_pointer(&attrs), FALSE)};
        for (guint i = 0; c->anomalies != NULL && i < c->anomalies->len && l.n_marks < TL_MARKS;
             i++) {
            TfaTs t = g_array_index(c->anomalies, TfaAnomaly, i).ts;
            if (l.n_marks == 0 || l.marks[l.n_marks - 1] != t)
                l.marks[l.n_marks++] = t;
        }
        GString *title = g_string_new(NULL);
        tfa_html_escapef(title, "connection %" PRIu64 ": %s \u2192 %s, %s; worst: %s",
                         (uint64_t)c->id, cl, sv, verdict_class(v), worst);
        l.title = g_string_free(title, FALSE);
        g_array_append_val(h->listed, l);
        if (g_tree_lookup(h->services, sv) == NULL)
            g_tree_insert(h->services, g_strdup(sv), GINT_TO_POINTER(1));
    }
    if (attrs != NULL)
        g_string_free(attrs, TRUE);
    g_string_free(codes, TRUE);
}

static const char css[] =
    "body{font:14px/1.4 system-ui,sans-serif;color:#111;background:#fff;margin:0 auto;"
    "max-width:1200px;padding:0 16px}\n"
    "h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ccc}"
    "h3{font-size:15px;margin:14px 0 4px}\n"
    "table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ccc;padding:2px 6px;"
    "text-align:left;vertical-align:top}th{background:#f2f2f2}td.n{text-align:right}\n"
    ".v{font-weight:bold}.v-ok{color:#006e50}.v-degraded{color:#9a6500}.v-failed{color:#b34700}\n"
    ".note{color:#444;font-size:13px}.warn{color:#b34700}\n"
    "form.filter{background:#f6f6f6;border:1px solid #ddd;padding:6px 10px;margin:8px 0}"
    "form.filter label{margin-right:14px}\n"
    "svg text{font:11px system-ui,sans-serif;fill:#111}svg .axis{font-size:12px;"
    "text-anchor:middle}svg .tl{text-anchor:middle}svg .yl{text-anchor:end}\n"
    "svg .plot{fill:#fff;stroke:#666}svg .grid{stroke:#e3e3e3}svg .tick{stroke:#666}\n"
    "svg .seg{stroke:#0072B2;stroke-width:2}svg .seg.rx{stroke:#D55E00;stroke-width:3}"
    "svg .seg.ooo{stroke:#E69F00;stroke-width:3;stroke-dasharray:3 1}"
    "svg .seg.probe{stroke:#CC79A7;stroke-width:4}\n"
    "svg .ackl{fill:none;stroke:#009E73;stroke-width:1.5}"
    "svg .win{fill:none;stroke:#56B4E9;stroke-width:1.5;stroke-dasharray:5 3}"
    "svg .sack{stroke:#009E73;stroke-width:3;stroke-opacity:.6}\n"
    "svg .zwin{fill:#CC79A7;fill-opacity:.2;stroke:none}"
    "svg .lost{fill:none;stroke:#000;stroke-width:1.5;stroke-dasharray:2 2}\n"
    "svg .flag path{fill:#111}svg .flag text{font-weight:bold}\n"
    "svg .amark{stroke:#000;stroke-width:1.5;fill-opacity:.7}svg .amark:target{stroke-width:4}\n"
    "svg .flight{fill:none;stroke:#0072B2;stroke-width:1.5}svg .rtt{fill:#E69F00;stroke:#000;"
    "stroke-width:.5}svg .empty{text-anchor:middle;fill:#666}\n"
    "svg .life{stroke:#666;stroke-width:2}svg .arrow{stroke:#0072B2;stroke-width:1.2}"
    "svg .lrow.flagged .arrow{stroke:#D55E00;stroke-width:2}svg .lrow.flagged .lbl{fill:#b34700}"
    "svg .st{font-weight:bold}svg .hd{font-weight:bold}\n"
    "svg .tlbar rect{stroke:#333;stroke-width:.3}svg .tlbar .mk{stroke:#000;stroke-width:1.5}"
    "svg .tl-ok{fill:#009E73}svg .tl-degraded{fill:#E69F00}svg .tl-failed{fill:#D55E00}\n"
    "li.anom:target{background:#fff3c4}.sev-error a{color:#b34700}.sev-warning a{color:#8a5a00}\n"
    "svg{max-width:100%;height:auto}\n"
    "@media print{form.filter,.top{display:none}section.conn{break-before:page}"
    "details.ladder{display:block}body{max-width:none}a{color:#111;text-decoration:none}}\n";

/* No '<' nor '&' in it: the page stays well-formed XML. */
static const char script[] =
    "(function () {\n"
    "  var f = document.getElementById('filter');\n"
    "  var count = document.getElementById('shown');\n"
    "  function match(el, v, c, s, e) {\n"
    "    if (v) { if (el.getAttribute('data-v') !== v) return false; }\n"
    "    if (c) { if (el.getAttribute('data-codes').indexOf(' ' + c + ' ') === -1) "
    "return false; }\n"
    "    if (s) { if (el.getAttribute('data-svc') !== s) return false; }\n"
    "    if (e) { if (el.getAttribute('data-ep').indexOf(e) === -1) return false; }\n"
    "    return true;\n"
    "  }\n"
    "  function apply() {\n"
    "    var v = f.elements.verdict.value, c = f.elements.code.value;\n"
    "    var s = f.elements.service.value, e = f.elements.endpoint.value.trim();\n"
    "    var n = 0;\n"
    "    document.querySelectorAll('[data-conn]').forEach(function (el) {\n"
    "      var ok = match(el, v, c, s, e);\n"
    "      el.style.display = ok ? '' : 'none';\n"
    "      if (ok) { if (el.tagName === 'TR') n++; }\n"
    "    });\n"
    "    count.textContent = String(n);\n"
    "  }\n"
    "  /* a link may preset the filter: #filter:verdict=failed;endpoint=10.0.0.1 */\n"
    "  var h = decodeURIComponent(location.hash || '');\n"
    "  if (h.indexOf('#filter:') === 0) {\n"
    "    h.slice(8).split(';').forEach(function (kv) {\n"
    "      var i = kv.indexOf('=');\n"
    "      if (i > 0) { var el = f.elements[kv.slice(0, i)]; if (el) el.value = kv.slice(i + 1); }\n"
    "    });\n"
    "  }\n"
    "  f.addEventListener('input', apply);\n"
    "  f.addEventListener('change', apply);\n"
    "  f.addEventListener('submit', function (ev) { ev.preventDefault(); });\n"
    "  apply();\n"
    "})();\n";

/* Time line order: by first frame time, then id. */
static gint listed_cmp(gconstpointer pa, gconstpointer pb)
{
    const Listed *a = pa, *b = pb;
    if (a->first != b->first)
        return a->first < b->first ? -1 : 1;
    return a->id < b->id ? -1 : a->id > b->id;
}

static void timeline(GString *b, struct TfaHtmlState *h, const TfaStats *st)
{
    guint n = h->listed->len;
    if (n == 0 || !st->have_ts)
        return;
    g_array_sort(h->listed, listed_cmp);
    TfaTs t0 = st->first_ts, t1 = MAX(st->last_ts, st->first_ts + 1);
    double row = TL_MAXH / n;
    row = row > 12 ? 12 : row < 1 ? 1 : row;
    double top = 8, height = top + n * row + 30, pw = TL_W - TL_LEFT - 16;
    double span = (double)(t1 - t0) / TFA_NSEC_PER_SEC;
    char a[64], rt[32];

    g_string_append_printf(b,
                           "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" "
                           "viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
                           "role=\"img\">",
                           TL_W, height, TL_W, height);
    for (guint i = 0; i < n; i++) {
        const Listed *l = &g_array_index(h->listed, Listed, i);
        double x0 = TL_LEFT + (double)(l->first - t0) / (double)(t1 - t0) * pw;
        double x1 = TL_LEFT + (double)(l->last - t0) / (double)(t1 - t0) * pw;
        double y = top + i * row;
        g_string_append_printf(b, "<g class=\"tlbar\" %s>", l->attrs);
        if (l->drawn)
            g_string_append_printf(b, "<a href=\"#conn-%" PRIu64 "\">", (uint64_t)l->id);
        tfa_html_rel_time(rt, sizeof(rt), l->first - t0);
        g_string_append_printf(b,
                               "<rect class=\"tl-%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                               "height=\"%.1f\"><title>%s; from %s s (%s UTC)</title></rect>",
                               verdict_class(l->verdict), x0, y, MAX(x1 - x0, 2.0),
                               MAX(row - 1, 1.0), l->title, rt,
                               tfa_report_ts_human(l->first, true, a, sizeof(a)));
        for (guint k = 0; k < l->n_marks; k++) {
            double x = TL_LEFT + (double)(l->marks[k] - t0) / (double)(t1 - t0) * pw;
            g_string_append_printf(b,
                                   "<line class=\"mk\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                                   "y2=\"%.1f\"/>",
                                   x, y - 1, x, y + MAX(row - 1, 1.0) + 1);
        }
        if (row >= 10)
            g_string_append_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%" PRIu64
                                      "</text>",
                                   TL_LEFT - 4, y + row - 2, (uint64_t)l->id);
        if (l->drawn)
            g_string_append(b, "</a>");
        g_string_append(b, "</g>");
    }
    double ya = top + n * row + 4;
    g_string_append_printf(b, "<line class=\"tick\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                              "y2=\"%.1f\"/>",
                           TL_LEFT, ya, TL_LEFT + pw, ya);
    for (int k = 0; k <= 4; k++) {
        double x = TL_LEFT + pw * k / 4;
        g_string_append_printf(b, "<text class=\"tl\" x=\"%.1f\" y=\"%.1f\"%s>%.*f</text>", x,
                               ya + 14, k == 4 ? " text-anchor=\"end\"" : "", span >= 40 ? 0 : span >= 4 ? 1 : span >= 0.4 ? 2 :
                                        span >= 0.04 ? 3 : 6,
                               span * k / 4);
    }
    g_string_append_printf(b, "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\">seconds from the "
                              "capture's first frame</text></svg>\n",
                           TL_LEFT + pw / 2, ya + 26);
}

static void th_row(GString *b, const char *const *cols, guint n)
{
    g_string_append(b, "<tr>");
    for (guint i = 0; i < n; i++) {
        g_string_append(b, "<th>");
        tfa_html_escape(b, cols[i]);
        g_string_append(b, "</th>");
    }
    g_string_append(b, "</tr>\n");
}

static void services_table(GString *b, const TfaRunInfo *info)
{
    guint64 other = 0;
    char ep[TFA_ADDR_STRLEN + 16], ip[TFA_ADDR_STRLEN];
    bool used[TFA_TCP_N_STATES] = {false};
    g_autoptr(GPtrArray) sv = tfa_summary_services(info->summary, &other);
    g_string_append(b, "<h2 id=\"services\">Services: server endpoints by state at the end of "
                       "the capture</h2>\n");
    if (sv->len == 0) {
        g_string_append(b, "<p>(none)</p>\n");
        return;
    }
    for (guint i = 0; i < sv->len; i++) {
        const TfaServiceStats *s = g_ptr_array_index(sv, i);
        for (unsigned k = 0; k < TFA_TCP_N_STATES; k++)
            used[k] |= s->states[k] != 0;
    }
    g_string_append(b, "<table><tr><th>service</th><th>conns</th><th>refused</th>"
                       "<th>half-open</th>");
    for (unsigned k = 0; k < TFA_TCP_N_STATES; k++)
        if (used[k]) {
            g_string_append(b, "<th>");
            tfa_html_escape(b, tfa_tcp_state_name((TfaTcpState)k));
            g_string_append(b, "</th>");
        }
    g_string_append(b, "</tr>\n");
    for (guint i = 0; i < sv->len; i++) {
        const TfaServiceStats *s = g_ptr_array_index(sv, i);
        endpoint(ep, sizeof(ep), tfa_addr_to_string(&s->addr, ip, sizeof(ip)), s->port);
        g_string_append(b, "<tr><td>");
        tfa_html_escape(b, ep);
        g_string_append_printf(b, "</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%" PRIu64
                                  "</td><td class=\"n\">%" PRIu64 "</td>",
                               (uint64_t)s->conns, (uint64_t)s->refused, (uint64_t)s->half_open);
        for (unsigned k = 0; k < TFA_TCP_N_STATES; k++)
            if (used[k])
                g_string_append_printf(b, "<td class=\"n\">%" PRIu64 "</td>",
                                       (uint64_t)s->states[k]);
        g_string_append(b, "</tr>\n");
    }
    g_string_append(b, "</table>\n");
    if (other > 0)
        g_string_append_printf(b, "<p class=\"note\">%" PRIu64 " further services not "
                                  "listed.</p>\n",
                               (uint64_t)other);
}

static void hosts_table(GString *b, const TfaRunInfo *info)
{
    guint64 other = 0;
    char ip[TFA_ADDR_STRLEN];
    g_autoptr(GPtrArray) hs = tfa_summary_hosts(info->summary, &other);
    g_string_append(b, "<h2 id=\"hosts\">Hosts: endpoints by state at the end of the capture "
                       "(what netstat would show)</h2>\n");
    if (hs->len == 0) {
        g_string_append(b, "<p>(none)</p>\n");
        return;
    }
    g_string_append(b, "<table><tr><th>host</th><th>endpoints by state</th></tr>\n");
    for (guint i = 0; i < hs->len; i++) {
        const TfaHostStates *hst = g_ptr_array_index(hs, i);
        g_string_append(b, "<tr><td>");
        tfa_html_escape(b, tfa_addr_to_string(&hst->addr, ip, sizeof(ip)));
        g_string_append(b, "</td><td>");
        for (unsigned k = 0; k < TFA_TCP_N_STATES; k++)
            if (hst->states[k] != 0)
                tfa_html_escapef(b, "%s %" PRIu64 " ", tfa_tcp_state_name((TfaTcpState)k),
                                 (uint64_t)hst->states[k]);
        g_string_append(b, "</td></tr>\n");
    }
    g_string_append(b, "</table>\n");
    if (other > 0)
        g_string_append_printf(b, "<p class=\"note\">%" PRIu64 " endpoints of further hosts not "
                                  "listed.</p>\n",
                               (uint64_t)other);
}

static gboolean service_option(gpointer key, gpointer value, gpointer data)
{
    GString *b = data;
    (void)value;
    g_string_append(b, "<option value=\"");
    tfa_html_escape(b, key);
    g_string_append(b, "\">");
    tfa_html_escape(b, key);
    g_string_append(b, "</option>");
    return FALSE;
}

static int svc_cmp(gconstpointer a, gconstpointer b, gpointer data)
{
    (void)data;
    return strcmp(a, b);
}

static void filter_form(GString *b, struct TfaHtmlState *h, const TfaStats *st)
{
    g_string_append(b, "<form class=\"filter\" id=\"filter\"><label>verdict <select "
                       "name=\"verdict\"><option value=\"\">all</option>");
    for (unsigned v = 0; v < TFA_VERDICT_N; v++)
        g_string_append_printf(b, "<option value=\"%s\">%s</option>", verdict_class((uint8_t)v),
                               verdict_class((uint8_t)v));
    g_string_append(b, "</select></label><label>code <select name=\"code\">"
                       "<option value=\"\">all</option>");
    for (unsigned c = 0; c < TFA_ANOMALY_N; c++) {
        if (st->anomaly[c] == 0)
            continue;
        const char *name = tfa_anomaly_name((TfaAnomalyCode)c);
        g_string_append(b, "<option value=\"");
        tfa_html_escape(b, name);
        g_string_append(b, "\">");
        tfa_html_escape(b, name);
        g_string_append(b, "</option>");
    }
    g_string_append(b, "</select></label><label>service <select name=\"service\">"
                       "<option value=\"\">all</option>");
    g_tree_foreach(h->services, service_option, b);
    g_string_append(b, "</select></label><label>endpoint <input type=\"text\" name=\"endpoint\" "
                       "placeholder=\"address or address:port\"/></label>"
                       "<span class=\"note\"><span id=\"shown\">all</span> connections "
                       "shown</span></form>\n");
}

static void html_summary(TfaReporter *rep, const TfaRunInfo *info, GString *b)
{
    struct TfaHtmlState *h = state(rep);
    const TfaStats *st = info->stats;
    char a[64], z[64];

    g_string_append(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
                       "\n<meta name=\"generator\" content=\"tcpflow-audit\"/>\n"
                       "<title>tcpflow-audit report</title>\n<style>\n");
    g_string_append(b, css);
    g_string_append(b, "</style>\n</head>\n<body>\n<h1>tcpflow-audit report</h1>\n<p>");
    if (st->have_ts)
        tfa_html_escapef(b, "Capture %s .. %s UTC; ",
                         tfa_report_ts_human(st->first_ts, true, a, sizeof(a)),
                         tfa_report_ts_human(st->last_ts, true, z, sizeof(z)));
    tfa_html_escapef(b,
                     "%" PRIu64 " frames (%" PRIu64 " TCP segments); %" PRIu64
                     " connections (at most %" PRIu64 " at once), %" PRIu64 " reported: ",
                     (uint64_t)st->frames, (uint64_t)st->tcp_segments, (uint64_t)st->conns_total,
                     (uint64_t)st->conns_peak, (uint64_t)info->records);
    for (unsigned v = 0; v < TFA_VERDICT_N; v++)
        g_string_append_printf(b, "%s<span class=\"v v-%s\">%" PRIu64 " %s</span>",
                               v ? ", " : "", verdict_class((uint8_t)v), (uint64_t)h->verdicts[v],
                               verdict_class((uint8_t)v));
    g_string_append(b, ".</p>\n");
    if (info->input_damaged)
        g_string_append(b, "<p class=\"warn\">Some input could not be read: the report covers "
                           "what was read.</p>\n");
    if (info->interrupted)
        g_string_append(b, "<p class=\"warn\">Interrupted: open connections are reported as "
                           "they were.</p>\n");
    if (info->capture.have_kernel_stats)
        g_string_append_printf(b, "<p>Drops: %" PRIu64 " by the kernel, %" PRIu64
                                  " by the interface.</p>\n",
                               (uint64_t)info->capture.kernel_drops,
                               (uint64_t)info->capture.iface_drops);
    g_string_append(b, "<p class=\"note\">Contents: <a href=\"#overview\">overview</a>, <a "
                       "href=\"#codes\">anomalies by code</a>, <a href=\"#services\">services</a>"
                       ", <a href=\"#hosts\">hosts</a>, <a href=\"#diagnostics\">capture "
                       "quality</a>, <a href=\"#drawn\">connections drawn</a>.</p>\n");

    /* overview */
    g_string_append(b, "<h2 id=\"overview\">Overview: the connections over time</h2>\n"
                       "<p class=\"note\">One bar per connection (in order of its first frame) "
                       "from its first to its last frame, coloured by verdict (green ok, orange degraded, vermillion failed); "
                       "a black tick at each anomaly. Click a drawn connection for its "
                       "graphs.</p>\n");
    filter_form(b, h, st);
    timeline(b, h, st);
    g_string_append(b, "<table class=\"conns\"><tr><th>id</th><th>verdict</th><th>client</th>"
                       "<th>server</th><th>handshake</th><th>close</th><th>final state "
                       "client/server</th><th>anomaly codes</th></tr>\n");
    g_string_append_len(b, h->rows->str, (gssize)h->rows->len);
    g_string_append(b, "</table>\n");
    g_string_append_printf(b, "<p class=\"note\">Limits: at most %u connections listed here",
                           TFA_HTML_MAX_LISTED);
    if (h->not_listed > 0)
        g_string_append_printf(b, " (%" PRIu64 " more not listed)", (uint64_t)h->not_listed);
    g_string_append_printf(b, "; at most %u connections drawn (--max-details)",
                           rep->opts->max_details);
    if (h->not_drawn > 0)
        g_string_append_printf(b, " (%" PRIu64 " more anomalous connections not drawn: "
                                  "--max-details, or --conn ID)",
                               (uint64_t)h->not_drawn);
    g_string_append_printf(b, "; at most %u segments per connection in its graphs (long "
                              "transfers decimated, every anomaly's segment kept) and %u over "
                              "the connections open at once.</p>\n",
                           TFA_HTML_POINTS_PER_CONN, TFA_HTML_POINTS_TOTAL);

    /* totals by code */
    g_string_append(b, "<h2 id=\"codes\">Anomalies by code (all connections, most severe "
                       "first)</h2>\n");
    bool any = false;
    for (int sev = TFA_SEV_N - 1; sev >= 0; sev--) {
        for (unsigned c = 0; c < TFA_ANOMALY_N; c++) {
            if (st->anomaly[c] == 0 || (int)tfa_anomaly_severity((TfaAnomalyCode)c) != sev)
                continue;
            if (!any) {
                static const char *const cols[] = {"severity", "code", "count", "meaning"};
                g_string_append(b, "<table>");
                th_row(b, cols, G_N_ELEMENTS(cols));
            }
            any = true;
            g_string_append_printf(b, "<tr class=\"sev-%s\"><td>%s</td><td>",
                                   tfa_severity_name((TfaSeverity)sev),
                                   tfa_severity_name((TfaSeverity)sev));
            tfa_html_escape(b, tfa_anomaly_name((TfaAnomalyCode)c));
            g_string_append_printf(b, "</td><td class=\"n\">%" PRIu64 "</td><td>",
                                   (uint64_t)st->anomaly[c]);
            tfa_html_escape(b, tfa_anomaly_meaning((TfaAnomalyCode)c));
            g_string_append(b, "</td></tr>\n");
        }
    }
    g_string_append(b, any ? "</table>\n" : "<p>(none)</p>\n");

    if (info->summary != NULL) {
        services_table(b, info);
        hosts_table(b, info);
    }

    g_string_append(b, "<h2 id=\"diagnostics\">Capture quality and packets the tool could not "
                       "use fully</h2>\n<p class=\"note\">Diagnostics describe the capture, "
                       "not the network.</p>\n");
    any = false;
    for (unsigned d = 0; d < TFA_DIAG_N; d++) {
        if (st->diag[d] == 0)
            continue;
        if (!any) {
            static const char *const cols[] = {"diagnostic", "count", "meaning"};
            g_string_append(b, "<table>");
            th_row(b, cols, G_N_ELEMENTS(cols));
        }
        any = true;
        g_string_append(b, "<tr><td>");
        tfa_html_escape(b, tfa_diag_name((TfaDiag)d));
        g_string_append_printf(b, "</td><td class=\"n\">%" PRIu64 "</td><td>",
                               (uint64_t)st->diag[d]);
        tfa_html_escape(b, tfa_diag_meaning((TfaDiag)d));
        g_string_append(b, "</td></tr>\n");
    }
    g_string_append(b, any ? "</table>\n" : "<p>(none)</p>\n");

    if (info->summary != NULL) {
        g_autoptr(GArray) fs = tfa_summary_findings(info->summary);
        char detail[256];
        if (fs->len > 0) {
            g_string_append(b, "<h2 id=\"findings\">Findings over the capture</h2>\n<ul>\n");
            for (guint i = 0; i < fs->len; i++) {
                const TfaFindingRow *f = &g_array_index(fs, TfaFindingRow, i);
                g_string_append(b, "<li><b>");
                tfa_html_escape(b, tfa_finding_name(f->code));
                g_string_append(b, "</b>: ");
                tfa_html_escape(b, tfa_report_finding_detail(f, detail, sizeof(detail)));
                g_string_append(b, "</li>\n");
            }
            g_string_append(b, "</ul>\n");
        }
    }

    g_string_append(b, "<h2 id=\"drawn\">Connections drawn</h2>\n");
    if (h->drawn == 0) {
        g_string_append(b, "<p>No connection with an anomaly of notice or worse (choose "
                           "others with --conn ID).</p>\n");
    } else {
        g_string_append(b, "<p class=\"note\">Time-sequence graphs: sequence number against "
                           "time for each direction, after tcptrace. Legend:</p>\n");
        tfa_html_svg_legend(b);
        g_string_append_len(b, h->sections->str, (gssize)h->sections->len);
    }
    g_string_append(b, "<script>\n");
    g_string_append(b, script);
    g_string_append(b, "</script>\n</body>\n</html>\n");
}

const TfaReporterOps tfa_report_html_ops = {
    .name = "html",
    .conn = html_conn,
    .summary = html_summary,
};
