"""Authorization against dbusmock's polkitd, on a private bus.

trafficd runs in system-bus mode (no --session: it asks polkit) on a private
dbus-daemon that also carries python-dbusmock's `polkitd` template, which
answers CheckAuthorization from a list of allowed actions, can hold answers
back (SimulateHangActions) and records what it was asked. Proves:

- with nothing allowed, every mutating method (StartTest, StartServer,
  Reload, Test.Stop and Server.Stop of another user's objects,
  History.DeleteTests) returns AccessDenied naming the polkit action, and
  nothing changes: no test or server starts or stops, the limits stay, the
  history keeps its rows; reading still works; every decision is audited;
- a caller killed while its authorization is pending starts nothing, and
  other callers are served meanwhile;
- without polkitd every mutating call fails closed (and works once polkitd
  appears);
- the subject is the caller's bus name (never a PID) and interaction is
  requested only when the caller's message allows it (trafficctl on a
  terminal does, and names the refused action otherwise);
- the owner stops its own test without polkit; the configured limits bind
  non-administrators (LimitExceeded naming the limit), administrators
  (configure) are exempt; Reload and SIGHUP reread the file; the command
  line wins over it.

Needs python3-dbusmock, iperf3, and root (some calls run as `nobody` via
setpriv). With CI=true a missing prerequisite fails.
"""

import os
import pty
import select
import signal
import socket
import subprocess
import time
import unittest

import harness
from harness import GLib, Gio

POLKIT_NAME = "org.freedesktop.PolicyKit1"
POLKIT_PATH = "/org/freedesktop/PolicyKit1/Authority"
POLKIT_IFACE = "org.freedesktop.PolicyKit1.Authority"
MOCK_IFACE = "org.freedesktop.DBus.Mock"
HISTORY_IFACE = "org.trafficd.Traffic1.History"
SERVER_IFACE = "org.trafficd.Traffic1.Server"

RUN_TEST = "org.trafficd.traffic.run-test"
RUN_SERVER = "org.trafficd.traffic.run-server"
MANAGE_OTHERS = "org.trafficd.traffic.manage-others"
DELETE_HISTORY = "org.trafficd.traffic.delete-history"
CONFIGURE = "org.trafficd.traffic.configure"

OTHER_USER = "nobody"
IPERF_PORTS = (5800, 5819)      # iperf3 -s started by these tests
SERVER_PORTS = (5830, 5849)     # the service's managed servers


def free_port(low, high):
    for port in range(low, high + 1):
        try:
            for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                with socket.socket(socket.AF_INET, kind) as s:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind(("0.0.0.0", port))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port in %d-%d" % (low, high))


def have_dbusmock():
    try:
        import dbusmock  # noqa: F401
    except ImportError:
        return False
    return True


class PolkitMock(harness.ManagedProcess):
    """python3 -m dbusmock --system -t polkitd on BUS."""

    def __init__(self, workdir, bus):
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=bus.address)
        super().__init__("polkitd-mock", ["/usr/bin/python3", "-m", "dbusmock", "--system", "-t", "polkitd"],
                         os.path.join(workdir, "polkitd-mock.log"), env=env)


