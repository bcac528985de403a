"""Integration test harness for trafficd.

Every test runs against real processes: a private dbus-daemon (config in
tests/data/session-bus.conf), the real `trafficd --session` on it, the real
`trafficd-runner` it spawns, and real `iperf3 -s` servers on free loopback
ports (or inside network namespaces, see test_netns.py).

Run with Debian's interpreter, which has python3-gi:

    /usr/bin/python3 -m unittest -v test_client_tests        (from tests/integration)
    meson test -C build --suite integration

Binaries come from the environment (set by meson): TRAFFICD, TRAFFICD_RUNNER,
TRAFFICCTL, SOURCE_ROOT; without them SOURCE_ROOT is this file's ../.. and the
binaries are taken from $SOURCE_ROOT/build (or $BUILD_ROOT).

Prerequisites (iperf3, root, tc, ip): with CI=true a missing one is a test
failure, otherwise the test is skipped with the reason.

Other knobs: the service runs with --verbose unless TRAFFICD_IT_VERBOSE=0;
TRAFFICD_IT_KEEP=1 keeps every work directory (logs), not only failed ones.
"""

import collections
import contextlib
import os
import pty
import random
import select
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

import gi

gi.require_version("GLib", "2.0")
gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

BUS_NAME = "org.trafficd.Traffic1"
MANAGER_PATH = "/org/trafficd/Traffic1"
TESTS_PATH = MANAGER_PATH + "/tests"
MANAGER_IFACE = "org.trafficd.Traffic1.Manager"
TEST_IFACE = "org.trafficd.Traffic1.Test"
SERVER_IFACE = "org.trafficd.Traffic1.Server"
SERVERS_PATH = MANAGER_PATH + "/servers"
IFACES_PATH = MANAGER_PATH + "/interfaces"
PROPS_IFACE = "org.freedesktop.DBus.Properties"
OM_IFACE = "org.freedesktop.DBus.ObjectManager"
ERROR_PREFIX = "org.trafficd.Traffic1.Error."
TERMINAL_STATES = ("finished", "failed", "stopped")
RUNNER_COMM = "trafficd-runner"   # 15 characters: fits in /proc/PID/comm
TAG_VARIABLE = "TRAFFICD_IT_TAG"

# D-Bus types the service documents for each option (tr_test_options_to_variant).
OPTION_TYPES = {
    "host": "s", "port": "u", "protocol": "s", "duration": "u", "bytes": "t",
    "parallel": "u", "direction": "s", "bitrate": "t", "interval": "d",
    "omit": "u", "bind_address": "s", "length": "u", "window": "u", "tos": "u",
    "congestion": "s", "zerocopy": "b", "connect_timeout": "d",
    "receive_timeout": "d", "stop_on_disconnect": "b", "label": "s",
}


# ---------------------------------------------------------------- paths ----

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.environ.get("SOURCE_ROOT") or os.path.dirname(os.path.dirname(HERE))
BUILD_ROOT = os.environ.get("BUILD_ROOT") or os.path.join(SOURCE_ROOT, "build")
TRAFFICD = os.environ.get("TRAFFICD") or os.path.join(BUILD_ROOT, "service", "trafficd")
TRAFFICD_RUNNER = os.environ.get("TRAFFICD_RUNNER") or os.path.join(BUILD_ROOT, "runner", "trafficd-runner")
TRAFFICCTL = os.environ.get("TRAFFICCTL") or os.path.join(BUILD_ROOT, "cli", "trafficctl")
BUS_CONFIG = os.path.join(SOURCE_ROOT, "tests", "data", "session-bus.conf")
IN_CI = os.environ.get("CI", "").lower() == "true"
VERBOSE = os.environ.get("TRAFFICD_IT_VERBOSE", "1") not in ("", "0")
KEEP = os.environ.get("TRAFFICD_IT_KEEP", "") not in ("", "0")


def log(msg):
    sys.stderr.write("[harness] %s\n" % msg)
    sys.stderr.flush()


# -------------------------------------------------------- prerequisites ----

def require(testcase, condition, reason):
    """A prerequisite: skip when it is missing, but fail under CI=true."""
    if condition:
        return
    if IN_CI:
        testcase.fail("missing prerequisite (CI=true makes this a failure): " + reason)
    raise unittest.SkipTest(reason)


