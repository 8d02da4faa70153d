#!/usr/bin/env bash
# Usage: report_page.sh COLLABSIM WORKDIR CHECK_REPORT_PAGE
# The report page as a reader sees it: a small comparison's index.html
# (every default engine and the ideal, as `make compare` draws them, on a
# scenario whose verdict cells are as long as a real comparison's),
# opened in headless Chromium at 1280 px by scripts/check-report-page, has no
# console message, no broken image or empty chart, and no table wider than
# the page. And the check can fail: a page with each of those faults is
# refused, naming every one.
set -euo pipefail
cli=$1
work=$2
check=$3
rm -rf "$work"
mkdir -p "$work"
cd "$work"
scenario=$(cd "$(dirname "$0")" && pwd)/report_page_scenario.textproto
"$cli" compare --suite "$scenario" --seeds 1-2 --out report > compare.txt 2>&1
grep -q ">ideal<" report/index.html
"$check" report/index.html report.png
test -s report.png
grep -q "<h2>Verdict</h2>" report/index.html

cat > bad.html <<'HTML'
<!DOCTYPE html><html><head><style>body { max-width: 600px; }</style></head><body>
<table><tr><td style="min-width: 900px">a table too wide for the page</td></tr></table>
<img src="missing.png"><svg width="300" height="200"></svg>
<script>console.error("boom");</script></body></html>
HTML
if "$check" bad.html > bad.out 2> bad.err; then
  echo "a broken page passed the check" >&2
  exit 1
fi
for expected in 'console: .*"boom"' 'table 1 is 9[0-9][0-9] px wide' 'broken image missing.png' 'chart 1 draws nothing'; do
  if ! grep -Eq "$expected" bad.err; then
    echo "the check did not report /$expected/:" >&2
    cat bad.err >&2
    exit 1
  fi
done
echo "report page: passed; a broken page is refused with its four faults named"
