/* fuzz-pcapng.c - our pcapng reader (src/capture/pcapng.c) on any bytes:
 * directly from memory (each block's fields and options, both byte orders,
 * sections, timestamps), then through the capture with a BPF filter (one
 * program per link type of the file's interfaces), from a pipe when it fits
 * one (strictly sequential reading).  Built as a libFuzzer target with
 * --enable-fuzzing, as a seed replayer otherwise. */
#include "config.h"

#include "capture/pcapng.h"
#include "tcpflow-audit/capture.h"

#include <string.h>
#include <unistd.h>

#include "fuzz-common.h"

#define PIPE_MAX 65536 /* what a pipe holds without a reader (Linux default) */

static volatile uint64_t sink; /* keep the reads of each packet */

static void read_reader(FILE *f)
{
    TfaPcapng *r = tfa_pcapng_new(f, NULL);
    if (r == NULL)
        return;
    TfaPcapngPacket p;
    TfaPcapngStatus st;
    while ((st = tfa_pcapng_next(r, &p)) == TFA_PCAPNG_PACKET || st == TFA_PCAPNG_IFACE) {
        if (st == TFA_PCAPNG_PACKET && p.caplen > 0)
            sink += (uint64_t)p.data[0] + p.data[p.caplen - 1] + (uint64_t)p.ts;
    }
    if (st == TFA_PCAPNG_DAMAGED)
        sink += strlen(tfa_pcapng_error(r)) + tfa_pcapng_damage_offset(r);
    tfa_pcapng_free(r);
}

static void read_capture(TfaCapture *cap)
{
    for (;;) {
        GError *err = NULL;
        TfaFrame f;
        TfaCaptureStatus st = tfa_capture_next(cap, &f, &err);
        g_clear_error(&err);
        if (st == TFA_CAPTURE_FRAME) {
            if (f.caplen > 0)
                sink += f.bytes[f.caplen - 1];
            continue;
        }
        if (st != TFA_CAPTURE_DAMAGED)
            break;
    }
    tfa_capture_free(cap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *f = fmemopen((void *)data, size, "rb");
    if (f != NULL) {
        read_reader(f);
        fclose(f);
    }
    TfaCapture *cap = tfa_capture_new_memory(data, size, "tcp port 80 or ip6 or vlan", NULL);
    if (cap != NULL)
        read_capture(cap);
    int pfd[2];
    if (size <= PIPE_MAX && pipe(pfd) == 0) {
        ssize_t n = write(pfd[1], data, size);
        close(pfd[1]);
        if (n == (ssize_t)size) {
            char path[64];
            g_snprintf(path, sizeof(path), "/proc/self/fd/%d", pfd[0]);
            const char *paths[] = {path, NULL};
            cap = tfa_capture_new_files(paths, NULL, NULL);
            if (cap != NULL)
                read_capture(cap);
        }
        close(pfd[0]);
    }
    return 0;
}
