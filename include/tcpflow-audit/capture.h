/* capture.h - read frames from pcap/pcapng files, stdin or a live interface.
 *
 * Owns: TfaCapture (the libpcap handle, or the pcap or pcapng reader, of the
 * current input, the list of inputs, the filter programs).  Lends: TfaFrame.bytes
 * points into the reader's buffer and is valid only until the next
 * tfa_capture_next() call (pcap_next_ex(3PCAP) rule); anything kept longer
 * must be copied.
 *
 * Regular files are read (and each frame decoded, see TfaFrame.decoded) one
 * step ahead on a second thread when there is a second CPU; frames still
 * come out in order, one at a time, on the caller's thread.
 *
 * Several files are one continuous capture in the order given (a rotated
 * tcpdump -G/-C set): frame numbers continue across them.  "-" is stdin.
 * Files are read with nanosecond timestamp precision, by our own readers,
 * records parsed where they lie (src/capture/pcapfile.h, pcapng.h): classic
 * pcap as libpcap 1.10 reads it (every variant, the same messages); pcapng
 * with interfaces of several link types, snapshot lengths and timestamp
 * resolutions in one file, sections in either byte order, as tshark reads
 * them.  libpcap captures live and compiles the filter.  A BPF
 * filter is compiled for each file's own link type; in pcapng, once for each
 * decoded link type its interfaces have (at most 32 programs, kept for the
 * capture's life), and frames of a link type not decoded pass unfiltered (the
 * decoder counts them).  A pcapng file none of whose interfaces before its
 * first packet has a decoded link type is skipped as a classic file of such
 * a type is.  A damaged file (truncated, bad record header or block) ends
 * reading of that file with TFA_CAPTURE_DAMAGED and a message naming the
 * file and byte offset; the next tfa_capture_next() goes on with the next
 * file.  Setup and I/O errors use GError (TFA_CAPTURE_ERROR);
 * the per-frame path returns a status only.
 */
#pragma once

#include <glib.h>

#include "tcpflow-audit/common.h"

typedef struct TfaCapture TfaCapture;
typedef struct TfaDecoded TfaDecoded; /* decode.h */

typedef struct TfaFrame {
    TfaFrameNo frame_no; /* 1-based, continuing across files */
    TfaTs ts;            /* ns since the epoch */
    uint32_t caplen;     /* bytes captured */
    uint32_t wirelen;    /* bytes on the wire */
    int linktype;        /* DLT_* value (pcapng: of the frame's interface) */
    const uint8_t *bytes; /* borrowed until the next tfa_capture_next() */
    const TfaDecoded *decoded; /* already decoded on the reader thread, or NULL;
                                * borrowed like bytes */
} TfaFrame;

typedef enum TfaCaptureStatus {
    TFA_CAPTURE_FRAME = 0, /* *frame filled */
    TFA_CAPTURE_TIMEOUT,   /* live: no packet within the read timeout; now_ts advanced */
    TFA_CAPTURE_DAMAGED,   /* the current file is damaged; message in *error; reading goes on */
    TFA_CAPTURE_BREAK,     /* a signal ended a blocked read of a pipe */
    TFA_CAPTURE_END,       /* every input read */
    TFA_CAPTURE_ERROR,     /* fatal: *error set */
    TFA_CAPTURE_NOTICE,    /* live: the interface went down, came back or was replaced;
                            * what happened in *error; reading goes on */
} TfaCaptureStatus;

typedef struct TfaCaptureLiveOptions {
    const char *device;
    int snaplen;
    bool promisc;
    bool immediate;
    int buffer_size; /* bytes; 0 = libpcap default */
    int timeout_ms;
} TfaCaptureLiveOptions;

typedef struct TfaCaptureStats {
    guint64 files_opened;
    guint64 files_damaged;
    guint64 frames;
    guint64 bytes;
    guint64 kernel_drops;   /* live: ps_drop */
    guint64 iface_drops;    /* live: ps_ifdrop */
    guint64 iface_gaps;     /* live: times the interface went down or away (each a gap
                             * in the capture, counted when it begins) */
    bool have_kernel_stats;
} TfaCaptureStats;

