#!/usr/bin/env python3
"""Build a labelled reprint stream from any corpus of news stories, for measuring match quality
and for load tests. The corpus is read, never copied: point it at data you may use.

    bench/make-reprint-set.py CORPUS.jsonl OUTDIR [--stories N] [--seed S] [--profile P]
                              [--dup-groups GROUPS.tsv]

CORPUS.jsonl: one story per line with "id", "title" and "body" (other fields ignored; empty
bodies skipped). GROUPS.tsv (optional): lines of whitespace-separated corpus ids that are the
same story (exact duplicates in the corpus), labelled as one story.

Writes OUTDIR/articles.jsonl (dedupd input, in publication order) and OUTDIR/labels.tsv
(id<TAB>story). Each story appears as the agency copy (sometimes) and as reprints on invented
sites: the site's header, section navigation, byline/dateline, "most read" headline lists,
"Related Links" and copyright footer around it; truncation, a dropped paragraph, word edits,
OCR-like character errors, HTML entities, curly quotes, re-wrapped lines, a second story's
headline and first paragraph glued on. Profiles set the damage rates: "dev" (moderate) and
"hard" (more and heavier damage). Deterministic for a given seed.
"""
import argparse
import collections
import datetime as dt
import hashlib
import json
import os
import random

WORDS = ("news daily post herald courier ledger record wire bulletin monitor report dispatch "
         "gazette times journal tribune observer chronicle star sun globe voice press review").split()
PLACES = ("river lake harbor bay north south east west metro valley prairie coastal highland "
          "summit pine oak cedar granite iron silver golden maple").split()
SECTIONS = "World Business Sport Tech Health Science Politics Opinion Local Weather Travel Video".split()
FOOTER_WORDS = ("content material site published reproduced without permission rights reserved "
                "terms privacy policy cookies advertising partners information provided only "
                "opinions authors responsible external links quotes delayed minutes editors "
                "network members subscribe newsletter contact corrections archive").split()
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
PROFILES = {
    "dev": dict(agency=0.6, reprints=(0, 12), truncate=0.2, keep=(0.35, 0.95), drop_para=0.05,
                edits=0.3, edit_rate=(0.005, 0.03), ocr=0.12, ocr_rate=(0.002, 0.015),
                entities=0.25, curly=0.4, rewrap=0.3, appended=0.12, sidebar=0.25, title_echo=0.3),
    "hard": dict(agency=0.4, reprints=(0, 16), truncate=0.35, keep=(0.3, 0.9), drop_para=0.1,
                 edits=0.45, edit_rate=(0.01, 0.05), ocr=0.3, ocr_rate=(0.005, 0.03),
                 entities=0.35, curly=0.5, rewrap=0.4, appended=0.25, sidebar=0.4, title_echo=0.4),
}


def make_site(rng, n):
    name = "%s %s" % (rng.choice(PLACES).title(), rng.choice(WORDS).title())
    if rng.random() < 0.3:
        name = name.replace(" ", "") + ".example"
    footer = " ".join(rng.choice(FOOTER_WORDS) for _ in range(rng.randint(40, 110)))
    return dict(
        name=name,
        header=[name.upper() if rng.random() < 0.5 else name,
                " | ".join(rng.sample(SECTIONS, rng.randint(4, 8))),
                rng.choice(["Subscribe | Log in", "Latest news", "Follow us", "Search"])],
        related=["Related Links"] + ["%s news at %s" % (rng.choice(SECTIONS), name)
                                     for _ in range(rng.randint(1, 3))],
        footer=footer[0].upper() + footer[1:] + ".",
        byline=rng.choice(["dateline", "staff", "none"]),
        wrap=rng.choice([0, 0, 72, 80, 90]))


def paragraphs(body):
    paras = [p.strip() for p in body.replace("\r", "").split("\n\n")]
    if len(paras) == 1:  # corpora that indent paragraphs instead of blank lines
        paras = [p.strip() for p in body.split("\n    ")]
    return [" ".join(p.split()) for p in paras if p.strip()]


def ocr(text, rate, rng):
    out = []
    for ch in text:
        if ch.isalnum() and rng.random() < rate:
            op = rng.random()
            if op < 0.5:
                out.append(rng.choice("abcdefghijklmnopqrstuvwxyz"))
            elif op < 0.7:
                continue
            elif op < 0.85:
                out.append(ch + ch)
            else:
                out.append(ch + rng.choice("abcdefghijklmnopqrstuvwxyz"))
        else:
            out.append(ch)
    return "".join(out)


def edit_words(text, rate, rng, vocab):
    words, out = text.split(" "), []
    for w in words:
        r = rng.random()
        if r < rate / 3:
            continue
        if r < 2 * rate / 3:
            out.append(rng.choice(vocab))
            continue
        out.append(w)
        if r < rate:
            out.append(rng.choice(vocab))
    return " ".join(out)


