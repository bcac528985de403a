"""Interface monitoring (issue 5) through the real service, kernel source.

Needs root, ip, tc and iperf3. The 3-namespace layout of test_netns.py
(client, router, server; the router shapes with tbf at 50 Mbit/s); the bus
and trafficd run in the client namespace, so the service sees only the
client namespace's interfaces. NetworkManager is kept out (the system bus
address points nowhere), so the inventory comes from the kernel.

  - inventory: dummy devices created, brought up and deleted in the client
    namespace appear, change state and disappear as objects (names that
    are not valid path elements are escaped);
  - rates: the service's tx rate of the client's veth over the steady
    seconds of a TCP test is within 5% of iperf's own figure (MTU 9000,
    so that headers weigh < 1%); the test's interface samples are stored
    with the test; the history returns them;
  - a reverse test's interface samples through History.GetTestInterface:
    the client's veth, its seconds, the rows stored, rx (where the test's
    data arrives) at least iperf's rate over the steady seconds, and
    `trafficctl show ID --samples` with the link's rate (LINK) beside each
    interval, --json too;
  - the interface of a running test deleted: its object goes, the test
    ends at once, stopped, with a reason naming the interface.

Run: cd tests/integration && sudo /usr/bin/python3 -m unittest -v test_interfaces
"""

import json
import os
import re
import sqlite3
import sys
import time
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gi.repository import GLib  # noqa: E402

from harness import (  # noqa: E402
    IFACES_PATH, MANAGER_PATH, ServiceTestCase, log, require_binary, require_root, wait_until,
)
import test_netns  # noqa: E402
from test_netns import sh  # noqa: E402

IFACES_IFACE = "org.trafficd.Traffic1.Interfaces"
IFACE_IFACE = "org.trafficd.Traffic1.Interface"
HISTORY_IFACE = "org.trafficd.Traffic1.History"
PORT = 6011
UNITS = {"bit/s": 1, "Kbit/s": 1e3, "Mbit/s": 1e6, "Gbit/s": 1e9}


def parse_rate(text):
    """bits/s of trafficctl's "49.80 Mbit/s"."""
    number, unit = text.split()
    return float(number) * UNITS[unit]


def path_for(name):
    return IFACES_PATH + "/" + "".join(c if c.isalnum() and c.isascii() else "_%02x" % ord(c) for c in name)


