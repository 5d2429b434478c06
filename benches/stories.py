#!/usr/bin/env python3
"""Scores khabar's story grouping against a labelled corpus of the same news from many outlets.

Each outlet becomes one RSS feed served over HTTP on 127.0.0.1; `khabar refresh` stores and
groups them as a user's refresh would, and `khabar list --json` gives each article's `story`.
Printed: B-cubed precision, recall and F1 (per article, averaged), and pairwise precision.

Corpora (a path; the format is told by its suffix):
  .csv    the UCI News Aggregator's layout (ID,TITLE,URL,PUBLISHER,CATEGORY,STORY,HOSTNAME,
          TIMESTAMP): titles only. A 6,366-article sample is uci-news-aggregator.csv in
          github.com/pratikaher88/IPythonNotebooks (the whole set: archive.ics.uci.edu, id 359).
  .jsonl  one object per article: {"source", "title", "text", "url", "time" (unix seconds or
          RFC 3339), "label"}: any other corpus, held-out ones included.

  benches/stories.py CORPUS [--khabar target/release/khabar] [--tuning mean,least,shared,title,max]
"""
import argparse, csv, datetime as dt, email.utils, html, http.server, json, os, re, shutil
import subprocess, sys, tempfile, threading, time
from collections import defaultdict
from itertools import combinations


def load(path):
    rows = []
    if path.endswith(".csv"):
        with open(path, newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                if not r.get("TIMESTAMP"):
                    continue
                rows.append({"source": r["PUBLISHER"] or r["HOSTNAME"], "title": r["TITLE"], "text": "",
                             "url": r["URL"].replace("\\?", "?"), "time": int(float(r["TIMESTAMP"])) / 1000,
                             "label": r["STORY"]})
    else:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    t = r.get("time")
                    if isinstance(t, str):
                        t = dt.datetime.fromisoformat(t.replace("Z", "+00:00")).timestamp()
                    rows.append({"source": r["source"], "title": r.get("title", ""), "text": r.get("text", ""),
                                 "url": r.get("url") or "", "time": t or 0, "label": r["label"]})
    return rows


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "outlet"


def write_feeds(rows, www):
    by_source = defaultdict(list)
    for i, r in enumerate(rows):
        r["guid"] = "item-%d" % i
        by_source[r["source"]].append(r)
    names = {}
    for source, items in by_source.items():
        name = slug(source)
        while name in names.values():
            name += "-x"
        names[source] = name
        out = ['<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>',
               "<title>%s</title><link>http://127.0.0.1/</link><description>x</description>" % html.escape(source)]
        for r in items:
            body = "".join("<p>%s</p>" % html.escape(p) for p in r["text"].split("\n") if p.strip())
            out.append("<item><guid isPermaLink=\"false\">%s</guid><title>%s</title><link>%s</link>"
                       "<pubDate>%s</pubDate><description>%s</description></item>" % (
                           r["guid"], html.escape(r["title"]), html.escape(r["url"] or "http://127.0.0.1/" + r["guid"]),
                           email.utils.formatdate(r["time"], usegmt=True), html.escape(body)))
        out.append("</channel></rss>")
        with open(os.path.join(www, name + ".xml"), "w", encoding="utf-8") as f:
            f.write("".join(out))
    return names


def serve(www):
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=www, **k)
    http.server.SimpleHTTPRequestHandler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def score(truth, predicted):
    """B-cubed precision/recall (Bagga & Baldwin) and pairwise precision."""
    gold, pred = defaultdict(set), defaultdict(set)
    for item, label in truth.items():
        gold[label].add(item)
        pred[predicted[item]].add(item)
    p = r = 0.0
    for item in truth:
        g, c = gold[truth[item]], pred[predicted[item]]
        both = len(g & c)
        p += both / len(c)
        r += both / len(g)
    n = len(truth)
    p, r = p / n, r / n
    pairs = right = 0
    for members in pred.values():
        for a, b in combinations(sorted(members), 2):
            pairs += 1
            right += truth[a] == truth[b]
    return {"articles": n, "stories": len(gold), "bcubed_precision": round(p, 4), "bcubed_recall": round(r, 4),
            "bcubed_f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
            "pairs": pairs, "pairwise_precision": round(right / pairs, 4) if pairs else 1.0}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus")
    ap.add_argument("--khabar", default="target/release/khabar")
    ap.add_argument("--tuning", help="KHABAR_STORY_TUNING for this run")
    ap.add_argument("--window", default="3d")
    ap.add_argument("--errors", type=int, default=0, help="print this many wrongly grouped pairs")
    a = ap.parse_args()
    rows = load(a.corpus)
    tmp = tempfile.mkdtemp(prefix="khabar-stories-")
    try:
        www = os.path.join(tmp, "www")
        os.makedirs(www)
        names = write_feeds(rows, www)
        server = serve(www)
        port = server.server_address[1]
        cfg = os.path.join(tmp, "config.toml")
        with open(cfg, "w") as f:
            f.write('[general]\narticles_per_feed = 100000\n[stories]\nwindow = "%s"\n' % a.window)
            for source, name in sorted(names.items(), key=lambda x: x[1]):
                f.write('[[feed]]\nurl = "http://127.0.0.1:%d/%s.xml"\ntitle = %s\n' % (port, name, json.dumps(source)))
        env = dict(os.environ, XDG_DATA_HOME=os.path.join(tmp, "data"), XDG_STATE_HOME=os.path.join(tmp, "state"),
                   XDG_CACHE_HOME=os.path.join(tmp, "cache"), KHABAR_CONFIG=cfg)
        if a.tuning:
            env["KHABAR_STORY_TUNING"] = a.tuning
        started = time.monotonic()
        subprocess.run([a.khabar, "refresh"], env=env, check=True, stderr=subprocess.DEVNULL)
        elapsed = time.monotonic() - started
        listed = subprocess.run([a.khabar, "list", "--json"], env=env, check=True, capture_output=True, text=True).stdout
        server.shutdown()
        by_key = {}
        for r in rows:
            by_key[(slug_of(names, r["source"]), r["url"] or "http://127.0.0.1/" + r["guid"], r["title"].strip())] = r["guid"]
        labels = {r["guid"]: r["label"] for r in rows}
        truth, predicted = {}, {}
        for line in listed.splitlines():
            v = json.loads(line)
            feed = v["feed_url"].rsplit("/", 1)[-1][:-4]
            guid = by_key.get((feed, v["link"], v["title"].strip()))
            if guid is None:
                continue
            truth[guid] = labels[guid]
            predicted[guid] = v["story"] if v["story"] is not None else "alone-%d" % v["id"]
        if a.errors:
            titles = {r["guid"]: "%s | %s" % (r["source"], r["title"]) for r in rows}
            stories = defaultdict(list)
            for g, s in predicted.items():
                stories[s].append(g)
            shown = 0
            for members in stories.values():
                for x, y in combinations(sorted(members), 2):
                    if truth[x] != truth[y] and shown < a.errors:
                        shown += 1
                        print("  %s\n  %s\n" % (titles[x], titles[y]), file=sys.stderr)
        result = score(truth, predicted)
        result.update({"corpus": os.path.basename(a.corpus), "matched": len(truth), "rows": len(rows),
                       "refresh_seconds": round(elapsed, 2), "tuning": a.tuning or "default"})
        print(json.dumps(result))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def slug_of(names, source):
    return names[source]


if __name__ == "__main__":
    main()
