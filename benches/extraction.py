#!/usr/bin/env python3
"""Reader mode on the public article-extraction benchmark, scored as data.

Serves each benchmark page on 127.0.0.1 as the link of a feed item whose title is the page's
own headline (its og:title, else its first h1, else its <title>), as a real feed gives it;
refreshes that feed into a fresh cache, runs `khabar show ID --full --json` for every item and
scores its `body_text` (the article as plain text, no link or image marks) against the
benchmark's ground truth: 4-word shingles, precision and recall per page (normalised so long
pages weigh no more), averaged over pages, F1 of the averages. The metric follows the
benchmark's evaluate.py (written again here from its definition).

    benches/extraction.sh PATH             # PATH: a checkout of article-extraction-benchmark
    benches/extraction.sh PATH --worst 15  # and the pages scored lowest, with their P and R
    benches/extraction.sh PATH --keep DIR  # and each page's text in DIR, for reading
"""

import argparse
import concurrent.futures
import gzip
import html
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape

WORD = re.compile(r"\w+", re.UNICODE)


def shingles(text, n=4):
    """Counts of the text's n-word runs (one run of all words when there are fewer)."""
    words = WORD.findall(text or "")
    runs = [tuple(words[i:i + n]) for i in range(max(1, len(words) - n + 1))]
    return Counter(r for r in runs if r)


def page_counts(true, pred):
    """True positives, false positives and false negatives over shingles, as shares of their sum."""
    t, p = shingles(true), shingles(pred)
    tp = sum(min(t[k], p[k]) for k in t.keys() | p.keys())
    fp = sum(max(0, p[k] - t[k]) for k in p)
    fn = sum(max(0, t[k] - p[k]) for k in t)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def precision(tp, fp, fn):
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def recall(tp, fp, fn):
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def scores(counts):
    """Mean precision, mean recall, and the F1 of those means."""
    ps = [precision(*c) for c in counts if c[0] + c[1] > 0]
    rs = [recall(*c) for c in counts if c[0] + c[2] > 0]
    p, r = sum(ps) / len(ps), sum(rs) / len(rs)
    return 2 * p * r / (p + r), p, r


OG_TITLE = re.compile(r"""<meta[^>]+property=["']og:title["'][^>]*>""", re.I)
CONTENT = re.compile(r"""content=["']([^"']*)["']""", re.I)
H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.I | re.S)
TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
TAG = re.compile(r"<[^>]+>")


def headline(page):
    """The page's own headline, as a feed would title the item: og:title, else h1, else title."""
    found = OG_TITLE.search(page)
    text = CONTENT.search(found.group(0)).group(1) if found and CONTENT.search(found.group(0)) else ""
    for pattern in (H1, TITLE):
        if text.strip():
            break
        m = pattern.search(page)
        text = TAG.sub("", m.group(1)) if m else ""
    return html.unescape(" ".join(text.split())) or "untitled"


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("benchmark", type=Path)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--worst", type=int, default=0)
    ap.add_argument("--keep", type=Path)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    truth = json.loads((args.benchmark / "ground-truth.json").read_text())

    work = Path(tempfile.mkdtemp(prefix="khabar-extraction-"))
    try:
        run(args, truth, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args, truth, work):
    www = work / "www"
    www.mkdir()
    for key in truth:
        page = args.benchmark / "html" / f"{key}.html.gz"
        (www / f"{key}.html").write_bytes(gzip.decompress(page.read_bytes()))

    handler = lambda *a, **kw: Quiet(*a, directory=str(www), **kw)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    def title(key):
        return escape(headline((www / f"{key}.html").read_text(encoding="utf-8", errors="replace")))

    items = "".join(
        f"<item><guid>{k}</guid><title>{title(k)}</title><link>{escape(base)}/{k}.html</link>"
        "<description>feed text</description></item>"
        for k in truth
    )
    (www / "feed.xml").write_text(f'<rss version="2.0"><channel><title>bench</title>{items}</channel></rss>')
    config = work / "config.toml"
    config.write_text(f'[[feed]]\nurl = "{base}/feed.xml"\n')
    khabar = [args.bin, "--config", str(config), "--cache", str(work / "cache.db")]
    env = dict(os.environ, HOME=str(work), COLUMNS="100")
    subprocess.run(khabar + ["refresh"], check=True, env=env, capture_output=True)
    listed = subprocess.run(khabar + ["list", "--json", "--limit", "1000"], check=True, env=env,
                            capture_output=True, text=True).stdout
    ids = {json.loads(l)["link"].rsplit("/", 1)[-1][: -len(".html")]: json.loads(l)["id"]
           for l in listed.splitlines() if l}
    missing = set(truth) - ids.keys()
    if missing:
        sys.exit(f"{len(missing)} pages missing from the feed, e.g. {sorted(missing)[0]}")

    def show(key):
        start = time.monotonic()
        out = subprocess.run(khabar + ["show", str(ids[key]), "--full", "--json"], env=env,
                             capture_output=True, text=True)
        text = json.loads(out.stdout)["body_text"] if out.returncode == 0 else ""
        return key, text, out.stderr.strip(), time.monotonic() - start

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        shown = list(pool.map(show, truth))
    server.shutdown()

    counts, rows, failed = [], [], 0
    for key, text, err, _ in shown:
        c = page_counts(truth[key].get("articleBody", ""), text)
        counts.append(c)
        rows.append((2 * precision(*c) * recall(*c) / max(1e-9, precision(*c) + recall(*c)), key, c))
        if err:
            failed += 1
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            (args.keep / f"{key}.txt").write_text(text)
            (args.keep / f"{key}.truth.txt").write_text(truth[key].get("articleBody", ""))
    f1, p, r = scores(counts)
    took = sorted(t for *_, t in shown)
    print(f"pages {len(truth)}  F1 {f1:.3f}  precision {p:.3f}  recall {r:.3f}  "
          f"(show --full failed on {failed}; median {took[len(took) // 2] * 1000:.0f} ms per show)")
    for f, key, c in sorted(rows)[: args.worst]:
        print(f"  {f:.3f}  P {precision(*c):.3f}  R {recall(*c):.3f}  {key[:16]}  {truth[key].get('url', '')}")


if __name__ == "__main__":
    main()
