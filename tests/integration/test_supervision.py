"""Process supervision (../shared/RELIABILITY.md rows 1, 2, 4, 5, 6, 7 and
24 in short): helpers killed, frozen or escaping, the service killed and
restarted, resource figures, and no leak over 200 tests.

Tests use managed servers (--server-ports: 10 free ports of 5900-5999) so that both
kinds of helper, a client test's and a server's, are covered.

The escape tests need trafficd-runner built with -Dtest_hooks=true: with
TRAFFICD_RUNNER_TEST_ESCAPE=1 in the service's environment every helper then
forks a child into its process group that ignores SIGTERM.

Run: cd tests/integration && /usr/bin/python3 -m unittest -v test_supervision
"""

import os
import shutil
import signal
import subprocess
import sys
import time
import unittest

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
from harness import (  # noqa: E402
    MANAGER_PATH, RUNNER_COMM, TERMINAL_STATES, GLib, ServiceTestCase, fd_count, frozen, log, pid_state,
    free_port_block, port_free_for_server, require, runner_pids, tcp_listening, wait_until,
)

ESCAPE_ENV = {"TRAFFICD_RUNNER_TEST_ESCAPE": "1"}
HISTORY_IFACE = "org.trafficd.Traffic1.History"
SERVER_ENDED = ("stopped", "failed")
BITRATE = 50_000_000


# ------------------------------------------------------------- /proc -----

def stat_fields(pid):
    """Fields 3.. of /proc/PID/stat (state first), or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None


def start_ticks(pid):
    return int(stat_fields(pid)[19])


def group_members(pgid):
    """Live (not zombie) processes of process group PGID."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = stat_fields(int(entry))
            if fields is not None and int(fields[2]) == pgid and fields[0] != "Z":
                out.append(int(entry))
    return sorted(out)


def exe_of(pid):
    try:
        return os.readlink("/proc/%d/exe" % pid)
    except OSError:
        return None


