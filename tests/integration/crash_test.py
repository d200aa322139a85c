#!/usr/bin/python3
"""Crash test: dedupd under load on dedupd-devbroker, killed with SIGKILL at random moments and
restarted, then the outputs are checked against the inputs with an independent client
(kafka-python, Debian's python3-kafka).

    crash_test.py BUILD_DIR SOURCE_DIR [--mode at-least-once|exactly-once] [--kills N]
                  [--seconds S] [--rate R] [--seed N]

Phases: the wire copy of each fixture story is published and decided; then filler articles
(sentences drawn from a word list with a seeded generator: text this script writes) stream in at
R per second for S seconds while dedupd is SIGKILLed N times at random moments and restarted;
finally each story is reprinted by a new site. Checked: every input id has a decision (none
lost), every reprint is a duplicate of its story's wire copy (state survived the crashes), and
the number of repeated decisions is reported. In exactly-once mode, a broker that honours
transactions shows each decision once to read_committed readers; librdkafka's mock cluster does
not keep transactional offsets nor hide aborted records, so here repeats are reported, not
asserted (docs/RELIABILITY.md).
"""
import argparse
import json
import os
import random
import signal
import subprocess
import tempfile
import threading
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from devbroker import DevBroker, fail

WORDS = ("council harbour engineers river budget minister school station winter market "
         "festival hospital farmers island museum library airport village storm bridge "
         "company workers union court judge police report survey league season coach "
         "players concert theatre director film album singer orchestra teachers pupils "
         "exam results study scientists glacier ocean forest wildlife species drought "
         "harvest prices inflation bank loans housing tenants landlords rents plans "
         "protest march square mayor election voters candidates debate policy reform").split()


