"""Client tests through the real service, runner and iperf3 servers on loopback.

Run: cd tests/integration && /usr/bin/python3 -m unittest -v test_client_tests
"""

import os
import sys
import time
import unittest

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (  # noqa: E402
    ERROR_PREFIX, MANAGER_IFACE, MANAGER_PATH, TERMINAL_STATES, TEST_IFACE, GLib,
    ServiceTestCase, free_port, log, remote_error,
)

DURATION = 3
INTERVAL = 0.5


class ResultChecks:
    """Checks shared by the finished-test cases."""

    def check_finished(self, path, props, protocol, directions, parallel, duration=DURATION,
                       interval=INTERVAL):
        why = self.describe(path)
        self.assertEqual(props["State"], "finished", why)
        self.assertEqual(tuple(props["Error"]), ("", ""), why)
        self.assertEqual(props["HelperPid"], 0, "HelperPid must be 0 once the test ended")
        self.assertGreater(props["EndTime"], 0)
        self.assertGreater(props["RunningSince"], 0)
        self.assertLessEqual(props["StartTime"], props["RunningSince"])
        self.assertLessEqual(props["RunningSince"], props["EndTime"])
        self.assertEqual(props["Progress"], 1.0, "Progress must reach 1 for a finished test")

        options = props["Options"]
        self.assertEqual(options["protocol"], protocol)
        self.assertEqual(options["parallel"], parallel)

        # ---- Result
        result = props["Result"]
        self.assertIs(result.get("exact"), True, "a finished test has exact counters: %r" % result)
        self.assertIs(result.get("partial"), False, result)
        self.assertEqual(result.get("protocol"), protocol)
        self.assertEqual(result.get("streams"), parallel)
        self.assertEqual(result.get("iperf_version"), "3.12")
        for name in ("forward", "reverse"):
            if name not in directions:
                self.assertNotIn(name, result, "direction %s did not run: %r" % (name, result))
                continue
            self.assertIn(name, result, "Result lacks %s: %r" % (name, result))
            d = result[name]
            for key in ("sender_bytes", "receiver_bytes", "sender_bits_per_second",
                        "receiver_bits_per_second"):
                self.assertIn(key, d, "%s lacks %s: %r" % (name, key, d))
                self.assertGreater(d[key], 0, "%s.%s must be > 0: %r" % (name, key, d))
            self.assertAlmostEqual(d["seconds"], duration, delta=0.5)
            if protocol == "udp":
                for key in ("packets", "lost_packets", "jitter_ms", "lost_percent"):
                    self.assertIn(key, d, "UDP %s lacks %s: %r" % (name, key, d))
                self.assertGreater(d["packets"], 0)
                self.assertLessEqual(d["lost_packets"], d["packets"])
                self.assertGreaterEqual(d["jitter_ms"], 0)
                self.assertTrue(0 <= d["lost_percent"] <= 100)
            else:
                self.assertIn("retransmits", d)
            # sender and receiver saw about the same amount (loopback)
            self.assertLess(abs(d["sender_bytes"] - d["receiver_bytes"]), 0.2 * d["sender_bytes"], d)

        # ---- Interval signals
        t_end = self.events.state_time(path, TERMINAL_STATES)
        self.assertIsNotNone(t_end, "no PropertiesChanged announced the end of %s" % path)
        expected = round(duration / interval)
        all_intervals = self.events.intervals(path)
        self.assertTrue(all_intervals, "no Interval signal for %s" % path)
        for t, sample in all_intervals:
            self.assertIn(sample["direction"], directions, sample)
            self.assertLessEqual(t, t_end + 0.05, "an Interval arrived after the end was announced")
        for name in directions:
            samples = self.events.intervals(path, name)
            self.assertTrue(expected - 1 <= len(samples) <= expected + 1,
                            "%d %s intervals for a %s s test with interval %s, expected %d +- 1"
                            % (len(samples), name, duration, interval, expected))
            # the first one came during the test, long before its end
            self.assertLess(samples[0][0], t_end - duration / 2,
                            "the first %s Interval arrived %.2f s before the end: not live"
                            % (name, t_end - samples[0][0]))
            ends = [s["end"] for _, s in samples]
            self.assertEqual(ends, sorted(ends), "intervals out of order")
            for _, s in samples:
                self.assertAlmostEqual(s["seconds"], interval, delta=interval * 0.5, msg=s)
                self.assertFalse(s["omitted"])
                self.assertGreater(s["timestamp"], 0)
                self.assertGreaterEqual(s["bits_per_second"], 0)
                if parallel > 1:
                    self.assertIn("streams", s, s)
                    self.assertEqual(len(s["streams"]), parallel, "streams per interval: %r" % s["streams"])
                    for st in s["streams"]:
                        self.assertIn("socket", st)
                        self.assertIn("bytes", st)
            # summed interval bytes agree with the exact counters of the
            # client's side of that direction (intervals are rounded)
            client_sends = name == "forward"
            exact = result[name]["sender_bytes" if client_sends else "receiver_bytes"]
            total = sum(s["bytes"] for _, s in samples)
            self.assertLess(abs(total - exact), 0.15 * exact,
                            "%s: intervals sum to %d bytes, the result says %d" % (name, total, exact))

        # ---- live properties
        progress = [v for _, v in self.events.property_changes(path, "Progress")]
        self.assertTrue(any(0 < v < 1 for v in progress),
                        "Progress never showed a value between 0 and 1 during the test: %r" % progress)
        self.assertEqual(progress, sorted(progress), "Progress went backwards: %r" % progress)
        for name, prop in (("forward", "RateForward"), ("reverse", "RateReverse")):
            rates = [v for _, v in self.events.property_changes(path, prop)]
            if name in directions:
                self.assertTrue(any(v > 0 for v in rates), "%s never > 0: %r" % (prop, rates))
        states = [v for _, v in self.events.property_changes(path, "State")]
        self.assertIn("running", states)
        self.assertEqual(states[-1], "finished")
        self.assertLess(states.index("running"), states.index("finished"))