#define TFA_CAPTURE_ERROR_DOMAIN (tfa_capture_error_quark())
GQuark tfa_capture_error_quark(void);

typedef enum TfaCaptureErrorCode {
    TFA_CAPTURE_ERROR_FAILED,
    TFA_CAPTURE_ERROR_OPEN,      /* missing file, permission, not a capture */
    TFA_CAPTURE_ERROR_FILTER,    /* the BPF expression does not compile */
    TFA_CAPTURE_ERROR_DAMAGED,   /* truncated / corrupt file */
    TFA_CAPTURE_ERROR_LINKTYPE,  /* link type not decoded */
    TFA_CAPTURE_ERROR_PERMISSION,
    TFA_CAPTURE_ERROR_NO_DEVICE,
} TfaCaptureErrorCode;

/* Read a list of files (NULL-terminated, borrowed for the capture's life).
 * Files are opened one by one as reading reaches them; a file that cannot be
 * opened (missing, not a capture, link type not decoded, filter not
 * applicable to its link type) is reported by tfa_capture_next() as
 * TFA_CAPTURE_DAMAGED with the reason, and reading goes on with the next.
 * Fails only when the filter's syntax is wrong (TFA_CAPTURE_ERROR_FILTER). */
TfaCapture *tfa_capture_new_files(const char *const *paths, const char *filter, GError **error);

/* Open a live interface; the filter is compiled at once.  On Linux the
 * interface's link is followed (rtnetlink): when it goes down the capture
 * says so (TFA_CAPTURE_NOTICE), counts a gap (iface_gaps) and keeps reading
 * the same handle, which the kernel feeds again once the interface is up;
 * when it is deleted, the handle is closed and an interface of the same name
 * that comes up within TFA_CAPTURE_GONE_GRACE_S is opened in its place (same
 * options, filter and -w file; frame numbers and drop counters continue);
 * if none does, TFA_CAPTURE_DAMAGED says so, then TFA_CAPTURE_END.  The any
 * device is not followed (its socket is bound to no interface).
 *
 * Immediate mode on Linux keeps the TPACKET_V3 ring of the default mode and
 * has the kernel hand its blocks over every TFA_CAPTURE_IMMEDIATE_TIMEOUT_MS
 * (not every timeout_ms), with TFA_CAPTURE_IMMEDIATE_BUFFER bytes unless a
 * buffer size is given: libpcap's own immediate mode switches to a
 * TPACKET_V2 ring of one fixed slot per packet, 8 of them on the any device
 * with libpcap's defaults, and loses every packet of a burst beyond them
 * (tcpflow-audit(1) --immediate has the figures). */
#define TFA_CAPTURE_GONE_GRACE_S 10
#define TFA_CAPTURE_IMMEDIATE_TIMEOUT_MS 5
#define TFA_CAPTURE_IMMEDIATE_BUFFER (8 * 1024 * 1024)
TfaCapture *tfa_capture_new_live(const TfaCaptureLiveOptions *opts, const char *filter,
                                 GError **error);

/* Open a capture held in memory (fuzzing, tests).  @data is borrowed. */
TfaCapture *tfa_capture_new_memory(const uint8_t *data, size_t len, const char *filter,
                                   GError **error);

void tfa_capture_free(TfaCapture *cap);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TfaCapture, tfa_capture_free)

/* Next frame.  On TFA_CAPTURE_DAMAGED and TFA_CAPTURE_ERROR, *error is set. */
TfaCaptureStatus tfa_capture_next(TfaCapture *cap, TfaFrame *frame, GError **error);

/* Also write every frame read to @path (pcap, the first input's link type). */
gboolean tfa_capture_dump_to(TfaCapture *cap, const char *path, GError **error);

/* Drop privileges would go here; see main.c.  Counters so far. */
void tfa_capture_get_stats(TfaCapture *cap, TfaCaptureStats *stats);

/* Whether the capture is a live interface. */
bool tfa_capture_is_live(const TfaCapture *cap);

/* Total size in bytes of the file inputs (0 when unknown) and bytes read so
 * far; for progress display. */
void tfa_capture_progress(const TfaCapture *cap, guint64 *done, guint64 *total);
