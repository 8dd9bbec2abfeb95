#!/usr/bin/env python3
"""Page weight of every form page of a built site: raw and gzipped bytes of the HTML, of the
stylesheets it links and of its script, and the gzipped total against the budget for the
page's number of inputs: 14 KB (14,336 bytes: what fits in the first round trips of a new
connection) for up to 20 inputs; 28,160 bytes (what GOV.UK Frontend's CSS and JS alone weigh
gzipped) for up to 80; larger forms are measured and reported, not held to a budget. Each file
is compressed on its own, as a server sends it (gzip level 6, the zlib default most servers
and CDNs use). Prints a Markdown table; exits 1 if a page is over its budget.

Inputs are counted as the function receives them: the distinct names of the page's fields
(`input`, `select`, `textarea`; not hidden ones or buttons), so a radio group is one input and
an address four. The guard test `build::form_pages_fit_the_budget_for_their_number_of_inputs`
counts the same way.

Usage: bench/page-weight.py DIST/site
"""

import argparse
import gzip
import re
import sys
from pathlib import Path


def gz(data):
    return len(gzip.compress(data, compresslevel=6, mtime=0))


# (most inputs, budget in gzipped bytes): the first tier a page's input count falls into.
TIERS = [(20, 14 * 1024), (80, 28160)]
FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*>")
NAME = re.compile(r'\bname="([^"]+)"')
KIND = re.compile(r'\btype="([^"]+)"')


def inputs(text):
    names = set()
    for tag in FIELD.findall(text):
        kind = KIND.search(tag)
        name = NAME.search(tag)
        if name and not (kind and kind.group(1) in ("hidden", "submit", "button")):
            names.add(name.group(1))
    return len(names)


def budget(n):
    return next((b for most, b in TIERS if n <= most), None)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("site")
    args = ap.parse_args()
    site = Path(args.site)
    rows = []
    for page in sorted(site.rglob("index.html")):
        html = page.read_bytes()
        text = html.decode("utf-8")
        if 'id="form-data"' not in text:
            continue
        css = [page.parent / h for h in re.findall(r'<link rel="stylesheet" href="([^"]+)"', text)]
        js = [page.parent / h for h in re.findall(r'<script src="([^"]+)"', text)]
        css_bytes = [p.read_bytes() for p in css]
        js_bytes = [p.read_bytes() for p in js]
        r = {
            "page": str(page.parent.relative_to(site)) + "/",
            # Questions as the page renders them: every field wrapper, those inside a group too.
            "questions": len(re.findall(r'<div class="field[ "]', text)),
            "inputs": inputs(text),
            "html": (len(html), gz(html)),
            "css": (sum(map(len, css_bytes)), sum(map(gz, css_bytes))),
            "js": (sum(map(len, js_bytes)), sum(map(gz, js_bytes))),
        }
        r["total"] = r["html"][1] + r["css"][1] + r["js"][1]
        rows.append(r)
    if not rows:
        print("no form pages found", file=sys.stderr)
        return 2
    kb = lambda n: f"{n / 1024:.1f}"
    print("| form page | questions | inputs | HTML raw / gz | CSS raw / gz | JS raw / gz | total gz (KB) | budget (KB) |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    over = reported = 0
    for r in rows:
        b = budget(r["inputs"])
        if b is None:
            reported += 1
            verdict = "reported (over 80 inputs)"
        elif r["total"] <= b:
            verdict = f"ok ({kb(b)})"
        else:
            over += 1
            verdict = f"**over {kb(b)} by {kb(r['total'] - b)}**"
        print(
            f"| {r['page']} | {r['questions']} | {r['inputs']} | {kb(r['html'][0])} / {kb(r['html'][1])} | {kb(r['css'][0])} / {kb(r['css'][1])} "
            f"| {kb(r['js'][0])} / {kb(r['js'][1])} | {kb(r['total'])} | {verdict} |"
        )
    worst = max(rows, key=lambda r: r["total"])
    print()
    print(
        f"{len(rows)} form pages; heaviest {worst['page']} at {kb(worst['total'])} KB gzipped; "
        f"{over} over their budget (14.0 KB up to 20 inputs, 27.5 KB = 28,160 bytes up to 80); "
        f"{reported} with more than 80 inputs, reported. (KB = 1,024 bytes; each file gzipped on its own at level 6.)"
    )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
