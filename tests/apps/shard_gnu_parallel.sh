#!/usr/bin/env bash
# Usage: shard_gnu_parallel.sh COLLABSIM WORKDIR
# The sharding recipe of docs/ci.md, run for real: GNU parallel runs a sweep
# as 3 shards on 2 jobs, `report` merges them, and the merged results.json
# must equal one process's (CPU time aside); so must the verdict (exit code
# and failure lines). Needs `parallel` (scripts/bootstrap installs it).
set -euo pipefail
cli=$1
work=$2
if ! command -v parallel > /dev/null; then
  echo "GNU parallel is not installed: run scripts/bootstrap (Debian package 'parallel')" >&2
  exit 1
fi
rm -rf "$work"
mkdir -p "$work"
cd "$work"
# ot-dopt fails on purpose, so the verdict has something to carry.
args=(--suite two-continents --engines ot,crdt,ot-dopt --seeds 1-5 --gnuplot /nonexistent/gnuplot)
set +e
"$cli" compare "${args[@]}" --out whole > whole.txt 2>&1
whole_code=$?
parallel --will-cite --jobs 2 --halt never \
  "$cli" compare "${args[@]}" --shard {}/3 --out shard-{} '>' shard-{}.txt '2>&1' ::: 1 2 3
"$cli" report shard-1/results.json shard-2/results.json shard-3/results.json --gnuplot /nonexistent/gnuplot \
  --out merged > merged.txt 2>&1
merged_code=$?
set -e
for shard in 1 2 3; do
  [ -s "shard-$shard/results.json" ] || { echo "shard $shard wrote no results.json" >&2; exit 1; }
done
strip() { grep -v '"measured_' "$1"; }
if ! diff <(strip whole/results.json) <(strip merged/results.json) > diff.txt; then
  head -n 40 diff.txt
  echo "the shards GNU parallel ran, merged, differ from one process's run" >&2
  exit 1
fi
runs=$(grep -c '"trace_hash"' merged/results.json)
[ "$runs" -eq 15 ] || { echo "expected 15 runs (3 engines x 5 seeds), got $runs" >&2; exit 1; }
[ "$whole_code" -eq 1 ] && [ "$merged_code" -eq 1 ] || {
  echo "exit codes: one process $whole_code, merged shards $merged_code (both should be 1: ot-dopt diverges)" >&2
  exit 1
}
grep -q '15 runs, 5 failed' merged.txt || { echo "merged report does not count the 5 ot-dopt failures:" >&2; tail -3 merged.txt >&2; exit 1; }
echo "GNU parallel: 3 shards on 2 jobs merged into the $runs runs one process made, identically"
