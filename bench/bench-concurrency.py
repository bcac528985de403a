#!/usr/bin/python3
"""bench-concurrency.py: many concurrent loopback tests through trafficd.

Starts its own dbus-daemon and trafficd (copies of the built binaries, with
private state and runtime directories), N managed iperf servers (or, with
--plain, N `iperf3 -s` processes) on ports of 5900-5999, and N client tests
against them at once (TCP, loopback, capped bitrate). While they run, a
second D-Bus connection in its own thread calls Manager methods in a loop
(ListTests and Properties.Get of RunningTests, alternately) and times every
call. Measured:

  1. all N tests finish (State "finished");
  2. Manager method-call latency while the tests start and run: p50, p99,
     max (goal: p99 < 20 ms);
  3. service CPU per running test-second: utime+stime of trafficd from the
     first StartTest to the last test's end, divided by the sum over the
     client tests of (EndTime - RunningSince) (goal: < 0.5 % of one core).
     With managed servers the service also handles every served test's
     records, so this counts both sides of each test.

Exit status: 0 when every figure was measured (whether or not the goals are
met), 1 when a measurement failed (a test did not finish, a timeout, ...),
2 on a usage error.

Run with /usr/bin/python3 (it needs python3-gi), from anywhere:
    /usr/bin/python3 bench/bench-concurrency.py                 # 64 tests, 10 s each
    /usr/bin/python3 bench/bench-concurrency.py --plain         # against plain iperf3 -s
    /usr/bin/python3 bench/bench-concurrency.py --markdown      # also a RESULTS.md section
"""

import argparse
import json
import os
import platform
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import (BUS_NAME, MANAGER_IFACE, MANAGER_PATH, PROPS_IFACE, SOURCE_ROOT,  # noqa: E402
                      TERMINAL_STATES, TEST_IFACE, BenchError, Stack, all_processes, catch_signals, cpu_seconds, log,
                      machine_busy, percentile, port_free, process_tree)
from gi.repository import Gio, GLib  # noqa: E402

# The call probe, run as its own process: Manager.ListTests and
# Get(RunningTests) alternately every PERIOD s until stdin closes; prints
# {"latencies": [[monotonic time, seconds], ...], "errors": [...]}.
PROBE_SCRIPT = r"""
import json, select, sys, time
from gi.repository import Gio, GLib
address, period = sys.argv[1], float(sys.argv[2])
conn = Gio.DBusConnection.new_for_address_sync(
    address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
    None, None)
calls = [("/org/trafficd/Traffic1", "org.trafficd.Traffic1.Manager", "ListTests", None, "(ao)"),
         ("/org/trafficd/Traffic1", "org.freedesktop.DBus.Properties", "Get",
          GLib.Variant("(ss)", ("org.trafficd.Traffic1.Manager", "RunningTests")), "(v)")]
latencies, errors, i = [], [], 0
while True:
    path, iface, method, args, rtype = calls[i % 2]
    t0 = time.perf_counter()
    try:
        conn.call_sync("org.trafficd.Traffic1", path, iface, method, args, GLib.VariantType(rtype),
                       Gio.DBusCallFlags.NONE, 10000, None)
        latencies.append((time.monotonic(), time.perf_counter() - t0))
    except GLib.Error as e:
        errors.append(e.message)
    i += 1
    if select.select([sys.stdin], [], [], period)[0]:
        break
json.dump({"latencies": latencies, "errors": errors[:5]}, sys.stdout)
"""

SERVER_IFACE = "org.trafficd.Traffic1.Server"
PORTS = (5900, 5999)
GOAL_CALL_P99_MS = 20.0
GOAL_CPU_PERCENT_PER_TEST = 0.5


def tree_cpu(root):
    """CPU seconds of ROOT and all its descendants, including what they
    reaped (cutime+cstime), from /proc."""
    procs = all_processes()
    return sum(procs[p][1] + procs[p][2] for p in process_tree(procs, root) if p in procs)


