#!/usr/bin/python3
"""Opens an audit's report.html in headless Chromium and checks what a reader's browser does.

Builds the demo site (tools/make-demo-site), serves it with nginx on 127.0.0.1
(tools/lib/nginx.sh), audits it with the real binary, then loads the written
report.html from file:// in Chromium and checks that:
- the page reaches no network: Chromium's net log (--log-net-log) holds no
  request, host lookup or connection made for it. The file:// document and
  its data: URIs never reach the network stack, and every URL in the rendered
  DOM is a data: URI or a #fragment;
- the browser prints nothing on the console (--enable-logging=stderr). Chromium
  logs a web page's console messages all at one level, and the report has no
  script, so any message is the browser reporting a problem with it: a
  Content-Security-Policy violation, a failed load, a parse error;
- each number marked data-figure="PATH" equals report.json at PATH (e.g.
  summary/faces), the bar chart shows the cards' numbers, and the "who could
  take these photos" table equals summary.harvestability;
- the screenshot (window 1280x2000) is a valid, non-blank PNG; it is kept as
  ARTIFACTS_DIR/report.png.
A control page (an external image and a console.error) is opened first, to
prove that both probes see what they look for.

  report_browser_test.py SCRAPEWATCH_BINARY SOURCE_DIR ARTIFACTS_DIR
Exits 77 (skipped, for CTest) when chromium is not installed. KEEP=1 keeps the
work folder.
"""
import argparse
import functools
import html.parser
import json
import os
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

SKIPPED = 77
WINDOW = (1280, 2000)
# The headline cards of render_html.cc, by the report.json path each shows.
HEADLINE = {"pages/fetched", "pages/disallowed_by_robots", "summary/images",
            "summary/images_with_faces", "summary/faces", "summary/images_with_gps"}
# Attributes through which a page loads or links to a URL.
URL_ATTRIBUTES = {"src", "srcset", "href", "xlink:href", "poster", "data", "action",
                  "formaction", "background", "ping"}
CONSOLE_LINE = re.compile(r"^\[[^\]]*:CONSOLE\b.*$", re.MULTILINE)

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


class Element:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def own_text(self):
        return "".join(c for c in self.children if isinstance(c, str))

    def walk(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.walk()


class TreeBuilder(html.parser.HTMLParser):
    """The tree of Chromium's --dump-dom output, which closes every non-void element."""
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", [], None)
        self.open = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.open[-1])
        self.open[-1].children.append(element)
        if tag not in self.VOID:
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.open[-1].children.append(Element(tag, attrs, self.open[-1]))

    def handle_endtag(self, tag):
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data):
        self.open[-1].children.append(data)


def parse_dom(text):
    builder = TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def open_in_chromium(chromium, page, run_dir, screenshot=None):
    """Loads PAGE in a fresh headless Chromium; returns (DOM text, console lines, net log)."""
    run_dir.mkdir()
    net_log = run_dir / "net-log.json"
    command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", f"--user-data-dir={run_dir / 'profile'}",
               # Chromium's own update and time checks resolve no host, so the
               # test contacts nobody either; the net log still records every
               # request the page makes, resolvable or not.
               "--host-resolver-rules=MAP * ~NOTFOUND",
               f"--log-net-log={net_log}", "--enable-logging=stderr", "--v=0",
               f"--window-size={WINDOW[0]},{WINDOW[1]}", "--dump-dom"]
    if screenshot:
        command.append(f"--screenshot={screenshot}")
    command.append(page.as_uri())
    # Its crash-report, dconf and NSS folders go to the run folder, not the user's home.
    env = dict(os.environ, HOME=str(run_dir), XDG_CONFIG_HOME=str(run_dir / "config"),
               XDG_CACHE_HOME=str(run_dir / "cache"))
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
    if result.returncode != 0 or not result.stdout:
        sys.exit(f"chromium exited {result.returncode} on {page}:\n{result.stderr[-3000:]}")
    return result.stdout, CONSOLE_LINE.findall(result.stderr), json.loads(net_log.read_text())


