#!/usr/bin/python3
"""Interface monitoring benchmark (issue 5).

1. Service CPU with 200 extra interfaces sampled every second: a network
   namespace with 200 dummy devices (100 veth pairs where the kernel has no
   dummy driver), a private dbus-daemon and `trafficd --session` inside it
   (history on); CPU time of the trafficd process over --seconds (default
   30) after a 5 s warm-up, as a percentage of one core. Goal < 1%.
2. A 30-day history query for one interface at 1,000 points: a history
   database with 30 days of 1-minute rollups, 2 years... of hourly ones and
   24 h of 1 s samples for "eth0" (written straight into the tables the
   service created), then Interfaces.GetHistory(eth0, now - 30 d, now,
   1000) timed end to end from a Python client (the call and the reply's
   transfer, not PyGObject's unpacking), median and max of 20 calls.
   Goal < 20 ms.

Root (namespaces). Run: sudo /usr/bin/python3 bench/bench-iface.py
"""

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import BUS_NAME, MANAGER_PATH, SOURCE_ROOT, Stack, cpu_seconds  # noqa: E402
from gi.repository import GLib  # noqa: E402

BUILD = os.environ.get("BUILD_ROOT") or os.path.join(SOURCE_ROOT, "build")
TRAFFICD = os.path.join(BUILD, "service", "trafficd")
RUNNER = os.path.join(BUILD, "runner", "trafficd-runner")
BUS_CONF = os.path.join(SOURCE_ROOT, "tests", "data", "session-bus.conf")
IFACES_IFACE = "org.trafficd.Traffic1.Interfaces"


def sh(*argv, check=True):
    p = subprocess.run(argv, capture_output=True, text=True)
    if check and p.returncode:
        raise RuntimeError("%s: %s" % (" ".join(argv), p.stderr.strip()))
    return p


def start_trafficd(stack, netns=None):
    """trafficd (history on) on the stack's bus, both in NETNS if given."""
    pre = ["ip", "netns", "exec", netns] if netns else []
    if stack.conn is None:
        stack.start_bus(config=BUS_CONF, prefix=pre)
    stack.start_trafficd(TRAFFICD, RUNNER, prefix=pre,
                         env={"DBUS_SYSTEM_BUS_ADDRESS": "unix:path=/nonexistent/bench"})