class ClientTests(ServiceTestCase, ResultChecks):

    def run_and_check(self, protocol, direction, parallel, **extra):
        server = self.start_iperf_server()
        path = self.start_test(host="127.0.0.1", port=server.port, protocol=protocol, direction=direction,
                               parallel=parallel, duration=DURATION, interval=INTERVAL, **extra)
        self.assertTrue(path.startswith(MANAGER_PATH + "/tests/"), path)
        self.wait_ended(path, DURATION + 30)
        props = self.properties(path)
        directions = ("forward", "reverse") if direction == "bidirectional" else (direction,)
        self.check_finished(path, props, protocol, directions, parallel)
        return path, props

    def test_tcp_forward_parallel(self):
        self.run_and_check("tcp", "forward", 2)

    def test_tcp_reverse_parallel(self):
        self.run_and_check("tcp", "reverse", 3)

    def test_tcp_bidirectional_parallel(self):
        self.run_and_check("tcp", "bidirectional", 2)

    def test_udp_forward(self):
        path, props = self.run_and_check("udp", "forward", 1, bitrate=10_000_000)
        self.assertEqual(props["Options"]["bitrate"], 10_000_000)
        rate = props["Result"]["forward"]["receiver_bits_per_second"]
        self.assertTrue(5e6 < rate < 15e6, "UDP at 10 Mbit/s measured %g bit/s" % rate)

    def test_udp_reverse(self):
        path, props = self.run_and_check("udp", "reverse", 2, bitrate=8_000_000)
        rate = props["Result"]["reverse"]["receiver_bits_per_second"]
        # the bitrate is per stream: 2 x 8 Mbit/s
        self.assertTrue(8e6 < rate < 24e6, "UDP reverse 2 x 8 Mbit/s measured %g bit/s" % rate)

    def test_stop_unlimited(self):
        server = self.start_iperf_server()
        path = self.start_test(host="127.0.0.1", port=server.port, duration=0, interval=INTERVAL)
        self.assertEqual(self.get_property(path, "Progress"), -1.0)
        self.wait_intervals(path, 2, 20)
        self.assertNotEqual(self.get_property(path, "HelperPid"), 0)
        t_stop = time.monotonic()
        self.stop_test(path)
        self.wait_ended(path, 10)
        t_end = self.events.state_time(path, TERMINAL_STATES)
        props = self.properties(path)
        log("Stop() to State \"stopped\": %.3f s" % (t_end - t_stop))
        self.assertEqual(props["State"], "stopped", self.describe(path))
        self.assertLess(t_end - t_stop, 1.0, "the test ended %.2f s after Stop()" % (t_end - t_stop))
        message = self.assert_error_name(props, "Stopped", path)
        self.assertIn("stopped", message)
        result = props["Result"]
        self.assertIs(result.get("exact"), False, result)
        self.assertIs(result.get("partial"), True, result)
        self.assertIn("forward", result, result)
        self.assertGreater(result["forward"].get("sender_bytes", 0), 0, result)
        self.assertEqual(props["HelperPid"], 0)
        # stopping an ended test does nothing
        self.stop_test(path)
        self.iterate(0.3)
        self.assertEqual(self.get_property(path, "State"), "stopped")
        self.assertEqual(self.manager_property("RunningTests"), 0)

    def test_connection_refused(self):
        port = free_port()
        path, props = self.run_test(timeout=30, host="127.0.0.1", port=port, duration=2)
        self.assertEqual(props["State"], "failed", self.describe(path))
        self.assert_error_name(props, "ConnectionRefused", path)
        self.assertEqual(props["HelperPid"], 0)
        self.assertGreater(props["EndTime"], 0)

    def test_host_not_found(self):
        path, props = self.run_test(timeout=90, host="nonexistent.invalid", duration=2)
        self.assertEqual(props["State"], "failed", self.describe(path))
        message = self.assert_error_name(props, "HostNotFound", path)
        self.assertIn("nonexistent.invalid", message)

    def test_server_busy(self):
        server = self.start_iperf_server()
        first = self.start_test(host="127.0.0.1", port=server.port, duration=0, interval=INTERVAL)
        self.wait_intervals(first, 1, 20)
        path, props = self.run_test(timeout=30, host="127.0.0.1", port=server.port, duration=2)
        self.assertEqual(props["State"], "failed", self.describe(path))
        self.assert_error_name(props, "ServerBusy", path)
        # the first test was not disturbed
        self.assertEqual(self.get_property(first, "State"), "running")
        self.stop_test(first)
        self.assertEqual(self.wait_ended(first, 10), "stopped")

    def test_eight_at_once(self):
        servers = [self.start_iperf_server() for _ in range(8)]
        paths = [self.start_test(host="127.0.0.1", port=s.port, duration=DURATION, interval=INTERVAL,
                                 bitrate=200_000_000, label="concurrent %d" % i)
                 for i, s in enumerate(servers)]
        self.assertEqual(len(set(paths)), 8)
        self.assertEqual(self.manager_property("RunningTests"), 8)
        for p in paths:
            self.wait_ended(p, DURATION + 60)
        for i, p in enumerate(paths):
            props = self.properties(p)
            self.assertEqual(props["State"], "finished", self.describe(p))
            self.assertEqual(props["Options"]["label"], "concurrent %d" % i)
            result = props["Result"]
            self.assertIs(result.get("exact"), True)
            self.assertGreater(result["forward"]["receiver_bytes"], 0)
            rate = result["forward"]["receiver_bits_per_second"]
            self.assertLess(rate, 200e6 * 1.2, "bitrate cap ignored: %g" % rate)
            n = len(self.events.intervals(p, "forward"))
            self.assertTrue(5 <= n <= 7, "%s: %d intervals" % (p, n))
        self.assertEqual(self.manager_property("RunningTests"), 0)
        running = [v for _, v in self.events.property_changes(MANAGER_PATH, "RunningTests", MANAGER_IFACE)]
        self.assertIn(8, running, "RunningTests never announced 8: %r" % running)
        self.assertEqual(running[-1], 0)

    def test_list_tests_and_object_manager(self):
        self.iterate_until(lambda: self.manager_property("IperfVersion") != "unknown", 10, "IperfVersion")
        self.assertEqual(self.manager_property("IperfVersion"), "3.12")
        self.assertTrue(self.manager_property("Version"))
        self.assertEqual(self.manager_property("MaxRunningTests"), 32)
        self.assertEqual(self.manager_property("KeepEndedSeconds"), 600)
        self.assertEqual(self.list_tests(), [])
        self.assertEqual(self.managed_objects(), {})

        server = self.start_iperf_server()
        running = self.start_test(host="127.0.0.1", port=server.port, duration=0, interval=INTERVAL,
                                  label="listed")
        refused = self.start_test(host="127.0.0.1", port=free_port(), duration=1)
        self.assertEqual(self.list_tests(), [running, refused], "ListTests must list oldest first")
        self.wait_ended(refused, 30)
        self.wait_intervals(running, 1, 20)

        objects = self.managed_objects()
        self.assertEqual(set(objects), {running, refused})
        self.assertEqual(objects[running][TEST_IFACE]["State"], "running")
        self.assertEqual(objects[running][TEST_IFACE]["Options"]["label"], "listed")
        self.assertEqual(objects[refused][TEST_IFACE]["State"], "failed")
        self.assertEqual(objects[running][TEST_IFACE]["Id"], int(running.rsplit("/", 1)[1]))
        added = [e.path for e in self.events.events if e.kind == "InterfacesAdded"]
        self.assertEqual(added, [running, refused])
        for e in self.events.events:
            if e.kind == "InterfacesAdded":
                self.assertIn(TEST_IFACE, e.data[1])
        self.assertEqual(self.manager_property("RunningTests"), 1)

        self.stop_test(running)
        self.wait_ended(running, 10)
        # ended tests stay listed for KeepEndedSeconds
        self.assertEqual(self.list_tests(), [running, refused])
        self.assertEqual(self.manager_property("RunningTests"), 0)
        self.assertFalse([e for e in self.events.events if e.kind == "InterfacesRemoved"])


