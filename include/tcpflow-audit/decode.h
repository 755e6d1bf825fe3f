/* decode.h - link, IP and TCP decoding of one frame into a TfaSegment.
 *
 * Owns nothing; allocates nothing.  Lends: TfaSegment.payload points into the
 * frame's bytes (valid as long as the frame).  Every read is bounds-checked
 * against the captured length (src/decode/cursor.h); packet bytes are never
 * cast to structs.
 *
 * Link types: Ethernet with 802.1Q/802.1ad tags (outer and inner VLAN ID kept
 * for the connection key), MPLS, PPPoE, LLC/SNAP, 802.1ah PBB, VN-Tag, 802.1BR
 * E-Tag and Cisco FabricPath; Linux cooked v1/v2, raw IP (DLT_RAW, IPV4,
 * IPV6), BSD NULL/LOOP, PPP, Cisco HDLC, IP over InfiniBand, Linux NFLOG, PPI
 * (Ethernet, 802.11, radiotap inside), 802.11 data frames (plain, radiotap,
 * Prism, AVS; protected frames counted as DECODE_ENCRYPTED), ARCNET (RFC
 * 1051/1201, BSD and Linux headers), FDDI, Juniper's header on Ethernet,
 * PPPoE, PPP and Cisco HDLC: exactly the link types
 * tfa_decode_linktype_supported() accepts.  Tunnels (at most 4 deep): IP in
 * IP, GRE (RFC 2784/2890, PPTP, WCCP, ERSPAN I/II/III, Aruba 802.11), VXLAN,
 * VXLAN-GPE, Geneve, GRE-in-UDP, GTP-U, Teredo, AYIYA, CAPWAP data; a UDP
 * tunnel's header is validated before it is followed.  IPv4 with options
 * (RFC 791), fragments flagged and located for reassembly (defrag.h: decode
 * itself is stateless); IPv6 with the
 * extension-header walk (RFC 8200) and the jumbo payload option (RFC 2675).
 * TCP header and options per RFC 9293 §3.1, RFC 7323 (window scale,
 * timestamps), RFC 2018 (SACK).  A snaplen-cut frame keeps its header fields;
 * the payload length comes from the IP header (captured length kept apart).
 */
#pragma once

#include "tcpflow-audit/capture.h"
#include "tcpflow-audit/codes.h"
#include "tcpflow-audit/common.h"
#include "tcpflow-audit/icmp.h"

/* TCP flag bits as in the header's 13th/14th bytes (RFC 9293, RFC 3168). */
#define TFA_TH_FIN 0x001u
#define TFA_TH_SYN 0x002u
#define TFA_TH_RST 0x004u
#define TFA_TH_PSH 0x008u
#define TFA_TH_ACK 0x010u
#define TFA_TH_URG 0x020u
#define TFA_TH_ECE 0x040u
#define TFA_TH_CWR 0x080u
#define TFA_TH_AE  0x100u /* formerly NS (RFC 3540), now AccECN */

#define TFA_MAX_SACK_BLOCKS 4

typedef struct TfaSackBlock {
    uint32_t left;  /* first sequence number of the block */
    uint32_t right; /* sequence number just after the block */
} TfaSackBlock;

typedef struct TfaTcpOpts {
    bool has_mss, has_wscale, sack_permitted, has_ts;
    uint16_t mss;
    uint8_t wscale;       /* as sent; values > 14 are clamped to 14 by receivers (RFC 7323) */
    uint8_t n_sack;
    TfaSackBlock sack[TFA_MAX_SACK_BLOCKS];
    uint32_t tsval, tsecr;
    bool has_tfo;         /* TCP Fast Open cookie (option 34, or experimental 254/0xF989) */
    bool has_mptcp;
    bool has_md5;         /* RFC 2385 */
    uint8_t n_unknown;    /* other options, skipped by their length */
} TfaTcpOpts;

