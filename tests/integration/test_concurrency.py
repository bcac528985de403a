"""Many tests at once: 32 clients against 32 managed servers, the limit on
running tests (queue in FIFO order, or TooManyTests), the per-user limit,
exclusive tests.

All traffic is loopback TCP with a bitrate cap (50 Mbit/s) so that a 2-core
machine is not CPU-bound; timeouts are generous. Managed servers take their
ports from --server-ports, a block of ports within 5900-5999 that are free
when the test starts.

The FIFO order is judged on the service's own sequence of signals: the
recorder keeps every PropertiesChanged in the order the service sent it, so
"test k left the queue before test k+1" needs no clock. How many ran at once
is judged on the tests' RunningSince/EndTime spans (see max_overlap).

Run: cd tests/integration && /usr/bin/python3 -m unittest -v test_concurrency
"""

import os
import subprocess
import sys
import time
import unittest

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (  # noqa: E402
    ERROR_PREFIX, MANAGER_IFACE, MANAGER_PATH, TERMINAL_STATES, TEST_IFACE, GLib, ServiceTestCase, log,
    free_port_block, remote_error, tcp_listening, typed_options, wait_until,
)

BITRATE = 50_000_000
OTHER_UID = 65534   # nobody


class ConcurrencyTestCase(ServiceTestCase):
    ports_needed = 16   # --server-ports: this many free consecutive ports of 5900-5999

    def setUp(self):
        self.service_args = tuple(self.service_args) + (
            "--server-ports", "%d-%d" % free_port_block(self.ports_needed, 5900, 5999))
        super().setUp()

    def start_servers(self, n, timeout=60):
        """N managed servers on ports of the range; waits until all are idle.
        Returns [(path, port)]."""
        paths = [self.start_server(port=0, interval=1.0) for _ in range(n)]

        def all_idle():
            return all(self.server_property(p, "State") == "idle" for p in paths)

        self.iterate_until(all_idle, timeout, "%d servers to be idle" % n)
        servers = [(p, self.server_property(p, "Port")) for p in paths]
        # "idle" means the sockets listen; /proc agrees
        self.assertTrue(wait_until(lambda: all(tcp_listening(port) for _, port in servers), 20),
                        "not every idle server listens")
        return servers

    def try_start(self, **options):
        """StartTest: (path, None) or (None, (error name, message))."""
        try:
            return self.start_test_raw(typed_options(options)), None
        except GLib.Error as e:
            return None, remote_error(e)

    def wait_all_ended(self, paths, timeout, what="tests"):
        ended = {}

        def check():
            for p in paths:
                if p in ended:
                    continue
                for _, v in self.events.property_changes(p, "State"):
                    if v in TERMINAL_STATES:
                        ended[p] = v
            if len(ended) < len(paths) and int(time.monotonic() * 2) % 10 == 0:
                for p in paths:   # a lost signal shows as a failed check later, not a hang
                    if p not in ended:
                        v = self.get_property(p, "State")
                        if v in TERMINAL_STATES:
                            ended[p] = v
            return len(ended) == len(paths)

        self.iterate_until(check, timeout, "%d %s to end (%d ended)" % (len(paths), what, len(ended)))
        self.iterate(0.3)
        return ended

    def state_timeline(self, paths):
        """[(sequence number, path, state)] of the State changes of PATHS, in
        the order the service announced them."""
        wanted = set(paths)
        out = []
        for i, e in enumerate(self.events.events):
            if e.kind != "PropertiesChanged" or e.path not in wanted or e.data[0] != TEST_IFACE:
                continue
            if "State" in e.data[1]:
                out.append((i, e.path, e.data[1]["State"]))
        return out

    def max_overlap(self, paths):
        """The most PATHS measuring at once, from their [RunningSince,
        EndTime] spans. Both are CLOCK_REALTIME stamps of this machine, and a
        test admitted because another ended begins (RunningSince, stamped by
        its runner once connected) after that one's EndTime (stamped by the
        service before it admits the next), so this never over-counts. (The
        order of PropertiesChanged across objects is not used for this: the
        service coalesces each object's changes in an idle, so an end can be
        announced after the start it made room for.)"""
        edges = []
        for p in paths:
            props = self.properties(p)
            if props["RunningSince"] > 0:
                edges.append((props["RunningSince"], 1))
                edges.append((props["EndTime"] or 2 ** 64, -1))
        most = current = 0
        for _, step in sorted(edges):   # at a tie the end (-1) sorts first
            current += step
            most = max(most, current)
        return most

    def left_queue_order(self, paths):
        """PATHS in the order they left "queued"/"pending" for a running state."""
        order = []
        for _, path, s in self.state_timeline(paths):
            if s not in ("queued", "pending") and path not in order:
                order.append(path)
        return order


    def start_test_as(self, uid, **options):
        """StartTest from a process running as UID; returns the path. Skips
        when the service does not let that user start tests at all."""
        path, error = self.try_start_as(uid, **options)
        self.assertIsNone(error, "StartTest as uid %d failed" % uid)
        return path

    def try_start_as(self, uid, **options):
        """StartTest from a process running as UID: (path, None) or (None,
        (error name, message)). Skips when the service does not let that
        user start tests at all."""
        if os.geteuid() != 0:
            self.skipTest("starting a test as another user needs root")
        args = ["%s=%s" % (k, v) for k, v in options.items()]
        script = (
            "import sys\n"
            "from gi.repository import Gio, GLib\n"
            "types = {'host': 's', 'port': 'u', 'duration': 'u', 'bitrate': 't', 'interval': 'd', 'queue': 'b',"
            " 'exclusive': 'b'}\n"
            "convert = {'s': str, 'u': int, 't': int, 'd': float, 'b': lambda v: v == 'True'}\n"
            "opts = {}\n"
            "for a in sys.argv[2:]:\n"
            "    k, v = a.split('=', 1)\n"
            "    opts[k] = GLib.Variant(types[k], convert[types[k]](v))\n"
            "c = Gio.DBusConnection.new_for_address_sync(sys.argv[1], Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT"
            " | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION, None, None)\n"
            "try:\n"
            "    r = c.call_sync('org.trafficd.Traffic1', '/org/trafficd/Traffic1', 'org.trafficd.Traffic1.Manager',"
            " 'StartTest', GLib.Variant.new_tuple(GLib.Variant('a{sv}', opts)), GLib.VariantType('(o)'), 0, 20000,"
            " None)\n"
            "    print('OK', r.unpack()[0])\n"
            "except GLib.Error as e:\n"
            "    print('ERR', Gio.DBusError.get_remote_error(e), e.message)\n")

        def demote():
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)

        r = subprocess.run(["/usr/bin/python3", "-c", script, self.bus.address] + args, preexec_fn=demote,
                           capture_output=True, text=True, timeout=60, cwd="/",
                           env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"})
        words = r.stdout.split(None, 2)
        if words[:2] == ["ERR", ERROR_PREFIX + "AccessDenied"]:
            self.skipTest("uid %d may not start tests here: %s" % (uid, r.stdout.strip()))
        self.assertIn(words[:1], (["OK"], ["ERR"]), "StartTest as uid %d: %s %s" % (uid, r.stdout, r.stderr))
        if words[0] == "OK":
            return words[1], None
        name, message = words[1], words[2].strip() if len(words) > 2 else ""
        return None, (name, message.replace("GDBus.Error:%s: " % name, "", 1))


class ManyServersTests(ConcurrencyTestCase):
    service_args = ("--max-servers", "32", "--max-running-tests", "32", "--keep-ended", "600")
    ports_needed = 32

    def test_32_clients_against_32_managed_servers(self):
        duration = 5
        t0 = time.monotonic()
        servers = self.start_servers(32)
        t_servers = time.monotonic() - t0
        clients = [self.start_test(host="127.0.0.1", port=port, duration=duration, bitrate=BITRATE, interval=1.0)
                   for _, port in servers]
        t_started = time.monotonic() - t0
        ended = self.wait_all_ended(clients, 180, "client tests")
        t_ended = time.monotonic() - t0
        log("32 servers idle after %.1f s, 32 tests started after %.1f s, all ended after %.1f s"
            % (t_servers, t_started, t_ended))
        failed = {p: s for p, s in ended.items() if s != "finished"}
        self.assertFalse(failed, "not finished: %s" % "\n".join(self.describe(p) for p in failed))

        props = {p: self.properties(p) for p in clients}
        # they ran at the same time: the last one began before the first ended
        self.assertLess(max(v["RunningSince"] for v in props.values()),
                        min(v["EndTime"] for v in props.values()), "the 32 tests did not overlap")
        running_seen = [v for _, v in self.events.property_changes(MANAGER_PATH, "RunningTests", iface=MANAGER_IFACE)]
        self.assertEqual(max(running_seen), 32, "RunningTests never showed 32: %r" % running_seen)
        self.assertEqual(self.max_overlap(clients), 32)

        for (server, port), client in zip(servers, clients):
            result = props[client]["Result"]
            fwd = result["forward"]
            # a 50 Mbit/s cap for 5 s: tens of MB, not bytes and not GB
            self.assertTrue(0.25 * BITRATE * duration / 8 < fwd["receiver_bytes"] < 2 * BITRATE * duration / 8,
                            "test to port %d moved %d bytes" % (port, fwd["receiver_bytes"]))
            self.iterate_until(lambda: self.server_property(server, "TestsServed") == 1
                               and self.server_property(server, "State") == "idle", 20,
                               "server on port %d to be idle after one test" % port)
            # each client is linked to the test its server served
            served = props[client]["Peer"]
            self.assertNotEqual(served, "/", "client to port %d has no Peer" % port)
            sprops = self.properties(served)
            self.assertEqual(sprops["Server"], server)
            self.assertEqual(sprops["Peer"], client)
            self.assertEqual(sprops["Result"]["forward"]["receiver_bytes"], fwd["receiver_bytes"])
        self.assertEqual(self.manager_property("RunningTests"), 0)


class LimitTests(ConcurrencyTestCase):
    service_args = ("--max-running-tests", "8", "--max-servers", "64", "--keep-ended", "600")
    ports_needed = 64

    def test_queue_fifo(self):
        """64 starts with queue=true and a limit of 8: all complete, they
        start in the order they were started, at most 8 at once, and the
        queue positions count down."""
        self.assertEqual(self.manager_property("MaxRunningTests"), 8)
        servers = self.start_servers(64)
        t0 = time.monotonic()
        paths = [self.start_test(host="127.0.0.1", port=port, duration=1, bitrate=BITRATE, interval=0.5, queue=True)
                 for _, port in servers]
        t_started = time.monotonic() - t0
        ended = self.wait_all_ended(paths, 300)
        queued_seen = [v for _, v in self.events.property_changes(MANAGER_PATH, "QueuedTests", iface=MANAGER_IFACE)]
        log("64 queued starts took %.1f s; all 64 ended after %.1f s" % (t_started, time.monotonic() - t0))
        failed = {p: s for p, s in ended.items() if s != "finished"}
        self.assertFalse(failed, "not finished: %s" % "\n".join(self.describe(p) for p in list(failed)[:3]))

        # FIFO: they left the queue exactly in the order of StartTest
        order = self.left_queue_order(paths)
        self.assertEqual(len(order), 64)
        self.assertEqual([paths.index(p) for p in order], list(range(64)), "start order differs from call order")
        # and the wall clock agrees, to the resolution of a wave of 8
        since = [self.get_property(p, "RunningSince") for p in paths]
        for k in range(8, 64):
            self.assertGreater(since[k], since[k - 8], "test %d began before test %d" % (k, k - 8))
        # never more than 8 at once
        self.assertEqual(self.max_overlap(paths), 8)
        running_seen = [v for _, v in self.events.property_changes(MANAGER_PATH, "RunningTests", iface=MANAGER_IFACE)]
        self.assertEqual(max(running_seen), 8, running_seen)
        self.assertGreaterEqual(max(queued_seen + [0]), 40, "QueuedTests seen: %r" % queued_seen)
        # positions: each queued test counted down to 0, never up
        queued_tests = 0
        for k, p in enumerate(paths):
            positions = [v for _, v in self.events.property_changes(p, "QueuePosition")]
            states = [v for _, v in self.events.property_changes(p, "State")]
            if "queued" not in states:
                continue
            queued_tests += 1
            self.assertTrue(positions and positions[-1] == 0, "test %d: positions %r" % (k, positions))
            self.assertEqual(positions, sorted(positions, reverse=True), "test %d: positions went up: %r"
                             % (k, positions))
            self.assertEqual(len(set(positions)), len(positions), "test %d: repeated positions %r" % (k, positions))
            self.assertLessEqual(positions[0], k - 7, "test %d was queued at position %d" % (k, positions[0]))
        self.assertGreaterEqual(queued_tests, 40, "only %d of 64 tests were ever queued" % queued_tests)
        # a late test saw many positions
        self.assertGreater(len([v for _, v in self.events.property_changes(paths[-1], "QueuePosition")]), 5)
        self.assertEqual(self.manager_property("QueuedTests"), 0)
        self.assertEqual(self.manager_property("RunningTests"), 0)

    def test_reject_mode(self):
        """64 starts with queue=false and a limit of 8: 8 run, 56 get
        TooManyTests naming the limit; nothing is queued."""
        servers = self.start_servers(64)
        started, refused = [], []
        for _, port in servers:
            path, error = self.try_start(host="127.0.0.1", port=port, duration=60, bitrate=BITRATE, interval=1.0)
            if path is not None:
                started.append(path)
            else:
                refused.append(error)
        self.assertEqual(len(started), 8, "started: %d, refused: %d" % (len(started), len(refused)))
        self.assertEqual(len(refused), 56)
        for name, message in refused:
            self.assertEqual(name, ERROR_PREFIX + "TooManyTests", message)
            self.assertIn("max-running-tests", message)
            self.assertIn("8", message)
        self.assertEqual(self.manager_property("QueuedTests"), 0)
        self.assertEqual(len([p for p in self.list_tests() if self.get_property(p, "Role") == "client"]), 8,
                         "a refused StartTest left a Test object")
        for p in started:
            self.wait_state(p, "running", 30)
        for p in started:
            self.stop_test(p)
        ended = self.wait_all_ended(started, 30)
        self.assertEqual(set(ended.values()), {"stopped"})
        # room again
        path = self.start_test(host="127.0.0.1", port=servers[-1][1], duration=1, bitrate=BITRATE)
        self.assertEqual(self.wait_ended(path, 60), "finished", self.describe(path))

    def test_exclusive(self):
        """An exclusive test waits until running tests end; nothing else
        starts while it runs; a test queued behind it waits for it."""
        servers = [port for _, port in self.start_servers(6)]
        a = self.start_test(host="127.0.0.1", port=servers[0], duration=3, bitrate=BITRATE, interval=0.5)
        b = self.start_test(host="127.0.0.1", port=servers[1], duration=3, bitrate=BITRATE, interval=0.5)
        self.wait_state(a, "running", 30)

        path, error = self.try_start(host="127.0.0.1", port=servers[2], duration=2, exclusive=True)
        self.assertIsNone(path)
        self.assertEqual(error[0], ERROR_PREFIX + "TooManyTests", error)
        self.assertIn("exclusive", error[1])

        x = self.start_test(host="127.0.0.1", port=servers[2], duration=2, bitrate=BITRATE, interval=0.5,
                            exclusive=True, queue=True)
        self.assertEqual(self.get_property(x, "State"), "queued")
        self.assertEqual(self.get_property(x, "QueuePosition"), 1)
        c = self.start_test(host="127.0.0.1", port=servers[3], duration=1, bitrate=BITRATE, queue=True)
        self.assertEqual(self.get_property(c, "State"), "queued", "a test overtook the exclusive one")
        self.assertEqual(self.get_property(c, "QueuePosition"), 2)
        # the queue is not empty: a direct start is refused (FIFO)
        path, error = self.try_start(host="127.0.0.1", port=servers[4], duration=1)
        self.assertIsNone(path)
        self.assertEqual(error[0], ERROR_PREFIX + "TooManyTests", error)

        self.wait_state(x, "running", 60)
        self.assertEqual(self.get_property(c, "State"), "queued")
        path, error = self.try_start(host="127.0.0.1", port=servers[5], duration=1)
        self.assertIsNone(path, "a test started while an exclusive one runs")
        self.assertIn("exclusive", error[1])
        ended = self.wait_all_ended([a, b, x, c], 120)
        self.assertEqual(set(ended.values()), {"finished"}, ended)

        props = {p: self.properties(p) for p in (a, b, x, c)}
        self.assertGreaterEqual(props[x]["RunningSince"], max(props[a]["EndTime"], props[b]["EndTime"]))
        self.assertGreaterEqual(props[c]["RunningSince"], props[x]["EndTime"])
        self.assertEqual(self.max_overlap([a, b, x, c]), 2)


class PerUserLimitTests(ConcurrencyTestCase):
    service_args = ("--max-running-tests", "8", "--max-running-tests-per-user", "2", "--keep-ended", "600")
    ports_needed = 8

    def test_per_user_limit(self):
        self.assertEqual(self.manager_property("MaxRunningTestsPerUser"), 2)
        ports = [port for _, port in self.start_servers(5)]
        a = self.start_test(host="127.0.0.1", port=ports[0], duration=3, bitrate=BITRATE, interval=0.5)
        b = self.start_test(host="127.0.0.1", port=ports[1], duration=3, bitrate=BITRATE, interval=0.5)
        path, error = self.try_start(host="127.0.0.1", port=ports[2], duration=1)
        self.assertIsNone(path, "a third test of one user started with a per-user limit of 2")
        self.assertEqual(error[0], ERROR_PREFIX + "TooManyTests", error)
        self.assertIn("max-running-tests-per-user", error[1])
        self.assertIn("uid %d" % os.geteuid(), error[1])

        c = self.start_test(host="127.0.0.1", port=ports[2], duration=1, bitrate=BITRATE, queue=True)
        self.assertEqual(self.get_property(c, "State"), "queued")
        self.assertEqual(self.get_property(c, "QueuePosition"), 1)
        ended = self.wait_all_ended([a, b, c], 90)
        self.assertEqual(set(ended.values()), {"finished"}, ended)
        props = {p: self.properties(p) for p in (a, b, c)}
        self.assertGreaterEqual(props[c]["RunningSince"], min(props[a]["EndTime"], props[b]["EndTime"]))
        self.assertLessEqual(self.max_overlap([a, b, c]), 2)

    def test_limit_is_per_user(self):
        """Another user still gets a test while one user is at its limit."""
        ports = [port for _, port in self.start_servers(4)]
        a = self.start_test(host="127.0.0.1", port=ports[0], duration=4, bitrate=BITRATE, interval=0.5)
        b = self.start_test(host="127.0.0.1", port=ports[1], duration=4, bitrate=BITRATE, interval=0.5)
        path, error = self.try_start(host="127.0.0.1", port=ports[2], duration=1)
        self.assertIsNone(path)
        other = self.start_test_as(OTHER_UID, host="127.0.0.1", port=ports[3], duration=1)
        self.assertEqual(self.get_property(other, "Owner"), OTHER_UID)
        self.assertEqual(self.wait_ended(other, 60), "finished", self.describe(other))
        self.assertLess(self.get_property(other, "RunningSince"), self.get_property(a, "EndTime") or 2 ** 63,
                        "the other user's test waited for this user's tests")
        ended = self.wait_all_ended([a, b], 60)
        self.assertEqual(set(ended.values()), {"finished"}, ended)

class CrossUserQueueTests(ConcurrencyTestCase):
    """A test queued behind its own user's limit holds back nobody else; the
    queue stays FIFO behind the global limit and behind exclusive tests."""

    service_args = ("--max-running-tests", "4", "--max-running-tests-per-user", "2", "--max-queued-tests", "1",
                    "--keep-ended", "600")

    def test_user_queued_behind_own_limit_blocks_no_other_user(self):
        """uid 0 runs 2 tests (its limit) and queues a third; nobody, within
        every limit, starts one test without queue and one with queue=true
        (the queue, limited to 1, is full): both run at once while uid 0's
        third test still waits, and that one starts when uid 0's end."""
        ports = [port for _, port in self.start_servers(5)]
        a1 = self.start_test(host="127.0.0.1", port=ports[0], duration=6, bitrate=BITRATE, interval=0.5)
        a2 = self.start_test(host="127.0.0.1", port=ports[1], duration=6, bitrate=BITRATE, interval=0.5)
        a3 = self.start_test(host="127.0.0.1", port=ports[2], duration=1, bitrate=BITRATE, queue=True)
        self.assertEqual(self.get_property(a3, "State"), "queued")

        b1, error = self.try_start_as(OTHER_UID, host="127.0.0.1", port=ports[3], duration=1, bitrate=BITRATE)
        self.assertIsNone(error, "another user's test was refused while uid 0's waits for its own limit")
        b2, error = self.try_start_as(OTHER_UID, host="127.0.0.1", port=ports[4], duration=1, bitrate=BITRATE,
                                      queue=True)
        self.assertIsNone(error, "another user's queue=true test was queued behind uid 0's")
        for b in (b1, b2):
            self.assertEqual(self.get_property(b, "Owner"), OTHER_UID)
            self.assertNotEqual(self.get_property(b, "State"), "queued", self.describe(b))
            self.assertEqual(self.get_property(b, "QueuePosition"), 0)
        self.assertEqual(self.get_property(a3, "State"), "queued")
        self.assertEqual(self.get_property(a3, "QueuePosition"), 1)

        ended = self.wait_all_ended([a1, a2, a3, b1, b2], 120)
        self.assertEqual(set(ended.values()), {"finished"}, ended)
        props = {p: self.properties(p) for p in (a1, a2, a3, b1, b2)}
        first_a_end = min(props[a1]["EndTime"], props[a2]["EndTime"])
        for b in (b1, b2):
            self.assertLess(props[b]["RunningSince"], first_a_end, "%s waited for uid 0's tests" % b)
        self.assertGreaterEqual(props[a3]["RunningSince"], first_a_end)
        self.assertLessEqual(self.max_overlap([a1, a2, a3]), 2)


class CrossUserDispatchTests(ConcurrencyTestCase):
    """The dispatcher: later tests start when an earlier one still waits for
    its own user's limit; global-limit and exclusive waits stay FIFO."""

    service_args = ("--max-running-tests", "3", "--max-running-tests-per-user", "2", "--keep-ended", "600")

    def test_queue_skips_test_blocked_by_its_user_limit(self):
        """uid 0 runs 2 (its limit), nobody 1 (the global limit of 3 is
        reached); uid 0 queues a test, then nobody: when nobody's test ends,
        nobody's queued test starts, not uid 0's, which waits for its own."""
        ports = [port for _, port in self.start_servers(6)]
        a1 = self.start_test(host="127.0.0.1", port=ports[0], duration=8, bitrate=BITRATE, interval=0.5)
        a2 = self.start_test(host="127.0.0.1", port=ports[1], duration=8, bitrate=BITRATE, interval=0.5)
        b1 = self.start_test_as(OTHER_UID, host="127.0.0.1", port=ports[2], duration=2, bitrate=BITRATE)
        a3 = self.start_test(host="127.0.0.1", port=ports[3], duration=1, bitrate=BITRATE, queue=True)
        b2 = self.start_test_as(OTHER_UID, host="127.0.0.1", port=ports[4], duration=1, bitrate=BITRATE,
                                queue=True)
        self.assertEqual(self.get_property(a3, "QueuePosition"), 1)
        self.assertEqual(self.get_property(b2, "QueuePosition"), 2)
        # the global limit is reached: a direct start of anyone is refused
        path, error = self.try_start_as(OTHER_UID, host="127.0.0.1", port=ports[5], duration=1)
        self.assertIsNone(path)
        self.assertEqual(error[0], ERROR_PREFIX + "TooManyTests", error)
        self.assertIn("max-running-tests", error[1])

        self.assertEqual(self.wait_ended(b1, 60), "finished", self.describe(b1))
        self.wait_state(b2, ("running",) + TERMINAL_STATES, 30)
        self.assertEqual(self.get_property(a3, "State"), "queued", "uid 0 went over its own limit")
        self.assertEqual(self.get_property(a3, "QueuePosition"), 1)
        ended = self.wait_all_ended([a1, a2, a3, b2], 120)
        self.assertEqual(set(ended.values()), {"finished"}, ended)
        props = {p: self.properties(p) for p in (a1, a2, a3, b2)}
        first_a_end = min(props[a1]["EndTime"], props[a2]["EndTime"])
        self.assertLess(props[b2]["RunningSince"], first_a_end)
        self.assertGreaterEqual(props[a3]["RunningSince"], first_a_end)
        self.assertLessEqual(self.max_overlap([a1, a2, a3, b2]), 3)

    def test_exclusive_test_holds_back_other_users(self):
        """An exclusive test of uid 0 waiting for the service to be idle is
        overtaken by nobody's test neither directly nor through the queue."""
        ports = [port for _, port in self.start_servers(4)]
        a1 = self.start_test(host="127.0.0.1", port=ports[0], duration=3, bitrate=BITRATE, interval=0.5)
        x = self.start_test(host="127.0.0.1", port=ports[1], duration=2, bitrate=BITRATE, interval=0.5,
                            exclusive=True, queue=True)
        self.assertEqual(self.get_property(x, "State"), "queued")
        path, error = self.try_start_as(OTHER_UID, host="127.0.0.1", port=ports[2], duration=1)
        self.assertIsNone(path, "a test overtook a waiting exclusive test")
        self.assertEqual(error[0], ERROR_PREFIX + "TooManyTests", error)
        self.assertIn("exclusive", error[1])
        b = self.start_test_as(OTHER_UID, host="127.0.0.1", port=ports[3], duration=1, bitrate=BITRATE, queue=True)
        self.assertEqual(self.get_property(b, "State"), "queued")
        self.assertEqual(self.get_property(b, "QueuePosition"), 2)
        ended = self.wait_all_ended([a1, x, b], 120)
        self.assertEqual(set(ended.values()), {"finished"}, ended)
        props = {p: self.properties(p) for p in (a1, x, b)}
        self.assertGreaterEqual(props[x]["RunningSince"], props[a1]["EndTime"])
        self.assertGreaterEqual(props[b]["RunningSince"], props[x]["EndTime"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
