/* capture.c - frames from a list of files, stdin, memory or a live interface.
 *
 * One input is open at a time: a libpcap handle (live), our classic pcap
 * reader (pcapfile.c: records parsed in place, out of memory or out of the
 * blocks it reads, with libpcap's results and messages), or our pcapng
 * reader (pcapng.c), which reads what libpcap 1.10 refuses (interfaces of
 * several link types or snapshot lengths, sections in either byte order).
 * libpcap still compiles the filter of a file (pcap_open_dead() and
 * pcap_compile()), which pcap_offline_filter() applies.  Files are read with nanosecond timestamp precision, in the
 * order given; frame numbers continue across them.  A damaged file ends
 * with TFA_CAPTURE_DAMAGED and the byte offset where reading stopped; the
 * next call goes on with the next file.
 */
#include "config.h"

#include "tcpflow-audit/capture.h"

#include "tcpflow-audit/decode.h"

#include "pcapfile.h"
#include "pcapng.h"
#include "readahead.h"
#include "stream.h"

#include <errno.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#define TFA_HAVE_RTNETLINK 1
#endif

G_DEFINE_QUARK(tfa-capture-error-quark, tfa_capture_error)

#define PCAP_FILE_HEADER_LEN 24u
#define PCAP_RECORD_HEADER_LEN 16u
#define TFA_SNAPLEN_FOR_CHECK 65535
#define TFA_SNAPLEN_FOR_FILTER 262144 /* libpcap's largest: the program's answer is only tested
                                       * for zero */
#define TFA_CAPTURE_MAX_FILTERS 32    /* compiled programs, one per decoded link type; the
                                       * decoder knows fewer link types than this */

/* The filter compiled for one link type (pcapng files, whose interfaces
 * may each have their own). */
typedef struct LinkFilter {
    int linktype;
    struct bpf_program prog;
} LinkFilter;

typedef enum {
    SOURCE_FILES,
    SOURCE_MEMORY,
    SOURCE_LIVE,
} SourceKind;

/* Live: the state of the interface captured on, as its link events say. */
typedef enum {
    LINK_UP,       /* capturing */
    LINK_DOWN,     /* administratively down: the handle is kept, the kernel
                    * feeds it again once the interface is up */
    LINK_GONE,     /* deleted: the handle is closed; waiting for an interface
                    * of the same name */
    LINK_FINISHED, /* did not come back in time: the capture has ended */
} LinkState;

#define TFA_LINK_EVENT_BUFFER 16384 /* rtnetlink messages read at once */
#define TFA_LINK_NOTICES 8          /* messages waiting to be returned */

/* What the link did, told to the caller once the packets captured before
 * it have been read: a link event arrives at once, while TPACKET_V3 hands
 * over the packets before it only when their block is retired, up to the
 * read timeout later.  A gap is counted, and a deleted interface's handle
 * closed, when its notice is released. */
typedef struct LinkNotice {
    char *msg;
    gint64 release_at; /* monotonic us */
    bool begins_gap;
    bool closes_handle;
} LinkNotice;

struct TfaCapture {
    SourceKind kind;
    const char *const *paths; /* borrowed, NULL-terminated */
    guint next_path;           /* index of the next file to open */
    const char *filter;
    pcap_t *p;                 /* current handle, NULL between files */
    TfaPcapng *ng;             /* or the current pcapng file's reader */
    TfaPcapFile *pf;           /* or the current classic pcap file's reader */
    struct bpf_program pf_prog; /* its filter, compiled for its link type */
    bool pf_filtering;
    bool pf_seekable;          /* its FILE could have told its position (not a
                                * pipe, not decompressed): for messages */
    bool ng_any_decoded;       /* the file described an interface of a decoded link type */
    int ng_first_linktype;     /* the link type of its first interface, or -1 */
    bool ng_seen_packet;
    LinkFilter filters[TFA_CAPTURE_MAX_FILTERS]; /* pcapng: compiled as link types appear */
    guint n_filters;
    const char *cur_name;
    bool cur_is_pcap;          /* classic pcap: record offsets are exact, and
                                * seconds are unsigned 32-bit */
    TfaStream *stream;         /* the current file's bytes (files only) */
    bool open_interrupted;     /* a signal came while opening a pipe */
    guint64 offset;            /* byte offset of the next record (classic pcap) */
    guint64 frames_in_file;
    TfaFrameNo frame_no;
    pcap_dumper_t *dumper;
    TfaCaptureStats stats;
    guint64 total_bytes;       /* sum of the file sizes, for progress */
    guint64 done_bytes;        /* bytes of the finished files plus the current offset */
    guint64 done_before;       /* bytes of the files before the current one */
    int live_fd;               /* live: the selectable descriptor, or -1 */
    int timeout_ms;            /* live: how long a quiet wait lasts */
    /* Live: what reopening the interface needs, and its link state. */
    TfaCaptureLiveOptions live_opts; /* .device points at live_device */
    char *live_device;
    unsigned live_ifindex;     /* of the interface open; 0: not followed (any) */
    int live_linktype;         /* of the first handle (the -w file's) */
    LinkState link;
    gint64 link_since;         /* monotonic us: when it went down or away */
    gint64 gone_since;         /* monotonic us: when it was deleted */
    char *end_msg;             /* why the capture cannot go on, once it cannot */
    int nl_fd;                 /* rtnetlink socket of link events, or -1 */
    char *nl_buf;
    LinkNotice notices[TFA_LINK_NOTICES]; /* oldest first, returned one per call */
    guint n_notices;
    bool live_drained;         /* the last read found the ring empty */
    guint64 drops_before, ifdrops_before; /* counters of the handles closed */
    /* Regular files are read one step ahead on a second thread when there
     * is a second CPU.  Once it runs, only that thread touches the handle
     * and the fields above; the queries answer from what the consumer has
     * taken: */
    bool readahead_ok;
    TfaReadAhead *ra;
    TfaReadPos seen;           /* where reading stood after the last result taken */
    guint64 frames_taken, bytes_taken;
};

static const char *display_name(const char *path)
{
    return strcmp(path, "-") == 0 ? "(stdin)" : path;
}

static bool apply_filter(pcap_t *p, const char *filter, const char *name, GError **error)
{
    struct bpf_program prog;

    if (filter == NULL || filter[0] == '\0')
        return true;
    if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_FILTER,
                    "cannot compile filter '%s' for '%s': %s", filter, name, pcap_geterr(p));
        return false;
    }
    int rc = pcap_setfilter(p, &prog);
    pcap_freecode(&prog);
    if (rc != 0) {
        g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_FILTER,
                    "cannot set filter '%s' on '%s': %s", filter, name, pcap_geterr(p));
        return false;
    }
    return true;
}