class PolkitMockTestCase(harness.ServiceTestCase):
    """A private bus, dbusmock's polkitd (unless start_polkit is False) and
    trafficd in system-bus mode with a configuration file."""

    start_service_in_setup = False
    start_polkit = True
    config_text = "[Limits]\n"
    extra_args = ()

    def setUp(self):
        super().setUp()
        harness.require(self, have_dbusmock(), "python3-dbusmock is not installed")
        harness.require_root(self, "calling as another user")
        harness.require_binary(self, "setpriv")
        self.config_path = os.path.join(self.workdir, "trafficd.conf")
        with open(self.config_path, "w") as f:
            f.write(self.config_text)
        self.bus = harness.Bus(self.workdir)
        self.buses.append(self.bus)
        self.mock = None
        if self.start_polkit:
            self.start_mock()
        args = ["--config", self.config_path, "--server-ports", "%d-%d" % SERVER_PORTS] + list(self.extra_args)
        _, self.service, self.conn, self.events = self.start_stack(args, bus=self.bus, system=True)

    def start_mock(self):
        self.mock = PolkitMock(self.workdir, self.bus)
        self.servers.append(self.mock)   # stopped with the iperf servers
        conn = self.bus.connect()
        self.connections.append(conn)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            reply = conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                   "NameHasOwner", GLib.Variant("(s)", (POLKIT_NAME,)),
                                   GLib.VariantType("(b)"), Gio.DBusCallFlags.NONE, 5000, None)
            if reply.unpack()[0]:
                self.mock_conn = conn
                return
            if not self.mock.alive():
                break
            time.sleep(0.05)
        self.fail("dbusmock's polkitd did not start:\n" + self.mock.read_log())

    # -- the mock --

    def mock_call(self, method, params=None, reply_type=None):
        reply = self.mock_conn.call_sync(POLKIT_NAME, POLKIT_PATH, MOCK_IFACE, method, params,
                                         GLib.VariantType(reply_type) if reply_type else None,
                                         Gio.DBusCallFlags.NONE, 5000, None)
        return reply.unpack() if reply is not None else None

    def allow(self, *actions):
        self.mock_call("SetAllowed", GLib.Variant("(as)", (list(actions),)))

    def record_checks(self):
        """Replaces the template's CheckAuthorization by one dbusmock logs
        (subject, action, details, flags), same decisions."""
        code = "ret = (args[1] in self.allowed or self.allow_unknown, False, {})"
        self.mock_call("AddMethod", GLib.Variant("(sssss)", (POLKIT_IFACE, "CheckAuthorization",
                                                             "(sa{sv})sa{ss}us", "(bba{ss})", code)))

    def recorded_checks(self):
        """[(subject kind, subject details, action, flags)] asked so far."""
        calls = self.mock_call("GetMethodCalls", GLib.Variant("(s)", ("CheckAuthorization",)), "(a(tav))")[0]
        return [(args[0][0], args[0][1], args[1], args[3]) for _, args in calls]

    # -- calls as another user --

    def as_user(self, user, *gdbus_args, timeout=30):
        """gdbus call --system ... as USER; returns (status, stdout, stderr)."""
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.bus.address, LC_ALL="C.UTF-8")
        argv = harness.as_user_argv(user) + ["gdbus", "call", "--system", "--dest", harness.BUS_NAME] + list(gdbus_args)
        p = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout.strip(), p.stderr.strip()

    def start_test_as(self, user, options_text):
        status, out, err = self.as_user(user, "--object-path", harness.MANAGER_PATH, "--method",
                                        harness.MANAGER_IFACE + ".StartTest", options_text)
        self.assertEqual(status, 0, "StartTest as %s failed: %s" % (user, err))
        return out.split("'")[1]

    def start_server_as(self, user, options_text):
        status, out, err = self.as_user(user, "--object-path", harness.MANAGER_PATH, "--method",
                                        harness.MANAGER_IFACE + ".StartServer", options_text)
        self.assertEqual(status, 0, "StartServer as %s failed: %s" % (user, err))
        return out.split("'")[1]

    # -- assertions --

    def assert_denied(self, action, call, *args, **kwargs):
        try:
            call(*args, **kwargs)
        except GLib.Error as e:
            name, message = harness.remote_error(e)
            self.assertEqual(name, harness.ERROR_PREFIX + "AccessDenied", message)
            self.assertIn(action, message, "the refusal does not name the action")
            return message
        self.fail("%s was allowed, AccessDenied naming %s was expected" % (getattr(call, "__name__", call), action))

    def assert_limit(self, limit, call, *args, **kwargs):
        try:
            call(*args, **kwargs)
        except GLib.Error as e:
            name, message = harness.remote_error(e)
            self.assertEqual(name, harness.ERROR_PREFIX + "LimitExceeded", message)
            self.assertTrue(message.startswith(limit + "="), "the message does not name %s: %s" % (limit, message))
            return message
        self.fail("the call was allowed, LimitExceeded (%s) was expected" % limit)

    def audit_lines(self):
        return [line for line in self.service.read_log().splitlines() if "audit: " in line]

    def wait_audit(self, fragment, timeout=10):
        self.iterate_until(lambda: any(fragment in line for line in self.audit_lines()), timeout,
                           "an audit record with %r" % fragment)

    def history_ids(self):
        rows, _ = self.call(harness.MANAGER_PATH, HISTORY_IFACE, "ListTests",
                            GLib.Variant("(a{sv})", ({},)), "(aa{sv}u)")
        return sorted(row.get("id", row.get("test_id")) for row in rows)

    def runner_set(self):
        return set(harness.runner_pids(self.tag))


