/* shard.c - the flow hash of --shard K/N (shard.h). */
#include "config.h"

#include "tcpflow-audit/shard.h"

#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME UINT64_C(0x100000001b3)

static uint64_t fnv_byte(uint64_t h, uint8_t b)
{
    return (h ^ b) * FNV_PRIME;
}

static uint64_t fnv_endpoint(uint64_t h, const TfaAddr *a, uint16_t port)
{
    for (int i = 0; i < 16; i++)
        h = fnv_byte(h, a->bytes[i]);
    h = fnv_byte(h, (uint8_t)(port >> 8));
    return fnv_byte(h, (uint8_t)(port & 0xff));
}

uint64_t tfa_shard_hash(const TfaAddr *a, uint16_t aport, const TfaAddr *b, uint16_t bport)
{
    int c = tfa_addr_cmp(a, b);
    if (c > 0 || (c == 0 && aport > bport)) {
        const TfaAddr *t = a;
        a = b;
        b = t;
        uint16_t p = aport;
        aport = bport;
        bport = p;
    }
    uint64_t h = fnv_byte(FNV_OFFSET, a->family);
    h = fnv_endpoint(h, a, aport);
    return fnv_endpoint(h, b, bport);
}

uint32_t tfa_shard_of(const TfaSegment *seg, uint32_t n)
{
    return (uint32_t)(tfa_shard_hash(&seg->src, seg->sport, &seg->dst, seg->dport) % n) + 1u;
}