/* Live: the kernel's and the interface's drop counters, as they are now. */
static void read_kernel_stats(TfaCapture *cap)
{
    struct pcap_stat ps;
    /* a deleted interface's handle is not asked: libpcap 1.10 takes
     * ps_ifdrop as a difference of the interface's counter, which is gone */
    if (cap->kind != SOURCE_LIVE || cap->p == NULL || cap->link == LINK_GONE ||
        pcap_stats(cap->p, &ps) != 0)
        return;
    cap->stats.kernel_drops = cap->drops_before + ps.ps_drop;
    cap->stats.iface_drops = cap->ifdrops_before + ps.ps_ifdrop;
    cap->stats.have_kernel_stats = true;
}

static void close_current(TfaCapture *cap)
{
    if (cap->p != NULL) {
        read_kernel_stats(cap);
        pcap_close(cap->p);
        cap->p = NULL;
    }
    g_clear_pointer(&cap->ng, tfa_pcapng_free);
    g_clear_pointer(&cap->pf, tfa_pcapfile_free);
    if (cap->pf_filtering) {
        pcap_freecode(&cap->pf_prog);
        cap->pf_filtering = false;
    }
    g_clear_pointer(&cap->stream, tfa_stream_free); /* after the FILE libpcap closed */
}

static bool input_open(const TfaCapture *cap)
{
    return cap->p != NULL || cap->ng != NULL || cap->pf != NULL;
}

/* Start reading a pcapng file: from the current stream, or from @data
 * (@len bytes) when there is none. */
static bool open_pcapng(TfaCapture *cap, const uint8_t *data, size_t len, const char *name,
                        GError **error)
{
    g_autoptr(GError) why = NULL;
    cap->ng_any_decoded = false;
    cap->ng_first_linktype = -1;
    cap->ng_seen_packet = false;
    cap->ng = cap->stream != NULL ? tfa_pcapng_new_reader(tfa_stream_read, cap->stream, &why)
                                  : tfa_pcapng_new_memory(data, len, &why);
    if (cap->ng == NULL) {
        g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_OPEN,
                    "cannot read '%s': %s", name, why->message);
        return false;
    }
    return true;
}

/* Whether frames of link type @dlt can be decoded; if not, the input
 * @name is closed and skipped, with the reason in @error. */
static bool linktype_decoded(TfaCapture *cap, const char *name, int dlt, GError **error)
{
    if (tfa_decode_linktype_supported(dlt))
        return true;
    const char *lt = pcap_datalink_val_to_name(dlt);
    g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_LINKTYPE,
                "'%s': link type %s (%d) is not decoded; file skipped", name,
                lt != NULL ? lt : "unknown", dlt);
    close_current(cap);
    return false;
}

/* Check the link type and compile the filter of a just-opened handle. */
static bool prepare_handle(TfaCapture *cap, const char *name, GError **error)
{
    int dlt = pcap_datalink(cap->p);
    if (!linktype_decoded(cap, name, dlt, error))
        return false;
    if (!apply_filter(cap->p, cap->filter, name, error)) {
        close_current(cap);
        return false;
    }
    return true;
}

/* Check the link type of a just-opened classic pcap file and compile the
 * filter for it, as prepare_handle() does for a libpcap handle (the same
 * messages). */
static bool prepare_pcapfile(TfaCapture *cap, const char *name, GError **error)
{
    int dlt = tfa_pcapfile_linktype(cap->pf);
    if (!linktype_decoded(cap, name, dlt, error))
        return false;
    if (cap->filter == NULL || cap->filter[0] == '\0')
        return true;
    /* libpcap compiles a few tests differently for a savefile than for
     * pcap_open_dead() (DLT_NULL's AF_INET6 values of every BSD, AF values
     * in the file's byte order): the program is compiled on a handle of
     * libpcap's own that has read nothing but this file's header */
    uint8_t hdr[TFA_PCAPFILE_HEADER_LEN];
    memcpy(hdr, tfa_pcapfile_header(cap->pf), sizeof(hdr));
    char errbuf[PCAP_ERRBUF_SIZE] = "out of memory";
    FILE *f = fmemopen(hdr, sizeof(hdr), "rb");
    pcap_t *h = f != NULL ? pcap_fopen_offline_with_tstamp_precision(
                                f, PCAP_TSTAMP_PRECISION_NANO, errbuf)
                          : NULL;
    if (h == NULL && f != NULL)
        fclose(f); /* libpcap closes nothing on failure */
    if (h == NULL || pcap_compile(h, &cap->pf_prog, cap->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_FILTER,
                    "cannot compile filter '%s' for '%s': %s", cap->filter, name,
                    h != NULL ? pcap_geterr(h) : errbuf);
        if (h != NULL)
            pcap_close(h);
        close_current(cap);
        return false;
    }
    pcap_close(h); /* and its FILE */
    cap->pf_filtering = true;
    return true;
}

/* Open a file (or stdin) through stream.c, which reads pipes and FIFOs
 * once from their first byte and decompresses gzip, zstd, xz and lz4:
 * pcapng for our pcapng reader (cap->ng), anything else for our classic
 * pcap reader (cap->pf); both read blocks of the stream with
 * tfa_stream_read(), without stdio, and parse records where they lie.
 * False with *error set when the file cannot be opened (for the classic
 * reader's reasons, libpcap's message in the G_FILE_ERROR domain). */
static bool open_stream(TfaCapture *cap, const char *path, GError **error)
{
    cap->stream = tfa_stream_open(path, NULL, 0, error);
    if (cap->stream == NULL)
        return false;
    cap->cur_is_pcap = tfa_stream_is_classic_pcap(cap->stream);
    if (tfa_stream_is_pcapng(cap->stream)) {
        g_autoptr(GError) why = NULL;
        if (open_pcapng(cap, NULL, 0, display_name(path), &why))
            return true;
        if (tfa_stream_interrupted(cap->stream))
            g_set_error_literal(error, G_FILE_ERROR, G_FILE_ERROR_INTR,
                                "interrupted in the first section header");
        else if (tfa_stream_error(cap->stream) != NULL)
            g_set_error_literal(error, G_FILE_ERROR, G_FILE_ERROR_IO,
                                tfa_stream_error(cap->stream));
        else
            g_propagate_error(error, g_steal_pointer(&why));
        g_clear_pointer(&cap->stream, tfa_stream_free);
        return false;
    }
    cap->pf = tfa_pcapfile_new_reader(tfa_stream_read, cap->stream, error);
    if (cap->pf == NULL) {
        g_clear_pointer(&cap->stream, tfa_stream_free);
        return false;
    }
    cap->pf_seekable = tfa_stream_plain(cap->stream);
    return true;
}