class TestNothingAllowed(PolkitMockTestCase):

    def test_every_mutating_method_denied_and_nothing_changes(self):
        iperf = self.start_iperf_server(port=free_port(*IPERF_PORTS))
        self.allow(RUN_TEST, RUN_SERVER)
        # another user's objects: a short test that ends (history), a long
        # test and a server
        done = self.start_test_as(OTHER_USER, "{'host': <'127.0.0.1'>, 'port': <uint32 %d>, "
                                              "'duration': <uint32 1>}" % iperf.port)
        self.wait_ended(done, 30)
        running = self.start_test_as(OTHER_USER, "{'host': <'127.0.0.1'>, 'port': <uint32 %d>, "
                                                 "'duration': <uint32 60>}" % iperf.port)
        self.wait_state(running, "running", 30)
        server = self.start_server_as(OTHER_USER, "{'port': <uint32 0>}")
        self.wait_server_state(server, "idle", 30)
        done_id = self.get_property(done, "Id")
        self.iterate_until(lambda: done_id in self.history_ids(), 15, "the ended test in the history")

        self.allow()   # nothing
        before = {
            "tests": self.list_tests(), "servers": self.list_servers(),
            "limits": self.manager_property("Limits"), "runners": self.runner_set(),
            "history": self.history_ids(),
        }
        with open(self.config_path, "w") as f:
            f.write("[Limits]\nMaxDuration=7\n")

        self.assert_denied(RUN_TEST, self.start_test, host="127.0.0.1", port=iperf.port, duration=1)
        self.assert_denied(RUN_SERVER, self.start_server, port=0)
        self.assert_denied(CONFIGURE, self.call, harness.MANAGER_PATH, harness.MANAGER_IFACE, "Reload")
        self.assert_denied(MANAGE_OTHERS, self.stop_test, running)
        self.assert_denied(MANAGE_OTHERS, self.stop_server, server)

        # nothing changed
        self.iterate(0.5)
        self.assertEqual(self.list_tests(), before["tests"])
        self.assertEqual(self.list_servers(), before["servers"])
        self.assertEqual(self.manager_property("Limits"), before["limits"])
        self.assertEqual(self.runner_set(), before["runners"])
        self.assertEqual(self.history_ids(), before["history"])
        self.assertEqual(self.get_property(running, "State"), "running")
        self.assertEqual(self.server_property(server, "State"), "idle")
        # reading still works
        self.assertIn(running, self.managed_objects())
        self.assertEqual(self.get_property(running, "Owner"), 65534)

        # every decision is in the audit log, with who asked
        audits = self.audit_lines()
        for method, action in (("Manager.StartTest", RUN_TEST), ("Manager.StartServer", RUN_SERVER),
                               ("Manager.Reload", CONFIGURE), ("Test.Stop", MANAGE_OTHERS),
                               ("Server.Stop", MANAGE_OTHERS)):
            lines = [a for a in audits if "audit: %s %s: denied" % (method, action) in a]
            self.assertTrue(lines, "no denial of %s audited:\n%s" % (method, "\n".join(audits)))
            self.assertIn("uid=0 pid=%d exe=" % os.getpid(), lines[-1])
            self.assertIn("python3", lines[-1].split(" exe=")[1])
        self.assertTrue([a for a in audits if "Manager.StartTest %s: allowed" % RUN_TEST in a and "uid=65534" in a])

        # the owner needs no polkit to stop its own test and server
        status, _, err = self.as_user(OTHER_USER, "--object-path", running, "--method",
                                      harness.TEST_IFACE + ".Stop")
        self.assertEqual(status, 0, err)
        self.assertEqual(self.wait_ended(running, 15), "stopped")
        status, _, err = self.as_user(OTHER_USER, "--object-path", server, "--method", SERVER_IFACE + ".Stop")
        self.assertEqual(status, 0, err)
        self.wait_server_state(server, "stopped", 15)
        self.assertTrue([a for a in self.audit_lines()
                         if "Test.Stop %s: allowed (the caller owns it)" % MANAGE_OTHERS in a])

    def test_history_delete_needs_delete_history(self):
        iperf = self.start_iperf_server(port=free_port(*IPERF_PORTS))
        self.allow(RUN_TEST)
        done = self.start_test_as(OTHER_USER, "{'host': <'127.0.0.1'>, 'port': <uint32 %d>, "
                                              "'duration': <uint32 1>}" % iperf.port)
        self.wait_ended(done, 30)
        done_id = self.get_property(done, "Id")
        self.iterate_until(lambda: done_id in self.history_ids(), 15, "the ended test in the history")
        self.allow()
        self.assert_denied(DELETE_HISTORY, self.call, harness.MANAGER_PATH, HISTORY_IFACE, "DeleteTests",
                           GLib.Variant("(au)", ([done_id],)), "(u)")
        self.assertIn(done_id, self.history_ids())
        self.wait_audit("History.DeleteTests %s: denied" % DELETE_HISTORY)
        self.allow(DELETE_HISTORY)
        deleted = self.call(harness.MANAGER_PATH, HISTORY_IFACE, "DeleteTests",
                            GLib.Variant("(au)", ([done_id],)), "(u)")[0]
        self.assertEqual(deleted, 1)
        self.assertNotIn(done_id, self.history_ids())

    def test_another_user_is_denied_too(self):
        status, _, err = self.as_user(OTHER_USER, "--object-path", harness.MANAGER_PATH, "--method",
                                      harness.MANAGER_IFACE + ".StartTest",
                                      "{'host': <'127.0.0.1'>, 'duration': <uint32 1>}")
        self.assertNotEqual(status, 0)
        self.assertIn(harness.ERROR_PREFIX + "AccessDenied", err)
        self.assertIn(RUN_TEST, err)
        self.assertEqual(self.list_tests(), [])


