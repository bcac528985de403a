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
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from benchlib import BUS_NAME as NAME, MANAGER_PATH as PATH, SOURCE_ROOT, Stack  # noqa: E402
from gi.repository import Gio, GLib  # noqa: E402

BUILD = os.environ.get("BUILD_ROOT", os.path.join(SOURCE_ROOT, "build"))
HISTORY = "org.trafficd.Traffic1.History"


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
    stack = Stack("bench-history-dbus-")
    try:
        os.makedirs(stack.state_dir)
        shutil.copy(sys.argv[1], os.path.join(stack.state_dir, "history.db"))
        stack.start_bus(config=os.path.join(SOURCE_ROOT, "tests", "data", "session-bus.conf"))
        stack.start_trafficd(os.path.join(BUILD, "service", "trafficd"),
                             os.path.join(BUILD, "runner", "trafficd-runner"))
        conn, other = stack.conn, stack.connect()
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
        stack.cleanup()


if __name__ == "__main__":
    main()
