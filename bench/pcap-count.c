/* pcap-count.c - the bare libpcap read loop, the baseline of the benchmark.
 *
 * Opens a capture (pcap or pcapng) with nanosecond timestamps, as
 * tcpflow-audit does, reads every frame with pcap_next_ex() and counts
 * frames and captured bytes.  Nothing else: whatever tcpflow-audit takes
 * beyond this is the cost of its analysis.
 *
 * Build:  gcc -O2 -o bench/pcap-count bench/pcap-count.c -lpcap
 * Usage:  pcap-count FILE      prints "PACKETS packets BYTES bytes"
 * Exit:   0 read to the end, 1 read error (counts so far still printed),
 *         2 usage or open error.
 */
#define _DEFAULT_SOURCE 1 /* u_char & co. in <pcap/pcap.h> under -std=c11 */

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

#include <pcap/pcap.h>

int main(int argc, char **argv)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    struct pcap_pkthdr *hdr;
    const u_char *data;
    uint64_t packets = 0, bytes = 0;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    pcap_t *p = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO,
                                                         errbuf);
    if (p == NULL) {
        fprintf(stderr, "pcap-count: %s: %s\n", argv[1], errbuf);
        return 2;
    }
    while ((rc = pcap_next_ex(p, &hdr, &data)) == 1) {
        packets++;
        bytes += hdr->caplen;
    }
    printf("%" PRIu64 " packets %" PRIu64 " bytes\n", packets, bytes);
    if (rc == PCAP_ERROR) {
        fprintf(stderr, "pcap-count: %s: %s\n", argv[1], pcap_geterr(p));
        pcap_close(p);
        return 1;
    }
    pcap_close(p);
    return 0;
}
