"""The real thing: installed files, a system bus with our policy, the real
polkitd, the service as its own user, and two ordinary users.

Nothing outside temporary directories is changed, except users, which are
created and removed again:
- `meson install --destdir` puts the build into a temporary tree;
- a private dbus-daemon of type "system" uses that tree's bus policy
  (share/dbus-1/system.d/org.trafficd.Traffic1.conf) and polkit's own;
- the real /usr/lib/polkit-1/polkitd runs in a private mount namespace in
  which /usr/share/polkit-1/actions is a temporary directory holding only
  the installed org.trafficd.traffic.policy and /etc/polkit-1/rules.d one
  with a site rule that grants user A run-test; the host's directories are
  never written (the bind mounts vanish with polkitd);
- the service runs as the trafficd user (created when missing), users A
  and B are created for the test; all of them are removed afterwards, also
  after a failure (and a run killed half-way is cleaned up by the next one:
  the users carry a marker in their GECOS field).

Proves: user A runs a test, user B cannot stop it (manage-others), root can;
a non-administrator over the configured MaxDuration gets LimitExceeded and
root is exempt; a user without run-test is refused and trafficctl names the
action; a plain user cannot own the bus name and reaches only our
interfaces and the standard ones; without the polkit owner annotation the
unprivileged service cannot check anyone (so the annotation is needed).

Needs root, polkitd, unshare, setpriv, useradd/userdel, meson, dbus-daemon
and iperf3; with CI=true a missing one fails, otherwise the test skips.
"""

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import harness
from harness import GLib, Gio

POLKITD = "/usr/lib/polkit-1/polkitd"
POLKIT_NAME = "org.freedesktop.PolicyKit1"
POLKIT_BUS_POLICY = "/usr/share/dbus-1/system.d/org.freedesktop.PolicyKit1.conf"
MARKER = "trafficd integration test user"
IPERF_PORTS = (5820, 5829)
SERVER_PORTS = (5830, 5849)
MAX_DURATION = 20

RUN_TEST = "org.trafficd.traffic.run-test"
MANAGE_OTHERS = "org.trafficd.traffic.manage-others"

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<!-- A private system bus: the default policy of dbus's system.conf, plus
     the installed trafficd policy and polkit's. -->
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"
          send_member="UpdateActivationEnvironment"/>
  </policy>
  <include>{trafficd_policy}</include>
  <include>{polkit_policy}</include>
