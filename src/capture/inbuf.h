/* inbuf.h - the input buffer the capture-file readers parse records from.
 *
 * Owns @own (the bytes read from a stream, grown to hold the largest record
 * asked for); borrows @buf when the whole input is in memory already
 * (@read NULL: nothing is ever copied).  Used by the classic pcap reader
 * (pcapfile.c) and the pcapng reader (pcapng.c), which parse records in
 * place out of buf[pos, len).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Read up to @len bytes into @buf: the count, 0 at the end, -1 (errno) on an
 * error. */
typedef ssize_t (*TfaInRead)(void *ctx, void *buf, size_t len);

typedef struct TfaInBuf {
    TfaInRead read;       /* NULL: every byte is in buf already (memory) */
    void *ctx;
    const uint8_t *buf;   /* bytes read, not all used; == own when reading */
    uint8_t *own;
    size_t cap;           /* bytes of own */
    size_t pos, len;      /* unused bytes are buf[pos, len) */
    bool eof, failed;
    int read_errno;       /* why it failed */
} TfaInBuf;

/* Make @n bytes from pos available when the source has them: the number
 * available (less than @n only at the end or on an error).  Moves what is
 * left to the buffer's start, or grows it, when @n do not fit after pos. */
size_t tfa_inbuf_ensure(TfaInBuf *in, size_t n);
