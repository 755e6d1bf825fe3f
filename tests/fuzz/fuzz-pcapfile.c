/* fuzz-pcapfile.c - our classic pcap reader (src/capture/pcapfile.c)
 * against libpcap's own, on any bytes: the reader must give what
 * pcap_fopen_offline_with_tstamp_precision(..., NANO) and pcap_next_ex()
 * give, record for record (header fields, bytes), and stop where libpcap
 * stops with libpcap's message and file position; read from memory, and
 * through a read function that hands the bytes over in pieces of 1 to 97
 * bytes (records cut across reads).  Then the capture with a BPF filter
 * must pass the frames libpcap's pcap_setfilter() passes.  Any difference
 * aborts.  Built as a libFuzzer target with --enable-fuzzing, as a seed
 * replayer otherwise. */
#include "config.h"

#include "capture/pcapfile.h"
#include "capture/pcapng.h"
#include "tcpflow-audit/capture.h"
#include "tcpflow-audit/decode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"

#define FILTER "tcp port 80 or ip6 or vlan"

typedef struct Pieces {
    const uint8_t *data;
    size_t len, pos;
    uint32_t rng;
} Pieces;

static ssize_t read_pieces(void *ctx, void *buf, size_t len)
{
    Pieces *p = ctx;
    p->rng = p->rng * 1103515245u + 12345u;
    size_t n = MIN(MIN(len, p->len - p->pos), 1 + (p->rng >> 16) % 97);
    memcpy(buf, p->data + p->pos, n);
    p->pos += n;
    return (ssize_t)n;
}

G_GNUC_PRINTF(1, 2) G_GNUC_NORETURN static void differ(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "fuzz-pcapfile: our reader and libpcap differ: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

/* One pass of our reader @r against a fresh libpcap handle on the bytes. */
static void compare(const uint8_t *data, size_t size, TfaPcapFile *r, const char *opened_why,
                    const char *how)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    FILE *f = fmemopen((void *)data, size, "rb");
    if (f == NULL)
        return;
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (p == NULL) {
        fclose(f);
        if (r != NULL)
            differ("%s: libpcap cannot open it (%s), we can", how, errbuf);
        if (strcmp(errbuf, opened_why) != 0)
            differ("%s: open: libpcap '%s', ours '%s'", how, errbuf, opened_why);
        return;
    }
    if (r == NULL)
        differ("%s: libpcap opens it, we cannot (%s)", how, opened_why);
    if (pcap_datalink(p) != tfa_pcapfile_linktype(r) || pcap_snapshot(p) != tfa_pcapfile_snapshot(r))
        differ("%s: link type %d/%d, snapshot %d/%d", how, pcap_datalink(p),
               tfa_pcapfile_linktype(r), pcap_snapshot(p), tfa_pcapfile_snapshot(r));
    for (unsigned n = 1;; n++) {
        struct pcap_pkthdr *h, mine;
        const u_char *d;
        const uint8_t *md;
        int rc = pcap_next_ex(p, &h, &d);
        TfaPcapFileStatus st = tfa_pcapfile_next(r, &mine, &md);
        if (rc == 1) {
            if (st != TFA_PCAPFILE_PACKET)
                differ("%s: record %u: libpcap read it, we stopped (%s)", how, n,
                       tfa_pcapfile_error(r));
            if (h->caplen != mine.caplen || h->len != mine.len ||
                h->ts.tv_sec != mine.ts.tv_sec || h->ts.tv_usec != mine.ts.tv_usec)
                differ("%s: record %u: caplen %u/%u len %u/%u ts %lld.%lld/%lld.%lld", how, n,
                       h->caplen, mine.caplen, h->len, mine.len, (long long)h->ts.tv_sec,
                       (long long)h->ts.tv_usec, (long long)mine.ts.tv_sec,
                       (long long)mine.ts.tv_usec);
            if (h->caplen > 0 && memcmp(d, md, h->caplen) != 0)
                differ("%s: record %u: other bytes", how, n);
            continue;
        }
        if (rc == PCAP_ERROR_BREAK) {
            if (st != TFA_PCAPFILE_END)
                differ("%s: record %u: libpcap at the end, we %s", how, n,
                       st == TFA_PCAPFILE_PACKET ? "read a record" : tfa_pcapfile_error(r));
        } else {
            if (st != TFA_PCAPFILE_DAMAGED)
                differ("%s: record %u: libpcap failed (%s), we did not", how, n,
                       pcap_geterr(p));
            if (strcmp(pcap_geterr(p), tfa_pcapfile_error(r)) != 0)
                differ("%s: record %u: libpcap '%s', ours '%s'", how, n, pcap_geterr(p),
                       tfa_pcapfile_error(r));
            long pos = ftell(pcap_file(p));
            if (pos < 0 || (guint64)pos != tfa_pcapfile_offset(r))
                differ("%s: record %u: stopped at %ld, we at %" G_GUINT64_FORMAT, how, n, pos,
                       tfa_pcapfile_offset(r));
        }
        break;
    }
    pcap_close(p);
}

/* The capture with a filter against libpcap's pcap_setfilter(). */
static void compare_filtered(const uint8_t *data, size_t size)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    FILE *f = fmemopen((void *)data, size, "rb");
    if (f == NULL)
        return;
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (p == NULL) {
        fclose(f);
        return;
    }
    struct bpf_program prog;
    bool usable = tfa_decode_linktype_supported(pcap_datalink(p));
    bool compiled = usable && pcap_compile(p, &prog, FILTER, 1, PCAP_NETMASK_UNKNOWN) == 0;
    if (compiled) {
        (void)pcap_setfilter(p, &prog);
        pcap_freecode(&prog);
    }
    TfaCapture *cap = tfa_capture_new_memory(data, size, FILTER, NULL);
    if (cap == NULL) {
        if (compiled)
            differ("filtered: the capture did not open");
        pcap_close(p);
        return;
    }
    for (unsigned n = 1;; n++) {
        GError *err = NULL;
        TfaFrame fr;
        TfaCaptureStatus st = tfa_capture_next(cap, &fr, &err);
        g_clear_error(&err);
        struct pcap_pkthdr *h;
        const u_char *d;
        int rc = compiled ? pcap_next_ex(p, &h, &d) : PCAP_ERROR;
        if (rc == 1) {
            if (st != TFA_CAPTURE_FRAME || fr.caplen != h->caplen || fr.wirelen != h->len ||
                (h->caplen > 0 && memcmp(fr.bytes, d, h->caplen) != 0))
                differ("filtered: frame %u: libpcap passed it, the capture gave another result",
                       n);
            continue;
        }
        if (st == TFA_CAPTURE_FRAME)
            differ("filtered: frame %u: the capture passed one libpcap did not", n);
        break;
    }
    tfa_capture_free(cap);
    pcap_close(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || tfa_pcapng_magic(data, size))
        return 0; /* empty: fmemopen refuses it; pcapng: our other reader's */
    GError *err = NULL;
    TfaPcapFile *r = tfa_pcapfile_new_memory(data, size, &err);
    compare(data, size, r, err != NULL ? err->message : "", "memory");
    g_clear_error(&err);
    tfa_pcapfile_free(r);

    Pieces pieces = {.data = data, .len = size, .rng = (uint32_t)size * 2654435761u};
    r = tfa_pcapfile_new_reader(read_pieces, &pieces, &err);
    compare(data, size, r, err != NULL ? err->message : "", "in pieces");
    g_clear_error(&err);
    tfa_pcapfile_free(r);

    compare_filtered(data, size);
    return 0;
}
