/* tcp.c - the TCP header (RFC 9293 §3.1) and its options: MSS (RFC 9293
 * §3.7.1), window scale and timestamps (RFC 7323), SACK-permitted and SACK
 * (RFC 2018), TCP Fast Open (RFC 7413), MPTCP (RFC 8684), MD5 (RFC 2385);
 * unknown options skipped by their length. */
#include "config.h"

#include "decode-private.h"

#include <string.h>

#define TCPOPT_EOL 0
#define TCPOPT_NOP 1
#define TCPOPT_MSS 2
#define TCPOPT_WSCALE 3
#define TCPOPT_SACK_PERM 4
#define TCPOPT_SACK 5
#define TCPOPT_TIMESTAMP 8
#define TCPOPT_MD5 19
#define TCPOPT_MPTCP 30
#define TCPOPT_FASTOPEN 34
#define TCPOPT_EXP 254
#define TCPOPT_EXP_TFO_MAGIC 0xf989u

/* Parse @len option bytes.  @cut: the header's option area is longer than
 * what was captured (snaplen), so running out is truncation, not damage. */
static void parse_options(const uint8_t *p, uint32_t len, bool cut, TfaSegment *seg)
{
    TfaTcpOpts *o = &seg->opt;
    uint32_t seen = 0; /* bit per option kind < 32: duplicates are malformed */
    uint32_t i = 0;

    while (i < len) {
        uint8_t kind = p[i];
        if (kind == TCPOPT_EOL)
            return;
        if (kind == TCPOPT_NOP) {
            i++;
            continue;
        }
        if (i + 1 >= len) {
            if (!cut)
                seg->diags |= TFA_DIAG_BIT(DECODE_BAD_OPTION);
            return;
        }
        uint8_t olen = p[i + 1];
        if (olen < 2) {
            seg->diags |= TFA_DIAG_BIT(DECODE_BAD_OPTION);
            return;
        }
        if (i + olen > len) {
            if (!cut)
                seg->diags |= TFA_DIAG_BIT(DECODE_BAD_OPTION);
            return;
        }
        const uint8_t *v = p + i + 2;
        bool ok = true;
        if (kind < 32 && kind != TCPOPT_SACK && (seen & (1u << kind)) != 0)
            ok = false; /* the same option twice */
        if (kind < 32)
            seen |= 1u << kind;
        switch (kind) {
        case TCPOPT_MSS:
            if (olen != 4)
                ok = false;
            else if (ok) {
                o->has_mss = true;
                o->mss = tfa_get_be16(v);
            }
            break;
        case TCPOPT_WSCALE:
            if (olen != 3)
                ok = false;
            else if (ok) {
                o->has_wscale = true;
                o->wscale = v[0];
            }
            break;
        case TCPOPT_SACK_PERM:
            if (olen != 2)
                ok = false;
            else if (ok)
                o->sack_permitted = true;
            break;
        case TCPOPT_SACK:
            if (olen < 10 || (olen - 2) % 8 != 0) {
                ok = false;
            } else if (o->n_sack == 0) {
                unsigned n = (unsigned)(olen - 2) / 8;
                for (unsigned k = 0; k < n && k < TFA_MAX_SACK_BLOCKS; k++) {
                    o->sack[k].left = tfa_get_be32(v + 8 * k);
                    o->sack[k].right = tfa_get_be32(v + 8 * k + 4);
                }
                o->n_sack = (uint8_t)(n < TFA_MAX_SACK_BLOCKS ? n : TFA_MAX_SACK_BLOCKS);
            } else {
                ok = false;
            }
            break;
        case TCPOPT_TIMESTAMP:
            if (olen != 10)
                ok = false;
            else if (ok) {
                o->has_ts = true;
                o->tsval = tfa_get_be32(v);
                o->tsecr = tfa_get_be32(v + 4);
            }
            break;
        case TCPOPT_MD5:
            if (olen != 18)
                ok = false;
            o->has_md5 = true;
            break;
        case TCPOPT_MPTCP:
            if (olen < 3)
                ok = false;
            o->has_mptcp = true;
            break;
        case TCPOPT_FASTOPEN:
            /* empty (cookie request) or a 4..16-byte cookie */
            if (olen != 2 && (olen < 6 || olen > 18))
                ok = false;
            o->has_tfo = true;
            break;
        case TCPOPT_EXP:
            if (olen >= 4 && tfa_get_be16(v) == TCPOPT_EXP_TFO_MAGIC)
                o->has_tfo = true;
            else
                o->n_unknown++;
            break;
        default:
            o->n_unknown++;
            break;
        }
        if (!ok)
            seg->diags |= TFA_DIAG_BIT(DECODE_BAD_OPTION);
        i += olen;
    }
}

bool tfa_decode_flags_illegal(uint16_t flags)
{
    if ((flags & TFA_TH_SYN) && (flags & (TFA_TH_FIN | TFA_TH_RST)))
        return true;
    if ((flags & TFA_TH_RST) && (flags & TFA_TH_FIN))
        return true;
    /* no SYN, ACK, RST nor FIN: a "null" segment no stack sends */
    if ((flags & (TFA_TH_SYN | TFA_TH_ACK | TFA_TH_RST | TFA_TH_FIN)) == 0)
        return true;
    return false;
}

