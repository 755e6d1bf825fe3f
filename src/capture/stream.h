/* stream.h - a capture file's bytes, from its first byte, whatever holds them.
 *
 * Our readers (pcapfile.h, pcapng.h) take the bytes with tfa_stream_read(),
 * without stdio; libpcap, or anything else that wants one, can have a FILE
 * positioned at the capture's first byte instead (not both).  A regular
 * file is read as it is.  Anything else is read exactly once, through a
 * stdio cookie for the FILE: a pipe, a FIFO, /dev/stdin or a process substitution
 * (the bytes peeked to learn the format are handed back first, so nothing
 * is consumed twice), and a file compressed with gzip, zstd, xz or lz4,
 * recognised by its magic number as Wireshark does and decompressed on the
 * fly (on stdin too).
 *
 * Owns: TfaStream (the descriptor, the decompressor and its buffers).  The
 * FILE it returns is closed by libpcap's pcap_close() once handed over, else
 * (libpcap refused it, or the pcapng reader read it) by tfa_stream_free();
 * the TfaStream must outlive that FILE and is freed after it.  Not thread-safe: one thread reads it.
 * Memory: two buffers of TFA_STREAM_CHUNK bytes, plus the decompressor's
 * own state (xz is limited to TFA_STREAM_XZ_MEMLIMIT; zstd to a window of
 * 2^TFA_STREAM_ZSTD_WINDOW_LOG bytes).
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define TFA_STREAM_CHUNK (256 * 1024)
#define TFA_STREAM_XZ_MEMLIMIT (UINT64_C(256) * 1024 * 1024)
#define TFA_STREAM_ZSTD_WINDOW_LOG 27

typedef enum TfaCompression {
    TFA_COMPRESSION_NONE = 0,
    TFA_COMPRESSION_GZIP,
    TFA_COMPRESSION_ZSTD,
    TFA_COMPRESSION_XZ,
    TFA_COMPRESSION_LZ4,
} TfaCompression;

typedef struct TfaStream TfaStream;

/* Open @path ("-" is standard input).  @buf (of @buf_len bytes, borrowed,
 * may be NULL) becomes the stdio buffer of the returned FILE.  On failure
 * NULL with *error set: G_FILE_ERROR for the system's errors (
 * G_FILE_ERROR_INTR: a signal came while waiting for the first bytes of a
 * pipe), or a message naming the compression this build cannot read. */
TfaStream *tfa_stream_open(const char *path, char *buf, size_t buf_len, GError **error);

/* The FILE to give libpcap: reads the capture from its first byte. */
FILE *tfa_stream_file(TfaStream *s);

/* Read up to @len bytes of the capture past those read so far, as read(2)
 * does (> 0 bytes, 0 at the end, -1 with errno on an error; a signal
 * marks the stream interrupted, corrupt compressed data sets
 * tfa_stream_error()), bypassing stdio: the classic pcap reader
 * (pcapfile.h) reads its blocks this way.  @stream is a TfaStream (the
 * signature of TfaPcapFileRead).  Not to be mixed with reads of the FILE. */
ssize_t tfa_stream_read(void *stream, void *buf, size_t len);

/* A regular file read as it is (no decompression): offsets are the file's,
 * and its FILE could tell its position. */
bool tfa_stream_plain(const TfaStream *s);

/* libpcap took the FILE: it closes it; tfa_stream_free() no longer does. */
void tfa_stream_handed_over(TfaStream *s);

/* The capture's first four bytes were a classic pcap magic number. */
bool tfa_stream_is_classic_pcap(const TfaStream *s);

/* The capture's first four bytes were a pcapng Section Header Block's type
 * (read by pcapng.c, not libpcap). */
bool tfa_stream_is_pcapng(const TfaStream *s);

/* Whether @n bytes at @m begin with a classic pcap magic number (either
 * byte order, micro- or nanoseconds); pcapng and anything else do not. */
bool tfa_stream_classic_magic(const uint8_t *m, size_t n);

TfaCompression tfa_stream_compression(const TfaStream *s);
const char *tfa_compression_name(TfaCompression c);

/* Bytes taken from the source so far (compressed bytes, for progress). */
guint64 tfa_stream_consumed(const TfaStream *s);

/* A read was interrupted by a signal: the reader should stop, not report
 * damage. */
bool tfa_stream_interrupted(const TfaStream *s);

/* Why the last read failed in the stream itself (corrupt compressed data),
 * or NULL when it did not. */
const char *tfa_stream_error(const TfaStream *s);

/* Free @s; its FILE must already be closed (or never have been made). */
void tfa_stream_free(TfaStream *s);