class LimitTests(ServiceTestCase):
    service_args = ("--max-running-tests", "2")

    def test_too_many_tests(self):
        self.assertEqual(self.manager_property("MaxRunningTests"), 2)
        servers = [self.start_iperf_server() for _ in range(3)]
        a = self.start_test(host="127.0.0.1", port=servers[0].port, duration=0, interval=INTERVAL)
        b = self.start_test(host="127.0.0.1", port=servers[1].port, duration=0, interval=INTERVAL)
        self.assertEqual(self.manager_property("RunningTests"), 2)
        name, message = self.start_test_error(
            GLib.Variant("a{sv}", {"host": GLib.Variant("s", "127.0.0.1"),
                                   "port": GLib.Variant("u", servers[2].port)}))
        self.assertEqual(name, ERROR_PREFIX + "TooManyTests", message)
        self.assertIn("2", message)
        self.assertEqual(self.list_tests(), [a, b], "a refused StartTest must not create a test")

        # one ends: there is room again
        self.wait_intervals(a, 1, 20)
        self.stop_test(a)
        self.assertEqual(self.wait_ended(a, 10), "stopped")
        self.assertEqual(self.manager_property("RunningTests"), 1)
        c = self.start_test(host="127.0.0.1", port=servers[2].port, duration=0, interval=INTERVAL)
        self.wait_intervals(c, 1, 20)
        self.assertEqual(self.get_property(b, "State"), "running")
        for p in (b, c):
            self.stop_test(p)
        for p in (b, c):
            self.assertEqual(self.wait_ended(p, 10), "stopped")
        self.assertEqual(self.manager_property("RunningTests"), 0)


