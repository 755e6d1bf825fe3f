/* fuzz-defrag.c - a run of IP packets through decode, reassembly (a pool of
 * 8 chunks, so that the cap is reached) and IPComp inflation.  Input: records of one
 * control byte (low 6 bits: seconds to advance the clock; 0x40: on VLAN 1;
 * 0x80: the last 8 bytes not captured), a 16-bit big-endian length and that
 * many bytes of IP packet.  Every completed or inflated datagram is decoded
 * again.  The
 * pool's accounting is checked after every packet and after the end.
 * Built as a libFuzzer target with --enable-fuzzing, as a seed replayer
 * otherwise (tests/fuzz/defrag-seeds/). */
#include "config.h"

#include <stdlib.h>

#include "tcpflow-audit/decode.h"
#include "tcpflow-audit/defrag.h"
#include "tcpflow-audit/ipcomp.h"

#include "fuzz-common.h"

#define POOL (8u * TFA_DEFRAG_CHUNK)

static void inflate_and_decode(TfaIpcomp *c, const TfaSegment *seg)
{
    const uint8_t *dg;
    uint32_t len;
    TfaSegment inner;
    TfaDiag why;
    if (seg->comp == NULL || seg->comp_caplen < seg->comp_len ||
        !tfa_ipcomp_inflate(c, seg->comp_ip, seg->comp, seg->comp_len, &dg, &len))
        return;
    if (len > 65535u)
        abort();
    if (tfa_decode_ip(dg, len, len, &inner, &why) == TFA_DECODE_TCP)
        (void)tfa_decode_tcp_checksum_ok(&inner);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    TfaStats stats = {0};
    TfaDefrag *d = tfa_defrag_new(POOL, 30 * TFA_NSEC_PER_SEC, &stats);
    TfaIpcomp *c = tfa_ipcomp_new();
    TfaTs now = 0;
    TfaFrameNo frame = 0;
    size_t at = 0;

    while (at + 3 <= size) {
        uint8_t ctl = data[at];
        uint32_t len = (uint32_t)data[at + 1] << 8 | data[at + 2];
        at += 3;
        if (len > size - at)
            len = (uint32_t)(size - at);
        const uint8_t *pkt = data + at;
        at += len;
        now += (TfaTs)(ctl & 0x3fu) * TFA_NSEC_PER_SEC;
        frame++;
        uint32_t cap = (ctl & 0x80u) && len >= 8 ? len - 8 : len;
        TfaSegment seg;
        TfaDiag why;
        (void)tfa_decode_ip(pkt, cap, len, &seg, &why);
        tfa_defrag_expire(d, now);
        inflate_and_decode(c, &seg);
        if (seg.frag_ip == NULL)
            continue;
        if (seg.frag_caplen > cap || seg.frag_ip < pkt || seg.frag_ip + seg.frag_caplen > pkt + cap)
            abort(); /* decode located bytes that are not there */
        TfaFragment f = {
            .ip = seg.frag_ip,
            .len = seg.frag_len,
            .caplen = seg.frag_caplen,
            .frag_hdr = seg.frag_hdr,
            .vlan = {(ctl & 0x40u) ? 1 : 0, 0},
            .frame_no = frame,
            .ts = now,
        };
        TfaDefragOut out;
        if (tfa_defrag_fragment(d, &f, &out) == TFA_DEFRAG_DONE) {
            if (out.len > TFA_DEFRAG_MAX_HDR + 65535u || out.first_frame > out.last_frame ||
                out.last_frame > frame || out.fragments == 0)
                abort();
            TfaSegment whole;
            if (tfa_decode_ip(out.datagram, out.len, out.len, &whole, &why) == TFA_DECODE_TCP)
                (void)tfa_decode_tcp_checksum_ok(&whole);
            inflate_and_decode(c, &whole);
        }
        if (tfa_defrag_bytes_held(d) > POOL || tfa_defrag_pending(d) > POOL / TFA_DEFRAG_CHUNK)
            abort();
    }
    tfa_defrag_finish(d);
    if (tfa_defrag_pending(d) != 0 || tfa_defrag_bytes_held(d) != 0)
        abort();
    tfa_defrag_free(d);
    tfa_ipcomp_free(c);
    return 0;
}