/* Open the next file of the list; false with *error when it cannot be used
 * (cap->next_path has moved past it either way). */
static bool open_next_file(TfaCapture *cap, GError **error)
{
    const char *path = cap->paths[cap->next_path++];
    const char *name = display_name(path);

    cap->done_before = cap->done_bytes;
    cap->cur_name = name;
    cap->frames_in_file = 0;
    cap->cur_is_pcap = false;
    cap->offset = PCAP_FILE_HEADER_LEN;
    g_autoptr(GError) why = NULL;
    (void)open_stream(cap, path, &why);
    if (!input_open(cap) && g_error_matches(why, G_FILE_ERROR, G_FILE_ERROR_INTR)) {
        cap->open_interrupted = true; /* not damage: the caller is stopping */
        return false;
    }
    if (!input_open(cap) && g_error_matches(why, TFA_CAPTURE_ERROR_DOMAIN,
                                            TFA_CAPTURE_ERROR_OPEN)) {
        g_propagate_error(error, g_steal_pointer(&why)); /* pcapng: said already */
        return false;
    }
    if (!input_open(cap)) {
        g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_OPEN, "cannot read '%s': %s",
                    name, why->message);
        return false;
    }
    cap->stats.files_opened++;
    if (cap->ng != NULL)
        return true; /* link types and filters are checked as its interfaces come */
    if (!prepare_pcapfile(cap, name, error)) {
        cap->stats.files_damaged++; /* opened, but none of it read */
        return false;
    }
    return true;
}

/* Check the filter's syntax once, before any file is opened, so that a typo
 * is a usage error rather than a damaged input. */
static bool check_filter_syntax(const char *filter, GError **error)
{
    if (filter == NULL || filter[0] == '\0')
        return true;
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, TFA_SNAPLEN_FOR_CHECK);
    if (dead == NULL) {
        g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_FAILED,
                    "cannot check the filter: out of memory");
        return false;
    }
    struct bpf_program prog;
    bool ok = pcap_compile(dead, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) == 0;
    if (ok)
        pcap_freecode(&prog);
    else
        g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_FILTER,
                    "bad filter '%s': %s", filter, pcap_geterr(dead));
    pcap_close(dead);
    return ok;
}

static TfaCapture *capture_alloc(SourceKind kind, const char *filter)
{
    TfaCapture *cap = g_new0(TfaCapture, 1);
    cap->kind = kind;
    cap->filter = filter;
    cap->live_fd = -1;
    cap->nl_fd = -1;
    return cap;
}

TfaCapture *tfa_capture_new_files(const char *const *paths, const char *filter, GError **error)
{
    g_return_val_if_fail(paths != NULL && paths[0] != NULL, NULL);

    if (!check_filter_syntax(filter, error))
        return NULL;
    TfaCapture *cap = capture_alloc(SOURCE_FILES, filter);
    cap->paths = paths;
    /* Only regular files are read ahead: a pipe (tcpdump -w - | ...) is
     * analysed frame by frame as it arrives. */
    cap->readahead_ok = g_get_num_processors() > 1;
    for (guint i = 0; paths[i] != NULL; i++) {
        struct stat st;
        if (strcmp(paths[i], "-") != 0 && stat(paths[i], &st) == 0 && S_ISREG(st.st_mode))
            cap->total_bytes += (guint64)st.st_size;
        else
            cap->readahead_ok = false;
    }
    return cap;
}

TfaCapture *tfa_capture_new_memory(const uint8_t *data, size_t len, const char *filter,
                                   GError **error)
{
    g_autoptr(TfaCapture) cap = capture_alloc(SOURCE_MEMORY, filter);

    cap->cur_name = "(memory)";
    cap->offset = PCAP_FILE_HEADER_LEN;
    cap->cur_is_pcap = tfa_stream_classic_magic(data, len);
    if (len == 0) {
        g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_OPEN,
                    "cannot read '(memory)': empty capture");
        return NULL;
    }
    if (tfa_pcapng_magic(data, len)) {
        if (!open_pcapng(cap, data, len, cap->cur_name, error))
            return NULL;
        cap->stats.files_opened++;
        return g_steal_pointer(&cap);
    }
    /* classic pcap (or not a capture): records read in place */
    g_autoptr(GError) why = NULL;
    cap->pf = tfa_pcapfile_new_memory(data, len, &why);
    if (cap->pf == NULL) {
        g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_OPEN,
                    "cannot read '(memory)': %s", why->message);
        return NULL;
    }
    cap->pf_seekable = true; /* as a FILE of fmemopen() could tell */
    cap->stats.files_opened++;
    if (!prepare_pcapfile(cap, cap->cur_name, error))
        return NULL;
    return g_steal_pointer(&cap);
}

static TfaCaptureErrorCode activate_error_code(int rc)
{
    switch (rc) {
    case PCAP_ERROR_PERM_DENIED:
    case PCAP_ERROR_PROMISC_PERM_DENIED:
        return TFA_CAPTURE_ERROR_PERMISSION;
    case PCAP_ERROR_NO_SUCH_DEVICE:
    case PCAP_ERROR_IFACE_NOT_UP:
        return TFA_CAPTURE_ERROR_NO_DEVICE;
    default:
        return TFA_CAPTURE_ERROR_OPEN;
    }
}

/* Open and activate a handle on cap->live_opts.device: *rc_out gets
 * pcap_activate()'s result (0 when it did not get that far).
 *
 * Immediate mode, on Linux, is not libpcap's: libpcap 1.10 then switches to
 * a TPACKET_V2 ring of fixed slots, one per packet, each as large as the
 * snapshot length plus 96 bytes, so its default buffer (2 MiB) holds 8
 * packets on the any device (32 on lo, whose frames libpcap sizes by the
 * MTU), and every packet of a burst beyond them is dropped.  Instead the
 * TPACKET_V3 ring of the default mode is kept and its blocks are handed
 * over every TFA_CAPTURE_IMMEDIATE_TIMEOUT_MS instead of every timeout_ms,
 * with a larger default buffer so that a reader held up for a while still
 * has blocks to spare (capture.h). */
static pcap_t *open_live_handle(TfaCapture *cap, int *rc_out, GError **error)
{
    const TfaCaptureLiveOptions *o = &cap->live_opts;
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    *rc_out = 0;
    pcap_t *p = pcap_create(o->device, errbuf);
    if (p == NULL) {
        g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_OPEN,
                    "cannot capture on '%s': %s", o->device, errbuf);
        return NULL;
    }
    int buffer_size = o->buffer_size;
    int timeout_ms = o->timeout_ms;
    bool immediate = o->immediate;
