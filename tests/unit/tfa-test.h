/* tfa-test.h - what every unit test includes: cmocka with its prerequisites
 * in the order it needs them, and builders that make TfaSegment values
 * directly, so tests of later stages need no pcap. */
#pragma once

#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tcpflow-audit/decode.h"

/* An IPv4 address from its four bytes. */
static inline TfaAddr tfa_test_ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    TfaAddr x = {.family = 4};
    x.bytes[0] = a;
    x.bytes[1] = b;
    x.bytes[2] = c;
    x.bytes[3] = d;
    return x;
}

/* A decoded segment src:sport -> dst:dport with the given TCP fields. */
static inline TfaSegment tfa_test_seg(TfaAddr src, uint16_t sport, TfaAddr dst, uint16_t dport,
                                      uint16_t flags, uint32_t seq, uint32_t ack,
                                      uint32_t payload_len, TfaFrameNo frame, TfaTs ts)
{
    TfaSegment s;
    memset(&s, 0, sizeof(s));
    s.src = src;
    s.dst = dst;
    s.ip_version = src.family;
    s.ttl = 64;
    s.sport = sport;
    s.dport = dport;
    s.flags = flags;
    s.seq = seq;
    s.ack = ack;
    s.window = 65535;
    s.th_len = 20;
    s.payload_len = payload_len;
    s.payload_caplen = payload_len;
    s.frame_no = frame;
    s.ts = ts;
    return s;
}
