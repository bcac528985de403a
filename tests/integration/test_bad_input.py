"""Hostile and malformed StartTest calls (RELIABILITY rows 13 and 15).

Every bad call must be answered with org.trafficd.Traffic1.Error.InvalidArgument
(or the bus's InvalidArgs for a wrong signature) whose message names the
field; afterwards the service is alive, holds no test, runs no
trafficd-runner, and no file such as /x or /tmp/x was created.

Run: cd tests/integration && /usr/bin/python3 -m unittest -v test_bad_input
"""

import os
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (  # noqa: E402
    BUS_NAME, ERROR_PREFIX, MANAGER_IFACE, MANAGER_PATH, GLib, Gio, ServiceTestCase,
    free_port, remote_error, runner_pids, require_binary,
)

V = GLib.Variant
INVALID = ERROR_PREFIX + "InvalidArgument"
INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
UINT64_MAX = (1 << 64) - 1
INT32_MIN = -(1 << 31)
HOST = V("s", "127.0.0.1")

INTEGER_OPTIONS = ("port", "duration", "bytes", "parallel", "bitrate", "omit", "length", "window", "tos")
DOUBLE_OPTIONS = ("interval", "connect_timeout", "receive_timeout")
BOOL_OPTIONS = ("zerocopy", "stop_on_disconnect")
STRING_OPTIONS = ("host", "protocol", "direction", "bind_address", "congestion", "label")

# files a command-line injection would create (relative ones in the
# service's working directory, which is the test's)
CANARY_FILES = ("/x", "/tmp/x", os.path.abspath("x"), os.path.abspath("--logfile=x"))


def opts(**values):
    """a{sv} from already typed values; host defaults to 127.0.0.1."""
    d = {"host": HOST}
    d.update(values)
    return V("a{sv}", {k: v for k, v in d.items() if v is not None})


def dict_entries(pairs):
    """a{sv} that may hold the same key twice (a Python dict cannot)."""
    builder = GLib.VariantBuilder.new(GLib.VariantType("a{sv}"))
    for key, value in pairs:
        builder.add_value(V.new_dict_entry(V("s", key), V("v", value)))
    return builder.end()


def label_host(length):
    """A syntactically valid host name of exactly LENGTH characters."""
    labels, left = [], length
    while left > 0:
        n = min(63, left)
        labels.append("a" * n)
        left -= n + 1
    host = ".".join(labels)
    assert len(host) == length, (length, len(host))
    return host


