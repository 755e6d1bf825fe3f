/* names.c - the tables generated from codes.h, and address formatting. */
#include "config.h"

#include "tcpflow-audit/codes.h"
#include "tcpflow-audit/common.h"

#include <arpa/inet.h>
#include <glib.h>
#include <string.h>

static const char *const tcp_state_names[] = {
#define X(name) #name,
    TFA_TCP_STATE_LIST(X)
#undef X
};

static const char *const severity_names[] = {"info", "notice", "warning", "error"};

static const char *const anomaly_names[] = {
#define X(name, sev, text, args) #name,
    TFA_ANOMALY_LIST(X)
#undef X
};

static const TfaSeverity anomaly_severities[] = {
#define X(name, sev, text, args) TFA_SEV_##sev,
    TFA_ANOMALY_LIST(X)
#undef X
};

static const char *const anomaly_meanings[] = {
#define X(name, sev, text, args) text,
    TFA_ANOMALY_LIST(X)
#undef X
};

/* codes.h's A0() ... A4(): the argument descriptions, and their number */
typedef struct ArgsEntry {
    unsigned n;
    TfaArgDesc arg[TFA_ANOMALY_ARGS_MAX];
} ArgsEntry;
#define ARG(n, u) {#n, TFA_ARG_##u}
#define A0() {0, {{NULL, TFA_ARG_COUNT}}}
#define A1(n0, u0) {1, {ARG(n0, u0)}}
#define A2(n0, u0, n1, u1) {2, {ARG(n0, u0), ARG(n1, u1)}}
#define A3(n0, u0, n1, u1, n2, u2) {3, {ARG(n0, u0), ARG(n1, u1), ARG(n2, u2)}}
#define A4(n0, u0, n1, u1, n2, u2, n3, u3)                                     \
    {4, {ARG(n0, u0), ARG(n1, u1), ARG(n2, u2), ARG(n3, u3)}}
static const ArgsEntry anomaly_args[] = {
#define X(name, sev, text, args) args,
    TFA_ANOMALY_LIST(X)
#undef X
};
#undef A0
#undef A1
#undef A2
#undef A3
#undef A4
#undef ARG
G_STATIC_ASSERT(G_N_ELEMENTS(anomaly_args) == TFA_ANOMALY_N);

static const char *const arg_unit_names[] = {
    "count", "bytes", "seq", "frame", "ns", "tsval", "rst", "bits", "flag", "state",
    "originator", "lost", "copy",
};
G_STATIC_ASSERT(G_N_ELEMENTS(arg_unit_names) == TFA_ARG_UNIT_N);

static const char *const finding_names[] = {
#define X(name, text) #name,
    TFA_FINDING_LIST(X)
#undef X
};

static const char *const diag_names[] = {
#define X(name, text) #name,
    TFA_DIAG_LIST(X)
#undef X
};

static const char *const diag_meanings[] = {
#define X(name, text) text,
    TFA_DIAG_LIST(X)
#undef X
};

#define TEXT_TABLE(list, tbl)                                                  \
    static const char *const tbl[] = {list(TEXT_ENTRY)};
#define TEXT_ENTRY(name, text) text,
TEXT_TABLE(TFA_ORIGINATOR_LIST, originator_names)
TEXT_TABLE(TFA_HANDSHAKE_LIST, handshake_names)
TEXT_TABLE(TFA_CLOSE_LIST, close_names)
TEXT_TABLE(TFA_INITIATOR_LIST, initiator_names)
TEXT_TABLE(TFA_END_LIST, end_names)
TEXT_TABLE(TFA_EVIDENCE_LIST, evidence_names)
TEXT_TABLE(TFA_RST_ACCEPT_LIST, rst_accept_names)
TEXT_TABLE(TFA_VERDICT_LIST, verdict_names)
TEXT_TABLE(TFA_VANTAGE_LIST, vantage_names)
TEXT_TABLE(TFA_FINDING_LIST, finding_meanings)
#undef TEXT_ENTRY
#undef TEXT_TABLE

static const char *const rst_cause_names[] = {
#define X(name, text, code) text,
    TFA_RST_CAUSE_LIST(X)
#undef X
};

/* cause -> its anomaly code, and code -> 1 + its cause (0: no cause's code) */
static const TfaAnomalyCode rst_cause_codes[] = {
#define X(name, text, code) TFA_ANOMALY_##code,
    TFA_RST_CAUSE_LIST(X)
#undef X
};

