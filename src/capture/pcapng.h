/* pcapng.h - our own reader of pcapng files (the IETF draft
 * draft-ietf-opsawg-pcapng, "PCAP Next Generation Dump File Format").
 *
 * Private to the capture stage.  libpcap 1.10 refuses a pcapng file whose
 * interfaces differ in link type or snapshot length, and a second section
 * in the other byte order; tshark reads them, and so does this reader:
 * every section has its own byte order and its own interfaces, and every
 * interface its own link type, snapshot length, if_tsresol (10^-n or 2^-n
 * seconds; 10^-6 when absent) and if_tsoffset (seconds added).
 *
 * Reads strictly sequentially from the first byte (no seeking), so it works
 * on the stream abstraction of stream.c (pipes, FIFOs, stdin and
 * decompressed data, read by tfa_stream_read() without stdio), on bytes in
 * memory, and on a FILE.  Blocks are parsed in place: in memory, out of the
 * caller's bytes; otherwise out of the reader's buffer, filled by reads of
 * up to its size, and only when the block at hand is not all there yet (a
 * pipe's packets come out as they arrive).  Blocks read: Section Header (SHB), Interface
 * Description (IDB), Enhanced Packet (EPB), Simple Packet (SPB: interface
 * 0, caplen = min(original length, snaplen of interface 0, block); it has
 * no timestamp, so it takes the time of the packet before it) and the
 * obsolete Packet Block (type 2).  Every other block (statistics, name
 * resolution, decryption secrets, custom, unknown) is skipped by its length
 * without being kept.
 *
 * Checked: block total length (>= 12, a multiple of 4, at most
 * TFA_PCAPNG_MAX_BLOCK, the same in the trailer), each field and option
 * against its block, the interface id of each packet, if_tsresol
 * (10^-0..10^-19, 2^-0..2^-63), at most TFA_PCAPNG_MAX_IFACES interfaces a
 * section.  Anything else is damage: tfa_pcapng_next() returns
 * TFA_PCAPNG_DAMAGED with the reason and the byte offset of the block, and
 * every later call returns it again (the frames before stay read).
 *
 * Timestamps are nanoseconds since the epoch, clamped to [0, 2^62 ns] as the
 * classic pcap path does.  Link types are the file's LINKTYPE_* values
 * mapped to libpcap's DLT_* values (they differ for a few, e.g. RAW).
 *
 * Owns: the reader, its interface table and its read buffer
 * (TFA_PCAPNG_BUFFER bytes, larger for a larger block, at most
 * TFA_PCAPNG_MAX_BLOCK; a block skipped unread is taken in pieces);
 * no allocation per packet.  Borrows: the FILE, the read function's
 * context or the bytes (the caller closes or frees them).
 * Not thread-safe: one thread reads.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "tcpflow-audit/common.h"

#define TFA_PCAPNG_MAX_BLOCK (16u * 1024u * 1024u) /* bytes, whole block */
#define TFA_PCAPNG_MAX_IFACES 4096u                /* interfaces in one section */
#define TFA_PCAPNG_BUFFER (256u * 1024u)           /* bytes read at once */

#define TFA_PCAPNG_BLOCK_SHB 0x0a0d0d0au
#define TFA_PCAPNG_BLOCK_IDB 0x00000001u
#define TFA_PCAPNG_BLOCK_PB 0x00000002u /* obsolete Packet Block */
#define TFA_PCAPNG_BLOCK_SPB 0x00000003u
#define TFA_PCAPNG_BLOCK_EPB 0x00000006u
#define TFA_PCAPNG_BOM 0x1a2b3c4du

typedef struct TfaPcapng TfaPcapng;

typedef enum TfaPcapngStatus {
    TFA_PCAPNG_PACKET = 0, /* *pkt filled */
    TFA_PCAPNG_IFACE,      /* an interface was described: *pkt has its linktype,
                            * snaplen and iface; no data */
    TFA_PCAPNG_END,        /* the file ended at a block boundary */
    TFA_PCAPNG_DAMAGED,    /* see tfa_pcapng_error(), tfa_pcapng_damage_offset() */
} TfaPcapngStatus;

typedef struct TfaPcapngPacket {
    TfaTs ts;             /* ns since the epoch */
    uint32_t caplen;
    uint32_t wirelen;
    uint32_t snaplen;     /* of the interface (0: no limit) */
    int linktype;         /* DLT_* */
    uint32_t iface;       /* interface id within its section */
    uint32_t section;     /* 1-based section number */
    const uint8_t *data;  /* borrowed until the next call */
} TfaPcapngPacket;

/* Whether @n bytes at @m begin like a pcapng file (a Section Header Block). */
bool tfa_pcapng_magic(const uint8_t *m, size_t n);

/* Like read(2): bytes read (> 0), 0 at the end, -1 on an error (errno). */
typedef ssize_t (*TfaPcapngRead)(void *ctx, void *buf, size_t len);

/* Start reading through @read (@ctx borrowed), at the first byte of the
 * file: reads the first Section Header Block.  NULL with *error set when
 * that block is not one (the message says why). */
TfaPcapng *tfa_pcapng_new_reader(TfaPcapngRead read, void *ctx, GError **error);

/* The same over @len bytes at @data (borrowed for the reader's life). */
TfaPcapng *tfa_pcapng_new_memory(const uint8_t *data, size_t len, GError **error);

/* The same over @f (borrowed), positioned at the first byte of the file. */
TfaPcapng *tfa_pcapng_new(FILE *f, GError **error);

/* The next packet or interface. */
TfaPcapngStatus tfa_pcapng_next(TfaPcapng *r, TfaPcapngPacket *pkt);

/* Why reading stopped (valid after TFA_PCAPNG_DAMAGED). */
const char *tfa_pcapng_error(const TfaPcapng *r);

/* Byte offset of the damaged block (after TFA_PCAPNG_DAMAGED). */
guint64 tfa_pcapng_damage_offset(const TfaPcapng *r);

/* Bytes read from the FILE so far. */
guint64 tfa_pcapng_offset(const TfaPcapng *r);

/* DLT_* value of a pcapng/pcap LINKTYPE_* value. */
int tfa_pcapng_linktype_to_dlt(uint32_t linktype);

void tfa_pcapng_free(TfaPcapng *r);
