#!/usr/bin/env python3
"""Writes the large feeds the real-server sync test reads: FEEDS Atom feeds of ITEMS entries
each, titles in Hindi, Japanese and English, into DIR, and an OPML that subscribes to them.
Usage: big_feeds.py DIR BASE_URL [FEEDS] [ITEMS]"""
import sys
from xml.sax.saxutils import escape

def main():
    out, base = sys.argv[1], sys.argv[2].rstrip("/")
    feeds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    items = int(sys.argv[4]) if len(sys.argv) > 4 else 410
    words = ["समाचार", "ニュース", "news"]
    outlines = []
    for f in range(feeds):
        url = f"{base}/big{f}.xml"
        entries = []
        for n in range(items):
            title = f"Big {f}-{n} {words[(f + n) % 3]}"
            day = 1 + n % 28
            entries.append(
                f"<entry><title>{escape(title)}</title><id>{url}#{n}</id>"
                f'<link href="{base}/big{f}/{n}"/><updated>2026-11-{day:02d}T{n % 24:02d}:00:00Z</updated>'
                f"<content type=\"html\">{escape('<p>' + title + ' ' + 'body ' * 40 + '</p>')}</content></entry>"
            )
        with open(f"{out}/big{f}.xml", "w", encoding="utf-8") as fh:
            fh.write(
                '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
                f"<title>Big {f}</title><id>{url}</id><link href=\"{base}/\"/><icon>{base}/icon.png</icon>"
                f"<updated>2026-11-28T10:00:00Z</updated>{''.join(entries)}</feed>\n"
            )
        outlines.append(f'<outline type="rss" text="Big {f}" title="Big {f}" xmlUrl="{url}" htmlUrl="{base}/"/>')
    with open(f"{out}/big.opml", "w", encoding="utf-8") as fh:
        fh.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0"><head><title>big</title></head><body>'
            f'<outline text="big" title="big">{"".join(outlines)}</outline></body></opml>\n'
        )

main()