</busconfig>
"""

RULES = """// site policy for the test: user {user} may run tests without asking
polkit.addRule(function(action, subject) {{
    if (action.id == "{action}" && subject.user == "{user}") {{
        return polkit.Result.YES;
    }}
}});
"""


def run(argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, timeout=kwargs.pop("timeout", 120), **kwargs)


def user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def remove_user(name):
    run(["userdel", name])
    # useradd's per-user group goes with the user; a leftover one would
    # block the next useradd of the same name
    run(["groupdel", name])


def stale_test_users():
    return [p.pw_name for p in pwd.getpwall() if p.pw_gecos == MARKER]


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


class Installed:
    """`meson install --destdir` of the build; paths of what we need."""

    def __init__(self, root):
        self.root = root
        build = harness.BUILD_ROOT
        p = run(["meson", "install", "-C", build, "--no-rebuild", "--destdir", root, "--quiet"], timeout=300)
        if p.returncode != 0:
            raise RuntimeError("meson install failed:\n%s%s" % (p.stdout, p.stderr))
        p = run(["meson", "introspect", "--installed", build])
        installed = json.loads(p.stdout)
        by_name = {}
        for destination in installed.values():
            by_name.setdefault(os.path.basename(destination), []).append(root + destination)

        def one(name, under=""):
            paths = [d for d in by_name.get(name, []) if under in d]
            if len(paths) != 1 or not os.path.exists(paths[0]):
                raise RuntimeError("%s%s is not installed exactly once: %s" % (under, name, paths))
            return paths[0]

        self.trafficd = one("trafficd", "/sbin/")
        self.runner = one("trafficd-runner")
        self.trafficctl = one("trafficctl", "/bin/")
        self.bus_policy = one("org.trafficd.Traffic1.conf", "/dbus-1/system.d/")
        self.polkit_policy = one("org.trafficd.traffic.policy", "/polkit-1/actions/")
        self.activation = one("org.trafficd.Traffic1.service", "/dbus-1/system-services/")
        self.unit = one("trafficd.service", "/systemd/system/")
        with open(self.polkit_policy) as f:
            text = f.read()
        owner = text.split("unix-user:", 1)[1].split("<", 1)[0]
        self.service_user = owner.strip()


class Polkitd(harness.ManagedProcess):
    """The real polkitd in a private mount namespace that shows it only
    ACTIONS_DIR and RULES_DIR (bind mounts that vanish with it)."""

    def __init__(self, workdir, bus, actions_dir, rules_dir):
        script = ('mount --bind "$1" /usr/share/polkit-1/actions && mount --bind "$2" /etc/polkit-1/rules.d '
                  '&& exec "$3" --no-debug')
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=bus.address)
        super().__init__("polkitd", ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", script,
                                     "polkitd", actions_dir, rules_dir, POLKITD],
                         os.path.join(workdir, "polkitd.log"), env=env)


class SystemTestCase(harness.ServiceTestCase):
    start_service_in_setup = False
    owner_annotation = True   # False: the installed policy without it

    @classmethod
    def setUpClass(cls):
        cls.prerequisite = None
        missing = [b for b in ("unshare", "setpriv", "useradd", "userdel", "groupdel", "meson", "dbus-daemon",
                               "gdbus", "iperf3") if shutil.which(b) is None]
        if os.geteuid() != 0:
            cls.prerequisite = "the system test needs root (users, mount namespace)"
        elif missing:
            cls.prerequisite = "missing: " + ", ".join(missing)
        elif not os.access(POLKITD, os.X_OK) or not user_exists("polkitd"):
            cls.prerequisite = "polkitd is not installed"
        elif not os.path.exists(POLKIT_BUS_POLICY):
            cls.prerequisite = "polkitd's bus policy %s is missing" % POLKIT_BUS_POLICY
        if cls.prerequisite:
            return
        for name in stale_test_users():
            harness.log("removing user %s left by an earlier run" % name)
            remove_user(name)
        cls.tree = tempfile.mkdtemp(prefix="trafficd-install-")
        cls.addClassCleanup(shutil.rmtree, cls.tree, True)
        os.chmod(cls.tree, 0o755)
        cls.installed = Installed(os.path.join(cls.tree, "root"))
        cls.users = {}
        suffix = harness.random_suffix(4)
        for role, name in (("service", cls.installed.service_user),
                           ("a", "tdit-a-" + suffix), ("b", "tdit-b-" + suffix)):
            if role == "service" and user_exists(name):
                cls.users[role] = name
                continue
            argv = ["useradd", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin",
                    "--comment", MARKER, "--user-group", name]
            if role == "service":
                argv.insert(1, "--system")
            p = run(argv)
            if p.returncode != 0:
                raise RuntimeError("useradd %s failed: %s" % (name, p.stderr))
            cls.addClassCleanup(remove_user, name)
            cls.users[role] = name

    def setUp(self):
        super().setUp()
        harness.require(self, self.prerequisite is None, self.prerequisite or "")
        os.chmod(self.workdir, 0o755)   # the service's and users' processes look in here
        self.uid = {role: pwd.getpwnam(name).pw_uid for role, name in self.users.items()}
        # the bus
        config = os.path.join(self.workdir, "system-bus.conf")
        with open(config, "w") as f:
            f.write(BUS_CONFIG.format(socket=os.path.join(self.workdir, "system_bus_socket"),
                                      trafficd_policy=self.installed.bus_policy, polkit_policy=POLKIT_BUS_POLICY))
        self.bus = harness.Bus(self.workdir, config=config)
        self.buses.append(self.bus)
        # polkitd with our actions and a site rule for user A
        actions = os.path.join(self.workdir, "polkit-actions")
        rules = os.path.join(self.workdir, "polkit-rules")
        os.makedirs(actions)
        os.makedirs(rules)
        with open(self.installed.polkit_policy) as f:
            policy = f.read()
        if not self.owner_annotation:
            policy = "\n".join(line for line in policy.splitlines() if "policykit.owner" not in line)
        with open(os.path.join(actions, "org.trafficd.traffic.policy"), "w") as f:
            f.write(policy)
        with open(os.path.join(rules, "50-trafficd-test.rules"), "w") as f:
            f.write(RULES.format(action=RUN_TEST, user=self.users["a"]))
        for d in (actions, rules):
            os.chmod(d, 0o755)
        self.polkitd = Polkitd(self.workdir, self.bus, actions, rules)
        self.servers.append(self.polkitd)
        self.wait_for_name(POLKIT_NAME, self.polkitd)
        # the service as its user, with a limit for non-administrators
        self.config_path = os.path.join(self.workdir, "trafficd.conf")
        with open(self.config_path, "w") as f:
            f.write("[Limits]\nMaxDuration=%d\n" % MAX_DURATION)
        self.iperf = self.start_iperf_server(port=free_port(*IPERF_PORTS))
        _, self.service, self.conn, self.events = self.start_stack(
            ["--config", self.config_path, "--server-ports", "%d-%d" % SERVER_PORTS], bus=self.bus, system=True,
            user=self.users["service"], binary=self.installed.trafficd, runner=self.installed.runner)

    def wait_for_name(self, name, process, timeout=15):
        conn = self.bus.connect()
        self.connections.append(conn)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner",
                              GLib.Variant("(s)", (name,)), GLib.VariantType("(b)"), Gio.DBusCallFlags.NONE,
                              5000, None).unpack()[0]:
                return
            if not process.alive():
                break
            time.sleep(0.05)
        self.fail("%s did not own %s:\n%s" % (process.name, name, process.read_log()))

    # -- as a user --

    def env(self):
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.bus.address, LC_ALL="C.UTF-8")
        # no logind session on the private bus: trafficctl must not register
        # its agent as a fallback for one
        env.pop("XDG_SESSION_ID", None)
        return env

    def as_user(self, role, argv, timeout=120):
        prefix = harness.as_user_argv(self.users[role]) if role != "root" else []
        return run(prefix + list(argv), env=self.env(), timeout=timeout, stdin=subprocess.DEVNULL)

    def gdbus(self, role, path, method, *args, dest=harness.BUS_NAME):
        return self.as_user(role, ["gdbus", "call", "--system", "--dest", dest, "--object-path", path,
                                   "--method", method] + list(args))

    def trafficctl(self, role, *args, timeout=120):
        return self.as_user(role, [self.installed.trafficctl] + [str(a) for a in args], timeout=timeout)

    def start_test_as(self, role, duration):
        p = self.gdbus(role, harness.MANAGER_PATH, harness.MANAGER_IFACE + ".StartTest",
                       "{'host': <'127.0.0.1'>, 'port': <uint32 %d>, 'duration': <uint32 %d>}"
                       % (self.iperf.port, duration))
        return p

    def audit_lines(self):
        return [line for line in self.service.read_log().splitlines() if "audit: " in line]


class TestUsers(SystemTestCase):

    def test_a_runs_b_cannot_stop_root_can(self):
        p = self.start_test_as("a", MAX_DURATION - 5)
        self.assertEqual(p.returncode, 0, p.stderr)
        path = p.stdout.split("'")[1]
        test_id = self.get_property(path, "Id")
        self.assertEqual(self.get_property(path, "Owner"), self.uid["a"])
        self.wait_state(path, "running", 30)

        # B may not stop it: the CLI says which action was refused
        p = self.trafficctl("b", "stop", test_id)
        self.assertEqual(p.returncode, 4, p.stdout + p.stderr)
        self.assertIn(MANAGE_OTHERS, p.stderr)
        p = self.gdbus("b", path, harness.TEST_IFACE + ".Stop")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(harness.ERROR_PREFIX + "AccessDenied", p.stderr)
        self.iterate(0.5)
        self.assertEqual(self.get_property(path, "State"), "running")

        # root may (polkitd authorizes root for everything)
        p = self.trafficctl("root", "stop", test_id)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(self.wait_ended(path, 15), "stopped")

        audits = "\n".join(self.audit_lines())
        self.assertIn("Test.Stop %s: denied (polkit: " % MANAGE_OTHERS, audits)
        self.assertIn("uid=%d" % self.uid["b"], audits)
        self.assertIn("Test.Stop %s: allowed (polkit: authorized); uid=0" % MANAGE_OTHERS, audits)
        # the service itself runs as its own user
        owner_uid = self.conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                        "GetConnectionUnixUser", GLib.Variant("(s)", (harness.BUS_NAME,)),
                                        GLib.VariantType("(u)"), Gio.DBusCallFlags.NONE, 5000, None).unpack()[0]
        self.assertEqual(owner_uid, self.uid["service"])

    def test_limits_and_refusals(self):
        # A is no administrator: over MaxDuration is refused, within it runs
        p = self.trafficctl("a", "run", "127.0.0.1", "-p", self.iperf.port, "-t", MAX_DURATION + 5)
        self.assertEqual(p.returncode, 6, p.stdout + p.stderr)
        self.assertIn("MaxDuration=%d" % MAX_DURATION, p.stderr)
        p = self.trafficctl("a", "run", "127.0.0.1", "-p", self.iperf.port, "-t", 2, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        # root is exempt
        p = self.start_test_as("root", MAX_DURATION + 5)
        self.assertEqual(p.returncode, 0, p.stderr)
        path = p.stdout.split("'")[1]
        self.wait_state(path, ("connecting", "running"), 30)
        self.stop_test(path)
        self.wait_ended(path, 15)
        # B has no run-test (polkit would ask an administrator's password;
        # without a terminal it cannot): refused, the action named
        p = self.trafficctl("b", "run", "127.0.0.1", "-p", self.iperf.port, "-t", 2)
        self.assertEqual(p.returncode, 4, p.stdout + p.stderr)
        self.assertIn(RUN_TEST, p.stderr)
        self.assertIn("authentication is required", p.stderr)
        # nor may A start a server (auth_admin_keep)
        p = self.trafficctl("a", "server", "start")
        self.assertEqual(p.returncode, 4, p.stdout + p.stderr)
        self.assertIn("org.trafficd.traffic.run-server", p.stderr)
        self.assertEqual(self.list_servers(), [])

    def test_bus_policy(self):
        # a plain user cannot own the name (the bus refuses, not the service)
        p = self.gdbus("b", "/org/freedesktop/DBus", "org.freedesktop.DBus.RequestName", harness.BUS_NAME, "4",
                       dest="org.freedesktop.DBus")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("org.freedesktop.DBus.Error.AccessDenied", p.stderr)
        # nor can a trafficd started by that user
        rogue = harness.Service(self.workdir, self.bus, args=["--config", self.config_path], system=True,
                                user=self.users["b"], binary=self.installed.trafficd, runner=self.installed.runner,
                                tag=self.tag, name="trafficd-b")
        self.services.append(rogue)
        self.expected_dead_services.add(rogue)
        self.assertEqual(rogue.wait(15), 1, rogue.read_log())
        self.assertIn("cannot own", rogue.read_log())
        # anyone reaches our interfaces and the standard ones...
        for path, method, args in (
                (harness.MANAGER_PATH, harness.MANAGER_IFACE + ".ListTests", ()),
                (harness.MANAGER_PATH, "org.freedesktop.DBus.Properties.GetAll", (harness.MANAGER_IFACE,)),
                (harness.MANAGER_PATH, "org.freedesktop.DBus.ObjectManager.GetManagedObjects", ()),
                (harness.MANAGER_PATH, "org.freedesktop.DBus.Introspectable.Introspect", ()),
                (harness.MANAGER_PATH, "org.freedesktop.DBus.Peer.Ping", ())):
            p = self.gdbus("b", path, method, *args)
            self.assertEqual(p.returncode, 0, "%s: %s" % (method, p.stderr))
        # ...an unknown method of ours gets to the service (which says so)...
        p = self.gdbus("b", harness.MANAGER_PATH, harness.MANAGER_IFACE + ".NoSuchMethod")
        self.assertIn("org.freedesktop.DBus.Error.UnknownMethod", p.stderr)
        # ...but no other interface gets through the bus
        p = self.gdbus("b", harness.MANAGER_PATH, "org.example.NotOurs.Method")
        self.assertIn("org.freedesktop.DBus.Error.AccessDenied", p.stderr)
        self.assertTrue(self.service.alive())


class TestTerminal(SystemTestCase):

    def test_trafficctl_on_a_terminal_starts_an_agent(self):
        p = self.start_test_as("a", MAX_DURATION - 5)
        self.assertEqual(p.returncode, 0, p.stderr)
        path = p.stdout.split("'")[1]
        self.wait_state(path, "running", 30)
        test_id = self.get_property(path, "Id")
        # B on a terminal: polkit asks B's agent for an administrator's
        # password; B gives none (end of input), so nothing happens
        # (no logind session here: trafficctl registers a plain agent)
        status, output, agents = harness.run_on_terminal(
            harness.as_user_argv(self.users["b"]) + [self.installed.trafficctl, "stop", str(test_id)],
            self.env(), answer=(b"Password:", b"\x04"), watch="pkttyagent")
        self.assertIn("AUTHENTICATING FOR %s" % MANAGE_OTHERS, output)
        self.assertTrue(agents, "no pkttyagent ran")
        self.assertEqual(status, 4, output)
        self.assertIn(MANAGE_OTHERS, output)
        self.assertEqual(self.get_property(path, "State"), "running")
        self.assertTrue(harness.wait_until(lambda: not any(harness.pid_alive(pid) for pid in agents), 5),
                        "pkttyagent outlived trafficctl")
        self.assertIn("Test.Stop %s: denied" % MANAGE_OTHERS, "\n".join(self.audit_lines()))
        self.stop_test(path)
        self.wait_ended(path, 15)


class TestWithoutOwnerAnnotation(SystemTestCase):
    owner_annotation = False

    def test_unprivileged_service_needs_the_owner_annotation(self):
        p = self.start_test_as("a", 5)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(harness.ERROR_PREFIX + "AccessDenied", p.stderr)
        self.assertIn(RUN_TEST, p.stderr)
        self.assertIn("polkit could not decide", p.stderr)
        self.assertEqual(self.list_tests(), [])


if __name__ == "__main__":
    unittest.main()
