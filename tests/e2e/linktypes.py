#!/usr/bin/env python3
"""The corpus captures of the link types and tunnels beyond Ethernet give
their TCP connections: each connection tshark's conversation table
(`tshark -q -z conv,tcp`) lists for the file, with its packets in each
direction, written down here so that the check runs without tshark.

Skips (TAP SKIP) when the corpus directory is absent; a capture that the
reader stops in for another reason than its link type is a TAP SKIP naming
why.
"""
import json
import os
import subprocess
import sys

SRCDIR = os.environ.get("TFA_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("TFA_BIN") or os.path.join(SRCDIR, "tcpflow-audit")
CORPUS = os.environ.get("TFA_CORPUS") or os.path.join(SRCDIR, "..", "shared", "corpus")

# capture -> (what it exercises, [(client, server, client packets, server packets)])
EXPECTED = {
    "tcpdump/tests/arcnet-rfc1051-arp-icmp-http.pcap": (
        "ARCNET (Linux header), RFC 1051 framing",
        [("10.80.131.1:1026", "146.190.240.163:80", 7, 7)]),
    "libpcap/tests/filter/arcnet-rfc1051-arp-icmp-http.pcap": (
        "ARCNET (Linux header), RFC 1051 framing; the first 15 frames",
        [("10.80.131.1:1026", "146.190.240.163:80", 3, 2)]),
    "tcpdump/tests/arcnet-rfc1201-arp-icmp-http.pcap": (
        "ARCNET (Linux header), RFC 1201 framing",
        [("10.80.131.1:1027", "146.190.240.163:80", 7, 7)]),
    "libpcap/tests/filter/arcnet-rfc1201-arp-icmp-http.pcap": (
        "ARCNET (Linux header), RFC 1201 framing; the first frames only",
        [("10.80.131.1:1027", "146.190.240.163:80", 2, 1)]),
    "tcpdump/tests/bgp-aigp.pcap": (
        "Juniper Ethernet with extension TLVs",
        [("172.16.20.5:59631", "172.16.20.3:179", 1, 0)]),
    "libpcap/tests/filter/http_PPI.pcap": (
        "PPI carrying 802.11 data frames",
        [("192.168.1.132:3827", "130.192.73.1:80", 1, 0)]),
    "pcapplusplus/Tests__Packet++Test__PacketExamples__gtp.pcap": (
        "GTP-U in UDP 2152",
        [("10.155.182.202:41511", "10.155.186.57:6005", 1, 0)]),
    "pcapplusplus/Tests__Packet++Test__PacketExamples__CiscoHDLC.pcap": (
        "Cisco HDLC",
        [("2402:f000:1:8e01::5555:1234", "2607:fcd0:100:2300::b108:2a6b:80", 1, 0)]),
    "tcpdump/tests/ipoib.pcap": (
        "IP over InfiniBand",
        [("192.168.56.10:34170", "192.168.56.24:22", 15, 0),
         ("192.168.56.10:52289", "192.168.56.24:8", 1, 0),
         ("192.168.56.10:56684", "192.168.56.24:8", 1, 0),
         ("192.168.56.10:54877", "192.168.56.24:13", 1, 0),
         ("192.168.56.10:43822", "192.168.56.24:12", 1, 0),
         ("192.168.56.10:51201", "192.168.56.24:14", 1, 0)]),
}


def run(path):
    p = subprocess.run([BIN, "--format", "jsonl", path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    recs = [json.loads(l) for l in p.stdout.decode("utf-8").splitlines()]
    return p, recs


def endpoint(e):
    return "%s:%d" % (e["ip"], e["port"])


def main():
    if not os.path.isdir(CORPUS):
        print("1..0 # SKIP no corpus at %s" % CORPUS)
        return 0
    names = sorted(EXPECTED)
    print("1..%d" % len(names))
    for i, name in enumerate(names, 1):
        what, want = EXPECTED[name]
        path = os.path.join(CORPUS, name)
        if not os.path.exists(path):
            print("ok %d - %s # SKIP not in this corpus" % (i, name))
            continue
        p, recs = run(path)
        summary = recs[-1] if recs and recs[-1].get("type") == "summary" else {}
        diags = summary.get("diagnostics", {})
        err = p.stderr.decode(errors="replace").strip()
        if (p.returncode == 1 and summary.get("input", {}).get("damaged")
                and "is not decoded" not in err):
            # a file the reader stops in (the multi-interface pcapng files
            # until the reader of issue 17 lands); a link type refused fails
            why = err.splitlines()
            print("ok %d - %s # SKIP not readable yet: %s" % (i, name, why[-1] if why else "?"))
            continue
        got = [(endpoint(r["client"]), endpoint(r["server"]), r["packets"]["client"],
                r["packets"]["server"]) for r in recs if r.get("type") == "connection"]
        problem = None
        if diags.get("DECODE_UNKNOWN_LINKTYPE") or diags.get("DECODE_BAD_LINK_HEADER"):
            problem = "link layer not decoded: %s" % {k: v for k, v in diags.items() if v}
        elif sorted(got) != sorted(want):
            problem = "connections %s, tshark's conversation table %s" % (got, want)
        if problem:
            print("not ok %d - %s (%s): %s" % (i, name, what, problem))
        else:
            print("ok %d - %s (%s): %d connection(s) as tshark lists them" %
                  (i, name, what, len(got)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
