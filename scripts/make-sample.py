#!/usr/bin/env python3
"""Generate the bundled sample stream: reprints of the project's own fixture stories.

    scripts/make-sample.py [--stories tests/fixtures/stories.jsonl] [--out examples/]

Writes sample-articles.jsonl (JSON lines in publication order) and sample-labels.tsv
(id<TAB>story). Each story appears as the wire copy and as reprints on invented sites that wrap it
in their own header and footer, truncate it, re-wrap its lines, curl its quotes, leave HTML
entities in, change a few words, or glue the start of another story under it. Deterministic.
"""
import argparse
import datetime as dt
import hashlib
import json
import os
import random

SITES = [
    ("Riverside Gazette", "riverside-gazette.example",
     ["RIVERSIDE GAZETTE", "News | Sport | Business | Weather", "Subscribe | Sign in"],
     ["Related stories", "More local news at Riverside Gazette",
      "Copyright Riverside Gazette. All rights reserved. This material may not be published, "
      "broadcast, rewritten or redistributed without permission of the publisher."]),
    ("Coastline Daily", "coastline-daily.example",
     ["Coastline Daily - your region, every day", "Home > News", "Latest headlines"],
     ["Share this article", "Sign up for the Coastline Daily morning briefing",
      "(c) Coastline Daily Media Group. Reproduction of this article in any form is forbidden "
      "without the written consent of the editors."]),
    ("MetroWire", "metrowire.example",
     ["MetroWire", "Politics . World . Money . Tech . Culture", "|"],
     ["Related Links", "All the latest stories on MetroWire.example",
      "MetroWire republishes wire copy under licence. Opinions expressed are those of the "
      "original authors. Contact the newsroom for corrections."]),
    ("Valley Courier", "valley-courier.example",
     ["THE VALLEY COURIER", "Local | National | Opinion | Obituaries"],
     ["Comments are closed for this article.",
      "The Valley Courier is an independent newspaper. Support local journalism: subscribe "
      "today and get your first month free."]),
]

SWAPS = {"said": "stated", "about": "around", "expected": "set", "new": "fresh", "must": "will"}


def wrap_lines(text, width, rng):
    out = []
    for para in text.split("\n\n"):
        words, line = para.split(), ""
        for w in words:
            if line and len(line) + 1 + len(w) > width:
                out.append(line)
                line = w
            else:
                line = (line + " " + w) if line else w
        out.append(line)
    return "\n".join(out)


def damage(body, other, rng):
    paras = body.split("\n\n")
    kinds = []
    if rng.random() < 0.3 and len(paras) > 2:
        paras = paras[: max(1, int(len(paras) * rng.uniform(0.4, 0.8)))]
        kinds.append("truncated")
    text = "\n\n".join(paras)
    if rng.random() < 0.4:
        words = text.split(" ")
        for i, w in enumerate(words):
            if w in SWAPS and rng.random() < 0.5:
                words[i] = SWAPS[w]
        text = " ".join(words)
        kinds.append("edited")
    if rng.random() < 0.4:
        text = text.replace("\"", "\u201c", 1).replace("\"", "\u201d", 1).replace("'", "\u2019")
        kinds.append("curly")
    if rng.random() < 0.3:
        text = text.replace("\"", "&quot;").replace("'", "&#39;")
        kinds.append("entities")
    if rng.random() < 0.3:
        text = wrap_lines(text, rng.choice([72, 80, 90]), rng)
        kinds.append("rewrapped")
    if other is not None and rng.random() < 0.2:
        text += "\n\n" + other["title"] + "\n" + other["body"].split("\n\n")[0]
        kinds.append("appended")
    return text, kinds


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--stories", default="tests/fixtures/stories.jsonl")
    ap.add_argument("--out", default="examples")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    stories = [json.loads(l) for l in open(args.stories, encoding="utf-8") if l.strip()]
    start = dt.datetime(2026, 11, 2, 6, 0, tzinfo=dt.timezone.utc)
    articles = []
    for n, s in enumerate(stories):
        t0 = start + dt.timedelta(minutes=47 * n)
        articles.append((t0, s["id"], {
            "source": "Wire Agency", "url": "https://wire.example/%s" % s["id"],
            "title": s["title"], "body": s["body"]}))
        for site, domain, header, footer in rng.sample(SITES, rng.randint(2, len(SITES))):
            other = rng.choice([o for o in stories if o["id"] != s["id"]])
            text, _ = damage(s["body"], other, rng)
            body = "\n".join(header) + "\n" + text + "\n" + "\n".join(footer)
            title = s["title"] if rng.random() < 0.5 else "%s - %s" % (s["title"], site)
            t = t0 + dt.timedelta(minutes=rng.randint(5, 600))
            articles.append((t, s["id"], {
                "source": site, "url": "https://%s/news/%s" % (domain, s["id"]),
                "title": title, "body": body}))
    articles.sort(key=lambda a: a[0])
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "sample-articles.jsonl"), "w", encoding="utf-8") as fa, \
         open(os.path.join(args.out, "sample-labels.tsv"), "w", encoding="utf-8") as fl:
        for t, story, a in articles:
            aid = "a-" + hashlib.sha1((a["url"] + t.isoformat()).encode()).hexdigest()[:12]
            rec = {"id": aid, "url": a["url"], "source": a["source"], "title": a["title"],
                   "body": a["body"], "published_at": t.strftime("%Y-%m-%dT%H:%M:%SZ")}
            fa.write(json.dumps(rec, ensure_ascii=False) + "\n")
            fl.write("%s\t%s\n" % (aid, story))


if __name__ == "__main__":
    main()
