/* options.h - everything the user can set, parsed once by cli/cli.c.
 *
 * TfaOptions is filled from the command line by tfa_cli_parse() (cli.h),
 * then read-only for the whole run: every other stage gets
 * `const TfaOptions *`.  Every cap and threshold of the program lives here
 * with its default (TFA_DEFAULT_*): tfa_options_init() sets them and --help
 * prints them (tests/unit/cli/test-cli.c checks the two agree, and
 * tests/e2e/cli.py that tcpflow-audit(1) says the same figures).
 */
#pragma once

#include <glib.h>

#include "tcpflow-audit/common.h"

typedef enum TfaFormat {
    TFA_FORMAT_AUTO = 0, /* text on a terminal, jsonl otherwise */
    TFA_FORMAT_TEXT,
    TFA_FORMAT_JSONL,
    TFA_FORMAT_CSV,
    TFA_FORMAT_LADDER,   /* --ladder: sequence diagrams */
    TFA_FORMAT_HTML,     /* one self-contained page with graphs (report/html.c) */
} TfaFormat;

typedef enum TfaColor {
    TFA_COLOR_AUTO = 0,
    TFA_COLOR_ALWAYS,
    TFA_COLOR_NEVER,
} TfaColor;

/* Defaults (documented in tcpflow-audit(1)). */
/* 25000 connections with every per-connection cap full (28 KiB each) keep a
 * hostile capture under 1 GiB: tcpflow-audit(1), Limits, "Memory ceiling". */
#define TFA_DEFAULT_MAX_CONNS 25000u
#define TFA_DEFAULT_MAX_ANOMALIES 256u
#define TFA_DEFAULT_MAX_DETAILS 100u /* text: anomalous connections shown in detail */
#define TFA_DEFAULT_MAX_TRANSITIONS 32u
#define TFA_DEFAULT_IDLE_TIMEOUT (300 * TFA_NSEC_PER_SEC)
#define TFA_DEFAULT_CLOSE_LINGER (3 * TFA_NSEC_PER_SEC)
#define TFA_DEFAULT_MSL (30 * TFA_NSEC_PER_SEC) /* 2*MSL = Linux's 60 s TIME_WAIT */
#define TFA_DEFAULT_SNAPLEN 262144
#define TFA_DEFAULT_LIVE_TIMEOUT_MS 200
#define TFA_DEFAULT_LADDER_ROWS 10000u
#define TFA_DEFAULT_MAX_BUFFER_BYTES (32u * 1024u * 1024u)
#define TFA_DEFAULT_MAX_BUFFER_PER_DIR 16384u
#define TFA_DEFAULT_EXTRACT_MAX_BYTES (G_GUINT64_CONSTANT(64) * 1024 * 1024)
#define TFA_DEFAULT_EXTRACT_MAX_TOTAL (G_GUINT64_CONSTANT(1024) * 1024 * 1024)
#define TFA_DEFAULT_STUCK_AFTER (5 * TFA_NSEC_PER_SEC)
#define TFA_DEFAULT_RST_IDLE (30 * TFA_NSEC_PER_SEC)
#define TFA_DEFAULT_RST_STORM 10u
#define TFA_DEFAULT_LEAK_THRESHOLD 5u
#define TFA_DEFAULT_PILEUP_THRESHOLD 50u
#define TFA_DEFAULT_FLOOD_THRESHOLD 10u
#define TFA_DEFAULT_SCAN_THRESHOLD 10u
#define TFA_DEFAULT_REFUSING_THRESHOLD 3u
/* IP reassembly (defrag.h): Linux's net.ipv4.ipfrag_high_thresh, ipfrag_time */
#define TFA_DEFAULT_MAX_FRAG_BYTES (4u * 1024u * 1024u)
#define TFA_DEFAULT_FRAG_TIMEOUT (30 * TFA_NSEC_PER_SEC)
/* -f html (report/html.c): segments kept per connection for its graphs
 * (decimated beyond, keeping SYN/FIN/RST and anomalies' segments), and
 * kept over all live connections at once (48 bytes each); connections
 * listed in the overview.  Connections drawn: --max-details. */