#ifdef __linux__
    if (o->immediate) {
        immediate = false;
        timeout_ms = TFA_CAPTURE_IMMEDIATE_TIMEOUT_MS;
        if (buffer_size <= 0)
            buffer_size = TFA_CAPTURE_IMMEDIATE_BUFFER;
    }
#endif
    pcap_set_snaplen(p, o->snaplen);
    pcap_set_promisc(p, o->promisc ? 1 : 0);
    pcap_set_timeout(p, timeout_ms);
    pcap_set_immediate_mode(p, immediate ? 1 : 0);
    if (buffer_size > 0)
        pcap_set_buffer_size(p, buffer_size);
    pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);
    int rc = pcap_activate(p);
    *rc_out = rc;
    if (rc < 0) {
        const char *why = pcap_geterr(p);
        if (rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_PROMISC_PERM_DENIED)
            g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_PERMISSION,
                        "cannot capture on '%s': %s (capturing needs root or the CAP_NET_RAW "
                        "capability%s)",
                        o->device, why,
                        rc == PCAP_ERROR_PROMISC_PERM_DENIED ? ", promiscuous mode CAP_NET_ADMIN"
                                                             : "");
        else
            g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, activate_error_code(rc),
                        "cannot capture on '%s': %s", o->device,
                        why != NULL && why[0] != '\0' ? why : pcap_statustostr(rc));
        pcap_close(p);
        return NULL;
    }
    return p;
}

/* The handle just opened: link type and filter checked, non-blocking, its
 * descriptor waited on by read_live(). */
static bool start_live_handle(TfaCapture *cap, GError **error)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    if (!prepare_handle(cap, cap->live_opts.device, error))
        return false;
    /* libpcap's read timeout does not fire while no packet arrives (Linux
     * TPACKET_V3): wait on the descriptor ourselves so the clock moves on
     * a quiet link. */
    cap->live_fd = pcap_get_selectable_fd(cap->p);
    if (cap->live_fd >= 0 && pcap_setnonblock(cap->p, 1, errbuf) != 0)
        cap->live_fd = -1;
    return true;
}

/* Queue a message for the caller (TFA_CAPTURE_NOTICE), released after
 * twice the read timeout.  Only a flapping link fills the queue: then the
 * newest message is not kept, but what it would have done still is. */
static void link_notice(TfaCapture *cap, char *msg, bool begins_gap, bool closes_handle)
{
    gint64 at = g_get_monotonic_time() + (gint64)cap->timeout_ms * 2 * 1000;
    if (cap->n_notices == TFA_LINK_NOTICES) {
        LinkNotice *last = &cap->notices[TFA_LINK_NOTICES - 1];
        last->begins_gap |= begins_gap;
        last->closes_handle |= closes_handle;
        g_free(msg);
        return;
    }
    cap->notices[cap->n_notices++] =
        (LinkNotice){.msg = msg, .release_at = at, .begins_gap = begins_gap,
                     .closes_handle = closes_handle};
}

static double link_seconds(const TfaCapture *cap)
{
    return (double)(g_get_monotonic_time() - cap->link_since) / G_USEC_PER_SEC;
}

/* The interface went down or away: a gap in the capture begins. */
static void link_lost(TfaCapture *cap, LinkState to)
{
    bool was_up = cap->link == LINK_UP;
    if (was_up)
        cap->link_since = g_get_monotonic_time();
    if (to == LINK_GONE) {
        read_kernel_stats(cap); /* the last good counters, before the state says gone */
        cap->link = LINK_GONE;
        cap->gone_since = g_get_monotonic_time();
        link_notice(cap,
                    g_strdup_printf("'%s' disappeared (interface index %u deleted): waiting up "
                                    "to %d s for an interface of that name; connections open "
                                    "now are marked capture_drops_during",
                                    cap->live_device, cap->live_ifindex,
                                    TFA_CAPTURE_GONE_GRACE_S),
                    was_up, true);
        return;
    }
    if (was_up)
        link_notice(cap,
                    g_strdup_printf("'%s' went down: nothing is captured until it is up again; "
                                    "connections open now are marked capture_drops_during",
                                    cap->live_device),
                    true, false);
    cap->link = LINK_DOWN;
}

/* The capture cannot go on on the interface that came back: it ends as
 * if the interface had not (read_live() says why, with DAMAGED). */
static void link_give_up(TfaCapture *cap, char *why)
{
    g_free(cap->end_msg);
    cap->end_msg = why;
}

/* An interface named like ours, of index @ifindex, is up while ours is
 * gone: capture on it, or give up when that cannot be (a -w file of
 * another link type, root given up with -Z, a filter it refuses); one that
 * went away or down again is waited for. */
static void link_replaced(TfaCapture *cap, unsigned ifindex)
{
    int rc;
    g_autoptr(GError) why = NULL;
    cap->p = open_live_handle(cap, &rc, &why);
    if (cap->p == NULL) {
        if (rc != PCAP_ERROR_NO_SUCH_DEVICE && rc != PCAP_ERROR_IFACE_NOT_UP)
            link_give_up(cap, g_strdup_printf("'%s' came back (index %u) but %s", cap->live_device,
                                              ifindex, why->message));
        return; /* else gone or down again: the next event says */
    }
    if (cap->dumper != NULL && pcap_datalink(cap->p) != cap->live_linktype) {
        link_give_up(cap, g_strdup_printf("'%s' came back (index %u) with link type %d, not %d: "
                                          "the -w file cannot go on",
                                          cap->live_device, ifindex, pcap_datalink(cap->p),
                                          cap->live_linktype));
        pcap_close(cap->p);
        cap->p = NULL;
        return;
    }
    if (!start_live_handle(cap, &why)) { /* it closed the handle */
        link_give_up(cap, g_strdup_printf("'%s' came back (index %u) but %s", cap->live_device,
                                          ifindex, why->message));
        return;
    }
    link_notice(cap,
                g_strdup_printf("'%s' is back as a new interface (index %u, was %u) after "
                                "%.1f s: capture reopened; nothing was captured in between",
                                cap->live_device, ifindex, cap->live_ifindex, link_seconds(cap)),
                false, false);
    cap->live_ifindex = ifindex;
    cap->link = LINK_UP;
}

