"""Managed iperf servers: ports, served tests, correlation, peers that vanish.

Every server here is a real trafficd-runner in server mode started through
Manager.StartServer; clients are trafficd client tests or plain `iperf3 -c`
processes. Ports: --server-ports is 4 free consecutive ports of 5900-5959
(for dynamic ports), fixed ports are free ones of 5960-5999.

Run: cd tests/integration && /usr/bin/python3 -m unittest -v test_servers
"""

import os
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (  # noqa: E402
    ERROR_PREFIX, RUNNER_COMM, SERVER_IFACE, SERVERS_PATH, TERMINAL_STATES, ManagedProcess,
    ServiceTestCase, free_port_block, free_port_in, log, pid_state, port_free_for_server, runner_pids, tcp_listening,
    wait_until,
)

RANGE_SPAN = (5900, 5959)     # --server-ports is 4 free ports of these
FIXED = (5960, 5999)          # fixed ports are picked here
SERVER_STATES_ENDED = ("stopped", "failed")
# test hook of trafficd-runner (meson -Dtest_hooks=true): wait before each listen
LISTEN_DELAY_ENV = {"TRAFFICD_RUNNER_TEST_LISTEN_DELAY_MS": "300"}


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except (FileNotFoundError, ProcessLookupError):
        return None


def group_members(pgid):
    """Live (not zombie) processes of process group PGID."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            out.append(int(entry))
    return out


class ServerTestCase(ServiceTestCase):
    """Helpers shared by the server tests."""

    def setUp(self):
        self.range = free_port_block(4, *RANGE_SPAN)
        self.service_args = ("--server-ports", "%d-%d" % self.range, "--keep-ended", "120")
        super().setUp()

    def start_idle_server(self, timeout=20, **options):
        """StartServer, then waits for "idle"; returns (path, properties)."""
        path = self.start_server(**options)
        self.assertTrue(path.startswith(SERVERS_PATH + "/"), path)
        state = self.wait_server_state(path, ("idle",) + SERVER_STATES_ENDED, timeout)
        props = self.server_properties(path)
        self.assertEqual(state, "idle", self.describe_server(path))
        pid = props["HelperPid"]
        self.assertGreater(pid, 0, "an idle server has a helper: %r" % props)
        self.assertEqual(comm(pid), RUNNER_COMM, "HelperPid %d is not a trafficd-runner" % pid)
        self.wait_listening(props["Port"])
        return path, props

    def wait_listening(self, port):
        """"idle" means iperf's socket listens (see ListeningTests); this
        also checks it from /proc before a client starts."""
        self.assertTrue(wait_until(lambda: tcp_listening(port), 10), "nothing listens on port %d" % port)

    def wait_current_test(self, server, timeout=20):
        """Waits until SERVER is busy with a test; returns that Test's path."""
        found = {}

        def check():
            found["path"] = self.server_property(server, "CurrentTest")
            return found["path"] != "/"

        self.iterate_until(check, timeout, "server %s to serve a test" % server)
        return found["path"]

    def plain_client(self, port, *extra):
        """A plain `iperf3 -c` against 127.0.0.1:PORT, killed at cleanup."""
        self.wait_listening(port)
        argv = ["iperf3", "-c", "127.0.0.1", "-p", str(port), "--forceflush"] + [str(a) for a in extra]
        proc = ManagedProcess("iperf3 -c", argv, os.path.join(self.workdir, "iperf3-c-%d-%d.log"
                                                              % (port, len(self.servers))))
        self.servers.append(proc)   # _stop_all SIGKILLs them
        return proc

    def assert_port_released(self, port, timeout=10):
        self.assertTrue(wait_until(lambda: port_free_for_server(port), timeout),
                        "port %d is still taken after its server ended" % port)

    def assert_server_usable(self, server, duration=1):
        """A trafficd client test against SERVER finishes."""
        port = self.server_property(server, "Port")
        served_before = self.server_property(server, "TestsServed")
        self.wait_listening(port)
        path = self.start_test(host="127.0.0.1", port=port, duration=duration, interval=0.5)
        self.assertEqual(self.wait_ended(path, 60), "finished", self.describe(path))
        self.assertTrue(wait_until(lambda: self.server_property(server, "TestsServed") == served_before + 1, 10),
                        self.describe_server(server))
        self.assertEqual(self.wait_server_state(server, "idle", 20), "idle")
        return path