typedef struct TfaSegment {
    /* link */
    uint16_t vlan[2];     /* outer, inner VLAN ID; 0 = none */
    /* IP */
    TfaAddr src, dst;
    uint8_t ip_version;   /* 4 or 6 */
    uint8_t ttl;          /* IPv4 TTL or IPv6 hop limit */
    uint16_t ip_id;       /* IPv4 identification; 0 for IPv6 */
    bool ip_df;
    /* TCP */
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint16_t flags;       /* TFA_TH_* */
    uint16_t window;      /* raw, unscaled */
    uint16_t urg_ptr;
    uint16_t checksum;
    uint8_t th_len;       /* TCP header length in bytes */
    TfaTcpOpts opt;
    /* payload */
    uint32_t payload_len; /* from the IP header (or the frame for jumbo/GSO) */
    uint32_t payload_caplen; /* bytes of it actually captured */
    const uint8_t *payload;  /* borrowed from the frame */
    const uint8_t *tcp_hdr;  /* borrowed: the TCP header, th_len bytes captured */
    /* frame */
    TfaFrameNo frame_no;
    TfaTs ts;
    /* non-fatal problems seen while decoding: bit (1 << TfaDiag) */
    uint32_t diags;
    /* an IP fragment (MF set or an offset; the outermost one when tunnels
     * nest), for reassembly (defrag.h): its IP header, borrowed like
     * payload, or NULL; the packet's length from its IP header, the bytes of
     * it captured, and for IPv6 where its fragment header starts */
    const uint8_t *frag_ip;
    uint32_t frag_len, frag_caplen;
    uint16_t frag_hdr;
    /* an IPComp payload (RFC 3173; ipcomp.h), which the frame was skipped
     * for (DECODE_NOT_TCP): the IP header carrying it and the IPComp header
     * with the bytes after it, borrowed like payload, or NULL */
    const uint8_t *comp_ip, *comp;
    uint32_t comp_len, comp_caplen;
    /* a segment reassembled from fragments (set by the engine): the frame of
     * its first fragment (frame_no is the one that completed it); 0 if not */
    TfaFrameNo frag_first_frame;
    /* TFA_DECODE_ICMP_ERROR: the error (src, dst, sport, dport and seq are
     * then those of the quoted TCP segment, flags and payload zero) */
    TfaIcmpInfo icmp;
} TfaSegment;

typedef enum TfaDecodeStatus {
    TFA_DECODE_TCP = 0,  /* *seg filled (check seg->diags for non-fatal problems) */
    TFA_DECODE_SKIP,     /* not analysable; *diag says why */
    TFA_DECODE_ICMP_ERROR, /* an ICMP error quoting a TCP segment: seg->icmp (see icmp.h) */
} TfaDecodeStatus;

/* A frame decoded ahead of its analysis, on the capture's reader thread
 * (see capture.h): what tfa_decode_frame() gave for it. */
struct TfaDecoded {
    TfaSegment seg;      /* its pointers point into the frame's bytes */
    TfaDecodeStatus status;
    TfaDiag why;
};

/* Decode one frame.  On TFA_DECODE_SKIP, *diag names the reason (a DECODE_*
 * problem, or DECODE_NOT_IP / DECODE_NOT_TCP for frames that are fine but not
 * TCP); seg->diags may also carry non-fatal problems seen before the reason. */
TfaDecodeStatus tfa_decode_frame(const TfaFrame *frame, TfaSegment *seg, TfaDiag *diag);

/* Same, starting at the IP header (no link layer); used by tests and fuzzers. */
TfaDecodeStatus tfa_decode_ip(const uint8_t *bytes, uint32_t caplen, uint32_t wirelen,
                              TfaSegment *seg, TfaDiag *diag);

/* Check the TCP checksum of a decoded segment (RFC 9293 §3.1, pseudo-header
 * of RFC 791 / RFC 8200 §8.1); false when it is wrong.  Only decided when the
 * whole segment was captured (payload_caplen == payload_len); true otherwise. */
bool tfa_decode_tcp_checksum_ok(const TfaSegment *seg);

/* Whether frames of this link type (a DLT_* value) are decoded. */
bool tfa_decode_linktype_supported(int linktype);

/* True for flag combinations no TCP sends (RFC 9293; Zeek/Suricata's lists). */
bool tfa_decode_flags_illegal(uint16_t flags);

/* "SYN", "SYN|ACK", "FIN|PSH|ACK"... into @buf. */
const char *tfa_decode_flags_string(uint16_t flags, char *buf, size_t len);
