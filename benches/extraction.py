#!/usr/bin/env python3
"""Reader mode on the public article-extraction benchmark, scored as a user sees it.

Serves each benchmark page on 127.0.0.1 as the link of a feed item, refreshes that feed into a
fresh cache, runs `khabar show ID --full --width 100` for every item, drops the header block
(title, feed, author, date, link) and the numbered link list at the end, and scores what is
left against the benchmark's ground truth: 4-word shingles, precision and recall per page
(normalised so long pages weigh no more), averaged over pages, F1 of the averages. The metric
follows the benchmark's evaluate.py (written again here from its definition).

    benches/extraction.sh PATH             # PATH: a checkout of article-extraction-benchmark
    benches/extraction.sh PATH --worst 15  # and the pages scored lowest, with their P and R
    benches/extraction.sh PATH --keep DIR  # and each page's text in DIR, for reading
    benches/extraction.sh PATH --parts     # and the scores with the marks or headline taken out
"""

import argparse
import concurrent.futures
import gzip
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


LINK_MARK = re.compile(r"\[\d+\]")
IMAGE_MARK = re.compile(r"\[image(: [^\]]*)?\]")

# What a user sees, with parts taken out: where the gap to the ground truth is, not a score.
PARTS = [
    ("the [n] link marks", lambda t: LINK_MARK.sub("", t)),
    ("the [image...] marks", lambda t: IMAGE_MARK.sub("", t)),
    ("both kinds of mark", lambda t: IMAGE_MARK.sub("", LINK_MARK.sub("", t))),
    ("both, and the first paragraph (the headline)",
     lambda t: IMAGE_MARK.sub("", LINK_MARK.sub("", t.split("\n\n", 1)[-1]))),
]


def body_of(shown):
    """`show`'s output without its header block and its numbered link list."""
    lines = shown.split("\n")
    start = lines.index("") + 1 if "" in lines else 0
    end = len(lines)
    for i in range(len(lines) - 1, start - 1, -1):
        if lines[i].startswith("[1]: "):
            end = i
            break
    return "\n".join(lines[start:end])


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
    ap.add_argument("--parts", action="store_true")
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

    items = "".join(
        f"<item><guid>{k}</guid><title>{k}</title><link>{escape(base)}/{k}.html</link>"
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
    ids = {json.loads(l)["title"]: json.loads(l)["id"] for l in listed.splitlines() if l}
    missing = set(truth) - ids.keys()
    if missing:
        sys.exit(f"{len(missing)} pages missing from the feed, e.g. {sorted(missing)[0]}")

    def show(key):
        start = time.monotonic()
        out = subprocess.run(khabar + ["show", str(ids[key]), "--full", "--width", "100"], env=env,
                             capture_output=True, text=True)
        return key, body_of(out.stdout), out.stderr.strip(), time.monotonic() - start

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
    if args.parts:
        for name, cut in PARTS:
            f1, p, r = scores([page_counts(truth[key].get("articleBody", ""), cut(text)) for key, text, *_ in shown])
            print(f"  without {name}: F1 {f1:.3f}  precision {p:.3f}  recall {r:.3f}")
    for f, key, c in sorted(rows)[: args.worst]:
        print(f"  {f:.3f}  P {precision(*c):.3f}  R {recall(*c):.3f}  {key[:16]}  {truth[key].get('url', '')}")


if __name__ == "__main__":
    main()
