"""Faults: the helper killed or frozen, the service told to stop.

Run: cd tests/integration && /usr/bin/python3 -m unittest -v test_faults
"""

import os
import signal
import sys
import time
import unittest

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (  # noqa: E402
    ERROR_PREFIX, RUNNER_COMM, TERMINAL_STATES, ServiceTestCase, fd_count, free_port, frozen, pid_state,
    runner_pids, wait_until,
)


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


class FaultTests(ServiceTestCase):

    def helper_pid(self, path):
        pid = self.get_property(path, "HelperPid")
        self.assertNotEqual(pid, 0, "HelperPid is 0 while the test runs")
        self.assertEqual(comm(pid), RUNNER_COMM, "HelperPid %d is not a trafficd-runner" % pid)
        return pid

    def assert_reaped(self, pid, timeout=5):
        self.assertTrue(wait_until(lambda: pid_state(pid) is None, timeout),
                        "helper %d is still there (state %s): not reaped" % (pid, pid_state(pid)))

    def test_helper_sigkill(self):
        server = self.start_iperf_server()
        # warm up (first spawn, worker threads), then take the baseline
        warm = self.start_test(host="127.0.0.1", port=free_port(), duration=1)
        self.wait_ended(warm, 30)
        self.iterate(0.5)
        baseline = fd_count(self.service.pid)

        path = self.start_test(host="127.0.0.1", port=server.port, duration=10, interval=0.5)
        self.wait_intervals(path, 3, 20)
        pid = self.helper_pid(path)
        during = fd_count(self.service.pid)
        self.assertGreater(during, baseline, "a running helper should hold pipes in the service")
        os.kill(pid, signal.SIGKILL)
        t_kill = time.monotonic()
        self.assertEqual(self.wait_ended(path, 15), "failed", self.describe(path))
        self.assertLess(self.events.state_time(path, TERMINAL_STATES) - t_kill, 3.0,
                        "the service took long to notice its helper died")
        props = self.properties(path)
        message = self.assert_error_name(props, "Internal", path)
        self.assertTrue("signal 9" in message or "Killed" in message,
                        "the error does not mention the signal: %r" % message)
        self.assertEqual(props["HelperPid"], 0)
        self.assert_reaped(pid)

        # intervals had arrived: their data must not be thrown away
        result = props["Result"]
        self.assertTrue(result, "Result is empty although %d intervals had arrived"
                        % len(self.events.intervals(path)))
        self.assertIs(result.get("partial"), True, result)
        self.assertIs(result.get("exact"), False, result)
        self.assertGreater(result.get("forward", {}).get("sender_bytes", 0), 0, result)

    def test_helper_sigkill_no_leak(self):
        """The same fault repeated: no fd leak, no zombie, service healthy."""
        server = self.start_iperf_server()
        warm = self.start_test(host="127.0.0.1", port=free_port(), duration=1)
        self.wait_ended(warm, 30)
        self.iterate(0.5)
        baseline = fd_count(self.service.pid)
        for _ in range(3):
            path = self.start_test(host="127.0.0.1", port=server.port, duration=10, interval=0.5)
            self.wait_intervals(path, 1, 20)
            pid = self.helper_pid(path)
            os.kill(pid, signal.SIGKILL)
            self.assertEqual(self.wait_ended(path, 15), "failed", self.describe(path))
            self.assert_error_name(self.properties(path), "Internal", path)
            self.assert_reaped(pid)
            # let the server notice its client is gone before the next test
            self.iterate(1.0)
        self.assertTrue(wait_until(lambda: fd_count(self.service.pid) <= baseline + 2, 5),
                        "service fds: %d at baseline, %d after 3 killed helpers"
                        % (baseline, fd_count(self.service.pid)))
        self.assertEqual(self.manager_property("RunningTests"), 0)
        ok = self.start_test(host="127.0.0.1", port=server.port, duration=1, interval=0.5)
        self.assertEqual(self.wait_ended(ok, 60), "finished", self.describe(ok))

    def test_helper_sigstop(self):
        server = self.start_iperf_server()
        t_start = time.monotonic()
        path = self.start_test(host="127.0.0.1", port=server.port, duration=2, connect_timeout=1.0)
        self.wait_state(path, "running", 20)
        pid = self.helper_pid(path)
        with frozen(pid):
            # deadline: connect_timeout + 1 + omit + duration + 15 = 19 s; a
            # stall detector may end it sooner. Either way: Timeout.
            state = self.wait_ended(path, 45)
        elapsed = self.events.state_time(path, TERMINAL_STATES) - t_start
        props = self.properties(path)
        self.assertEqual(state, "failed", self.describe(path))
        message = self.assert_error_name(props, "Timeout", path)
        self.assertTrue("deadline" in message or "stalled" in message, message)
        self.assertTrue(3 <= elapsed <= 30, "the frozen test ended after %.1f s, the deadline is 19 s" % elapsed)
        self.assert_reaped(pid)
        self.assertEqual(props["HelperPid"], 0)
        self.assertEqual(self.manager_property("RunningTests"), 0)

    def test_service_sigterm_with_running_tests(self):
        servers = [self.start_iperf_server() for _ in range(3)]
        paths = [self.start_test(host="127.0.0.1", port=s.port, duration=0, interval=0.5) for s in servers]
        for p in paths:
            self.wait_intervals(p, 1, 20)
        pids = [self.helper_pid(p) for p in paths]
        self.expected_dead_services.add(self.service)
        t0 = time.monotonic()
        self.service.send_signal(signal.SIGTERM)
        # keep dispatching signals while it shuts down
        self.iterate_until(lambda: not self.service.alive(), 10, "trafficd to exit", check_service=False)
        elapsed = time.monotonic() - t0
        status = self.service.wait(1)
        self.assertEqual(status, 0, "trafficd exited with %s on SIGTERM" % status)
        self.assertLess(elapsed, 3.0, "trafficd took %.1f s to exit on SIGTERM" % elapsed)
        for pid in pids:
            self.assert_reaped(pid, timeout=3)
        self.assertEqual(runner_pids(self.tag), [])
        # the tests were told they were stopped before the service left
        self.iterate(0.3)
        for p in paths:
            # (the Log signal of the stop does arrive: the channel works)
            self.assertTrue([1 for _, _, text in self.events.logs(p) if "shutting down" in text],
                            "%s: no Log line about the shutdown" % p)
            states = [v for _, v in self.events.property_changes(p, "State")]
            self.assertIn("stopped", states, "%s: states announced %r" % (p, states))
            errors = [v for _, v in self.events.property_changes(p, "Error")]
            self.assertTrue(errors and errors[-1][0] == ERROR_PREFIX + "Stopped", errors)

    def test_service_sigkill_leaves_no_runner(self):
        servers = [self.start_iperf_server() for _ in range(2)]
        paths = [self.start_test(host="127.0.0.1", port=s.port, duration=0, interval=0.5) for s in servers]
        for p in paths:
            self.wait_intervals(p, 1, 20)
        pids = [self.helper_pid(p) for p in paths]
        self.expected_dead_services.add(self.service)
        self.service.send_signal(signal.SIGKILL)
        self.service.wait(5)
        # the helpers die with the service (PR_SET_PDEATHSIG), quickly
        for pid in pids:
            self.assertTrue(wait_until(lambda: pid_state(pid) in (None, "Z"), 8),
                            "helper %d outlived the killed service" % pid)
        self.assertTrue(wait_until(lambda: not runner_pids(self.tag), 5), runner_pids(self.tag))


if __name__ == "__main__":
    unittest.main(verbosity=2)
