"""The Traffic app under Xvfb, against the real trafficd on a private bus.

The app runs with --session --test-hooks on the same private bus as the
service; the test drives it through the app's TestHook object (fill in New
Test fields, activate window actions, read what the window shows) and takes
screenshots of the whole X screen with ImageMagick's `import`, kept in
ARTEFACTS_DIR (the meson build dir's client-gtk/tests/screenshots) and checked
not to be blank.

Run: meson test -C build --suite gtk   (or, from client-gtk/tests:
/usr/bin/python3 -m unittest -v test_app). With CI=true a missing Xvfb or
ImageMagick is a failure, otherwise the test is skipped.
"""

import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import unittest
import xml.etree.ElementTree as ElementTree

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.environ.get("SOURCE_ROOT") or os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE_ROOT, "tests", "integration"))

import harness  # noqa: E402
from harness import GLib, Gio  # noqa: E402

BUILD_ROOT = harness.BUILD_ROOT
APP = os.environ.get("TRAFFICD_GTK") or os.path.join(BUILD_ROOT, "client-gtk", "trafficd-gtk")
ARTEFACTS = os.environ.get("ARTEFACTS_DIR") or os.path.join(BUILD_ROOT, "client-gtk", "tests", "screenshots")
APP_NAME = "org.trafficd.Traffic"
HOOK_PATH = "/org/trafficd/Traffic/TestHook"
HOOK_IFACE = "org.trafficd.Traffic.TestHook"
SCREEN = (1024, 800)
PORTS = range(5850, 5900)


def port_free(port):
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


class Xvfb(harness.ManagedProcess):
    """Xvfb on a display it picks itself (-displayfd)."""

    def __init__(self, workdir, size=SCREEN):
        rfd, wfd = os.pipe()
        argv = ["Xvfb", "-displayfd", str(wfd), "-screen", "0", "%dx%dx24" % size, "-nolisten", "tcp",
                "-noreset"]
        try:
            super().__init__("Xvfb", argv, os.path.join(workdir, "xvfb.log"), pass_fds=(wfd,))
        finally:
            os.close(wfd)
        data = b""
        deadline = time.monotonic() + 20
        while b"\n" not in data and time.monotonic() < deadline and self.alive():
            chunk = os.read(rfd, 64)
            if not chunk:
                break
            data += chunk
        os.close(rfd)
        if b"\n" not in data:
            self.stop()
            raise RuntimeError("Xvfb did not start: " + self.read_log())
        self.display = ":" + data.decode().strip()


