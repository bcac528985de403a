#!/bin/sh
# Runs a validator (desktop-file-validate, appstreamcli) on a data file.
# A missing validator skips the test (exit 77), or fails it when CI=true.
tool="$1"
if ! command -v "$tool" >/dev/null 2>&1; then
  if [ "$CI" = "true" ]; then
    echo "missing prerequisite (CI=true makes this a failure): $tool is not installed" >&2
    exit 1
  fi
  echo "SKIP: $tool is not installed" >&2
  exit 77
fi
exec "$@"