/* One link event (or what a resync found): RTM_NEWLINK or RTM_DELLINK. */
static void link_event(TfaCapture *cap, int type, unsigned ifindex, unsigned flags,
                       const char *name)
{
    if (cap->link == LINK_FINISHED || cap->end_msg != NULL)
        return;
    if (ifindex == cap->live_ifindex && cap->link != LINK_GONE) {
        if (type == RTM_DELLINK) {
            link_lost(cap, LINK_GONE);
        } else if ((flags & IFF_UP) == 0) {
            link_lost(cap, LINK_DOWN);
        } else if (cap->link == LINK_DOWN) {
            link_notice(cap,
                        g_strdup_printf("'%s' is up again after %.1f s: the capture goes on "
                                        "(nothing was captured in between)",
                                        cap->live_device, link_seconds(cap)),
                        false, false);
            cap->link = LINK_UP;
        }
        return;
    }
    if (cap->link == LINK_GONE && cap->p == NULL && type == RTM_NEWLINK &&
        (flags & IFF_UP) != 0 && name != NULL && strcmp(name, cap->live_device) == 0)
        link_replaced(cap, ifindex);
}

/* Ask the kernel how the interface stands now (at open, and when link
 * events were lost). */
static void link_resync(TfaCapture *cap)
{
    unsigned ifindex = if_nametoindex(cap->live_device);
    if (ifindex != cap->live_ifindex && cap->link != LINK_GONE)
        link_lost(cap, LINK_GONE);
    if (ifindex == 0)
        return;
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0)
        return;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof(ifr));
    g_strlcpy(ifr.ifr_name, cap->live_device, sizeof(ifr.ifr_name));
    bool ok = ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
    close(s);
    if (ok)
        link_event(cap, RTM_NEWLINK, ifindex, (unsigned)(unsigned short)ifr.ifr_flags,
                   cap->live_device);
}

#ifdef TFA_HAVE_RTNETLINK
/* Subscribe to link events before the handle is activated, so that none
 * between the two is missed.  Without it the interface is not followed. */
static void link_watch_open(TfaCapture *cap)
{
    if (strcmp(cap->live_device, "any") == 0)
        return;
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0)
        return;
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK};
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        close(fd);
        return;
    }
    cap->nl_fd = fd;
    cap->nl_buf = g_malloc(TFA_LINK_EVENT_BUFFER);
}

/* Read every link event waiting. */
static void link_watch_read(TfaCapture *cap)
{
    for (;;) {
        ssize_t n = recv(cap->nl_fd, cap->nl_buf, TFA_LINK_EVENT_BUFFER, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == ENOBUFS) {
            link_resync(cap); /* events were lost: ask */
            continue;
        }
        if (n <= 0)
            return;
        size_t len = (size_t)n;
        for (struct nlmsghdr *nh = (struct nlmsghdr *)(void *)cap->nl_buf; NLMSG_OK(nh, len);
             nh = NLMSG_NEXT(nh, len)) {
            if ((nh->nlmsg_type != RTM_NEWLINK && nh->nlmsg_type != RTM_DELLINK) ||
                nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg)))
                continue;
            const struct ifinfomsg *ifi = NLMSG_DATA(nh);
            const char *name = NULL;
            int alen = (int)IFLA_PAYLOAD(nh);
            for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
                if (a->rta_type == IFLA_IFNAME && RTA_PAYLOAD(a) > 0 &&
                    ((const char *)RTA_DATA(a))[RTA_PAYLOAD(a) - 1] == '\0')
                    name = RTA_DATA(a);
            }
            link_event(cap, nh->nlmsg_type, (unsigned)ifi->ifi_index, ifi->ifi_flags, name);
        }
    }
}
#else
static void link_watch_open(TfaCapture *cap)
{
    (void)cap;
}

static void link_watch_read(TfaCapture *cap)
{
    (void)cap;
}
#endif

TfaCapture *tfa_capture_new_live(const TfaCaptureLiveOptions *o, const char *filter,
                                 GError **error)
{
    g_autoptr(TfaCapture) cap = capture_alloc(SOURCE_LIVE, filter);

    cap->live_device = g_strdup(o->device);
    cap->live_opts = *o;
    cap->live_opts.device = cap->live_device;
    cap->cur_name = cap->live_device;
    cap->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 200;
    link_watch_open(cap);
    int rc;
    cap->p = open_live_handle(cap, &rc, error);
    if (cap->p == NULL)
        return NULL;
    cap->stats.files_opened++;
    if (!start_live_handle(cap, error))
        return NULL;
    cap->live_linktype = pcap_datalink(cap->p);
    if (cap->nl_fd >= 0) {
        cap->live_ifindex = if_nametoindex(cap->live_device);
        if (cap->live_ifindex == 0) { /* gone already: not followed */
            close(cap->nl_fd);
            cap->nl_fd = -1;
        }
    }
    return g_steal_pointer(&cap);
}

void tfa_capture_free(TfaCapture *cap)
{
    if (cap == NULL)
        return;
    tfa_readahead_free(cap->ra);
    if (cap->dumper != NULL)
        pcap_dump_close(cap->dumper);
    close_current(cap);
    for (guint i = 0; i < cap->n_filters; i++)
        pcap_freecode(&cap->filters[i].prog);
    if (cap->nl_fd >= 0)
        close(cap->nl_fd);
    g_free(cap->nl_buf);
    for (guint i = 0; i < cap->n_notices; i++)
        g_free(cap->notices[i].msg);
    g_free(cap->live_device);
    g_free(cap->end_msg);
    g_free(cap);
}

gboolean tfa_capture_dump_to(TfaCapture *cap, const char *path, GError **error)
{
    g_return_val_if_fail(cap->p != NULL, FALSE);
    cap->dumper = pcap_dump_open(cap->p, path);
    if (cap->dumper == NULL) {
        g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_OPEN,
                    "cannot write '%s': %s", path, pcap_geterr(cap->p));
        return FALSE;
    }
    return TRUE;
}

/* How far into the current file reading stands, in the file's own bytes
 * (for a compressed file, the compressed bytes taken so far). */
static guint64 file_pos(const TfaCapture *cap)
{
    if (cap->stream != NULL && tfa_stream_compression(cap->stream) != TFA_COMPRESSION_NONE)
        return tfa_stream_consumed(cap->stream);
    return cap->offset;
}