class BadInputTests(ServiceTestCase):
    needs_iperf = False

    def setUp(self):
        self.canaries = {p: os.path.exists(p) for p in CANARY_FILES}
        super().setUp()

    def tearDown(self):
        try:
            self.assert_nothing_started()
        finally:
            super().tearDown()

    def assert_nothing_started(self):
        if not self.services or not self.service.alive():
            return
        self.assertEqual(self.list_tests(), [], "a rejected StartTest left a test object")
        self.assertEqual(self.managed_objects(), {})
        self.assertEqual(self.manager_property("RunningTests"), 0)
        self.assertEqual(runner_pids(self.tag), [], "a trafficd-runner was started for a rejected call")
        self.assertFalse([e for e in self.events.events if e.kind == "InterfacesAdded"],
                         "InterfacesAdded for a rejected call")
        for path, existed in self.canaries.items():
            if not existed:
                self.assertFalse(os.path.exists(path), "%s was created" % path)

    def expect_invalid(self, variant, field, echo=None, prefix=False):
        """StartTest(VARIANT) fails with InvalidArgument naming FIELD (with
        PREFIX, the message only has to start with FIELD: long or odd key
        names are shortened in messages)."""
        name, message = self.start_test_error(variant)
        self.assertEqual(name, INVALID, "expected InvalidArgument for %s, got %s: %s" % (field, name, message))
        self.assertTrue(message.startswith(field if prefix else field + ":"),
                        "the message does not start with the field %r: %r" % (field, message[:200]))
        self.assertLess(len(message), 2048, "an error message of %d characters" % len(message))
        if echo is not None:
            self.assertIn(echo, message)
        self.assertTrue(self.service.alive(), "trafficd died")
        return message

    def run_cases(self, cases):
        for case in cases:
            label, variant, field = case[:3]
            echo = case[3] if len(case) > 3 else None
            prefix = case[4] if len(case) > 4 else False
            with self.subTest(label):
                self.expect_invalid(variant, field, echo, prefix)
        self.assertEqual(self.list_tests(), [])

    # ------------------------------------------------------------------

    def test_wrong_signature(self):
        """busctl-style calls with the wrong argument types: the bus layer
        answers InvalidArgs and the service stays up."""
        calls = [
            ("StartTest", V("(s)", ("host=127.0.0.1",))),
            ("StartTest", V("(a{ss})", ({"host": "127.0.0.1"},))),
            ("StartTest", V("(a{sv}a{sv})", ({"host": HOST}, {"host": HOST}))),
            ("StartTest", V("(i)", (5201,))),
            ("StartTest", V("(av)", ([HOST],))),
            ("StartTest", None),
            ("ListTests", V("(s)", ("x",))),
        ]
        for method, params in calls:
            with self.subTest("%s%s" % (method, params.get_type_string() if params else "()")):
                with self.assertRaises(GLib.Error) as cm:
                    self.conn.call_sync(BUS_NAME, MANAGER_PATH, MANAGER_IFACE, method, params, None,
                                        Gio.DBusCallFlags.NONE, 10000, None)
                name, message = remote_error(cm.exception)
                self.assertEqual(name, "org.freedesktop.DBus.Error.InvalidArgs", message)
                self.assertTrue(self.service.alive())
        with self.assertRaises(GLib.Error) as cm:
            self.conn.call_sync(BUS_NAME, MANAGER_PATH, MANAGER_IFACE, "StartTests", None, None,
                                Gio.DBusCallFlags.NONE, 10000, None)
        self.assertEqual(remote_error(cm.exception)[0], "org.freedesktop.DBus.Error.UnknownMethod")

    def test_busctl(self):
        busctl = require_binary(self, "busctl")
        base = [busctl, "--address=" + self.bus.address, "call", BUS_NAME, MANAGER_PATH, MANAGER_IFACE,
                "StartTest", "--"]
        wrong = subprocess.run(base + ["s", "-F/etc/shadow"], capture_output=True, text=True, timeout=30)
        self.assertNotEqual(wrong.returncode, 0)
        self.assertNotIn("/org/trafficd", wrong.stdout)
        bad_port = subprocess.run(base + ["a{sv}", "2", "host", "s", "127.0.0.1", "port", "u", "0"],
                                  capture_output=True, text=True, timeout=30)
        self.assertNotEqual(bad_port.returncode, 0)
        self.assertIn("port:", bad_port.stderr)
        injected = subprocess.run(base + ["a{sv}", "1", "host", "s", "--logfile=/x"],
                                  capture_output=True, text=True, timeout=30)
        self.assertNotEqual(injected.returncode, 0)
        self.assertIn("host:", injected.stderr)
        self.assertTrue(self.service.alive())

    def test_unknown_and_missing_keys(self):
        self.run_cases([
            ("unknown key", opts(foo=V("u", 1)), "foo"),
            ("unknown option-like key", opts(**{"--logfile": V("s", "/x")}), "--logfile", "unknown option"),
            ("unknown key -F", opts(**{"-F": V("s", "/etc/shadow")}), "-F"),
            ("key with format string", opts(**{"%s%n%x": V("s", "x")}), "%s%n%x", "unknown option"),
            ("key with a newline", opts(**{"a\nb": V("u", 1)}), "a\\nb", "unknown option"),
            ("empty key", opts(**{"": V("u", 1)}), "", "unknown option", True),
            ("missing host", V("a{sv}", {}), "host"),
            ("missing host, other keys", V("a{sv}", {"port": V("u", 5201)}), "host"),
            ("duplicate key", dict_entries([("host", HOST), ("port", V("u", 5201)), ("port", V("u", 5202))]),
             "port"),
            ("bytes with duration", opts(bytes=V("t", 1000), duration=V("u", 5)), "bytes"),
            ("zerocopy with udp", opts(protocol=V("s", "udp"), zerocopy=V("b", True)), "zerocopy"),
            ("congestion with udp", opts(protocol=V("s", "udp"), congestion=V("s", "cubic")), "congestion"),
            ("10000 unknown keys", V("a{sv}", dict(("k%d" % i, V("u", i)) for i in range(10000))), "k0"),
        ])

    def test_injection_and_host_names(self):
        max_host = label_host(253)
        self.assertEqual(len(max_host), 253)
        self.run_cases([
            ("host -F/etc/shadow", opts(host=V("s", "-F/etc/shadow")), "host"),
            ("host --logfile=/x", opts(host=V("s", "--logfile=/x")), "host"),
            ("host --logfile=/tmp/x", opts(host=V("s", "--logfile=/tmp/x")), "host"),
            ("host --logfile=x", opts(host=V("s", "--logfile=x")), "host"),
            ("host with space and option", opts(host=V("s", "127.0.0.1 --logfile=/x")), "host"),
            ("host with a newline", opts(host=V("s", "127.0.0.1\n--logfile=/x")), "host"),
            ("host with CR", opts(host=V("s", "example.com\r")), "host"),
            ("host with a tab", opts(host=V("s", "example\t.com")), "host"),
            ("host 254 characters", opts(host=V("s", label_host(254))), "host", "254"),
            ("host 64-char label", opts(host=V("s", "a" * 64 + ".example")), "host"),
            ("host empty", opts(host=V("s", "")), "host"),
            ("host empty label", opts(host=V("s", "a..b")), "host"),
            ("host -leading label", opts(host=V("s", "a.-b")), "host"),
            ("host trailing -", opts(host=V("s", "a-")), "host"),
            ("host shell", opts(host=V("s", "$(touch /x)")), "host"),
            ("host backticks", opts(host=V("s", "`touch /tmp/x`")), "host"),
            ("host semicolon", opts(host=V("s", "a;touch /x")), "host"),
            ("host path", opts(host=V("s", "/etc/shadow")), "host"),
            ("host IPv6 scope", opts(host=V("s", "fe80::1%eth0")), "host"),
            ("host bad IPv6", opts(host=V("s", "::1::2")), "host"),
            ("host unicode", opts(host=V("s", "ex\u00e4mple.com")), "host"),
            ("bind_address option", opts(bind_address=V("s", "--logfile=/x")), "bind_address"),
            ("bind_address name", opts(bind_address=V("s", "localhost")), "bind_address"),
            ("bind_address newline", opts(bind_address=V("s", "127.0.0.1\n")), "bind_address"),
            ("congestion option", opts(congestion=V("s", "--logfile=/x")), "congestion"),
            ("congestion upper case", opts(congestion=V("s", "BBR")), "congestion"),
            ("congestion 16 characters", opts(congestion=V("s", "a" * 16)), "congestion"),
            ("label newline", opts(label=V("s", "first\nsecond")), "label"),
            ("label CR", opts(label=V("s", "a\rb")), "label"),
            ("label escape", opts(label=V("s", "\x1b[2J")), "label"),
            ("label 257 characters", opts(label=V("s", "\u00e9" * 257)), "label"),
            ("protocol sctp", opts(protocol=V("s", "sctp")), "protocol"),
            ("protocol upper case", opts(protocol=V("s", "TCP")), "protocol"),
            ("direction sideways", opts(direction=V("s", "sideways")), "direction"),
        ])

    def test_ranges(self):
        self.run_cases([
            ("port 0", opts(port=V("u", 0)), "port"),
            ("port 65536", opts(port=V("u", 65536)), "port"),
            ("port -1", opts(port=V("i", -1)), "port"),
            ("parallel 0", opts(parallel=V("u", 0)), "parallel"),
            ("parallel 129", opts(parallel=V("u", 129)), "parallel"),
            ("parallel 1000000", opts(parallel=V("u", 1000000)), "parallel"),
            ("interval 0", opts(interval=V("d", 0.0)), "interval"),
            ("interval 0 as integer", opts(interval=V("u", 0)), "interval"),
            ("interval 0.05", opts(interval=V("d", 0.05)), "interval"),
            ("interval 61", opts(interval=V("d", 61.0)), "interval"),
            ("interval 61 as integer", opts(interval=V("q", 61)), "interval"),
            ("interval -1", opts(interval=V("d", -1.0)), "interval"),
            ("interval NaN", opts(interval=V("d", float("nan"))), "interval"),
            ("interval inf", opts(interval=V("d", float("inf"))), "interval"),
            ("interval -inf", opts(interval=V("d", float("-inf"))), "interval"),
            ("udp length 10", opts(protocol=V("s", "udp"), length=V("u", 10)), "length"),
            ("udp length 65508", opts(protocol=V("s", "udp"), length=V("u", 65508)), "length"),
            ("tcp length 0", opts(length=V("u", 0)), "length"),
            ("tcp length 1048577", opts(length=V("u", 1048577)), "length"),
            ("duration 86401", opts(duration=V("u", 86401)), "duration"),
            ("bytes 0", opts(bytes=V("t", 0)), "bytes"),
            ("bytes 2^40+1", opts(bytes=V("t", (1 << 40) + 1)), "bytes"),
            ("bitrate 10^11+1", opts(bitrate=V("t", 100000000001)), "bitrate"),
            ("omit 601", opts(omit=V("u", 601)), "omit"),
            ("window 1023", opts(window=V("u", 1023)), "window"),
            ("window 2^29+1", opts(window=V("u", 536870913)), "window"),
            ("tos 256", opts(tos=V("u", 256)), "tos"),
            ("connect_timeout 0.05", opts(connect_timeout=V("d", 0.05)), "connect_timeout"),
            ("connect_timeout 301", opts(connect_timeout=V("d", 301.0)), "connect_timeout"),
            ("receive_timeout 0.5", opts(receive_timeout=V("d", 0.5)), "receive_timeout"),
            ("receive_timeout 1e308", opts(receive_timeout=V("d", 1e308)), "receive_timeout"),
        ])

    def test_wrong_types(self):
        self.run_cases([
            ("port as string", opts(port=V("s", "5201")), "port"),
            ("port as double", opts(port=V("d", 5201.0)), "port"),
            ("port as boolean", opts(port=V("b", True)), "port"),
            ("port as variant", opts(port=V("v", V("u", 5201))), "port"),
            ("port as byte array", opts(port=V("ay", b"5201")), "port"),
            ("port as struct", opts(port=V("(u)", (5201,))), "port"),
            ("host as integer", opts(host=V("u", 1)), "host"),
            ("host as object path", opts(host=V("o", "/x")), "host"),
            ("host as array", opts(host=V("as", ["127.0.0.1"])), "host"),
            ("protocol as integer", opts(protocol=V("u", 0)), "protocol"),
            ("interval as string", opts(interval=V("s", "1")), "interval"),
            ("zerocopy as integer", opts(zerocopy=V("u", 1)), "zerocopy"),
            ("stop_on_disconnect as string", opts(stop_on_disconnect=V("s", "true")), "stop_on_disconnect"),
            ("label as a{sv}", opts(label=V("a{sv}", {"a": V("s", "b")})), "label"),
        ])

    def test_integer_extremes(self):
        cases = []
        for key in INTEGER_OPTIONS + DOUBLE_OPTIONS:
            for tname, value in (("x", INT64_MIN), ("x", INT64_MAX), ("t", UINT64_MAX), ("i", INT32_MIN),
                                 ("n", -32768)):
                cases.append(("%s %s %d" % (key, tname, value), opts(**{key: V(tname, value)}), key))
        for key in DOUBLE_OPTIONS:
            for value in (1e308, -1e308, -0.0, 5e-324, float("nan")):
                cases.append(("%s d %r" % (key, value), opts(**{key: V("d", value)}), key))
        for key in BOOL_OPTIONS:
            for tname, value in (("x", INT64_MIN), ("t", UINT64_MAX), ("y", 1)):
                cases.append(("%s %s %d" % (key, tname, value), opts(**{key: V(tname, value)}), key))
        self.run_cases(cases)

    def test_huge_strings(self):
        big = "a" * 65536
        cases = [("%s 64 KiB" % key, opts(**{key: V("s", big)}), key) for key in STRING_OPTIONS]
        cases += [
            ("host 64 KiB of dots", opts(host=V("s", "." * 65536)), "host"),
            ("label 64 KiB of multibyte", opts(label=V("s", "\u20ac" * 21846)), "label"),
            ("key 64 KiB", opts(**{big: V("s", "x")}), "a" * 32, "unknown option", True),
            ("host 1 MiB", opts(host=V("s", "b" * (1 << 20))), "host"),
        ]
        self.run_cases(cases)

    def test_format_strings(self):
        fmt = "%s%n%x"
        self.run_cases([
            ("host", opts(host=V("s", fmt)), "host", fmt),
            ("host many", opts(host=V("s", "%n" * 100)), "host", "%n%n%n"),
            ("protocol", opts(protocol=V("s", fmt)), "protocol", fmt),
            ("direction", opts(direction=V("s", fmt)), "direction", fmt),
            ("bind_address", opts(bind_address=V("s", fmt)), "bind_address", fmt),
            ("congestion", opts(congestion=V("s", fmt)), "congestion", fmt),
            ("key", opts(**{fmt: V("s", fmt)}), fmt, fmt),
            ("label with control", opts(label=V("s", fmt + "\n")), "label"),
        ])


