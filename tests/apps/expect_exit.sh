#!/usr/bin/env bash
# Usage: expect_exit.sh CODE REGEX COMMAND...
# Runs COMMAND; passes when it exits with CODE and its output matches REGEX.
set -u
expected_code=$1
pattern=$2
shift 2
output=$("$@" 2>&1)
code=$?
if [ "$code" -ne "$expected_code" ]; then
  printf '%s\n' "$output" | tail -n 30
  echo "expected exit code $expected_code, got $code" >&2
  exit 1
fi
if ! printf '%s\n' "$output" | grep -Eq -- "$pattern"; then
  printf '%s\n' "$output" | tail -n 30
  echo "output does not match: $pattern" >&2
  exit 1
fi
exit 0