class InterfaceTests(ServiceTestCase):
    start_service_in_setup = False
    _create_link = test_netns.NetnsTests._create_link
    _delete_namespaces = test_netns.NetnsTests._delete_namespaces

    def setUp(self):
        self.namespaces = []
        self.root_links = []
        self.addCleanup(self._delete_namespaces)
        super().setUp()
        require_root(self, "test_interfaces")
        require_binary(self, "ip")
        require_binary(self, "tc")
        self._create_link()
        self.suffix = self.client_ns.split("-", 1)[1]
        self.client_dev = "trtc" + self.suffix
        # jumbo frames end to end: headers < 1% of what the link carries
        for ns, dev in ((self.client_ns, self.client_dev), (self.router_ns, "trtrc" + self.suffix),
                        (self.router_ns, "trtrs" + self.suffix), (self.server_ns, "trts" + self.suffix)):
            sh("ip", "-n", ns, "link", "set", dev, "mtu", "9000")
        self.server = self.start_iperf_server(address=self.server_addr, port=PORT, netns=self.server_ns)
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS="unix:path=/nonexistent/trafficd-test")
        self.bus, self.service, self.conn, self.events = self.start_stack(
            netns=self.client_ns, bus_address="unix:dir=" + self.workdir, env=env)
        self.samples = []   # (monotonic time, timestamp_us, {path: sample})
        self.sub = self.conn.signal_subscribe(None, IFACES_IFACE, "Sampled", MANAGER_PATH, None, 0, self._on_sampled)
        self.addCleanup(self.conn.signal_unsubscribe, self.sub)

    def _on_sampled(self, conn, sender, path, iface, name, params, *user_data):
        ts, seconds, total, ifaces = params.unpack()
        self.samples.append((time.monotonic(), ts, seconds, total, ifaces))

    def interfaces(self):
        return {p: v[IFACE_IFACE] for p, v in self.managed_objects(interfaces=True).items()
                if p.startswith(IFACES_PATH + "/")}

    def wait_objects(self, predicate, what, timeout=5):
        self.iterate_until(lambda: predicate(self.interfaces()), timeout, what)

    # ------------------------------------------------------------------

    def test_kernel_inventory(self):
        objects = self.interfaces()
        client = objects[path_for(self.client_dev)]
        self.assertEqual(client["Name"], self.client_dev)
        self.assertEqual(client["Type"], "veth")
        self.assertEqual(client["State"], "up")
        self.assertEqual(client["Source"], "kernel")
        self.assertEqual(client["Mtu"], 9000)
        self.assertIn(self.client_addr + "/24", client["Addresses"])
        self.assertRegex(client["Mac"], r"^([0-9a-f]{2}:){5}[0-9a-f]{2}$")
        self.assertEqual(objects[path_for("lo")]["Type"], "loopback")
        self.assertEqual(self.get_property(MANAGER_PATH, "Source", iface=IFACES_IFACE), "kernel")
        self.assertEqual(len(objects), 2, sorted(objects))   # lo and the veth: this namespace only

        # a dummy device (a veth pair where the kernel has no dummy driver)
        # with a name that is not a path element
        dummy, peer = "trd-" + self.suffix[:6], "trp-" + self.suffix[:6]
        kind = "dummy"
        if sh("ip", "-n", self.client_ns, "link", "add", dummy, "type", "dummy", check=False).returncode != 0:
            kind = "veth"
            sh("ip", "-n", self.client_ns, "link", "add", dummy, "type", "veth", "peer", "name", peer)
            sh("ip", "-n", self.client_ns, "link", "set", peer, "up")
        self.wait_objects(lambda o: path_for(dummy) in o, "the %s device appears" % kind)
        props = self.interfaces()[path_for(dummy)]
        self.assertEqual(props["Type"], kind)
        self.assertEqual(props["State"], "down")
        self.assertIn("_2d", path_for(dummy))
        sh("ip", "-n", self.client_ns, "link", "set", dummy, "up")
        self.wait_objects(lambda o: o.get(path_for(dummy), {}).get("State") != "down", "the dummy goes up")
        sh("ip", "-n", self.client_ns, "addr", "add", "192.0.2.77/32", "dev", dummy)
        self.wait_objects(lambda o: "192.0.2.77/32" in o.get(path_for(dummy), {}).get("Addresses", []),
                          "its address shows")
        sh("ip", "-n", self.client_ns, "link", "del", dummy)   # a veth's peer goes with it
        self.wait_objects(lambda o: path_for(dummy) not in o and path_for(peer) not in o,
                          "the %s device disappears" % kind)

        # the listing carries the same, and the batched signal every interface at once
        listed = self.call(MANAGER_PATH, IFACES_IFACE, "ListInterfaces", None, "(aa{sv})")[0]
        self.assertEqual(sorted(i["name"] for i in listed), sorted(["lo", self.client_dev]))
        self.iterate_until(lambda: len(self.samples) >= 2, 5, "Sampled signals")
        ts, seconds, total, ifaces = self.samples[-1][1:]
        self.assertEqual(set(ifaces), {path_for("lo"), path_for(self.client_dev)})
        self.assertEqual(total["interfaces"], 1)   # loopback left out
        self.assertTrue(0.5 < seconds < 2, seconds)

    def test_rate_matches_iperf(self):
        path = self.start_test(host=self.server_addr, port=PORT, duration=8, interval=1.0)
        self.wait_ended(path, 60)
        props = self.properties(path)
        self.assertEqual(props["State"], "finished", self.describe(path))
        intervals = [s for _, s in self.events.intervals(path, "forward")]
        self.assertGreaterEqual(len(intervals), 8, intervals)
        # the steady seconds: 2 to 7 of iperf's own intervals
        steady = [s for s in intervals if s["start"] >= 2 - 0.01 and s["end"] <= 7 + 0.01]
        iperf_rate = sum(s["bytes"] for s in steady) * 8 / sum(s["end"] - s["start"] for s in steady)
        start_us = min(s["timestamp"] for s in steady) - 1_000_000   # timestamp: the interval's end
        end_us = max(s["timestamp"] for s in steady)
        mine = [(seconds, ifaces[path_for(self.client_dev)]["tx_bits_per_second"])
                for _, ts, seconds, _, ifaces in self.samples
                if start_us + 500_000 <= ts <= end_us + 200_000 and path_for(self.client_dev) in ifaces]
        self.assertGreaterEqual(len(mine), 3, mine)
        service_rate = sum(s * r for s, r in mine) / sum(s for s, _ in mine)
        log("iperf %.2f Mbit/s, service %.2f Mbit/s over the same seconds" % (iperf_rate / 1e6, service_rate / 1e6))
        self.assertLess(abs(service_rate - iperf_rate), 0.05 * iperf_rate,
                        "service %.2f vs iperf %.2f Mbit/s" % (service_rate / 1e6, iperf_rate / 1e6))
        self.assertTrue(40e6 < iperf_rate < 55e6, iperf_rate)

        # stored with the test (one timeline), and in the interface history
        test_id = props["Id"]
        db = self.get_property(MANAGER_PATH, "DatabasePath", iface="org.trafficd.Traffic1.History")
        self.iterate(1.5)
        with sqlite3.connect("file:%s?mode=ro" % db, uri=True) as c:
            rows = c.execute("SELECT interface, tx_bits_per_second FROM iface_test_samples WHERE test_id = ?",
                             (test_id,)).fetchall()
        self.assertGreaterEqual(len(rows), 5, rows)
        self.assertEqual({r[0] for r in rows}, {self.client_dev})
        self.assertTrue(max(r[1] for r in rows) > 30e6, rows)
        now_us = int(time.time() * 1e6)
        resolution, points = self.call(MANAGER_PATH, IFACES_IFACE, "GetHistory",
                                       GLib.Variant("(sttu)", (self.client_dev, now_us - 120_000_000, 0, 10)),
                                       "(ua(tdudddddddd))")
        self.assertEqual(resolution, 1)
        self.assertTrue(0 < len(points) <= 10, points)
        self.assertTrue(max(p[9] for p in points) > 30e6, points)   # tx max

    def test_interface_samples_of_a_test(self):
        duration = 6
        path = self.start_test(host=self.server_addr, port=PORT, duration=duration, interval=1.0,
                               direction="reverse")
        self.wait_ended(path, 60)
        props = self.properties(path)
        self.assertEqual(props["State"], "finished", self.describe(path))
        test_id = props["Id"]
        intervals = [s for _, s in self.events.intervals(path, "reverse")]
        steady = [s for s in intervals if s["start"] >= 2 - 0.01 and s["end"] <= duration - 1 + 0.01]
        self.assertGreaterEqual(len(steady), 3, intervals)
        iperf_rate = sum(s["bytes"] for s in steady) * 8 / sum(s["end"] - s["start"] for s in steady)
        # each interval's span in real time (timestamp: its end, µs)
        spans = [(s["timestamp"] - int((s["end"] - s["start"]) * 1e6), s["timestamp"]) for s in steady]

        def read():
            return self.call(MANAGER_PATH, HISTORY_IFACE, "GetTestInterface", GLib.Variant("(u)", (test_id,)),
                             "(sa(tdddtt))")

        # the last tick of the test may still be on its way to the database
        self.iterate_until(lambda: read()[1] and read()[1][-1][0] >= props["EndTime"] - 1_100_000, 5,
                           "the test's last interface sample")
        name, samples = read()
        self.assertEqual(name, self.client_dev)
        log("test %d: %d samples of %s, iperf %.2f Mbit/s" % (test_id, len(samples), name, iperf_rate / 1e6))
        # the test's seconds: from its start (connect) to its end, one per tick
        stamps = [s[0] for s in samples]
        self.assertEqual(stamps, sorted(stamps))
        self.assertGreaterEqual(stamps[0], props["StartTime"], (stamps, props["StartTime"]))
        self.assertLessEqual(stamps[-1], props["EndTime"] + 1_100_000, (stamps, props["EndTime"]))
        self.assertGreaterEqual(len(samples), duration - 1, samples)
        self.assertGreaterEqual(sum(s[1] for s in samples), duration - 1.5, samples)
        for ts, seconds, rx, tx, rx_bytes, tx_bytes in samples:
            self.assertTrue(0.5 < seconds < 2, samples)
            # (the rate's own time base is the counters' read, a few µs off the tick's)
            self.assertAlmostEqual(rx, rx_bytes * 8 / seconds, delta=max(1.0, rx * 0.005))
        # the link over the steady seconds: the test's data arrives (rx) at
        # least at iperf's rate, less than 5% more (headers, MTU 9000)
        rx_rate = sum(r for _, _, r, *_ in samples) / len(samples)
        covered = [(seconds, rx) for ts, seconds, rx, *_ in samples
                   if spans[0][0] + 500_000 <= ts <= spans[-1][1] + 500_000]
        link_rate = sum(sec * r for sec, r in covered) / sum(sec for sec, _ in covered)
        log("link rx %.2f Mbit/s over the steady seconds (%.2f over the test)" % (link_rate / 1e6, rx_rate / 1e6))
        self.assertGreaterEqual(link_rate, 0.97 * iperf_rate, (link_rate, iperf_rate, covered))
        self.assertLess(link_rate, 1.08 * iperf_rate, (link_rate, iperf_rate, covered))
        self.assertLess(max(s[3] for s in samples), 0.2 * iperf_rate, samples)   # tx: only ACKs

        # what the database holds, unchanged
        db = self.get_property(MANAGER_PATH, "DatabasePath", iface=HISTORY_IFACE)
        with sqlite3.connect("file:%s?mode=ro" % db, uri=True) as c:
            rows = c.execute("SELECT timestamp_us, seconds, rx_bits_per_second, tx_bits_per_second, rx_bytes,"
                             " tx_bytes FROM iface_test_samples WHERE test_id = ? ORDER BY timestamp_us",
                             (test_id,)).fetchall()
        self.assertEqual([tuple(r) for r in rows][:len(samples)], [tuple(s) for s in samples])
        with self.assertRaises(GLib.Error) as caught:
            self.call(MANAGER_PATH, HISTORY_IFACE, "GetTestInterface", GLib.Variant("(u)", (test_id + 1000,)),
                      "(sa(tdddtt))")
        self.assertIn("NotFound", str(caught.exception))

        # trafficctl: the link's rate beside each interval
        out = self.trafficctl("show", test_id, "--samples", "--max-points", "0")
        self.assertEqual(out.returncode, 0, out.stderr)
        log("trafficctl show %d --samples --max-points 0:\n%s" % (test_id, out.stdout))
        self.assertIn("LINK: %s" % self.client_dev, out.stdout)
        lines = out.stdout.splitlines()
        header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("STREAM"))
        self.assertTrue(lines[header].rstrip().endswith("LINK"), lines[header])
        checked = 0
        for line in lines[header + 1:]:
            m = re.match(r"\s*all\s+(\d+\.\d+)-(\d+\.\d+) s\s+\S+\s+(\S+ \S+)\s+.*\s(\S+ \S+)$", line)
            if m and float(m.group(1)) >= 2 - 0.01 and float(m.group(2)) <= duration - 1 + 0.01:
                test_rate, on_link = parse_rate(m.group(3)), parse_rate(m.group(4))
                self.assertGreaterEqual(on_link, 0.9 * test_rate, line)
                self.assertLess(on_link, 1.2 * test_rate, line)
                checked += 1
        self.assertGreaterEqual(checked, 3, out.stdout)
        out = self.trafficctl("--json", "show", test_id, "--samples")
        self.assertEqual(out.returncode, 0, out.stderr)
        shown = json.loads(out.stdout)["interface"]
        self.assertEqual(shown["name"], self.client_dev)
        self.assertEqual([s["timestamp_us"] for s in shown["samples"]][:len(samples)], stamps)

    def test_interface_deleted_during_test(self):
        path = self.start_test(host=self.server_addr, port=PORT, duration=30, interval=1.0)
        self.wait_intervals(path, 2, 20)
        sh("ip", "-n", self.client_ns, "link", "del", self.client_dev)
        t0 = time.monotonic()
        self.wait_ended(path, 10)
        props = self.properties(path)
        log("the test ended %.2f s after its interface went: %r" % (time.monotonic() - t0, props["Error"]))
        self.assertEqual(props["State"], "stopped", self.describe(path))
        self.assertIn(self.client_dev, props["Error"][1])
        self.assertIn("removed", props["Error"][1])
        self.assertNotIn(path_for(self.client_dev), self.interfaces())
        # monitoring goes on for what is left
        n = len(self.samples)
        self.iterate_until(lambda: len(self.samples) >= n + 2, 5, "sampling goes on")
        self.assertEqual(set(self.samples[-1][4]), {path_for("lo")})


if __name__ == "__main__":
    unittest.main(verbosity=2)