def page_network_activity(net_log):
    """The URLs and hosts the network stack was asked for on a file:// page's behalf.

    A page's requests name it as initiator (a file:// document's origin is
    opaque: "null") and carry file:// in their isolation key, as do its host
    lookups and preconnects; Chromium's own requests have neither.
    """
    activity = set()
    for event in net_log["events"]:
        params = event.get("params") or {}
        initiated = params.get("initiator", "not an origin") != "not an origin"
        keyed = any("file://" in str(params.get(key, ""))
                    for key in ("network_isolation_key", "network_anonymization_key"))
        if initiated or keyed:
            activity.add(params.get("url") or params.get("host") or json.dumps(params))
    return sorted(activity)


def check_control(chromium, work):
    """A page that requests an external image and logs an error: both probes must see it."""
    page = work / "control.html"
    page.write_text("<!doctype html><title>control</title>"
                    "<img src='http://control.invalid/leak.png'>"
                    "<script>console.error('control message')</script>")
    _, console, net_log = open_in_chromium(chromium, page, work / "chromium-control")
    check("http://control.invalid/leak.png" in page_network_activity(net_log),
          "the net-log probe is blind: it missed the control page's external image "
          f"(saw {page_network_activity(net_log)})")
    check(any("control message" in line for line in console),
          f"the console probe is blind: it missed the control page's console.error (saw {console})")


def check_network(dom, console, net_log):
    activity = page_network_activity(net_log)
    check(not activity, f"report.html made network requests: {activity}")
    check(not console, "the browser logged console messages for report.html:\n  "
          + "\n  ".join(console))
    for element in dom.walk():
        for name, value in element.attrs.items():
            if name in URL_ATTRIBUTES and value is not None:
                check(value.startswith(("data:", "#")),
                      f"<{element.tag} {name}={value[:80]!r}> points outside the file")
        if element.tag == "style":
            for url in re.findall(r"url\(\s*['\"]?([^'\")\s]*)", element.text()):
                check(url.startswith(("data:", "#")), f"a stylesheet loads {url[:80]!r}")


def json_at(report, path):
    return functools.reduce(lambda node, key: node[key], path.split("/"), report)


def check_figures(dom, report):
    check(report["summary"]["images_with_faces"] > 0,
          "the audit found no face in the demo site's photos, so the figures prove little")
    cards = {}
    for element in dom.walk():
        path = element.attrs.get("data-figure")
        if path is None:
            continue
        try:
            expected = json_at(report, path)
        except (KeyError, IndexError, TypeError):
            check(False, f"data-figure={path!r} names no value in report.json")
            continue
        shown = element.text().strip()
        check(shown == str(expected), f"{path}: the report shows {shown!r}, report.json has {expected}")
        cards[element.parent.own_text().strip()] = shown
    check(HEADLINE <= {e.attrs["data-figure"] for e in dom.walk() if "data-figure" in e.attrs},
          f"headline figures not marked with data-figure; want {sorted(HEADLINE)}")

    # The bar chart labels each bar, then prints its number.
    charts = [e for e in dom.walk() if e.tag == "svg" and e.attrs.get("aria-label") == "headline figures"]
    check(len(charts) == 1, f"{len(charts)} headline charts")
    if charts:
        texts = [e.text().strip() for e in charts[0].walk() if e.tag == "text"]
        chart = dict(zip(texts[0::2], texts[1::2]))
        check(chart == cards, f"the chart shows {chart}, the cards {cards}")

    # Columns: scraper profile, images with faces it could take, images, rule.
    tables = [e for e in dom.walk() if e.tag == "table"
              and [th.text() for th in e.walk() if th.tag == "th"][:1] == ["scraper profile"]]
    check(len(tables) == 1, f"{len(tables)} harvestability tables")
    if tables:
        shown = {}
        for row in (e for e in tables[0].walk() if e.tag == "tr"):
            cells = [td.text().strip() for td in row.walk() if td.tag == "td"]
            if cells:
                shown[cells[0]] = (cells[1], cells[2])
        expected = {h["profile"]: (str(h["images_with_faces"]), str(h["images"]))
                    for h in report["summary"]["harvestability"]}
        check(shown == expected, f"harvestability: the report shows {shown}, report.json has {expected}")


