#!/bin/bash
# Capture real iperf3 3.12 text output (client and server side) as fixtures
# for tests/test-iperf-parser.c.
#
# Usage: sudo tools/capture-iperf-fixtures.sh [OUTDIR]
#        ONLY="udp_loss_100 tcp" tools/capture-iperf-fixtures.sh   # some only
#
# Every run uses `-f k -V --forceflush`, the same options the runner gives
# libiperf, on 127.0.0.1 ports 5300-5399. Stdout and stderr go to the same file,
# as a reader of both would see them. The lossy UDP fixtures need root: they
# run the server and the client in two network namespaces (trpf-srv, trpf-cli)
# joined by a veth pair, with a tc qdisc on the client's (sending) side. The
# namespaces only hold the 198.18.0.0/15 benchmarking addresses and have no
# route anywhere else; they are removed on exit, even on failure.
#
# tests/test-iperf-parser.c asserts numbers read from the captured files:
# after re-capturing a fixture, update the values the test checks for it.
set -u -o pipefail

OUT=${1:-$(cd "$(dirname "$0")/.." && pwd)/tests/fixtures/iperf}
IPERF=${IPERF:-iperf3}
COMMON=(-f k -V --forceflush)
NS_SRV=trpf-srv
NS_CLI=trpf-cli
VETH_SRV=trpfs0
VETH_CLI=trpfc0
ADDR_SRV=198.18.0.1
ADDR_CLI=198.18.0.2

mkdir -p "$OUT"
case "$($IPERF --version | head -n1)" in
  "iperf 3.12 "*) ;;
  *) echo "warning: fixtures are meant to come from iperf 3.12" >&2 ;;
esac

SERVER_PID=
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
  fi
  ip netns del "$NS_SRV" 2>/dev/null
  ip netns del "$NS_CLI" 2>/dev/null
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# want NAME: NAME is to be (re)captured
want() {
  [ -z "${ONLY:-}" ] && return 0
  case " $ONLY " in *" $1 "*) return 0 ;; esac
  return 1
}

# wait_listening FILE: the server has printed its banner
wait_listening() {
  for _ in $(seq 1 100); do
    grep -q "Server listening" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "server did not start: $1" >&2
  return 1
}

# start_server NAME PORT [NETNS]
start_server() {
  local name=$1 port=$2 ns=${3:-}
  local pre=()
  [ -n "$ns" ] && pre=(ip netns exec "$ns")
  : > "$OUT/$name.server.txt"
  LC_ALL=C timeout 60 "${pre[@]}" "$IPERF" -s -1 -p "$port" "${COMMON[@]}" \
    > "$OUT/$name.server.txt" 2>&1 < /dev/null &
  SERVER_PID=$!
  wait_listening "$OUT/$name.server.txt"
}

wait_server() {
  local rc=0
  if [ -n "$SERVER_PID" ]; then
    wait "$SERVER_PID" || rc=$?
    SERVER_PID=
  fi
  return $rc
}

# run_pair NAME PORT CLIENT-ARGS...: server -1 on PORT, client against it
run_pair() {
  local name=$1 port=$2
  shift 2
  want "$name" || return 0
  echo "== $name" >&2
  start_server "$name" "$port" || return 1
  LC_ALL=C timeout 60 "$IPERF" -c 127.0.0.1 -p "$port" "${COMMON[@]}" "$@" \
    > "$OUT/$name.client.txt" 2>&1 < /dev/null
  wait_server
}

# run_ns_pair NAME PORT SETUP-TC CLIENT-ARGS...: the same across the veth pair
run_ns_pair() {
  local name=$1 port=$2 setup=$3
  shift 3
  want "$name" || return 0
  echo "== $name" >&2
  setup_netns || return 1
  $setup || return 1
  start_server "$name" "$port" "$NS_SRV" || return 1
  LC_ALL=C timeout 60 ip netns exec "$NS_CLI" \
    "$IPERF" -c "$ADDR_SRV" -p "$port" "${COMMON[@]}" "$@" \
    > "$OUT/$name.client.txt" 2>&1 < /dev/null
  wait_server
  ip netns del "$NS_SRV" 2>/dev/null
  ip netns del "$NS_CLI" 2>/dev/null
  return 0
}

setup_netns() {
  ip netns del "$NS_SRV" 2>/dev/null
  ip netns del "$NS_CLI" 2>/dev/null
  ip netns add "$NS_SRV" || return 1
  ip netns add "$NS_CLI" || return 1
  ip link add "$VETH_SRV" netns "$NS_SRV" type veth \
    peer name "$VETH_CLI" netns "$NS_CLI" || return 1
  ip -n "$NS_SRV" addr add "$ADDR_SRV/30" dev "$VETH_SRV" || return 1
  ip -n "$NS_CLI" addr add "$ADDR_CLI/30" dev "$VETH_CLI" || return 1
  ip -n "$NS_SRV" link set lo up
  ip -n "$NS_CLI" link set lo up
  ip -n "$NS_SRV" link set "$VETH_SRV" up || return 1
  ip -n "$NS_CLI" link set "$VETH_CLI" up || return 1
}

