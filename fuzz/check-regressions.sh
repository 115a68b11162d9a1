#!/usr/bin/env bash
# Runs every target once over each input saved in fuzz/regressions/<target>/ (crashes found by
# fuzzing, kept small and committed). Exits non-zero when any of them still fails.
set -uo pipefail
fuzz="$(cd "$(dirname "$0")" && pwd)"
cd "$fuzz"
export RUSTC_BOOTSTRAP=1
sanitizer="${FUZZ_SANITIZER:-address}"
failed=0
for dir in regressions/*/; do
    target="$(basename "$dir")"
    mapfile -t inputs < <(find "$dir" -type f | sort)
    [ "${#inputs[@]}" -gt 0 ] || continue
    if cargo fuzz run -a -s "$sanitizer" "$target" "${inputs[@]}" >/dev/null 2>"/tmp/regression-$target.log"; then
        echo "ok      $target (${#inputs[@]} inputs)"
    else
        echo "FAILED  $target: see /tmp/regression-$target.log"
        failed=1
    fi
done
exit "$failed"
