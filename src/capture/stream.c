/* stream.c - a capture file's bytes from its first byte: regular files as
 * they are; pipes, FIFOs and compressed files through a stdio cookie
 * (stream.h has the contract). */
#define _GNU_SOURCE /* fopencookie */
#include "config.h"

#include "stream.h"

#include "pcapng.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif
#ifdef HAVE_LZMA
#include <lzma.h>
#endif
#ifdef HAVE_LZ4
#include <lz4frame.h>
#endif

#define PEEK_LEN 6 /* the longest magic number: xz's */

struct TfaStream {
    int fd;
    bool own_fd;               /* not standard input */
    FILE *file;
    TfaCompression comp;
    bool classic;
    bool pcapng;               /* begins with a pcapng Section Header Block */
    bool plain;                /* a regular file read as it is (s->file is fdopen()ed) */
    guint64 consumed;
    bool eof_in;               /* the source has no more bytes */
    bool finished;             /* the decompressor ended its last frame */
    bool interrupted;
    bool failed;
    char why[200];
    uint8_t *in;               /* bytes read from the source, not yet used */
    size_t in_pos, in_len;
    uint8_t *out;              /* decompressed bytes not yet handed over */
    size_t out_pos, out_len;
#ifdef HAVE_ZLIB
    z_stream z;
    bool z_ready;
#endif
#ifdef HAVE_ZSTD
    ZSTD_DStream *zs;
    size_t zs_hint;            /* 0 when the last frame ended */
#endif
#ifdef HAVE_LZMA
    lzma_stream lz;
    bool lz_ready;
#endif
#ifdef HAVE_LZ4
    LZ4F_dctx *l4;
    size_t l4_hint;            /* 0 when the last frame ended */
#endif
};

const char *tfa_compression_name(TfaCompression c)
{
    switch (c) {
    case TFA_COMPRESSION_GZIP:
        return "gzip";
    case TFA_COMPRESSION_ZSTD:
        return "zstd";
    case TFA_COMPRESSION_XZ:
        return "xz";
    case TFA_COMPRESSION_LZ4:
        return "lz4";
    case TFA_COMPRESSION_NONE:
    default:
        return "none";
    }
}

