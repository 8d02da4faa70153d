#!/usr/bin/env bash
# Usage: shard_merge.sh COLLABSIM WORKDIR
# Runs a suite whole and in two shards, merges the shards with `report`, and
# checks the merged results.json equals the whole one (CPU time aside).
set -euo pipefail
cli=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
args=(--suite two-continents --engines ot,crdt --seeds 1-6 --gnuplot /nonexistent/gnuplot)
"$cli" compare "${args[@]}" --out "$work/whole" > /dev/null 2>&1
"$cli" compare "${args[@]}" --shard 1/2 --out "$work/s1" > /dev/null 2>&1
"$cli" compare "${args[@]}" --shard 2/2 --out "$work/s2" > /dev/null 2>&1
"$cli" report "$work/s1/results.json" "$work/s2/results.json" --gnuplot /nonexistent/gnuplot --out "$work/merged" > /dev/null 2>&1
strip() { grep -v '"measured_' "$1"; }
if ! diff <(strip "$work/whole/results.json") <(strip "$work/merged/results.json") > "$work/diff.txt"; then
  head -n 40 "$work/diff.txt"
  echo "merged shards differ from the unsharded run" >&2
  exit 1
fi
runs=$(grep -c '"trace_hash"' "$work/merged/results.json")
[ "$runs" -eq 12 ] || { echo "expected 12 runs (2 engines x 6 seeds), got $runs" >&2; exit 1; }
echo "shards merged: $runs runs identical"
