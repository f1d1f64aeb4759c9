#!/bin/sh
# test_planted_failure.sh — issue 14's planted failure: a profile whose memory target is 500× (every packed layer
# is 13–20×) must make `tritbench validate --suite kernels --quick` exit 1, with the banner saying FAIL and the
# memory rows at the top of report.md's "What failed and why", each with its reason (measured vs the 500×
# threshold, by how much). report.html must say the same, coloured. Nothing here is timed: the quick speed rows
# are not signed off, so only the planted target can fail.
# Usage: test_planted_failure.sh TRITBENCH SOURCE_ROOT
set -u
tb=$1 src=$2
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; [ -f "$dir/r/report.md" ] && sed -n '1,40p' "$dir/r/report.md"; exit 1; }

# The shipped profile with one number changed: memory_reduction's "min" 8.2 → 500.
sed '/"memory_reduction":/s/"min": *8\.2/"min": 500/' "$src/catalog/profiles/bitnet-phase4.json" > "$dir/planted.json"
grep -q '"memory_reduction": {"min": 500' "$dir/planted.json" || fail "could not plant the 500x target"

"$tb" validate --suite kernels --quick --seed 7 --profile "$dir/planted.json" --out "$dir/r" > "$dir/out" 2> "$dir/err"
rc=$?
[ "$rc" -eq 1 ] || { tail -20 "$dir/err"; fail "exit $rc, wanted 1 (a failed target)"; }
md=$dir/r/report.md
[ -s "$md" ] || fail "no report.md"

# First screen: the banner says FAIL.
head -5 "$md" | grep -q 'Verdict: FAIL' || fail "report.md does not open with 'Verdict: FAIL'"
# The summary row of the planted target counts its failures.
grep -Eq '^\| kernels \| memory_reduction \| ≥ 500\.00× \| [0-9]+ \| .* \| [0-9]+ \*\*FAIL\*\*' "$md" ||
    fail "summary row of memory_reduction does not show its FAILs"
# "What failed and why": its first item is the planted target, with its reason.
first=$(sed -n '/^## What failed and why/,/^## /p' "$md" | grep -m1 '^1\. ')
[ -n "$first" ] || fail "no first item under 'What failed and why'"
echo "$first" | grep -q '^1\. \*\*FAIL\*\* kernels · memory_reduction — ' || fail "first item is not the planted target: $first"
echo "$first" | grep -Eq 'measured [0-9.]+×, [0-9.]+ % below the threshold ≥ 500\.00×' ||
    fail "first item lacks measured vs threshold and by how much: $first"
# Every FAIL of the sign-off is listed before anything else, and all of them are the planted target.
n_fail=$(sed -n '/^## Sign-off/,/^## Sections/p' "$md" | grep -c '\*\*FAIL\*\*')
n_why=$(sed -n '/^## What failed and why/,/^## Sign-off/p' "$md" | grep -c '^[0-9]*\. \*\*FAIL\*\* kernels · memory_reduction')
[ "$n_fail" -gt 0 ] && [ "$n_fail" -eq "$n_why" ] || fail "sign-off FAIL rows $n_fail, 'why' items for them $n_why"
first_row=$(sed -n '/^## Sign-off/,/^## Sections/p' "$md" | grep -m1 '^| kernels')
echo "$first_row" | grep -q 'memory_reduction .*\*\*FAIL\*\*' || fail "the sign-off table does not start with a FAIL: $first_row"

# report.html: a red banner, the failure first in the list, verdict cells coloured.
html=$dir/r/report.html
grep -q '<div id="verdict" class="fail"><h1>Verdict: FAIL' "$html" || fail "report.html: no red FAIL banner"
grep -A1 '<ol class="why">' "$html" | sed -n 2p | grep -q '<li class="fail"><span class="tag fail">FAIL</span> <b>kernels · memory_reduction</b>' ||
    fail "report.html: the planted failure is not first in 'What failed and why'"
grep -q '<td class="v fail">FAIL</td>' "$html" || fail "report.html: FAIL cells are not coloured"
grep -q 'id="toc"' "$html" || fail "report.html: no table of contents"
echo "planted failure: exit 1, first reason: $first"