static TfaCompression compression_of(const uint8_t *m, size_t n)
{
    if (n >= 2 && m[0] == 0x1f && m[1] == 0x8b)
        return TFA_COMPRESSION_GZIP;
    if (n >= 4 && m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
        return TFA_COMPRESSION_ZSTD;
    if (n >= 6 && memcmp(m, "\xfd" "7zXZ\0", 6) == 0)
        return TFA_COMPRESSION_XZ;
    if (n >= 4 && m[0] == 0x04 && m[1] == 0x22 && m[2] == 0x4d && m[3] == 0x18)
        return TFA_COMPRESSION_LZ4;
    return TFA_COMPRESSION_NONE;
}

bool tfa_stream_classic_magic(const uint8_t *m, size_t n)
{
    static const uint8_t magics[4][4] = {
        {0xa1, 0xb2, 0xc3, 0xd4}, {0xd4, 0xc3, 0xb2, 0xa1},   /* microseconds */
        {0xa1, 0xb2, 0x3c, 0x4d}, {0x4d, 0x3c, 0xb2, 0xa1},   /* nanoseconds */
    };
    for (size_t i = 0; n >= 4 && i < G_N_ELEMENTS(magics); i++) {
        if (memcmp(m, magics[i], 4) == 0)
            return true;
    }
    return false;
}

static void fail(TfaStream *s, const char *what, const char *detail)
{
    s->failed = true;
    g_snprintf(s->why, sizeof(s->why), "%s data %s%s%s", tfa_compression_name(s->comp), what,
               detail != NULL ? ": " : "", detail != NULL ? detail : "");
}

/* More source bytes into s->in: 1 when some came, 0 at the end, -1 on an
 * error (errno set; a signal marks the stream interrupted). */
static int fill_in(TfaStream *s)
{
    if (s->in_pos == s->in_len)
        s->in_pos = s->in_len = 0;
    if (s->eof_in || s->in_len == TFA_STREAM_CHUNK)
        return s->eof_in ? 0 : 1;
    ssize_t n = read(s->fd, s->in + s->in_len, TFA_STREAM_CHUNK - s->in_len);
    if (n < 0) {
        if (errno == EINTR)
            s->interrupted = true;
        return -1;
    }
    if (n == 0) {
        s->eof_in = true;
        return 0;
    }
    s->in_len += (size_t)n;
    s->consumed += (guint64)n;
    return 1;
}

/* Decompress into s->out: 1 when bytes are ready, 0 at the end of the
 * data, -1 on an error. */
static int decompress(TfaStream *s)
{
    s->out_pos = s->out_len = 0;
    while (s->out_len == 0) {
        if (s->finished)
            return 0;
        if (s->in_pos == s->in_len && !s->eof_in && fill_in(s) < 0)
            return -1;
        bool no_input = s->in_pos == s->in_len && s->eof_in;
        const uint8_t *src = s->in + s->in_pos;
        size_t avail = s->in_len - s->in_pos;
        switch (s->comp) {
#ifdef HAVE_ZLIB
        case TFA_COMPRESSION_GZIP: {
            if (no_input) {
                fail(s, "is cut short", NULL);
                return -1;
            }
            s->z.next_in = (Bytef *)src;
            s->z.avail_in = (uInt)avail;
            s->z.next_out = s->out;
            s->z.avail_out = TFA_STREAM_CHUNK;
            int rc = inflate(&s->z, Z_NO_FLUSH);
            s->in_pos += avail - s->z.avail_in;
            s->out_len = TFA_STREAM_CHUNK - s->z.avail_out;
            if (rc == Z_STREAM_END) {
                /* another member may follow (cat a.gz b.gz); anything
                 * else after the last one is ignored, as gzip -d does */
                if (s->in_pos == s->in_len && !s->eof_in && fill_in(s) < 0)
                    return -1;
                if (s->in_len - s->in_pos >= 2 && s->in[s->in_pos] == 0x1f &&
                    s->in[s->in_pos + 1] == 0x8b)
                    inflateReset(&s->z);
                else
                    s->finished = true;
            } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
                fail(s, "is corrupt", s->z.msg);
                return -1;
            }
            break;
        }
#endif
#ifdef HAVE_ZSTD
        case TFA_COMPRESSION_ZSTD: {
            if (no_input) {
                if (s->zs_hint != 0) {
                    fail(s, "is cut short", NULL);
                    return -1;
                }
                s->finished = true;
                break;
            }
            ZSTD_inBuffer ib = {src, avail, 0};
            ZSTD_outBuffer ob = {s->out, TFA_STREAM_CHUNK, 0};
            size_t rc = ZSTD_decompressStream(s->zs, &ob, &ib);
            if (ZSTD_isError(rc)) {
                fail(s, "is corrupt", ZSTD_getErrorName(rc));
                return -1;
            }
            s->zs_hint = rc;
            s->in_pos += ib.pos;
            s->out_len = ob.pos;
            break;
        }
#endif
#ifdef HAVE_LZMA
        case TFA_COMPRESSION_XZ: {
            s->lz.next_in = src;
            s->lz.avail_in = avail;
            s->lz.next_out = s->out;
            s->lz.avail_out = TFA_STREAM_CHUNK;
            lzma_ret rc = lzma_code(&s->lz, no_input ? LZMA_FINISH : LZMA_RUN);
            s->in_pos += avail - s->lz.avail_in;
            s->out_len = TFA_STREAM_CHUNK - s->lz.avail_out;
            if (rc == LZMA_STREAM_END) {
                s->finished = true;
            } else if (rc == LZMA_MEMLIMIT_ERROR) {
                fail(s, "needs more memory than the limit of 256 MiB", NULL);
                return -1;
            } else if ((rc == LZMA_BUF_ERROR || (rc == LZMA_OK && s->out_len == 0)) && no_input) {
                fail(s, "is cut short", NULL);
                return -1;
            } else if (rc != LZMA_OK && rc != LZMA_BUF_ERROR) {
                fail(s, "is corrupt", rc == LZMA_DATA_ERROR ? "bad block" : NULL);
                return -1;
            }
            break;
        }
#endif
#ifdef HAVE_LZ4
        case TFA_COMPRESSION_LZ4: {
            if (no_input) {
                if (s->l4_hint != 0) {
                    fail(s, "is cut short", NULL);
                    return -1;
                }
                s->finished = true;
                break;
            }
            size_t outsize = TFA_STREAM_CHUNK, insize = avail;
            size_t rc = LZ4F_decompress(s->l4, s->out, &outsize, src, &insize, NULL);
            if (LZ4F_isError(rc)) {
                fail(s, "is corrupt", LZ4F_getErrorName(rc));
                return -1;
            }
            s->l4_hint = rc;
            s->in_pos += insize;
            s->out_len = outsize;
            break;
        }
#endif
        default:
            fail(s, "cannot be read", NULL);
            return -1;
        }
    }
    return 1;
}

