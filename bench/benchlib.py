"""benchlib.py: what the Python benchmarks in bench/ share.

A private dbus-daemon, `trafficd --session` on it with private state and
runtime directories (run from copies of the built binaries), other processes
with their logs in a temporary directory, and their cleanup; the D-Bus and
/proc helpers the measurements use. A script imports it after putting its own
directory first on sys.path, so it runs from any working directory.
"""

import math
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

try:
    from gi.repository import Gio, GLib
except ImportError:
    sys.stderr.write("%s: needs python3-gi; run it with /usr/bin/python3\n" % os.path.basename(sys.argv[0]))
    sys.exit(1)

BUS_NAME = "org.trafficd.Traffic1"
MANAGER_PATH = "/org/trafficd/Traffic1"
MANAGER_IFACE = "org.trafficd.Traffic1.Manager"
TEST_IFACE = "org.trafficd.Traffic1.Test"
PROPS_IFACE = "org.freedesktop.DBus.Properties"
TERMINAL_STATES = ("finished", "failed", "stopped")
CLK_TCK = os.sysconf("SC_CLK_TCK")
SOURCE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROG = os.path.splitext(os.path.basename(sys.argv[0]))[0]

INTERRUPTED = []    # signals caught by on_signal(): checked by Stack.spin_until()


class BenchError(Exception):
    """A measurement could not be made."""


def log(msg):
    sys.stderr.write("%s: %s\n" % (PROG, msg))
    sys.stderr.flush()


def on_signal(signum, _frame):
    """SIGINT/SIGTERM handler: raises KeyboardInterrupt, and also flags it,
    since an exception raised inside a GLib callback is only printed."""
    INTERRUPTED.append(signum)
    raise KeyboardInterrupt


def catch_signals():
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)


def percentile(values, p):
    """p-th percentile, linear interpolation between order statistics."""
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * p / 100.0
    lo = math.floor(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


# ---------------------------------------------------------------- /proc ----

def proc_stat(pid):
    """(utime, stime, cutime, cstime) of PID in seconds; OSError when gone."""
    with open("/proc/%d/stat" % pid) as f:
        data = f.read()
    # comm may contain spaces and parentheses: split after the last ')';
    # fields[0] is field 3 (state), utime is field 14
    fields = data[data.rindex(")") + 2:].split()
    return tuple(int(fields[i]) / CLK_TCK for i in (11, 12, 13, 14))


def cpu_seconds(pid):
    """utime+stime of PID in seconds."""
    ut, st, _cut, _cst = proc_stat(pid)
    return ut + st


def machine_busy():
    """(busy, total) CPU seconds of all CPUs (/proc/stat); busy is user,
    nice, system, irq and softirq (loopback TCP's softirq work shows in the
    processes' stime, so it is counted here too)."""
    with open("/proc/stat") as f:
        cols = [int(c) for c in f.readline().split()[1:]]
    return (cols[0] + cols[1] + cols[2] + cols[5] + cols[6]) / CLK_TCK, sum(cols[:8]) / CLK_TCK


def all_processes():
    """{pid: (ppid, own cpu s, reaped children's cpu s, is_kernel_thread)}."""
    procs = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name) as f:
                data = f.read()
        except OSError:
            continue
        fields = data[data.rindex(")") + 2:].split()
        ppid, flags = int(fields[1]), int(fields[6])
        own = (int(fields[11]) + int(fields[12])) / CLK_TCK
        children = (int(fields[13]) + int(fields[14])) / CLK_TCK
        procs[int(name)] = (ppid, own, children, bool(flags & 0x00200000) or ppid == 2 or int(name) == 2)
    return procs


def process_tree(procs, root):
    """ROOT and all its descendants in PROCS (from all_processes())."""
    tree, changed = {root}, True
    while changed:
        changed = False
        for pid, p in procs.items():
            if p[0] in tree and pid not in tree:
                tree.add(pid)
                changed = True
    return tree


def port_free(port):
    """Whether nobody uses PORT, TCP or UDP, on any address."""
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET, kind)
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("0.0.0.0", port))
        except OSError:
            return False
        finally:
            s.close()
    return True


def wait_stable(paths, timeout=120, quiet=2.0):
    """Waits until the files exist, are executable and have not changed for
    QUIET seconds: someone may be rebuilding the tree right now."""
    def snap():
        out = []
        for p in paths:
            try:
                st = os.stat(p)
            except OSError:
                return None
            if not os.access(p, os.X_OK):
                return None
            out.append((st.st_size, st.st_mtime_ns, st.st_ino))
        return out

    deadline = time.monotonic() + timeout
    said = False
    while time.monotonic() < deadline:
        a = snap()
        if a is not None and time.time() - max(m for _s, m, _i in a) / 1e9 >= quiet:
            time.sleep(0.2)
            if snap() == a:
                return
        if not said:
            log("waiting for %s to be built (the tree is being rebuilt?)" % ", ".join(paths))
            said = True
        time.sleep(0.5)
    raise BenchError("%s missing, not executable or still changing after %d s (build first: meson compile -C build)"
                     % (", ".join(paths), timeout))


# ---------------------------------------------------------------- stack ----

