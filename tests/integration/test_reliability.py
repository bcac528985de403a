"""RELIABILITY.md rows not covered elsewhere: 3 (link down mid-test), 8
(caller vanishes mid-test), 17 (64 starts from 8 callers) and 23 (a second
instance). Row 24 (long run) is bench/soak.py, too long for CI.

Row 3 needs root, ip and tc (the namespaces and shaped links of
test_netns.py: the client's veth is set down mid-test). Row 8 runs the real
trafficctl and SIGKILLs it; the service's bus-name watches are read from
dbus-daemon (org.freedesktop.DBus.Debug.Stats.GetAllMatchRules). Row 17
runs 8 caller processes, each with its own bus connection, against one-off
managed servers (local=true) at 10 Mbit/s. About 75 s on 2 cores.

Run: cd tests/integration && /usr/bin/python3 -m unittest -v test_reliability
"""

import json
import os
import signal
import subprocess
import sys
import time
import unittest

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (  # noqa: E402
    BUS_NAME, ERROR_PREFIX, Bus, MANAGER_IFACE, MANAGER_PATH, TAG_VARIABLE, TERMINAL_STATES, TRAFFICCTL, TRAFFICD,
    TRAFFICD_RUNNER, Gio, GLib, ManagedProcess, ServiceTestCase, fd_count, log, pid_alive, pid_state,
    port_free_for_server, require, runner_pids, wait_until,
)
from test_concurrency import ConcurrencyTestCase  # noqa: E402
from test_netns import NetnsTestCase, sh  # noqa: E402

BITRATE = 10_000_000
DBUS_PATH = "/org/freedesktop/DBus"
DBUS_IFACE = "org.freedesktop.DBus"


class ReliabilityMixin:
    """What the rows share: the helper's end, leftovers, the bus."""

    def helper_pid(self, path):
        pid = self.get_property(path, "HelperPid")
        self.assertNotEqual(pid, 0, "HelperPid is 0 while %s runs" % path)
        return pid

    def assert_helper_gone(self, path, pid):
        self.assertEqual(self.get_property(path, "HelperPid"), 0, "HelperPid still set after the end")
        self.assertTrue(wait_until(lambda: pid_state(pid) is None, 5),
                        "helper %d is still there (state %s)" % (pid, pid_state(pid)))

    def assert_nothing_left(self):
        self.assertTrue(wait_until(lambda: not runner_pids(self.tag), 10),
                        "trafficd-runner processes left: %s" % runner_pids(self.tag))
        self.assertEqual(self.manager_property("RunningTests"), 0)
        self.assertEqual(self.manager_property("QueuedTests"), 0)

    def warm_baseline(self, **options):
        """Runs one short test (first spawn, worker threads, history
        connections) and returns the service's fd count afterwards."""
        path = self.start_test(duration=1, bitrate=BITRATE, interval=0.5, **options)
        self.assertEqual(self.wait_ended(path, 60), "finished", self.describe(path))
        self.assertTrue(wait_until(lambda: not runner_pids(self.tag), 10))
        self.iterate(0.3)
        return fd_count(self.service.pid)

    def assert_fds_back(self, baseline, what):
        self.assertTrue(wait_until(lambda: fd_count(self.service.pid) <= baseline, 10),
                        "service fds: %d before, %d after %s" % (baseline, fd_count(self.service.pid), what))

    # -- the bus --

    def bus_call(self, method, args=None, reply_type=None):
        reply = self.conn.call_sync(DBUS_IFACE, DBUS_PATH, DBUS_IFACE, method, args,
                                    GLib.VariantType(reply_type) if reply_type else None,
                                    Gio.DBusCallFlags.NONE, 5000, None)
        return reply.unpack()

    def service_unique_name(self):
        return self.bus_call("GetNameOwner", GLib.Variant("(s)", (BUS_NAME,)), "(s)")[0]

    def name_has_owner(self, name):
        return self.bus_call("NameHasOwner", GLib.Variant("(s)", (name,)), "(b)")[0]

    def service_match_rules(self):
        """The match rules the service's connection holds on the bus."""
        rules = self.conn.call_sync(DBUS_IFACE, DBUS_PATH, DBUS_IFACE + ".Debug.Stats", "GetAllMatchRules", None,
                                    GLib.VariantType("(a{sas})"), Gio.DBusCallFlags.NONE, 5000, None).unpack()[0]
        return sorted(rules.get(self.service_unique_name(), []))

    def unique_name_of(self, pid, timeout=10):
        """The unique bus name of the connection of process PID."""
        found = []

        def look():
            for name in self.bus_call("ListNames", None, "(as)")[0]:
                if not name.startswith(":"):
                    continue
                try:
                    owner = self.bus_call("GetConnectionUnixProcessID", GLib.Variant("(s)", (name,)), "(u)")[0]
                except GLib.Error:
                    continue
                if owner == pid:
                    found.append(name)
                    return True
            return False

        self.assertTrue(wait_until(look, timeout, 0.05), "process %d has no connection to the bus" % pid)
        return found[0]


