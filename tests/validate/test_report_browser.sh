#!/bin/sh
# test_report_browser.sh — report.html in a real browser (headless Chromium): the page loads without console
# errors; the DOM holds the coloured verdict banner, the table of contents, "What failed and why", one inline
# SVG per plot in plots/ and an anchor for every plot the contents link to; a screenshot is taken and kept
# (${TMPDIR:-/tmp}/tritbench-validate-report.png) to look at.
# Usage: test_report_browser.sh TRITBENCH [REPORT_DIR]
#   without REPORT_DIR it writes one: `validate --suite kernels --quick` (a few seconds; nothing is timed).
# Skipped (77) without chromium or gnuplot.
set -u
tb=$1 report=${2:-}
chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$chrome" ] || { echo "SKIP: no chromium on PATH (Debian: apt-get install chromium)"; exit 77; }
command -v gnuplot >/dev/null || { echo "SKIP: no gnuplot: the report has no plots to check"; exit 77; }
tmp=$(mktemp -d) || exit 1
profile=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp" "$profile"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ -z "$report" ]; then
    report=$tmp/r
    "$tb" validate --suite kernels --quick --seed 5 --out "$report" > "$tmp/validate.out" 2>&1
    rc=$?
    [ "$rc" -le 1 ] || fail "validate exit $rc: $(tail -5 "$tmp/validate.out")"
fi
[ -s "$report/report.html" ] || fail "no $report/report.html"
plots=$(ls "$report"/plots/*.svg 2>/dev/null | wc -l)
[ "$plots" -gt 0 ] || fail "no SVG plot in $report/plots"

flags="--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir=$profile --enable-logging=stderr --v=0"
url="file://$(cd "$report" && pwd)/report.html"
# shellcheck disable=SC2086
timeout 120 "$chrome" $flags --dump-dom "$url" > "$tmp/dom.html" 2> "$tmp/chrome.log" ||
    fail "chromium --dump-dom: $(tail -5 "$tmp/chrome.log")"
grep -q 'CONSOLE.*\(Uncaught\|Error\)' "$tmp/chrome.log" && fail "console errors: $(grep CONSOLE "$tmp/chrome.log")"
grep -Eq '<div id="verdict" class="(fail|pass|inconclusive|na)">' "$tmp/dom.html" || fail "DOM: no verdict banner"
grep -q '<nav id="toc">' "$tmp/dom.html" || fail "DOM: no table of contents"
grep -q 'id="failures"' "$tmp/dom.html" || fail "DOM: no 'What failed and why'"
grep -q 'id="summary"' "$tmp/dom.html" || fail "DOM: no per-target summary"
[ "$(grep -o '<figure class="plot"' "$tmp/dom.html" | wc -l)" -eq "$plots" ] || fail "DOM: not one figure per plot ($plots)"
[ "$(grep -o '<svg' "$tmp/dom.html" | wc -l)" -ge "$plots" ] || fail "DOM: fewer inline SVGs than plots ($plots)"
# every anchor the contents link to exists
for a in $(grep -o 'href="#[^"]*"' "$tmp/dom.html" | sed 's/href="#//; s/"$//' | sort -u); do
    grep -q "id=\"$a\"" "$tmp/dom.html" || fail "DOM: the contents link to #$a, which does not exist"
done
grep -q 'href="#plot-' "$tmp/dom.html" || fail "DOM: the contents link to no plot"
# shellcheck disable=SC2086
timeout 120 "$chrome" $flags --window-size=1400,2400 --screenshot="$tmp/shot.png" "$url" 2>> "$tmp/chrome.log" ||
    fail "chromium --screenshot"
[ "$(wc -c < "$tmp/shot.png")" -gt 20000 ] || fail "screenshot too small (blank page?)"
cp "$tmp/shot.png" "${TMPDIR:-/tmp}/tritbench-validate-report.png"
echo "report.html: $plots plots inline, contents anchors resolve; screenshot ${TMPDIR:-/tmp}/tritbench-validate-report.png"
