#!/usr/bin/env python3
"""Print the current state of every story from a dump of the stories topic (one JSON record per
line, oldest first): the canonical headline, then each member by source with its similarity.

    show-stories.py STORIES.jsonl
"""
import json
import sys


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    latest, order = {}, []
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            s = json.loads(line)
            if s["cluster_id"] not in latest:
                order.append(s["cluster_id"])
            latest[s["cluster_id"]] = s  # log compaction keeps the last record per key
    live = [latest[c] for c in order if latest[c]["event"] != "merged"]
    merged = [latest[c] for c in order if latest[c]["event"] == "merged"]
    live.sort(key=lambda s: -s["size"])
    print("%d stories from %d articles\n" % (len(live), sum(s["size"] for s in live)))
    for s in live:
        c = s["canonical"]
        print("* %s" % c["title"])
        print("  canonical: %s (%s, %s)   cluster %s" % (c["id"], c["source"], c["published_at"],
                                                         s["cluster_id"]))
        for m in s["members"]:
            tag = "canonical" if m["id"] == c["id"] else "similarity %.2f" % m["similarity"]
            print("    %-20s %s  %s" % (m["source"], m["published_at"], tag))
        print()
    for s in merged:
        print("(cluster %s was merged into %s)" % (s["cluster_id"], s["merged_into"]))


if __name__ == "__main__":
    main()
