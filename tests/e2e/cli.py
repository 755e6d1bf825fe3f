#!/usr/bin/env python3
"""The command line as a user meets it: --help, --version, exit statuses,
several files as one capture, stdin, -r, filters, damaged and missing input.
Test captures are written to the build directory."""
import json
import os
import re
import struct
import subprocess
import sys

from tap import check, plan, skip

SRCDIR = os.environ.get("TFA_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILDDIR = os.environ.get("TFA_BUILDDIR") or SRCDIR
BIN = os.environ.get("TFA_BIN") or os.path.join(BUILDDIR, "tcpflow-audit")
WORK = os.path.join(BUILDDIR, "tests", "e2e", "out", "cli")
SAMPLE = os.path.join(SRCDIR, "samples", "clean-close-client-first.pcap")

def run(args, stdin=None):
    p = subprocess.run([BIN] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=stdin)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def records(out):
    return [json.loads(l) for l in out.splitlines()]


def frame(i):
    """Ethernet/IPv4/TCP 10.0.0.1:1000 > 10.0.0.2:(80+i) SYN, seq i."""
    eth = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00"
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, i, 0x4000, 64, 6, 0,
                     bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
    tcp = struct.pack("!HHIIBBHHH", 1000, 80 + i, i, 0, 0x50, 0x02, 65535, 0, 0)
    return eth + ip + tcp


def pcap(frames, cut=0):
    b = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
    for i, f in enumerate(frames, 1):
        b += struct.pack("<IIII", 1000 + i, 0, len(f), len(f)) + f
    return b[:len(b) - cut] if cut else b


def write(name, data):
    path = os.path.join(WORK, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def same_conns(out, ref):
    """The connection records of two runs are the same."""
    def conns(text):
        return [r for r in records(text) if r["type"] == "connection"]
    try:
        return conns(out) == conns(ref) and len(conns(ref)) > 0
    except ValueError:
        return False


def inputs_read_once(path):
    """Pipes, FIFOs, /dev/stdin and process substitution: read once, from
    the first byte, as tcpdump reads them."""
    rc, ref, _ = run(["-f", "jsonl", path])
    with open(path, "rb") as f:
        rc, out, err = run(["-f", "jsonl", "/dev/stdin"], stdin=f)
    check(rc == 0 and same_conns(out, ref) and err == "", "/dev/stdin: read once (%r)" % err[:80])
    sh = subprocess.run(["bash", "-c", '"$0" -f jsonl <(cat "$1")', BIN, path],
                        capture_output=True, text=True)
    check(sh.returncode == 0 and same_conns(sh.stdout, ref) and sh.stderr == "",
          "process substitution <(cat F): read once (%r)" % sh.stderr[:80])
    fifo = os.path.join(WORK, "capture.fifo")
    if os.path.exists(fifo):
        os.unlink(fifo)
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", 'cat "$0" > "$1"', path, fifo])
    rc, out, err = run(["-f", "jsonl", fifo])
    writer.wait()
    check(rc == 0 and same_conns(out, ref) and err == "", "named FIFO: read once (%r)" % err[:80])
    ng = os.path.join(SRCDIR, "..", "shared", "corpus", "zeek", "vlan-pcp-dei.pcapng")
    if os.path.exists(ng):
        rc, ref_ng, _ = run(["-f", "jsonl", ng])
        sh = subprocess.run(["bash", "-c", 'cat "$1" | "$0" -f jsonl /dev/stdin', BIN, ng],
                            capture_output=True, text=True)
        check(sh.returncode == 0 and same_conns(sh.stdout, ref_ng), "pcapng through a pipe")


def compressed_inputs(path):
    """gzip, zstd, xz and lz4, by magic number, from files and stdin; damaged
    compressed data is a damaged file."""
    import gzip
    import lzma
    import shutil
    rc, ref, _ = run(["-f", "jsonl", path])
    with open(path, "rb") as f:
        raw = f.read()
    makers = {"gz": lambda d: gzip.compress(d), "xz": lambda d: lzma.compress(d)}
    for tool, ext in (("zstd", "zst"), ("lz4", "lz4")):
        if shutil.which(tool):
            makers[ext] = (lambda t: lambda d: subprocess.run(
                [t, "-c", "-q"], input=d, stdout=subprocess.PIPE, check=True).stdout)(tool)
        else:
            check(True, "%s compression # SKIP no %s program to make the file" % (ext, tool))
    for ext, make in sorted(makers.items()):
        data = make(raw)
        f = write("a.pcap." + ext, data)
        rc, out, err = run(["-f", "jsonl", f])
        check(rc == 0 and same_conns(out, ref) and err == "",
              "%s-compressed file read as the capture (exit %d, %r)" % (ext, rc, err[:100]))
        with open(f, "rb") as fh:
            rc, out, err = run(["-f", "jsonl", "-"], stdin=fh)
        check(rc == 0 and same_conns(out, ref), "%s-compressed on stdin" % ext)
        # two compressed members or frames of one capture, one after the other
        half = len(raw) // 2
        f2 = write("a2.pcap." + ext, make(raw[:half]) + make(raw[half:]))
        rc, out, err = run(["-f", "jsonl", f2])
        check(rc == 0 and same_conns(out, ref), "%s: concatenated members read as one" % ext)
        cut = write("cut.pcap." + ext, data[:len(data) * 2 // 3])
        rc, out, err = run(["-f", "jsonl", cut, path])
        check(rc == 1 and "cut.pcap." + ext in err and (" cut short" in err or "damaged" in err)
              and records(out)[-1]["input"]["damaged"] is True,
              "%s cut short: exit 1, named, the next file still read (%r)" % (ext, err[:120]))
        bad = bytearray(data)
        for i in range(len(bad) // 3, len(bad) // 3 + 8):
            bad[i] ^= 0xa5
        badf = write("bad.pcap." + ext, bytes(bad))
        rc, out, err = run(["-f", "jsonl", badf])
        check(rc == 1 and "bad.pcap." + ext in err, "%s corrupt: exit 1, named (%r)" % (ext, err[:120]))


def times_after_2038():
    """Classic pcap seconds are unsigned: 2^31 + 100 is in 2038, not 1901."""
    b = struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
    f1 = frame(1)
    for i, sec in enumerate((2 ** 31 + 100, 2 ** 31 + 101)):
        b += struct.pack("<IIII", sec, 5, len(f1), len(f1)) + f1
    rc, out, err = run(["-f", "jsonl", write("y2038.pcap", b)])
    recs = records(out)
    conn = [r for r in recs if r["type"] == "connection"]
    check(rc == 0 and len(conn) == 1 and conn[0]["first_ts"] == 2 ** 31 + 100.000005
          and recs[-1]["first_ts"] == 2 ** 31 + 100.000005,
          "classic pcap seconds past 2^31: in 2038, not before 1970")


# pcapng files libpcap 1.10 refused ("damaged" at the interface block of a
# second link type or snapshot length): every frame read, as tshark reads
# them (its frame counts)
NG_CORPUS = [
    ("Tests__Packet++Test__PacketExamples__BgpPackets.pcap", 8),
    ("Tests__Packet++Test__PacketExamples__GrePackets.pcap", 7),
    ("Tests__Packet++Test__PacketExamples__dns_over_tcp.pcapng", 4),
    ("Tests__Packet++Test__PacketExamples__gtp.pcap", 7),
    ("Tests__Packet++Test__PacketExamples__gtpv2.pcap", 6),
    ("Tests__Packet++Test__PacketExamples__ldap.pcapng", 25),
    ("Tests__Pcap++Test__PcapExamples__many_interfaces-1.pcapng", 64),
    ("Tests__Pcap++Test__PcapExamples__pcapng-example.pcapng", 159),
]


def multi_interface_pcapng():
    d = os.path.join(SRCDIR, "..", "shared", "corpus", "pcapplusplus")
    for name, frames in NG_CORPUS:
        p = os.path.join(d, name)
        if not os.path.exists(p):
            skip("pcapng with several interfaces: %s" % name, "no corpus")
            continue
        rc, out, err = run(["-f", "jsonl", p])
        summ = records(out)[-1] if out else {}
        check(rc == 0 and err == "" and summ.get("frames") == frames
              and not summ["input"]["damaged"],
              "pcapng with several interfaces read whole: %s (exit %d, %s frames, want %d, %r)"
              % (name, rc, summ.get("frames"), frames, err[:80]))
    ex = os.path.join(d, NG_CORPUS[-1][0])
    if not os.path.exists(ex):
        skip("pcapng of two link types, gzip-compressed on a pipe", "no corpus")
        return
    import gzip
    rc, ref, _ = run(["-f", "jsonl", ex])
    # frames 60 on are Linux cooked captures (interface 1), before them Ethernet
    sll = [r for r in records(ref) if r["type"] == "connection" and r["first_frame"] >= 60]
    check(len(sll) >= 10, "pcapng-example: the Linux SLL interface's connections (%d)" % len(sll))
    with open(ex, "rb") as f:
        gz = write("example.pcapng.gz", gzip.compress(f.read()))
    sh = subprocess.run(["bash", "-c", 'cat "$1" | "$0" -f jsonl -', BIN, gz],
                        capture_output=True, text=True)
    check(sh.returncode == 0 and same_conns(sh.stdout, ref) and sh.stderr == "",
          "pcapng of two link types, gzip-compressed on a pipe: the same (%r)" % sh.stderr[:80])


def interrupted_reads(path):
    """A signal while files are read: said on stderr, exit 5, every record
    of what was read written."""
    import signal
    import time
    for sig, name in ((signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "SIGINT")):
        p = subprocess.Popen(["sh", "-c", 'cat "$1"; sleep 30', "sh", path], stdout=subprocess.PIPE)
        tool = subprocess.Popen([BIN, "-f", "jsonl", "-"], stdin=p.stdout, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        p.stdout.close()
        time.sleep(0.5)
        tool.send_signal(sig)
        out, err = tool.communicate(timeout=20)
        p.kill()
        p.wait()
        recs = records(out.decode())
        check(tool.returncode == 5 and ("interrupted by " + name) in err.decode()
              and recs[-1]["type"] == "summary" and recs[-1]["input"]["interrupted"] is True
              and len(recs) == 3,
              "%s while a pipe is read: exit 5, said, records and summary written (exit %d, %r)"
              % (name, tool.returncode, err.decode()[:120]))
    fifo = os.path.join(WORK, "silent.fifo")
    if os.path.exists(fifo):
        os.unlink(fifo)
    os.mkfifo(fifo)
    holder = subprocess.Popen(["sh", "-c", 'exec 3>"$0"; sleep 30', fifo])
    tool = subprocess.Popen([BIN, "-f", "jsonl", fifo], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    time.sleep(0.5)
    tool.send_signal(signal.SIGTERM)
    out, err = tool.communicate(timeout=20)
    holder.kill()
    holder.wait()
    check(tool.returncode == 5 and "interrupted by SIGTERM" in err.decode()
          and "damaged" not in err.decode(),
          "SIGTERM before a FIFO's first byte: exit 5, not a damaged file (%r)" % err.decode()[:120])


def help_defaults_in_man(help_text):
    """Each "(default X)" of --help (their figures are the code's:
    tests/unit/cli/test-cli.c) is in the option's entry of tcpflow-audit(1)."""
    printed = []
    for m in re.finditer(r"^\s+(?:-\w, )?(--[a-z-]+)=\S+\s+(.*)$", help_text, re.M):
        for d in re.finditer(r"\(default ([^:)][^)]*)\)", m.group(2)):
            printed.append((m.group(1), d.group(1)))
    imm = re.search(r"--immediate .* up to ([0-9]+ ms)", help_text)
    if imm:
        printed.append(("--immediate", imm.group(1)))
    with open(os.path.join(SRCDIR, "man", "tcpflow-audit.1"), encoding="utf-8") as f:
        man = re.sub(r"\\f(\(..|.)", "", f.read()).replace("\\-", "-")
    lines = man.split("\n")

    def entry(opt):
        """The text of the .TP entry whose head names opt."""
        for i in range(1, len(lines)):
            if lines[i - 1].startswith(".TP") and re.match(r"\.B[IR]?\s", lines[i]) and \
                    re.search(re.escape(opt) + r"(?![a-z-])", lines[i]):
                body = []
                for line in lines[i + 1:]:
                    if re.match(r"\.(TP|SS|SH)\b", line):
                        break
                    body.append(re.sub(r"^\.[A-Z]+\s*", "", line))
                return " ".join(" ".join(body).replace('"', "").split())
        return None

    wrong = []
    for opt, value in printed:
        text = entry(opt)
        v = re.escape(value)
        if text is None or not (re.search(r"\bdefault:? " + v + r"(?![0-9])", text) or
                                re.search(r"\b" + v + r" \(default", text) or
                                (opt == "--immediate" and re.search(v + r" \(the default\)", text))):
            wrong.append("%s %s%s" % (opt, value, "" if text else " (no entry)"))
    check(len(printed) >= 24 and not wrong,
          "the %d defaults --help prints are those of tcpflow-audit(1)%s" % (
              len(printed), ": not in the man page: " + ", ".join(wrong) if wrong else ""))


def main():
    if not os.access(BIN, os.X_OK):
        print("1..0 # SKIP no binary")
        return 0
    os.makedirs(WORK, exist_ok=True)
    a = write("a.pcap", pcap([frame(1), frame(2)]))
    b = write("b.pcap", pcap([frame(3)]))
    cut = write("cut.pcap", pcap([frame(1), frame(2), frame(3)], cut=20))
    junk = write("junk.pcap", b"not a capture at all")

    rc, out, err = run(["--help"])
    check(rc == 0 and "--format" in out and "--max-connections" in out, "--help")
    usage = out.splitlines()[1] if len(out.splitlines()) > 1 else ""
    check(usage.count("[FILE...]") == 1 and usage.count("[EXPRESSION]") == 1,
          "--help: the usage line names the operands once (%r)" % usage.strip())
    help_defaults_in_man(out)
    rc, out, err = run(["--version"])
    check(rc == 0 and out.startswith("tcpflow-audit ") and "libpcap" in out, "--version")
    rc, out, err = run(["--list-codes"])
    check(rc == 0 and "RST_REFUSED" in out and "DECODE_TRUNCATED" in out, "--list-codes")

    rc, out, err = run(["--no-such-option", a])
    check(rc == 2 and "error:" in err and out == "", "unknown option: exit 2, nothing on stdout")
    rc, out, err = run([])
    check(rc == 2 and "no input" in err, "no input: exit 2")
    rc, out, err = run(["--format", "xml", a])
    check(rc == 2 and "unknown format" in err, "bad --format: exit 2")
    rc, out, err = run(["--idle-timeout", "soon", a])
    check(rc == 2, "bad --idle-timeout: exit 2")
    rc, out, err = run([a, "tcp and and"])
    check(rc == 2 and "bad filter" in err and out == "", "bad filter: exit 2")

    # several files are one capture, frame numbers continuing
    rc, out, err = run(["-f", "jsonl", a, b])
    recs = records(out)
    conns = [r for r in recs if r["type"] == "connection"]
    check(rc == 0 and len(conns) == 3 and conns[2]["first_frame"] == 3 and err == "",
          "two files: three connections, frames 1..3")
    check(recs[-1]["type"] == "summary" and recs[-1]["frames"] == 3, "summary last")

    # -r, repeated, and a filter after the files
    rc, out, err = run(["-f", "jsonl", "-r", a, "-r", b, "dst", "port", "82"])
    conns = [r for r in records(out) if r["type"] == "connection"]
    check(rc == 0 and len(conns) == 1 and conns[0]["server"]["port"] == 82,
          "-r twice with a filter in three words")
    rc, out, err = run(["-f", "jsonl", "--filter", "dst port 81", a, b])
    conns = [r for r in records(out) if r["type"] == "connection"]
    check(rc == 0 and len(conns) == 1, "--filter")

    # stdin
    with open(a, "rb") as f:
        rc, out, err = run(["-f", "jsonl", "-"], stdin=f)
    check(rc == 0 and len(records(out)) == 3, "'-' reads stdin")

    # truncated: what came before the damage is reported, exit 1, message with offset
    rc, out, err = run(["-f", "jsonl", cut, b])
    conns = [r for r in records(out) if r["type"] == "connection"]
    check(rc == 1 and len(conns) == 3, "truncated file: earlier frames and the next file reported")
    check("cut.pcap" in err and "byte offset 164" in err, "truncated file: file and offset named")
    check(records(out)[-1]["input"]["damaged"] is True, "summary says the input was damaged")

    # missing file and not-a-capture: message, exit 1, the rest still read
    rc, out, err = run(["-f", "jsonl", os.path.join(WORK, "missing.pcap"), junk, a])
    conns = [r for r in records(out) if r["type"] == "connection"]
    check(rc == 1 and len(conns) == 2 and "missing.pcap" in err and "junk.pcap" in err,
          "missing and junk files: named, exit 1, the good file read")
    rc, out, err = run(["-f", "jsonl", os.path.join(WORK, "only-missing.pcap")])
    check(rc == 1 and "only-missing.pcap" in err and records(out)[-1]["records"] == 0,
          "only a missing file: exit 1 and an empty summary")

    # formats and determinism
    rc1, out1, _ = run(["-f", "jsonl", SAMPLE])
    rc2, out2, _ = run(["-f", "jsonl", SAMPLE])
    check(rc1 == 0 and out1 == out2, "same input, same output")
    rc, out, err = run(["-f", "csv", SAMPLE])
    check(rc == 0 and out.startswith("id,client_ip,") and out.endswith("\r\n"), "csv")
    rc, out, err = run(["-f", "text", SAMPLE])
    check(rc == 0 and "Summary" in out and "\033[" not in out, "text without colour off a tty")
    rc, out, err = run([SAMPLE])
    check(rc == 0 and records(out)[0]["type"] == "connection", "jsonl by default off a tty")

    # --conn, --ladder, --at
    reuse = os.path.join(SRCDIR, "samples", "port-reuse.pcap")
    rc, out, err = run(["-f", "jsonl", "--conn", "2", reuse])
    recs = records(out)
    conns = [r for r in recs if r["type"] == "connection"]
    check(rc == 0 and [c["id"] for c in conns] == [2] and recs[-1]["connections"] == 2,
          "--conn 2: one record, the summary still counts both")
    rc, out, err = run(["-f", "jsonl", "--conn", "1,2", "--conn", "9", reuse])
    check(rc == 0 and len([r for r in records(out) if r["type"] == "connection"]) == 2,
          "--conn as a list and repeated")
    rc, out, err = run(["--conn", "x", reuse])
    check(rc == 2 and "--conn" in err, "--conn x: exit 2")
    rc, out, err = run(["--ladder", "--conn", "1", SAMPLE])
    check(rc == 0 and "SYN_SENT" in out and "---- SYN seq=0" in out and "final: client TIME_WAIT" in out,
          "--ladder draws the handshake")
    for bad in ["soon", "+", "1.1234567890", "2026-13-45T00:00:00Z"]:
        rc, out, err = run(["--at", bad, SAMPLE])
        check(rc == 2 and "--at" in err, "--at %s: exit 2" % bad)
    rc, out, err = run(["-f", "jsonl", "--at", "1795238192.5365", SAMPLE])
    socks = [r for r in records(out) if r["type"] == "socket" and r["state"] != "LISTEN"]
    listen = [r for r in records(out) if r["type"] == "socket" and r["state"] == "LISTEN"]
    check(rc == 0 and len(socks) == 2 and socks[0]["state"] == "ESTABLISHED", "--at epoch seconds")
    check(len(listen) == 1 and listen[0]["local"]["port"] == 9000 and listen[0]["certain"],
          "--at: the service seen accepting is listed LISTEN once")
    summ = records(out)[-1]
    check(summ.get("at") == socks[0]["at"] and
          summ["hosts"][0]["final_states"] == {"ESTABLISHED": 1},
          "--at: the summary describes that moment")
    rc, out, err = run(["-f", "text", "--at", "+100", SAMPLE])
    check(rc == 0 and "after the capture's end" in out, "--at past the end: warned")
    rc, out, err = run(["-f", "jsonl", "--at", "2026-11-21T05:16:32.536548Z", SAMPLE])
    socks = [r for r in records(out) if r["type"] == "socket" and r["state"] != "LISTEN"]
    check(rc == 0 and len(socks) == 2, "--at ISO 8601")
    rc, out, err = run(["--ladder", "--at", "+1", SAMPLE])
    check(rc == 2, "--ladder with --at: exit 2")

    # thresholds
    scan = os.path.join(SRCDIR, "samples", "port-scan.pcap")
    rc, out, err = run(["-f", "jsonl", scan])
    check(rc == 0 and records(out)[-1]["findings"] == {"HOST_PORT_SCAN": 1}, "port scan found")
    rc, out, err = run(["-f", "jsonl", "--scan-threshold", "21", scan])
    check(rc == 0 and records(out)[-1]["findings"] == {}, "--scan-threshold 21: no scan in 20 ports")
    for bad in ["0", "-3", "x"]:
        rc, out, err = run(["--scan-threshold", bad, scan])
        check(rc == 2, "--scan-threshold %s: exit 2" % bad)
    rc, out, err = run(["--stuck-after", "0", scan])
    check(rc == 2, "--stuck-after 0: exit 2")

    # filters: which connections are reported (the summary still counts all)
    def sample(name):
        return os.path.join(SRCDIR, "samples", name)
    mixed = [sample("clean-close-client-first.pcap"), sample("refused.pcap"),
             sample("close-wait-open.pcap"), sample("nagle-delack-stall.pcap")]
    def conn_ids(args):
        rc, out, err = run(["-f", "jsonl"] + args + mixed)
        recs = records(out)
        return rc, [c["client"]["port"] for c in recs if c["type"] == "connection"], recs[-1]
    rc, all_ports, summ = conn_ids([])
    check(rc == 0 and len(all_ports) == 4 and summ["records"] == 4, "four samples, four records")
    rc, ports, summ = conn_ids(["--only-anomalous"])
    check(rc == 0 and len(ports) == 3 and all_ports[0] not in ports and summ["connections"] == 4
          and summ["records"] == 3, "--only-anomalous drops the clean close only")
    rc, ports, _ = conn_ids(["--code", "RST_REFUSED"])
    check(rc == 0 and len(ports) == 1, "--code RST_REFUSED: the refused connection")
    rc, ports, _ = conn_ids(["--code", "RST_REFUSED,ACK_NAGLE_DELACK_STALL"])
    check(rc == 0 and len(ports) == 2, "--code with two codes: either matches")
    rc, out, err = run(["--code", "NO_SUCH_CODE", SAMPLE])
    check(rc == 2 and "NO_SUCH_CODE" in err, "--code unknown: exit 2, named")
    rc, ports, _ = conn_ids(["--min-severity", "warning"])
    # the CLOSE_WAIT of the third file stays open through the fourth, 16 s
    # of capture time later: stuck (a warning) by then
    check(rc == 0 and len(ports) == 3 and all_ports[0] not in ports,
          "--min-severity warning: refused, CLOSE_WAIT stuck, Nagle")
    rc, ports, _ = conn_ids(["--min-severity", "error"])
    check(rc == 0 and len(ports) == 1, "--min-severity error: refused only")
    rc, out, err = run(["--min-severity", "loud", SAMPLE])
    check(rc == 2, "--min-severity unknown: exit 2")

    # --fail-on: the exit status for CI, in a shell pipeline too
    rc, out, err = run(["-f", "jsonl", "--fail-on", "warning", sample("refused.pcap")])
    check(rc == 4 and records(out)[-1]["type"] == "summary", "--fail-on warning, refused: exit 4, full output")
    rc, out, err = run(["-f", "jsonl", "--fail-on", "warning", SAMPLE])
    check(rc == 0, "--fail-on warning, clean close: exit 0")
    rc, out, err = run(["-f", "jsonl", "--fail-on", "error", sample("nagle-delack-stall.pcap")])
    check(rc == 0, "--fail-on error, a warning only: exit 0")
    sh = subprocess.run(["bash", "-c", 'set -o pipefail; "$0" -f jsonl --fail-on warning "$1" '
                         '| wc -l >/dev/null; echo "status $?"; '
                         '"$0" -f jsonl --fail-on warning "$2" | wc -l >/dev/null; echo "status $?"',
                         BIN, sample("refused.pcap"), SAMPLE], capture_output=True, text=True)
    check(sh.stdout.split() == ["status", "4", "status", "0"],
          "--fail-on in a pipefail pipeline: 4 on refused, 0 on a clean close")
    rc, out, err = run(["--fail-on", "sometimes", SAMPLE])
    check(rc == 2, "--fail-on unknown: exit 2")

    # CSV re-parsed: header, one row per connection, RFC 4180 quoting
    import csv as csvmod
    import io
    rc, out, err = run(["-f", "csv"] + mixed)
    rows = list(csvmod.DictReader(io.StringIO(out, newline="")))
    rc2, jout, _ = run(["-f", "jsonl"] + mixed)
    jconns = [r for r in records(jout) if r["type"] == "connection"]
    same = len(rows) == len(jconns) and all(
        r["verdict"] == j["verdict"] and r["zeek_history"] == j["zeek"]["history"]
        and r["handshake_outcome"] == j["handshake"]["outcome"]
        and r["server_final_state"] == j["endpoints"]["server"]["final_state"]
        and all(int(r["n_" + code]) == v["client"] + v["server"] for code, v in j["counts"].items())
        and sum(int(v) for k, v in r.items() if k.startswith("n_")) ==
            sum(v["client"] + v["server"] for v in j["counts"].values())
        for r, j in zip(rows, jconns))
    check(rc == 0 and same, "csv re-parsed agrees with jsonl (verdict, states, zeek, counts)")
    check(out.count("\r\n") == len(rows) + 1 and out.count("\n") == len(rows) + 1,
          "csv: CRLF line ends, one per row and the header")

    # the text report
    rc, out, err = run(["-f", "text", "--color", "always", sample("refused.pcap")])
    check(rc == 0 and "\033[31mfailed\033[0m" in out, "--color always: verdict in red")
    rc, out, err = run(["-f", "text", "--color", "never"] + mixed)
    check(rc == 0 and "\033[" not in out and out.count("\nconnection ") == 3,
          "text: the three anomalous connections explained")
    rc, out, err = run(["-f", "text", "--max-details", "1"] + mixed)
    check(rc == 0 and out.count("\nconnection ") == 1 and "2 more anomalous connections" in out,
          "--max-details 1: one explained, two counted")
    rc, out, err = run(["--color", "sometimes", SAMPLE])
    check(rc == 2, "--color unknown: exit 2")

    inputs_read_once(a)
    compressed_inputs(a)
    times_after_2038()
    interrupted_reads(a)
    multi_interface_pcapng()

    # a closed reader ends the run quietly
    p = subprocess.Popen([BIN, "-f", "jsonl", a, b, SAMPLE], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    p.stdout.close()
    err = p.stderr.read().decode()
    rc = p.wait()
    check(rc == 0 and err == "", "closed pipe: quiet end (exit %d, stderr %r)" % (rc, err[:80]))

    plan()
    return 0


if __name__ == "__main__":
    sys.exit(main())