class BoundaryAcceptedTests(ServiceTestCase):
    """Values at the edge of their range are accepted as they are, and text
    that is merely odd (format strings in the label) stays inert."""
    needs_iperf = False

    def test_format_string_label_is_kept_verbatim(self):
        label = "%s%n%x%p %1$s {} \u00e9 --logfile=/x"
        path = self.start_test(host="127.0.0.1", port=free_port(), duration=1, label=label)
        self.assertEqual(self.wait_ended(path, 30), "failed", self.describe(path))
        props = self.properties(path)
        self.assertEqual(props["Options"]["label"], label)
        self.assert_error_name(props, "ConnectionRefused", path)
        logs = " ".join(text for _, _, text in self.events.logs(path))
        self.assertNotIn("(null)", logs)

    def test_limits_accepted(self):
        host = label_host(253)
        path = self.start_test(host=host, port=65535, parallel=128, interval=60.0, duration=86400,
                               omit=600, window=536870912, tos=255, connect_timeout=300.0,
                               receive_timeout=300.0, bitrate=100000000000, length=1048576,
                               label="\u00e9" * 256, congestion="a" * 15)
        options = self.properties(path)["Options"]
        self.assertEqual(options["host"], host)
        self.assertEqual(options["parallel"], 128)
        self.assertEqual(options["interval"], 60.0)
        self.assertEqual(options["bitrate"], 100000000000)
        # an integer of any D-Bus type is accepted for a numeric option
        other = self.start_test_raw(opts(host=V("s", "nonexistent.invalid"), port=V("y", 255),
                                         parallel=V("n", 2), interval=V("t", 1), duration=V("x", 2),
                                         bytes=None))
        self.assertEqual(self.properties(other)["Options"]["port"], 255)
        self.assertEqual(self.properties(other)["Options"]["interval"], 1.0)
        for p in (path, other):
            self.stop_test(p)
            self.assertIn(self.wait_ended(p, 60), ("failed", "stopped"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
