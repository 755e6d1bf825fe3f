/* pcapfile.h - our own reader of classic pcap files (pcap-savefile(5);
 * draft-ietf-opsawg-pcap), parsing records straight out of a buffer.
 *
 * Private to the capture stage.  Reads what libpcap 1.10 reads through
 * pcap_fopen_offline_with_tstamp_precision(..., NANO): either byte order,
 * microsecond (0xa1b2c3d4) and nanosecond (0xa1b23c4d) files, Alexey
 * Kuznetzov's modified format (0xa1b2cd34, 24-byte record headers, the
 * snapshot length of an Ethernet file raised by 14), versions 2.0 to 2.4
 * (caplen and len swapped before 2.3, and at 2.3 when caplen > len) and
 * DG/UX's 543.0, and gives the same result for every record and every
 * damage: the same header fields (seconds sign-extended from 32 bits,
 * microseconds scaled to nanoseconds), a caplen above the snapshot length
 * cut to it (the rest skipped), a caplen above libpcap's maximum for the
 * link type refused, the same error text (libpcap's, word for word) at the
 * same place, and the type and length of each NFLOG TLV of a file of the
 * other byte order put into this host's order.  tests/fuzz/fuzz-pcapfile.c
 * compares the two on any bytes.
 *
 * Two sources: bytes in memory (borrowed; records point into them, no
 * copy), or a read function (stream.c: regular files, pipes, decompressed
 * data), read in blocks of TFA_PCAPFILE_BLOCK bytes into the reader's own
 * buffer, records pointing into that buffer.  A block is read only when
 * the next record is not all there yet, so a pipe's frames come out as
 * they arrive.
 *
 * Owns: the reader and its buffer (TFA_PCAPFILE_BLOCK bytes, larger only
 * for a record that does not fit, at most 128 MiB for libpcap's largest
 * link-type maximum), a scratch copy for byte-swapped NFLOG records.  No
 * allocation per record otherwise.  Not thread-safe: one thread reads.
 */
#pragma once

#include <glib.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define TFA_PCAPFILE_BLOCK (256u * 1024u)
#define TFA_PCAPFILE_HEADER_LEN 24u

typedef struct TfaPcapFile TfaPcapFile;

/* Like read(2): bytes read (> 0), 0 at the end, -1 on an error (errno). */
typedef ssize_t (*TfaPcapFileRead)(void *ctx, void *buf, size_t len);

typedef enum TfaPcapFileStatus {
    TFA_PCAPFILE_PACKET = 0, /* *h and *data filled */
    TFA_PCAPFILE_END,        /* the file ended at a record boundary */
    TFA_PCAPFILE_DAMAGED,    /* see tfa_pcapfile_error(); every later call returns it */
} TfaPcapFileStatus;

/* Read the file header of @len bytes at @data (borrowed for the reader's
 * life).  NULL with *error (G_FILE_ERROR) holding libpcap's message when it
 * is not one ("unknown file format", "truncated dump file; ...", ...). */
TfaPcapFile *tfa_pcapfile_new_memory(const uint8_t *data, size_t len, GError **error);

/* The same, reading through @read (its @ctx borrowed for the reader's life). */
TfaPcapFile *tfa_pcapfile_new_reader(TfaPcapFileRead read, void *ctx, GError **error);

/* DLT_* value of the file's link type (LINKTYPE_* mapped as libpcap maps it). */
int tfa_pcapfile_linktype(const TfaPcapFile *r);

/* The snapshot length libpcap would give the file (pcap_snapshot(3PCAP)). */
int tfa_pcapfile_snapshot(const TfaPcapFile *r);

/* The file's 24 header bytes as they were: what libpcap's filter compiler
 * needs to see the file as a savefile of its own (libpcap compiles some
 * tests differently for one: DLT_NULL's AF_INET6, in either byte order). */
const uint8_t *tfa_pcapfile_header(const TfaPcapFile *r);

/* The next record.  h->ts.tv_usec holds nanoseconds; @data is borrowed
 * until the next call. */
TfaPcapFileStatus tfa_pcapfile_next(TfaPcapFile *r, struct pcap_pkthdr *h, const uint8_t **data);

/* Why reading stopped (after TFA_PCAPFILE_DAMAGED; "" before). */
const char *tfa_pcapfile_error(const TfaPcapFile *r);

/* Bytes of the file taken so far, as libpcap's reads would have taken them
 * (what ftell(3) on its FILE said): after a damaged record, where reading
 * stopped. */
guint64 tfa_pcapfile_offset(const TfaPcapFile *r);

/* Byte offset of the record the last tfa_pcapfile_next() began with (the
 * damaged one after TFA_PCAPFILE_DAMAGED); the header's length before. */
guint64 tfa_pcapfile_record_offset(const TfaPcapFile *r);

void tfa_pcapfile_free(TfaPcapFile *r);