def wrap(paras, width):
    lines = []
    for p in paras:
        line = ""
        for w in p.split():
            if line and len(line) + 1 + len(w) > width:
                lines.append(line)
                line = w
            else:
                line = (line + " " + w) if line else w
        lines.append(line)
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus")
    ap.add_argument("outdir")
    ap.add_argument("--stories", type=int, default=2000)
    ap.add_argument("--sites", type=int, default=40)
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--profile", choices=sorted(PROFILES), default="dev")
    ap.add_argument("--dup-groups")
    args = ap.parse_args()
    p = PROFILES[args.profile]
    rng = random.Random(args.seed)

    corpus = []
    with open(args.corpus, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            paras = paragraphs(d.get("body") or "")
            if paras and d.get("title"):
                corpus.append((str(d["id"]), d["title"].strip(), paras))
    group_of = {}
    if args.dup_groups:
        for line in open(args.dup_groups, encoding="utf-8"):
            if line.startswith("#"):
                continue
            ids = line.split()
            for i in ids:
                group_of[i] = ids[0]
    rng.shuffle(corpus)
    corpus = corpus[: args.stories]
    vocab = [w for _, _, paras in corpus[:200] for w in paras[0].split()][:5000] or ["the"]
    sites = [make_site(rng, i) for i in range(args.sites)]
    start = dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc)
    span = args.days * 86400
    titles = [t for _, t, _ in corpus]

    events = []
    for sid, title, paras in corpus:
        label = "s:" + group_of.get(sid, sid)
        t0 = start + dt.timedelta(seconds=rng.randint(0, span))
        if rng.random() < p["agency"]:
            events.append((t0, label, "Wire Agency", "https://wire.example/%s" % sid, title,
                           "\n\n".join(paras)))
        for site in rng.sample(sites, min(len(sites), rng.randint(*p["reprints"]))):
            t = t0 + dt.timedelta(hours=min(120.0, rng.expovariate(1 / 5.0)))
            body = list(paras)
            if rng.random() < p["truncate"] and len(body) > 1:
                body = body[: max(1, round(len(body) * rng.uniform(*p["keep"])))]
            if rng.random() < p["drop_para"] and len(body) > 2:
                del body[rng.randrange(1, len(body))]
            text = "\n\n".join(body)
            if rng.random() < p["edits"]:
                text = edit_words(text, rng.uniform(*p["edit_rate"]), rng, vocab)
            if rng.random() < p["ocr"]:
                text = ocr(text, rng.uniform(*p["ocr_rate"]), rng)
            if rng.random() < p["curly"]:
                text = text.replace("'", "\u2019").replace(' "', " \u201c").replace('"', "\u201d")
            if rng.random() < p["entities"]:
                text = text.replace("&", "&amp;").replace("\u2019", "&rsquo;").replace("'", "&#39;")
            body = text.split("\n\n")
            lines = list(site["header"])
            if rng.random() < p["sidebar"]:
                lines += ["Most read"] + rng.sample(titles, 4)
            if rng.random() < p["title_echo"]:
                lines.append(title)
            date = "%s %d" % (MONTHS[t.month - 1], t.day)
            if site["byline"] == "dateline":
                body[0] = "LONDON, %s (Wire) - %s" % (date, body[0])
            elif site["byline"] == "staff":
                lines.append("by Staff Writers London (Wire) %s, %d" % (date, t.year))
            lines += wrap(body, site["wrap"]) if site["wrap"] else body
            if rng.random() < p["appended"]:
                other = rng.choice(corpus)
                if other[0] != sid:
                    lines += [other[1], other[2][0]]
            lines += site["related"] + [site["footer"]]
            shown = title if rng.random() < 0.5 else "%s - %s" % (title, site["name"])
            events.append((t, label, site["name"], "https://%s/a/%s" % (
                site["name"].lower().replace(" ", "-"), sid), shown, "\n".join(lines)))
    events.sort(key=lambda e: e[0])
    os.makedirs(args.outdir, exist_ok=True)
    stories = collections.Counter()
    with open(os.path.join(args.outdir, "articles.jsonl"), "w", encoding="utf-8") as fa, \
         open(os.path.join(args.outdir, "labels.tsv"), "w", encoding="utf-8") as fl:
        for n, (t, label, source, url, title, body) in enumerate(events):
            aid = "r" + hashlib.sha1(("%s|%d" % (url, n)).encode()).hexdigest()[:15]
            fa.write(json.dumps({"id": aid, "url": url, "source": source, "title": title,
                                 "body": body, "published_at": t.strftime("%Y-%m-%dT%H:%M:%SZ")},
                                ensure_ascii=False) + "\n")
            fl.write("%s\t%s\n" % (aid, label))
            stories[label] += 1
    print("%d articles, %d stories (%d singletons) -> %s" % (
        len(events), len(stories), sum(1 for v in stories.values() if v == 1), args.outdir))


if __name__ == "__main__":
    main()
