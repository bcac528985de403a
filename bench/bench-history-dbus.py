#!/usr/bin/python3
"""History calls through D-Bus: the time a client waits, and how long the
service's main loop is held up meanwhile.

    build/tests/bench-history /tmp/bh            # makes /tmp/bh/history.db (10,000 tests, ...)
    /usr/bin/python3 bench/bench-history-dbus.py /tmp/bh/history.db

Runs the built trafficd --session on a private bus with a copy of the
database, and times (21 calls each, median and max): ListTests first page,
a 1,000-row page, GetTest of the largest test downsampled to 1,000 points;
then a Manager property Get (answered by the main loop) while another
connection lists 1,000-row pages.
"""

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BUILD = os.environ.get("BUILD_ROOT", os.path.join(ROOT, "build"))
NAME, PATH, HISTORY = "org.trafficd.Traffic1", "/org/trafficd/Traffic1", "org.trafficd.Traffic1.History"


def connect(address):
    conn = Gio.DBusConnection.new_for_address_sync(
        address, Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
        None, None)
    conn.set_exit_on_close(False)
    return conn


def timed(conn, method, params, runs=21):
    ms = []
    for _ in range(runs):
        t0 = time.monotonic()
        conn.call_sync(NAME, PATH, HISTORY, method, params, None, Gio.DBusCallFlags.NONE, 60000, None)
        ms.append((time.monotonic() - t0) * 1000)
    return statistics.median(ms), max(ms)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    work = tempfile.mkdtemp(prefix="bench-history-dbus-")
    state = os.path.join(work, "state")
    os.makedirs(state)
    shutil.copy(sys.argv[1], os.path.join(state, "history.db"))
    out = subprocess.run(["dbus-daemon", "--config-file", os.path.join(ROOT, "tests", "data", "session-bus.conf"),
                          "--fork", "--print-address=1", "--print-pid=1"], capture_output=True, text=True,
                         check=True).stdout.split()
    address, bus_pid = out[0], int(out[1])
    service = subprocess.Popen([os.path.join(BUILD, "service", "trafficd"), "--session", "--state-directory", state,
                                "--runner", os.path.join(BUILD, "runner", "trafficd-runner")],
                               env=dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        conn, other = connect(address), connect(address)
        for _ in range(100):
            try:
                conn.call_sync(NAME, PATH, "org.freedesktop.DBus.Properties", "Get",
                               GLib.Variant("(ss)", (HISTORY, "Status")), None, 0, 1000, None)
                break
            except GLib.Error:
                time.sleep(0.1)
        # bench-history records its long tests first
        rows, _ = conn.call_sync(NAME, PATH, HISTORY, "ListTests",
                                 GLib.Variant("(a{sv})", ({"order": GLib.Variant("s", "oldest"),
                                                           "limit": GLib.Variant("u", 10)},)),
                                 None, 0, 60000, None).unpack()
        biggest = max(rows, key=lambda r: r.get("sample_count", 0))["id"]
        print("ListTests first page (100 rows): median %.2f ms, max %.2f ms"
              % timed(conn, "ListTests", GLib.Variant("(a{sv})", ({},))))
        print("ListTests 1,000-row page: median %.2f ms, max %.2f ms"
              % timed(conn, "ListTests", GLib.Variant("(a{sv})", ({"limit": GLib.Variant("u", 1000)},))))
        print("GetTest of test %d, 1,000 points: median %.2f ms, max %.2f ms"
              % ((biggest,) + timed(conn, "GetTest", GLib.Variant("(ua{sv})", (biggest, {})))))

        def main_loop_get():
            t0 = time.monotonic()
            other.call_sync(NAME, PATH, "org.freedesktop.DBus.Properties", "Get",
                            GLib.Variant("(ss)", ("org.trafficd.Traffic1.Manager", "RunningTests")),
                            None, 0, 10000, None)
            return (time.monotonic() - t0) * 1000
        idle = [main_loop_get() for _ in range(20)]
        done = []
        lister = threading.Thread(target=lambda: (timed(conn, "ListTests", GLib.Variant(
            "(a{sv})", ({"limit": GLib.Variant("u", 1000)},)), runs=5), done.append(True)))
        lister.start()
        busy = []
        while not done:
            busy.append(main_loop_get())
            time.sleep(0.01)
        lister.join()
        print("Manager property Get: idle median %.2f ms (max %.2f); while 1,000-row pages are listed: "
              "median %.2f ms, max %.2f ms (%d calls)"
              % (statistics.median(idle), max(idle), statistics.median(busy), max(busy), len(busy)))
    finally:
        service.terminate()
        service.wait()
        os.kill(bus_pid, 15)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