def check_png(path):
    """A complete PNG of the window's size whose rows are not all alike (a blank page's are)."""
    data = path.read_bytes() if path.exists() else b""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        check(False, f"{path} is not a PNG ({len(data)} bytes)")
        return
    chunks, offset = [], 8
    while offset + 12 <= len(data):
        (length,) = struct.unpack(">I", data[offset:offset + 4])
        if offset + 12 + length > len(data):
            check(False, f"{path} is truncated")
            return
        kind, body = data[offset + 4:offset + 8], data[offset + 8:offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length:offset + 12 + length])
        check(zlib.crc32(kind + body) == crc, f"{path}: bad CRC in chunk {kind!r}")
        chunks.append((kind, body))
        offset += 12 + length
    kinds = [kind for kind, _ in chunks]
    if not (kinds and kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds):
        check(False, f"{path}: chunks {kinds[:5]}...{kinds[-2:]}")
        return
    width, height, depth, colour = struct.unpack(">IIBB", chunks[0][1][:10])
    check((width, height) == WINDOW, f"{path}: {width}x{height}, want {WINDOW}")
    channels = {2: 3, 6: 4}.get(colour)
    check(depth == 8 and channels, f"{path}: bit depth {depth}, colour type {colour}")
    if not channels:
        return
    pixels = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = 1 + width * channels
    check(len(pixels) == height * stride, f"{path}: {len(pixels)} bytes of pixels, want {height * stride}")
    rows = {pixels[y * stride:(y + 1) * stride] for y in range(height)}
    check(len(rows) >= 100, f"{path}: only {len(rows)} distinct rows; the page looks blank")


def site_helper(source, script, *args):
    """Runs SCRIPT in bash with tools/lib/nginx.sh sourced; "$2"... are ARGS."""
    helpers = 'source "$1/tools/lib/common.sh"; source "$1/tools/lib/nginx.sh"; '
    return subprocess.run(["bash", "-c", helpers + script, "bash", str(source), *map(str, args)],
                          check=True, stdout=subprocess.PIPE, text=True).stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("binary", type=pathlib.Path)
    parser.add_argument("source", type=pathlib.Path)
    parser.add_argument("artifacts", type=pathlib.Path)
    args = parser.parse_args()
    chromium = shutil.which("chromium")
    if not chromium:
        print("SKIPPED: chromium is not installed (Debian package: chromium)")
        return SKIPPED

    work = pathlib.Path(tempfile.mkdtemp(prefix="report-browser."))
    try:
        check_control(chromium, work)

        subprocess.run([args.source / "tools/make-demo-site", work / "site"], check=True)
        port = site_helper(args.source, 'start_site "$2" "$3" && echo "$SITE_PORT"',
                           work / "site", work / "server").strip()
        try:
            subprocess.run([args.binary, "audit", f"http://127.0.0.1:{port}/",
                            "--allow-private-addresses", "--delay", "0", "--store", work / "store",
                            "--out", work / "out", "--quiet"], check=True, timeout=120)
        finally:
            site_helper(args.source, 'stop_site "$2"', work / "server")
        reports = work / "out" / f"127.0.0.1_{port}"
        report = json.loads((reports / "report.json").read_text())

        args.artifacts.mkdir(parents=True, exist_ok=True)
        screenshot = args.artifacts / "report.png"
        screenshot.unlink(missing_ok=True)
        dom_text, console, net_log = open_in_chromium(
            chromium, reports / "report.html", work / "chromium-report", screenshot)
        dom = parse_dom(dom_text)
        check_network(dom, console, net_log)
        check_figures(dom, report)
        check_png(screenshot)
    finally:
        if os.environ.get("KEEP"):
            print(f"kept {work}")
        else:
            shutil.rmtree(work)

    for failure in failures:
        print("FAIL:", failure, file=sys.stderr)
    if not failures:
        print(f"report in the browser: all checks passed; screenshot {screenshot}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
