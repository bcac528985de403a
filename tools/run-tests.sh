#!/bin/bash
# Builds and runs the whole test suite (unit, integration, network
# namespaces). Needs root for the namespace tests. With CI=true a skipped
# test fails the run: in CI a missing prerequisite is an error.
set -uo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh || exit 1
out=$(mktemp)
meson test -C build --print-errorlogs "$@" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}

count() { grep -E "^$1:" "$out" | tail -n1 | awk '{print $2}'; }
ok=$(count Ok); fail=$(count Fail); skipped=$(count Skipped); timeout=$(count Timeout)
ok=${ok:-0}; fail=${fail:-0}; skipped=${skipped:-0}; timeout=${timeout:-0}
rm -f "$out"

if [ "${CI:-}" = "true" ] && [ "$skipped" != "0" ]; then
  echo "CI: $skipped test(s) skipped; in CI every prerequisite must be present" >&2
  status=1
fi
echo "tests: $ok passed, $((fail + timeout)) failed, $skipped skipped"
exit "$status"