def filler(rng, i):
    sentences = []
    for _ in range(rng.randint(8, 14)):
        n = rng.randint(9, 18)
        sentences.append(" ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + ".")
    return {"id": "filler-%06d" % i, "source": "site-%d" % rng.randint(1, 40),
            "title": "Filler %d" % i, "body": " ".join(sentences),
            "published_at": "2026-06-01T%02d:%02d:00Z" % (i // 60 % 24, i % 60)}


def read_decisions(bootstrap):
    # (kafka-python 2.0.2 reads uncommitted records only; the mock shows aborted ones anyway.)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                             auto_offset_reset="earliest", consumer_timeout_ms=1000)
    parts = consumer.partitions_for_topic("dedup.decisions") or set()
    consumer.assign([TopicPartition("dedup.decisions", p) for p in parts])
    consumer.seek_to_beginning()
    out = [json.loads(m.value) for m in consumer]
    consumer.close()
    return out


class Daemon:
    def __init__(self, build, cfg, log):
        self.build, self.cfg, self.log = build, cfg, log
        self.proc = None

    def start(self):
        """Starts dedupd and waits until it owns partitions (so a kill hits it mid-work)."""
        start = os.path.getsize(self.log) if os.path.exists(self.log) else 0
        self.proc = subprocess.Popen([os.path.join(self.build, "dedupd"), "run", "--config", self.cfg],
                                     stderr=open(self.log, "a"))
        for _ in range(600):
            with open(self.log) as f:
                f.seek(start)
                if '"partitions assigned"' in f.read():
                    return
            time.sleep(0.05)
        fail("dedupd got no partitions in 30 s: see %s" % self.log)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("source")
    ap.add_argument("--mode", choices=["at-least-once", "exactly-once"], default="at-least-once")
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--rate", type=float, default=150.0)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    rng = random.Random(args.seed)
    print("crash test: mode=%s kills=%d seconds=%.0f rate=%.0f/s seed=%d"
          % (args.mode, args.kills, args.seconds, args.rate, args.seed), flush=True)

    tmp = tempfile.mkdtemp(prefix="dedupd-crash-")
    broker = DevBroker(args.build, args.source, 2, tmp)
    daemon = None
    try:
        bootstrap = broker.bootstrap
        cfg = os.path.join(tmp, "dedupd.toml")
        with open(cfg, "w") as f:
            f.write('[kafka]\nbrokers = "%s"\ngroup_id = "crash"\nexactly_once = %s\n'
                    'transactional_id = "crash-1"\n'
                    # Static membership: a real broker hands a restarted instance its partitions
                    # back at once; the mock still waits out the killed one's session (6 s).
                    '[kafka.consumer]\n"auto.commit.interval.ms" = 200\n"session.timeout.ms" = 6000\n'
                    '"group.instance.id" = "crash-1"\n'
                    '[daemon]\npoll_timeout_ms = 50\n[http]\nlisten = ""\n'
                    % (bootstrap, "true" if args.mode == "exactly-once" else "false"))
        log = os.path.join(tmp, "dedupd.log")
        daemon = Daemon(args.build, cfg, log)
        daemon.start()

        stories = [json.loads(l) for l in open(os.path.join(args.source, "tests/fixtures/stories.jsonl"))]
        producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
        inputs = []

        def publish(article):
            producer.send("articles", json.dumps(article).encode("utf-8"))
            inputs.append(article["id"])

        for s in stories:
            publish({"id": s["id"] + "-wire", "source": "Wire", "title": s["title"],
                     "body": s["body"], "published_at": "2026-06-01T00:00:00Z"})
        producer.flush()
        deadline = time.time() + 30
        while time.time() < deadline and len({d["id"] for d in read_decisions(bootstrap)}) < len(stories):
            time.sleep(0.2)
        time.sleep(0.5)  # the wire copies' offsets are committed

        # Load, with crashes.
        stop = threading.Event()

        def load():
            i = 0
            t0 = time.time()
            while not stop.is_set():
                publish(filler(random.Random(args.seed * 1000003 + i), i))
                i += 1
                ahead = i / args.rate - (time.time() - t0)
                if ahead > 0:
                    time.sleep(ahead)
            producer.flush()

        loader = threading.Thread(target=load)
        loader.start()
        t_end = time.time() + args.seconds
        kills = 0
        while kills < args.kills:
            time.sleep(rng.uniform(0.1, 1.5))  # a random moment while it works
            daemon.kill()
            kills += 1
            daemon.start()
        while time.time() < t_end:
            time.sleep(0.1)
        stop.set()
        loader.join()

        # Reprints of the pre-crash stories.
        for s in stories:
            publish({"id": s["id"] + "-reprint", "source": "Late Gazette", "title": s["title"],
                     "body": "Late Gazette | News | Weather\n\n" + s["body"] +
                             "\n\nCopyright Late Gazette. All rights reserved.",
                     "published_at": "2026-06-01T12:00:00Z"})
        producer.flush()
        producer.close()

        want = set(inputs)
        decisions = []
        deadline = time.time() + 120
        while time.time() < deadline:
            decisions = read_decisions(bootstrap)
            if want <= {d["id"] for d in decisions}:
                break
            time.sleep(0.5)
        ids = [d["id"] for d in decisions]
        missing = want - set(ids)
        repeats = len(ids) - len(set(ids))
        latest = {}
        for d in decisions:
            latest[d["id"]] = d
        unmatched = [s["id"] for s in stories
                     if not latest.get(s["id"] + "-reprint", {}).get("duplicate")
                     or latest[s["id"] + "-reprint"].get("matched_id") != s["id"] + "-wire"]
        print("inputs=%d decisions=%d distinct=%d missing=%d repeated=%d kills=%d "
              "reprints_matched=%d/%d" % (len(want), len(ids), len(set(ids)), len(missing), repeats,
                                          kills, len(stories) - len(unmatched), len(stories)),
              flush=True)
        if missing:
            fail("no decision for %d inputs, e.g. %s" % (len(missing), sorted(missing)[:5]))
        if unmatched:
            fail("reprints not matched to their pre-crash story: %s (log %s)" % (unmatched, log))
        daemon.proc.send_signal(signal.SIGTERM)
        if daemon.proc.wait(timeout=30) != 0:
            fail("dedupd exit code %s" % daemon.proc.returncode)
        print("1 passed, 0 failed")
    finally:
        if daemon and daemon.proc and daemon.proc.poll() is None:
            daemon.proc.kill()
        broker.close()


if __name__ == "__main__":
    main()