class AppTestCase(harness.ServiceTestCase):
    """A private bus, trafficd, an iperf3 server, Xvfb and the app.

    By default trafficd runs with --session and so does the app; a subclass
    with start_service_in_setup = False starts its own stack in
    setup_service() and sets app_args (the app without --session talks to
    the "system" bus, which the test points at the same private bus)."""

    app_args = ("--session",)

    def setup_service(self):
        pass

    def setUp(self):
        super().setUp()
        if not self.start_service_in_setup:
            self.setup_service()
        harness.require_binary(self, "Xvfb")
        harness.require_binary(self, "import")
        harness.require_binary(self, "convert")
        harness.require(self, os.access(APP, os.X_OK), "the app is not built (%s)" % APP)
        os.makedirs(ARTEFACTS, exist_ok=True)
        port = next((p for p in PORTS if port_free(p)), None)
        self.assertIsNotNone(port, "no free port in 5850-5899")
        self.iperf = self.start_iperf_server(port=port)
        self.xvfb = Xvfb(self.workdir)
        self.addCleanup(self.xvfb.stop)
        self.app = self.start_app()

    def start_app(self):
        home = os.path.join(self.workdir, "home")
        os.makedirs(home, exist_ok=True)
        env = dict(os.environ)
        env.update({
            "DISPLAY": self.xvfb.display,
            "GDK_BACKEND": "x11",
            "GTK_A11Y": "none",
            "GSETTINGS_BACKEND": "memory",
            "DBUS_SESSION_BUS_ADDRESS": self.bus.address,
            "DBUS_SYSTEM_BUS_ADDRESS": self.bus.address,
            "XDG_CONFIG_HOME": os.path.join(home, "config"),
            "XDG_CACHE_HOME": os.path.join(home, "cache"),
            "XDG_DATA_HOME": os.path.join(home, "data"),
            "G_DEBUG": "fatal-criticals",
            "LC_ALL": "C.UTF-8",
            # GL under Xvfb (llvmpipe) shows the previous frame to `import`;
            # the cairo renderer makes every screenshot current
            "GSK_RENDERER": "cairo",
        })
        env.pop("WAYLAND_DISPLAY", None)
        # TRAFFICD_GTK_WRAPPER="gdb -batch -ex run -ex bt --args" helps debugging
        wrapper = os.environ.get("TRAFFICD_GTK_WRAPPER", "").split()
        app = harness.ManagedProcess("trafficd-gtk", wrapper + [APP] + list(self.app_args) + ["--test-hooks"],
                                     os.path.join(self.workdir, "trafficd-gtk.log"), env=env)
        self.addCleanup(self.stop_app, app)
        deadline = time.monotonic() + 30
        while True:
            self.assertTrue(app.alive(), "the app exited with %s:\n%s" % (app.poll(), app.read_log()))
            try:
                self.state()
                break
            except GLib.Error:
                if time.monotonic() > deadline:
                    self.fail("the app did not show its window within 30 s:\n" + app.read_log())
                time.sleep(0.1)
        return app

    def stop_app(self, app):
        status, killed = app.stop(signal.SIGTERM, timeout=10)
        if self._failed():
            sys.stderr.write("\n----- app log -----\n%s\n----- end of app log -----\n" % app.read_log())

    # -- the hook --

    def hook(self, method, params=None, reply=None):
        r = self.conn.call_sync(APP_NAME, HOOK_PATH, HOOK_IFACE, method, params,
                                GLib.VariantType(reply) if reply else None, Gio.DBusCallFlags.NONE, 10000, None)
        return r.unpack() if r is not None else None

    def state(self):
        return self.hook("GetState", None, "(a{sv})")[0]

    def set_field(self, name, value):
        self.hook("SetField", GLib.Variant("(ss)", (name, str(value))))

    def activate(self, name, param=None):
        params = [param] if param is not None else []
        self.hook("ActivateAction", GLib.Variant("(sav)", (name, params)))

    def show(self, page):
        self.activate("show-page", GLib.Variant("s", page))
        self.wait_app(lambda s: s["page"] == page, 5, "page " + page)

    def wait_app(self, predicate, timeout, what):
        last = {}

        def check():
            self.assertTrue(self.app.alive(), "the app died (%s):\n%s" % (self.app.poll(), self.app.read_log()))
            last["s"] = self.state()
            return predicate(last["s"])

        ok = self.iterate_until(check, timeout, what, raise_on_timeout=False)
        if not ok:
            self.fail("timed out waiting for %s; app state: %r\napp log:\n%s"
                      % (what, last.get("s"), self.app.read_log()))
        return last["s"]

    # -- screenshots --

    def screenshot(self, name):
        """Takes a screenshot of the X screen into ARTEFACTS/NAME.png and
        checks it is not blank (grey-level standard deviation)."""
        self.iterate(0.6)   # let the frame clock draw
        path = os.path.join(ARTEFACTS, name + ".png")
        subprocess.run(["import", "-display", self.xvfb.display, "-window", "root", path],
                       check=True, timeout=30, stdin=subprocess.DEVNULL)
        out = subprocess.run(["convert", path, "-colorspace", "Gray", "-format", "%[fx:standard_deviation]", "info:"],
                             check=True, timeout=30, capture_output=True, text=True)
        deviation = float(out.stdout.strip())
        self.assertGreater(deviation, 0.03, "screenshot %s looks blank (standard deviation %.4f)" % (path, deviation))
        return path

    def image_stats(self, path):
        """(grey-level standard deviation, number of distinct colours) of an image."""
        out = subprocess.run(["convert", path, "-format", "%[fx:standard_deviation] %k", "info:"],
                             check=True, timeout=30, capture_output=True, text=True)
        deviation, colours = out.stdout.split()
        return float(deviation), int(colours)

    def export(self, kind, path):
        if os.path.exists(path):
            os.unlink(path)
        self.hook("Export", GLib.Variant("(ss)", (kind, path)))

    def resize(self, width, height):
        """Resizes the window; returns its width once the size settled."""
        self.hook("Resize", GLib.Variant("(ii)", (width, height)))
        widths = []

        def settled(s):
            widths.append(s["window_width"])
            return len(widths) >= 10 and len(set(widths[-10:])) == 1 and widths[-1] != 0

        return self.wait_app(settled, 10, "the window's size to settle")["window_width"]

    def fill_new_test(self, **fields):
        self.show("new")
        for name, value in fields.items():
            self.set_field(name.replace("_", "-"), value)


