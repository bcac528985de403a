"""History (org.trafficd.Traffic1.History) through the real service.

- a test's stored samples equal the Interval signals it emitted (count and
  values, all streams together and per stream), with its environment;
- CSV (parsed with Python's csv module) and JSON exports written into a
  file descriptor passed over D-Bus equal what ListTests and GetTest
  return;
- filters, paging and errors naming the key;
- deleting is refused to another user (setpriv --reuid=65534: needs root;
  with CI=true missing root fails) and allowed to the service's user;
- SIGTERM with a test running: exit 0 within 3 s and the row is final;
  SIGKILL: the row is marked interrupted by the next start, ids go on;
- a damaged database is moved aside at start, kept, and a fresh one works.

Run: cd tests/integration && /usr/bin/python3 -m unittest -v test_history
"""

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (  # noqa: E402
    BUS_NAME, ERROR_PREFIX, MANAGER_PATH, Gio, GLib, ServiceTestCase, as_user_argv, free_port, remote_error,
    require_binary, require_root,
)

HISTORY_IFACE = "org.trafficd.Traffic1.History"
DURATION = 3
INTERVAL = 0.5


def csv_value(value):
    """How the export writes a D-Bus value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


class HistoryTestCase(ServiceTestCase):

    # -- calls --

    def history(self, method, params, reply_type, conn=None):
        return self.call(MANAGER_PATH, HISTORY_IFACE, method, params, reply_type, conn=conn)

    def list_history(self, **filter_):
        variant = GLib.Variant("(a{sv})", (filter_,))
        return self.history("ListTests", variant, "(aa{sv}u)")

    def get_history_test(self, test_id, **options):
        return self.history("GetTest", GLib.Variant("(ua{sv})", (test_id, options)), "(a{sv}aa{sv})")

    def history_error(self, method, params):
        try:
            self.history(method, params, None)
        except GLib.Error as e:
            return remote_error(e)
        self.fail("%s succeeded but an error was expected" % method)

    def history_property(self, name):
        return self.get_property(MANAGER_PATH, name, iface=HISTORY_IFACE)

    def export(self, fmt, options):
        """Export into a temporary file passed as a descriptor; returns
        (rows, text)."""
        with tempfile.TemporaryFile(mode="w+b") as f:
            fd_list = Gio.UnixFDList.new()
            index = fd_list.append(f.fileno())
            reply, _ = self.conn.call_with_unix_fd_list_sync(
                BUS_NAME, MANAGER_PATH, HISTORY_IFACE, "Export",
                GLib.Variant("(hsa{sv})", (index, fmt, options)), GLib.VariantType("(t)"),
                Gio.DBusCallFlags.NONE, 30000, fd_list, None)
            f.seek(0)
            return reply.unpack()[0], f.read().decode("utf-8")

    def db_path(self, service=None):
        service = service or self.service
        return os.path.join(self.workdir, service.name + "-state", "trafficd", "history.db")

    def run_labelled(self, label, server, **options):
        options.setdefault("duration", DURATION)
        options.setdefault("interval", INTERVAL)
        path = self.start_test(host="127.0.0.1", port=server.port, label=label, **options)
        state = self.wait_ended(path, 60)
        test_id = self.get_property(path, "Id")
        return path, test_id, state

    def wait_recorded(self, test_id, final=True):
        """Until the row of TEST_ID is there (and final)."""
        finals = ("finished", "failed", "stopped", "interrupted")

        def check():
            rows, _ = self.list_history(limit=GLib.Variant("u", 1000))
            for row in rows:
                if row["id"] == test_id and (not final or row["state"] in finals):
                    return True
            return False
        self.iterate_until(check, 15, "test %d in the history" % test_id)


class HistoryTests(HistoryTestCase):

    def test_samples_equal_interval_signals(self):
        server = self.start_iperf_server()
        path, test_id, state = self.run_labelled("samples-equal", server, parallel=2, direction="bidirectional")
        self.assertEqual(state, "finished", self.describe(path))
        self.wait_recorded(test_id)
        signals = self.events.intervals(path)
        self.assertTrue(signals, "no Interval signal")

        row, samples = self.get_history_test(test_id, max_points=GLib.Variant("u", 0),
                                             streams=GLib.Variant("b", True))
        totals = [s for s in samples if s["stream"] == -1]
        self.assertEqual(len(totals), len(signals), "stored samples: %d, Interval signals: %d"
                         % (len(totals), len(signals)))
        self.assertEqual(row["sample_count"], len(signals))
        for direction in ("forward", "reverse"):
            emitted = [s for _, s in signals if s["direction"] == direction]
            stored = [s for s in totals if s["direction"] == direction]
            self.assertEqual(len(stored), len(emitted), direction)
            for seq, (got, want) in enumerate(zip(stored, emitted)):
                why = "%s sample %d: stored %r, emitted %r" % (direction, seq, got, want)
                self.assertEqual(got["seq"], seq, why)
                self.assertEqual(got["start_seconds"], want["start"], why)
                self.assertEqual(got["end_seconds"], want["end"], why)
                self.assertEqual(got["bytes"], want["bytes"], why)
                self.assertEqual(got["bits_per_second"], want["bits_per_second"], why)
                self.assertEqual(got["omitted"], want["omitted"], why)
                self.assertEqual(got["timestamp_us"], want["timestamp"], why)
                for key in ("cwnd_bytes", "jitter_ms", "lost_packets", "packets", "lost_percent"):
                    self.assertEqual(got.get(key), want.get(key), "%s: %s" % (key, why))
                if want.get("retransmits", -1) >= 0:
                    self.assertEqual(got["retransmits"], want["retransmits"], why)
                else:
                    self.assertNotIn("retransmits", got, why)
                # per stream: as many rows as the signal had streams, same values
                streams = [s for s in samples if s["direction"] == direction and s["seq"] == seq
                           and s["stream"] >= 0]
                self.assertEqual(len(streams), len(want.get("streams", [])), why)
                for index, (g, w) in enumerate(zip(streams, want.get("streams", []))):
                    self.assertEqual(g["stream"], index)
                    self.assertEqual(g["socket"], w["socket"])
                    self.assertEqual(g["bytes"], w["bytes"])
                    self.assertEqual(g["bits_per_second"], w["bits_per_second"])

        # the row: result, environment, the caller
        props = self.properties(path)
        result = props["Result"]
        self.assertEqual(row["state"], "finished")
        self.assertEqual(row["label"], "samples-equal")
        self.assertEqual(row["streams"], 2)
        self.assertEqual(row["forward_receiver_bits_per_second"], result["forward"]["receiver_bits_per_second"])
        self.assertEqual(row["reverse_sender_bytes"], result["reverse"]["sender_bytes"])
        self.assertEqual(row["iperf_version"], "3.12")
        self.assertEqual(row["remote_address"], "127.0.0.1")
        self.assertEqual(row["remote_port"], server.port)
        self.assertEqual(row["interface"], "lo")
        self.assertEqual(row["hostname"], os.uname().nodename)
        self.assertTrue(row["kernel"].startswith("Linux " + os.uname().release), row["kernel"])
        self.assertEqual(row["owner_uid"], os.getuid())
        self.assertEqual(os.path.realpath(row["caller_executable"]), os.path.realpath(sys.executable))
        self.assertEqual(row["start_time_us"], props["StartTime"])
        self.assertEqual(row["end_time_us"], props["EndTime"])
        self.assertEqual(row["result"]["exact"], True)
        self.assertEqual(row["options"]["parallel"], 2)

        # downsampled: fewer points, same totals, peaks kept
        _, points = self.get_history_test(test_id, max_points=GLib.Variant("u", 2))
        forward = [p for p in points if p["direction"] == "forward"]
        self.assertLessEqual(len(forward), 2)
        emitted = [s for _, s in signals if s["direction"] == "forward"]
        self.assertEqual(sum(p["samples"] for p in forward), len(emitted))
        self.assertEqual(max(p["max_bits_per_second"] for p in forward),
                         max(s["bits_per_second"] for s in emitted))
        self.assertEqual(sum(p["bytes"] for p in forward), sum(s["bytes"] for s in emitted))

        # logs: the Log signals, in order
        lines, total = self.history("GetLogs", GLib.Variant("(ua{sv})", (test_id, {})), "(a(tus)u)")
        logged = [(level, text) for _, level, text in self.events.logs(path)]
        self.assertEqual(total, len(logged))
        self.assertEqual([(level, text) for _, level, text in lines], logged)

    def test_csv_and_json_round_trip(self):
        server = self.start_iperf_server()
        ids = []
        for label in ('plain', 'with, comma and "quotes"', 'semi;colon \u00e9t\u00e9'):
            _, test_id, _ = self.run_labelled(label, server, duration=1)
            ids.append(test_id)
        _, udp_id, _ = self.run_labelled("udp", server, duration=1, protocol="udp")
        ids.append(udp_id)
        for test_id in ids:
            self.wait_recorded(test_id)

        rows, total = self.list_history(order=GLib.Variant("s", "oldest"))
        self.assertEqual(total, len(ids))
        count, text = self.export("csv", {"order": GLib.Variant("s", "oldest")})
        self.assertEqual(count, len(ids))
        self.assertIn("\r\n", text, "RFC 4180 wants CRLF line ends")
        records = list(csv.DictReader(io.StringIO(text, newline="")))
        self.assertEqual(len(records), len(rows))
        header = text.split("\r\n", 1)[0].split(",")
        for key in ("forward_receiver_bits_per_second", "forward_sender_bytes", "reverse_receiver_bytes",
                    "duration_seconds", "bitrate_bits_per_second", "start_time_us", "link_speed_bits_per_second",
                    "caller_executable", "interface"):
            self.assertIn(key, header)
        for row, record in zip(rows, records):
            for key, value in row.items():
                got = record[key]
                if isinstance(value, bool):
                    self.assertEqual(got, csv_value(value), key)
                elif isinstance(value, (int, float)):
                    self.assertEqual(type(value)(got) if isinstance(value, int) else float(got), value,
                                     "%s: CSV %r, D-Bus %r" % (key, got, value))
                else:
                    self.assertEqual(got, value, key)
            for key in set(record) - set(row):
                self.assertEqual(record[key], "", "%s is empty on D-Bus but %r in CSV" % (key, record[key]))

        # one test's samples, CSV and JSON
        test_id = ids[1]
        _, samples = self.get_history_test(test_id, max_points=GLib.Variant("u", 0))
        count, text = self.export("csv", {"test": GLib.Variant("u", test_id)})
        records = list(csv.DictReader(io.StringIO(text, newline="")))
        self.assertEqual(count, len(samples))
        self.assertEqual(len(records), len(samples))
        for sample, record in zip(samples, records):
            self.assertEqual(int(record["test_id"]), test_id)
            for key in ("seq", "bytes", "timestamp_us", "stream"):
                self.assertEqual(int(record[key]), sample[key], key)
            for key in ("bits_per_second", "start_seconds", "end_seconds"):
                self.assertEqual(float(record[key]), sample[key], key)
            self.assertEqual(record["direction"], sample["direction"])
        count, text = self.export("json", {"test": GLib.Variant("u", test_id)})
        doc = json.loads(text)
        self.assertEqual(doc["test"]["id"], test_id)
        self.assertEqual(doc["test"]["label"], 'with, comma and "quotes"')
        self.assertEqual([s["bits_per_second"] for s in doc["samples"]], [s["bits_per_second"] for s in samples])
        count, text = self.export("json", {})
        self.assertEqual([t["id"] for t in json.loads(text)], [r["id"] for r in reversed(rows)])

        # a descriptor not open for writing is refused
        r, w = os.pipe()
        try:
            fd_list = Gio.UnixFDList.new()
            index = fd_list.append(r)
            with self.assertRaises(GLib.Error) as cm:
                self.conn.call_with_unix_fd_list_sync(
                    BUS_NAME, MANAGER_PATH, HISTORY_IFACE, "Export",
                    GLib.Variant("(hsa{sv})", (index, "csv", {})), GLib.VariantType("(t)"),
                    Gio.DBusCallFlags.NONE, 30000, fd_list, None)
            name, message = remote_error(cm.exception)
            self.assertEqual(name, ERROR_PREFIX + "InvalidArgument")
            self.assertTrue(message.startswith("fd: "), message)
        finally:
            os.close(r)
            os.close(w)

    def test_filters_and_paging(self):
        server = self.start_iperf_server()
        ids = []
        for i in range(5):
            _, test_id, _ = self.run_labelled("page-%d" % (i % 2), server, duration=1,
                                              protocol="udp" if i == 4 else "tcp")
            ids.append(test_id)
        for test_id in ids:
            self.wait_recorded(test_id)
        rows, total = self.list_history()
        self.assertEqual(total, 5)
        self.assertEqual([r["id"] for r in rows], sorted(ids, reverse=True), "newest first")
        rows, total = self.list_history(label=GLib.Variant("s", "page-0"))
        self.assertEqual((total, sorted(r["id"] for r in rows)), (3, [ids[0], ids[2], ids[4]]))
        rows, total = self.list_history(protocol=GLib.Variant("s", "udp"))
        self.assertEqual([r["id"] for r in rows], [ids[4]])
        pages = []
        for offset in range(0, 6, 2):
            rows, total = self.list_history(order=GLib.Variant("s", "oldest"), limit=GLib.Variant("u", 2),
                                            offset=GLib.Variant("u", offset))
            self.assertEqual(total, 5)
            pages.append([r["id"] for r in rows])
        self.assertEqual(pages, [ids[0:2], ids[2:4], ids[4:5]])
        middle = self.get_property(self.list_tests()[2], "StartTime")
        rows, total = self.list_history(since=GLib.Variant("t", middle), order=GLib.Variant("s", "oldest"))
        self.assertEqual([r["id"] for r in rows], ids[2:])
        rows, total = self.list_history(owner=GLib.Variant("u", os.getuid() + 1))
        self.assertEqual(total, 0)
        buckets, = self.history("GetTrends", GLib.Variant("(a{sv})", ({"group_by": GLib.Variant("s", "label")},)),
                                "(aa{sv})")
        self.assertEqual(sorted((b["label"], b["count"]) for b in buckets), [("page-0", 3), ("page-1", 2)])

        for params, field in (({"colour": GLib.Variant("s", "red")}, "colour"),
                              ({"limit": GLib.Variant("u", 0)}, "limit"),
                              ({"state": GLib.Variant("s", "happy")}, "state"),
                              ({"limit": GLib.Variant("s", "10")}, "limit")):
            name, message = self.history_error("ListTests", GLib.Variant("(a{sv})", (params,)))
            self.assertEqual(name, ERROR_PREFIX + "InvalidArgument")
            self.assertTrue(message.startswith(field + ": "), message)
        name, _ = self.history_error("GetTest", GLib.Variant("(ua{sv})", (999999, {})))
        self.assertEqual(name, ERROR_PREFIX + "NotFound")

    def test_delete_denied_to_another_user(self):
        require_root(self, "running a caller as another user")
        busctl = require_binary(self, "busctl")
        server = self.start_iperf_server()
        _, test_id, _ = self.run_labelled("to-delete", server, duration=1)
        self.wait_recorded(test_id)
        argv = [busctl, "--address=" + self.bus.address, "call", BUS_NAME, MANAGER_PATH, HISTORY_IFACE,
                "DeleteTests", "au", "1", str(test_id)]
        nobody = subprocess.run(as_user_argv("nobody") + argv, capture_output=True, text=True, timeout=30)
        self.assertNotEqual(nobody.returncode, 0, "nobody could delete: %s" % nobody.stdout)
        # (busctl prints the message, not the error name)
        self.assertIn("uid 65534 may not", nobody.stderr + nobody.stdout)
        rows, total = self.list_history()
        self.assertEqual(total, 1, "the row must still be there")
        # the service's own user (root here) may
        deleted, = self.history("DeleteTests", GLib.Variant("(au)", ([test_id, 424242],)), "(u)")
        self.assertEqual(deleted, 1)
        rows, total = self.list_history()
        self.assertEqual(total, 0)

    def test_properties(self):
        self.assertEqual(self.history_property("Status"), "ok")
        self.assertEqual(self.history_property("StatusMessage"), "")
        self.assertEqual(self.history_property("SchemaVersion"), 2)
        self.assertEqual(self.history_property("MovedAside"), [])
        self.assertEqual(self.history_property("DatabasePath"), self.db_path())
        self.assertTrue(os.path.exists(self.db_path()))
        self.assertEqual(os.stat(self.db_path()).st_mode & 0o777, 0o600)
        self.assertEqual(self.history_property("RetentionSamplesDays"), 30)
        self.assertEqual(self.history_property("RetentionTestsDays"), 0)


class HistoryLifecycleTests(HistoryTestCase):
    start_service_in_setup = False

    def test_sigterm_finalises_running_test(self):
        self.bus, self.service, self.conn, self.events = self.start_stack()
        server = self.start_iperf_server()
        path = self.start_test(host="127.0.0.1", port=server.port, duration=0, interval=0.2, parallel=4)
        self.wait_intervals(path, 5, 20)
        test_id = self.get_property(path, "Id")
        self.expected_dead_services.add(self.service)
        t0 = time.monotonic()
        status, killed = self.service.stop(signal.SIGTERM, timeout=3)
        elapsed = time.monotonic() - t0
        self.assertFalse(killed, "trafficd did not exit within 3 s of SIGTERM")
        self.assertEqual(status, 0)
        self.assertLess(elapsed, 3.0)
        # (before anything opens it: a reader would make a -wal again)
        self.assertFalse(os.path.exists(self.db_path() + "-wal"), "the -wal should be checkpointed away")
        with sqlite3.connect("file:%s?mode=ro" % self.db_path(), uri=True) as db:
            state, final, samples, end = db.execute(
                "SELECT state, final, sample_count, end_time_us FROM tests WHERE id = ?", (test_id,)).fetchone()
        self.assertEqual(final, 1)
        self.assertIn(state, ("stopped", "interrupted"))
        self.assertGreaterEqual(samples, 5)
        self.assertGreater(end, 0)

    def test_sigkill_leaves_interrupted_row(self):
        self.bus, self.service, self.conn, self.events = self.start_stack()
        server = self.start_iperf_server()
        path = self.start_test(host="127.0.0.1", port=server.port, duration=0, interval=0.2)
        self.wait_intervals(path, 5, 20)
        test_id = self.get_property(path, "Id")
        time.sleep(0.5)   # the writer commits within its linger time
        self.expected_dead_services.add(self.service)
        self.service.send_signal(signal.SIGKILL)
        self.service.wait(10)
        # the same state directory, on the same bus
        self.bus, self.service, self.conn, self.events = self.start_stack(bus=self.bus, name=self.service.name)
        self.wait_recorded(test_id)
        row, samples = self.get_history_test(test_id, max_points=GLib.Variant("u", 0))
        self.assertEqual(row["state"], "interrupted")
        self.assertEqual(row["error_name"], ERROR_PREFIX + "Interrupted")
        self.assertGreaterEqual(len(samples), 5)
        self.assertEqual(row["sample_count"], len(samples))
        self.assertGreaterEqual(row["end_time_us"], samples[-1]["timestamp_us"])
        # new tests continue the numbering
        server2 = self.start_iperf_server()
        path2 = self.start_test(host="127.0.0.1", port=server2.port, duration=1)
        self.assertGreater(self.get_property(path2, "Id"), test_id)
        self.wait_ended(path2, 30)

    def test_damaged_database_moved_aside(self):
        state = os.path.join(self.workdir, "trafficd-1-state", "trafficd")
        os.makedirs(state)
        db = os.path.join(state, "history.db")
        with open(db, "wb") as f:
            f.write(b"this is not an SQLite database" * 100)
        self.bus, self.service, self.conn, self.events = self.start_stack()
        moved = self.history_property("MovedAside")
        self.assertEqual(len(moved), 1, moved)
        self.assertIn(".damaged-", moved[0])
        with open(moved[0], "rb") as f:
            self.assertTrue(f.read().startswith(b"this is not an SQLite database"), "the damaged file is kept")
        self.assertEqual(self.history_property("Status"), "ok")
        self.assertIn("damaged", self.history_property("StatusMessage"))
        self.assertIn("moved it aside", self.service.read_log())
        server = self.start_iperf_server()
        _, test_id, _ = self.run_labelled("after-damage", server, duration=1)
        self.wait_recorded(test_id)

    def test_newer_schema_runs_without_history(self):
        state = os.path.join(self.workdir, "trafficd-1-state", "trafficd")
        os.makedirs(state)
        db = os.path.join(state, "history.db")
        with sqlite3.connect(db) as c:
            c.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_us INTEGER NOT NULL)")
            c.execute("INSERT INTO schema_version VALUES (99, 0)")
        with open(db, "rb") as f:
            before = f.read()
        self.bus, self.service, self.conn, self.events = self.start_stack()
        self.assertEqual(self.history_property("Status"), "unavailable")
        self.assertIn("newer", self.history_property("StatusMessage"))
        name, _ = self.history_error("ListTests", GLib.Variant("(a{sv})", ({},)))
        self.assertEqual(name, ERROR_PREFIX + "Unavailable")
        # tests still run
        server = self.start_iperf_server()
        path = self.start_test(host="127.0.0.1", port=server.port, duration=1)
        self.assertEqual(self.wait_ended(path, 30), "finished")
        with open(db, "rb") as f:
            self.assertEqual(f.read(), before, "the newer database was modified")


if __name__ == "__main__":
    unittest.main()