static ssize_t cookie_read(void *cookie, char *buf, size_t size)
{
    TfaStream *s = cookie;

    if (s->comp == TFA_COMPRESSION_NONE) {
        /* the peeked bytes first, then straight from the source */
        if (s->in_pos < s->in_len) {
            size_t n = MIN(size, s->in_len - s->in_pos);
            memcpy(buf, s->in + s->in_pos, n);
            s->in_pos += n;
            return (ssize_t)n;
        }
        ssize_t n = read(s->fd, buf, size);
        if (n < 0 && errno == EINTR)
            s->interrupted = true;
        if (n > 0)
            s->consumed += (guint64)n;
        return n;
    }
    if (s->out_pos == s->out_len) {
        int rc = decompress(s);
        if (rc <= 0) {
            if (rc < 0 && s->failed)
                errno = EIO;
            return rc;
        }
    }
    size_t n = MIN(size, s->out_len - s->out_pos);
    memcpy(buf, s->out + s->out_pos, n);
    s->out_pos += n;
    return (ssize_t)n;
}

/* The FILE is closed by libpcap; the stream outlives it (stream.h). */
static int cookie_close(void *cookie)
{
    TfaStream *s = cookie;
    s->file = NULL;
    return 0;
}

static bool start_decompressor(TfaStream *s, GError **error)
{
    bool ok = false;
    switch (s->comp) {
#ifdef HAVE_ZLIB
    case TFA_COMPRESSION_GZIP:
        ok = inflateInit2(&s->z, 15 + 16) == Z_OK; /* gzip wrapper only */
        s->z_ready = ok;
        break;
#endif
#ifdef HAVE_ZSTD
    case TFA_COMPRESSION_ZSTD:
        s->zs = ZSTD_createDStream();
        ok = s->zs != NULL &&
             !ZSTD_isError(ZSTD_DCtx_setParameter(s->zs, ZSTD_d_windowLogMax,
                                                  TFA_STREAM_ZSTD_WINDOW_LOG));
        s->zs_hint = 1;
        break;
#endif
#ifdef HAVE_LZMA
    case TFA_COMPRESSION_XZ:
        s->lz = (lzma_stream)LZMA_STREAM_INIT;
        ok = lzma_stream_decoder(&s->lz, TFA_STREAM_XZ_MEMLIMIT, LZMA_CONCATENATED) == LZMA_OK;
        s->lz_ready = ok;
        break;
#endif
#ifdef HAVE_LZ4
    case TFA_COMPRESSION_LZ4:
        ok = !LZ4F_isError(LZ4F_createDecompressionContext(&s->l4, LZ4F_VERSION));
        s->l4_hint = 1;
        break;
#endif
    default:
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOSYS,
                    "compressed with %s, which this build cannot read (built without its "
                    "library): decompress it first",
                    tfa_compression_name(s->comp));
        return false;
    }
    if (!ok)
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOMEM, "cannot start the %s decompressor",
                    tfa_compression_name(s->comp));
    return ok;
}

/* The system call just made failed: say why (errno), free @s, NULL. */
static TfaStream *open_failed(TfaStream *s, GError **error)
{
    int e = errno;
    g_set_error_literal(error, G_FILE_ERROR, g_file_error_from_errno(e), g_strerror(e));
    tfa_stream_free(s);
    return NULL;
}

/* @s->file, made just now, reads with @buf as its stdio buffer. */
static TfaStream *opened(TfaStream *s, char *buf, size_t buf_len)
{
    if (buf != NULL)
        (void)setvbuf(s->file, buf, _IOFBF, buf_len);
    return s;
}

