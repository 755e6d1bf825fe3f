/* wlan.c - IEEE 802.11 data frames (IEEE Std 802.11-2020 §9.2-9.3): the
 * plain link type, behind a radiotap header, behind a PPI header, and inside
 * the tunnels that carry 802.11 (CAPWAP, Aruba GRE).
 *
 * A data frame's MAC header is the frame control, duration, three addresses
 * and sequence control; a fourth address when both To DS and From DS are
 * set (a wireless distribution system), the QoS control field in QoS
 * subtypes and the HT control field when a QoS frame has the +HTC/Order bit.
 * The body is an 802.2 LLC/SNAP header with an Ethernet OUI and an ethertype
 * (RFC 1042 / 802.1H).  Frames with the Protected bit carry encrypted bodies
 * (WEP, TKIP, CCMP, GCMP): counted as DECODE_ENCRYPTED, not decoded.
 * Management, control and null data frames carry no IP (DECODE_NOT_IP), nor
 * do A-MSDU aggregates and non-first fragments, which are not reassembled.
 * Multi-byte 802.11 and radiotap fields are little-endian.
 */
#include "config.h"

#include "decode-private.h"

#define FC_TYPE_DATA 2u
#define FC_TO_DS 0x01u
#define FC_FROM_DS 0x02u
#define FC_PROTECTED 0x40u
#define FC_ORDER 0x80u
#define SUBTYPE_QOS 0x08u
#define SUBTYPE_NO_DATA 0x04u
#define QOS_AMSDU 0x80u

#define RADIOTAP_TSFT 0x00000001u
#define RADIOTAP_FLAGS 0x00000002u
#define RADIOTAP_EXT 0x80000000u
#define RADIOTAP_F_DATAPAD 0x20u
/* More presence words than this is not a real radiotap header. */
#define MAX_RADIOTAP_WORDS 16

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static TfaDiag short_read(bool cut)
{
    return cut ? TFA_DIAG_DECODE_TRUNCATED : TFA_DIAG_DECODE_BAD_LINK_HEADER;
}

bool tfa_decode_ieee80211(const uint8_t *b, uint32_t cap, bool cut, unsigned how, TfaSegment *seg,
                          TfaLinkResult *res, TfaDiag *diag)
{
    if (cap < 2) {
        *diag = short_read(cut);
        return false;
    }
    uint8_t fc0 = b[0], fc1 = b[1];
    if ((how & TFA_WLAN_FC_SWAPPED) && (fc0 & 0x03u) != 0 && (fc1 & 0x03u) == 0) {
        /* the frame control's bytes swapped, as some CAPWAP access points
         * send them: the flags byte first (its To/From DS bits are where
         * the version belongs), the type byte second */
        fc0 = b[1];
        fc1 = b[0];
    }
    if ((fc0 & 0x03u) != 0) { /* protocol version 0 is the only one */
        *diag = TFA_DIAG_DECODE_BAD_LINK_HEADER;
        return false;
    }
    uint8_t type = (uint8_t)((fc0 >> 2) & 0x03u);
    uint8_t subtype = (uint8_t)(fc0 >> 4);
    if (type != FC_TYPE_DATA || (subtype & SUBTYPE_NO_DATA) != 0) {
        *diag = TFA_DIAG_DECODE_NOT_IP; /* management, control, (QoS) null */
        return false;
    }
    uint32_t hlen = 24;
    if ((fc1 & (FC_TO_DS | FC_FROM_DS)) == (FC_TO_DS | FC_FROM_DS))
        hlen += 6; /* address 4 */
    bool qos = (subtype & SUBTYPE_QOS) != 0;
    uint32_t qos_off = hlen;
    if (qos)
        hlen += 2 + ((fc1 & FC_ORDER) ? 4u : 0u); /* QoS control, HT control */
    if (cap < hlen) {
        *diag = short_read(cut);
        return false;
    }
    uint16_t seqctl = le16(b + 22);
    if ((seqctl & 0x000fu) != 0) { /* a later fragment: no headers in it */
        *diag = TFA_DIAG_DECODE_NOT_IP;
        return false;
    }
    if (qos && (b[qos_off] & QOS_AMSDU) != 0) {
        *diag = TFA_DIAG_DECODE_NOT_IP; /* A-MSDU: several packets, not decoded */
        return false;
    }
    if (fc1 & FC_PROTECTED) {
        *diag = TFA_DIAG_DECODE_ENCRYPTED;
        return false;
    }
    if (how & TFA_WLAN_DATAPAD)
        hlen = (hlen + 3u) & ~3u; /* radiotap: body aligned to 4 bytes */
    if (cap < hlen + 8) {
        *diag = cut ? TFA_DIAG_DECODE_TRUNCATED : TFA_DIAG_DECODE_NOT_IP;
        return false;
    }
    const uint8_t *llc = b + hlen;
    if (llc[0] != 0xaa || llc[1] != 0xaa || llc[2] != 0x03 || llc[3] != 0 || llc[4] != 0 ||
        (llc[5] != 0 && llc[5] != 0xf8)) {
        *diag = TFA_DIAG_DECODE_NOT_IP;
        return false;
    }
    return tfa_decode_ethertype_at(b, hlen + 6, cap, cut, seg, res, diag);
}

bool tfa_decode_radiotap(const uint8_t *b, uint32_t cap, bool cut, TfaSegment *seg,
                         TfaLinkResult *res, TfaDiag *diag)
{
    /* version 0, pad, length, then presence words chained by bit 31 */
    if (cap < 8) {
        *diag = short_read(cut);
        return false;
    }
    uint32_t rlen = le16(b + 2);
    if (b[0] != 0 || rlen < 8) {
        *diag = TFA_DIAG_DECODE_BAD_LINK_HEADER;
        return false;
    }
    if (rlen > cap) {
        *diag = short_read(cut);
        return false;
    }
    uint32_t present = le32(b + 4);
    uint32_t off = 8, words = 1;
    for (uint32_t p = present; (p & RADIOTAP_EXT) != 0; words++) {
        if (words >= MAX_RADIOTAP_WORDS || off + 4 > rlen) {
            *diag = TFA_DIAG_DECODE_BAD_LINK_HEADER;
            return false;
        }
        p = le32(b + off);
        off += 4;
    }
    /* the Flags field says whether the 802.11 header is padded; it follows
     * the 8-byte-aligned TSFT when that is present */
    unsigned how = 0;
    if (present & RADIOTAP_FLAGS) {
        if (present & RADIOTAP_TSFT)
            off = ((off + 7u) & ~7u) + 8;
        if (off + 1 > rlen) {
            *diag = TFA_DIAG_DECODE_BAD_LINK_HEADER;
            return false;
        }
        if (b[off] & RADIOTAP_F_DATAPAD)
            how |= TFA_WLAN_DATAPAD;
    }
    if (!tfa_decode_ieee80211(b + rlen, cap - rlen, cut, how, seg, res, diag))
        return false;
    res->offset += rlen;
    return true;
}
