"""Shaped links: the service measures what the network really allows.

Needs root, ip and tc (with the tbf qdisc), and iperf3. Three network
namespaces with a random suffix: trtc-X (client), trtr-X (router) and trts-X
(server), joined by two veth pairs that carry 10.200.N.0/24 (client side) and
10.200.M.0/24 (server side) addresses, which exist only inside them. The
router shapes what it sends each way with `tbf rate 50mbit burst 64kb latency
50ms`, so forward and reverse are both limited to 50 Mbit/s.

Why a router and not a qdisc on the client's own veth: a qdisc on the sending
host pushes back on the sending socket (its queue counts against the socket's
send buffer), so an 80 Mbit/s UDP sender is merely slowed to 50 Mbit/s and
nothing is lost. Shaping in a forwarding hop drops the excess, as a real
bottleneck link does.

iperf3 -s runs in the server namespace; the private bus and trafficd (hence
its runners) run in the client namespace. The namespaces are deleted in the
cleanup, even on failure.

Run: cd tests/integration && sudo /usr/bin/python3 -m unittest -v test_netns
"""

import os
import random
import signal
import subprocess
import sys
import time
import unittest

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (  # noqa: E402
    ServiceTestCase, log, random_suffix, require, require_binary, require_root,
)

RATE = 50e6          # what tbf lets through, bits/s
PORT = 5201


def sh(*argv, check=True):
    proc = subprocess.run(list(argv), capture_output=True, text=True, timeout=30)
    if check and proc.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(argv), proc.returncode, proc.stderr.strip()))
    return proc


class NetnsTestCase(ServiceTestCase):
    """The three namespaces, the shaped links, iperf3 -s in the server
    namespace, bus and trafficd in the client one (test_reliability.py
    reuses it). self.client_dev is the client's end of its veth pair."""
    start_service_in_setup = False

    def setUp(self):
        self.namespaces = []
        self.root_links = []
        # registered before the harness's own cleanups, so it runs after
        # them: processes are stopped first, then the namespaces go
        self.addCleanup(self._delete_namespaces)
        super().setUp()
        require_root(self, "test_netns")
        require_binary(self, "ip")
        require_binary(self, "tc")
        self._create_link()
        self.server = self.start_iperf_server(address=self.server_addr, port=PORT, netns=self.server_ns)
        self.bus, self.service, self.conn, self.events = self.start_stack(
            netns=self.client_ns, bus_address="unix:dir=" + self.workdir)

    def _create_link(self):
        suffix = random_suffix()
        self.client_ns, self.router_ns, self.server_ns = ("trt%s-%s" % (c, suffix) for c in "crs")
        n = random.randint(1, 253)
        client_net, server_net = "10.200.%d" % n, "10.200.%d" % (n + 1)
        self.client_addr, self.server_addr = client_net + ".1", server_net + ".1"
        for ns in (self.client_ns, self.router_ns, self.server_ns):
            sh("ip", "netns", "add", ns)
            self.namespaces.append(ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "netns", "exec", self.router_ns, "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward")
        # (namespace, its interface, its address, the router's interface, the router's address)
        sides = [(self.client_ns, "trtc" + suffix, self.client_addr, "trtrc" + suffix, client_net + ".254"),
                 (self.server_ns, "trts" + suffix, self.server_addr, "trtrs" + suffix, server_net + ".254")]
        for ns, dev, addr, rdev, raddr in sides:
            self.root_links.append(dev)
            sh("ip", "link", "add", dev, "type", "veth", "peer", "name", rdev)
            sh("ip", "link", "set", dev, "netns", ns)
            sh("ip", "link", "set", rdev, "netns", self.router_ns)
            self.root_links.remove(dev)
            if ns == self.client_ns:
                self.client_dev = dev
            sh("ip", "-n", ns, "addr", "add", addr + "/24", "dev", dev)
            sh("ip", "-n", ns, "link", "set", dev, "up")
            sh("ip", "-n", ns, "route", "add", "default", "via", raddr)
            sh("ip", "-n", self.router_ns, "addr", "add", raddr + "/24", "dev", rdev)
            sh("ip", "-n", self.router_ns, "link", "set", rdev, "up")
            # the bottleneck: what the router sends toward this side
            tc = sh("ip", "netns", "exec", self.router_ns, "tc", "qdisc", "add", "dev", rdev, "root", "tbf",
                    "rate", "50mbit", "burst", "64kb", "latency", "50ms", check=False)
            require(self, tc.returncode == 0, "tc cannot add a tbf qdisc: " + tc.stderr.strip())

    def _delete_namespaces(self):
        problems = []
        for ns in self.namespaces:
            pids = sh("ip", "netns", "pids", ns, check=False).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            deadline = time.monotonic() + 5
            while sh("ip", "netns", "pids", ns, check=False).stdout.split() and time.monotonic() < deadline:
                time.sleep(0.05)
            if sh("ip", "netns", "del", ns, check=False).returncode != 0:
                problems.append(ns)
        for link in self.root_links:
            sh("ip", "link", "del", link, check=False)
        listed = sh("ip", "netns", "list", check=False).stdout
        left = [ns for ns in self.namespaces if ns in listed]
        self.namespaces = []
        if problems or left:
            self.fail("network namespaces not deleted: %s" % (problems or left))


