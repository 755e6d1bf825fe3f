/* readahead.c - a reader thread filling fixed chunks, one consumer taking
 * them in order (see readahead.h).
 *
 * Two queues carry whole chunks, never single frames, so the threads meet
 * once per chunk (about a thousand frames): `full` from the reader to the
 * consumer, `spare` back.  All the chunks exist from the start; a frame
 * too large for one takes a spare chunk's place with a larger one, which is
 * replaced by a regular chunk once read (the only allocations, and rare).
 */
#include "config.h"

#include "readahead.h"

#include "tcpflow-audit/thread.h"

#include <string.h>

/* One result as the reader stored it, followed by what prepare() made of
 * a frame and then its bytes (the frame's, or the error message's), each
 * padded to 8 bytes. */
typedef struct Entry {
    uint32_t size;       /* the whole entry, this header included */
    uint8_t status;      /* TfaCaptureStatus */
    gint error_code;
    GQuark error_domain;
    uint32_t data_len;
    TfaFrame frame;      /* frame.bytes is set when it is taken */
    TfaReadPos pos;
} Entry;

typedef struct Chunk {
    size_t size;         /* bytes of data[] */
    size_t used;         /* written by the reader */
    size_t taken;        /* read by the consumer */
    bool own;            /* a one-off chunk for an oversized frame */
    guint64 data[];      /* 8-byte aligned entries */
} Chunk;

struct TfaReadAhead {
    TfaReadFunc read;
    TfaPrepareFunc prepare;
    size_t prepared_size; /* padded */
    void *ctx;
    GThread *thread;
    GAsyncQueue *full;   /* Chunk*: written, in order */
    GAsyncQueue *spare;  /* Chunk*: free for the reader (or &wake) */
    gint stop;
    /* consumer side */
    Chunk *cur;
    bool finished;       /* a final status was taken */
    TfaCaptureStatus final_status;
};

/* Pushed on `spare` to wake a reader waiting for a chunk when stopping. */
static Chunk wake;

#define ALIGN8(n) (((n) + 7u) & ~(size_t)7u)
#define ENTRY_HEAD ALIGN8(sizeof(Entry))

static Chunk *chunk_new(size_t size, bool own)
{
    Chunk *c = g_malloc(sizeof(Chunk) + size);
    c->size = size;
    c->used = c->taken = 0;
    c->own = own;
    return c;
}

static bool is_final(TfaCaptureStatus st)
{
    return st != TFA_CAPTURE_FRAME && st != TFA_CAPTURE_DAMAGED;
}

/* An empty spare chunk, or NULL when the consumer is gone
 * (tfa_readahead_free). */
static Chunk *reader_chunk(TfaReadAhead *ra)
{
    Chunk *c = g_async_queue_pop(ra->spare);
    if (c == &wake)
        return NULL;
    c->used = c->taken = 0;
    return c;
}

static gpointer reader_main(gpointer data)
{
    TfaReadAhead *ra = data;
    Chunk *c = reader_chunk(ra);

    while (c != NULL) {
        TfaFrame frame = {0};
        TfaReadPos pos = {0};
        GError *error = NULL;
        TfaCaptureStatus st = g_atomic_int_get(&ra->stop)
                                  ? TFA_CAPTURE_BREAK
                                  : ra->read(ra->ctx, &frame, &pos, &error);
        const void *bytes = NULL;
        size_t len = 0;
        if (st == TFA_CAPTURE_FRAME) {
            bytes = frame.bytes;
            len = frame.caplen;
        } else if (error != NULL) {
            bytes = error->message;
            len = strlen(error->message);
        }
        size_t need = ENTRY_HEAD + ra->prepared_size + ALIGN8(len);
        if (c->used + need > c->size) {
            if (c->used > 0) {
                g_async_queue_push(ra->full, c);
                c = reader_chunk(ra);
                if (c == NULL) {
                    g_clear_error(&error);
                    break;
                }
            }
            if (need > c->size) {
                /* an oversized frame takes this chunk's place, so there
                 * are never more than TFA_READAHEAD_CHUNKS chunks */
                g_free(c);
                c = chunk_new(need, true);
            }
        }
        Entry *e = (Entry *)((uint8_t *)c->data + c->used);
        e->size = (uint32_t)need;
        e->status = (uint8_t)st;
        e->error_code = error != NULL ? error->code : 0;
        e->error_domain = error != NULL ? error->domain : 0;
        e->data_len = (uint32_t)len;
        e->frame = frame;
        e->frame.bytes = NULL;
        e->pos = pos;
        uint8_t *prepared = (uint8_t *)e + ENTRY_HEAD;
        uint8_t *copy = prepared + ra->prepared_size;
        if (len > 0)
            memcpy(copy, bytes, len);
        if (st == TFA_CAPTURE_FRAME && ra->prepare != NULL) {
            TfaFrame here = frame;
            here.bytes = copy;
            ra->prepare(&here, prepared);
        }
        c->used += need;
        g_clear_error(&error);
        if (is_final(st)) {
            g_async_queue_push(ra->full, c);
            break;
        }
    }
    return NULL;
}

