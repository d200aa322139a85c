"""Shared by the Python integration tests: dedupd-devbroker as a child process, and failing."""
import os
import signal
import subprocess
import sys
import time


def fail(msg):
    print("FAIL:", msg, flush=True)
    sys.exit(1)


class DevBroker:
    """dedupd-devbroker with `partitions` per topic of the example config; stops on exit."""

    def __init__(self, build, source, partitions, tmp):
        boot_file = os.path.join(tmp, "bootstrap")
        self.proc = subprocess.Popen([os.path.join(build, "dedupd-devbroker"),
                                      "--partitions", str(partitions),
                                      "--config", os.path.join(source, "config/dedupd.toml"),
                                      "--bootstrap-file", boot_file],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if os.path.exists(boot_file) and os.path.getsize(boot_file) > 0:
                break
            time.sleep(0.05)
        else:
            self.close()
            fail("dedupd-devbroker wrote no bootstrap address")
        self.bootstrap = open(boot_file).read().strip()

    def close(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