class TestCallerVanishes(PolkitMockTestCase):

    def test_caller_killed_while_polkit_answers_late(self):
        iperf = self.start_iperf_server(port=free_port(*IPERF_PORTS))
        self.allow(RUN_TEST, RUN_SERVER)
        self.mock_call("SimulateHangActions", GLib.Variant("(as)", ([RUN_TEST],)))
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.bus.address)
        caller = subprocess.Popen(
            ["gdbus", "call", "--system", "--dest", harness.BUS_NAME, "--object-path", harness.MANAGER_PATH,
             "--method", harness.MANAGER_IFACE + ".StartTest",
             "{'host': <'127.0.0.1'>, 'port': <uint32 %d>, 'duration': <uint32 5>}" % iperf.port],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            self.iterate_until(lambda: self.mock_call("HaveHangingCalls", None, "(b)")[0], 15,
                               "the authorization to hang in polkit")
            # meanwhile the service serves everyone else
            started = time.monotonic()
            self.assertEqual(self.list_tests(), [])
            server = self.start_server(port=0)
            self.assertLess(time.monotonic() - started, 5, "other callers were held up")
            self.wait_server_state(server, "idle", 30)
            self.stop_server(server)
            self.wait_server_state(server, ("stopped", "failed"), 15)
        finally:
            caller.kill()
            caller.wait()
        self.wait_audit("Manager.StartTest %s: denied (the caller left the bus during the check)" % RUN_TEST)
        # now polkit says yes, too late
        self.mock_call("ReleaseHangingCalls")
        self.iterate(1.5)
        self.assertEqual(self.list_tests(), [])
        self.assertEqual(self.manager_property("RunningTests"), 0)
        self.assertTrue(harness.wait_until(lambda: not self.runner_set(), 10),
                        "helpers are running: %s" % self.runner_set())
        self.assertNotIn("Manager.StartTest %s: allowed" % RUN_TEST, "\n".join(self.audit_lines()))


class TestPolkitAbsent(PolkitMockTestCase):
    start_polkit = False

    def test_fails_closed_then_follows_polkitd(self):
        message = self.assert_denied(RUN_TEST, self.start_test, host="127.0.0.1", port=5801, duration=1)
        self.assertIn("polkit", message)
        self.assert_denied(RUN_SERVER, self.start_server, port=0)
        self.assert_denied(CONFIGURE, self.call, harness.MANAGER_PATH, harness.MANAGER_IFACE, "Reload")
        self.assertEqual(self.list_tests(), [])
        self.assertEqual(self.list_servers(), [])
        self.assertFalse(self.runner_set())
        # polkitd appears: the service uses it from then on
        self.start_mock()
        self.allow(RUN_SERVER)
        server = self.start_server(port=0)
        self.wait_server_state(server, "idle", 30)
        self.stop_server(server)
        self.wait_server_state(server, ("stopped", "failed"), 15)


class TestSubjectAndInteraction(PolkitMockTestCase):

    def test_subject_is_the_bus_name_and_interaction_follows_the_message(self):
        harness.require(self, os.access(harness.TRAFFICCTL, os.X_OK), "trafficctl is not built")
        self.record_checks()
        self.allow()
        self.assert_denied(RUN_SERVER, self.start_server, port=0)
        # the same call with ALLOW_INTERACTIVE_AUTHORIZATION
        try:
            self.conn.call_sync(harness.BUS_NAME, harness.MANAGER_PATH, harness.MANAGER_IFACE, "StartServer",
                                GLib.Variant("(a{sv})", ({},)), GLib.VariantType("(o)"),
                                Gio.DBusCallFlags.ALLOW_INTERACTIVE_AUTHORIZATION, 25000, None)
            self.fail("StartServer was allowed")
        except GLib.Error:
            pass
        checks = self.recorded_checks()
        self.assertEqual(len(checks), 2, checks)
        for kind, details, action, _ in checks:
            self.assertEqual(kind, "system-bus-name")
            self.assertEqual(details, {"name": self.conn.get_unique_name()})
            self.assertEqual(action, RUN_SERVER)
        self.assertEqual([flags for *_, flags in checks], [0, 1])

        # trafficctl: not on a terminal no interaction, and the refusal names the action
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.bus.address, LC_ALL="C.UTF-8")
        p = subprocess.run([harness.TRAFFICCTL, "server", "start"], env=env, capture_output=True, text=True,
                           timeout=60, stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertIn(RUN_SERVER, p.stderr)
        self.assertEqual(self.recorded_checks()[-1][3], 0)
        # on a terminal it asks polkit to interact
        status, output = self.run_on_terminal([harness.TRAFFICCTL, "server", "start"], env)
        self.assertEqual(status, 4, output)
        self.assertIn(RUN_SERVER, output)
        self.assertEqual(self.recorded_checks()[-1][3], 1)

    def run_on_terminal(self, argv, env, timeout=60):
        master, slave = pty.openpty()
        try:
            p = subprocess.Popen(argv, env=env, stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
        finally:
            os.close(slave)
        output = b""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.1)
                if ready:
                    try:
                        chunk = os.read(master, 4096)
                    except OSError:
                        chunk = b""
                    if not chunk and p.poll() is not None:
                        break
                    output += chunk
                elif p.poll() is not None:
                    break
        finally:
            if p.poll() is None:
                p.kill()
            p.wait()
            os.close(master)
        return p.returncode, output.decode("utf-8", "replace")


class TestLimits(PolkitMockTestCase):
    config_text = ("[Limits]\nMaxDuration=5\nMaxParallel=2\nMaxUdpBitrate=10M\n"
                   "AllowedTargets=127.0.0.0/8;localhost\nAllowedServerPorts=%d-%d\nMaxServers=5\n"
                   "MaxRunningTests=7\n" % (SERVER_PORTS[0], SERVER_PORTS[0] + 4))
    extra_args = ("--max-running-tests", "3")

    def test_limits_bind_non_administrators(self):
        iperf = self.start_iperf_server(port=free_port(*IPERF_PORTS))
        self.allow(RUN_TEST, RUN_SERVER)
        limits = self.manager_property("Limits")
        self.assertEqual(limits["max_duration"], 5)
        self.assertEqual(limits["allowed_targets"], ["127.0.0.0/8", "localhost"])
        self.assertEqual(self.manager_property("ConfigFile"), self.config_path)
        # the command line wins over the file; the rest comes from the file
        self.assertEqual(self.manager_property("MaxRunningTests"), 3)
        self.assertEqual(self.manager_property("MaxServers"), 5)

        self.assert_limit("MaxDuration", self.start_test, host="127.0.0.1", port=iperf.port, duration=10)
        self.assert_limit("MaxDuration", self.start_test, host="127.0.0.1", port=iperf.port, duration=0)
        self.assert_limit("MaxParallel", self.start_test, host="127.0.0.1", port=iperf.port, duration=1,
                          parallel=4)
        self.assert_limit("MaxUdpBitrate", self.start_test, host="127.0.0.1", port=iperf.port, duration=1,
                          protocol="udp", bitrate=8000000, parallel=2)
        self.assert_limit("AllowedTargets", self.start_test, host="192.0.2.1", port=iperf.port, duration=1)
        self.assert_limit("AllowedServerPorts", self.start_server, port=SERVER_PORTS[1])
        self.assertEqual(self.list_tests(), [])
        self.assertEqual(self.list_servers(), [])
        # within the limits
        path = self.start_test(host="127.0.0.1", port=iperf.port, duration=1)
        self.assertEqual(self.wait_ended(path, 30), "finished", self.describe(path))
        # an administrator (configure, without asking) is exempt
        self.allow(RUN_TEST, RUN_SERVER, CONFIGURE)
        path = self.start_test(host="127.0.0.1", port=iperf.port, duration=10, parallel=3)
        self.wait_state(path, ("connecting", "running"), 30)
        self.stop_test(path)
        self.wait_ended(path, 15)
        self.assertTrue([a for a in self.audit_lines() if "admin=yes" in a])

    def test_reload_and_sighup(self):
        self.allow(CONFIGURE)
        with open(self.config_path, "w") as f:
            f.write("[Limits]\nMaxDuration=20\n")
        self.call(harness.MANAGER_PATH, harness.MANAGER_IFACE, "Reload")
        self.assertEqual(self.manager_property("Limits"), {"max_duration": 20})
        self.assertEqual(self.manager_property("MaxServers"), 32)   # back to the default
        with open(self.config_path, "w") as f:
            f.write("[Limits]\nMaxDuration=30\nMaxParallel=4\n")
        self.service.send_signal(signal.SIGHUP)
        self.iterate_until(lambda: self.manager_property("Limits") == {"max_duration": 30, "max_parallel": 4},
                           10, "SIGHUP to reread the file")
        # an invalid file is refused and the old settings stay
        with open(self.config_path, "w") as f:
            f.write("[Limits]\nMaxDuration=30\nMaxParalel=4\n")
        try:
            self.call(harness.MANAGER_PATH, harness.MANAGER_IFACE, "Reload")
            self.fail("Reload accepted an invalid file")
        except GLib.Error as e:
            name, message = harness.remote_error(e)
            self.assertEqual(name, harness.ERROR_PREFIX + "InvalidArgument")
            self.assertIn("MaxParalel", message)
        self.assertEqual(self.manager_property("Limits"), {"max_duration": 30, "max_parallel": 4})
        self.service.send_signal(signal.SIGHUP)
        self.iterate(0.5)
        self.assertEqual(self.manager_property("Limits"), {"max_duration": 30, "max_parallel": 4})


class TestInvalidConfiguration(harness.ServiceTestCase):
    """An invalid file keeps the service from starting, with the reason."""
    start_service_in_setup = False
    needs_iperf = False

    def test_invalid_file_refuses_to_start(self):
        path = os.path.join(self.workdir, "trafficd.conf")
        with open(path, "w") as f:
            f.write("[Limits]\nAllowedTargets=10.0.0.0/33\n")
        bus = harness.Bus(self.workdir)
        self.buses.append(bus)
        service = harness.Service(self.workdir, bus, args=["--config", path], system=True, tag=self.tag)
        self.services.append(service)
        self.expected_dead_services.add(service)
        self.assertEqual(service.wait(15), 2)
        self.assertIn("AllowedTargets", service.read_log())


if __name__ == "__main__":
    unittest.main()
