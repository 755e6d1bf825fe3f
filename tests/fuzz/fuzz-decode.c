/* fuzz-decode.c - one frame through the decoder.  The first input byte picks
 * the link type; the rest is the frame.  Built as a libFuzzer target with
 * --enable-fuzzing, as a seed replayer otherwise. */
#include "config.h"

#include "tcpflow-audit/decode.h"

#include <pcap/dlt.h>

#include "fuzz-common.h"

static const int linktypes[] = {
    DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL, DLT_LOOP, DLT_RAW, DLT_IPV4, DLT_IPV6,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > UINT32_MAX)
        return 0;
    TfaFrame f = {
        .frame_no = 1,
        .ts = 0,
        .caplen = (uint32_t)(size - 1),
        .wirelen = (uint32_t)(size - 1) + (data[0] & 0x80u ? 100u : 0u), /* sometimes cut */
        .linktype = linktypes[(data[0] & 0x7fu) % G_N_ELEMENTS(linktypes)],
        .bytes = data + 1,
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
    return 0;
}
