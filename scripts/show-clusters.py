#!/usr/bin/env python3
"""Print dedupd's clusters readably: canonical title, then each member by source.

    show-clusters.py ARTICLES.jsonl DECISIONS.jsonl
"""
import collections
import json
import sys


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    articles = {}
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            if line.strip():
                a = json.loads(line)
                articles[str(a["id"])] = a
    clusters = collections.OrderedDict()
    errors = []
    with open(sys.argv[2], encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if "error" in d:
                errors.append(d)
                continue
            clusters.setdefault(d["cluster_id"], []).append(d)
    for cid, members in clusters.items():
        canonical = articles.get(str(members[-1]["canonical_id"]), {})
        print("* %s  (%d article%s)" % (canonical.get("title", cid), len(members),
                                        "" if len(members) == 1 else "s"))
        for d in members:
            a = articles.get(str(d["id"]), {})
            how = "first copy" if not d["duplicate"] else \
                "similarity %.2f, containment %.2f" % (d["similarity"], d["containment"])
            mark = "canonical" if str(d["id"]) == str(members[-1]["canonical_id"]) else ""
            print("    %-20s %-22s %s %s" % (a.get("source", "?"), a.get("published_at", ""), how,
                                            mark))
    for e in errors:
        print("! %s: %s (%s)" % (e.get("id"), e["error"], e.get("reason")))


if __name__ == "__main__":
    main()