# Nearly all UDP data datagrams the client sends are dropped: they go to an
# htb class limited to 8 kbit/s with a 1-packet queue, so about one 1448-byte
# datagram in a thousand gets through. The receiver counts losses from
# sequence-number gaps, so it must see a few datagrams to report any loss at
# all; with this it prints "(1e+02%)". Tiny UDP datagrams (IP total length
# < 64: the 4-byte "UDP connect" handshake that sets up the stream) pass
# unharmed. The kernel here has neither the prio qdisc nor act_gact ("action
# drop"), hence htb and u32 classification instead of a drop action.
tc_starve_udp() {
  local tc=(ip netns exec "$NS_CLI" tc)
  "${tc[@]}" qdisc add dev "$VETH_CLI" root handle 1: htb default 1 r2q 1000 || return 1
  "${tc[@]}" class add dev "$VETH_CLI" parent 1: classid 1:1 htb rate 1gbit || return 1
  "${tc[@]}" class add dev "$VETH_CLI" parent 1: classid 1:2 htb \
    rate 8kbit ceil 8kbit burst 1600 cburst 1600 quantum 1600 || return 1
  "${tc[@]}" qdisc add dev "$VETH_CLI" parent 1:2 handle 20: pfifo limit 1 || return 1
  "${tc[@]}" filter add dev "$VETH_CLI" parent 1: protocol ip prio 1 \
    u32 match ip protocol 17 0xff match u16 0x0000 0xffc0 at 2 \
    flowid 1:1 || return 1
  "${tc[@]}" filter add dev "$VETH_CLI" parent 1: protocol ip prio 2 \
    u32 match ip protocol 17 0xff flowid 1:2 || return 1
}

tc_rate_limit() {
  ip netns exec "$NS_CLI" tc qdisc add dev "$VETH_CLI" root \
    tbf rate 5mbit burst 32kbit latency 50ms
}

# A plain TCP/UDP run on 127.0.0.1
run_pair tcp              5301 -t 3
run_pair tcp_reverse      5302 -t 3 -R
run_pair tcp_bidir        5303 -t 3 --bidir
run_pair tcp_p3           5304 -t 3 -P 3
run_pair tcp_p2_bidir     5305 -t 3 -P 2 --bidir
run_pair tcp_omit         5306 -t 3 -O 1
run_pair udp              5307 -t 3 -u -b 10M
run_pair udp_reverse      5308 -t 3 -u -b 10M -R
run_pair udp_p2           5309 -t 3 -u -b 10M -P 2
run_pair udp_bidir        5310 -t 3 -u -b 10M --bidir
run_pair tcp_interval_0_5 5311 -t 3 -i 0.5
run_pair tcp_bytes        5312 -n 5G
run_pair udp_p2_reverse   5313 -t 2 -u -b 10M -P 2 -R

if want tcp_ipv6; then
echo "== tcp_ipv6" >&2
: > "$OUT/tcp_ipv6.server.txt"
LC_ALL=C timeout 60 "$IPERF" -s -1 -p 5314 "${COMMON[@]}" \
  > "$OUT/tcp_ipv6.server.txt" 2>&1 < /dev/null &
SERVER_PID=$!
wait_listening "$OUT/tcp_ipv6.server.txt" &&
  LC_ALL=C timeout 60 "$IPERF" -c ::1 -p 5314 "${COMMON[@]}" -t 2 \
    > "$OUT/tcp_ipv6.client.txt" 2>&1 < /dev/null
wait_server
fi

# Errors
if want error_refused; then
echo "== error_refused" >&2
LC_ALL=C timeout 30 "$IPERF" -c 127.0.0.1 -p 5399 "${COMMON[@]}" -t 1 \
  > "$OUT/error_refused.client.txt" 2>&1 < /dev/null
fi

if want error_unknown_host; then
echo "== error_unknown_host" >&2
LC_ALL=C timeout 30 "$IPERF" -c nonexistent.invalid -p 5399 "${COMMON[@]}" -t 1 \
  > "$OUT/error_unknown_host.client.txt" 2>&1 < /dev/null
fi

if want error_busy; then
echo "== error_busy" >&2
start_server error_busy 5320
LC_ALL=C timeout 60 "$IPERF" -c 127.0.0.1 -p 5320 "${COMMON[@]}" -t 3 \
  > /dev/null 2>&1 < /dev/null &
first=$!
sleep 1
LC_ALL=C timeout 30 "$IPERF" -c 127.0.0.1 -p 5320 "${COMMON[@]}" -t 1 \
  > "$OUT/error_busy.client.txt" 2>&1 < /dev/null
wait "$first"
wait_server
fi

if want tcp_sigint; then
echo "== tcp_sigint" >&2
start_server tcp_sigint 5321
LC_ALL=C timeout 60 "$IPERF" -c 127.0.0.1 -p 5321 "${COMMON[@]}" -t 10 \
  > "$OUT/tcp_sigint.client.txt" 2>&1 < /dev/null &
client=$!
sleep 2.5
kill -INT "$client"
wait "$client"
wait_server
fi

if want udp_sigint; then
echo "== udp_sigint" >&2
start_server udp_sigint 5322
LC_ALL=C timeout 60 "$IPERF" -c 127.0.0.1 -p 5322 "${COMMON[@]}" -t 10 -u -b 10M \
  > "$OUT/udp_sigint.client.txt" 2>&1 < /dev/null &
client=$!
sleep 2.5
kill -INT "$client"
wait "$client"
wait_server
fi

# Lossy UDP across the veth pair (root only)
if [ "$(id -u)" = 0 ]; then
  run_ns_pair udp_loss_100     5330 tc_starve_udp -t 3 -u -b 10M
  run_ns_pair udp_loss_partial 5331 tc_rate_limit -t 3 -u -b 20M
else
  echo "not root: skipping udp_loss_100 and udp_loss_partial" >&2
fi

echo "fixtures in $OUT" >&2