class TestApp(AppTestCase):

    def test_run_watch_and_survive_restart(self):
        # the New Test page, filled in as a person would
        self.fill_new_test(host="127.0.0.1", port=self.iperf.port, protocol="tcp", streams=2,
                           duration=4, direction="both", label="xvfb")
        self.screenshot("01-new-test")

        # Start: the app switches to the live view and the graph gets points
        self.activate("start-test")
        st = self.wait_app(lambda s: s.get("live_points", 0) >= 4 and s.get("live_state") == "running", 30,
                             "the live graph to receive points")
        test_id = st["live_test_id"]
        self.assertEqual(st["page"], "live")
        self.assertFalse(st["graph_paused"])
        frames = st["graph_frames"]
        self.screenshot("02-live-running")
        st = self.wait_app(lambda s: s.get("live_ended"), 40, "the test to end")
        self.assertEqual(st["live_state"], "finished", st)
        self.assertGreater(st["graph_frames"], frames, "the graph was not redrawn while points arrived")
        self.assertGreaterEqual(st["live_intervals"], 6, st)   # 2 directions x >= 3 intervals
        self.assertGreater(st["live_log_lines"], 0)
        self.screenshot("03-live-finished")

        # exports of the live test
        for kind in ("csv", "png", "svg"):
            path = os.path.join(ARTEFACTS, "export-live." + kind)
            self.hook("Export", GLib.Variant("(ss)", (kind, path)))
            self.assertGreater(os.path.getsize(path), 100, path)
        with open(os.path.join(ARTEFACTS, "export-live.csv")) as f:
            lines = f.read().splitlines()
        self.assertTrue(lines[0].startswith("test_id,direction,"), lines[0])
        self.assertIn("bits_per_second", lines[0])
        self.assertGreaterEqual(len(lines), 7)

        # the Tests list shows it, and a test started by someone else (the CLI, here the bus)
        other = self.start_test(host="127.0.0.1", port=self.iperf.port, duration=1, label="other caller")
        self.wait_ended(other, 30)
        other_id = int(other.rsplit("/", 1)[1])
        self.show("tests")
        st = self.wait_app(lambda s: test_id in s["tests"] and other_id in s["tests"], 10,
                             "the tests in the Tests list")
        self.screenshot("04-tests")

        # Servers: one started through the service shows up
        server_port = next((p for p in PORTS if p != self.iperf.port and port_free(p)), None)
        self.assertIsNotNone(server_port, "no second free port in 5850-5899")
        self.call(harness.MANAGER_PATH, harness.MANAGER_IFACE, "StartServer",
                  GLib.Variant("(a{sv})", ({"port": GLib.Variant("u", server_port)},)), "(o)")
        self.show("servers")
        self.wait_app(lambda s: s["servers"] >= 1, 10, "a server row")
        self.iterate(1.0)
        self.screenshot("05-servers")

        # Interfaces and History: real data, or a clear "not available"
        self.show("interfaces")
        self.screenshot("06-interfaces")
        self.show("history")
        st = self.state()
        if st["history_available"]:
            st = self.wait_app(lambda s: test_id in s["history_ids"], 20, "the test in the History list")
        self.screenshot("07-history")
        if st["history_available"]:
            path = os.path.join(ARTEFACTS, "export-history.png")
            self.hook("Export", GLib.Variant("(ss)", ("png", path)))
            self.assertGreater(os.path.getsize(path), 100)

        # the service goes away: a banner; it comes back: the app reconnects
        old = self.service
        self.expected_dead_services.add(old)
        old.stop(signal.SIGTERM)
        self.show("live")
        st = self.wait_app(lambda s: s["banner_visible"] and not s["service_available"], 15, "the banner")
        self.screenshot("08-service-gone")
        # the same state directory: the history (and its test ids) carry on
        self.service = harness.Service(self.workdir, self.bus, tag=self.tag, name=old.name)
        self.services.append(self.service)
        self.service.wait_for_name(self.conn)
        st = self.wait_app(lambda s: s["service_available"] and not s["banner_visible"]
                             and s["service_generation"] >= 2, 20, "the app to reconnect")

        # and works again: a second test from the New Test page
        self.fill_new_test(duration=2, direction="forward", streams=1)
        self.activate("start-test")
        st = self.wait_app(lambda s: s.get("live_test_id", 0) != test_id and s.get("live_ended"), 40,
                             "a test after the restart")
        self.assertEqual(st["live_state"], "finished", st)
        self.assertGreater(st["live_points"], 0)
        self.screenshot("09-after-restart")

        # narrow: the app at 360 px wide
        self.hook("Resize", GLib.Variant("(ii)", (360, 720)))
        self.iterate(1.0)
        self.screenshot("10-live-narrow")
        self.show("new")
        self.screenshot("11-new-test-narrow")
        self.assertTrue(self.app.alive())

    def test_interfaces_live_and_history(self):
        """The Interfaces page: loopback (marked, not in the total) and every
        other interface of the service, rates that follow a loopback test,
        live graphs, the history view (1 h / 24 h / 30 d) with points and the
        peak, and the page at 360 px."""
        names = {v["org.trafficd.Traffic1.Interface"]["Name"]
                 for p, v in self.managed_objects(interfaces=True).items()
                 if "org.trafficd.Traffic1.Interface" in v}
        self.assertIn("lo", names)
        self.show("interfaces")
        st = self.wait_app(lambda s: set(s["interfaces"]["rows"]) == names
                           and all(r["samples"] >= 2 for r in s["interfaces"]["rows"].values())
                           and s["interfaces"]["total"]["samples"] >= 2, 20,
                           "a card with samples for every interface")
        ifs = st["interfaces"]
        self.assertTrue(st["interfaces_available"])
        self.assertEqual(ifs["view"], "list")
        lo = ifs["rows"]["lo"]
        self.assertTrue(lo["loopback"] and lo["loopback_marked"], lo)
        self.assertFalse(lo["counted"], "loopback is not part of the service's total")
        self.assertEqual(ifs["total"]["interfaces"], len(names) - 1, ifs["total"])
        for name, row in ifs["rows"].items():
            self.assertGreater(row["points"], 0, name)
            if name != "lo":
                self.assertFalse(row["loopback_marked"], name)
                self.assertTrue(row["counted"], name)
            # utilisation is shown exactly when the link speed is known
            self.assertEqual(row["utilisation_shown"], row["link_speed"] > 0 and row["utilisation"] >= 0, row)
        frames = lo["graph_frames"]
        self.screenshot("20-interfaces-idle")

        # traffic on loopback (several Gbit/s): its card shows it, the total
        # (without loopback) does not. Other programs on this machine may use
        # loopback too, so nothing here expects it idle before or after.
        path = self.start_test(host="127.0.0.1", port=self.iperf.port, duration=4, label="loopback load")
        st = self.wait_app(lambda s: s["interfaces"]["rows"]["lo"]["rx"] > 100e6, 20,
                           "the loopback receive rate to rise during a test")
        busy = st["interfaces"]["rows"]["lo"]
        self.assertGreater(busy["tx"], 100e6, busy)
        self.assertLess(st["interfaces"]["total"]["rx"], busy["rx"] / 2, "the total counts loopback")
        self.assertIn("Receive", busy["rates"])
        self.assertIn("Mbit/s" if busy["rx"] < 1e9 else "Gbit/s", busy["rates"])
        self.screenshot("21-interfaces-busy")
        self.wait_ended(path, 30)
        st = self.wait_app(lambda s: s["interfaces"]["rows"]["lo"]["samples"] >= busy["samples"] + 2, 15,
                           "samples after the test")
        self.assertGreater(st["interfaces"]["rows"]["lo"]["graph_frames"], frames, "the live graph was not redrawn")
        self.assertGreater(st["interfaces"]["rows"]["lo"]["points"], lo["points"])

        # the history of loopback: 1 h by default, with the test's peak
        self.activate("interface-history", GLib.Variant("s", "lo"))
        st = self.wait_app(lambda s: s["interfaces"]["view"] == "history"
                           and s["interfaces"]["history"]["name"] == "lo"
                           and s["interfaces"]["history"]["loads"] >= 1
                           and not s["interfaces"]["history"]["loading"], 15, "the history of lo")
        h = st["interfaces"]["history"]
        self.assertEqual(h["range"], "1h")
        self.assertEqual(h["error"], "", h)
        self.assertGreater(h["points"], 0, h)
        self.assertEqual(h["series"], 3, "average, 95th percentile and peak")
        self.assertGreater(h["peak_rx"], 50e6, h)
        self.assertLess(abs(h["peak_rx_time_us"] / 1e6 - time.time()), 300, h)
        self.assertTrue(h["peak_rx_text"].startswith("Peak "), h)
        self.screenshot("22-interface-history")

        # the switch: 24 h, then 1 h again, each a new GetHistory
        loads = h["loads"]
        self.activate("interface-range", GLib.Variant("s", "24h"))
        st = self.wait_app(lambda s: s["interfaces"]["history"]["loads"] > loads
                           and not s["interfaces"]["history"]["loading"], 15, "the 24 h history")
        h = st["interfaces"]["history"]
        self.assertEqual((h["range"], h["error"]), ("24h", ""), h)
        self.assertGreater(h["peak_rx"], 50e6, h)
        loads = h["loads"]
        self.activate("interface-range", GLib.Variant("s", "1h"))
        st = self.wait_app(lambda s: s["interfaces"]["history"]["loads"] > loads
                           and not s["interfaces"]["history"]["loading"], 15, "the 1 h history again")
        h = st["interfaces"]["history"]
        self.assertEqual((h["range"], h["error"]), ("1h", ""), h)
        self.assertGreater(h["points"], 0, h)
        self.assertGreater(h["plot_points"], 0, h)

        # narrow: 360 px, and no widget asks for more (the window would grow);
        # the window's frame (shadows) takes a few pixels, measured at 600 px
        frame = 600 - self.resize(600, 720)
        self.assertEqual(self.resize(360, 720), 360 - frame)
        self.screenshot("23-interface-history-narrow")
        self.activate("interfaces-back")
        self.wait_app(lambda s: s["interfaces"]["view"] == "list", 5, "the list again")
        self.assertEqual(self.resize(360, 720), 360 - frame)
        self.screenshot("24-interfaces-narrow")

    def test_history_compare_and_export(self):
        """History: two finished tests ticked and compared are overlaid on the
        same axes (two series); the graph exports as PNG (not blank) and SVG
        (well-formed), the listed tests as CSV (header and rows)."""
        ids = []
        for label in ("compare one", "compare two"):
            path = self.start_test(host="127.0.0.1", port=self.iperf.port, duration=2, label=label)
            self.assertEqual(self.wait_ended(path, 30), "finished")
            ids.append(int(path.rsplit("/", 1)[1]))
        self.show("history")
        st = self.wait_app(lambda s: s["history_available"] and all(i in s["history_ids"] for i in ids), 20,
                           "both tests in the History list")
        self.assertFalse(st["history"]["compare_enabled"])
        self.set_field("history-check-%d" % ids[0], "true")
        self.assertFalse(self.state()["history"]["compare_enabled"], "Compare needs two tests")
        self.set_field("history-check-%d" % ids[1], "true")
        st = self.state()
        self.assertTrue(st["history"]["compare_enabled"], st["history"])
        self.assertEqual(sorted(st["history"]["checked"]), sorted(ids))
        self.activate("history-compare")
        st = self.wait_app(lambda s: s["history"]["opened"] == 2 and s["history"]["loading"] == 0
                           and s["history"]["series"] >= 2, 20, "the two tests overlaid")
        h = st["history"]
        self.assertEqual(h["series"], 2, h)          # forward only, one series per test
        for test_id in ids:
            self.assertEqual(sum(1 for label in h["series_labels"] if label.startswith("#%d " % test_id)), 1, h)
            self.assertIn(str(test_id), h["title"])
        self.assertGreaterEqual(h["points"], 4, h)
        self.screenshot("30-history-compare")

        png = os.path.join(ARTEFACTS, "export-compare.png")
        self.export("png", png)
        deviation, colours = self.image_stats(png)
        self.assertGreater(colours, 8, "the exported PNG has %d colours" % colours)
        self.assertGreater(deviation, 0.01, "the exported PNG looks blank")

        svg = os.path.join(ARTEFACTS, "export-compare.svg")
        self.export("svg", svg)
        root = ElementTree.parse(svg).getroot()
        self.assertTrue(root.tag.endswith("svg"), root.tag)
        self.assertGreater(len(list(root.iter())), 10)

        # CSV: written by the service into the file, asynchronously; a toast says so
        out = os.path.join(ARTEFACTS, "export-compare.csv")
        self.export("csv", out)
        self.wait_app(lambda s: out in s["last_message"], 15, "the CSV export to finish")
        with open(out, newline="") as f:
            rows = list(csv.reader(f))
        self.assertGreaterEqual(len(rows), 3, rows)
        header = rows[0]
        self.assertIn("id", header)
        self.assertTrue(all(len(r) == len(header) for r in rows[1:]), rows)
        listed = {int(r[header.index("id")]) for r in rows[1:]}
        self.assertTrue(set(ids) <= listed, (ids, listed))


