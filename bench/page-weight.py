#!/usr/bin/env python3
"""Page weight of every form page of a built site: raw and gzipped bytes of the HTML, of the
stylesheets it links and of its script, and the gzipped total against the budget (14 KB =
14,336 bytes: what fits in the first round trips of a new connection). Each file is
compressed on its own, as a server sends it (gzip level 6, the zlib default most servers and
CDNs use). Prints a Markdown table; exits 1 if a page is over budget.

Usage: bench/page-weight.py DIST/site [--budget BYTES]
"""

import argparse
import gzip
import re
import sys
from pathlib import Path


def gz(data):
    return len(gzip.compress(data, compresslevel=6, mtime=0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("site")
    ap.add_argument("--budget", type=int, default=14 * 1024)
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
    print(f"| form page | questions | HTML raw / gz | CSS raw / gz | JS raw / gz | total gz (KB) | budget {kb(args.budget)} KB |")
    print("|---|---:|---:|---:|---:|---:|---|")
    over = 0
    for r in rows:
        ok = r["total"] <= args.budget
        over += not ok
        print(
            f"| {r['page']} | {r['questions']} | {kb(r['html'][0])} / {kb(r['html'][1])} | {kb(r['css'][0])} / {kb(r['css'][1])} "
            f"| {kb(r['js'][0])} / {kb(r['js'][1])} | {kb(r['total'])} | {'ok' if ok else '**over by ' + kb(r['total'] - args.budget) + ' KB**'} |"
        )
    worst = max(rows, key=lambda r: r["total"])
    print()
    print(
        f"{len(rows)} form pages; heaviest {worst['page']} at {kb(worst['total'])} KB gzipped; "
        f"{over} over the {kb(args.budget)} KB budget. (KB = 1,024 bytes; each file gzipped on its own at level 6.)"
    )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
