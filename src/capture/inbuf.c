/* inbuf.c - the capture-file readers' input buffer (inbuf.h). */
#include "config.h"

#include "inbuf.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

size_t tfa_inbuf_ensure(TfaInBuf *in, size_t n)
{
    if (in->len - in->pos >= n || in->read == NULL)
        return MIN(in->len - in->pos, n);
    if (in->pos + n > in->cap) {
        /* the record runs past the buffer: move what is left to its start
         * (at most one record), and grow the buffer if it cannot hold it */
        size_t left = in->len - in->pos;
        if (n > in->cap) {
            size_t cap = in->cap;
            while (cap < n)
                cap *= 2;
            uint8_t *bigger = g_malloc(cap);
            memcpy(bigger, in->own + in->pos, left);
            g_free(in->own);
            in->own = bigger;
            in->cap = cap;
        } else {
            memmove(in->own, in->own + in->pos, left);
        }
        in->buf = in->own;
        in->pos = 0;
        in->len = left;
    }
    while (in->len - in->pos < n && !in->eof && !in->failed) {
        ssize_t got = in->read(in->ctx, in->own + in->len, in->cap - in->len);
        if (got < 0) {
            in->failed = true;
            in->read_errno = errno != 0 ? errno : EIO;
        } else if (got == 0) {
            in->eof = true;
        } else {
            in->len += (size_t)got;
        }
    }
    return MIN(in->len - in->pos, n);
}