def require_binary(testcase, name):
    path = shutil.which(name) or next(
        (p for p in ("/usr/sbin/" + name, "/sbin/" + name, "/usr/bin/" + name) if os.access(p, os.X_OK)), None)
    require(testcase, path is not None, "%s is not installed" % name)
    return path


def require_root(testcase, what="this test"):
    require(testcase, os.geteuid() == 0, "%s needs root" % what)


# ------------------------------------------------------------- helpers -----

def free_port(kind=socket.SOCK_STREAM, address="127.0.0.1"):
    """A port nothing listens on right now (TCP and UDP both free)."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, kind) as s:
            s.bind((address, 0))
            port = s.getsockname()[1]
        other = socket.SOCK_DGRAM if kind == socket.SOCK_STREAM else socket.SOCK_STREAM
        try:
            with socket.socket(socket.AF_INET, other) as s:
                s.bind((address, port))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port found")


def port_free_for_server(port):
    """True when an iperf server could listen on PORT on every address: TCP
    and UDP, IPv4 and IPv6 (with SO_REUSEADDR, as iperf and trafficd's own
    check do, so TIME_WAIT leftovers do not count)."""
    for family, address in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
        for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            try:
                s = socket.socket(family, kind)
            except OSError:
                continue   # no IPv6 here
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                if family == socket.AF_INET6:
                    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                s.bind((address, port))
            except OSError:
                return False
            finally:
                s.close()
    return True


def tcp_listening(port):
    """True when some socket listens on TCP PORT (IPv4 or IPv6)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                for line in f.readlines()[1:]:
                    cols = line.split()
                    if cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                        return True
        except OSError:
            pass
    return False


def free_port_block(n, low, high):
    """The first run of N consecutive ports in LOW..HIGH an iperf server
    could listen on now (for --server-ports, so that a second run of the
    tests, or anything else on the machine, does not collide with this one)."""
    run = []
    for port in range(low, high + 1):
        run = run + [port] if port_free_for_server(port) else []
        if len(run) == n:
            return run[0], run[-1]
    raise RuntimeError("no %d consecutive free ports in %d-%d" % (n, low, high))


def free_port_in(low, high, exclude=()):
    """A port of LOW..HIGH (inclusive) an iperf server could listen on now."""
    candidates = [p for p in range(low, high + 1) if p not in exclude]
    random.shuffle(candidates)
    for port in candidates:
        if port_free_for_server(port):
            return port
    raise RuntimeError("no free port in %d-%d" % (low, high))


def pid_alive(pid):
    """True if PID exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def pid_state(pid):
    """The one-letter state of PID from /proc, or None if it is gone."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return None


@contextlib.contextmanager
def frozen(pid):
    """SIGSTOP PID for the block; SIGCONT afterwards if it still exists."""
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        if pid_state(pid) is not None:
            try:
                os.kill(pid, signal.SIGCONT)
            except ProcessLookupError:
                pass


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def _has_tag(pid, tag):
    try:
        with open("/proc/%d/environ" % pid, "rb") as f:
            return ("%s=%s" % (TAG_VARIABLE, tag)).encode() in f.read().split(b"\0")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False


