#!/bin/bash
# The main job, end to end and without touching the system: a private bus,
# a private trafficd on it, a local iperf3 server, then a TCP and a UDP test
# through the service with live output, and the tests it keeps afterwards.
# Usage: tools/demo.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-5}

tools/install-deps.sh

work=$(mktemp -d /tmp/trafficd-demo.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

dbus-daemon --session --nofork --nopidfile --print-address=3 3>"$work/bus" &
pids+=($!)
for _ in $(seq 50); do [ -s "$work/bus" ] && break; sleep 0.1; done
export DBUS_SESSION_BUS_ADDRESS=$(head -n1 "$work/bus")

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
iperf3 -s -B 127.0.0.1 -p "$port" >"$work/iperf3.log" 2>&1 &
pids+=($!)

build/service/trafficd --session --runner build/runner/trafficd-runner >"$work/trafficd.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
  gdbus introspect --session -d org.trafficd.Traffic1 -o /org/trafficd/Traffic1 >/dev/null 2>&1 && break
  sleep 0.1
done

ctl=build/cli/trafficctl
echo "==> trafficd $($ctl --session status | head -n1)"
echo "==> TCP test, ${secs}s, 2 streams, through trafficd (live):"
$ctl --session run 127.0.0.1 -p "$port" -t "$secs" -P 2 --label demo-tcp
echo
echo "==> UDP test at 100 Mbit/s, ${secs}s, through trafficd (live):"
$ctl --session run 127.0.0.1 -p "$port" -u -b 100M -t "$secs" --label demo-udp
echo
echo "==> tests the service keeps (trafficctl list):"
$ctl --session list
echo
echo "==> service log (last lines):"
tail -n 5 "$work/trafficd.log"