/* The current file is damaged: report where, close it, move on. */
static TfaCaptureStatus damaged(TfaCapture *cap, GError **error)
{
    const char *why = cap->pf != NULL   ? tfa_pcapfile_error(cap->pf)
                      : cap->p != NULL ? pcap_geterr(cap->p)
                                       : tfa_pcapng_error(cap->ng);
    if (cap->stream != NULL && tfa_stream_interrupted(cap->stream)) {
        /* a signal ended a blocked read of a pipe: the caller stops */
        close_current(cap);
        return TFA_CAPTURE_BREAK;
    }
    cap->stats.files_damaged++;
    if (cap->stream != NULL && tfa_stream_error(cap->stream) != NULL) {
        g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_DAMAGED,
                    "'%s' is damaged after frame %" G_GUINT64_FORMAT " of this file: its %s; the "
                    "rest of the file is not read",
                    cap->cur_name, cap->frames_in_file, tfa_stream_error(cap->stream));
    } else if (cap->ng != NULL) {
        g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_DAMAGED,
                    "'%s' is damaged at byte offset %" G_GUINT64_FORMAT "%s (after frame %"
                    G_GUINT64_FORMAT " of this file): %s; the rest of the file is not read",
                    cap->cur_name, tfa_pcapng_damage_offset(cap->ng),
                    cap->stream != NULL &&
                            tfa_stream_compression(cap->stream) != TFA_COMPRESSION_NONE
                        ? " of the decompressed data"
                        : "",
                    cap->frames_in_file, why);
    } else if (cap->cur_is_pcap) {
        g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_DAMAGED,
                    "'%s' is damaged at byte offset %" G_GUINT64_FORMAT "%s (after frame %"
                    G_GUINT64_FORMAT " of this file): %s; the rest of the file is not read",
                    cap->cur_name, cap->offset,
                    cap->stream != NULL &&
                            tfa_stream_compression(cap->stream) != TFA_COMPRESSION_NONE
                        ? " of the decompressed data"
                        : "",
                    cap->frames_in_file, why);
    } else {
        /* a variant of the format (Kuznetzov's): where reading stopped,
         * when the input could tell */
        long pos = -1;
        if (cap->pf != NULL && cap->pf_seekable)
            pos = (long)tfa_pcapfile_offset(cap->pf);
        bool compressed = cap->stream != NULL &&
                          tfa_stream_compression(cap->stream) != TFA_COMPRESSION_NONE;
        if (pos >= 0)
            g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_DAMAGED,
                        "'%s' is damaged: reading stopped at byte offset %ld%s (after frame %"
                        G_GUINT64_FORMAT " of this file): %s; the rest of the file is not read",
                        cap->cur_name, pos, compressed ? " of the decompressed data" : "",
                        cap->frames_in_file, why);
        else
            g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_DAMAGED,
                        "'%s' is damaged after frame %" G_GUINT64_FORMAT " of this file: %s; the "
                        "rest of the input is not read",
                        cap->cur_name, cap->frames_in_file, why);
    }
    close_current(cap);
    return TFA_CAPTURE_DAMAGED;
}

/* Nanoseconds since the epoch (the handle reads nanosecond precision).  A
 * damaged or hostile record's seconds are clamped to [0, 2^62 ns] (the year
 * 2116, beyond any classic pcap time): then the difference of any two
 * capture times, and the sum of any two such differences, fits in 64 bits. */
static TfaTs frame_ts(const TfaCapture *cap, const struct pcap_pkthdr *h)
{
    const int64_t limit = (INT64_C(1) << 62) / TFA_NSEC_PER_SEC;
    int64_t sec = (int64_t)h->ts.tv_sec;
    /* classic pcap's seconds are unsigned 32-bit (valid to 2106); libpcap
     * 1.10 hands them over sign-extended, so times after January 2038
     * would come out before 1970 */
    if (cap->cur_is_pcap && sec < 0 && sec >= INT32_MIN)
        sec = (int64_t)(uint32_t)sec;
    if (sec > limit)
        sec = limit;
    else if (sec < 0)
        sec = 0;
    return (TfaTs)sec * TFA_NSEC_PER_SEC + (TfaTs)h->ts.tv_usec;
}

/* The filter's program for @linktype, compiled the first time it is
 * needed; NULL with *error set when it cannot be. */
static const struct bpf_program *filter_for(TfaCapture *cap, int linktype, GError **error)
{
    for (guint i = 0; i < cap->n_filters; i++) {
        if (cap->filters[i].linktype == linktype)
            return &cap->filters[i].prog;
    }
    const char *lt = pcap_datalink_val_to_name(linktype);
    if (cap->n_filters == TFA_CAPTURE_MAX_FILTERS) {
        g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_FILTER,
                    "'%s': more than %d link types to compile the filter for", cap->cur_name,
                    TFA_CAPTURE_MAX_FILTERS);
        return NULL;
    }
    pcap_t *dead = pcap_open_dead(linktype, TFA_SNAPLEN_FOR_FILTER);
    LinkFilter *lf = &cap->filters[cap->n_filters];
    if (dead == NULL || pcap_compile(dead, &lf->prog, cap->filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
        g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_FILTER,
                    "cannot compile filter '%s' for '%s' (link type %s, %d): %s", cap->filter,
                    cap->cur_name, lt != NULL ? lt : "unknown", linktype,
                    dead != NULL ? pcap_geterr(dead) : "out of memory");
        if (dead != NULL)
            pcap_close(dead);
        return NULL;
    }
    pcap_close(dead);
    lf->linktype = linktype;
    cap->n_filters++;
    return &lf->prog;
}

/* The next frame of the current pcapng file.  END: the file ended (it is
 * closed, the caller goes on with the next).  Frames of a link type the
 * decoder does not know pass without the filter and are counted by the
 * decoder; a file none of whose interfaces has a decoded link type is
 * skipped at its first packet, as a classic file of such a type is. */
static TfaCaptureStatus read_pcapng(TfaCapture *cap, TfaFrame *frame, GError **error)
{
    bool filtering = cap->filter != NULL && cap->filter[0] != '\0';
    for (;;) {
        TfaPcapngPacket pk;
        TfaPcapngStatus st = tfa_pcapng_next(cap->ng, &pk);
        cap->offset = tfa_pcapng_offset(cap->ng);
        if (st == TFA_PCAPNG_IFACE) {
            if (cap->ng_first_linktype < 0)
                cap->ng_first_linktype = pk.linktype;
            if (!tfa_decode_linktype_supported(pk.linktype))
                continue;
            cap->ng_any_decoded = true;
            if (filtering && filter_for(cap, pk.linktype, error) == NULL) {
                cap->stats.files_damaged++;
                close_current(cap);
                return TFA_CAPTURE_DAMAGED;
            }
            continue;
        }
        if (st == TFA_PCAPNG_END) {
            if (cap->kind == SOURCE_FILES)
                cap->done_bytes = cap->done_before + file_pos(cap);
            close_current(cap);
            return TFA_CAPTURE_END;
        }
        if (st == TFA_PCAPNG_DAMAGED)
            return damaged(cap, error);
        if (!cap->ng_seen_packet) {
            cap->ng_seen_packet = true;
            if (!cap->ng_any_decoded) {
                const char *lt = pcap_datalink_val_to_name(cap->ng_first_linktype);
                g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_LINKTYPE,
                            "'%s': link type %s (%d) is not decoded; file skipped",
                            cap->cur_name, lt != NULL ? lt : "unknown", cap->ng_first_linktype);
                cap->stats.files_damaged++;
                close_current(cap);
                return TFA_CAPTURE_DAMAGED;
            }
        }
        if (filtering && tfa_decode_linktype_supported(pk.linktype)) {
            const struct bpf_program *prog = filter_for(cap, pk.linktype, NULL);
            struct pcap_pkthdr h = {.caplen = pk.caplen, .len = pk.wirelen};
            if (prog == NULL || pcap_offline_filter(prog, &h, pk.data) == 0)
                continue;
        }
        frame->frame_no = ++cap->frame_no;
        frame->ts = pk.ts;
        frame->caplen = pk.caplen;
        frame->wirelen = pk.wirelen;
        frame->linktype = pk.linktype;
        frame->bytes = pk.data;
        frame->decoded = NULL;
        cap->frames_in_file++;
        cap->stats.frames++;
        cap->stats.bytes += pk.caplen;
        return TFA_CAPTURE_FRAME;
    }
}

