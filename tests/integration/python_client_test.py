#!/usr/bin/python3
"""Interoperability: an independent Kafka client (kafka-python, Debian's python3-kafka) publishes
the sample stream to dedupd through dedupd-devbroker and reads the decisions and stories back;
an independent Prometheus parser (Debian's python3-prometheus-client) reads /metrics.

    python_client_test.py BUILD_DIR SOURCE_DIR
"""
import collections
import json
import os
import signal
import subprocess
import sys
import tempfile
import re
import time
import urllib.request

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from prometheus_client.parser import text_string_to_metric_families

from devbroker import DevBroker, fail


def read_topic(bootstrap, topic, want, timeout_s):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                             auto_offset_reset="earliest", consumer_timeout_ms=500)
    parts = consumer.partitions_for_topic(topic) or set()
    consumer.assign([TopicPartition(topic, p) for p in parts])
    consumer.seek_to_beginning()
    out, deadline = [], time.time() + timeout_s
    while len(out) < want and time.time() < deadline:
        for m in consumer:
            out.append(m)
    consumer.close()
    return out


def scrape(log_path):
    """Samples of dedupd's /metrics, parsed by prometheus_client: {(name, labels): value}."""
    port = None
    for _ in range(100):
        m = re.search(r'http endpoint listening"? address=[^\s]*:(\d+)(?:\s|$)', open(log_path).read())
        if m:
            port = int(m.group(1))
            break
        time.sleep(0.05)
    if port is None:
        fail("no http endpoint in the log")
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5) as r:
        if not r.headers["Content-Type"].startswith("text/plain; version=0.0.4"):
            fail("metrics content type %r" % r.headers["Content-Type"])
        text = r.read().decode("utf-8")
    samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def main():
    build, source = sys.argv[1], sys.argv[2]
    tmp = tempfile.mkdtemp(prefix="dedupd-py-")
    # One partition: dedupd then sees the articles in the order they were published, so its
    # decisions must be exactly those of file mode on the same file.
    broker = DevBroker(build, source, 1, tmp)
    daemon = None
    try:
        bootstrap = broker.bootstrap
        cfg = os.path.join(tmp, "dedupd.toml")
        with open(cfg, "w") as f:
            f.write('[kafka]\nbrokers = "%s"\ngroup_id = "py-interop"\n'
                    '[daemon]\npoll_timeout_ms = 50\n'
                    '[http]\nlisten = "127.0.0.1:0"\n' % bootstrap)
        log_path = os.path.join(tmp, "dedupd.log")
        daemon = subprocess.Popen([os.path.join(build, "dedupd"), "run", "--config", cfg],
                                  stderr=open(log_path, "w"))

        sample = os.path.join(source, "examples/sample-articles.jsonl")
        articles = [json.loads(l) for l in open(sample)]
        labels = dict(l.rstrip("\n").split("\t") for l in open(os.path.join(source, "examples/sample-labels.tsv")))
        producer = KafkaProducer(bootstrap_servers=bootstrap)
        for a in articles:
            producer.send("articles", json.dumps(a).encode("utf-8"), key=a["id"].encode("utf-8"))
        producer.send("articles", b"not json at all", key=b"garbage")
        producer.flush()
        producer.close()

        decisions = read_topic(bootstrap, "dedup.decisions", len(articles), 30)
        by_id = {}
        for m in decisions:
            d = json.loads(m.value)
            if m.key.decode() != str(d["id"]):
                fail("decision key %r != id %r" % (m.key, d["id"]))
            by_id[str(d["id"])] = d
        if set(by_id) != {a["id"] for a in articles}:
            fail("decisions for %d of %d articles" % (len(by_id), len(articles)))
        # The same decisions as file mode (`dedupd dedup`, the same engine settings) on the file.
        expected_path = os.path.join(tmp, "file-mode.jsonl")
        subprocess.run([os.path.join(build, "dedupd"), "dedup", "--input", sample,
                        "--output", expected_path], check=True, stderr=subprocess.DEVNULL)
        fields = ("duplicate", "cluster_id", "matched_id", "canonical_id", "similarity")
        expected = {}
        for line in open(expected_path):
            d = json.loads(line)
            if "duplicate" in d:
                expected[str(d["id"])] = tuple(d.get(f) for f in fields)
        for i, d in by_id.items():
            if tuple(d.get(f) for f in fields) != expected.get(i):
                fail("decision for %s: %r, file mode: %r"
                     % (i, tuple(d.get(f) for f in fields), expected.get(i)))
        # And the clustering is not trivial: the sample's reprints are found.
        clusters = collections.defaultdict(set)
        for i, d in by_id.items():
            clusters[d["cluster_id"]].add(i)
        same_story = sum(1 for c in clusters.values() if len(c) > 1 and
                         len({labels[i] for i in c}) == 1)
        if same_story < 5:
            fail("only %d multi-article clusters of one story" % same_story)

        stories = read_topic(bootstrap, "dedup.stories", 1, 10)
        latest = {}
        for m in stories:
            latest[m.key.decode()] = json.loads(m.value)
        biggest = max(latest.values(), key=lambda s: s["size"])
        if biggest["size"] < 3 or len(biggest["members"]) != biggest["size"]:
            fail("stories topic: largest cluster %r" % biggest)

        dlq = read_topic(bootstrap, "dedup.dead-letter", 1, 10)
        if len(dlq) != 1 or dlq[0].value != b"not json at all":
            fail("dead letter: %r" % dlq)
        headers = dict((k, v.decode()) for k, v in dlq[0].headers)
        if headers.get("dedupd.reason") != "not_json":
            fail("dead-letter headers: %r" % headers)

        samples = scrape(log_path)
        want = {("dedupd_articles_consumed_total", ()): len(articles) + 1,
                ("dedupd_decisions_total", ()): len(articles),
                ("dedupd_dead_letters_total", (("reason", "not_json"),)): 1,
                ("dedupd_index_articles", ()): len(articles),
                ("dedupd_clusters_created_total", ()): len(clusters)}
        for key, value in want.items():
            if samples.get(key) != value:
                fail("metric %s = %r, want %r" % (key, samples.get(key), value))

        daemon.send_signal(signal.SIGTERM)
        if daemon.wait(timeout=20) != 0:
            fail("dedupd exit code %s" % daemon.returncode)
        print("decisions=%d clusters=%d stories=%d dead_letters=%d metric_samples=%d"
              % (len(by_id), len(clusters), len(latest), len(dlq), len(samples)))
        print("1 passed, 0 failed")
    finally:
        if daemon and daemon.poll() is None:
            daemon.kill()
        broker.close()


if __name__ == "__main__":
    main()