#define TFA_HTML_POINTS_PER_CONN 2000u
#define TFA_HTML_POINTS_TOTAL 2000000u
#define TFA_HTML_MAX_LISTED 2000u
#define TFA_DEFAULT_HTML_DRAWN 25u /* -f html: --max-details */
#define TFA_HTML_LADDER_ROWS 300u /* segments drawn in one ladder */

typedef struct TfaOptions {
    /* input */
    char **files;      /* NULL-terminated; "-" is stdin */
    char *interface;   /* live capture when set */
    char *filter;      /* BPF expression or NULL */
    int snaplen;
    bool promisc;
    bool immediate;
    int buffer_size;
    guint64 max_packets;  /* -c; 0 = no limit */
    TfaDuration duration; /* --duration; 0 = no limit */
    char *write_file;     /* -w */
    char *drop_user;      /* -Z */

    /* output */
    TfaFormat format;
    TfaColor color;
    bool progress;        /* only when stderr is a terminal */
    bool ladder;          /* draw ladder diagrams instead of records */
    guint ladder_rows;    /* segments kept per connection for the ladder */
    GArray *conn_ids;     /* --conn: report only these ids (guint64), or NULL */
    bool only_anomalous;  /* report only connections with an anomaly of notice or worse */
    guint64 code_mask[2]; /* --code: report only connections with one of these (bit per code) */
    bool code_set;
    int min_severity;     /* --min-severity: -1 none, else a TfaSeverity */
    int fail_on;          /* --fail-on: -1 none, else a TfaSeverity */
    bool at_set;          /* --at: print the netstat view at this time */
    bool at_relative;     /* ... counted from the first frame */
    TfaTs at;

    /* analysis */
    bool verify_checksums;
    TfaDuration idle_timeout;
    TfaDuration close_linger;
    TfaDuration msl;
    TfaDuration stuck_after;  /* CLOSE_WAIT / FIN_WAIT_2 quiet this long: stuck */
    TfaDuration rst_idle;     /* an RST after this much silence: after_idle */
    guint rst_storm;          /* this many RSTs on one connection: RST_STORM */
    guint leak_threshold;     /* CLOSE_WAIT at the end on one service */
    guint pileup_threshold;   /* TIME_WAIT at the end on one service's server side */
    guint flood_threshold;    /* half-open handshakes from distinct sources */
    guint scan_threshold;     /* distinct ports one source tried and failed */
    guint refusing_threshold; /* refused SYNs on a service that accepted none */

    /* caps */
    guint max_conns;
    guint max_anomalies_per_conn;
    guint max_details;          /* text report: connections detailed after the table */
    guint max_transitions_per_endpoint;
    guint64 max_buffer_bytes;   /* retained payload, all connections */
    guint max_buffer_per_dir;   /* retained payload, one direction of one connection */
    guint64 max_frag_bytes;     /* IP fragments held for reassembly; 0: none reassembled */
    TfaDuration frag_timeout;   /* a fragmented datagram not complete by then is given up */
    /* --extract (extract.h) */
    char *extract_dir;          /* or NULL */
    int extract_fd;             /* the directory, open; -1: no extraction */
    guint64 extract_max_bytes;  /* per direction of a connection */
    guint64 extract_max_total;  /* all live connections together */
    int extract_fill;           /* the byte holes are filled with; -1: left out */

    /* scaling (shard.h, merge.h) */
    guint shard_k, shard_n;     /* --shard K/N: only connections of flow-hash shard K; N 0: off */
    bool merge;                 /* --merge: the inputs are shard runs' JSON Lines */
} TfaOptions;

/* Whether connection @id passes --conn. */
bool tfa_options_conn_selected(const TfaOptions *opts, guint64 id);

/* Whether a connection with these anomaly counts (by code) and worst
 * severity (-1: none) passes --only-anomalous, --code and --min-severity. */
bool tfa_options_conn_wanted(const TfaOptions *opts, const guint64 *code_count, int worst);

/* Fill @opts with the defaults. */
void tfa_options_init(TfaOptions *opts);
/* Free what the parser allocated; leaves the defaults. */
void tfa_options_clear(TfaOptions *opts);
