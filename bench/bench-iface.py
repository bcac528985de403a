#!/usr/bin/python3
"""Interface monitoring benchmark (issue 5).

1. Service CPU with 200 extra interfaces sampled every second: a network
   namespace with 200 dummy devices (100 veth pairs where the kernel has no
   dummy driver), a private dbus-daemon and `trafficd --session` inside it
   (history on); CPU time of the trafficd process over --seconds (default
   30) after a 5 s warm-up, as a percentage of one core. Goal < 1%.
   With traffic: --busy adds a veth pair whose other end is in a second
   namespace and runs iperf3 across it (--busy-bitrate, default 100M);
   --busy-all sends one frame out of every veth pair's first end every
   0.25 s, so that every interface's counters change at every tick (the
   case where nothing can be reused from the previous tick).
   --prefill-hours H first stores H hours of 1 s samples (and their
   rollups) for every interface, as a service that has run for a while
   has them: each tick's rows then land on one page per interface.
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
from benchlib import BUS_NAME, CLK_TCK, MANAGER_PATH, SOURCE_ROOT, Stack, cpu_seconds  # noqa: E402
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


def add_busy_pair(ns, peer):
    """bt0a (10.255.0.1) in NS, bt0b (10.255.0.2) in the namespace PEER."""
    sh("ip", "netns", "add", peer)
    sh("ip", "-n", ns, "link", "add", "bt0a", "type", "veth", "peer", "name", "bt0b", "netns", peer)
    sh("ip", "-n", ns, "addr", "add", "10.255.0.1/30", "dev", "bt0a")
    sh("ip", "-n", ns, "link", "set", "bt0a", "up")
    sh("ip", "-n", peer, "link", "set", "lo", "up")
    sh("ip", "-n", peer, "addr", "add", "10.255.0.2/30", "dev", "bt0b")
    sh("ip", "-n", peer, "link", "set", "bt0b", "up")


def start_iperf(stack, ns, peer, seconds, bitrate):
    """iperf3 from NS to PEER across bt0a/bt0b for SECONDS; waits for the
    server to listen."""
    stack.spawn("iperf3-server", ["ip", "netns", "exec", peer, "iperf3", "-s", "-1", "-B", "10.255.0.2",
                                  "-p", "5399"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if "5399" in sh("ip", "netns", "exec", peer, "ss", "-ltnH", check=False).stdout:
            break
        time.sleep(0.05)
    return stack.spawn("iperf3-client", ["ip", "netns", "exec", ns, "iperf3", "-c", "10.255.0.2", "-p", "5399",
                                         "-t", "%d" % (seconds + 1), "-b", bitrate, "-i", "0"])


def start_churn(stack, ns, pairs):
    """A child in NS sending one broadcast frame out of bvNa for every pair
    every 0.25 s: every veth end's counters change at every tick."""
    code = ("import socket, time\n"
            "socks = []\n"
            "for i in range(%d):\n"
            "    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\n"
            "    s.bind(('bv%%da' %% i, 0))\n"
            "    socks.append(s)\n"
            "frame = b'\\xff' * 6 + b'\\x02\\0\\0\\0\\0\\1' + b'\\x88\\xb5' + bytes(46)\n"
            "while True:\n"
            "    for s in socks:\n"
            "        s.send(frame)\n"
            "    time.sleep(0.25)\n" % pairs)
    return stack.spawn("churn", ["ip", "netns", "exec", ns, sys.executable, "-c", code])