def _ppid(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return 0


def _is_version_probe(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return b"--iperf-version" in f.read().split(b"\0")
    except (FileNotFoundError, ProcessLookupError):
        return False


def runner_pids(tag=None):
    """PIDs of trafficd-runner processes (zombies included); with TAG only
    those started by a service that carried that tag in its environment."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        try:
            with open("/proc/%d/comm" % pid) as f:
                if f.read().strip() != RUNNER_COMM:
                    continue
            if tag is not None and not _has_tag(pid, tag):
                # a zombie has no environment any more: it is ours if its
                # parent (a tagged service) has not reaped it
                if pid_state(pid) != "Z" or not _has_tag(_ppid(pid), tag):
                    continue
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        pids.append(pid)
    return pids


def wait_until(predicate, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


def typed_options(options):
    """a{sv} from a dict: GLib.Variant values are kept as they are, plain
    Python values get the documented type of their key."""
    out = {}
    for key, value in options.items():
        if isinstance(value, GLib.Variant):
            out[key] = value
        elif key in OPTION_TYPES:
            out[key] = GLib.Variant(OPTION_TYPES[key], value)
        elif isinstance(value, bool):
            out[key] = GLib.Variant("b", value)
        elif isinstance(value, int):
            out[key] = GLib.Variant("x", value)
        elif isinstance(value, float):
            out[key] = GLib.Variant("d", value)
        else:
            out[key] = GLib.Variant("s", str(value))
    return GLib.Variant("a{sv}", out)


def remote_error(error):
    """(D-Bus error name, message without the GDBus prefix) of a GLib.Error."""
    name = Gio.DBusError.get_remote_error(error) if Gio.DBusError.is_remote_error(error) else None
    message = error.message
    if name is not None:
        prefix = "GDBus.Error:%s: " % name
        if message.startswith(prefix):
            message = message[len(prefix):]
    return name, message


def as_user_argv(user):
    """The prefix that runs a command as USER, with its primary group and
    supplementary groups (setpriv; needs root)."""
    import pwd
    entry = pwd.getpwnam(user)
    return ["setpriv", "--reuid=%d" % entry.pw_uid, "--regid=%d" % entry.pw_gid, "--init-groups", "--"]


def run_on_terminal(argv, env, timeout=60, answer=None, watch=None):
    """Runs ARGV with a pseudo-terminal as its controlling terminal and
    stdin/stdout/stderr; returns (exit status, output, pids of processes
    named WATCH seen while it ran). ANSWER=(prompt, bytes): write the bytes
    once the output shows the prompt."""
    pid, master = pty.fork()
    if pid == 0:
        try:
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    output = b""
    seen = set()
    answered = answer is None
    answer_at = None      # output length when the answer was last written
    last_answer = 0.0
    deadline = time.monotonic() + timeout
    status = None
    try:
        while time.monotonic() < deadline:
            if watch is not None:
                for entry in os.listdir("/proc"):
                    if entry.isdigit():
                        try:
                            with open("/proc/%s/comm" % entry) as f:
                                if f.read().strip() == watch:
                                    seen.add(int(entry))
                        except OSError:
                            pass
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    chunk = b""
                output += chunk
                if not chunk:
                    break
            # the program may flush pending input when it starts reading
            # (tcsetattr TCSAFLUSH): answer again until it reacts
            if not answered and answer[0] in output and time.monotonic() - last_answer > 0.5:
                if answer_at is not None and len(output) > answer_at:
                    answered = True
                else:
                    os.write(master, answer[1])
                    answer_at = len(output)
                    last_answer = time.monotonic()
            done, wait_status = os.waitpid(pid, os.WNOHANG)
            if done:
                status = os.waitstatus_to_exitcode(wait_status)
                pid = None
                break
    finally:
        if pid is not None:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            _, wait_status = os.waitpid(pid, 0)
            status = os.waitstatus_to_exitcode(wait_status)
        try:
            while True:
                ready, _, _ = select.select([master], [], [], 0.05)
                if not ready:
                    break
                chunk = os.read(master, 4096)
                if not chunk:
                    break
                output += chunk
        except OSError:
            pass
        os.close(master)
    return status, output.decode("utf-8", "replace"), sorted(seen)


def random_suffix(n=6):
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(n))


# ------------------------------------------------------------ processes ----

class ManagedProcess:
    """A child process with its output in a log file; stop() is idempotent."""

    def __init__(self, name, argv, log_path, env=None, pass_fds=(), netns=None):
        self.name = name
        if netns is not None:
            argv = ["ip", "netns", "exec", netns] + list(argv)
        self.argv = argv
        self.log_path = log_path
        self.log_file = open(log_path, "ab")
        self.signals_sent = []
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log_file,
                                     stderr=subprocess.STDOUT, env=env, pass_fds=pass_fds,
                                     start_new_session=True)
        self.pid = self.proc.pid

    def poll(self):
        return self.proc.poll()

    def alive(self):
        return self.proc.poll() is None

    def send_signal(self, sig):
        if self.proc.poll() is None:
            self.signals_sent.append(sig)
            os.kill(self.pid, sig)

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Ends the process: SIG, then SIGKILL after TIMEOUT. Returns
        (exit status, True if it needed SIGKILL)."""
        killed = False
        if self.proc.poll() is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass
            if self.wait(timeout) is None:
                killed = True
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait()
        if not self.log_file.closed:
            self.log_file.close()
        return self.proc.returncode, killed

    def read_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""


class Bus(ManagedProcess):
    """A private dbus-daemon."""

    def __init__(self, workdir, netns=None, address=None, config=BUS_CONFIG):
        rfd, wfd = os.pipe()
        argv = ["dbus-daemon", "--config-file", config, "--nofork", "--print-address=%d" % wfd]
        if address is not None:
            argv.append("--address=" + address)
        try:
            super().__init__("dbus-daemon", argv, os.path.join(workdir, "dbus-daemon.log"),
                             pass_fds=(wfd,), netns=netns)
        finally:
            os.close(wfd)
        try:
            self.address = self._read_address(rfd)
        finally:
            os.close(rfd)

    def _read_address(self, fd, timeout=10):
        data = b""
        deadline = time.monotonic() + timeout
        while b"\n" not in data:
            left = deadline - time.monotonic()
            if left <= 0 or not self.alive():
                self.stop()
                raise RuntimeError("dbus-daemon did not print its address: " + self.read_log())
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    continue
                data += chunk
        return data.split(b"\n", 1)[0].decode().strip()

    def connect(self):
        conn = Gio.DBusConnection.new_for_address_sync(
            self.address,
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
            None, None)
        conn.set_exit_on_close(False)
        return conn


class Service(ManagedProcess):
    """The real trafficd on a private bus.

    By default `trafficd --session` (the bus is trusted, no polkit). With
    system=True it runs in system-bus mode on the same private bus (it takes
    the bus from DBUS_SYSTEM_BUS_ADDRESS, asks polkit, reads --config), with
    its state and runtime directories in WORKDIR. With user=NAME it runs as
    that user (setpriv; needs root); binary/runner run other copies (an
    installed tree, say)."""

    def __init__(self, workdir, bus, args=(), netns=None, tag=None, name="trafficd", env=None,
                 system=False, user=None, binary=None, runner=None):
        run_dir = os.path.join(workdir, name + "-run")
        state_dir = os.path.join(workdir, name + "-state")
        os.makedirs(run_dir, exist_ok=True)
        os.makedirs(state_dir, exist_ok=True)
        if user is not None:
            for d in (run_dir, state_dir):
                shutil.chown(d, user, user)
        runner = runner or TRAFFICD_RUNNER
        extra_env = env   # more variables for the service (a test hook, say)
        env = dict(os.environ)
        env.update({
            "DBUS_SESSION_BUS_ADDRESS": bus.address,
            "DBUS_SYSTEM_BUS_ADDRESS": bus.address,
            "G_DEBUG": "fatal-criticals",
            "TRAFFICD_RUNNER": runner,
            "XDG_RUNTIME_DIR": run_dir,
            "XDG_STATE_HOME": state_dir,
            "LC_ALL": "C.UTF-8",
        })
        env.pop("G_MESSAGES_DEBUG", None)
        env.pop("STATE_DIRECTORY", None)
        env.pop("RUNTIME_DIRECTORY", None)
        env.pop("CONFIGURATION_DIRECTORY", None)
        if tag is not None:
            env[TAG_VARIABLE] = tag
        env.update(extra_env or {})
        if system:
            argv = [binary or TRAFFICD, "--runner", runner, "--state-directory", state_dir,
                    "--runtime-directory", run_dir] + list(args)
        else:
            argv = [binary or TRAFFICD, "--session", "--runner", runner] + list(args)
        if user is not None:
            argv = as_user_argv(user) + argv
        if VERBOSE:
            argv.append("--verbose")
        self.bus = bus
        super().__init__(name, argv, os.path.join(workdir, name + ".log"), env=env, netns=netns)

    def death_note(self):
        """Why it may have died, for failure messages."""
        if not self.signals_sent and "shutdown requested" in self.read_log():
            return (" -- it got SIGTERM/SIGINT from outside the test (another process on this machine "
                    "killing trafficd by name?)")
        return ""

    def wait_for_name(self, conn, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise AssertionError("trafficd exited with status %s before owning %s:\n%s"
                                     % (self.poll(), BUS_NAME, self.read_log()))
            reply = conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                   "NameHasOwner", GLib.Variant("(s)", (BUS_NAME,)),
                                   GLib.VariantType("(b)"), Gio.DBusCallFlags.NONE, 5000, None)
            if reply.unpack()[0]:
                return
            time.sleep(0.05)
        raise AssertionError("trafficd did not own %s within %ss:\n%s" % (BUS_NAME, timeout, self.read_log()))


class IperfServer(ManagedProcess):
    """`iperf3 -s` on a free port (loopback by default)."""

    def __init__(self, workdir, address="127.0.0.1", port=None, netns=None):
        for attempt in range(5):
            self.port = port or free_port(address=address if netns is None else "127.0.0.1")
            self.address = address
            log_path = os.path.join(workdir, "iperf3-%s-%d.log" % (address, self.port))
            super().__init__("iperf3 -s", ["iperf3", "-s", "-B", address, "-p", str(self.port), "--forceflush"],
                             log_path, netns=netns)
            if self._wait_listening():
                return
            self.stop(signal.SIGKILL)
            if port is not None:
                break
        raise RuntimeError("iperf3 -s did not start:\n" + self.read_log())

    def _wait_listening(self, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                return False
            if "Server listening" in self.read_log():
                return True
            time.sleep(0.02)
        return False


# ------------------------------------------------------------- signals -----

Event = collections.namedtuple("Event", "time path kind data")


class SignalRecorder:
    """Records every signal of the service, in order, with the monotonic
    time of its dispatch. Subscribe before StartTest so nothing is lost."""

    def __init__(self, conn):
        self.conn = conn
        self.events = []
        self._ids = [
            conn.signal_subscribe(None, TEST_IFACE, None, None, None, Gio.DBusSignalFlags.NONE,
                                  self._on_signal),
            conn.signal_subscribe(None, SERVER_IFACE, None, None, None, Gio.DBusSignalFlags.NONE,
                                  self._on_signal),
            conn.signal_subscribe(None, PROPS_IFACE, "PropertiesChanged", None, None,
                                  Gio.DBusSignalFlags.NONE, self._on_signal),
            conn.signal_subscribe(None, OM_IFACE, None, MANAGER_PATH, None, Gio.DBusSignalFlags.NONE,
                                  self._on_signal),
        ]

    def _on_signal(self, conn, sender, path, iface, name, params, *user_data):
        now = time.monotonic()
        data = params.unpack()
        if iface == PROPS_IFACE:
            if data[0] not in (TEST_IFACE, MANAGER_IFACE, SERVER_IFACE):
                return
            self.events.append(Event(now, path, "PropertiesChanged", (data[0], data[1])))
        elif iface == OM_IFACE:
            # the object concerned is the first argument; network interface
            # objects (issue 5) come and go with the host, not the tests
            if data[0].startswith(IFACES_PATH + "/"):
                return
            self.events.append(Event(now, data[0], name, data))
        else:
            self.events.append(Event(now, path, name, data))

    def close(self):
        for i in self._ids:
            self.conn.signal_unsubscribe(i)
        self._ids = []

    # queries
    def of(self, path, kind=None):
        return [e for e in self.events if e.path == path and (kind is None or e.kind == kind)]

    def intervals(self, path, direction=None):
        """[(time, sample dict)] of the Interval signals of PATH."""
        out = []
        for e in self.of(path, "Interval"):
            sample = e.data[0]
            if direction is None or sample.get("direction") == direction:
                out.append((e.time, sample))
        return out

    def logs(self, path):
        return [(e.time, e.data[0], e.data[1]) for e in self.of(path, "Log")]

    def property_changes(self, path, name, iface=TEST_IFACE):
        """[(time, value)] of PropertiesChanged for one property."""
        out = []
        for e in self.of(path, "PropertiesChanged"):
            if e.data[0] == iface and name in e.data[1]:
                out.append((e.time, e.data[1][name]))
        return out

    def state_time(self, path, states):
        """Time the first of STATES was announced for PATH, or None."""
        for t, v in self.property_changes(path, "State"):
            if v in states:
                return t
        return None


# --------------------------------------------------------- the testcase ----

class ServiceTestCase(unittest.TestCase):
    """Starts a private bus and trafficd for each test; subclasses set
    service_args (extra command-line options), needs_iperf and netns."""

    service_args = ()
    needs_iperf = True
    start_service_in_setup = True
    netns = None   # network namespace for the bus and the service

    # -- setup / teardown --

    def setUp(self):
        self.tag = uuid.uuid4().hex
        self.workdir = tempfile.mkdtemp(prefix="trafficd-it-")
        self.services = []
        self.buses = []
        self.servers = []
        self.connections = []
        self.recorders = []
        self.expected_dead_services = set()
        self._tick = GLib.timeout_add(50, lambda: True)
        # cleanups run last-in first-out: the final checks are added first
        self.addCleanup(self._final_checks)
        self.addCleanup(self._stop_all)
        require(self, os.access(TRAFFICD, os.X_OK), "trafficd is not built (%s); run meson compile" % TRAFFICD)
        require(self, os.access(TRAFFICD_RUNNER, os.X_OK), "trafficd-runner is not built (%s)" % TRAFFICD_RUNNER)
        require_binary(self, "dbus-daemon")
        if self.needs_iperf:
            require_binary(self, "iperf3")
        if self.start_service_in_setup:
            self.bus, self.service, self.conn, self.events = self.start_stack(self.service_args)

    def start_stack(self, args=(), netns=None, bus_address=None, name=None, bus_config=BUS_CONFIG, env=None,
                    bus=None, **service_options):
        """A bus (or BUS, already running), a trafficd on it and a client
        connection with a recorder; returns (bus, service, connection,
        recorder). SERVICE_OPTIONS go to Service (system, user, binary,
        runner)."""
        netns = netns if netns is not None else self.netns
        if bus is None:
            bus = Bus(self.workdir, netns=netns, address=bus_address, config=bus_config)
            self.buses.append(bus)
        conn = bus.connect()
        self.connections.append(conn)
        recorder = SignalRecorder(conn)
        self.recorders.append(recorder)
        service = Service(self.workdir, bus, args=args, netns=netns, tag=self.tag,
                          name=name or "trafficd-%d" % (len(self.services) + 1), env=env,
                          **service_options)
        self.services.append(service)
        service.wait_for_name(conn)
        # At start the service asks the runner for libiperf's version
        # (`trafficd-runner --iperf-version`); let that probe end so that it
        # is not taken for a test's runner. Not an assertion: a test that
        # cares checks IperfVersion itself.
        wait_until(lambda: self.get_property(MANAGER_PATH, "IperfVersion", iface=MANAGER_IFACE, conn=conn)
                   != "unknown" or not service.alive(), 10, 0.02)
        wait_until(lambda: not [p for p in runner_pids(self.tag) if _is_version_probe(p)], 5, 0.02)
        return bus, service, conn, recorder

    def start_iperf_server(self, address="127.0.0.1", port=None, netns=None):
        server = IperfServer(self.workdir, address=address, port=port, netns=netns)
        self.servers.append(server)
        return server

    def _failed(self):
        outcome = getattr(self, "_outcome", None)
        result = getattr(outcome, "result", None)
        if result is not None and hasattr(result, "failures"):
            return any(t is self or getattr(t, "test_case", None) is self
                       for t, _ in list(result.failures) + list(result.errors))
        errors = getattr(outcome, "errors", None) or []
        return any(exc is not None for _, exc in errors)

    def tearDown(self):
        failed = self._failed()
        dead = [s for s in self.services if s not in self.expected_dead_services and not s.alive()]
        if failed or dead:
            self.dump_logs()
        for s in dead:
            self.fail("%s (pid %d) died during the test with status %s%s"
                      % (s.name, s.pid, s.poll(), getattr(s, "death_note", lambda: "")()))

    def dump_logs(self):
        for s in self.services:
            text = s.read_log()
            lines = text.splitlines()
            sys.stderr.write("\n----- %s log (%s, last %d of %d lines) -----\n"
                             % (s.name, s.log_path, min(200, len(lines)), len(lines)))
            sys.stderr.write("\n".join(lines[-200:]) + "\n----- end of %s log -----\n" % s.name)
        sys.stderr.write("work directory kept: %s\n" % self.workdir)
        self._keep_workdir = True

    def _stop_all(self):
        problems = []
        for r in self.recorders:
            r.close()
        for s in self.services:
            if s in self.expected_dead_services or not s.alive():
                s.stop()
                continue
            status, killed = s.stop(signal.SIGTERM, timeout=10)
            if killed:
                problems.append("%s did not exit within 10 s of SIGTERM" % s.name)
            elif status != 0:
                problems.append("%s exited with status %s on SIGTERM" % (s.name, status))
        for conn in self.connections:
            try:
                conn.close_sync(None)
            except GLib.Error:
                pass
        for server in self.servers:
            server.stop(signal.SIGKILL)
        for bus in self.buses:
            bus.stop()
        GLib.source_remove(self._tick)
        # drain what is left in the main context
        ctx = GLib.MainContext.default()
        while ctx.pending():
            ctx.iteration(False)
        if problems:
            self.dump_logs()
            self.fail("; ".join(problems))

    def _final_checks(self):
        left = []
        if not wait_until(lambda: not runner_pids(self.tag), 10, 0.1):
            left = runner_pids(self.tag)
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if left or self._failed() or KEEP:
            self._keep_workdir = True
        if not getattr(self, "_keep_workdir", False):
            shutil.rmtree(self.workdir, ignore_errors=True)
        if left:
            self.fail("trafficd-runner processes were left behind: %s" % left)

    # -- main loop --

    def iterate(self, seconds):
        """Runs the default main context for SECONDS (signals get recorded)."""
        self.iterate_until(lambda: False, seconds, raise_on_timeout=False)

    def iterate_until(self, predicate, timeout, what="condition", raise_on_timeout=True, check_service=True):
        ctx = GLib.MainContext.default()
        deadline = time.monotonic() + timeout
        while True:
            while ctx.pending():
                ctx.iteration(False)
            if check_service:
                for s in self.services:
                    if s not in self.expected_dead_services and not s.alive():
                        self.fail("%s died (status %s) while waiting for %s%s"
                                  % (s.name, s.poll(), what, getattr(s, "death_note", lambda: "")()))
            if predicate():
                return True
            if time.monotonic() >= deadline:
                if raise_on_timeout:
                    self.fail("timed out after %.1f s waiting for %s" % (timeout, what))
                return False
            ctx.iteration(True)   # the 50 ms tick bounds this

    # -- D-Bus calls --

    def call(self, path, iface, method, params=None, reply_type=None, conn=None, timeout_ms=25000):
        conn = conn or self.conn
        reply = conn.call_sync(BUS_NAME, path, iface, method, params,
                               GLib.VariantType(reply_type) if reply_type else None,
                               Gio.DBusCallFlags.NONE, timeout_ms, None)
        return reply.unpack() if reply is not None else None

    def start_test_raw(self, options_variant, conn=None):
        """StartTest with an a{sv} GLib.Variant; returns the path."""
        return self.call(MANAGER_PATH, MANAGER_IFACE, "StartTest", GLib.Variant.new_tuple(options_variant),
                         "(o)", conn=conn)[0]

    def start_test(self, conn=None, **options):
        return self.start_test_raw(typed_options(options), conn=conn)

    def start_test_error(self, options_variant, conn=None):
        """StartTest that must fail: returns (error name, message)."""
        try:
            path = self.start_test_raw(options_variant, conn=conn)
        except GLib.Error as e:
            return remote_error(e)
        self.fail("StartTest succeeded (%s) but an error was expected" % path)

    def list_tests(self, conn=None):
        return self.call(MANAGER_PATH, MANAGER_IFACE, "ListTests", None, "(ao)", conn=conn)[0]

    def managed_objects(self, conn=None, interfaces=False):
        """Tests and servers; network interface objects only with interfaces=True."""
        objects = self.call(MANAGER_PATH, OM_IFACE, "GetManagedObjects", None, "(a{oa{sa{sv}}})", conn=conn)[0]
        if interfaces:
            return objects
        return {p: v for p, v in objects.items() if not p.startswith(IFACES_PATH + "/")}

    def get_property(self, path, name, iface=TEST_IFACE, conn=None):
        return self.call(path, PROPS_IFACE, "Get", GLib.Variant("(ss)", (iface, name)), "(v)", conn=conn)[0]

    def properties(self, path, iface=TEST_IFACE, conn=None):
        return self.call(path, PROPS_IFACE, "GetAll", GLib.Variant("(s)", (iface,)), "(a{sv})", conn=conn)[0]

    def manager_property(self, name, conn=None):
        return self.get_property(MANAGER_PATH, name, iface=MANAGER_IFACE, conn=conn)

    def stop_test(self, path, conn=None):
        return self.call(path, TEST_IFACE, "Stop", None, "()", conn=conn)

    # -- managed servers --

    def start_server_raw(self, options_variant, conn=None):
        """StartServer with an a{sv} GLib.Variant; returns the path."""
        return self.call(MANAGER_PATH, MANAGER_IFACE, "StartServer", GLib.Variant.new_tuple(options_variant),
                         "(o)", conn=conn)[0]

    def start_server(self, conn=None, **options):
        """StartServer (port, bind_address, one_off, idle_timeout, interval,
        label); returns the Server's path."""
        return self.start_server_raw(typed_options(options), conn=conn)

    def start_server_error(self, conn=None, **options):
        """StartServer that must fail: returns (error name, message)."""
        try:
            path = self.start_server_raw(typed_options(options), conn=conn)
        except GLib.Error as e:
            return remote_error(e)
        self.fail("StartServer succeeded (%s) but an error was expected" % path)

    def list_servers(self, conn=None):
        return self.call(MANAGER_PATH, MANAGER_IFACE, "ListServers", None, "(ao)", conn=conn)[0]

    def server_properties(self, path, conn=None):
        return self.properties(path, iface=SERVER_IFACE, conn=conn)

    def server_property(self, path, name, conn=None):
        return self.get_property(path, name, iface=SERVER_IFACE, conn=conn)

    def stop_server(self, path, conn=None):
        return self.call(path, SERVER_IFACE, "Stop", None, "()", conn=conn)

    def wait_server_state(self, path, states, timeout, conn=None):
        """Waits until the Server's State is one of STATES (polled); returns it."""
        if isinstance(states, str):
            states = (states,)
        found = {}

        def check():
            found["state"] = self.server_property(path, "State", conn=conn)
            return found["state"] in states

        self.iterate_until(check, timeout, "server %s to reach %s" % (path, "/".join(states)))
        return found["state"]

    def describe_server(self, path, recorder=None):
        """Text about a server, for assertion messages."""
        recorder = recorder or self.events
        try:
            props = self.server_properties(path)
        except GLib.Error as e:
            props = {"<error>": e.message}
        logs = "\n".join("  [%d] %s" % (lvl, text) for _, lvl, text in recorder.logs(path)[-40:])
        return "server %s: %r\nlast log lines:\n%s" % (path, props, logs)

    def trafficctl(self, *args, bus=None, timeout=120, check=False, netns=None):
        """Runs the real trafficctl --session against the private bus;
        returns the CompletedProcess (text)."""
        require(self, os.access(TRAFFICCTL, os.X_OK), "trafficctl is not built (%s)" % TRAFFICCTL)
        bus = bus or self.bus
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=bus.address, DBUS_SYSTEM_BUS_ADDRESS=bus.address,
                   LC_ALL="C.UTF-8", G_DEBUG="fatal-criticals")
        argv = [TRAFFICCTL, "--session"] + [str(a) for a in args]
        if netns is not None:
            argv = ["ip", "netns", "exec", netns] + argv
        return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout, check=check,
                              stdin=subprocess.DEVNULL)

    # -- waiting for tests --

    def wait_state(self, path, states, timeout, conn=None, recorder=None):
        """Waits until State of PATH is one of STATES; returns it. Watches
        PropertiesChanged and also polls, so a lost signal shows as a
        failure of the signal checks, not as a hang."""
        if isinstance(states, str):
            states = (states,)
        recorder = recorder or self.events
        found = {}
        last_poll = [0.0]

        def check():
            for t, v in recorder.property_changes(path, "State"):
                if v in states:
                    found["state"] = v
                    return True
            now = time.monotonic()
            if now - last_poll[0] >= 0.5:
                last_poll[0] = now
                v = self.get_property(path, "State", conn=conn)
                if v in states:
                    found["state"] = v
                    return True
            return False

        self.iterate_until(check, timeout, "test %s to reach %s" % (path, "/".join(states)))
        return found["state"]

    def wait_ended(self, path, timeout, conn=None, recorder=None):
        state = self.wait_state(path, TERMINAL_STATES, timeout, conn=conn, recorder=recorder)
        # let the rest of the PropertiesChanged batch arrive
        self.iterate(0.1)
        return state

    def wait_intervals(self, path, count, timeout, direction=None, recorder=None):
        recorder = recorder or self.events
        self.iterate_until(lambda: len(recorder.intervals(path, direction)) >= count, timeout,
                           "%d Interval signals from %s" % (count, path))

    def run_test(self, timeout=60, **options):
        """Starts a test, waits for its end; returns (path, properties)."""
        path = self.start_test(**options)
        self.wait_ended(path, timeout)
        return path, self.properties(path)

    def describe(self, path, recorder=None):
        """Text about a test, for assertion messages."""
        recorder = recorder or self.events
        try:
            props = self.properties(path)
        except GLib.Error as e:
            props = {"<error>": e.message}
        logs = "\n".join("  [%d] %s" % (lvl, text) for _, lvl, text in recorder.logs(path)[-40:])
        return "test %s: state=%r error=%r result=%r\nlast log lines:\n%s" % (
            path, props.get("State"), props.get("Error"), props.get("Result"), logs)

    def assert_error_name(self, props, short_name, path=None):
        name, message = props["Error"]
        self.assertEqual(name, ERROR_PREFIX + short_name,
                         "Error is %r, expected %s\n%s" % (props["Error"], short_name,
                                                           self.describe(path) if path else ""))
        self.assertTrue(message, "Error has no message")
        return message