class KeepEndedTests(ServiceTestCase):
    service_args = ("--keep-ended", "1")

    def test_interfaces_removed_after_keep_ended(self):
        self.assertEqual(self.manager_property("KeepEndedSeconds"), 1)
        server = self.start_iperf_server()
        path = self.start_test(host="127.0.0.1", port=server.port, duration=1, interval=INTERVAL)
        self.assertEqual(self.wait_ended(path, 30), "finished", self.describe(path))
        t_end = self.events.state_time(path, TERMINAL_STATES)
        self.iterate_until(lambda: self.events.of(path, "InterfacesRemoved"), 10,
                           "InterfacesRemoved for %s" % path)
        removed = self.events.of(path, "InterfacesRemoved")
        self.assertEqual(len(removed), 1)
        self.assertIn(TEST_IFACE, removed[0].data[1])
        delay = removed[0].time - t_end
        self.assertTrue(0.5 <= delay <= 4, "removed %.2f s after the end, --keep-ended is 1" % delay)
        self.assertNotIn(path, self.list_tests())
        self.assertNotIn(path, self.managed_objects())
        with self.assertRaises(GLib.Error) as cm:
            self.get_property(path, "State")
        name, _ = remote_error(cm.exception)
        self.assertTrue(name and name.startswith("org.freedesktop.DBus.Error."), name)

        # a failed test goes the same way, and ids are not reused
        other = self.start_test(host="127.0.0.1", port=free_port(), duration=1)
        self.assertNotEqual(other, path)
        self.assertGreater(int(other.rsplit("/", 1)[1]), int(path.rsplit("/", 1)[1]))
        self.assertEqual(self.wait_ended(other, 30), "failed")
        self.iterate_until(lambda: self.events.of(other, "InterfacesRemoved"), 10,
                           "InterfacesRemoved for %s" % other)
        self.assertEqual(self.list_tests(), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