def ignores_sigterm(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("SigIgn:"):
                    return bool(int(line.split()[1], 16) & (1 << (signal.SIGTERM - 1)))
    except OSError:
        pass
    return False


def vm_rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for %d" % pid)


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return None


RUNNER_EXE = os.path.realpath(harness.TRAFFICD_RUNNER)


def runner_has_test_hooks():
    try:
        with open(harness.TRAFFICD_RUNNER, "rb") as f:
            return b"TRAFFICD_RUNNER_TEST_ESCAPE" in f.read()
    except OSError:
        return False


class SupervisionTestCase(ServiceTestCase):
    service_args = ("--keep-ended", "600")   # and --server-ports: 10 free ports of 5900-5999

    def setUp(self):
        self.server_ports = "%d-%d" % free_port_block(10, 5900, 5999)
        self.service_args = tuple(self.service_args) + ("--server-ports", self.server_ports)
        super().setUp()

    def use_stack(self, stack):
        self.bus, self.service, self.conn, self.events = stack

    def require_test_hooks(self):
        require(self, runner_has_test_hooks(),
                "%s was built without the test hooks (meson configure build -Dtest_hooks=true)"
                % harness.TRAFFICD_RUNNER)

    def idle_server(self, **options):
        path = self.start_server(**options)
        self.assertEqual(self.wait_server_state(path, ("idle",) + SERVER_ENDED, 20), "idle",
                         self.describe_server(path))
        props = self.server_properties(path)
        self.wait_listening(props["Port"])
        return path, props

    def wait_listening(self, port):
        """"idle" means iperf's socket listens (test_servers.ListeningTests);
        this also checks it from /proc before a client starts."""
        self.assertTrue(wait_until(lambda: tcp_listening(port), 10), "nothing listens on port %d" % port)

    def current_test(self, server, timeout=20):
        found = {}

        def check():
            found["path"] = self.server_property(server, "CurrentTest")
            return found["path"] != "/"

        self.iterate_until(check, timeout, "server %s to serve a test" % server)
        return found["path"]

    def assert_gone(self, pid, timeout=5, what="helper"):
        self.assertTrue(wait_until(lambda: pid_state(pid) is None, timeout),
                        "%s %d is still there (state %s)" % (what, pid, pid_state(pid)))

    def assert_group_empty(self, pgid, timeout=5):
        self.assertTrue(wait_until(lambda: not group_members(pgid), timeout),
                        "processes remain in process group %d: %r" % (pgid, group_members(pgid)))

    def assert_partial_result(self, path, direction="forward", key="sender_bytes"):
        result = self.get_property(path, "Result")
        self.assertTrue(result, "no Result kept: %s" % self.describe(path))
        self.assertIs(result.get("partial"), True, result)
        d = result.get(direction, {})
        self.assertTrue(d.get("from_intervals") or "exact" in result, result)
        self.assertGreater(d.get(key, 0), 0, "partial %s.%s missing: %r" % (direction, key, result))
        return result

    def history_rows(self, conn=None):
        rows, _total = self.call(MANAGER_PATH, HISTORY_IFACE, "ListTests",
                                 GLib.Variant("(a{sv})", ({"limit": GLib.Variant("u", 1000)},)),
                                 "(aa{sv}u)", conn=conn)
        return {row["id"]: row for row in rows}


# ------------------------------------------------ rows 1, 2: crash, hang ----

class HelperFaultTests(SupervisionTestCase):

    def test_client_helper_sigkill(self):
        server, props = self.idle_server(port=0, interval=0.5)
        client = self.start_test(host="127.0.0.1", port=props["Port"], duration=60, bitrate=BITRATE, interval=0.5)
        self.wait_intervals(client, 3, 20)
        served = self.current_test(server)
        pid = self.get_property(client, "HelperPid")
        self.assertEqual(comm(pid), RUNNER_COMM)
        os.kill(pid, signal.SIGKILL)
        self.assertEqual(self.wait_ended(client, 15), "failed", self.describe(client))
        message = self.assert_error_name(self.properties(client), "Internal", client)
        self.assertIn("signal 9", message)
        self.assertEqual(self.get_property(client, "HelperPid"), 0)
        self.assert_gone(pid)
        self.assert_group_empty(pid)
        self.assert_partial_result(client)
        # the server side ends too and keeps what it measured
        self.assertIn(self.wait_ended(served, 20), TERMINAL_STATES)
        self.assertGreater(self.get_property(served, "Result")["forward"]["receiver_bytes"], 0)
        self.assertEqual(self.wait_server_state(server, "idle", 20), "idle")

    def test_server_helper_sigkill(self):
        server, props = self.idle_server(port=0, interval=0.5)
        port, pid = props["Port"], props["HelperPid"]
        client = self.start_test(host="127.0.0.1", port=port, duration=60, bitrate=BITRATE, interval=0.5)
        served = self.current_test(server)
        self.wait_intervals(served, 3, 20)
        os.kill(pid, signal.SIGKILL)
        self.assertEqual(self.wait_server_state(server, SERVER_ENDED, 15), "failed", self.describe_server(server))
        sprops = self.server_properties(server)
        self.assertIn("signal 9", sprops["Error"][1], sprops["Error"])
        self.assertEqual(sprops["HelperPid"], 0)
        self.assertGreater(sprops["EndTime"], 0)
        self.assert_gone(pid)
        self.assert_group_empty(pid)
        # the served record ends failed with its intervals kept
        self.assertEqual(self.wait_ended(served, 10), "failed", self.describe(served))
        self.assert_partial_result(served, key="receiver_bytes")
        # the client notices within a bounded time, and the port is free again
        self.assertEqual(self.wait_ended(client, 40), "failed", self.describe(client))
        self.assertTrue(wait_until(lambda: port_free_for_server(port), 10), "port %d still taken" % port)
        again, props = self.idle_server(port=port)
        self.assertEqual(props["Port"], port)

    def test_client_helper_sigstop_stalls(self):
        """A frozen client helper: the test fails as stalled long before its
        deadline; TERM, then KILL (a stopped process only dies of KILL)."""
        server, props = self.idle_server(port=0, interval=0.5)
        client = self.start_test(host="127.0.0.1", port=props["Port"], duration=30, bitrate=BITRATE, interval=0.5)
        self.wait_intervals(client, 3, 20)
        pid = self.get_property(client, "HelperPid")
        with frozen(pid):
            t_stop = time.monotonic()
            state = self.wait_ended(client, 60)
        elapsed = time.monotonic() - t_stop
        log("frozen helper: test ended after %.1f s" % elapsed)
        self.assertEqual(state, "failed", self.describe(client))
        message = self.assert_error_name(self.properties(client), "Timeout", client)
        self.assertIn("stalled", message)
        # 3 intervals + 5 s grace + 2 s stop grace = 8.5 s; the deadline is 56 s away
        self.assertLess(elapsed, 25, "the frozen test took %.1f s to end" % elapsed)
        self.assertGreater(elapsed, 3, "ended as stalled after only %.1f s" % elapsed)
        self.assert_gone(pid)
        self.assert_partial_result(client)
        self.assertEqual(self.wait_server_state(server, "idle", 30), "idle")

    def test_server_helper_sigstop_restarts(self):
        """A frozen server helper: the server is not stuck busy; its helper
        is killed and restarted (by the served test's stall detector or the
        server's stuck timer, whichever fires first), and it serves again."""
        idle_timeout = 2
        server, props = self.idle_server(port=0, idle_timeout=idle_timeout, interval=0.5)
        port, pid = props["Port"], props["HelperPid"]
        client = self.start_test(host="127.0.0.1", port=port, duration=60, bitrate=BITRATE, interval=0.5)
        served = self.current_test(server)
        self.wait_intervals(served, 3, 20)
        with frozen(pid):
            t_stop = time.monotonic()
            self.iterate_until(lambda: self.server_property(server, "Restarts") >= 1, 60,
                               "the frozen server's helper to be restarted")
            state = self.wait_server_state(server, ("idle",) + SERVER_ENDED, 20)
        elapsed = time.monotonic() - t_stop
        log("frozen server helper: idle again after %.1f s" % elapsed)
        self.assertEqual(state, "idle", self.describe_server(server))
        self.assertLess(elapsed, 40)
        sprops = self.server_properties(server)
        self.assertEqual(sprops["Restarts"], 1)
        self.assertNotIn(sprops["HelperPid"], (0, pid))
        self.assert_gone(pid)
        self.assertTrue([t for _, _, t in self.events.logs(server) if "restart" in t],
                        "no Log line of the server says it was restarted")
        self.assertEqual(self.wait_ended(served, 10), "failed", self.describe(served))
        self.assertIn(self.wait_ended(client, 60), TERMINAL_STATES)
        self.wait_listening(port)
        after = self.start_test(host="127.0.0.1", port=port, duration=1, interval=0.5)
        self.assertEqual(self.wait_ended(after, 60), "finished", self.describe(after))


# ------------------------------------------- resources (HelperPid etc.) ----

class ResourceTests(SupervisionTestCase):

    def test_helper_figures_while_running(self):
        server, props = self.idle_server(port=0, interval=0.5)
        client = self.start_test(host="127.0.0.1", port=props["Port"], duration=6, interval=0.5)
        self.wait_intervals(client, 2, 20)
        served = self.current_test(server)
        objects = ((client, harness.TEST_IFACE), (served, harness.TEST_IFACE), (server, harness.SERVER_IFACE))
        for path, iface in objects:
            def figures():
                return [self.get_property(path, name, iface=iface)
                        for name in ("HelperPid", "HelperCpuPercent", "HelperRssBytes")]

            self.iterate_until(lambda: all(v > 0 for v in figures()), 10,
                               "non-zero helper figures of %s (now %r)" % (path, figures()))
            pid, cpu, rss = figures()
            self.assertEqual(comm(pid), RUNNER_COMM, "%s: HelperPid %d" % (path, pid))
            self.assertLessEqual(cpu, 100.0 * os.cpu_count() + 5, "%s: CPU %.1f%%" % (path, cpu))
            real = vm_rss_kib(pid) * 1024
            self.assertTrue(real / 3 < rss < real * 3, "%s: HelperRssBytes %d, VmRSS says %d" % (path, rss, real))
        self.assertEqual(self.get_property(served, "HelperPid"), self.get_property(server, "HelperPid", iface=harness.SERVER_IFACE),
                         "a served test's helper is its server's")
        self.assertEqual(self.wait_ended(client, 60), "finished")
        self.assertEqual(self.get_property(client, "HelperPid"), 0)
        self.assertEqual(self.wait_ended(served, 20), "finished")
        self.assertEqual(self.get_property(served, "HelperPid"), 0)


class LeakTests(SupervisionTestCase):
    service_args = ("--keep-ended", "1")
    TESTS = 200

    def run_one(self, port):
        self.wait_listening(port)
        path = self.start_test(host="127.0.0.1", port=port, bytes=1_000_000, interval=0.5)
        state = self.wait_ended(path, 60)
        self.assertEqual(state, "finished", self.describe(path))
        return path

    def settle(self):
        """Waits until no ended test lingers (keep-ended 1 s)."""
        self.iterate_until(lambda: not self.list_tests(), 30, "ended tests to leave the bus")
        self.iterate(1.0)

    def test_no_leak_after_200_tests(self):
        server, props = self.idle_server(port=0)
        port = props["Port"]
        for _ in range(10):   # warm up: first spawns, caches, the history's pages
            self.run_one(port)
        self.settle()
        fds0, rss0 = fd_count(self.service.pid), vm_rss_kib(self.service.pid)
        t0 = time.monotonic()
        for i in range(self.TESTS):
            self.run_one(port)
            # drop the recorded signals now and then: they are the test's memory, not the service's
            if i % 20 == 19:
                self.events.events.clear()
        t_run = time.monotonic() - t0
        self.settle()
        fds1, rss1 = fd_count(self.service.pid), vm_rss_kib(self.service.pid)
        log("%d tests in %.0f s; service fds %d -> %d, RSS %d -> %d KiB (%+d KiB)"
            % (self.TESTS, t_run, fds0, fds1, rss0, rss1, rss1 - rss0))
        self.assertEqual(self.server_property(server, "TestsServed"), 10 + self.TESTS)
        self.assertEqual(self.server_property(server, "State"), "idle")
        self.assertLessEqual(fds1, fds0 + 2, "fds grew from %d to %d over %d tests" % (fds0, fds1, self.TESTS))
        self.assertLessEqual(rss1, rss0 + 8 * 1024, "RSS grew from %d to %d KiB over %d tests"
                             % (rss0, rss1, self.TESTS))
        # only the server's helper is left, and no zombie
        helper = self.server_property(server, "HelperPid")
        self.assertEqual(runner_pids(self.tag), [helper])


# --------------------------------------------- row 5: a helper escapes ----

class EscapeTests(SupervisionTestCase):
    start_service_in_setup = False

    def setUp(self):
        super().setUp()
        self.require_test_hooks()
        self.use_stack(self.start_stack(self.service_args, env=ESCAPE_ENV))

    def escaped_child(self, leader):
        """The child the test hook left in LEADER's group."""
        self.assertTrue(wait_until(lambda: len(group_members(leader)) >= 2, 10),
                        "helper %d has no child in its group (test hook not active?)" % leader)
        children = [p for p in group_members(leader) if p != leader]
        for child in children:
            self.assertTrue(ignores_sigterm(child), "child %d does not ignore SIGTERM" % child)
            self.assertEqual(exe_of(child), RUNNER_EXE)
        return children

    def test_stop_test_kills_group(self):
        server, props = self.idle_server(port=0, interval=0.5)
        server_children = self.escaped_child(props["HelperPid"])
        client = self.start_test(host="127.0.0.1", port=props["Port"], duration=0, bitrate=BITRATE, interval=0.5)
        self.wait_intervals(client, 2, 20)
        pid = self.get_property(client, "HelperPid")
        children = self.escaped_child(pid)
        t0 = time.monotonic()
        self.stop_test(client)
        self.assertEqual(self.wait_ended(client, 15), "stopped", self.describe(client))
        self.assertLess(time.monotonic() - t0, 5)
        self.assert_group_empty(pid)
        for child in children:
            self.assert_gone(child, what="escaped child")
        # the server's own escaped child is untouched by the client's stop
        self.assertTrue(all(pid_state(c) not in (None, "Z") for c in server_children))

    def test_stop_server_kills_group(self):
        server, props = self.idle_server(port=0, interval=0.5)
        pid = props["HelperPid"]
        children = self.escaped_child(pid)
        client = self.start_test(host="127.0.0.1", port=props["Port"], duration=0, bitrate=BITRATE, interval=0.5)
        served = self.current_test(server)
        self.wait_intervals(served, 2, 20)
        self.stop_server(server)
        self.assertEqual(self.wait_server_state(server, SERVER_ENDED, 15), "stopped")
        self.assert_group_empty(pid)
        for child in children:
            self.assert_gone(child, what="escaped child")
        self.assertIn(self.wait_ended(client, 30), TERMINAL_STATES)
        self.assertTrue(wait_until(lambda: not runner_pids(self.tag), 10), "runners remain: %r" % runner_pids(self.tag))

    def test_finished_test_leaves_nothing(self):
        server, props = self.idle_server(port=0, interval=0.5)
        client = self.start_test(host="127.0.0.1", port=props["Port"], duration=1, interval=0.5)
        self.wait_state(client, "running", 20)
        pid = self.get_property(client, "HelperPid")
        children = self.escaped_child(pid)
        self.assertEqual(self.wait_ended(client, 30), "finished", self.describe(client))
        self.assert_group_empty(pid)
        for child in children:
            self.assert_gone(child, what="escaped child")


# ---------------------------------- rows 6, 7: the service killed, stopped ----

class ServiceDeathTests(SupervisionTestCase):
    start_service_in_setup = False

    def setUp(self):
        super().setUp()
        self.runtime_dir = os.path.join(self.workdir, "runtime")
        self.state_dir = os.path.join(self.workdir, "state")
        self.args = ("--runtime-directory", self.runtime_dir, "--state-directory", self.state_dir,
                     "--server-ports", self.server_ports, "--keep-ended", "600")

    def start_stranger(self, argv, **kwargs):
        argv = [shutil.which(argv[0]) or argv[0]] + list(argv[1:])
        proc = subprocess.Popen(argv, start_new_session=True, stdout=subprocess.DEVNULL, **kwargs)

        def reap():
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            if proc.stdin is not None:
                proc.stdin.close()
        self.addCleanup(reap)
        self.assertTrue(wait_until(lambda: exe_of(proc.pid) == os.path.realpath(argv[0]), 5),
                        "%s did not start" % argv[0])
        return proc

    def plant_registry_file(self, pid, ticks, exe):
        helpers = os.path.join(self.runtime_dir, "helpers")
        os.makedirs(helpers, exist_ok=True)
        with open(os.path.join(helpers, str(pid)), "w") as f:
            f.write("%d %s\n" % (ticks, exe))

    def start_running(self, n):
        """N managed servers and a client test on each, all measuring.
        Returns (servers, clients, ports)."""
        servers, clients, ports = [], [], []
        for _ in range(n):
            server, props = self.idle_server(port=0, interval=0.5)
            servers.append(server)
            ports.append(props["Port"])
            clients.append(self.start_test(host="127.0.0.1", port=props["Port"], duration=0, bitrate=BITRATE,
                                           interval=0.5))
        for c in clients:
            self.wait_intervals(c, 1, 30)
        return servers, clients, ports

    def test_sigkill_then_restart(self):
        """kill -9 with 3 tests (and their 3 servers) running; the helpers
        die with it (PDEATHSIG), their escaped children do not, and the next
        instance on the same runtime directory kills those, marks the tests
        interrupted and touches no stranger."""
        self.require_test_hooks()
        first = self.start_stack(self.args, env=ESCAPE_ENV)
        self.use_stack(first)
        servers, clients, ports = self.start_running(3)
        helpers = [self.get_property(c, "HelperPid") for c in clients] + \
                  [self.server_property(s, "HelperPid") for s in servers]
        ids = [self.get_property(c, "Id") for c in clients]
        children = []
        for pid in helpers:
            self.assertTrue(wait_until(lambda: len(group_members(pid)) >= 2, 10), "no escaped child of %d" % pid)
            children += [p for p in group_members(pid) if p != pid]
        self.assertEqual(len(children), 6)
        registered = sorted(int(n) for n in os.listdir(os.path.join(self.runtime_dir, "helpers")))
        self.assertEqual(registered, sorted(helpers), "the registry does not list the helpers")

        # a stranger whose PID shows up in a stale registry file: a recycled
        # PID looks like this, an entry older than the process now owning it
        stranger = self.start_stranger(["sleep", "600"])
        service = first[1]
        self.expected_dead_services.add(service)
        service.send_signal(signal.SIGKILL)
        service.wait(5)
        for pid in helpers:
            self.assertTrue(wait_until(lambda: pid_state(pid) in (None, "Z"), 10),
                            "helper %d outlived the killed service" % pid)
        time.sleep(0.5)
        alive = [c for c in children if pid_state(c) not in (None, "Z")]
        self.assertEqual(alive, children, "the escaped children should outlive the service (they ignore "
                                          "SIGTERM): the restart is what must kill them")
        self.plant_registry_file(stranger.pid, max(0, start_ticks(stranger.pid) - 1000), RUNNER_EXE)

        second = self.start_stack(self.args, name="trafficd-restarted")
        self.use_stack(second)
        for child in children:
            self.assert_gone(child, timeout=5, what="escaped child")
        text = second[1].read_log()
        for child in children:
            self.assertIn("killing helper process %d " % child, text, "the restart did not log killing %d" % child)
        self.assertIn("killed 6 helper processes", text)
        self.assertIsNone(stranger.poll(), "the stranger (sleep %d) was killed" % stranger.pid)
        self.assertNotIn("killing helper process %d " % stranger.pid, text)
        self.assertEqual(os.listdir(os.path.join(self.runtime_dir, "helpers")), [], "stale registry files remain")
        for pid in helpers:
            self.assertEqual(group_members(pid), [], "processes remain in helper group %d" % pid)
        self.assertEqual(runner_pids(self.tag), [], "runners of the killed instance remain")
        # ports are free: the new instance can serve on them
        for port in ports:
            self.assertTrue(port_free_for_server(port), "port %d still taken" % port)
            self.idle_server(port=port)
        # the tests of the killed instance are interrupted in the history
        rows = self.history_rows()
        for i in ids:
            self.assertIn(i, rows, "test %d is not in the history" % i)
            self.assertEqual(rows[i]["state"], "interrupted", rows[i])

    def test_restart_spares_recycled_runner_pid(self):
        """A process that took a recorded PID later (every recycled PID
        does) and runs the runner executable (another trafficd's helper,
        say) leads a group that is not ours: td_helper_kill_leftovers()
        spares it, says why, and removes the stale registry file."""
        stranger = self.start_stranger([RUNNER_EXE], stdin=subprocess.PIPE)   # waits for its config
        self.plant_registry_file(stranger.pid, max(0, start_ticks(stranger.pid) - 1000), RUNNER_EXE)
        self.use_stack(self.start_stack(self.args))
        self.iterate(0.5)
        self.assertIsNone(stranger.poll(), "a runner that is no helper of trafficd's was killed")
        text = self.service.read_log()
        self.assertNotIn("killing helper process %d " % stranger.pid, text)
        if harness.VERBOSE:
            self.assertIn("sparing process group %d" % stranger.pid, text, "the restart did not say why")
        self.assertEqual(os.listdir(os.path.join(self.runtime_dir, "helpers")), [], "the stale registry file remains")

    def test_sigterm_with_servers_and_escaped_children(self):
        """Row 7 with servers: exit 0 within 3 s, everything stopped and
        announced, no process left, the history finalised."""
        self.require_test_hooks()
        self.use_stack(self.start_stack(self.args, env=ESCAPE_ENV))
        servers, clients, ports = self.start_running(2)
        served = [self.server_property(s, "CurrentTest") for s in servers]
        helpers = [self.get_property(c, "HelperPid") for c in clients] + \
                  [self.server_property(s, "HelperPid") for s in servers]
        ids = [self.get_property(p, "Id") for p in clients + served]
        self.expected_dead_services.add(self.service)
        t0 = time.monotonic()
        self.service.send_signal(signal.SIGTERM)
        self.iterate_until(lambda: not self.service.alive(), 10, "trafficd to exit", check_service=False)
        elapsed = time.monotonic() - t0
        self.assertEqual(self.service.wait(1), 0)
        self.assertLess(elapsed, 3.0, "trafficd took %.1f s to exit on SIGTERM" % elapsed)
        for pid in helpers:
            self.assert_group_empty(pid, timeout=3)
        self.assertEqual(runner_pids(self.tag), [])
        self.iterate(0.3)
        for c in clients:
            states = [v for _, v in self.events.property_changes(c, "State")]
            self.assertEqual(states[-1], "stopped", "%s: states announced %r" % (c, states))
        for s in servers:
            states = [v for _, v in self.events.property_changes(s, "State", iface=harness.SERVER_IFACE)]
            self.assertEqual(states[-1], "stopped", "%s: states announced %r" % (s, states))
        for port in ports:
            self.assertTrue(port_free_for_server(port), "port %d still taken" % port)
        # the next start finds nothing to clean up and nothing interrupted
        self.use_stack(self.start_stack(self.args, name="trafficd-next"))
        self.assertNotIn("left running by a previous", self.service.read_log())
        rows = self.history_rows()
        for i in ids:
            self.assertIn(rows[i]["state"], ("stopped", "failed"), rows[i])


if __name__ == "__main__":
    unittest.main(verbosity=2)
