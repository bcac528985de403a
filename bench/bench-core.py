#!/usr/bin/python3
"""bench-core.py: core benchmarks of trafficd (see bench/README.md).

Starts its own D-Bus daemon, trafficd and iperf3 server (loopback, a port in
5600-5699), measures

  1. throughput through trafficd / bare iperf3 (alternating pairs),
  2. Interval signal latency (iperf interval end -> D-Bus client),
  3. StartTest -> State "running" latency and StartTest round trip,
  4. trafficd's CPU and memory (and the runner's CPU),

prints each figure against its goal, and cleans everything up.

Exit status: 0 when every measurement was made (whether or not the goals are
met), 1 when a measurement failed, 2 on a usage error.

Run with /usr/bin/python3 (it needs python3-gi).
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import (BUS_NAME, MANAGER_IFACE, MANAGER_PATH, PROPS_IFACE, SOURCE_ROOT,  # noqa: E402
                      TERMINAL_STATES, TEST_IFACE, BenchError, Stack, all_processes, catch_signals, log, machine_busy,
                      percentile, port_free, proc_stat, process_tree)
from gi.repository import Gio, GLib  # noqa: E402

SERVER_BUSY = "org.trafficd.Traffic1.Error.ServerBusy"
PORT_RANGE = range(5600, 5700)

GOAL_THROUGHPUT_RATIO = 0.99
GOAL_INTERVAL_P99_MS = 10.0
GOAL_START_P99_MS = 50.0


def now_us():
    return time.time_ns() // 1000


def summary(values):
    return {
        "n": len(values),
        "median": statistics.median(values) if values else float("nan"),
        "p99": percentile(values, 99),
        "min": min(values) if values else float("nan"),
        "max": max(values) if values else float("nan"),
    }


# ---------------------------------------------------------------- /proc ----

def proc_status_kib(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class ForeignLoad:
    """CPU used by everything but this benchmark's processes between start()
    and stop(): a sign that other work disturbed a measurement. It is the
    machine's busy time (/proc/stat) minus the CPU time of our process tree
    (including the children it reaped), so it also counts kernel threads
    working for anyone, ours included; "top" names the busiest foreign
    processes by their own CPU time."""

    def __init__(self, own_pid):
        self.own_pid = own_pid

    def _split(self, procs):
        ours = process_tree(procs, self.own_pid)
        mine = {pid: procs[pid][1] + procs[pid][2] for pid in ours if pid in procs}
        other = {pid: p[1] for pid, p in procs.items() if pid not in ours and not p[3]}
        kernel = sum(p[1] for p in procs.values() if p[3])
        return mine, other, kernel

    @staticmethod
    def _comm(pid):
        try:
            with open("/proc/%d/comm" % pid) as f:
                return f.read().strip()
        except OSError:
            return "?"

    def start(self):
        self.busy0 = machine_busy()[0]
        self.mine0, self.other0, self.kernel0 = self._split(all_processes())
        self.t0 = time.monotonic()

    def stop(self):
        mine1, other1, kernel1 = self._split(all_processes())
        busy = machine_busy()[0] - self.busy0
        wall = time.monotonic() - self.t0
        ours = sum(cpu - self.mine0.get(pid, 0.0) for pid, cpu in mine1.items())
        used = max(0.0, busy - ours)
        per = {pid: cpu - self.other0.get(pid, 0.0) for pid, cpu in other1.items()}
        top = sorted(per.items(), key=lambda kv: -kv[1])[:3]
        pct = (lambda x: 100.0 * x / wall) if wall > 0 else (lambda x: 0.0)
        kernel = kernel1 - self.kernel0
        return {"cpu_seconds": used, "percent_of_core": pct(used),
                # of which: kernel threads (partly working for our traffic),
                # other processes alive at both ends, and the rest
                # (processes that started and ended in between)
                "kernel_threads_pct": pct(kernel),
                "long_lived_pct": pct(sum(v for v in per.values() if v > 0)),
                "ours_cpu_seconds": ours, "machine_busy_seconds": busy, "wall_s": wall,
                "top": ["%s[%d] %.0f%%" % (self._comm(pid), pid, 100.0 * cpu / wall)
                        for pid, cpu in top if cpu > 0.02 * wall]}


# --------------------------------------------------------- environment ----

def listening(port):
    """Whether something listens on 127.0.0.1:PORT (TCP)."""
    want = "0100007F:%04X" % port
    try:
        with open("/proc/net/tcp") as f:
            for line in f.readlines()[1:]:
                cols = line.split()
                if cols[1] == want and cols[3] == "0A":
                    return True
    except OSError:
        pass
    return False


class Env(Stack):
    """The private bus, iperf3 server and trafficd, and their cleanup."""

    def __init__(self, args):
        super().__init__("trafficd-bench.", args.keep_temp)
        self.args = args
        self.port = None
        self.server = None

    def start(self):
        self.start_bus()
        self.start_server()
        self.start_trafficd(self.args.trafficd, self.args.runner, copy=not self.args.no_copy)

    def start_server(self):
        if self.args.port:
            candidates = [self.args.port]
        else:
            off = os.getpid() % len(PORT_RANGE)
            candidates = list(PORT_RANGE[off:]) + list(PORT_RANGE[:off])
        for port in candidates:
            if not port_free(port):
                continue
            p = self.spawn("iperf3-server", ["iperf3", "-s", "-B", "127.0.0.1", "-p", str(port)])
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and p.poll() is None and not listening(port):
                time.sleep(0.02)
            if p.poll() is None and listening(port):
                self.port, self.server = port, p
                return
            self.stop(p)
        raise BenchError("could not start an iperf3 server on a free port in %s-%s"
                         % (candidates[0], candidates[-1]))


# ----------------------------------------------------------- the client ----

class Client:
    """Talks to trafficd, recording when signals arrive."""

    def __init__(self, env):
        self.env = env
        self.conn = env.conn
        self.intervals = {}     # path -> [(recv_us, sample dict)]
        self.states = {}        # path -> [(state, recv_us)]
        self.props = {}         # path -> {name: value} from PropertiesChanged
        self.starting = {}      # path -> recv_us of the Log "Starting Test: ..."
        self.conn.signal_subscribe(None, TEST_IFACE, "Interval", None, None,
                                   Gio.DBusSignalFlags.NONE, self._on_interval)
        self.conn.signal_subscribe(None, PROPS_IFACE, "PropertiesChanged", None, TEST_IFACE,
                                   Gio.DBusSignalFlags.NONE, self._on_props)
        self.conn.signal_subscribe(None, TEST_IFACE, "Log", None, None,
                                   Gio.DBusSignalFlags.NONE, self._on_log)

    # Stamp first, unpack after.
    def _on_interval(self, conn, sender, path, iface, name, params):
        recv = now_us()
        self.intervals.setdefault(path, []).append((recv, params.unpack()[0]))

    def _on_log(self, conn, sender, path, iface, name, params):
        recv = now_us()
        if path not in self.starting and params[1].startswith("Starting Test"):
            self.starting[path] = recv

    def _on_props(self, conn, sender, path, iface, name, params):
        recv = now_us()
        _iface, changed, _invalidated = params.unpack()
        self.props.setdefault(path, {}).update(changed)
        if "State" in changed:
            self.states.setdefault(path, []).append((changed["State"], recv))

    def start_test(self, options):
        """StartTest asynchronously (so signals are stamped while we wait).
        Returns (path, call_us, reply_us)."""
        opts = {
            "host": GLib.Variant("s", "127.0.0.1"),
            "port": GLib.Variant("u", self.env.port),
        }
        for k, v in options.items():
            if isinstance(v, bool):
                opts[k] = GLib.Variant("b", v)
            elif isinstance(v, int):
                opts[k] = GLib.Variant("u", v)
            elif isinstance(v, float):
                opts[k] = GLib.Variant("d", v)
            else:
                opts[k] = GLib.Variant("s", v)
        box = {}

        def done(conn, res):
            box["reply_us"] = now_us()
            try:
                box["path"] = conn.call_finish(res).unpack()[0]
            except GLib.Error as e:
                box["error"] = e.message

        call_us = now_us()
        self.conn.call(BUS_NAME, MANAGER_PATH, MANAGER_IFACE, "StartTest",
                       GLib.Variant("(a{sv})", (opts,)), GLib.VariantType("(o)"),
                       Gio.DBusCallFlags.NONE, 10000, None, done)
        self.env.spin_until(lambda: "reply_us" in box, 15, "the StartTest reply")
        if "error" in box:
            raise BenchError("StartTest failed: %s" % box["error"])
        return box["path"], call_us, box["reply_us"]

    def state_of(self, path):
        seen = self.states.get(path)
        return seen[-1][0] if seen else None

    def wait_end(self, path, timeout):
        try:
            self.env.spin_until(lambda: self.state_of(path) in TERMINAL_STATES, timeout,
                            "test %s to end" % path)
        except BenchError:
            raise BenchError("test %s did not end in %.0f s (State %s)"
                             % (path, timeout, self.env.get(path, TEST_IFACE, "State")))
        return self.state_of(path)

    def run_test(self, options, timeout, retries=5):
        """Runs one test to its end, retrying while the server is busy.
        Returns (path, call_us, reply_us, end_us, props)."""
        for attempt in range(retries + 1):
            path, call_us, reply_us = self.start_test(options)
            state = self.wait_end(path, timeout)
            end_us = self.states[path][-1][1]
            props = self.env.get_all(path, TEST_IFACE)
            if state == "finished":
                return path, call_us, reply_us, end_us, props
            err = props.get("Error", ("", ""))
            if err[0] == SERVER_BUSY and attempt < retries:
                log("server busy, retrying in 1 s")
                time.sleep(1)
                continue
            raise BenchError("test %s ended %s: %s %s" % (path, state, err[0], err[1]))
        raise AssertionError("unreachable")


# ------------------------------------------------------------ measures ----

def bare_iperf(env, duration, retries=5):
    """One bare iperf3 client run. Returns (bits/s, cpu s, wall s, iperf's cpu%)."""
    argv = ["iperf3", "-c", "127.0.0.1", "-p", str(env.port), "-t", str(duration), "-J"]
    for attempt in range(retries + 1):
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        p = env.spawn("iperf3-client", argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = p.communicate(timeout=duration + 60)
        finally:
            env.stop(p)
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.monotonic() - t0
        try:
            doc = json.loads(out)
        except ValueError:
            raise BenchError("bare iperf3 printed no JSON (exit %s): %s" % (p.returncode, err.decode(errors="replace")))
        if "error" in doc:
            if "busy" in doc["error"] and attempt < retries:
                log("server busy, retrying in 1 s")
                time.sleep(1)
                continue
            raise BenchError("bare iperf3 failed: %s" % doc["error"])
        cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
        bps = doc["end"]["sum_received"]["bits_per_second"]
        return bps, cpu, wall, doc["end"].get("cpu_utilization_percent", {}).get("host_total")
    raise AssertionError("unreachable")


def trafficd_run(env, client, options, timeout):
    """One test through trafficd with the service's and runner's CPU use."""
    pid = env.trafficd.pid
    helper = {}
    s0 = proc_stat(pid)
    t0 = time.monotonic()
    path, call_us, reply_us, end_us, props = client.run_test(options, timeout)
    # the runner's CPU time reaches trafficd's cutime/cstime when trafficd
    # reaps it, which is before the State becomes final
    s1 = proc_stat(pid)
    wall = time.monotonic() - t0
    svc = (s1[0] - s0[0]) + (s1[1] - s0[1])
    runner = (s1[2] - s0[2]) + (s1[3] - s0[3])
    helper.update(service_cpu_s=svc, runner_cpu_s=runner, wall_s=wall,
                  service_cpu_pct=100 * svc / wall, runner_cpu_pct=100 * runner / wall)
    return path, call_us, reply_us, end_us, props, helper


def measure_throughput(env, client, args, settle):
    pairs = []
    for i in range(args.pairs):
        order = ("trafficd", "bare") if i % 2 == 0 else ("bare", "trafficd")
        pair = {"order": list(order)}
        fl = ForeignLoad(os.getpid())
        fl.start()
        for who in order:
            time.sleep(settle)
            if who == "trafficd":
                log("throughput pair %d/%d: trafficd %d s" % (i + 1, args.pairs, args.duration))
                _p, _c, _r, _e, props, cpu = trafficd_run(env, client, {"duration": args.duration},
                                                          args.duration + 40)
                res = props["Result"]
                fwd = res["forward"]
                if not res.get("exact", False) or res.get("partial", False):
                    raise BenchError("trafficd's Result is not exact/complete: %r" % res)
                pair["trafficd_bps"] = fwd["receiver_bits_per_second"]
                pair["trafficd_iperf_cpu_local_pct"] = res.get("cpu_local_percent")
                pair["trafficd_cpu"] = cpu
            else:
                log("throughput pair %d/%d: bare iperf3 %d s" % (i + 1, args.pairs, args.duration))
                bps, cpu_s, wall, iperf_cpu = bare_iperf(env, args.duration)
                pair["bare_bps"] = bps
                pair["bare_client_cpu_s"] = cpu_s
                pair["bare_client_cpu_pct"] = 100 * cpu_s / wall
                pair["bare_iperf_cpu_local_pct"] = iperf_cpu
        pair["foreign_load"] = fl.stop()
        pair["ratio"] = pair["trafficd_bps"] / pair["bare_bps"]
        pairs.append(pair)
    ratios = [p["ratio"] for p in pairs]
    med = statistics.median(ratios)
    tr = [p["trafficd_bps"] for p in pairs]
    ba = [p["bare_bps"] for p in pairs]
    return {
        "duration_s": args.duration,
        "pairs": pairs,
        "ratio_median": med,
        "ratio_min": min(ratios),
        "ratio_max": max(ratios),
        "ratio_of_medians": statistics.median(tr) / statistics.median(ba),
        "bare_spread": (max(ba) - min(ba)) / statistics.median(ba),
        "trafficd_spread": (max(tr) - min(tr)) / statistics.median(tr),
        "goal": ">= %.2f" % GOAL_THROUGHPUT_RATIO,
        "ok": med >= GOAL_THROUGHPUT_RATIO,
    }


def estimated_start(samples):
    """iperf's measurement start, in µs since the epoch, estimated from the
    runner's parse stamps: interval k is parsed at start + end_k + d_k with
    d_k >= 0 (print, pipe, parse), so min(timestamp - end) is the start plus
    the smallest such delay (a fraction of a millisecond when idle)."""
    return min(s["timestamp"] - s["end"] * 1e6 for _recv, s in samples)


def measure_intervals(env, client, args, settle, bitrate=0):
    time.sleep(settle)
    log("interval latency: trafficd %d s, interval %.1f s%s" % (
        args.duration, args.interval, ", TCP capped at %g bit/s" % bitrate if bitrate else ""))
    options = {"duration": args.duration, "interval": args.interval}
    if bitrate:
        options["bitrate"] = bitrate
    fl = ForeignLoad(os.getpid())
    fl.start()
    path, _c, _r, _e, props, cpu = trafficd_run(env, client, options, args.duration + 40)
    foreign = fl.stop()
    since = props["RunningSince"]
    if not since:
        raise BenchError("RunningSince is 0 after the test ended")
    received = client.intervals.get(path, [])
    samples = [(recv, s) for recv, s in received if not s.get("omitted")]
    # Every interval iperf reported must have arrived: they must tile the
    # test from 0 to its end without gaps. (A starved iperf reports fewer,
    # longer intervals than asked for; that is not a loss.)
    ends = [(s["start"], s["end"]) for _recv, s in received if s.get("direction", "forward") == "forward"]
    gaps = [i for i in range(1, len(ends)) if abs(ends[i][0] - ends[i - 1][1]) > 0.015]
    if not ends or ends[0][0] > 0.015 or ends[-1][1] < args.duration - args.interval - 0.015 or gaps:
        raise BenchError("Interval signals missing: %d received, covering %s"
                         % (len(ends), ", ".join("%.2f-%.2f" % e for e in ends[:40])))
    if not samples:
        raise BenchError("no Interval signals outside the omitted period")
    start_est = estimated_start(samples)
    by_since = [(recv - (since + s["end"] * 1e6)) / 1000.0 for recv, s in samples]
    by_est = [(recv - (start_est + s["end"] * 1e6)) / 1000.0 for recv, s in samples]
    from_parse = [(recv - s["timestamp"]) / 1000.0 for recv, s in samples]
    parse_delay = [(s["timestamp"] - (since + s["end"] * 1e6)) / 1000.0 for _recv, s in samples]
    # The estimate is at or after iperf's real start (by the smallest parse
    # delay). RunningSince at or before it makes RunningSince + end an upper
    # bound, as intended. RunningSince after it makes RunningSince + end lie
    # after the real interval end: the figure would understate the latency
    # (and go negative if RunningSince were an interval late). Then judge on
    # the estimated start instead, and say so.
    lag = (since - start_est) / 1000.0
    since_usable = lag <= 0
    judged = summary(by_since if since_usable else by_est)
    return {
        "duration_s": args.duration,
        "interval_s": args.interval,
        "intervals_expected": int(round(args.duration / args.interval)),
        "bitrate": bitrate,
        "receiver_bps": props["Result"].get("forward", {}).get("receiver_bits_per_second"),
        "basis": "RunningSince" if since_usable else "estimated start",
        "iperf_end_to_client_ms": judged,
        "by_running_since_ms": summary(by_since),
        "by_estimated_start_ms": summary(by_est),
        "running_since_minus_estimated_start_ms": lag,
        "runner_parse_to_client_ms": summary(from_parse),
        "iperf_end_to_runner_parse_ms": summary(parse_delay),
        "service_cpu": cpu,
        "foreign_load": foreign,
        "goal": "p99 < %.0f ms" % GOAL_INTERVAL_P99_MS,
        "ok": judged["p99"] < GOAL_INTERVAL_P99_MS,
    }


def measure_start(env, client, args, settle):
    log("start latency: %d tests of 1 s" % args.start_runs)
    to_running, rtt, to_stamp, stamp_to_client, to_log, to_est = [], [], [], [], [], []
    for i in range(args.start_runs):
        time.sleep(settle)
        path, call_us, reply_us, _end, props, _cpu = trafficd_run(env, client, {"duration": 1}, 45)
        running = [t for st, t in client.states.get(path, []) if st == "running"]
        if not running:
            raise BenchError("test %s never reported State running" % path)
        to_running.append((running[0] - call_us) / 1000.0)
        rtt.append((reply_us - call_us) / 1000.0)
        to_stamp.append((props["RunningSince"] - call_us) / 1000.0)
        stamp_to_client.append((running[0] - props["RunningSince"]) / 1000.0)
        if path in client.starting:
            to_log.append((client.starting[path] - call_us) / 1000.0)
        samples = client.intervals.get(path)
        if samples:
            to_est.append((estimated_start(samples) - call_us) / 1000.0)
    a = summary(to_running)
    return {
        "runs": args.start_runs,
        "start_to_running_ms": a,
        "start_rtt_ms": summary(rtt),
        "start_to_running_since_stamp_ms": summary(to_stamp),
        "running_since_stamp_to_client_ms": summary(stamp_to_client),
        "start_to_starting_test_log_ms": summary(to_log),
        "start_to_estimated_iperf_start_ms": summary(to_est),
        "goal": "p99 < %.0f ms" % GOAL_START_P99_MS,
        "ok": a["p99"] < GOAL_START_P99_MS,
    }


def measure_bare_start(env, args, settle):
    """For context: bare `iperf3 -c -V` from spawn to "Starting Test"."""
    log("start latency context: %d bare iperf3 runs of 1 s" % args.bare_start_runs)
    times = []
    attempts = 0
    while len(times) < args.bare_start_runs:
        attempts += 1
        if attempts > args.bare_start_runs + 5:
            raise BenchError("bare iperf3 -V failed to start %d times" % (attempts - 1 - len(times)))
        time.sleep(settle)
        # stdbuf: a piped iperf3 flushes only at interval reports, even with
        # --forceflush, which would hide when "Starting Test" was printed
        argv = ["stdbuf", "-oL", "iperf3", "-c", "127.0.0.1", "-p", str(env.port), "-t", "1", "-V"]
        t0 = now_us()
        p = env.spawn("iperf3-client", argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            seen = None
            for line in p.stdout:
                if line.startswith(b"Starting Test"):
                    seen = now_us()
                    break
            rest = p.communicate(timeout=60)[0]
        finally:
            env.stop(p)
        if seen is None or p.returncode != 0:
            # e.g. the server still busy with the previous test: try again
            log("bare iperf3 -V run failed (exit %s): %s" % (p.returncode, rest.decode(errors="replace").strip()[-200:]))
            time.sleep(1)
            continue
        times.append((seen - t0) / 1000.0)
    return summary(times)


# -------------------------------------------------------------- output ----

def mbps(b):
    return "%.2f Gbit/s" % (b / 1e9)


def verdict(ok):
    return "OK" if ok else "MISSED"


def print_human(r):
    out = []
    t = r.get("throughput")
    if t:
        ratios = ", ".join("%.3f" % p["ratio"] for p in t["pairs"])
        out.append("throughput ratio (trafficd/bare): %.3f median of %d [%s]  goal %s  %s"
                   % (t["ratio_median"], len(t["pairs"]), ratios, t["goal"], verdict(t["ok"])))
        for i, p in enumerate(t["pairs"]):
            out.append("  pair %d (%s first): trafficd %s, bare %s, ratio %.3f; "
                       "runner cpu %.0f%% vs bare client %.0f%% of a core; other processes %.0f%% of a core"
                       % (i + 1, p["order"][0], mbps(p["trafficd_bps"]), mbps(p["bare_bps"]), p["ratio"],
                          p["trafficd_cpu"]["runner_cpu_pct"], p["bare_client_cpu_pct"],
                          p["foreign_load"]["percent_of_core"]))
            fl = p["foreign_load"]
            out.append("    other load: kernel threads %.0f%%, long-running processes %.0f%%%s, short-lived ones ~%.0f%%"
                       % (fl["kernel_threads_pct"], fl["long_lived_pct"],
                          " (%s)" % ", ".join(fl["top"]) if fl["top"] else "",
                          max(0.0, fl["percent_of_core"] - fl["kernel_threads_pct"] - fl["long_lived_pct"])))
        out.append("  spread: ratio %.3f-%.3f; bare runs vary by %.1f%%, trafficd runs by %.1f%% (max-min over median); "
                   "ratio of medians %.3f; %d s tests"
                   % (t["ratio_min"], t["ratio_max"], 100 * t["bare_spread"], 100 * t["trafficd_spread"],
                      t["ratio_of_medians"], t["duration_s"]))
    iv = r.get("intervals")
    if iv:
        a = iv["iperf_end_to_client_ms"]
        out.append("interval latency, iperf interval end -> client: median %.2f ms, p99 %.2f ms (n=%d, max %.2f)  goal %s  %s"
                   % (a["median"], a["p99"], a["n"], a["max"], iv["goal"], verdict(iv["ok"])))
        if a["n"] < 0.9 * iv["intervals_expected"]:
            out.append("  note: iperf reported only %d intervals instead of %d: it was short of CPU, so its timers ran late"
                       % (a["n"], iv["intervals_expected"]))
        lag = iv["running_since_minus_estimated_start_ms"]
        b = iv["by_running_since_ms"]
        if iv["basis"] == "RunningSince":
            out.append("  basis: RunningSince + end, an upper bound (RunningSince is %.2f ms before iperf's start as "
                       "estimated from the parse stamps)" % -lag)
        else:
            out.append("  basis: iperf's start estimated from the runner's parse stamps (min of timestamp - end), because "
                       "RunningSince is %.2f ms AFTER it; RunningSince + end would understate: median %.2f ms, p99 %.2f ms"
                       % (lag, b["median"], b["p99"]))
        c = iv["runner_parse_to_client_ms"]
        out.append("  runner parse (timestamp) -> client: median %.2f ms, p99 %.2f ms, max %.2f ms (exact, a lower bound of the above)"
                   % (c["median"], c["p99"], c["max"]))
        d = iv["by_estimated_start_ms"]
        out.append("  by the estimated start: median %.2f ms, p99 %.2f ms; interval %.1f s, %d s test at %s"
                   % (d["median"], d["p99"], iv["interval_s"], iv["duration_s"], mbps(iv["receiver_bps"] or 0)))
    ivc = r.get("intervals_capped")
    if ivc:
        a = ivc["iperf_end_to_client_ms"]
        out.append("  context, TCP capped at %.2g bit/s (CPUs not saturated, ran at %s): median %.2f ms, p99 %.2f ms, "
                   "max %.2f ms (basis: %s); runner parse -> client: median %.2f ms, p99 %.2f ms"
                   % (ivc["bitrate"], mbps(ivc["receiver_bps"] or 0), a["median"], a["p99"], a["max"], ivc["basis"],
                      ivc["runner_parse_to_client_ms"]["median"], ivc["runner_parse_to_client_ms"]["p99"]))
    st = r.get("start")
    if st:
        a, b, c, d = (st["start_to_running_ms"], st["start_rtt_ms"], st["start_to_running_since_stamp_ms"],
                      st["running_since_stamp_to_client_ms"])
        out.append("StartTest -> State running seen by client: median %.2f ms, p99 %.2f ms (n=%d, max %.2f)  goal %s  %s"
                   % (a["median"], a["p99"], a["n"], a["max"], st["goal"], verdict(st["ok"])))
        out.append("  StartTest round trip: median %.2f ms, p99 %.2f ms" % (b["median"], b["p99"]))
        out.append("  StartTest -> RunningSince stamp: median %.2f ms, p99 %.2f ms; RunningSince -> client got State running: "
                   "median %.2f ms, p99 %.2f ms" % (c["median"], c["p99"], d["median"], d["p99"]))
        e, f = st["start_to_starting_test_log_ms"], st["start_to_estimated_iperf_start_ms"]
        if e["n"]:
            out.append("  StartTest -> client got iperf's 'Starting Test' line (Log signal): median %.2f ms, p99 %.2f ms"
                       % (e["median"], e["p99"]))
        if f["n"]:
            out.append("  StartTest -> iperf started measuring (estimated from the first interval): median %.2f ms, p99 %.2f ms"
                       % (f["median"], f["p99"]))
        bs = st.get("bare_spawn_to_starting_test_ms")
        if bs:
            out.append("  context: bare `iperf3 -c -V` spawn -> 'Starting Test' printed: median %.2f ms, p99 %.2f ms (n=%d)"
                       % (bs["median"], bs["p99"], bs["n"]))
    res = r.get("resources")
    if res:
        out.append("trafficd idle RSS: %d KiB; peak RSS (VmHWM) after all %d tests: %d KiB; RSS now: %d KiB"
                   % (res["idle_rss_kib"], res["tests_run"], res["peak_rss_kib"], res["final_rss_kib"]))
        fast = "interval %.1f s" % iv["interval_s"] if iv else ""
        for key, label in (("cpu_interval_default", "interval 1 s, median of the throughput runs"),
                           ("cpu_interval_fast", fast)):
            c = res.get(key)
            if c:
                out.append("trafficd CPU during a %d s test (%s): %.2f%% of a core (%.3f s); runner %.1f%% of a core (%.2f s)"
                           % (res["duration_s"], label, c["service_cpu_pct"], c["service_cpu_s"],
                              c["runner_cpu_pct"], c["runner_cpu_s"]))
    bg = r["machine"]["background_load"]
    out.append("machine: %s, %d cores, load average %s before / %s after; other processes' load with nothing of ours "
               "running (2 s, before the tests): %.0f%% of a core%s; iperf %s; trafficd %s (tree %s); port %d"
               % (r["machine"]["kernel"], r["machine"]["cores"], r["machine"]["loadavg_before"],
                  r["machine"]["loadavg_after"], bg["percent_of_core"],
                  " (%s)" % ", ".join(bg["top"]) if bg["top"] else "",
                  r["versions"]["iperf"], r["versions"]["trafficd"], r["versions"]["tree"], r["port"]))
    print("\n".join(out))


# ---------------------------------------------------------------- main ----

def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def main():
    ap = argparse.ArgumentParser(description="trafficd core benchmarks (see bench/README.md)")
    ap.add_argument("--duration", type=int, default=10,
                    help="seconds per throughput, interval and CPU test (default 10; e.g. 2 for a quick run)")
    ap.add_argument("--pairs", type=int, default=3, help="alternating trafficd/bare throughput pairs (default 3)")
    ap.add_argument("--interval", type=float, default=0.1, help="reporting interval of the latency test (default 0.1)")
    ap.add_argument("--start-runs", type=int, default=20, help="1 s tests for the start latency (default 20)")
    ap.add_argument("--bare-start-runs", type=int, default=10,
                    help="bare iperf3 runs for the start-up context figure (default 10, 0 to skip)")
    ap.add_argument("--capped-bitrate", type=int, default=1000000000,
                    help="also measure the interval latency with the TCP rate capped at this many bit/s, "
                         "so iperf does not saturate the CPUs (default 1e9, 0 to skip)")
    ap.add_argument("--settle", type=float, default=0.5, help="pause between tests, seconds (default 0.5)")
    ap.add_argument("--port", type=int, help="iperf3 server port (default: a free one in 5600-5699)")
    ap.add_argument("--build-dir", default=os.path.join(SOURCE_ROOT, "build"))
    ap.add_argument("--trafficd", help="trafficd binary (default BUILD/service/trafficd)")
    ap.add_argument("--runner", help="runner binary (default BUILD/runner/trafficd-runner)")
    ap.add_argument("--no-copy", action="store_true", help="run the binaries in place instead of private copies")
    ap.add_argument("--keep-temp", action="store_true", help="keep the temporary directory with the logs")
    ap.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    ap.add_argument("--save", metavar="FILE", help="also write the JSON document to FILE")
    args = ap.parse_args()
    if args.duration < 1 or args.pairs < 1 or args.start_runs < 1 or not 0.1 <= args.interval <= 60:
        ap.error("--duration, --pairs and --start-runs must be at least 1; --interval 0.1-60")
    args.trafficd = args.trafficd or os.path.join(args.build_dir, "service", "trafficd")
    args.runner = args.runner or os.path.join(args.build_dir, "runner", "trafficd-runner")

    env = Env(args)
    catch_signals()

    report = {"command": " ".join([sys.executable] + sys.argv),
              "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
              "machine": {"kernel": platform.release(), "cores": os.cpu_count(), "loadavg_before": loadavg()}}
    try:
        env.start()
        client = Client(env)
        report["port"] = env.port
        iperf_v = env.get(MANAGER_PATH, MANAGER_IFACE, "IperfVersion")
        report["versions"] = {"iperf": iperf_v,
                              "trafficd": env.get(MANAGER_PATH, MANAGER_IFACE, "Version")}
        try:
            rev = subprocess.run(["git", "-C", SOURCE_ROOT, "describe", "--always", "--dirty"],
                                 capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            rev = ""
        report["versions"]["tree"] = rev
        # load from others with nothing of ours running, for comparison
        # with the per-pair figures
        fl = ForeignLoad(os.getpid())
        fl.start()
        time.sleep(2)
        report["machine"]["background_load"] = fl.stop()
        tpid = env.trafficd.pid
        idle_rss = proc_status_kib(tpid, "VmRSS")

        report["throughput"] = measure_throughput(env, client, args, args.settle)
        report["intervals"] = measure_intervals(env, client, args, args.settle)
        if args.capped_bitrate > 0:
            report["intervals_capped"] = measure_intervals(env, client, args, args.settle, args.capped_bitrate)
        report["start"] = measure_start(env, client, args, args.settle)
        if args.bare_start_runs > 0:
            report["start"]["bare_spawn_to_starting_test_ms"] = measure_bare_start(env, args, args.settle)

        cpus = [p["trafficd_cpu"] for p in report["throughput"]["pairs"]]
        mid = sorted(cpus, key=lambda c: c["service_cpu_pct"])[len(cpus) // 2]
        report["resources"] = {
            "duration_s": args.duration,
            "idle_rss_kib": idle_rss,
            "peak_rss_kib": proc_status_kib(tpid, "VmHWM"),
            "final_rss_kib": proc_status_kib(tpid, "VmRSS"),
            "tests_run": len(client.states),
            "cpu_interval_default": mid,        # median of the throughput runs
            "cpu_interval_default_all": cpus,
            "cpu_interval_fast": report["intervals"]["service_cpu"],
        }
        report["machine"]["loadavg_after"] = loadavg()
    except BenchError as e:
        log("measurement failed: %s" % e)
        return 1
    except (GLib.Error, OSError, KeyError, ValueError, subprocess.SubprocessError) as e:
        log("measurement failed: %s: %s" % (type(e).__name__, e))
        return 1
    except KeyboardInterrupt:
        log("interrupted")
        return 1
    finally:
        env.cleanup()

    if args.save:
        with open(args.save, "w") as f:
            json.dump(report, f, indent=2, sort_keys=True)
            f.write("\n")
    if args.json:
        json.dump(report, sys.stdout, indent=2, sort_keys=True)
        print()
    else:
        print_human(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