def prefill(db_path, names, hours, now_us):
    """HOURS of idle 1 s samples of NAMES up to NOW_US, with their minute
    and hour rollups (so that the service's first rollups only add the
    new minute)."""
    minute, hour, second = 60_000_000, 3_600_000_000, 1_000_000
    start = (now_us - int(hours * hour)) // second * second
    c = sqlite3.connect(db_path)
    c.executemany("INSERT OR IGNORE INTO iface_names (name) VALUES (?)", [(n,) for n in names])
    ids = [i for (i,) in c.execute("SELECT id FROM iface_names ORDER BY id")]
    for iid in ids:
        c.executemany("INSERT OR REPLACE INTO iface_samples VALUES (?, ?, 1.0, 0.0, 0.0, 0, 0)",
                      ((iid, ts) for ts in range(start, now_us, second)))
        for resolution, size in ((60, minute), (3600, hour)):
            c.executemany("INSERT OR REPLACE INTO iface_rollups VALUES (?, ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)",
                          ((iid, resolution, b, size // second, float(size // second))
                           for b in range(start // size * size, now_us // size * size, size)))
    c.commit()
    c.close()


def bench_cpu(n, seconds, busy=False, bitrate="100M", busy_all=False, prefill_hours=0):
    ns = "trbench-%06d" % random.randrange(10**6)
    peer = ns + "-peer"
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
        if busy_all and kind != "veth":
            raise RuntimeError("--busy-all needs the veth pairs")
        if busy:
            add_busy_pair(ns, peer)
        stack = Stack("bench-iface-cpu.")
        try:
            start_trafficd(stack, netns=ns)
            listed = stack.call(MANAGER_PATH, IFACES_IFACE, "ListInterfaces", None, "(aa{sv})")[0]
            if prefill_hours > 0:
                db = stack.get(MANAGER_PATH, "org.trafficd.Traffic1.History", "DatabasePath")
                stack.stop(stack.trafficd)
                prefill(db, [i["name"] for i in listed], prefill_hours, int(time.time() * 1e6))
                start_trafficd(stack, netns=ns)
            if busy:
                start_iperf(stack, ns, peer, 5 + seconds, bitrate)
            if busy_all:
                start_churn(stack, ns, n // 2)
            time.sleep(5)
            pid = stack.trafficd.pid    # ip netns exec execs the service itself
            threads0 = thread_cpu(pid)
            c0, t0 = cpu_seconds(pid), time.monotonic()
            time.sleep(seconds)
            c1, t1 = cpu_seconds(pid), time.monotonic()
            threads1 = thread_cpu(pid)
            with open("/proc/%d/status" % pid) as f:
                rss = [l for l in f if l.startswith("VmRSS")][0].split()[1]
            traffic = busy_traffic(stack, busy, bitrate, busy_all)
        finally:
            stack.cleanup()
        per_thread = {}
        for tid, (name, c) in threads1.items():
            name = "main" if tid == pid else name
            per_thread[name] = per_thread.get(name, 0) + c - threads0.get(tid, (name, 0))[1]
        return {"interfaces": len(listed), "kind": kind, "cpu_percent": 100 * (c1 - c0) / (t1 - t0),
                "rss_kib": int(rss), "seconds": t1 - t0, "traffic": traffic, "prefill_hours": prefill_hours,
                "threads": ", ".join("%s %.2f%%" % (n, 100 * c / (t1 - t0))
                                     for n, c in sorted(per_thread.items(), key=lambda e: -e[1]))}
    finally:
        sh("ip", "netns", "del", ns, check=False)
        if busy:
            sh("ip", "netns", "del", peer, check=False)


def thread_cpu(pid):
    """{tid: (name, utime+stime s)} of PID's threads now (threads that
    ended in between are in neither reading)."""
    out = {}
    for tid in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as f:
                name = f.read().strip()
            ut, st, _cut, _cst = proc_stat_path("/proc/%d/task/%s/stat" % (pid, tid))
        except OSError:
            continue
        out[int(tid)] = (name, ut + st)
    return out


def proc_stat_path(path):
    with open(path) as f:
        data = f.read()
    fields = data[data.rindex(")") + 2:].split()
    return tuple(int(fields[i]) / CLK_TCK for i in (11, 12, 13, 14))


def busy_traffic(stack, busy, bitrate, busy_all):
    """What ran beside the service during the measurement, for the report."""
    what = []
    if busy:
        client = [p for name, p in stack.procs if name == "iperf3-client"][0]
        if client.poll() is not None:
            raise RuntimeError("iperf3 ended early:\n%s" % stack.log_tail("iperf3-client"))
        what.append("iperf3 at %s bit/s across bt0a/bt0b" % bitrate)
    if busy_all:
        churn = [p for name, p in stack.procs if name == "churn"][0]
        if churn.poll() is not None:
            raise RuntimeError("the frame sender ended early:\n%s" % stack.log_tail("churn"))
        what.append("a frame on every veth pair every 0.25 s")
    return "; ".join(what) if what else "idle"


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
    ap.add_argument("--busy", action="store_true", help="iperf3 across one more veth pair during the CPU run")
    ap.add_argument("--busy-bitrate", default="100M", help="iperf3 -b for --busy (default 100M)")
    ap.add_argument("--busy-all", action="store_true",
                    help="a frame on every veth pair every 0.25 s during the CPU run (all counters change)")
    ap.add_argument("--prefill-hours", type=float, default=0,
                    help="store this many hours of samples of every interface before the CPU run")
    ap.add_argument("--no-query", action="store_true", help="only the CPU measurement")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("needs root (network namespaces)", file=sys.stderr)
        return 2
    cpu = bench_cpu(args.interfaces, args.seconds, args.busy, args.busy_bitrate, args.busy_all, args.prefill_hours)
    print("CPU: %(interfaces)d interfaces (%(kind)s), sampled every 1 s with history: %(cpu_percent).2f%% of a "
          "core over %(seconds).0f s, RSS %(rss_kib)d KiB; traffic: %(traffic)s%(prefilled)s"
          % dict(cpu, prefilled=", %g h of samples stored before" % cpu["prefill_hours"] if cpu["prefill_hours"] else ""))
    print("  by thread: %(threads)s" % cpu)
    if args.no_query:
        return 0
    q = bench_query(args.calls)
    print("Query: 30 days of eth0 at 1000 points (%(rollup_rows)d rollup rows, %(sample_rows)d samples stored): "
          "%(points)d points from %(resolution_s)d s buckets, median %(median_ms).1f ms, min %(min_ms).1f, "
          "max %(max_ms).1f ms (D-Bus round trip)" % q)
    return 0


if __name__ == "__main__":
    sys.exit(main())