# ------------------------------------------------- row 3: link goes down ----

class LinkDownTests(ReliabilityMixin, NetnsTestCase):
    """The client's veth goes down in the middle of a test. What ends it:
    receiving (reverse), libiperf's receive timeout (receive_timeout); a TCP
    sender only finds its socket full and keeps reporting empty intervals,
    so the service stops a test that moved no byte for receive_timeout + 5 s;
    a UDP sender gets ENETUNREACH at once."""

    NO_PROGRESS_GRACE = 5   # service/td-test.c STALL_GRACE_S

    def link_down(self, path):
        """Waits for the test to run and move data, sets the client's link
        down; returns (helper pid, monotonic time of the link going down)."""
        self.wait_intervals(path, 3, 30)
        pid = self.helper_pid(path)
        sh("ip", "-n", self.client_ns, "link", "set", self.client_dev, "down")
        return pid, time.monotonic()

    def link_up(self):
        sh("ip", "-n", self.client_ns, "link", "set", self.client_dev, "up")
        sh("ip", "-n", self.client_ns, "route", "replace", "default", "via",
           self.client_addr.rsplit(".", 1)[0] + ".254")

    def ended_after(self, path, t_down, bound):
        """Waits for the end (at most BOUND s after the link went down);
        returns (state, seconds after the link went down, properties)."""
        state = self.wait_ended(path, bound + 10)
        elapsed = self.events.state_time(path, TERMINAL_STATES) - t_down
        log("%s ended %s %.1f s after the link went down" % (path, state, elapsed))
        self.assertLessEqual(elapsed, bound, "the test ended %.1f s after the link went down; the bound is %.1f s"
                             % (elapsed, bound))
        return state, elapsed, self.properties(path)

    def test_tcp_forward_unlimited(self):
        """An unlimited forward test with the default timeouts: before the
        fix it never ended (intervals of 0 bytes kept coming); now it fails
        receive_timeout (10) + 5 s after the data stopped, saying why."""
        path = self.start_test(host=self.server_addr, port=self.server.port, duration=0, bitrate=BITRATE,
                               interval=0.5)
        pid, t_down = self.link_down(path)
        bound = 10 + self.NO_PROGRESS_GRACE + 2 * 0.5 + 3
        state, elapsed, props = self.ended_after(path, t_down, bound)
        self.assertEqual(state, "failed", self.describe(path))
        message = self.assert_error_name(props, "Timeout", path)
        self.assertIn("no data moved", message)
        self.assertIn(self.server_addr, message, "the message does not name the server it lost")
        self.assertGreaterEqual(elapsed, 10, "ended before receive_timeout + grace: %r" % message)
        result = props["Result"]
        self.assertIs(result.get("partial"), True, result)
        self.assertGreater(result.get("forward", {}).get("sender_bytes", 0), 0, result)
        self.assert_helper_gone(path, pid)
        self.assert_nothing_left()
        # the service is unharmed: with the link back, a test runs through
        # (to another iperf3 -s: the first never heard that its client
        # left, and stays busy until its own 120 s receive timeout)
        self.link_up()
        fresh = self.start_iperf_server(address=self.server_addr, port=self.server.port + 1, netns=self.server_ns)
        after = self.start_test(host=self.server_addr, port=fresh.port, duration=1, bitrate=BITRATE,
                                interval=0.5)
        self.assertEqual(self.wait_ended(after, 60), "finished", self.describe(after))

    def test_tcp_reverse(self):
        """Receiving: libiperf's receive timeout ends it, and the message
        says what it means."""
        receive_timeout = 3.0
        path = self.start_test(host=self.server_addr, port=self.server.port, duration=60, bitrate=BITRATE,
                               interval=0.5, direction="reverse", receive_timeout=receive_timeout)
        pid, t_down = self.link_down(path)
        state, elapsed, props = self.ended_after(path, t_down, receive_timeout + 2 * 0.5 + 3)
        self.assertEqual(state, "failed", self.describe(path))
        message = self.assert_error_name(props, "Timeout", path)
        self.assertIn("no data received for 3 s", message)
        self.assertIn(self.server_addr, message)
        result = props["Result"]
        self.assertIs(result.get("partial"), True, result)
        self.assertGreater(result.get("reverse", {}).get("receiver_bytes", 0), 0, result)
        self.assert_helper_gone(path, pid)
        self.assert_nothing_left()

    def test_tcp_forward_fixed_duration(self):
        """A 60 s forward test with receive_timeout 3: over after about 8 s,
        not at the 60 s + 16 s deadline."""
        path = self.start_test(host=self.server_addr, port=self.server.port, duration=60, bitrate=BITRATE,
                               interval=0.5, receive_timeout=3.0)
        pid, t_down = self.link_down(path)
        state, elapsed, props = self.ended_after(path, t_down, 3 + self.NO_PROGRESS_GRACE + 2 * 0.5 + 3)
        self.assertEqual(state, "failed", self.describe(path))
        message = self.assert_error_name(props, "Timeout", path)
        self.assertIn("no data moved", message)
        self.assertGreater(props["Result"].get("forward", {}).get("sender_bytes", 0), 0, props["Result"])
        self.assert_helper_gone(path, pid)
        self.assert_nothing_left()

    def test_udp_forward(self):
        path = self.start_test(host=self.server_addr, port=self.server.port, duration=60, protocol="udp",
                               bitrate=BITRATE, interval=0.5)
        pid, t_down = self.link_down(path)
        state, elapsed, props = self.ended_after(path, t_down, 5)
        self.assertEqual(state, "failed", self.describe(path))
        name, message = props["Error"]
        self.assertTrue(name.startswith(ERROR_PREFIX), props["Error"])
        self.assertIn("unreachable", message, "the message does not say the network is unreachable")
        self.assertGreater(props["Result"].get("forward", {}).get("sender_bytes", 0), 0, props["Result"])
        self.assert_helper_gone(path, pid)
        self.assert_nothing_left()


