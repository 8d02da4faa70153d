#!/usr/bin/env bash
# Usage: compare_baseline.sh COLLABSIM WORKDIR SCENARIO SLOW_SCENARIO
# Regressions against a baseline: two runs of one build show no significant
# change and pass; SLOW_SCENARIO (the same scenario, same name, 30 ms more
# on each link) is caught on p99 latency with exit 1 by compare --baseline
# (terminal, summary.md and index.html) and by diff, and nothing else is called a
# regression (the rules also watch bytes per edit, which did not grow).
set -uo pipefail
cli=$1
work=$2
pair=$3
slow=$4
fail() { echo "compare_baseline: $*" >&2; exit 1; }
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
rules='p99_ms>+10%,wire_bytes_per_edit>+5%'
common=(--engines ot,crdt --seeds 1-4 --gnuplot /nonexistent/gnuplot)

"$cli" compare --suite "$pair" "${common[@]}" --out base > base.txt 2>&1 || fail "baseline run: exit $?"

"$cli" compare --suite "$pair" "${common[@]}" --out same --baseline base/results.json --fail-on "$rules" > same.txt 2>&1
code=$?
[ "$code" -eq 0 ] || fail "same build against itself: exit $code"
grep -q '^No significant change.$' same.txt || fail "same build: a change was reported"
grep -q '^None.$' same.txt || fail "same build: a regression was reported"
grep -q '^## Against the baseline$' same/summary.md || fail "summary.md has no baseline section"

"$cli" compare --suite "$slow" "${common[@]}" --out slow --baseline base/results.json --fail-on "$rules" > slow.txt 2>&1
code=$?
[ "$code" -eq 1 ] || fail "slowed copy: exit $code, expected 1"
for engine in ot crdt; do
  grep -Eq "^- \*\*baseline-pair x $engine\*\*: p99_ms [0-9.]+ -> [0-9.]+ \(\+[0-9.]+%\)$" slow.txt ||
    fail "slowed copy: no p99 regression for $engine"
  grep -q "baseline-pair x $engine\*\*: p99_ms" slow/summary.md || fail "summary.md lacks the $engine regression"
  grep -Eq "<tr><td>baseline-pair</td><td>$engine</td><td>p99 latency \(ms\)</td>" slow/index.html ||
    fail "index.html lacks the $engine p99 change"
done
grep -q '<h2>Against the baseline</h2>' slow/index.html || fail "index.html has no baseline section"
grep -q '<p class="fail">Regressions (p99_ms&gt;+10%, wire_bytes_per_edit&gt;+5%): 2.</p>' slow/index.html ||
  fail "index.html does not say how many regressions"
# Both pages put it right after the verdict.
awk '/^## Verdict/{v=NR} /^## Against the baseline/{b=NR} /^# Every figure/{e=NR} END{exit !(v<b && b<e)}' \
  slow/summary.md || fail "summary.md: the baseline section is not between the verdict and the figures"
[ "$(grep -c '^- \*\*' slow.txt)" -eq 2 ] || fail "slowed copy: regressions other than p99 were reported"

"$cli" diff base/results.json slow/results.json --fail-on 'p99_ms>+10%' > diff.txt
code=$?
[ "$code" -eq 1 ] || fail "diff of the slowed copy: exit $code, expected 1"
grep -Eq '^\| baseline-pair \| ot \| p99 latency \(ms\) \| .* \| paired t, p=' diff.txt || fail "diff: no paired-t p99 row"
"$cli" diff base/results.json same/results.json --fail-on 'p99_ms>+10%' > nodiff.txt || fail "diff of equal runs: exit $?"
echo "compare --baseline and diff: no change between equal runs; the 30 ms slowdown caught on p99 for ot and crdt"