def have_dbusmock():
    try:
        import dbusmock  # noqa: F401
    except ImportError:
        return False
    return True


class TestAccessDenied(AppTestCase):
    """trafficd in system-bus mode asks polkit (python-dbusmock's polkitd
    template, allowing nothing); the app, on that bus, starts a test: the
    message names the D-Bus method and the polkit action that are missing."""

    start_service_in_setup = False
    app_args = ()

    def setup_service(self):
        harness.require(self, have_dbusmock(), "python3-dbusmock is not installed")
        config = os.path.join(self.workdir, "trafficd.conf")
        with open(config, "w") as f:
            f.write("[Limits]\n")
        self.bus = harness.Bus(self.workdir)
        self.buses.append(self.bus)
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.bus.address)
        mock = harness.ManagedProcess("polkitd-mock",
                                      ["/usr/bin/python3", "-m", "dbusmock", "--system", "-t", "polkitd"],
                                      os.path.join(self.workdir, "polkitd-mock.log"), env=env)
        self.servers.append(mock)   # stopped with the iperf servers
        conn = self.bus.connect()
        self.connections.append(conn)
        ok = harness.wait_until(
            lambda: not mock.alive() or conn.call_sync(
                "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameHasOwner",
                GLib.Variant("(s)", ("org.freedesktop.PolicyKit1",)), GLib.VariantType("(b)"),
                Gio.DBusCallFlags.NONE, 5000, None).unpack()[0], 15)
        self.assertTrue(ok and mock.alive(), "dbusmock's polkitd did not start:\n" + mock.read_log())
        _, self.service, self.conn, self.events = self.start_stack(["--config", config], bus=self.bus, system=True)

    def test_start_denied_names_the_right(self):
        self.fill_new_test(host="127.0.0.1", port=self.iperf.port, duration=2)
        self.activate("start-test")
        st = self.wait_app(lambda s: "org.trafficd.traffic.run-test" in s["last_message"], 20,
                           "the refusal to be shown")
        self.assertIn("org.trafficd.Traffic1.Manager.StartTest", st["last_message"])
        self.assertIn("may not", st["last_message"])
        self.assertEqual(self.list_tests(), [])
        self.assertNotIn("live_test_id", st)
        self.screenshot("40-access-denied")


if __name__ == "__main__":
    unittest.main()