# ---------------------------------------------- row 8: caller vanishes ----

class CallerVanishesTests(ReliabilityMixin, ServiceTestCase):
    """trafficctl starts a test and is SIGKILLed. Documented policy
    (org.trafficd.Traffic1.xml, StartTest): the test keeps running, unless
    the caller asked for stop_on_disconnect (trafficctl --stop-on-exit). The
    service watches the caller's name only for stop_on_disconnect, and drops
    the watch when the test ends, whichever way."""

    service_args = ("--max-running-tests", "1")

    def setUp(self):
        super().setUp()
        require(self, os.access(TRAFFICCTL, os.X_OK), "trafficctl is not built (%s)" % TRAFFICCTL)
        self.iperf = self.start_iperf_server()
        self.baseline_fds = self.warm_baseline(host="127.0.0.1", port=self.iperf.port)
        self.baseline_rules = self.service_match_rules()

    def run_trafficctl(self, *args):
        """trafficctl --session run ... in the background; returns the
        process once its test exists, and the test's path."""
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=self.bus.address, LC_ALL="C.UTF-8",
                   G_DEBUG="fatal-criticals")
        before = set(self.list_tests())
        argv = [TRAFFICCTL, "--session", "run", "127.0.0.1", "-p", str(self.iperf.port)] + [str(a) for a in args]
        proc = ManagedProcess("trafficctl", argv, os.path.join(self.workdir, "trafficctl.log"), env=env)
        self.addCleanup(proc.stop, signal.SIGKILL)
        new = []
        self.iterate_until(lambda: new.extend(set(self.list_tests()) - before) or new or not proc.alive(), 20,
                           "trafficctl's test to appear")
        self.assertTrue(new, "trafficctl exited (%s) without starting a test:\n%s" % (proc.poll(), proc.read_log()))
        return proc, new[0]

    def kill_caller(self, proc, name):
        proc.send_signal(signal.SIGKILL)
        proc.wait(5)
        t_kill = time.monotonic()
        self.assertTrue(wait_until(lambda: not self.name_has_owner(name), 5), "%s is still on the bus" % name)
        return t_kill

    def rules_naming(self, name):
        return [r for r in self.service_match_rules() if "'%s'" % name in r]

    def assert_watches_clean(self, caller):
        self.assertEqual(self.rules_naming(caller), [], "the service still watches %s" % caller)
        self.assertTrue(wait_until(lambda: self.service_match_rules() == self.baseline_rules, 5),
                        "match rules of the service: %r before, %r after"
                        % (self.baseline_rules, self.service_match_rules()))
        self.assert_fds_back(self.baseline_fds, "the test")
        self.assert_nothing_left()

    def test_default_policy_keeps_running(self):
        proc, path = self.run_trafficctl("-t", 4, "-b", "10M", "-i", 0.5)
        self.wait_intervals(path, 2, 20)
        caller = self.unique_name_of(proc.pid)
        self.assertEqual(self.rules_naming(caller), [], "a name watch without stop_on_disconnect")
        t_kill = self.kill_caller(proc, caller)
        self.assertEqual(self.wait_ended(path, 30), "finished", self.describe(path))
        props = self.properties(path)
        after_kill = [t for t, _ in self.events.intervals(path) if t > t_kill]
        self.assertGreaterEqual(len(after_kill), 3, "only %d intervals after the caller died" % len(after_kill))
        self.assertIs(props["Result"].get("exact"), True, props["Result"])
        self.assertAlmostEqual(props["Result"]["forward"]["seconds"], 4, delta=0.5)
        self.assertEqual(props["Error"][0], "")
        self.assert_watches_clean(caller)

    def test_stop_on_disconnect(self):
        proc, path = self.run_trafficctl("-t", 30, "-b", "10M", "-i", 0.5, "--stop-on-exit")
        self.wait_intervals(path, 2, 20)
        pid = self.helper_pid(path)
        caller = self.unique_name_of(proc.pid)
        self.assertTrue(self.rules_naming(caller), "no watch on %s: %r" % (caller, self.service_match_rules()))
        t_kill = self.kill_caller(proc, caller)
        self.assertEqual(self.wait_ended(path, 10), "stopped", self.describe(path))
        self.assertLess(self.events.state_time(path, TERMINAL_STATES) - t_kill, 3.0)
        props = self.properties(path)
        message = self.assert_error_name(props, "Stopped", path)
        self.assertIn("caller left the bus", message)
        self.assertIn("stop_on_disconnect", message)
        self.assertIs(props["Result"].get("partial"), True, props["Result"])
        self.assertGreater(props["Result"].get("forward", {}).get("sender_bytes", 0), 0, props["Result"])
        self.assert_helper_gone(path, pid)
        self.assert_watches_clean(caller)

    def test_stop_on_disconnect_while_queued(self):
        """The limit is 1: a queued test of a vanished caller leaves the
        queue without ever running; the running test is not disturbed."""
        blocker = self.start_test(host="127.0.0.1", port=self.iperf.port, duration=4, bitrate=BITRATE, interval=0.5)
        self.wait_state(blocker, "running", 20)
        proc, path = self.run_trafficctl("-t", 2, "-b", "10M", "--queue", "--stop-on-exit")
        self.assertEqual(self.wait_state(path, "queued", 10), "queued")
        caller = self.unique_name_of(proc.pid)
        self.assertTrue(self.rules_naming(caller))
        t_kill = self.kill_caller(proc, caller)
        self.assertEqual(self.wait_ended(path, 10), "stopped", self.describe(path))
        self.assertLess(self.events.state_time(path, TERMINAL_STATES) - t_kill, 3.0)
        props = self.properties(path)
        self.assertIn("caller left the bus", self.assert_error_name(props, "Stopped", path))
        self.assertEqual(props["RunningSince"], 0, "the queued test ran")
        self.assertEqual(self.manager_property("QueuedTests"), 0)
        self.assertEqual(self.get_property(blocker, "State"), "running")
        self.assertEqual(self.wait_ended(blocker, 30), "finished", self.describe(blocker))
        self.assert_watches_clean(caller)

    def test_watch_dropped_when_test_ends(self):
        """stop_on_disconnect, and the caller stays: the watch goes with the
        test's end, not with the caller."""
        caller = self.conn.get_unique_name()
        path = self.start_test(host="127.0.0.1", port=self.iperf.port, duration=1, bitrate=BITRATE, interval=0.5,
                               stop_on_disconnect=True)
        self.assertTrue(self.rules_naming(caller), "no watch on %s: %r" % (caller, self.service_match_rules()))
        self.assertEqual(self.wait_ended(path, 30), "finished", self.describe(path))
        self.assert_watches_clean(caller)


