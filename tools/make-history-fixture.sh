#!/bin/bash
# Writes the history fixture database of the CURRENT schema version with the
# real history code, as tests/fixtures/history/vN.db.
#
# Run it once, when a schema version is introduced (td-history-schema.c),
# and commit the file. Never regenerate an existing fixture: each one is
# the proof that a database written by that version still migrates.
# Usage: tools/make-history-fixture.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:-build}
version=$(sed -n 's/^#define TD_HISTORY_SCHEMA_VERSION \([0-9]*\)$/\1/p' service/td-history-schema.h)
out=tests/fixtures/history/v${version}.db
if [ -e "$out" ]; then
  echo "$out exists; fixtures are never regenerated (add a new schema version instead)" >&2
  exit 1
fi
meson compile -C "$build" tests/make-history-fixture
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$build/tests/make-history-fixture" --record "$dir"
"$build/tests/make-history-fixture" --finish "$dir" "$out"
echo "wrote $out (schema version $version)"
