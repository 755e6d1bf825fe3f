/* fuzz-decode.c - one frame through the decoder.  The first input byte picks
 * the link type (its low 7 bits index linktypes[], modulo its size; the high
 * bit makes the frame look cut by the snaplen); the rest is the frame.
 * Built as a libFuzzer target with --enable-fuzzing, as a seed replayer
 * otherwise; the replayer also decodes every prefix of a small input, as
 * a snaplen cut there and as a frame that ends there.  Seeds for the link
 * types and tunnels beyond Ethernet: tests/fuzz/seeds-decode/, written by
 * tests/fuzz/decode-seeds.py (which knows the order of linktypes[]). */
#include "config.h"

#include "tcpflow-audit/decode.h"

#include <pcap/dlt.h>
#include <string.h>

#include "fuzz-common.h"

/* append only: the seeds' first bytes index this */
static const int linktypes[] = {
    DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL, DLT_LOOP, DLT_RAW, DLT_IPV4, DLT_IPV6,
    DLT_PPP, DLT_PPP_SERIAL, DLT_C_HDLC, DLT_IPOIB, DLT_NFLOG, DLT_PPI, DLT_IEEE802_11,
    DLT_IEEE802_11_RADIO, DLT_ARCNET, DLT_ARCNET_LINUX, DLT_FDDI, DLT_JUNIPER_ETHER,
    DLT_JUNIPER_PPPOE, DLT_JUNIPER_PPP, DLT_JUNIPER_CHDLC, DLT_PRISM_HEADER,
    DLT_IEEE802_11_RADIO_AVS,
};

/* Prefixes are replayed for inputs up to this size. */
#define PREFIX_REPLAY_MAX 2048

static void decode_one(int linktype, const uint8_t *bytes, uint32_t caplen, uint32_t wirelen)
{
    TfaFrame f = {
        .frame_no = 1,
        .ts = 0,
        .caplen = caplen,
        .wirelen = wirelen,
        .linktype = linktype,
        .bytes = bytes,
    };
    TfaSegment seg;
    TfaDiag why;
    TfaDecodeStatus st = tfa_decode_frame(&f, &seg, &why);
    if (st == TFA_DECODE_TCP) {
        (void)tfa_decode_tcp_checksum_ok(&seg);
    } else if (st == TFA_DECODE_ICMP_ERROR) {
        /* an ICMP error quoting TCP: its tables take any type and code */
        bool hard;
        (void)tfa_icmp_errno(seg.icmp.version, seg.icmp.type, seg.icmp.code, &hard);
        (void)tfa_icmp_describe(seg.icmp.version, seg.icmp.type, seg.icmp.code);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > UINT32_MAX)
        return 0;
    int lt = linktypes[(data[0] & 0x7fu) % G_N_ELEMENTS(linktypes)];
    uint32_t len = (uint32_t)(size - 1);
    decode_one(lt, data + 1, len, len + (data[0] & 0x80u ? 100u : 0u)); /* sometimes cut */
#ifndef TFA_FUZZING
    if (size <= PREFIX_REPLAY_MAX) {
        /* each prefix in a buffer of its own size, so that a sanitizer sees
         * a read past the captured bytes */
        for (uint32_t n = 0; n < len; n++) {
            uint8_t *copy = g_malloc(n > 0 ? n : 1);
            memcpy(copy, data + 1, n);
            decode_one(lt, copy, n, len); /* cut by the snaplen */
            decode_one(lt, copy, n, n);   /* a frame that ends there */
            g_free(copy);
        }
    }
#endif
    return 0;
}
