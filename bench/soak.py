#!/usr/bin/python3
"""soak.py: a long run through trafficd (RELIABILITY.md row 24).

Starts its own dbus-daemon, `iperf3 -s -B 127.0.0.1` on a free port of
5800-5899 and trafficd (copies of the built binaries, private state and
runtime directories, see benchlib.py), then:

  1. N sequential short tests (default 1000, 1 s each, TCP over loopback,
     capped at --bitrate), one after the other;
  2. one unlimited test (duration 0) for M minutes (default 10), stopped
     with Test.Stop() at the end.

Along the way it samples the service's RSS (VmRSS), its open fds
(/proc/PID/fd), and the size of the history database (history.db and its
-wal), after every test in phase 1 and every --sample-seconds in phase 2.
It prints, for each, the first, last and max value, the growth per 100
tests (least-squares slope over the tests after --warmup), the growth
per minute of the unlimited test, and the rows the database holds (the
data kept), so that growth can be told apart from storage of what was
measured.

Tests ended are dropped from the bus after --keep-ended seconds (default
5; the service's own default is 600, which would keep ~450 finished tests
in memory at once here and hide a leak behind data that is meant to be
kept).

Exit status: 0 when every test ran to its expected end (finished; the
unlimited one stopped) and the figures were measured, whether or not
anything grew (a benchmark reports); 1 when something failed (a test
failed, a timeout, the service died, interrupted); 2 for bad arguments.

Run with /usr/bin/python3 (it needs python3-gi), from anywhere:
    /usr/bin/python3 bench/soak.py                                 # ~35 min
    /usr/bin/python3 bench/soak.py --tests 50 --unlimited-minutes 1  # ~2.5 min
"""

import argparse
import os
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import (BUS_NAME, MANAGER_IFACE, MANAGER_PATH, PROPS_IFACE, SOURCE_ROOT,  # noqa: E402
                      TERMINAL_STATES, TEST_IFACE, BenchError, Stack, catch_signals, log, port_free)
from gi.repository import Gio, GLib  # noqa: E402

PORTS = (5800, 5899)
RUNNER_COMM = "trafficd-runner"


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise BenchError("no VmRSS for %d" % pid)


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def file_size(path):
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return 0


def children_named(ppid, comm):
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                data = f.read()
        except OSError:
            continue
        if data[data.index("(") + 1:data.rindex(")")] == comm and int(data[data.rindex(")") + 2:].split()[1]) == ppid:
            out.append(int(name))
    return out


def slope(points):
    """Least-squares slope of [(x, y)]; None with fewer than 2 distinct x."""
    n = len(points)
    if n < 2:
        return None
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    if sxx == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in points) / sxx


