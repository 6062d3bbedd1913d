#!/usr/bin/python3
"""report_check.py — checks of a `hopsweep report` page for tests/cli/report.sh (not a ctest test
of its own: the .sh runs it).

  report_check.py static PAGE ANALYZE.json   the page loads nothing (no URL, no src=, no external
                                             href), its minimum-layers and key-effect tables hold
                                             the numbers of `hopsweep analyze --json`, every job
                                             link has its section and every finished job's row
                                             links
  report_check.py dom DOM                    Chromium's DOM after scripts ran: every section there,
                                             the sorting script ran
  report_check.py netlog NETLOG PAGE_URL     no request but the page itself and Chromium's own
                                             service traffic (prints the URLs it saw)
  report_check.py png SHOT.png               the screenshot is not blank
  report_check.py labels PAGE                settings named by the keys that differ, in HTML text
                                             (never inside an SVG, where they could be cut); role
                                             colours distinct within each layer, the same for a
                                             role everywhere
  report_check.py compare DOM FILTER IDS     Chromium's DOM of PAGE#filter=FILTER&compare=IDS:
                                             exactly the rows matching FILTER shown, the IDS (and
                                             nothing else) drawn on every comparison figure
"""
import html.parser
import json
import re
import struct
import sys
import zlib

SECTIONS = ["sweep", "min-layers-section", "min-layers", "accuracy", "curricula", "key-effects",
            "key-summary", "emergence", "jobs", "job-table"]


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.links, self.tmin, self.rows, self.in_jobs = set(), [], [], [], False
        self.effects = []
        self.classes = []
        self.svg_depth, self.legend, self.in_legend, self.svg_text = 0, [], False, []
        self.roles, self.table_rows, self.paths = [], [], {}
        self.svg_id, self.count = None, None

    def handle_data(self, data):
        if self.in_legend:
            self.legend[-1] += data
        if self.svg_depth:
            self.svg_text.append(data)
        if self.count is not None:
            self.count += data

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg":
            self.svg_depth += 1
            self.svg_id = a.get("id")
        if tag == "li":
            self.in_legend = True
            self.legend.append("")
        if tag == "span" and a.get("id") == "filter-count":
            self.count = ""
        if tag == "rect" and "data-role" in a:
            self.roles.append((a["data-role"], a.get("fill")))
        if tag == "tr" and "data-cfg" in a:
            self.table_rows.append((a["id"][4:], a["data-cfg"].split(), "hidden" in a))
        if tag == "path" and "data-job" in a and self.svg_id:
            self.paths.setdefault(self.svg_id, set()).add(a["data-job"])
        if tag == "p" and a.get("id") == "cmp-none":
            self.cmp_none_hidden = "hidden" in a
        if "id" in a:
            self.ids.add(a["id"])
        if a.get("class"):
            self.classes.append(a["class"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "td" and "data-tmin" in a:
            self.tmin.append(a)
        if tag == "td" and "data-key" in a:
            self.effects.append(a)
        if tag == "table" and a.get("id") == "job-table":
            self.in_jobs = True
        if tag == "tr" and self.in_jobs:
            self.rows.append([])
        if tag == "a" and self.in_jobs and self.rows:
            self.rows[-1].append(a["href"])

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_jobs = False
        if tag == "svg":
            self.svg_depth -= 1
        if tag == "li":
            self.in_legend = False
        if tag == "span" and self.count is not None:
            self.filter_count, self.count = self.count, None


def parse(path):
    p = Page()
    p.feed(open(path, encoding="utf-8").read())
    return p


def static(page, analyze):
    text = open(page, encoding="utf-8").read()
    for bad in ("http://", "https://", "src=", "url(", "@import", "//cdn"):
        assert bad not in text, f"the page holds {bad!r}"
    p = parse(page)
    for s in SECTIONS:
        assert s in p.ids, f"no element id={s}"
    for href in p.links:
        assert href.startswith("#"), f"a link that leaves the page: {href}"
        assert href[1:] in p.ids, f"link {href} has no target"
    want = {(r["setting"], r["curriculum"], r["hops"]): (r["t_min"], r["t_min_kind"])
            for r in json.load(open(analyze))["min_layers"]}
    assert want, "analyze --json has no minimum-layers rows"
    got = {}
    for td in p.tmin:
        t = None if td["data-tmin"] == "null" else int(td["data-tmin"])
        got[(int(td["data-setting"]), td["data-curriculum"], int(td["data-hops"]))] = \
            (t, td["data-kind"])
    assert got == want, f"minimum layers: page {got}, analyze {want}"
    want = {(r["key"], r["cell"], r["value"]): (r["solved"], r["runs"])
            for r in json.load(open(analyze))["key_effects"]}
    assert want, "analyze --json has no key-effect rows"
    got = {(td["data-key"], td["data-cell"], td["data-value"]):
           (int(td["data-solved"]), int(td["data-runs"])) for td in p.effects}
    assert got == want, f"key effects: page {got}, analyze {want}"
    return p


def main(argv):
    what = argv[1]
    if what == "static":
        p = static(argv[2], argv[3])
        linked = sum(1 for r in p.rows if r)
        print(f"static: {len(p.tmin)} minimum-layers cells and {len(p.effects)} key-effect cells "
              f"agree with analyze; {linked} job rows "
              f"link to sections; {len(p.rows) - 1} rows")
        if len(argv) > 4:  # every row of a finished job links
            n = int(argv[4])
            assert linked == n, f"{linked} job rows link, expected {n}"
    elif what == "dom":
        p = parse(argv[2])
        for s in SECTIONS:
            assert s in p.ids, f"the DOM has no id={s}"
        assert any("sort" in c.split() for c in p.classes), "the sorting script did not run"
        print("dom: sections present, script ran")
    elif what == "netlog":
        events = json.load(open(argv[2]))["events"]
        urls = {e["params"]["url"] for e in events if "url" in e.get("params", {})}
        own = re.compile(r"^https?://([a-z0-9-]+\.)*(google\.com|googleapis\.com|gstatic\.com)/")
        foreign = sorted(u for u in urls if u != argv[3] and not own.match(u))
        print("netlog: requests seen:", sorted(urls))
        assert not foreign, f"requests the page made: {foreign}"
    elif what == "png":
        blob = open(argv[2], "rb").read()
        assert blob[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
        at, idat, w = 8, b"", 0
        while at < len(blob):
            n, kind = struct.unpack(">I4s", blob[at:at + 8])
            if kind == b"IHDR":
                w = struct.unpack(">I", blob[at + 8:at + 12])[0]
            if kind == b"IDAT":
                idat += blob[at + 8:at + 8 + n]
            at += 12 + n
        raw = zlib.decompress(idat)
        distinct = len(set(raw))
        ink = sum(1 for b in raw[::97] if b not in (0, 255)) / len(raw[::97])
        print(f"png: {w} px wide, {distinct} distinct byte values, {ink:.3f} non-flat")
        assert distinct > 40 and ink > 0.005, "the screenshot is blank"
    elif what == "labels":
        p = parse(argv[2])
        labels = [t for t in p.legend if "train.lr=" in t]
        assert any("train.lr=0.003" in t for t in labels) and \
            any("train.lr=0.002" in t for t in labels), f"settings not named in full: {p.legend}"
        svg = " ".join(p.svg_text)
        assert "[1]" not in svg and "[2]" not in svg, "a setting is still a number in a figure"
        assert p.roles, "no role colours in the page"
        colour, by_layer = {}, {}
        for role, fill in p.roles:
            assert colour.setdefault(role, fill) == fill, f"role {role} has two colours"
        for role, fill in colour.items():
            by_layer.setdefault(role.split(":")[0], {}).setdefault(fill, []).append(role)
        for layer, fills in by_layer.items():
            shared = [roles for roles in fills.values() if len(roles) > 1]
            assert not shared, f"roles of layer {layer} share a colour: {shared}"
        print(f"labels: {len(labels)} setting labels in HTML; {len(colour)} roles in "
              f"{len(by_layer)} layers, distinct colours within each")
    elif what == "compare":
        p = parse(argv[2])
        want, ids = argv[3], set(argv[4].split(","))
        assert p.table_rows, "no job rows with their config"
        shown = {i for i, cfg, hidden in p.table_rows if not hidden}
        match = {i for i, cfg, hidden in p.table_rows if want in cfg}
        assert shown == match and 0 < len(shown) < len(p.table_rows), \
            f"filter {want}: shown {sorted(shown)}, matching {sorted(match)}"
        assert p.filter_count.startswith(f"{len(match)} of {len(p.table_rows)}"), p.filter_count
        assert len(ids) == 2 and p.cmp_none_hidden, "the comparison says no job is ticked"
        for fig in ("cmp-q", "cmp-loss", "cmp-hop", "cmp-lr"):
            assert p.paths.get(fig) == ids, f"{fig} draws {p.paths.get(fig)}, not {ids}"
        print(f"compare: {len(shown)} of {len(p.table_rows)} rows shown for {want}; "
              f"{sorted(ids)} overlaid on 4 figures")
    else:
        raise SystemExit(f"unknown check {what}")


if __name__ == "__main__":
    main(sys.argv)