class Stack:
    """A temporary directory, the processes started in it (output in
    TMP/NAME.log, stopped in reverse order by cleanup()), a private
    dbus-daemon with a connection to it, and trafficd on that bus."""

    def __init__(self, prefix, keep_temp=False):
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        self.keep_temp = keep_temp
        self.state_dir = os.path.join(self.tmp, "state")
        self.procs = []           # (name, Popen)
        self.bus_address = None
        self.conn = None
        self.trafficd = None
        self.tick = None

    def spawn(self, name, argv, **kw):
        """Starts a process that cleanup() stops; its output goes to
        TMP/NAME.log unless stdout is given."""
        logf = None
        if "stdout" not in kw:
            logf = kw["stdout"] = open(os.path.join(self.tmp, name + ".log"), "wb")
            kw.setdefault("stderr", subprocess.STDOUT)
        try:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, **kw)
        finally:
            if logf:
                logf.close()
        self.procs.append((name, p))
        return p

    def stop(self, p, timeout=10):
        """Stops P (SIGTERM, SIGKILL after TIMEOUT s) and forgets it."""
        if p.poll() is None:
            try:
                p.terminate()
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            except OSError:
                pass
        self.procs = [e for e in self.procs if e[1] is not p]

    def log_tail(self, name, lines=20):
        try:
            with open(os.path.join(self.tmp, name + ".log"), errors="replace") as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def connect(self):
        """A new connection to our bus."""
        conn = Gio.DBusConnection.new_for_address_sync(
            self.bus_address,
            Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
            None, None)
        conn.set_exit_on_close(False)
        return conn

    def start_bus(self, config=None, prefix=(), tick_ms=100):
        """dbus-daemon --session (or with the CONFIG file), run under PREFIX
        (e.g. ip netns exec NS); connects self.conn to it."""
        r, w = os.pipe()
        self.spawn("dbus-daemon", list(prefix) + ["dbus-daemon"]
                   + (["--config-file", config] if config else ["--session"])
                   + ["--nofork", "--nopidfile", "--print-address=%d" % w], pass_fds=(w,))
        os.close(w)
        ready, _, _ = select.select([r], [], [], 10)
        data = os.read(r, 4096).decode() if ready else ""
        os.close(r)
        if not data.strip():
            raise BenchError("dbus-daemon did not print its address:\n%s" % self.log_tail("dbus-daemon"))
        self.bus_address = data.strip().splitlines()[0]
        self.conn = self.connect()
        # a periodic wake-up so blocking main-loop iterations can time out
        self.tick = GLib.timeout_add(tick_ms, lambda: True)

    def start_trafficd(self, trafficd, runner, copy=True, extra=(), prefix=(), env=None, timeout=15):
        """`trafficd --session` on our bus with private state and runtime
        directories (TMP/state, TMP/run) and EXTRA arguments; waits until it
        owns its name. COPY: run private copies of the binaries, taken once
        they are stable, so a rebuild of the tree cannot swap the runner
        half way."""
        if copy:
            wait_stable((trafficd, runner))
            bindir = os.path.join(self.tmp, "bin")
            os.makedirs(bindir, exist_ok=True)
            trafficd, runner = shutil.copy2(trafficd, bindir), shutil.copy2(runner, bindir)
        for path in (trafficd, runner):
            if not os.access(path, os.X_OK):
                raise BenchError("%s is missing or not executable (build first: meson compile -C build)" % path)
        rundir = os.path.join(self.tmp, "run")
        for d in (self.state_dir, rundir):
            os.makedirs(d, 0o700, exist_ok=True)
        env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=self.bus_address, **(env or {}))
        env.pop("G_MESSAGES_DEBUG", None)
        self.trafficd = self.spawn("trafficd", list(prefix) + [
            trafficd, "--session", "--runner", runner,
            "--state-directory", self.state_dir, "--runtime-directory", rundir] + list(extra), env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.trafficd.poll() is not None:
                raise BenchError("trafficd exited with %s:\n%s" % (self.trafficd.returncode, self.log_tail("trafficd")))
            try:
                self.conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                    "GetNameOwner", GLib.Variant("(s)", (BUS_NAME,)), None,
                                    Gio.DBusCallFlags.NONE, 1000, None)
                return
            except GLib.Error:
                time.sleep(0.05)
        raise BenchError("trafficd did not take %s on the bus" % BUS_NAME)

    def call(self, path, iface, method, params=None, reply=None, conn=None, timeout_ms=30000):
        """A method call to trafficd (on CONN, default self.conn); the reply unpacked."""
        r = (conn or self.conn).call_sync(BUS_NAME, path, iface, method, params,
                                          GLib.VariantType(reply) if reply else None,
                                          Gio.DBusCallFlags.NONE, timeout_ms, None)
        return r.unpack() if r is not None else None

    def get(self, path, iface, name, conn=None):
        return self.call(path, PROPS_IFACE, "Get", GLib.Variant("(ss)", (iface, name)), "(v)", conn=conn)[0]

    def get_all(self, path, iface, conn=None):
        return self.call(path, PROPS_IFACE, "GetAll", GLib.Variant("(s)", (iface,)), "(a{sv})", conn=conn)[0]

    def spin_until(self, pred, timeout, what):
        """Runs the default main context until PRED() holds."""
        ctx = GLib.MainContext.default()
        deadline = time.monotonic() + timeout
        while not pred():
            if INTERRUPTED:
                raise KeyboardInterrupt
            if time.monotonic() > deadline:
                raise BenchError("timed out after %.0f s waiting for %s" % (timeout, what))
            if self.trafficd.poll() is not None:
                raise BenchError("trafficd exited (%s) while waiting for %s:\n%s"
                                 % (self.trafficd.returncode, what, self.log_tail("trafficd")))
            ctx.iteration(True)

    def cleanup(self):
        if self.tick is not None:
            GLib.source_remove(self.tick)
            self.tick = None
        if self.conn is not None:
            try:
                self.conn.close_sync(None)
            except GLib.Error:
                pass
            self.conn = None
        for _name, p in reversed(self.procs):
            self.stop(p)
        if self.keep_temp:
            log("kept logs in %s" % self.tmp)
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