# ------------------------------------------- row 17: 8 callers, 64 starts ----

CALLER_SCRIPT = r"""
import json, sys
from gi.repository import Gio, GLib
address, mode, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = Gio.DBusConnection.new_for_address_sync(
    address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
    None, None)
print("ready", c.get_unique_name(), flush=True)
sys.stdin.readline()
out = []
for i in range(n):
    opts = {"local": GLib.Variant("b", True), "duration": GLib.Variant("u", 1),
            "bitrate": GLib.Variant("t", 10000000), "interval": GLib.Variant("d", 0.5),
            "queue": GLib.Variant("b", mode == "queue"), "label": GLib.Variant("s", "%s %d" % (mode, i))}
    try:
        r = c.call_sync("org.trafficd.Traffic1", "/org/trafficd/Traffic1", "org.trafficd.Traffic1.Manager",
                        "StartTest", GLib.Variant.new_tuple(GLib.Variant("a{sv}", opts)), GLib.VariantType("(o)"),
                        Gio.DBusCallFlags.NONE, 30000, None)
        out.append(["ok", r.unpack()[0]])
    except GLib.Error as e:
        name = Gio.DBusError.get_remote_error(e)
        Gio.DBusError.strip_remote_error(e)
        out.append(["error", name, e.message])
print(json.dumps(out), flush=True)
sys.stdin.read()   # keeps the connection until told to go
"""