/* The next frame of the current classic pcap file: the records libpcap's
 * pcap_next_ex() gave, the filter applied as its pcap_offline_read() does.
 * END: the file ended (it is closed, the caller goes on with the next). */
static TfaCaptureStatus read_pcapfile(TfaCapture *cap, TfaFrame *frame, GError **error)
{
    for (;;) {
        struct pcap_pkthdr h;
        const uint8_t *data;
        TfaPcapFileStatus st = tfa_pcapfile_next(cap->pf, &h, &data);
        if (st == TFA_PCAPFILE_END) {
            if (cap->kind == SOURCE_FILES)
                cap->done_bytes = cap->done_before + file_pos(cap);
            close_current(cap);
            return TFA_CAPTURE_END;
        }
        if (st == TFA_PCAPFILE_DAMAGED) {
            cap->offset = tfa_pcapfile_record_offset(cap->pf); /* where the damage is */
            return damaged(cap, error);
        }
        /* the next record's offset, frames the filter drops and the bytes
         * past a snapshot length counted too */
        cap->offset = tfa_pcapfile_offset(cap->pf);
        if (cap->pf_filtering && pcap_offline_filter(&cap->pf_prog, &h, data) == 0)
            continue;
        frame->frame_no = ++cap->frame_no;
        frame->ts = frame_ts(cap, &h);
        frame->caplen = h.caplen;
        frame->wirelen = h.len;
        frame->linktype = tfa_pcapfile_linktype(cap->pf);
        frame->bytes = data;
        frame->decoded = NULL;
        cap->frames_in_file++;
        cap->stats.frames++;
        cap->stats.bytes += h.caplen;
        return TFA_CAPTURE_FRAME;
    }
}

/* Release the oldest link notice: count the gap it begins, close the
 * handle of a deleted interface (and look for its successor at once). */
static void link_release(TfaCapture *cap, GError **error)
{
    LinkNotice n = cap->notices[0];
    cap->n_notices--;
    memmove(cap->notices, cap->notices + 1, sizeof(cap->notices[0]) * cap->n_notices);
    if (n.begins_gap)
        cap->stats.iface_gaps++;
    if (n.closes_handle && cap->p != NULL) {
        cap->drops_before = cap->stats.kernel_drops;
        cap->ifdrops_before = cap->stats.iface_drops;
        pcap_close(cap->p);
        cap->p = NULL;
        cap->live_fd = -1;
    }
    g_set_error_literal(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_NO_DEVICE, n.msg);
    g_free(n.msg);
    if (n.closes_handle && cap->link == LINK_GONE)
        link_resync(cap); /* its successor may be up already */
}

/* Live: the next frame, TIMEOUT after a quiet wait, NOTICE when the link
 * changed (the message in *error), DAMAGED once when the interface is gone
 * for good, then END. */
static TfaCaptureStatus read_live(TfaCapture *cap, TfaFrame *frame, GError **error)
{
    for (;;) {
        gint64 now = g_get_monotonic_time();
        if (cap->n_notices > 0 && now >= cap->notices[0].release_at &&
            (cap->live_drained || now >= cap->notices[0].release_at + cap->timeout_ms * 1000)) {
            link_release(cap, error);
            return TFA_CAPTURE_NOTICE;
        }
        if (cap->link == LINK_FINISHED)
            return TFA_CAPTURE_END;
        if (cap->link == LINK_GONE && cap->n_notices == 0 && cap->p == NULL &&
            cap->end_msg == NULL &&
            now - cap->gone_since >= (gint64)TFA_CAPTURE_GONE_GRACE_S * G_USEC_PER_SEC)
            cap->end_msg = g_strdup_printf("'%s' disappeared and no interface of that name came "
                                           "up within %d s",
                                           cap->live_device, TFA_CAPTURE_GONE_GRACE_S);
        if (cap->end_msg != NULL && cap->n_notices == 0) {
            cap->link = LINK_FINISHED;
            g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_NO_DEVICE,
                        "%s: the capture ends; everything captured until then is reported",
                        cap->end_msg);
            return TFA_CAPTURE_DAMAGED;
        }
        /* a deleted interface's handle is only drained: libpcap 1.10 then
         * fails at once whenever its ring is empty */
        if (cap->p != NULL && !(cap->link == LINK_GONE && cap->live_drained)) {
            struct pcap_pkthdr *h;
            const u_char *data;
            int rc = pcap_next_ex(cap->p, &h, &data);
            if (rc == 1) {
                cap->live_drained = false;
                frame->frame_no = ++cap->frame_no;
                frame->ts = frame_ts(cap, h);
                frame->caplen = h->caplen;
                frame->wirelen = h->len;
                frame->linktype = pcap_datalink(cap->p);
                frame->bytes = data;
                frame->decoded = NULL;
                cap->frames_in_file++;
                cap->stats.frames++;
                cap->stats.bytes += h->caplen;
                if (cap->dumper != NULL)
                    pcap_dump((u_char *)cap->dumper, h, data);
                return TFA_CAPTURE_FRAME;
            }
            if (rc == PCAP_ERROR_BREAK) {
                close_current(cap);
                return TFA_CAPTURE_END;
            }
            cap->live_drained = true;
            if (rc < 0 && cap->link != LINK_GONE) {
                /* libpcap 1.10 says "The interface disappeared" when the
                 * socket's interface was deleted (a down interface it passes
                 * over in silence: the link events say it) */
                if (cap->nl_fd >= 0) {
                    link_watch_read(cap);
                    if (cap->link != LINK_GONE)
                        link_resync(cap);
                }
                if (cap->link != LINK_GONE) {
                    g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_FAILED,
                                "capture on '%s' failed: %s", cap->cur_name,
                                pcap_geterr(cap->p));
                    close_current(cap);
                    return TFA_CAPTURE_ERROR;
                }
            }
            /* nothing waiting (non-blocking) or libpcap's timeout */
            if (cap->live_fd < 0 && cap->nl_fd < 0)
                return TFA_CAPTURE_TIMEOUT;
        }
        struct pollfd pfd[2];
        nfds_t nfd = 0;
        if (cap->p != NULL && cap->live_fd >= 0)
            pfd[nfd++] = (struct pollfd){.fd = cap->live_fd, .events = POLLIN};
        if (cap->nl_fd >= 0)
            pfd[nfd++] = (struct pollfd){.fd = cap->nl_fd, .events = POLLIN};
        if (nfd == 0 && cap->n_notices == 0)
            return TFA_CAPTURE_END;
        int wait_ms = cap->timeout_ms;
        if (cap->n_notices > 0)
            wait_ms = (int)CLAMP((cap->notices[0].release_at - now) / 1000 + 1, 0, wait_ms);
        int n = poll(pfd, nfd, wait_ms);
        if (n == 0 || (n < 0 && errno == EINTR))
            return TFA_CAPTURE_TIMEOUT; /* quiet, or a signal for the caller */
        if (n < 0) {
            g_set_error(error, TFA_CAPTURE_ERROR_DOMAIN, TFA_CAPTURE_ERROR_FAILED,
                        "capture on '%s' failed: poll: %s", cap->cur_name, g_strerror(errno));
            close_current(cap);
            return TFA_CAPTURE_ERROR;
        }
        if (nfd > 0 && pfd[0].fd == cap->live_fd && pfd[0].revents != 0)
            cap->live_drained = false; /* readable: read it */
        if (cap->nl_fd >= 0 && pfd[nfd - 1].revents != 0)
            link_watch_read(cap);
    }
}

