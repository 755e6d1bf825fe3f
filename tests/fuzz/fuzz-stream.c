/* fuzz-stream.c - a capture file's bytes through stream.c (the magic-number
 * sniffing and the gzip, zstd, xz and lz4 decompressors) and the reader the
 * capture uses for them (our pcapng reader, or libpcap's for the rest), from a regular file (a memfd) and, when it fits a pipe's buffer,
 * from a pipe.  Built as a libFuzzer target with --enable-fuzzing, as a seed
 * replayer otherwise. */
#define _GNU_SOURCE /* memfd_create */
#include "config.h"

#include "capture/pcapng.h"
#include "capture/stream.h"

#include <pcap/pcap.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz-common.h"

#define PIPE_MAX 65536 /* what a pipe holds without a reader (Linux default) */

static void read_all(const char *path)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    TfaStream *s = tfa_stream_open(path, NULL, 0, NULL);
    if (s == NULL)
        return;
    if (tfa_stream_is_pcapng(s)) {
        TfaPcapng *r = tfa_pcapng_new(tfa_stream_file(s), NULL);
        TfaPcapngPacket pk;
        while (r != NULL && tfa_pcapng_next(r, &pk) < TFA_PCAPNG_END)
            ;
        tfa_pcapng_free(r);
        tfa_stream_free(s);
        return;
    }
    pcap_t *p = pcap_fopen_offline_with_tstamp_precision(tfa_stream_file(s),
                                                         PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (p != NULL) {
        tfa_stream_handed_over(s);
        struct pcap_pkthdr *h;
        const u_char *data;
        while (pcap_next_ex(p, &h, &data) == 1)
            ;
        pcap_close(p);
    }
    tfa_stream_free(s);
}

static bool write_all(int fd, const uint8_t *data, size_t size)
{
    while (size > 0) {
        ssize_t n = write(fd, data, size);
        if (n <= 0)
            return false;
        data += n;
        size -= (size_t)n;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = memfd_create("fuzz-stream", MFD_CLOEXEC);
    if (fd >= 0) {
        if (write_all(fd, data, size) && lseek(fd, 0, SEEK_SET) == 0) {
            g_snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
            read_all(path);
        }
        close(fd);
    }
    int pfd[2];
    if (size <= PIPE_MAX && pipe(pfd) == 0) {
        bool ok = write_all(pfd[1], data, size);
        close(pfd[1]);
        if (ok) {
            g_snprintf(path, sizeof(path), "/proc/self/fd/%d", pfd[0]);
            read_all(path);
        }
        close(pfd[0]);
    }
    return 0;
}