TfaReadAhead *tfa_readahead_new(TfaReadFunc read, TfaPrepareFunc prepare, size_t prepare_size,
                                void *ctx)
{
    TfaReadAhead *ra = g_new0(TfaReadAhead, 1);
    ra->read = read;
    ra->prepare = prepare;
    ra->prepared_size = prepare != NULL ? ALIGN8(prepare_size) : 0;
    ra->ctx = ctx;
    ra->full = g_async_queue_new();
    ra->spare = g_async_queue_new();
    for (guint i = 0; i < TFA_READAHEAD_CHUNKS; i++)
        g_async_queue_push(ra->spare, chunk_new(TFA_READAHEAD_CHUNK_BYTES, false));
    ra->thread = tfa_thread_new("tfa-readahead", reader_main, ra);
    return ra;
}

/* Give a read chunk back; an oversized one is replaced by a regular one. */
static void release(TfaReadAhead *ra, Chunk *c)
{
    if (c->own) {
        g_free(c);
        c = chunk_new(TFA_READAHEAD_CHUNK_BYTES, false);
    }
    g_async_queue_push(ra->spare, c);
}

TfaCaptureStatus tfa_readahead_next(TfaReadAhead *ra, TfaFrame *frame, const void **prepared,
                                    TfaReadPos *pos, GError **error)
{
    *prepared = NULL;
    if (ra->finished)
        return ra->final_status;
    while (ra->cur == NULL || ra->cur->taken >= ra->cur->used) {
        if (ra->cur != NULL)
            release(ra, ra->cur);
        ra->cur = g_async_queue_pop(ra->full);
    }
    Entry *e = (Entry *)((uint8_t *)ra->cur->data + ra->cur->taken);
    const uint8_t *bytes = (const uint8_t *)e + ENTRY_HEAD + ra->prepared_size;
    ra->cur->taken += e->size;
    *pos = e->pos;
    TfaCaptureStatus st = (TfaCaptureStatus)e->status;
    if (st == TFA_CAPTURE_FRAME) {
        *frame = e->frame;
        frame->bytes = bytes;
        if (ra->prepare != NULL)
            *prepared = (const uint8_t *)e + ENTRY_HEAD;
        return st;
    }
    if (e->error_domain != 0)
        g_set_error(error, e->error_domain, e->error_code, "%.*s", (int)e->data_len,
                    (const char *)bytes);
    if (is_final(st)) {
        ra->finished = true;
        ra->final_status = st;
    }
    return st;
}

void tfa_readahead_stop(TfaReadAhead *ra)
{
    g_atomic_int_set(&ra->stop, 1);
}

void tfa_readahead_free(TfaReadAhead *ra)
{
    if (ra == NULL)
        return;
    g_atomic_int_set(&ra->stop, 1);
    g_async_queue_push(ra->spare, &wake);
    g_thread_join(ra->thread);
    if (ra->cur != NULL)
        g_free(ra->cur);
    Chunk *c;
    while ((c = g_async_queue_try_pop(ra->full)) != NULL)
        g_free(c);
    while ((c = g_async_queue_try_pop(ra->spare)) != NULL) {
        if (c != &wake)
            g_free(c);
    }
    g_async_queue_unref(ra->full);
    g_async_queue_unref(ra->spare);
    g_free(ra);
}