def variant_options(options):
    types = {"host": "s", "port": "u", "duration": "u", "bitrate": "t", "interval": "d", "protocol": "s",
             "idle_timeout": "u", "label": "s"}
    return GLib.Variant("a{sv}", {k: GLib.Variant(types[k], v) for k, v in options.items()})


class Bench(Stack):
    def __init__(self, args):
        super().__init__("trafficd-bench-conc.", args.keep_temp)
        self.args = args
        self.states = {}        # test path -> latest State seen
        self.latencies = []     # (monotonic time, seconds) of Manager calls
        self.probe_errors = []
        self.probe_proc = None

    # ---- processes ----

    def on_properties_changed(self, conn, sender, path, iface, name, params):
        changed = params.unpack()[1]
        if "State" in changed and path in self.states:
            self.states[path] = changed["State"]

    def ports(self, n):
        lo, hi = self.args.ports
        free = [p for p in range(lo, hi + 1) if port_free(p)]
        if len(free) < n:
            raise BenchError("only %d free ports in %d-%d, %d needed" % (len(free), lo, hi, n))
        return free

    def start_service(self, n):
        self.start_bus(tick_ms=50)
        self.conn.signal_subscribe(BUS_NAME, PROPS_IFACE, "PropertiesChanged", None, TEST_IFACE,
                                   Gio.DBusSignalFlags.NONE, self.on_properties_changed)
        free = self.ports(n)
        self.start_trafficd(self.args.trafficd, self.args.runner, copy=not self.args.no_copy, extra=[
            "--max-running-tests", str(max(n, 1)), "--max-servers", str(max(n, 1)),
            "--server-ports", "%d-%d" % (free[0], free[-1]), "--keep-ended", "600"])

    def start_servers(self, n):
        """Managed servers (or plain iperf3 -s); returns their ports."""
        if self.args.plain:
            ports = self.ports(n)[:n]
            for port in ports:
                self.spawn("iperf3-s-%d" % port, ["iperf3", "-s", "-B", "127.0.0.1", "-p", str(port)])
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and any(port_free(p) for p in ports):
                time.sleep(0.05)
            if any(port_free(p) for p in ports):
                raise BenchError("not every iperf3 -s listens")
            return ports
        paths = [self.call(MANAGER_PATH, MANAGER_IFACE, "StartServer",
                           GLib.Variant.new_tuple(GLib.Variant("a{sv}", {"port": GLib.Variant("u", 0)})),
                           "(o)")[0] for _ in range(n)]
        self.spin_until(lambda: all(self.get(p, SERVER_IFACE, "State") == "idle" for p in paths), 60,
                        "%d servers to be idle" % n)
        return [self.get(p, SERVER_IFACE, "Port") for p in paths]

    # ---- the Manager call probe (its own process) ----
    # A thread of this script would share the GIL with the main thread,
    # which handles every test's PropertiesChanged: the probe would then
    # time Python, not trafficd. A process of its own times the service.

    def start_probe(self):
        import subprocess
        self.probe_proc = subprocess.Popen([sys.executable, "-c", PROBE_SCRIPT, self.bus_address,
                                            str(self.args.probe_period)],
                                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        return self.probe_proc

    def stop_probe_process(self, probe):
        out, _ = probe.communicate(b"", timeout=30)
        result = json.loads(out.decode() or "{}")
        self.latencies = [tuple(x) for x in result.get("latencies", [])]
        self.probe_errors = result.get("errors", [])

    # ---- the run ----

    def run(self):
        n = self.args.tests
        self.start_service(n)
        ports = self.start_servers(n)
        log("%d %s ready on ports %d-%d" % (n, "plain iperf3 servers" if self.args.plain else "managed servers",
                                             min(ports), max(ports)))
        time.sleep(1.0)   # let the servers' first samples settle

        probe = self.start_probe()
        probe_t0 = time.monotonic()
        # the service's idle cost with the probe running (the servers'
        # sampling timers, the Manager calls): a baseline, not subtracted
        # from the judged figure
        idle_cpu0, idle_t0 = cpu_seconds(self.trafficd.pid), time.monotonic()
        time.sleep(self.args.idle_seconds)
        idle_rate = (cpu_seconds(self.trafficd.pid) - idle_cpu0) / (time.monotonic() - idle_t0)

        busy0, total0 = machine_busy()
        ours0 = tree_cpu(os.getpid())
        cpu0 = cpu_seconds(self.trafficd.pid)
        t0 = time.monotonic()
        paths, start_calls = [], []
        for i, port in enumerate(ports):
            opts = {"host": "127.0.0.1", "port": port, "duration": self.args.duration,
                    "bitrate": self.args.bitrate, "interval": self.args.interval, "label": "bench %d" % i}
            c0 = time.perf_counter()
            path = self.call(MANAGER_PATH, MANAGER_IFACE, "StartTest",
                             GLib.Variant.new_tuple(variant_options(opts)), "(o)")[0]
            start_calls.append(time.perf_counter() - c0)
            self.states.setdefault(path, "pending")
            paths.append(path)
        t_started = time.monotonic()
        wall_started = time.time() * 1e6
        cpu_started = cpu_seconds(self.trafficd.pid)

        def all_ended():
            return all(s in TERMINAL_STATES for s in self.states.values())

        poll = [0.0]

        def check():
            if time.monotonic() - poll[0] > 2:   # a lost signal must not hang us
                poll[0] = time.monotonic()
                for p in paths:
                    if self.states[p] not in TERMINAL_STATES:
                        self.states[p] = self.get(p, TEST_IFACE, "State")
            return all_ended()

        self.spin_until(check, self.args.duration + 120, "the tests to end")
        t_end = time.monotonic()
        cpu1 = cpu_seconds(self.trafficd.pid)
        busy1, total1 = machine_busy()
        ours1 = tree_cpu(os.getpid())
        self.stop_probe_process(probe)
        idle_latencies = [lat for t, lat in self.latencies if probe_t0 <= t < t0]

        props = [self.call(p, PROPS_IFACE, "GetAll", GLib.Variant("(s)", (TEST_IFACE,)), "(a{sv})")[0]
                 for p in paths]
        finished = sum(1 for pr in props if pr["State"] == "finished")
        test_seconds = sum((pr["EndTime"] - pr["RunningSince"]) / 1e6 for pr in props
                           if pr["RunningSince"] > 0 and pr["EndTime"] > 0)
        overlap = max_overlap(props)
        during = [lat for t, lat in self.latencies if t0 <= t <= t_end]
        steady = [lat for t, lat in self.latencies if t_started <= t <= t_end]
        # after the last StartTest returned: no spawning, only running tests
        steady_test_seconds = sum((pr["EndTime"] - max(pr["RunningSince"], wall_started)) / 1e6 for pr in props
                                  if pr["RunningSince"] > 0 and pr["EndTime"] > wall_started)
        steady_cpu = cpu1 - cpu_started
        # while every test measured: after the last StartTest, before the first end
        first_end = min(pr["EndTime"] for pr in props) / 1e6 - time.time() + time.monotonic()
        mid = [lat for t, lat in self.latencies if t_started <= t <= first_end]
        service_cpu = cpu1 - cpu0
        wall = t_end - t0
        failures = ["%s: %s %s" % (p, pr["State"], tuple(pr["Error"])) for p, pr in zip(paths, props)
                    if pr["State"] != "finished"]
        return {
            "tests": n,
            "servers": "plain iperf3 -s" if self.args.plain else "managed",
            "duration_s": self.args.duration,
            "bitrate_bps": self.args.bitrate,
            "interval_s": self.args.interval,
            "finished": finished,
            "failures": failures[:5],
            "max_concurrent": overlap,
            "wall_s": wall,
            "start_calls_s": t_started - t0,
            "start_call_ms": {"p50": 1e3 * percentile(start_calls, 50), "p99": 1e3 * percentile(start_calls, 99),
                              "max": 1e3 * max(start_calls)},
            "call_latency_ms": {"n": len(during), "p50": 1e3 * percentile(during, 50),
                                "p99": 1e3 * percentile(during, 99), "max": 1e3 * max(during) if during else None},
            "idle_call_latency_ms": {"n": len(idle_latencies), "p50": 1e3 * percentile(idle_latencies, 50),
                                     "p99": 1e3 * percentile(idle_latencies, 99)},
            "steady_call_latency_ms": {"n": len(steady), "p50": 1e3 * percentile(steady, 50),
                                       "p99": 1e3 * percentile(steady, 99)},
            "mid_call_latency_ms": {"n": len(mid), "p50": 1e3 * percentile(mid, 50), "p99": 1e3 * percentile(mid, 99),
                                    "max": 1e3 * max(mid) if mid else float("nan")},
            "steady_cpu_percent_per_test": (100.0 * steady_cpu / steady_test_seconds
                                            if steady_test_seconds > 0 else float("nan")),
            "probe_errors": self.probe_errors[:5],
            "service_cpu_s": service_cpu,
            "test_seconds": test_seconds,
            "cpu_percent_per_test": 100.0 * service_cpu / test_seconds if test_seconds > 0 else float("nan"),
            "service_cpu_percent_of_core": 100.0 * service_cpu / wall,
            "idle_service_cpu_percent_of_core": 100.0 * idle_rate,
            "net_cpu_percent_per_test": (100.0 * (service_cpu - idle_rate * wall) / test_seconds
                                         if test_seconds > 0 else float("nan")),
            "machine_busy_percent_of_core": 100.0 * (busy1 - busy0) / wall,
            # everything but this benchmark's process tree (the service, its
            # helpers, dbus-daemon, iperf3): other people's work on the machine
            "foreign_percent_of_core": 100.0 * max(0.0, (busy1 - busy0) - (ours1 - ours0)) / wall,
            "loadavg": os.getloadavg(),
            "cpus": os.cpu_count(),
            "kernel": platform.release(),
        }

    def cleanup(self):
        if self.probe_proc is not None and self.probe_proc.poll() is None:
            self.probe_proc.kill()
            self.probe_proc.wait()
        super().cleanup()


def max_overlap(props):
    edges = []
    for pr in props:
        if pr["RunningSince"] > 0:
            edges += [(pr["RunningSince"], 1), (pr["EndTime"] or 2 ** 64, -1)]
    most = cur = 0
    for _, step in sorted(edges):
        cur += step
        most = max(most, cur)
    return most


def verdict(ok):
    return "met" if ok else "NOT met"


def report(r, command):
    lat, cpu = r["call_latency_ms"], r["cpu_percent_per_test"]
    lines = [
        "%d concurrent loopback TCP tests against %s servers, %d s each, capped at %.0f Mbit/s, interval %g s"
        % (r["tests"], r["servers"], r["duration_s"], r["bitrate_bps"] / 1e6, r["interval_s"]),
        "  finished:                  %d/%d (at most %d measuring at once); %d StartTest calls took %.2f s "
        "(p50 %.1f ms, p99 %.1f ms)" % (r["finished"], r["tests"], r["max_concurrent"], r["tests"],
                                        r["start_calls_s"], r["start_call_ms"]["p50"], r["start_call_ms"]["p99"]),
        "  Manager call latency:      p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d calls during the run "
        "(goal p99 < %.0f ms: %s; idle before: p50 %.2f ms, p99 %.2f ms)"
        % (lat["p50"], lat["p99"], lat["max"], lat["n"], GOAL_CALL_P99_MS, verdict(lat["p99"] < GOAL_CALL_P99_MS),
           r["idle_call_latency_ms"]["p50"], r["idle_call_latency_ms"]["p99"]),
        "  service CPU per test-second: %.3f %% of a core (%.2f s of trafficd CPU over %.0f running test-seconds;"
        " goal < %.1f %%: %s, ratio to goal %.2f)"
        % (cpu, r["service_cpu_s"], r["test_seconds"], GOAL_CPU_PERCENT_PER_TEST,
           verdict(cpu < GOAL_CPU_PERCENT_PER_TEST), cpu / GOAL_CPU_PERCENT_PER_TEST),
        "  after the last StartTest:  call latency p50 %.2f ms, p99 %.2f ms; service CPU %.3f %% of a core per "
        "test-second (the spawning burst left out)"
        % (r["steady_call_latency_ms"]["p50"], r["steady_call_latency_ms"]["p99"], r["steady_cpu_percent_per_test"]),
        "  while all were measuring:  call latency p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d calls (no test "
        "starting or ending)" % (r["mid_call_latency_ms"]["p50"], r["mid_call_latency_ms"]["p99"],
                                 r["mid_call_latency_ms"]["max"], r["mid_call_latency_ms"]["n"]),
        "  service CPU over the run:  %.1f %% of a core (wall %.1f s); idle with the servers and the call probe: "
        "%.1f %% of a core; per test-second net of that: %.3f %%"
        % (r["service_cpu_percent_of_core"], r["wall_s"], r["idle_service_cpu_percent_of_core"],
           r["net_cpu_percent_per_test"]),
        "  machine:                   %d CPUs, kernel %s; busy %.0f %% of a core during the run, of which other "
        "processes (not this benchmark's) %.0f %%; load average %.2f %.2f %.2f"
        % (r["cpus"], r["kernel"], r["machine_busy_percent_of_core"], r["foreign_percent_of_core"], *r["loadavg"]),
    ]
    if r["failures"]:
        lines.append("  not finished (first 5):    " + "; ".join(r["failures"]))
    if r["probe_errors"]:
        lines.append("  Manager call errors:       " + "; ".join(r["probe_errors"]))
    lines.append("  command: " + command)
    return "\n".join(lines)


def markdown(r, command):
    lat = r["call_latency_ms"]
    return "\n".join([
        "## Concurrency (bench-concurrency.py), %s" % time.strftime("%Y-%m-%d"),
        "",
        "`%s`" % command,
        "",
        "%d concurrent loopback TCP tests against %s servers, %d s each, capped at %.0f Mbit/s, interval %g s; "
        "%d CPUs, kernel %s; the machine was busy %.0f %% of a core during the run, of which other processes "
        "(not the benchmark's) %.0f %%; load average %.2f."
        % (r["tests"], r["servers"], r["duration_s"], r["bitrate_bps"] / 1e6, r["interval_s"], r["cpus"],
           r["kernel"], r["machine_busy_percent_of_core"], r["foreign_percent_of_core"], r["loadavg"][0]),
        "",
        "| figure | value | goal |",
        "|---|---|---|",
        "| tests finished | %d/%d (at most %d at once) | all |" % (r["finished"], r["tests"], r["max_concurrent"]),
        "| Manager call latency during the run (%d calls) | p50 %.2f ms, p99 %.2f ms, max %.2f ms | p99 < %.0f ms: %s |"
        % (lat["n"], lat["p50"], lat["p99"], lat["max"], GOAL_CALL_P99_MS, verdict(lat["p99"] < GOAL_CALL_P99_MS)),
        "| service CPU per running test-second | %.3f %% of a core (%.2f s / %.0f test-s) | < %.1f %%: %s |"
        % (r["cpu_percent_per_test"], r["service_cpu_s"], r["test_seconds"], GOAL_CPU_PERCENT_PER_TEST,
           verdict(r["cpu_percent_per_test"] < GOAL_CPU_PERCENT_PER_TEST)),
        "| the same after the last StartTest returned | call p50 %.2f ms, p99 %.2f ms; CPU %.3f %% per test-s | - |"
        % (r["steady_call_latency_ms"]["p50"], r["steady_call_latency_ms"]["p99"], r["steady_cpu_percent_per_test"]),
        "| call latency while all were measuring (none starting or ending; %d calls) | p50 %.2f ms, p99 %.2f ms, "
        "max %.2f ms | - |" % (r["mid_call_latency_ms"]["n"], r["mid_call_latency_ms"]["p50"],
                               r["mid_call_latency_ms"]["p99"], r["mid_call_latency_ms"]["max"]),
        "| StartTest round trip (%d calls in a row) | p50 %.1f ms, p99 %.1f ms | - |"
        % (r["tests"], r["start_call_ms"]["p50"], r["start_call_ms"]["p99"]),
        "| service CPU over the run | %.1f %% of a core for %.1f s (idle with servers and probe: %.1f %%; "
        "per test-s net of idle: %.3f %%) | - |"
        % (r["service_cpu_percent_of_core"], r["wall_s"], r["idle_service_cpu_percent_of_core"],
           r["net_cpu_percent_per_test"]),
        "",
    ])


def main():
    ap = argparse.ArgumentParser(description="Many concurrent loopback tests through trafficd.")
    ap.add_argument("--tests", type=int, default=64, help="concurrent tests (default 64)")
    ap.add_argument("--duration", type=int, default=10, help="seconds per test (default 10)")
    ap.add_argument("--bitrate", type=float, default=20e6, help="TCP cap per test, bit/s (default 20e6)")
    ap.add_argument("--interval", type=float, default=1.0, help="reporting interval (default 1)")
    ap.add_argument("--probe-period", type=float, default=0.02, help="pause between Manager calls (default 0.02 s)")
    ap.add_argument("--idle-seconds", type=float, default=3.0,
                    help="idle baseline before the tests start (default 3 s)")
    ap.add_argument("--ports", type=lambda s: tuple(int(x) for x in s.split("-")), default=PORTS,
                    help="port range for the servers (default 5900-5999)")
    ap.add_argument("--plain", action="store_true", help="plain iperf3 -s servers instead of managed ones")
    ap.add_argument("--build-dir", default=os.path.join(SOURCE_ROOT, "build"))
    ap.add_argument("--trafficd")
    ap.add_argument("--runner")
    ap.add_argument("--no-copy", action="store_true", help="run the binaries in place, not copies")
    ap.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    ap.add_argument("--markdown", action="store_true", help="also print a RESULTS.md section")
    ap.add_argument("--keep-temp", action="store_true")
    args = ap.parse_args()
    args.trafficd = args.trafficd or os.path.join(args.build_dir, "service", "trafficd")
    args.runner = args.runner or os.path.join(args.build_dir, "runner", "trafficd-runner")
    if args.tests < 1 or args.duration < 1 or len(args.ports) != 2 or args.ports[1] - args.ports[0] + 1 < args.tests:
        ap.error("need --tests >= 1, --duration >= 1 and a port range with at least --tests ports")
    args.bitrate = int(args.bitrate)
    command = "/usr/bin/python3 bench/bench-concurrency.py " + " ".join(sys.argv[1:])

    bench = Bench(args)
    catch_signals()
    try:
        result = bench.run()
    except (BenchError, GLib.Error, KeyboardInterrupt) as e:
        log("measurement failed: %s" % (e.message if isinstance(e, GLib.Error) else e or "interrupted"))
        bench.keep_temp = True
        return 1
    finally:
        bench.cleanup()
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(report(result, command.strip()))
        if args.markdown:
            print()
            print(markdown(result, command.strip()))
    return 0 if result["finished"] == result["tests"] else 1


if __name__ == "__main__":
    sys.exit(main())