TfaStream *tfa_stream_open(const char *path, char *buf, size_t buf_len, GError **error)
{
    TfaStream *s = g_new0(TfaStream, 1);
    bool std_in = strcmp(path, "-") == 0;

    s->fd = std_in ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    s->own_fd = !std_in;
    if (s->fd < 0)
        return open_failed(s, error);
    struct stat st;
    bool regular = fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode);

    /* Peek at the magic number; a pipe may hand it over in pieces. */
    s->in = g_malloc(TFA_STREAM_CHUNK);
    while (s->in_len < PEEK_LEN && !s->eof_in) {
        if (fill_in(s) < 0 && errno != EINTR)
            return open_failed(s, error);
        if (s->interrupted) {
            g_set_error_literal(error, G_FILE_ERROR, G_FILE_ERROR_INTR,
                                "interrupted before the first bytes arrived");
            tfa_stream_free(s);
            return NULL;
        }
    }
    s->comp = compression_of(s->in, s->in_len);

    if (s->comp == TFA_COMPRESSION_NONE && regular && !std_in &&
        lseek(s->fd, 0, SEEK_SET) == 0) {
        /* a plain file: libpcap reads it directly */
        s->classic = tfa_stream_classic_magic(s->in, s->in_len);
        s->pcapng = tfa_pcapng_magic(s->in, s->in_len);
        s->in_pos = s->in_len = 0;
        s->consumed = 0;
        s->file = fdopen(s->fd, "rb");
        if (s->file == NULL)
            return open_failed(s, error);
        s->own_fd = false; /* the FILE has it now */
        s->plain = true;
        return opened(s, buf, buf_len);
    }

    if (s->comp != TFA_COMPRESSION_NONE) {
        if (!start_decompressor(s, error)) {
            tfa_stream_free(s);
            return NULL;
        }
        s->out = g_malloc(TFA_STREAM_CHUNK);
        /* the capture's own magic, from the first decompressed bytes */
        if (decompress(s) < 0 && s->failed) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO, "%s", s->why);
            tfa_stream_free(s);
            return NULL;
        }
    }
    const uint8_t *first =
        s->comp == TFA_COMPRESSION_NONE ? s->in + s->in_pos : s->out + s->out_pos;
    size_t first_len = s->comp == TFA_COMPRESSION_NONE ? s->in_len - s->in_pos
                                                        : s->out_len - s->out_pos;
    s->classic = tfa_stream_classic_magic(first, first_len);
    s->pcapng = tfa_pcapng_magic(first, first_len);

    cookie_io_functions_t io = {.read = cookie_read, .close = cookie_close};
    s->file = fopencookie(s, "rb", io);
    if (s->file == NULL)
        return open_failed(s, error);
    return opened(s, buf, buf_len);
}

ssize_t tfa_stream_read(void *stream, void *buf, size_t len)
{
    TfaStream *s = stream;
    if (!s->plain)
        return cookie_read(s, buf, len);
    for (;;) {
        ssize_t n = read(s->fd, buf, len);
        if (n >= 0 || errno != EINTR)
            return n;
        /* a regular file's read is not left waiting: go on */
    }
}

bool tfa_stream_plain(const TfaStream *s)
{
    return s->plain;
}

FILE *tfa_stream_file(TfaStream *s)
{
    return s->file;
}

void tfa_stream_handed_over(TfaStream *s)
{
    s->file = NULL;
}

bool tfa_stream_is_classic_pcap(const TfaStream *s)
{
    return s->classic;
}

bool tfa_stream_is_pcapng(const TfaStream *s)
{
    return s->pcapng;
}

TfaCompression tfa_stream_compression(const TfaStream *s)
{
    return s->comp;
}

guint64 tfa_stream_consumed(const TfaStream *s)
{
    return s->consumed;
}

bool tfa_stream_interrupted(const TfaStream *s)
{
    return s->interrupted;
}

const char *tfa_stream_error(const TfaStream *s)
{
    return s->failed ? s->why : NULL;
}

void tfa_stream_free(TfaStream *s)
{
    if (s == NULL)
        return;
    if (s->file != NULL)
        fclose(s->file); /* never handed to libpcap */
    if (s->own_fd && s->fd >= 0)
        close(s->fd);
#ifdef HAVE_ZLIB
    if (s->z_ready)
        inflateEnd(&s->z);
#endif
#ifdef HAVE_ZSTD
    ZSTD_freeDStream(s->zs);
#endif
#ifdef HAVE_LZMA
    if (s->lz_ready)
        lzma_end(&s->lz);
#endif
#ifdef HAVE_LZ4
    if (s->l4 != NULL)
        LZ4F_freeDecompressionContext(s->l4);
#endif
    g_free(s->in);
    g_free(s->out);
    g_free(s);
}
