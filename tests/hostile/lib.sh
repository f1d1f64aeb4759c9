# tests/hostile/lib.sh — the assertions every hostile case gets (sourced by run.sh).
# A case file prepares files under $work, then calls
#   hcase NAME EXPECTED_RC FRAGMENT [--keep FILE]... [--special PATH]... -- COMMAND...
# EXPECTED_RC: a number, or "nonzero". FRAGMENT: text the output (stdout+stderr) must contain ("" for none).
# --keep FILE: must be byte-identical afterwards. --special PATH: must still be the same kind of non-regular
# file (device node, FIFO, symlink) afterwards. /dev/null and /dev/full are always checked.

hostile_total=0
hostile_failed=0
hostile_limit=${HOSTILE_TIMEOUT:-10}

hkind() { # the kind of PATH without following a symlink
    if [ -L "$1" ]; then echo link; elif [ -c "$1" ]; then echo chr; elif [ -b "$1" ]; then echo blk
    elif [ -p "$1" ]; then echo fifo; elif [ -d "$1" ]; then echo dir; elif [ -f "$1" ]; then echo file
    elif [ -e "$1" ]; then echo other; else echo missing; fi
}

hcase() {
    local name=$1 want=$2 frag=$3
    shift 3
    local keep=() special=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        case $1 in
            --keep) keep+=("$2"); shift 2 ;;
            --special) special+=("$2"); shift 2 ;;
            *) echo "hcase $name: unknown option $1" >&2; return 2 ;;
        esac
    done
    shift # --
    hostile_total=$((hostile_total + 1))
    local sums=() kinds=() p
    for p in "${keep[@]+"${keep[@]}"}"; do sums+=("$(sha256sum < "$p")"); done
    special+=(/dev/null /dev/full)
    for p in "${special[@]}"; do kinds+=("$(hkind "$p")"); done
    local out="$work/.hcase.out" rc start end
    start=$(date +%s%N)
    timeout -k 2 "$hostile_limit" "$@" > "$out" 2>&1 < /dev/null
    rc=$?
    end=$(date +%s%N)
    local why=()
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        why+=("hung: killed after ${hostile_limit}s")
    elif [ "$want" = nonzero ]; then
        [ $rc -ne 0 ] || why+=("exit 0, wanted non-zero")
    elif [ $rc -ne "$want" ]; then
        why+=("exit $rc, wanted $want")
    fi
    [ $rc -ge 128 ] && [ $rc -ne 130 ] && [ $rc -ne 143 ] && [ $rc -ne 129 ] && why+=("died of signal $((rc - 128))")
    if [ -n "$frag" ] && ! grep -qF -- "$frag" "$out"; then why+=("message lacks '$frag'"); fi
    local tmps
    tmps=$(find "$work" -name '.*.tmp.*' 2>/dev/null | grep -v '/stale-' | head -3)
    [ -z "$tmps" ] || why+=("temporary left: $tmps")
    local i=0
    for p in "${keep[@]+"${keep[@]}"}"; do
        [ "$(sha256sum < "$p" 2>/dev/null)" = "${sums[$i]}" ] || why+=("$p changed")
        i=$((i + 1))
    done
    i=0
    for p in "${special[@]}"; do
        [ "$(hkind "$p")" = "${kinds[$i]}" ] || why+=("$p was ${kinds[$i]}, is now $(hkind "$p")")
        i=$((i + 1))
    done
    local ms=$(((end - start) / 1000000))
    if [ ${#why[@]} -eq 0 ]; then
        printf 'ok   %-44s exit %-3s %5d ms\n' "$name" "$rc" "$ms"
    else
        hostile_failed=$((hostile_failed + 1))
        printf 'FAIL %-44s exit %-3s %5d ms: %s\n' "$name" "$rc" "$ms" "$(IFS=';'; echo "${why[*]}")"
        sed 's/^/     | /' "$out" | head -8
    fi
    # A failed case must not poison the next: remove what it left.
    find "$work" -name '.*.tmp.*' ! -path '*/stale-*' -delete 2>/dev/null
    rm -f "$out"
    return 0
}

hostile_summary() {
    echo "hostile: $hostile_total cases, $((hostile_total - hostile_failed)) passed, $hostile_failed failed"
    [ "$hostile_failed" -eq 0 ]
}
