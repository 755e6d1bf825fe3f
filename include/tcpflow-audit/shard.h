/* shard.h - which flow-hash shard (--shard K/N) a TCP segment belongs to.
 *
 * Owns nothing; reads the decoded segment it is given.  The hash is
 * FNV-1a 64 (offset basis 0xcbf29ce484222325, prime 0x100000001b3) over,
 * in this order: the address family (one byte, 4 or 6), then the lower
 * endpoint's 16 address bytes (IPv4 in the first 4, the rest zero) and its
 * port (2 bytes, big-endian), then the higher endpoint's; "lower" is the
 * smaller address, then the smaller port.  Both directions of a connection
 * therefore hash alike.  The shard is (hash mod N) + 1.  Fixed, seedless
 * and computed byte by byte, it is the same on every machine, architecture
 * and version, and does not depend on the connection table's run seed.
 *
 * VLAN IDs are not hashed: conntrack joins a connection whose directions
 * carry different tags (CONN_VLAN_ASYMMETRIC) into one, so both directions
 * must reach the same shard; one 4-tuple seen on several VLANs goes to one
 * shard, where conntrack still keeps a connection per tag.
 *
 * For an ICMP error, the segment is the quoted one (decode.h), so the
 * error goes to the shard of the connection it is about.
 *
 * Hot path: no allocation, a few dozen byte operations.
 */
#pragma once

#include <stdint.h>

#include "tcpflow-audit/common.h"
#include "tcpflow-audit/decode.h"

/* FNV-1a 64 of the canonical 4-tuple (above). */
uint64_t tfa_shard_hash(const TfaAddr *a, uint16_t aport, const TfaAddr *b, uint16_t bport);

/* The shard of @seg among @n: 1..n. */
uint32_t tfa_shard_of(const TfaSegment *seg, uint32_t n);
