/* readahead.h - read capture files one step ahead, on a second thread.
 *
 * Private to the capture stage.  A reader thread calls the capture's own
 * read function and copies each result (a frame, or a damaged-file or end
 * status with its message) into fixed-size chunks; the caller takes them
 * back in the same order with tfa_readahead_next().  Only the reader thread
 * touches the file's reader while the read-ahead runs, so reading the file
 * (system calls, parsing, decoding) overlaps with the analysis of the frames
 * before it; the analysis itself stays on one thread, in frame order, and
 * its output is the same as without the read-ahead.
 *
 * Memory is bounded: TFA_READAHEAD_CHUNKS chunks of TFA_READAHEAD_CHUNK_BYTES
 * (4 MiB in all), plus a one-off chunk for a frame larger than a chunk.
 * Owns: the thread and the chunks.  Borrows: the read function's context,
 * which must outlive tfa_readahead_free().  No allocation per frame.
 */
#pragma once

#include <glib.h>

#include "tcpflow-audit/capture.h"

#define TFA_READAHEAD_CHUNKS 4u
#define TFA_READAHEAD_CHUNK_BYTES (1024u * 1024u)

/* Where reading stood after a result: what the capture's own queries
 * (current name, counters, progress) must answer once the caller has
 * taken that result. */
typedef struct TfaReadPos {
    const char *name;        /* input being read (borrowed, lives as long as the capture) */
    guint64 files_opened;
    guint64 files_damaged;
    guint64 done_bytes;      /* for progress */
} TfaReadPos;

/* Read one result; called on the reader thread.  Fills *pos as it stands
 * after the read.  A status other than FRAME and DAMAGED ends the reading. */
typedef TfaCaptureStatus (*TfaReadFunc)(void *ctx, TfaFrame *frame, TfaReadPos *pos,
                                        GError **error);

/* Work done on the reader thread for each frame once it is in its chunk
 * (frame->bytes points there): fills @out, prepare_size bytes kept with
 * the frame. */
typedef void (*TfaPrepareFunc)(const TfaFrame *frame, void *out);

typedef struct TfaReadAhead TfaReadAhead;

/* Start the reader thread.  @prepare may be NULL. */
TfaReadAhead *tfa_readahead_new(TfaReadFunc read, TfaPrepareFunc prepare, size_t prepare_size,
                                void *ctx);

/* The next result in order.  frame->bytes and *prepared (what @prepare
 * made of a frame, else NULL) stay valid until the next call.  *pos tells
 * where reading stood after it.  Blocks while the reader is behind.  After
 * END, ERROR or BREAK it keeps returning that status. */
TfaCaptureStatus tfa_readahead_next(TfaReadAhead *ra, TfaFrame *frame, const void **prepared,
                                    TfaReadPos *pos, GError **error);

/* Ask the reader to stop at its next result (async-signal-safe). */
void tfa_readahead_stop(TfaReadAhead *ra);

/* Stop the reader, wait for it, free every chunk. */
void tfa_readahead_free(TfaReadAhead *ra);