class NetnsTests(NetnsTestCase):

    def run_shaped(self, **options):
        path, props = self.run_test(timeout=60, host=self.server_addr, port=PORT, **options)
        self.assertEqual(props["State"], "finished", self.describe(path))
        self.assertIs(props["Result"].get("exact"), True)
        return path, props

    def assert_rate(self, measured, what):
        log("%s: %.2f Mbit/s" % (what, measured / 1e6))
        self.assertTrue(abs(measured - RATE) <= 0.1 * RATE,
                        "%s: %.2f Mbit/s through a 50 Mbit/s link (more than 10%% off)" % (what, measured / 1e6))

    def test_tcp_forward_rate(self):
        path, props = self.run_shaped(duration=5, interval=1.0)
        forward = props["Result"]["forward"]
        self.assert_rate(forward["receiver_bits_per_second"], "TCP forward receiver")
        self.assertEqual(props["Result"].get("remote_address"), self.server_addr)
        # the live rate tells the same story once the link is full
        late = [s["bits_per_second"] for _, s in self.events.intervals(path, "forward")][1:]
        self.assertTrue(late and all(0.7 * RATE < r < 1.3 * RATE for r in late), late)

    def test_tcp_reverse_rate(self):
        path, props = self.run_shaped(duration=5, interval=1.0, direction="reverse")
        self.assert_rate(props["Result"]["reverse"]["receiver_bits_per_second"], "TCP reverse receiver")

    def test_udp_below_rate_no_loss(self):
        path, props = self.run_shaped(protocol="udp", bitrate=20_000_000, duration=4, interval=1.0)
        forward = props["Result"]["forward"]
        log("UDP 20 Mbit/s: %.2f%% lost" % forward["lost_percent"])
        self.assertLess(forward["lost_percent"], 1.0, "UDP at 20 Mbit/s through 50 Mbit/s lost: %r" % forward)
        self.assertGreater(forward["packets"], 0)
        self.assertTrue(15e6 < forward["receiver_bits_per_second"] < 25e6, forward)

    def test_udp_above_rate_loses(self):
        path, props = self.run_shaped(protocol="udp", bitrate=80_000_000, duration=4, interval=1.0)
        forward = props["Result"]["forward"]
        log("UDP 80 Mbit/s: %.2f%% lost" % forward["lost_percent"])
        self.assertGreater(forward["lost_percent"], 20.0,
                           "UDP at 80 Mbit/s through 50 Mbit/s reports too little loss: %r" % forward)
        self.assertGreater(forward["lost_packets"], 0)
        self.assertLess(forward["receiver_bits_per_second"], 1.1 * RATE, forward)
        lossy = [s for _, s in self.events.intervals(path, "forward")]
        self.assertTrue(lossy)


if __name__ == "__main__":
    unittest.main(verbosity=2)