class PortTests(ServerTestCase):

    def test_fixed_and_dynamic_ports(self):
        self.assertEqual(self.manager_property("ServerPortMin"), self.range[0])
        self.assertEqual(self.manager_property("ServerPortMax"), self.range[1])

        fixed = free_port_in(*FIXED)
        a, props = self.start_idle_server(port=fixed, label="fixed")
        self.assertEqual(props["Port"], fixed)
        self.assertEqual(props["Options"]["port"], fixed)
        self.assertEqual(props["Options"]["label"], "fixed")
        self.assertEqual(props["TestsServed"], 0)
        self.assertEqual(props["CurrentTest"], "/")
        self.assertEqual(props["Peer"], "")
        self.assertEqual(props["EndTime"], 0)
        self.assertEqual(tuple(props["Error"]), ("", ""))
        self.assertEqual(props["Owner"], os.geteuid())
        self.assertFalse(port_free_for_server(fixed), "nothing listens on the managed server's port %d" % fixed)

        # port 0: from --server-ports, skipping a port someone else holds
        holder = socket.socket()
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken = free_port_in(*self.range)
        holder.bind(("0.0.0.0", taken))
        holder.listen()
        self.addCleanup(holder.close)
        dynamic = []
        for _ in range(self.range[1] - self.range[0]):
            path, props = self.start_idle_server(port=0)
            port = props["Port"]
            self.assertTrue(self.range[0] <= port <= self.range[1], "port 0 gave %d, outside --server-ports %d-%d"
                            % (port, *self.range))
            self.assertNotEqual(port, taken, "port 0 picked %d, which another program listens on" % port)
            self.assertEqual(props["Options"]["port"], port, "Options.port is not the resolved port")
            dynamic.append((path, port))
        ports = [p for _, p in dynamic]
        self.assertEqual(len(set(ports)), len(ports), "two servers got one port: %r" % ports)
        self.assertEqual(self.list_servers(), [a] + [p for p, _ in dynamic], "ListServers, oldest first")

        # the range is used up: PortInUse naming the range, and no object
        name, message = self.start_server_error(port=0)
        self.assertEqual(name, ERROR_PREFIX + "PortInUse", message)
        self.assertIn("%d-%d" % self.range, message)
        self.assertEqual(len(self.list_servers()), 1 + len(dynamic))

        # a stopped server gives its port back: port 0 finds it again
        first_path, first_port = dynamic[0]
        pid = self.server_property(first_path, "HelperPid")
        self.stop_server(first_path)
        self.assertEqual(self.wait_server_state(first_path, SERVER_STATES_ENDED, 20), "stopped")
        props = self.server_properties(first_path)
        self.assertEqual(props["HelperPid"], 0)
        self.assertGreater(props["EndTime"], 0)
        self.assertTrue(wait_until(lambda: pid_state(pid) is None, 5), "helper %d of a stopped server remains" % pid)
        self.assert_port_released(first_port)
        again, props = self.start_idle_server(port=0)
        self.assertEqual(props["Port"], first_port)

        # the servers work
        self.assert_server_usable(a)
        self.assert_server_usable(again)

    def test_port_conflicts(self):
        # someone else's TCP listener, on loopback only: still a conflict
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        p1 = free_port_in(*FIXED)
        listener.bind(("127.0.0.1", p1))
        listener.listen()
        self.addCleanup(listener.close)
        # someone else's UDP socket
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        p2 = free_port_in(*FIXED, exclude=(p1,))
        udp.bind(("0.0.0.0", p2))
        self.addCleanup(udp.close)
        for port in (p1, p2):
            name, message = self.start_server_error(port=port)
            self.assertEqual(name, ERROR_PREFIX + "PortInUse", message)
            self.assertIn(str(port), message, "the PortInUse message does not name the port")
        self.assertEqual(self.list_servers(), [], "a refused StartServer left a Server object")

        # the other way round: a managed server's port is taken for others
        p3 = free_port_in(*FIXED, exclude=(p1, p2))
        server, _ = self.start_idle_server(port=p3)
        try:
            r = subprocess.run(["iperf3", "-s", "-1", "-p", str(p3)], capture_output=True, text=True,
                               timeout=15, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            self.fail("a plain iperf3 -s could listen on port %d of a managed server" % p3)
        self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("Address already in use", r.stdout + r.stderr)
        name, message = self.start_server_error(port=p3)
        self.assertEqual(name, ERROR_PREFIX + "PortInUse", message)
        self.assertIn(str(p3), message)
        self.assertEqual(self.list_servers(), [server])
        # nothing stuck: the first server still serves
        self.assertEqual(self.server_property(server, "State"), "idle")
        self.assert_server_usable(server)

        # once released, the ports work for a managed server
        listener.close()
        udp.close()
        for port in (p1, p2):
            path, props = self.start_idle_server(port=port)
            self.assertEqual(props["Port"], port)


class ServedTests(ServerTestCase):

    def served_tests(self, server):
        out = []
        for path in self.list_tests():
            props = self.properties(path)
            if props["Role"] == "server" and props["Server"] == server:
                out.append((path, props))
        return out

    def test_two_clients_one_after_the_other(self):
        server, props = self.start_idle_server(port=0, interval=0.5)
        port = props["Port"]
        clients = []
        for direction in ("forward", "reverse"):
            self.wait_listening(port)
            path = self.start_test(host="127.0.0.1", port=port, duration=2, interval=0.5, direction=direction)
            self.assertEqual(self.wait_ended(path, 60), "finished", self.describe(path))
            self.assertEqual(self.wait_server_state(server, "idle", 20), "idle")
            clients.append(path)

        props = self.server_properties(server)
        self.assertEqual(props["TestsServed"], 2, self.describe_server(server))
        self.assertEqual(props["CurrentTest"], "/")
        self.assertEqual(props["Peer"], "")
        self.assertEqual(props["Restarts"], 0)
        served = self.served_tests(server)
        self.assertEqual(len(served), 2, "served Test objects: %r" % [p for p, _ in served])
        for (spath, sprops), cpath, direction in zip(served, clients, ("forward", "reverse")):
            why = self.describe(spath)
            self.assertEqual(sprops["Role"], "server")
            self.assertEqual(sprops["State"], "finished", why)
            self.assertEqual(sprops["Server"], server)
            self.assertEqual(sprops["Peer"], cpath, "the served test is not linked to its client")
            self.assertEqual(self.get_property(cpath, "Peer"), spath, "the client is not linked to its served test")
            self.assertEqual(self.get_property(cpath, "Role"), "client")
            self.assertEqual(self.get_property(cpath, "Server"), "/")
            self.assertEqual(sprops["Options"]["direction"], direction, "the served test did not learn the mode")
            self.assertEqual(sprops["Options"]["port"], port)
            self.assertEqual(sprops["HelperPid"], 0)
            result = sprops["Result"]
            self.assertIn(direction, result, result)
            self.assertGreater(result[direction]["receiver_bytes"], 0, result)
            self.assertEqual(result["cookie"], self.get_property(cpath, "Result")["cookie"])
            # served tests have live intervals like client tests
            intervals = self.events.intervals(spath)
            self.assertGreaterEqual(len(intervals), 2, "served test %s had %d Interval signals"
                                    % (spath, len(intervals)))
            self.assertLess(intervals[0][0], self.events.state_time(spath, TERMINAL_STATES) - 0.5,
                            "the served test's first Interval came only at its end")
        # LastResult is the second test's
        self.assertEqual(props["LastResult"].get("cookie"), served[1][1]["Result"]["cookie"])

    def test_plain_client_killed_or_silent(self):
        """RELIABILITY 4: the peer of a server vanishes (SIGKILL), or goes
        silent with its sockets open (SIGSTOP): the server is idle again
        within its idle timeout and the port serves the next client."""
        idle_timeout = 3
        server, props = self.start_idle_server(port=0, idle_timeout=idle_timeout, interval=0.5)
        port = props["Port"]
        for sig in (signal.SIGKILL, signal.SIGSTOP):
            client = self.plain_client(port, "-t", 60, "-b", "50M", "-i", 0.5)
            served = self.wait_current_test(server)
            self.assertEqual(self.wait_server_state(server, "busy", 10), "busy")
            self.wait_intervals(served, 2, 20)
            peer = self.server_property(server, "Peer")
            self.assertTrue(peer.startswith("127.0.0.1:"), "Peer while busy: %r" % peer)
            self.assertEqual(self.get_property(served, "State"), "running")
            t_kill = time.monotonic()
            client.send_signal(sig)
            self.assertEqual(self.wait_server_state(server, ("idle",) + SERVER_STATES_ENDED, idle_timeout + 15),
                             "idle", self.describe_server(server))
            elapsed = time.monotonic() - t_kill
            log("%s of the plain client: server idle again after %.2f s (idle timeout %d s)"
                % (signal.Signals(sig).name, elapsed, idle_timeout))
            self.assertLess(elapsed, idle_timeout + 5,
                            "the server took %.1f s to be idle again; its idle timeout is %d s"
                            % (elapsed, idle_timeout))
            # iperf's own idle timeout freed it, not the service's fallback
            # (a stalled served test, or the stuck timer, restarts the helper)
            self.assertEqual(self.server_property(server, "Restarts"), 0, self.describe_server(server))
            state = self.wait_ended(served, 10)
            if sig == signal.SIGSTOP:
                self.assertEqual(state, "failed", self.describe(served))
            sprops = self.properties(served)
            self.assertTrue(sprops["Result"], "the served test kept no result: %s" % self.describe(served))
            self.assertGreater(sprops["Result"]["forward"]["receiver_bytes"], 0, sprops["Result"])
            props = self.server_properties(server)
            self.assertEqual(props["CurrentTest"], "/")
            self.assertEqual(props["Peer"], "")
            client.stop(signal.SIGKILL)
            # the port serves the next client
            self.assert_server_usable(server)
        self.assertEqual(self.server_property(server, "TestsServed"), 4)

    def test_vanished_client_is_not_a_finished_test(self):
        """When the client's control connection closes mid-test, libiperf
        3.12 sets i_errno IECTRLCLOSE but returns 0 from iperf_run_server():
        the served test failed, says why, and keeps its partial counters;
        the next test on the server (i_errno reset) finishes."""
        server, props = self.start_idle_server(port=0, idle_timeout=3, interval=0.5)
        client = self.plain_client(props["Port"], "-t", 60, "-b", "50M", "-i", 0.5)
        served = self.wait_current_test(server)
        self.wait_intervals(served, 2, 20)
        client.send_signal(signal.SIGKILL)
        self.wait_ended(served, 15)
        sprops = self.properties(served)
        why = "a 60 s test whose client vanished after ~1 s: %s" % self.describe(served)
        self.assertEqual(sprops["State"], "failed", why)
        self.assertIn("closed", sprops["Error"][1], why)
        self.assertIs(sprops["Result"].get("partial"), True, why)
        self.assertGreater(sprops["Result"]["forward"]["receiver_bytes"], 0, why)
        self.assertEqual(self.server_property(server, "Restarts"), 0, self.describe_server(server))
        # a stale IECTRLCLOSE does not fail the next, complete test
        path = self.assert_server_usable(server)
        served = self.get_property(path, "Peer")
        self.assertEqual(self.get_property(served, "State"), "finished", self.describe(served))

    def test_trafficd_client_helper_killed(self):
        """The client is a trafficd test whose helper gets SIGKILL."""
        idle_timeout = 3
        server, props = self.start_idle_server(port=0, idle_timeout=idle_timeout, interval=0.5)
        client = self.start_test(host="127.0.0.1", port=props["Port"], duration=60, bitrate=50_000_000,
                                 interval=0.5)
        self.wait_intervals(client, 2, 20)
        served = self.wait_current_test(server)
        pid = self.get_property(client, "HelperPid")
        self.assertEqual(comm(pid), RUNNER_COMM)
        t_kill = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        self.assertEqual(self.wait_ended(client, 15), "failed", self.describe(client))
        message = self.assert_error_name(self.properties(client), "Internal", client)
        self.assertIn("signal 9", message)
        self.assertEqual(self.wait_server_state(server, ("idle",) + SERVER_STATES_ENDED, idle_timeout + 15), "idle",
                         self.describe_server(server))
        elapsed = time.monotonic() - t_kill
        self.assertLess(elapsed, idle_timeout + 5, "server idle only %.1f s after its client died" % elapsed)
        self.assertIn(self.wait_ended(served, 10), TERMINAL_STATES)
        self.assertTrue(wait_until(lambda: pid_state(pid) is None, 5), "helper %d not reaped" % pid)
        # both records of the interrupted test are kept and linked
        self.assertEqual(self.get_property(served, "Peer"), client)
        self.assertEqual(self.get_property(client, "Peer"), served)
        self.assertIs(self.get_property(client, "Result").get("partial"), True)
        self.assert_server_usable(server)

    def test_local_test_correlated(self):
        """StartTest local=true: a one-off server on a free port of the
        range, both records linked, bytes in agreement, the server stopped."""
        for direction in ("forward", "bidirectional"):
            with self.subTest(direction=direction):
                self.check_local(direction)

    def check_local(self, direction):
        servers_before = set(self.list_servers())
        client = self.start_test(local=True, duration=2, interval=0.5, direction=direction)
        self.assertEqual(self.wait_ended(client, 60), "finished", self.describe(client))
        cprops = self.properties(client)
        self.assertEqual(cprops["Options"]["host"], "127.0.0.1")
        port = cprops["Options"]["port"]
        self.assertTrue(self.range[0] <= port <= self.range[1], "local server port %d is outside the range" % port)

        new_servers = [s for s in self.list_servers() if s not in servers_before]
        self.assertEqual(len(new_servers), 1, "a local test makes one server: %r" % new_servers)
        server = new_servers[0]
        self.assertEqual(self.wait_server_state(server, SERVER_STATES_ENDED, 15), "stopped",
                         self.describe_server(server))
        sprops = self.server_properties(server)
        self.assertIs(sprops["Options"]["one_off"], True)
        self.assertEqual(sprops["Port"], port)
        self.assertEqual(sprops["TestsServed"], 1)
        self.assertEqual(sprops["HelperPid"], 0)
        self.assert_port_released(port)

        # linked both ways through the cookie
        self.iterate_until(lambda: self.get_property(client, "Peer") != "/", 10, "the client's Peer")
        served = self.get_property(client, "Peer")
        tprops = self.properties(served)
        self.assertEqual(tprops["Role"], "server")
        self.assertEqual(tprops["Server"], server)
        self.assertEqual(tprops["Peer"], client)
        self.assertEqual(tprops["State"], "finished", self.describe(served))
        cres, sres = self.get_property(client, "Result"), tprops["Result"]
        self.assertEqual(cres["cookie"], sres["cookie"])
        self.assertEqual(cres["peer"]["cookie"], cres["cookie"], "Result.peer is not the other side")
        self.assertEqual(sres["peer"]["cookie"], sres["cookie"])
        directions = ("forward", "reverse") if direction == "bidirectional" else ("forward",)
        for d in directions:
            self.assertIn(d, sres, "the served result lacks %s: %r" % (d, sres))
            for key in ("receiver_bytes", "sender_bytes"):
                c, s = cres[d].get(key, 0), sres[d].get(key, 0)
                self.assertGreater(c, 0, (d, key, cres))
                self.assertGreater(s, 0, (d, key, sres))
                self.assertLess(abs(c - s), 0.03 * max(c, s),
                                "%s %s: the client says %d, the server %d" % (d, key, c, s))
            # the client's view of the peer is what the served record says
            self.assertEqual(cres["peer"][d]["receiver_bytes"], sres[d]["receiver_bytes"])

    def test_stop_busy_server(self):
        server, props = self.start_idle_server(port=free_port_in(*FIXED), interval=0.5)
        port, pid = props["Port"], props["HelperPid"]
        client = self.start_test(host="127.0.0.1", port=port, duration=0, bitrate=50_000_000, interval=0.5)
        served = self.wait_current_test(server)
        self.wait_intervals(served, 2, 20)
        self.assertEqual(self.server_property(server, "State"), "busy")
        t_stop = time.monotonic()
        self.stop_server(server)
        self.assertEqual(self.wait_server_state(server, SERVER_STATES_ENDED, 15), "stopped",
                         self.describe_server(server))
        self.assertLess(time.monotonic() - t_stop, 5, "Stop took long")
        self.assertIn(self.wait_ended(served, 10), TERMINAL_STATES)
        props = self.server_properties(server)
        self.assertEqual(props["HelperPid"], 0)
        self.assertEqual(props["CurrentTest"], "/")
        self.assertEqual(tuple(props["Error"]), ("", ""), "a stopped server has no Error")
        self.assertTrue(props["LastResult"], "the interrupted test's result is not kept as LastResult")
        self.assertTrue(wait_until(lambda: pid_state(pid) is None, 5), "the server's helper %d remains" % pid)
        self.assertEqual(group_members(pid), [], "processes remain in the helper's group")
        # the client notices, the port is free again
        self.assertEqual(self.wait_ended(client, 30), "failed", self.describe(client))
        self.assert_port_released(port)
        self.assertEqual(runner_pids(self.tag), [], "a runner remains after the only test and server ended")
        self.assertEqual(self.manager_property("RunningTests"), 0)
        # the ended server lingers on the bus
        self.assertIn(server, self.list_servers())

class ListeningTests(ServerTestCase):
    """State "idle" means that the server's port accepts connections now."""

    start_service_in_setup = False

    def setUp(self):
        super().setUp()
        # With the runner's test hooks, every way to the next listen is slow,
        # as on a loaded machine: "idle" must still wait for the socket.
        self.bus, self.service, self.conn, self.events = self.start_stack(self.service_args,
                                                                         env=LISTEN_DELAY_ENV)

    def idle_count(self, server):
        return len([v for _, v in self.events.property_changes(server, "State", iface=SERVER_IFACE)
                    if v == "idle"])

    def listening_lines(self, server):
        return len([t for _, _, t in self.events.logs(server) if t.startswith("Server listening on ")])

    def connect_when_idle(self, server, port, idles_before):
        """Waits for the next PropertiesChanged State=idle of SERVER and
        connects to PORT at once. Returns (error or None, the number of
        "Server listening" log lines the server had sent by then)."""
        found = {}

        def check():
            if self.idle_count(server) <= idles_before:
                return False
            found["lines"] = self.listening_lines(server)
            try:
                socket.create_connection(("127.0.0.1", port), timeout=2).close()
                found["error"] = None
            except OSError as e:
                found["error"] = e
            return True

        self.iterate_until(check, 30, "server %s to announce State=idle" % server)
        return found["error"], found["lines"]

    def test_idle_means_the_port_accepts(self):
        """At start and after each of several back-to-back tests, a TCP
        connect right when PropertiesChanged says State=idle succeeds."""
        server = self.start_server(port=0, interval=0.5)
        port = self.server_property(server, "Port")
        idles = 0
        for round_ in range(4):
            error, lines = self.connect_when_idle(server, port, idles)
            idles = self.idle_count(server)
            self.assertIsNone(error, "round %d: the server announced idle, yet a connect to port %d failed: %s\n%s"
                              % (round_, port, error, self.describe_server(server)))
            # the probe sent no cookie: iperf drops it and listens again
            self.iterate_until(lambda: self.listening_lines(server) > lines, 30,
                               "server %s to listen again after the probe" % server)
            self.assertEqual(self.server_property(server, "State"), "idle", self.describe_server(server))
            path = self.start_test(host="127.0.0.1", port=port, duration=1, interval=0.5)
            self.assertEqual(self.wait_ended(path, 60), "finished", self.describe(path))
        self.assertEqual(self.server_property(server, "TestsServed"), 4)
        self.assertEqual(self.server_property(server, "Restarts"), 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