class ManyCallersTests(ReliabilityMixin, ConcurrencyTestCase):
    """8 callers (own processes and bus connections) start 8 tests each at
    once against one-off managed servers; MaxRunningTests is 8; callers 0-3
    pass queue=true, 4-7 do not."""

    service_args = ("--max-running-tests", "8", "--max-servers", "16", "--keep-ended", "600")
    ports_needed = 16
    CALLERS = 8
    PER_CALLER = 8

    def start_callers(self):
        callers = []
        for k in range(self.CALLERS):
            mode = "queue" if k < self.CALLERS // 2 else "reject"
            p = subprocess.Popen(["/usr/bin/python3", "-c", CALLER_SCRIPT, self.bus.address, mode,
                                  str(self.PER_CALLER)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 text=True, env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"})
            self.addCleanup(self._end_caller, p)
            callers.append((mode, p))
        names = []
        for mode, p in callers:
            words = p.stdout.readline().split()
            self.assertEqual(words[:1], ["ready"], "caller did not connect (exit %s)" % p.poll())
            names.append(words[1])
        self.assertEqual(len(set(names)), self.CALLERS, "callers share a connection: %r" % names)
        return callers

    @staticmethod
    def _end_caller(p):
        if p.poll() is None:
            p.kill()
        p.wait()
        for f in (p.stdin, p.stdout):
            try:
                f.close()
            except OSError:
                pass

    def test_64_starts_from_8_callers(self):
        self.assertEqual(self.manager_property("MaxRunningTests"), 8)
        baseline_fds = self.warm_baseline(local=True)
        low, high = [int(x) for x in self.service_args_ports().split("-")]
        callers = self.start_callers()
        t0 = time.monotonic()
        for _, p in callers:   # as close to at once as it gets
            p.stdin.write("go\n")
            p.stdin.flush()
        replies = []
        for mode, p in callers:
            line = p.stdout.readline()
            self.assertTrue(line, "a caller died: exit %s" % p.poll())
            replies.append((mode, json.loads(line)))
        t_calls = time.monotonic() - t0

        admitted, by_caller = [], []
        refused = {"queue": [], "reject": []}
        for mode, results in replies:
            self.assertEqual(len(results), self.PER_CALLER)
            mine = []
            for r in results:
                if r[0] == "ok":
                    mine.append(r[1])
                else:
                    refused[mode].append((r[1], r[2]))
            admitted += mine
            by_caller.append((mode, mine))
        log("64 StartTest calls from 8 callers took %.2f s: %d admitted, %d refused"
            % (t_calls, len(admitted), len(refused["reject"]) + len(refused["queue"])))
        self.assertEqual(refused["queue"], [], "queue=true starts were refused")
        for name, message in refused["reject"]:
            self.assertEqual(name, ERROR_PREFIX + "TooManyTests", message)
            self.assertIn("max-running-tests", message)
            self.assertIn("queue=true", message)
        rejected = len(refused["reject"])
        # 8 slots at most for the 32 reject-mode starts while 32 queue
        self.assertGreaterEqual(rejected, 32 - 8, "the limit of 8 let %d reject-mode tests in" % (32 - rejected))
        self.assertEqual(len(admitted), 64 - rejected)
        self.assertEqual(len(set(admitted)), len(admitted), "a path was handed out twice")

        ended = self.wait_all_ended(admitted, 240)
        log("all %d admitted tests ended %.1f s after the first call" % (len(admitted), time.monotonic() - t0))
        failed = {p: s for p, s in ended.items() if s != "finished"}
        self.assertFalse(failed, "not finished: %s" % "\n".join(self.describe(p) for p in list(failed)[:3]))
        for p in admitted:
            self.assertIs(self.get_property(p, "Result").get("exact"), True, self.describe(p))

        # the limit held, and was reached
        running_seen = [v for _, v in self.events.property_changes(MANAGER_PATH, "RunningTests", iface=MANAGER_IFACE)]
        queued_seen = [v for _, v in self.events.property_changes(MANAGER_PATH, "QueuedTests", iface=MANAGER_IFACE)]
        self.assertEqual(max(running_seen + [0]), 8, "RunningTests seen: %r" % running_seen)
        self.assertLessEqual(self.max_overlap(admitted), 8)
        self.assertGreaterEqual(max(queued_seen + [0]), 1, "nothing was ever queued")
        # each queue-mode caller's tests left the queue in the order it started them
        for mode, mine in by_caller:
            if mode == "queue":
                self.assertEqual(self.left_queue_order(mine), mine, "a caller's tests ran out of order")

        # back to baseline: no runner, no managed server running, ports
        # free, no fd kept
        self.assert_nothing_left()
        servers = self.list_servers()
        self.assertGreaterEqual(len(servers), len(admitted), "fewer one-off servers than admitted tests")
        for server in servers:
            self.assertIn(self.server_property(server, "State"), ("stopped", "failed"), server)
        self.assertTrue(wait_until(lambda: all(port_free_for_server(p) for p in range(low, high + 1)), 10),
                        "ports of %d-%d still in use: %s"
                        % (low, high, [p for p in range(low, high + 1) if not port_free_for_server(p)]))
        self.assert_fds_back(baseline_fds, "64 starts")

    def service_args_ports(self):
        args = list(self.service_args)
        return args[args.index("--server-ports") + 1]


# ---------------------------------------------- row 23: second instance ----

class SecondInstanceTests(ReliabilityMixin, ServiceTestCase):
    """A second trafficd while the first runs a test: it exits non-zero at
    once with a message naming the reason; the first keeps its name, its
    test, its helper (and the helper's record) and serves a new test."""

    def second_instance(self, state_home, runtime_home, bus_address):
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=bus_address, DBUS_SYSTEM_BUS_ADDRESS=bus_address,
                   XDG_STATE_HOME=state_home, XDG_RUNTIME_DIR=runtime_home, TRAFFICD_RUNNER=TRAFFICD_RUNNER,
                   LC_ALL="C.UTF-8", G_DEBUG="fatal-criticals")
        for key in ("STATE_DIRECTORY", "RUNTIME_DIRECTORY", "CONFIGURATION_DIRECTORY", "G_MESSAGES_DEBUG"):
            env.pop(key, None)
        env[TAG_VARIABLE] = self.tag
        t0 = time.monotonic()
        try:
            r = subprocess.run([TRAFFICD, "--session", "--runner", TRAFFICD_RUNNER], env=env, capture_output=True,
                               text=True, timeout=20, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            self.fail("the second trafficd still runs after 20 s")
        elapsed = time.monotonic() - t0
        log("second instance: exit %d after %.2f s: %s" % (r.returncode, elapsed, r.stderr.strip()))
        return r.returncode, elapsed, r.stdout + r.stderr

    def test_second_instance(self):
        first_state = os.path.join(self.workdir, "trafficd-1-state")
        first_run = os.path.join(self.workdir, "trafficd-1-run")
        record_dir = os.path.join(first_run, "trafficd", "helpers")
        server = self.start_iperf_server()
        owner = self.service_unique_name()
        path = self.start_test(host="127.0.0.1", port=server.port, duration=6, bitrate=BITRATE, interval=0.5)
        self.wait_intervals(path, 2, 20)
        pid = self.helper_pid(path)
        self.assertTrue(os.path.exists(os.path.join(record_dir, str(pid))), "the helper is not recorded")

        def other_dir(name):
            d = os.path.join(self.workdir, name)
            os.makedirs(d, exist_ok=True)
            return d

        cases = [
            # (what, state home, runtime home, expected words)
            ("same bus, same directories", first_state, first_run,
             "another trafficd uses the state directory"),
            ("same bus, other directories", other_dir("second-state"), other_dir("second-run"),
             "cannot own org.trafficd.Traffic1: another trafficd is running"),
            ("same bus and runtime directory, other state directory", other_dir("third-state"), first_run,
             "another trafficd uses the runtime directory"),
        ]
        for what, state_home, runtime_home, expected in cases:
            with self.subTest(what):
                status, elapsed, output = self.second_instance(state_home, runtime_home, self.bus.address)
                self.assertNotEqual(status, 0, "%s: the second trafficd exited 0" % what)
                self.assertLess(elapsed, 5.0, "%s: the second trafficd took %.1f s to give up" % (what, elapsed))
                self.assertIn(expected, output, what)
                # the first is unharmed
                self.assertEqual(self.service_unique_name(), owner, "%s: the first lost its name" % what)
                self.assertTrue(pid_alive(pid), "%s: the first's helper %d was killed" % (what, pid))
                self.assertTrue(os.path.exists(os.path.join(record_dir, str(pid))),
                                "%s: the first's helper record was removed" % what)
                self.assertEqual(self.get_property(path, "State"), "running", self.describe(path))
        self.assertEqual(self.wait_ended(path, 30), "finished", self.describe(path))
        self.assertIs(self.get_property(path, "Result").get("exact"), True)
        after = self.start_test(host="127.0.0.1", port=server.port, duration=1, bitrate=BITRATE, interval=0.5)
        self.assertEqual(self.wait_ended(after, 30), "finished", self.describe(after))
        self.assertEqual(self.service_unique_name(), owner)
        self.assert_nothing_left()

    def test_second_instance_same_directories_other_bus(self):
        """Another bus, the same state directory: the history's lock stops
        it before it touches anything."""
        bus = Bus(self.workdir)
        self.buses.append(bus)
        server = self.start_iperf_server()
        path = self.start_test(host="127.0.0.1", port=server.port, duration=3, bitrate=BITRATE, interval=0.5)
        self.wait_intervals(path, 2, 20)
        pid = self.helper_pid(path)
        status, elapsed, output = self.second_instance(os.path.join(self.workdir, "trafficd-1-state"),
                                                       os.path.join(self.workdir, "trafficd-1-run"), bus.address)
        self.assertNotEqual(status, 0)
        self.assertLess(elapsed, 5.0)
        self.assertIn("another trafficd uses the state directory", output)
        self.assertTrue(pid_alive(pid))
        self.assertEqual(self.wait_ended(path, 30), "finished", self.describe(path))
        self.assert_nothing_left()


if __name__ == "__main__":
    unittest.main(verbosity=2)