G_STATIC_ASSERT(TFA_RST_CAUSE_N < 255);
static const unsigned char rst_cause_by_code[TFA_ANOMALY_N] = {
#define X(name, text, code) [TFA_ANOMALY_##code] = 1 + TFA_RST_CAUSE_##name,
    TFA_RST_CAUSE_LIST(X)
#undef X
};

#define LOOKUP(tbl, v) ((unsigned)(v) < G_N_ELEMENTS(tbl) ? tbl[(unsigned)(v)] : "?")

const char *tfa_tcp_state_name(TfaTcpState s)
{
    return LOOKUP(tcp_state_names, s);
}

const char *tfa_severity_name(TfaSeverity s)
{
    return LOOKUP(severity_names, s);
}

const char *tfa_anomaly_name(TfaAnomalyCode c)
{
    return LOOKUP(anomaly_names, c);
}

TfaSeverity tfa_anomaly_severity(TfaAnomalyCode c)
{
    return (unsigned)c < G_N_ELEMENTS(anomaly_severities) ? anomaly_severities[c] : TFA_SEV_ERROR;
}

const char *tfa_anomaly_meaning(TfaAnomalyCode c)
{
    return LOOKUP(anomaly_meanings, c);
}

const char *tfa_diag_name(TfaDiag d)
{
    return LOOKUP(diag_names, d);
}

const char *tfa_diag_meaning(TfaDiag d)
{
    return LOOKUP(diag_meanings, d);
}

const char *tfa_originator_name(TfaOriginator o)
{
    return LOOKUP(originator_names, o);
}

const char *tfa_handshake_name(TfaHandshake h)
{
    return LOOKUP(handshake_names, h);
}

const char *tfa_close_name(TfaCloseKind k)
{
    return LOOKUP(close_names, k);
}

const char *tfa_initiator_name(TfaInitiator i)
{
    return LOOKUP(initiator_names, i);
}

const char *tfa_rst_cause_name(TfaRstCause c)
{
    return LOOKUP(rst_cause_names, c);
}

TfaAnomalyCode tfa_rst_cause_code(TfaRstCause c)
{
    return (unsigned)c < G_N_ELEMENTS(rst_cause_codes) ? rst_cause_codes[c]
                                                       : TFA_ANOMALY_RST_UNKNOWN;
}

int tfa_rst_cause_of_code(TfaAnomalyCode code)
{
    return (unsigned)code < G_N_ELEMENTS(rst_cause_by_code) ? (int)rst_cause_by_code[code] - 1 : -1;
}

const char *tfa_end_name(TfaEndReason e)
{
    return LOOKUP(end_names, e);
}

const char *tfa_evidence_name(TfaEvidence e)
{
    return LOOKUP(evidence_names, e);
}

const char *tfa_rst_accept_name(TfaRstAccept a)
{
    return LOOKUP(rst_accept_names, a);
}

const char *tfa_verdict_name(TfaVerdict v)
{
    return LOOKUP(verdict_names, v);
}

const TfaArgDesc *tfa_anomaly_args(TfaAnomalyCode code, unsigned *n)
{
    if ((unsigned)code >= G_N_ELEMENTS(anomaly_args)) {
        *n = 0;
        return NULL;
    }
    *n = anomaly_args[code].n;
    return anomaly_args[code].arg;
}

const char *tfa_arg_unit_name(TfaArgUnit u)
{
    return LOOKUP(arg_unit_names, u);
}

const char *tfa_vantage_name(TfaVantage v)
{
    return LOOKUP(vantage_names, v);
}

const char *tfa_finding_name(TfaFinding f)
{
    return LOOKUP(finding_names, f);
}

const char *tfa_finding_meaning(TfaFinding f)
{
    return LOOKUP(finding_meanings, f);
}

int tfa_anomaly_from_name(const char *name)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(anomaly_names); i++) {
        if (g_ascii_strcasecmp(name, anomaly_names[i]) == 0)
            return (int)i;
    }
    return -1;
}

int tfa_severity_from_name(const char *name)
{
    for (unsigned i = 0; i < G_N_ELEMENTS(severity_names); i++) {
        if (g_ascii_strcasecmp(name, severity_names[i]) == 0)
            return (int)i;
    }
    return -1;
}

const char *tfa_addr_to_string(const TfaAddr *a, char *buf, size_t len)
{
    if (a->family == 6) {
        if (inet_ntop(AF_INET6, a->bytes, buf, (socklen_t)len) == NULL)
            g_strlcpy(buf, "?", len);
    } else if (a->family == 4) {
        if (inet_ntop(AF_INET, a->bytes, buf, (socklen_t)len) == NULL)
            g_strlcpy(buf, "?", len);
    } else {
        g_strlcpy(buf, "?", len);
    }
    return buf;
}