/* The next result from the handle (on the reader thread when reading ahead). */
static TfaCaptureStatus read_frame(TfaCapture *cap, TfaFrame *frame, GError **error)
{
    if (cap->kind == SOURCE_LIVE)
        return read_live(cap, frame, error);
    for (;;) {
        if (!input_open(cap)) {
            if (cap->kind != SOURCE_FILES || cap->paths[cap->next_path] == NULL)
                return TFA_CAPTURE_END;
            if (!open_next_file(cap, error)) {
                if (!cap->open_interrupted)
                    return TFA_CAPTURE_DAMAGED;
                cap->open_interrupted = false;
                return TFA_CAPTURE_BREAK;
            }
        }

        if (cap->ng != NULL || cap->pf != NULL) {
            TfaCaptureStatus st = cap->ng != NULL ? read_pcapng(cap, frame, error)
                                                  : read_pcapfile(cap, frame, error);
            if (st == TFA_CAPTURE_END)
                continue; /* this file ended: the next one */
            return st;
        }

        struct pcap_pkthdr *h;
        const u_char *data;
        int rc = pcap_next_ex(cap->p, &h, &data);
        if (rc == 1) {
            frame->frame_no = ++cap->frame_no;
            frame->ts = frame_ts(cap, h);
            frame->caplen = h->caplen;
            frame->wirelen = h->len;
            frame->linktype = pcap_datalink(cap->p);
            frame->bytes = data;
            frame->decoded = NULL;
            cap->offset += PCAP_RECORD_HEADER_LEN + h->caplen;
            cap->frames_in_file++;
            cap->stats.frames++;
            cap->stats.bytes += h->caplen;
            if (cap->dumper != NULL)
                pcap_dump((u_char *)cap->dumper, h, data);
            return TFA_CAPTURE_FRAME;
        }
        if (rc == 0)
            return TFA_CAPTURE_TIMEOUT; /* offline handles do not return 0 */
        if (rc == PCAP_ERROR_BREAK) {
            /* end of this file */
            if (cap->kind == SOURCE_FILES)
                cap->done_bytes = cap->done_before + file_pos(cap);
            close_current(cap);
            continue;
        }
        return damaged(cap, error);
    }
}

static guint64 progress_done(const TfaCapture *cap)
{
    return input_open(cap) ? cap->done_before + file_pos(cap) : cap->done_bytes;
}

/* TfaReadFunc: read_frame, and where it left the reading. */
static TfaCaptureStatus read_ahead_one(void *ctx, TfaFrame *frame, TfaReadPos *pos,
                                       GError **error)
{
    TfaCapture *cap = ctx;
    TfaCaptureStatus st = read_frame(cap, frame, error);
    pos->name = cap->cur_name;
    pos->files_opened = cap->stats.files_opened;
    pos->files_damaged = cap->stats.files_damaged;
    pos->done_bytes = progress_done(cap);
    return st;
}

/* TfaPrepareFunc: decoding needs nothing but the frame, so it is done on
 * the reader thread too. */
static void decode_ahead(const TfaFrame *frame, void *out)
{
    TfaDecoded *d = out;
    d->status = tfa_decode_frame(frame, &d->seg, &d->why);
}

TfaCaptureStatus tfa_capture_next(TfaCapture *cap, TfaFrame *frame, GError **error)
{
    if (!cap->readahead_ok)
        return read_frame(cap, frame, error);
    if (cap->ra == NULL)
        cap->ra = tfa_readahead_new(read_ahead_one, decode_ahead, sizeof(TfaDecoded), cap);
    const void *decoded;
    TfaCaptureStatus st = tfa_readahead_next(cap->ra, frame, &decoded, &cap->seen, error);
    if (st == TFA_CAPTURE_FRAME) {
        frame->decoded = decoded;
        cap->frames_taken++;
        cap->bytes_taken += frame->caplen;
    }
    return st;
}

void tfa_capture_get_stats(TfaCapture *cap, TfaCaptureStats *stats)
{
    if (cap->ra != NULL) {
        memset(stats, 0, sizeof(*stats));
        stats->files_opened = cap->seen.files_opened;
        stats->files_damaged = cap->seen.files_damaged;
        stats->frames = cap->frames_taken;
        stats->bytes = cap->bytes_taken;
        return;
    }
    read_kernel_stats(cap);
    *stats = cap->stats;
}

bool tfa_capture_is_live(const TfaCapture *cap)
{
    return cap->kind == SOURCE_LIVE;
}

void tfa_capture_progress(const TfaCapture *cap, guint64 *done, guint64 *total)
{
    *total = cap->total_bytes;
    *done = cap->ra != NULL ? cap->seen.done_bytes : progress_done(cap);
}
