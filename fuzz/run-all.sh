#!/usr/bin/env bash
# Runs every fuzz target (or those named after the seconds) one after the other, SECONDS each,
# on one core, and prints a table of what each did. Logs go to fuzz/logs/<target>.log, finds to
# fuzz/artifacts/<target>/; a crash does not stop the other targets.
#
#   fuzz/run-all.sh 60                      # every target, 60 s each
#   fuzz/run-all.sh 300 slack_day extract   # two targets, 5 min each
#
# Stable Rust only: RUSTC_BOOTSTRAP=1 lets cargo fuzz pass its -Z flags. Targets are built with
# debug assertions (-a), so an arithmetic overflow is a crash rather than a silent wrap. Set
# FUZZ_SANITIZER=none when the address sanitizer cannot be built.
set -uo pipefail

seconds="${1:-60}"
shift || true
fuzz="$(cd "$(dirname "$0")" && pwd)"
cd "$fuzz"
export RUSTC_BOOTSTRAP=1
sanitizer="${FUZZ_SANITIZER:-address}"

if [ "$#" -gt 0 ]; then
    targets=("$@")
else
    mapfile -t targets < <(cargo fuzz list)
fi

[ -d corpus ] || ./seed.sh
mkdir -p logs
cargo fuzz build -a -s "$sanitizer" || exit 1

summary="logs/summary.md"
{
    echo "| target | seconds | runs | exec/s | cov | ft | corpus | peak RSS MB | result |"
    echo "|---|---|---|---|---|---|---|---|---|"
} >"$summary"

failed=0
for target in "${targets[@]}"; do
    log="logs/$target.log"
    mkdir -p "corpus/$target" "artifacts/$target"
    echo "== $target: $seconds s" >&2
    # One process, one worker (libFuzzer's default): the machine has two cores and other work.
    cargo fuzz run -a -s "$sanitizer" "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="artifacts/$target/" >"$log" 2>&1
    status=$?
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)"
    speed="$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)"
    rss="$(grep -o 'stat::peak_rss_mb: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)"
    last="$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)"
    cov="$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$last")"
    ft="$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")"
    corp="$(sed -nE 's/.* corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$last")"
    if [ "$status" -eq 0 ]; then
        result="no crash"
    else
        failed=1
        artifact="$(grep -o 'Test unit written to [^ ]*' "$log" | tail -1 | sed 's/Test unit written to //')"
        reason="$(grep -m1 -oE 'ERROR: libFuzzer: [a-z-]+|panicked at [^:]+:[0-9]+:[0-9]+' "$log" | head -1)"
        result="CRASH (exit $status): ${reason:-see $log} ${artifact:+→ $artifact}"
    fi
    echo "| $target | $seconds | ${runs:-?} | ${speed:-?} | ${cov:-?} | ${ft:-?} | ${corp:-?} | ${rss:-?} | $result |" >>"$summary"
done

cat "$summary"
exit "$failed"