bool tfa_decode_tcp_layer(const TfaIpResult *ip, bool snaplen_cut, TfaSegment *seg, TfaDiag *diag)
{
    const uint8_t *t = ip->l4;

    if (ip->l4_len < 20) {
        *diag = TFA_DIAG_DECODE_BAD_TCP_HEADER;
        return false;
    }
    if (ip->l4_cap < 20) {
        *diag = snaplen_cut ? TFA_DIAG_DECODE_TRUNCATED : TFA_DIAG_DECODE_BAD_TCP_HEADER;
        return false;
    }
    seg->sport = tfa_get_be16(t);
    seg->dport = tfa_get_be16(t + 2);
    seg->seq = tfa_get_be32(t + 4);
    seg->ack = tfa_get_be32(t + 8);
    uint32_t th_len = (uint32_t)(t[12] >> 4) * 4;
    seg->flags = (uint16_t)(((uint16_t)(t[12] & 0x01u) << 8) | t[13]);
    seg->window = tfa_get_be16(t + 14);
    seg->checksum = tfa_get_be16(t + 16);
    seg->urg_ptr = tfa_get_be16(t + 18);
    seg->tcp_hdr = t;

    if (th_len < 20 || th_len > ip->l4_len) {
        *diag = TFA_DIAG_DECODE_BAD_TCP_HEADER;
        return false;
    }
    seg->th_len = (uint8_t)th_len;

    uint32_t opt_cap = (ip->l4_cap < th_len ? ip->l4_cap : th_len) - 20;
    bool opts_cut = ip->l4_cap < th_len;
    if (opts_cut)
        seg->diags |= TFA_DIAG_BIT(DECODE_TRUNCATED);
    parse_options(t + 20, opt_cap, opts_cut, seg);

    seg->payload_len = ip->l4_len - th_len;
    seg->payload_caplen = ip->l4_cap > th_len ? ip->l4_cap - th_len : 0;
    seg->payload = seg->payload_caplen > 0 ? t + th_len : NULL;
    if (seg->payload_caplen < seg->payload_len)
        seg->diags |= TFA_DIAG_BIT(DECODE_TRUNCATED);

    if (tfa_decode_flags_illegal(seg->flags))
        seg->diags |= TFA_DIAG_BIT(DECODE_ILLEGAL_FLAGS);
    return true;
}

static uint32_t sum16(const uint8_t *p, uint32_t len, uint32_t sum)
{
    uint32_t i = 0;
    for (; i + 1 < len; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (i < len)
        sum += (uint32_t)p[i] << 8;
    while (sum >> 16)
        sum = (sum & 0xffffu) + (sum >> 16);
    return sum;
}

bool tfa_decode_tcp_checksum_ok(const TfaSegment *seg)
{
    /* undecided unless the whole segment is here: not cut by the snaplen
     * (header or payload), not a fragment of a larger segment */
    if (seg->tcp_hdr == NULL || seg->payload_caplen < seg->payload_len ||
        (seg->diags & (TFA_DIAG_BIT(DECODE_TRUNCATED) | TFA_DIAG_BIT(DECODE_IP_FRAGMENT))) != 0)
        return true;
    uint32_t tcp_len = seg->th_len + seg->payload_len;
    uint32_t sum = 0;
    unsigned alen = seg->src.family == 6 ? 16 : 4;
    sum = sum16(seg->src.bytes, alen, sum);
    sum = sum16(seg->dst.bytes, alen, sum);
    if (seg->src.family == 6) {
        sum += tcp_len >> 16;
        sum += tcp_len & 0xffffu;
    } else {
        sum += tcp_len & 0xffffu;
    }
    sum += 6; /* protocol */
    sum = sum16(seg->tcp_hdr, tcp_len, sum);
    return (uint16_t)~sum == 0;
}

const char *tfa_decode_flags_string(uint16_t flags, char *buf, size_t len)
{
    static const struct {
        uint16_t bit;
        const char *name;
    } names[] = {
        {TFA_TH_SYN, "SYN"}, {TFA_TH_FIN, "FIN"}, {TFA_TH_RST, "RST"}, {TFA_TH_PSH, "PSH"},
        {TFA_TH_ACK, "ACK"}, {TFA_TH_URG, "URG"}, {TFA_TH_ECE, "ECE"}, {TFA_TH_CWR, "CWR"},
        {TFA_TH_AE, "AE"},
    };
    size_t used = 0;

    if (len == 0)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
        if ((flags & names[i].bit) == 0)
            continue;
        size_t n = strlen(names[i].name);
        size_t sep = used > 0 ? 1 : 0;
        if (used + sep + n + 1 > len)
            break;
        if (sep)
            buf[used++] = '|';
        memcpy(buf + used, names[i].name, n);
        used += n;
        buf[used] = '\0';
    }
    if (flags == 0)
        g_strlcpy(buf, "none", len);
    return buf;
}