def bench_cpu(n, seconds):
    ns = "trbench-%06d" % random.randrange(10**6)
    sh("ip", "netns", "add", ns)
    try:
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        kind = "dummy"
        if sh("ip", "-n", ns, "link", "add", "bd0", "type", "dummy", check=False).returncode:
            kind = "veth"
        sh("ip", "-n", ns, "link", "del", "bd0", check=False)
        batch = []
        for i in range(n if kind == "dummy" else n // 2):
            if kind == "dummy":
                batch.append("link add bd%d type dummy" % i)
            else:
                batch.append("link add bv%da type veth peer name bv%db" % (i, i))
        for i in range(n if kind == "dummy" else n // 2):
            for dev in (["bd%d" % i] if kind == "dummy" else ["bv%da" % i, "bv%db" % i]):
                batch.append("link set %s up" % dev)
        p = subprocess.run(["ip", "-n", ns, "-batch", "-"], input="\n".join(batch) + "\n", text=True,
                           capture_output=True)
        if p.returncode:
            raise RuntimeError(p.stderr)
        stack = Stack("bench-iface-cpu.")
        try:
            start_trafficd(stack, netns=ns)
            listed = stack.call(MANAGER_PATH, IFACES_IFACE, "ListInterfaces", None, "(aa{sv})")[0]
            time.sleep(5)
            pid = stack.trafficd.pid    # ip netns exec execs the service itself
            c0, t0 = cpu_seconds(pid), time.monotonic()
            time.sleep(seconds)
            c1, t1 = cpu_seconds(pid), time.monotonic()
            with open("/proc/%d/status" % pid) as f:
                rss = [l for l in f if l.startswith("VmRSS")][0].split()[1]
        finally:
            stack.cleanup()
        return {"interfaces": len(listed), "kind": kind, "cpu_percent": 100 * (c1 - c0) / (t1 - t0),
                "rss_kib": int(rss), "seconds": t1 - t0}
    finally:
        sh("ip", "netns", "del", ns, check=False)


def fill_history(db_path, now_us):
    c = sqlite3.connect(db_path)
    c.execute("INSERT OR IGNORE INTO iface_names (name) VALUES ('eth0')")
    (iid,) = c.execute("SELECT id FROM iface_names WHERE name = 'eth0'").fetchone()
    rnd = random.Random(5)
    minute, hour = 60_000_000, 3_600_000_000
    rows = []
    start = (now_us - 31 * 86400 * 1_000_000) // minute * minute
    for b in range(start, now_us // minute * minute, minute):
        r = rnd.uniform(1e6, 9e8)
        rows.append((iid, 60, b, 60, 60.0, r / 2, r, r * 1.1, r * 1.05, r / 3, r / 2, r, r * 0.9, int(r * 7.5), int(r * 3)))
    for b in range((now_us - 2 * 365 * 86400 * 1_000_000) // hour * hour, now_us // hour * hour, hour):
        r = rnd.uniform(1e6, 9e8)
        rows.append((iid, 3600, b, 3600, 3600.0, r / 2, r, r * 1.1, r * 1.05, r / 3, r / 2, r, r * 0.9, int(r * 450), int(r * 200)))
    c.executemany("INSERT OR REPLACE INTO iface_rollups VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    samples = [(iid, ts, 1.0, rnd.uniform(0, 1e9), rnd.uniform(0, 1e9), 1000, 1000)
               for ts in range(now_us - 86400 * 1_000_000, now_us, 1_000_000)]
    c.executemany("INSERT OR REPLACE INTO iface_samples VALUES (?, ?, ?, ?, ?, ?, ?)", samples)
    c.commit()
    c.close()
    return len(rows), len(samples)


def bench_query(calls):
    stack = Stack("bench-iface-query.")
    try:
        start_trafficd(stack)
        db = stack.get(MANAGER_PATH, "org.trafficd.Traffic1.History", "DatabasePath")
        stack.stop(stack.trafficd)
        now_us = int(time.time() * 1e6)
        rollups, samples = fill_history(db, now_us)
        start_trafficd(stack)
        times, npoints, resolution = [], 0, 0
        for _ in range(calls):
            now_us = int(time.time() * 1e6)
            t0 = time.perf_counter()
            reply = stack.conn.call_sync(
                BUS_NAME, MANAGER_PATH, IFACES_IFACE, "GetHistory",
                GLib.Variant("(sttu)", ("eth0", now_us - 30 * 86400 * 1_000_000, 0, 1000)),
                GLib.VariantType("(ua(tdudddddddd))"), 0, -1, None)
            times.append((time.perf_counter() - t0) * 1000)
            # PyGObject's unpack costs ~20 µs a value: not the service's time
            resolution = reply.get_child_value(0).get_uint32()
            npoints = reply.get_child_value(1).n_children()
    finally:
        stack.cleanup()
    return {"rollup_rows": rollups, "sample_rows": samples, "points": npoints, "resolution_s": resolution,
            "median_ms": statistics.median(times), "max_ms": max(times), "min_ms": min(times)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--interfaces", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=30)
    ap.add_argument("--calls", type=int, default=20)
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("needs root (network namespaces)", file=sys.stderr)
        return 2
    cpu = bench_cpu(args.interfaces, args.seconds)
    print("CPU: %(interfaces)d interfaces (%(kind)s), sampled every 1 s with history: %(cpu_percent).2f%% of a "
          "core over %(seconds).0f s, RSS %(rss_kib)d KiB" % cpu)
    q = bench_query(args.calls)
    print("Query: 30 days of eth0 at 1000 points (%(rollup_rows)d rollup rows, %(sample_rows)d samples stored): "
          "%(points)d points from %(resolution_s)d s buckets, median %(median_ms).1f ms, min %(min_ms).1f, "
          "max %(max_ms).1f ms (D-Bus round trip)" % q)
    return 0


if __name__ == "__main__":
    sys.exit(main())