class Soak(Stack):
    def __init__(self, args):
        super().__init__("trafficd-soak-", keep_temp=args.keep_temp)
        self.args = args
        self.states = {}        # path of the current test -> latest State
        self.intervals = 0      # Interval signals of the current test
        self.current = None
        self.samples = []       # phase 1: (test number, rss KiB, fds, db bytes, wal bytes, db+wal bytes)
        self.long_samples = []  # phase 2: (seconds, rss KiB, fds, db bytes, wal bytes, db+wal bytes, intervals)
        self.failures = []      # (test number, state, error)
        self.durations = []     # wall time of each phase-1 test, s

    # ---- signals ----

    def on_properties_changed(self, conn, sender, path, iface, name, params):
        changed = params.unpack()[1]
        if path == self.current and "State" in changed:
            self.states[path] = changed["State"]

    def on_interval(self, conn, sender, path, iface, name, params):
        if path == self.current:
            self.intervals += 1

    # ---- measurements ----

    @property
    def db_path(self):
        return os.path.join(self.state_dir, "history.db")

    def sample(self):
        pid = self.trafficd.pid
        db, wal = file_size(self.db_path), file_size(self.db_path + "-wal")
        return (rss_kib(pid), fd_count(pid), db, wal, db + wal)

    def table_rows(self):
        """{table: rows} of the history database, read-only."""
        db = sqlite3.connect("file:%s?mode=ro" % self.db_path, uri=True, timeout=10)
        try:
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                               "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            return {t: db.execute('SELECT count(*) FROM "%s"' % t).fetchone()[0] for t in tables}
        finally:
            db.close()

    # ---- the run ----

    def start(self):
        lo, hi = PORTS
        port = self.args.port or next((p for p in range(lo, hi + 1) if port_free(p)), None)
        if port is None:
            raise BenchError("no free port in %d-%d" % PORTS)
        self.port = port
        self.spawn("iperf3-s", ["iperf3", "-s", "-B", "127.0.0.1", "-p", str(port)])
        deadline = time.monotonic() + 10
        while port_free(port):
            if time.monotonic() > deadline:
                raise BenchError("iperf3 -s does not listen on %d:\n%s" % (port, self.log_tail("iperf3-s")))
            time.sleep(0.05)
        self.start_bus(tick_ms=50)
        self.conn.signal_subscribe(BUS_NAME, PROPS_IFACE, "PropertiesChanged", None, TEST_IFACE,
                                   Gio.DBusSignalFlags.NONE, self.on_properties_changed)
        self.conn.signal_subscribe(BUS_NAME, TEST_IFACE, "Interval", None, None,
                                   Gio.DBusSignalFlags.NONE, self.on_interval)
        self.start_trafficd(self.args.trafficd, self.args.runner, copy=not self.args.no_copy,
                            extra=["--keep-ended", str(self.args.keep_ended)],
                            prefix=self.args.service_prefix.split())
        # the runner's start-up probe (--iperf-version) ends first
        self.spin_until(lambda: self.get(MANAGER_PATH, MANAGER_IFACE, "IperfVersion") != "unknown", 15,
                        "IperfVersion")
        self.spin_until(lambda: not children_named(self.trafficd.pid, RUNNER_COMM), 10, "the version probe to end")
        log("trafficd %d on %s, iperf3 -s on 127.0.0.1:%d, work directory %s"
            % (self.trafficd.pid, self.bus_address, port, self.tmp))

    def start_test(self, duration):
        opts = {"host": GLib.Variant("s", "127.0.0.1"), "port": GLib.Variant("u", self.port),
                "duration": GLib.Variant("u", duration), "bitrate": GLib.Variant("t", self.args.bitrate),
                "interval": GLib.Variant("d", 1.0), "label": GLib.Variant("s", "soak")}
        path = self.call(MANAGER_PATH, MANAGER_IFACE, "StartTest",
                         GLib.Variant.new_tuple(GLib.Variant("a{sv}", opts)), "(o)")[0]
        self.current = path
        self.states = {path: self.states.get(path)}
        self.intervals = 0
        return path

    def wait_ended(self, path, timeout):
        last_poll = [time.monotonic()]

        def ended():
            if self.states.get(path) in TERMINAL_STATES:
                return True
            if time.monotonic() - last_poll[0] > 2:   # a lost signal must not hang the run
                last_poll[0] = time.monotonic()
                self.states[path] = self.get(path, TEST_IFACE, "State")
            return self.states.get(path) in TERMINAL_STATES

        self.spin_until(ended, timeout, "%s to end" % path)
        return self.states[path]

    def phase_sequential(self):
        n = self.args.tests
        t0 = time.monotonic()
        self.samples.append((0,) + self.sample())
        for i in range(1, n + 1):
            ts = time.monotonic()
            path = self.start_test(self.args.duration)
            state = self.wait_ended(path, self.args.duration + 60)
            self.durations.append(time.monotonic() - ts)
            if state != "finished":
                error = self.get(path, TEST_IFACE, "Error")
                self.failures.append((i, state, tuple(error)))
                log("test %d (%s) ended %s: %s" % (i, path, state, error))
                if len(self.failures) > max(5, n // 100):
                    raise BenchError("%d of %d tests did not finish" % (len(self.failures), i))
            self.samples.append((i,) + self.sample())
            if i % 100 == 0 or i == n:
                _, rss, fds, db, wal, _total = self.samples[-1]
                log("%d/%d tests, %.0f s: RSS %d KiB, %d fds, history.db %d KiB, -wal %d KiB"
                    % (i, n, time.monotonic() - t0, rss, fds, db // 1024, wal // 1024))
        self.rows_after_sequential = self.table_rows()
        self.sequential_seconds = time.monotonic() - t0

    def phase_unlimited(self):
        total = self.args.unlimited_minutes * 60
        path = self.start_test(0)
        self.spin_until(lambda: self.states.get(path) == "running" or self.states.get(path) in TERMINAL_STATES,
                        30, "the unlimited test to run")
        if self.states.get(path) != "running":
            raise BenchError("the unlimited test ended at once: %s" % (self.get(path, TEST_IFACE, "Error"),))
        t0 = time.monotonic()
        self.long_samples.append((0.0,) + self.sample() + (self.intervals,))
        next_log = 60
        while True:
            elapsed = time.monotonic() - t0
            if elapsed >= total:
                break
            wake = t0 + min(total, (len(self.long_samples)) * self.args.sample_seconds)
            self.spin_until(lambda: time.monotonic() >= wake or self.states.get(path) in TERMINAL_STATES,
                            self.args.sample_seconds + 30, "the next sample")
            if self.states.get(path) in TERMINAL_STATES:
                raise BenchError("the unlimited test ended by itself after %.0f s: %s %s"
                                 % (time.monotonic() - t0, self.states[path], self.get(path, TEST_IFACE, "Error")))
            self.long_samples.append((time.monotonic() - t0,) + self.sample() + (self.intervals,))
            if time.monotonic() - t0 >= next_log:
                _, rss, fds, db, wal, _total, iv = self.long_samples[-1]
                log("unlimited test, %.0f s: RSS %d KiB, %d fds, history.db %d KiB, -wal %d KiB, %d intervals"
                    % (time.monotonic() - t0, rss, fds, db // 1024, wal // 1024, iv))
                next_log += 60
        self.call(path, TEST_IFACE, "Stop", None, "()")
        state = self.wait_ended(path, 30)
        self.unlimited_state = state
        self.unlimited_error = tuple(self.get(path, TEST_IFACE, "Error"))
        self.unlimited_intervals = self.intervals
        if state != "stopped":
            raise BenchError("the unlimited test ended %s after Stop(): %s" % (state, self.unlimited_error))

    def finish(self):
        # what is left once everything ended and the ended tests left the bus
        self.spin_until(lambda: not children_named(self.trafficd.pid, RUNNER_COMM), 10, "the runners to exit")
        if self.args.keep_ended <= 60:
            self.spin_until(lambda: not self.call(MANAGER_PATH, MANAGER_IFACE, "ListTests", None, "(ao)")[0],
                            self.args.keep_ended + 30, "the ended tests to leave the bus")
        self.still_listed = len(self.call(MANAGER_PATH, MANAGER_IFACE, "ListTests", None, "(ao)")[0])
        self.final = self.sample()
        self.rows_final = self.table_rows()

    def run(self):
        self.start()
        self.idle = self.sample()
        if self.args.tests > 0:
            self.phase_sequential()
        if self.args.unlimited_minutes > 0:
            self.phase_unlimited()
        self.finish()

    # ---- the report ----

    def report(self, command):
        a = self.args
        out = ["soak: %s" % command,
               "trafficd idle after start: RSS %d KiB, %d fds, history.db %d KiB" % (self.idle[0], self.idle[1],
                                                                                      self.idle[2] // 1024)]
        names = ("RSS (KiB)", "fds", "history.db (KiB)", "history.db-wal (KiB)", "db + wal (KiB)")
        scale = (1, 1, 1 / 1024, 1 / 1024, 1 / 1024)
        if self.samples:
            n = len(self.samples) - 1
            d = sorted(self.durations)
            out.append("")
            out.append("1. %d sequential tests of %d s at %.0f Mbit/s: %d finished, %d not, %.0f s in all "
                       "(%.2f s per test, max %.2f s)"
                       % (n, a.duration, a.bitrate / 1e6, n - len(self.failures), len(self.failures),
                          self.sequential_seconds, sum(d) / len(d), d[-1]))
            for i, *f in self.failures[:10]:
                out.append("   not finished: test %d: %s %s" % (i, f[0], f[1]))
            warm = [s for s in self.samples if s[0] > a.warmup] or self.samples
            out.append("   %-22s %10s %10s %10s   growth per 100 tests (after test %d)"
                       % ("", "first", "last", "max", a.warmup))
            for k, name in enumerate(names):
                col = [s[k + 1] * scale[k] for s in self.samples]
                g = slope([(s[0], s[k + 1] * scale[k]) for s in warm])
                out.append("   %-22s %10.0f %10.0f %10.0f   %+.1f" % (name, col[0], col[-1], max(col),
                                                                     100 * g if g is not None else float("nan")))
            rows = self.rows_after_sequential
            per = {t: r / n for t, r in rows.items() if r}
            out.append("   rows kept after phase 1: " + ", ".join("%s %d" % (t, r) for t, r in sorted(rows.items()) if r))
            db_growth = (self.samples[-1][5] - self.samples[0][5]) / n
            out.append("   history.db + -wal grew %.0f bytes per test (rows per test: %s)"
                       % (db_growth, ", ".join("%s %.1f" % (t, v) for t, v in sorted(per.items()))))
        if self.long_samples:
            s = self.long_samples
            minutes = s[-1][0] / 60
            out.append("")
            out.append("2. one unlimited test for %.1f min at %.0f Mbit/s, then Stop(): %s (%s), %d intervals"
                       % (minutes, a.bitrate / 1e6, self.unlimited_state, self.unlimited_error[0].rsplit(".", 1)[-1]
                          if self.unlimited_error[0] else "no error", self.unlimited_intervals))
            out.append("   %-22s %10s %10s %10s   growth per minute (after the first minute)"
                       % ("", "first", "last", "max"))
            warm = [x for x in s if x[0] >= 60] or s
            for k, name in enumerate(names):
                col = [x[k + 1] * scale[k] for x in s]
                g = slope([(x[0] / 60, x[k + 1] * scale[k]) for x in warm])
                out.append("   %-22s %10.0f %10.0f %10.0f   %+.1f" % (name, col[0], col[-1], max(col),
                                                                     g if g is not None else float("nan")))
            iv = s[-1][6] - s[0][6]
            if iv > 0:
                out.append("   history.db + -wal grew %.0f bytes per interval (%d intervals while sampled)"
                           % ((s[-1][5] - s[0][5]) / iv, iv))
        out.append("")
        out.append("after all tests ended%s: RSS %d KiB, %d fds (idle: %d), history.db %d KiB, "
                   "-wal %d KiB; trafficd-runner processes: 0"
                   % (" and left the bus" if not self.still_listed else
                      " (%d still on the bus: --keep-ended %d)" % (self.still_listed, self.args.keep_ended),
                      self.final[0], self.final[1], self.idle[1], self.final[2] // 1024, self.final[3] // 1024))
        out.append("rows kept at the end: " + ", ".join("%s %d" % (t, r) for t, r in sorted(self.rows_final.items())
                                                         if r))
        return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description="A long run through trafficd: RSS, fds and database size.")
    ap.add_argument("--tests", type=int, default=1000, help="sequential short tests (default 1000; 0 skips)")
    ap.add_argument("--duration", type=int, default=1, help="seconds per short test (default 1)")
    ap.add_argument("--unlimited-minutes", type=float, default=10,
                    help="minutes of the unlimited test (default 10; 0 skips)")
    ap.add_argument("--bitrate", type=float, default=100e6, help="TCP cap of every test, bit/s (default 100e6)")
    ap.add_argument("--sample-seconds", type=float, default=10, help="sampling period of the unlimited test (default 10)")
    ap.add_argument("--warmup", type=int, default=100, help="tests left out of the growth slope (default 100)")
    ap.add_argument("--keep-ended", type=int, default=5, help="trafficd --keep-ended, seconds (default 5)")
    ap.add_argument("--port", type=int, help="iperf3 server port (default: a free one in 5800-5899)")
    ap.add_argument("--build-dir", default=os.path.join(SOURCE_ROOT, "build"))
    ap.add_argument("--trafficd", help="trafficd binary (default BUILD/service/trafficd)")
    ap.add_argument("--runner", help="runner binary (default BUILD/runner/trafficd-runner)")
    ap.add_argument("--no-copy", action="store_true", help="run the binaries in place instead of private copies")
    ap.add_argument("--keep-temp", action="store_true", help="keep the temporary directory with the logs")
    ap.add_argument("--service-prefix", default="",
                    help="run trafficd under this command (e.g. \"heaptrack -o /tmp/td\"); the figures are then "
                         "those of the wrapper's process, not trafficd's")
    args = ap.parse_args()
    if args.tests < 0 or args.duration < 1 or args.unlimited_minutes < 0 or args.sample_seconds <= 0 \
            or args.keep_ended < 1 or (args.tests == 0 and args.unlimited_minutes == 0):
        ap.error("need --tests >= 0, --duration >= 1, --unlimited-minutes >= 0 (not both 0), "
                 "--sample-seconds > 0, --keep-ended >= 1")
    args.bitrate = int(args.bitrate)
    args.trafficd = args.trafficd or os.path.join(args.build_dir, "service", "trafficd")
    args.runner = args.runner or os.path.join(args.build_dir, "runner", "trafficd-runner")
    command = ("/usr/bin/python3 bench/soak.py " + " ".join(sys.argv[1:])).strip()

    soak = Soak(args)
    catch_signals()
    try:
        soak.run()
    except (BenchError, GLib.Error, KeyboardInterrupt, OSError, sqlite3.Error) as e:
        log("soak failed: %s" % (e.message if isinstance(e, GLib.Error) else str(e) or "interrupted"))
        soak.keep_temp = True
        return 1
    finally:
        soak.cleanup()
    print(soak.report(command))
    return 1 if soak.failures else 0


if __name__ == "__main__":
    sys.exit(main())
