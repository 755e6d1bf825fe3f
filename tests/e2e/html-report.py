#!/usr/bin/env python3
"""html-report.py - the -f html page (src/report/html.c) on the samples whose
pictures matter, checked two ways (TAP):

* strictly, without a browser: the page parses as XML (well-formed, so no
  unclosed or misnested tag, every attribute quoted and every entity
  known), refers to nothing outside itself (no src, no link, no external
  href or url(), no @import), every id is unique, and in each drawn
  connection every entry of the anomaly list links to a mark on a graph
  that links back;
* in Chromium when it is installed (Debian's `chromium`; the checks are
  TAP skips without it): the page is loaded headless with every network
  request refused, no console message may appear (a script error or a
  failed request would show there), and the DOM as the browser holds it
  after the script ran must still hold each drawn connection's two graphs,
  its anomaly marks, and the count the filter script writes; a filter
  preset by the link (#filter:endpoint=...) hides the rows it should; and
  a screenshot of each page is taken (kept in $TFA_HTML_SCREENSHOTS when
  set; docs/html-report.png is sack-fast-retransmit's).

Each sample's golden page is compared byte for byte by e2e.py (TESTLIST).
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

sys.path.insert(0, os.path.dirname(__file__))
import tap  # noqa: E402

SRCDIR = os.environ.get("TFA_SRCDIR") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
BUILDDIR = os.environ.get("TFA_BUILDDIR") or SRCDIR
BIN = os.environ.get("TFA_BIN") or os.path.join(BUILDDIR, "tcpflow-audit")
SAMPLES = os.path.join(SRCDIR, "samples")

CASES = ["sack-fast-retransmit", "zero-window", "nagle-delack-stall", "fin-lost-once",
         "refused", "port-reuse"]
SVG = "{http://www.w3.org/2000/svg}"


def report(sample):
    p = subprocess.run([BIN, "-f", "html", os.path.join(SAMPLES, sample + ".pcap")],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout


def static_checks(name, page):
    try:
        root = ET.fromstring(page)
    except ET.ParseError as e:
        tap.check(False, "%s: the page is well-formed (%s)" % (name, e))
        return None
    tap.check(True, "%s: the page is well-formed" % name)
    text = page.decode("utf-8")
    external = []
    for el in root.iter():
        for attr in ("src", "{http://www.w3.org/1999/xlink}href"):
            if attr in el.attrib:
                external.append("%s=%s" % (attr, el.attrib[attr]))
        href = el.attrib.get("href")
        if href is not None and not href.startswith("#"):
            external.append("href=" + href)
        if el.tag in ("link", "iframe", "img", "object", "embed"):
            external.append(el.tag)
    for m in re.finditer(r"url\(([^)]*)\)|@import", text):
        if m.group(0) == "@import" or not m.group(1).startswith("#"):
            external.append(m.group(0))
    tap.check(not external, "%s: nothing outside the page is referred to %s" %
              (name, external[:3]))
    ids = [el.attrib["id"] for el in root.iter() if "id" in el.attrib]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    tap.check(not dup, "%s: ids are unique %s" % (name, dup[:3]))
    idset = set(ids)
    sections = [el for el in root.iter("section") if "conn" in el.attrib.get("class", "")]
    ok = True
    why = ""
    for sec in sections:
        items = [li for li in sec.iter("li") if "anom" in li.attrib.get("class", "")]
        marks = [c for c in sec.iter(SVG + "circle") if "amark" in c.attrib.get("class", "")]
        graphs = [s for s in sec.iter(SVG + "svg") if s.attrib.get("class") == "tsg"]
        if len(graphs) != 2 or not items or len(marks) != len(items):
            ok = False
            why = "%s: %d graphs, %d anomalies, %d marks" % (sec.attrib["id"], len(graphs),
                                                              len(items), len(marks))
        for li in items:
            a = li.find("a")
            target = a.attrib["href"][1:] if a is not None else ""
            mark = next((m for m in marks if m.attrib.get("id") == target), None)
            if mark is None or target not in idset:
                ok, why = False, "%s has no mark" % li.attrib["id"]
        for parent in sec.iter(SVG + "a"):
            if parent.attrib.get("href", "")[1:] not in idset:
                ok, why = False, "a mark links to nothing: " + parent.attrib.get("href", "")
    tap.check(ok and sections, "%s: %d connections drawn, each with two graphs and a mark "
              "for each anomaly, linked both ways %s" % (name, len(sections), why))
    return len(sections)


class DomCount(HTMLParser):
    """Counts in the DOM Chromium dumped (HTML, not XML)."""

    def __init__(self):
        super().__init__()
        self.tsg = self.marks = self.sections = 0
        self.in_shown = False
        self.shown = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "svg" and "tsg" in cls:
            self.tsg += 1
        if tag == "circle" and "amark" in cls and a.get("id"):
            self.marks += 1
        if tag == "section" and "conn" in cls:
            self.sections += 1
        if a.get("id") == "shown":
            self.in_shown = True

    def handle_data(self, data):
        if self.in_shown:
            self.shown = data.strip()
            self.in_shown = False


def find_chromium():
    for c in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(c)
        if p:
            return p
    return None


def browser_checks(chromium, name, path, page, drawn):
    args = [chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
            "--disable-extensions", "--disable-background-networking",
            "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
            "--enable-logging=stderr", "--v=0", "--dump-dom", "file://" + path]
    try:
        p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120,
                           env=dict(os.environ, HOME=os.path.dirname(path)))
    except subprocess.TimeoutExpired:
        tap.check(False, "%s: Chromium loads the page (timed out)" % name)
        return
    err = p.stderr.decode("utf-8", "replace")
    console = [ln for ln in err.splitlines() if ":CONSOLE" in ln or "ERR_" in ln]
    tap.check(p.returncode == 0 and p.stdout.strip() != b"",
              "%s: Chromium loads the page (exit %d)" % (name, p.returncode))
    tap.check(not console, "%s: no console message or failed request %s" % (name, console[:2]))
    d = DomCount()
    d.feed(p.stdout.decode("utf-8", "replace"))
    expect_marks = page.count(b'class="amark" id=')
    tap.check(d.sections == drawn and d.tsg == 2 * drawn and d.marks == expect_marks,
              "%s: the browser's DOM holds %d drawn connections, %d graphs, %d anomaly marks "
              "(want %d, %d, %d)" % (name, d.sections, d.tsg, d.marks, drawn, 2 * drawn,
                                     expect_marks))
    tap.check(d.shown is not None and d.shown.isdigit(),
              "%s: the filter script ran (%s connections shown)" % (name, d.shown))
    screenshot(chromium, name, path)


def screenshot(chromium, name, path):
    """A screenshot of the page (660 x 1380 at half scale, as the one in
    docs/): a PNG of that size with something drawn on it.  Kept in
    $TFA_HTML_SCREENSHOTS when that names a directory."""
    png = path[:-len(".html")] + ".png"
    args = [chromium, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
            "--disable-extensions", "--disable-background-networking",
            "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
            "--hide-scrollbars", "--force-device-scale-factor=0.5", "--window-size=1320,2760",
            "--screenshot=" + png, "file://" + path]
    try:
        subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120,
                       env=dict(os.environ, HOME=os.path.dirname(path)))
    except subprocess.TimeoutExpired:
        tap.check(False, "%s: a screenshot (timed out)" % name)
        return
    try:
        with open(png, "rb") as f:
            data = f.read()
    except OSError:
        data = b""
    size = struct.unpack(">II", data[16:24]) if data[:8] == b"\x89PNG\r\n\x1a\n" else None
    # a blank page compresses to a few hundred bytes; a drawn one to tens of KiB
    tap.check(size == (660, 1380) and len(data) > 20000,
              "%s: a screenshot, %s pixels, %d bytes" % (name, size, len(data)))
    keep = os.environ.get("TFA_HTML_SCREENSHOTS")
    if keep and os.path.isdir(keep) and data:
        shutil.copy(png, os.path.join(keep, name + ".png"))


class Hidden(HTMLParser):
    """Connection rows in the dumped DOM, and how many the filter hid."""

    def __init__(self):
        super().__init__()
        self.rows = self.hidden = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and "crow" in (a.get("class") or "").split():
            self.rows += 1
            self.hidden += "display: none" in (a.get("style") or "")


def filter_check(chromium, path):
    """A filter preset by the link (#filter:...) that matches nothing hides
    every row; one that matches everything hides none."""
    for frag, want_hidden in (("#filter:endpoint=203.0.113.77", True),
                              ("#filter:verdict=;code=", False)):
        p = subprocess.run([chromium, "--headless", "--disable-gpu", "--no-sandbox",
                            "--proxy-server=127.0.0.1:9", "--dump-dom", "file://" + path + frag],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120,
                           env=dict(os.environ, HOME=os.path.dirname(path)))
        d = Hidden()
        d.feed(p.stdout.decode("utf-8", "replace"))
        want = d.rows if want_hidden else 0
        tap.check(d.rows > 0 and d.hidden == want,
                  "the filter %s hides %d of %d rows (want %d)" % (frag, d.hidden, d.rows, want))


def main():
    if not os.access(BIN, os.X_OK):
        print("1..0 # SKIP %s not built" % BIN)
        return 0
    chromium = find_chromium()
    if chromium is None:
        tap.note("Chromium is not installed: the browser checks are skipped")
    tmp = tempfile.mkdtemp(prefix="tfa-html-")
    try:
        for name in CASES:
            rc, page = report(name)
            if not tap.check(rc == 0 and page.startswith(b"<!DOCTYPE html>"),
                             "%s: -f html writes a page (exit %d)" % (name, rc)):
                continue
            drawn = static_checks(name, page)
            path = os.path.join(tmp, name + ".html")
            with open(path, "wb") as f:
                f.write(page)
            if chromium is None:
                tap.skip("%s: in Chromium" % name, "chromium not installed")
            elif drawn is not None:
                browser_checks(chromium, name, path, page, drawn)
        if chromium is None:
            tap.skip("the filter in Chromium", "chromium not installed")
        else:
            filter_check(chromium, os.path.join(tmp, "port-reuse.html"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    tap.plan()
    return 1 if tap.failed() else 0


if __name__ == "__main__":
    sys.exit(main())
