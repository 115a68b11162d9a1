#!/usr/bin/env bash
# The web benchmark of BENCHMARKS.md: `hindsight serve` over SQLite, measured with wrk.
#
#   crates/bench/serve-bench.sh            # 10,000 incidents, wrk -t2 -c16 -d20s --latency
#   INCIDENTS=1000 DURATION=5s crates/bench/serve-bench.sh   # a quick look
#
# Seeds a fresh database in a temporary directory (`hindsight-bench seed-serve`: N incidents of
# 20 timeline events and 3 action items, an editor with an API token and a browser session),
# starts the release binary on 127.0.0.1 and times it to its first 200 from /healthz (several
# starts, the median reported), reads its idle memory, then runs wrk on each workload (a 3 s
# warm-up, then the measured run) and prints one table. The server's peak memory is its VmHWM at
# the end. The scripts of the workloads are in crates/bench/wrk/.
set -euo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
INCIDENTS=${INCIDENTS:-10000}
DURATION=${DURATION:-20s}
WARMUP=${WARMUP:-3s}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-16}
STARTS=${STARTS:-5}
# Keep the temporary directory (database and server log) for a look afterwards.
KEEP=${KEEP:-0}
# Another server binary to measure (an earlier build, for a before/after comparison).
HINDSIGHT_BIN=${HINDSIGHT_BIN:-}

if ! command -v wrk >/dev/null; then
    echo "installing wrk …" >&2
    SUDO=$([ "$(id -u)" -eq 0 ] || echo sudo)
    $SUDO apt-get install -y wrk >&2 || { $SUDO apt-get update >&2 && $SUDO apt-get install -y wrk >&2; }
fi

echo "building the release binaries …" >&2
cargo build --release --quiet -p hindsight-cli -p hindsight-bench
HINDSIGHT=${HINDSIGHT_BIN:-$ROOT/target/release/hindsight}
BENCH=$ROOT/target/release/hindsight-bench

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hindsight-serve-bench.XXXXXX")
DB=$WORK/bench.db
PID=
cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
        kill "$PID"
        while kill -0 "$PID" 2>/dev/null; do sleep 0.1; done
    fi
    if [ "$KEEP" = 1 ]; then
        echo "kept $WORK" >&2
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

echo "seeding $INCIDENTS incidents in $DB …" >&2
eval "$("$BENCH" seed-serve --db "$DB" --incidents "$INCIDENTS")"
export HINDSIGHT_TOKEN HINDSIGHT_SESSION
export HINDSIGHT_INCIDENTS=$INCIDENTS
export BENCH_WRK_DIR=$ROOT/crates/bench/wrk
export BENCH_RUN=${BENCH_RUN:-$(date +%s)}
DB_MB=$(du -m "$DB" | cut -f1)

# A port nothing listens on.
PORT=
for candidate in $(shuf -i 20000-60000 -n 50); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
        PORT=$candidate
        break
    fi
done
[ -n "$PORT" ] || { echo "no free port found" >&2; exit 1; }
BASE=http://127.0.0.1:$PORT

echo "starting the server $STARTS times on $BASE …" >&2
START=$("$BENCH" cold-start --url "$BASE/healthz" --log "$WORK/server.log" --runs "$STARTS" -- \
    "$HINDSIGHT" --db "$DB" serve --listen "127.0.0.1:$PORT" --no-sample)
PID=$(sed -n 's/^pid=//p' <<<"$START")
COLD=$(sed -n 's/.*cold_start_ms_median=\([0-9.]*\).*/\1/p' <<<"$START")
COLD_RANGE=$(sed -n 's/.*cold_start_ms_min=\([0-9.]*\) cold_start_ms_max=\([0-9.]*\).*/\1–\2/p' <<<"$START")

kb() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$PID/status"; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# Idle: after one request of each kind, then a second of quiet.
check() {
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' "$@")
    [ "$code" = 200 ] || { echo "expected 200 from $*, got $code" >&2; exit 1; }
}
check "$BASE/healthz"
check -H "Authorization: Bearer $HINDSIGHT_TOKEN" "$BASE/api/v1/incidents?limit=100"
check -H "Authorization: Bearer $HINDSIGHT_TOKEN" "$BASE/api/v1/incidents/INC-1"
check -b "hindsight_session=$HINDSIGHT_SESSION" "$BASE/incidents/INC-1"
sleep 1
IDLE_KB=$(kb VmRSS)
IDLE_ANON_KB=$(kb RssAnon)

WORKLOADS=(list100 list20 detail page create add_event)
declare -A LABEL=(
    [list100]="JSON list, newest 100"
    [list20]="JSON list, newest 20"
    [detail]="one incident's JSON, random id"
    [page]="post-mortem HTML page, random id"
    [create]="create an incident (POST)"
    [add_event]="add a timeline event (POST)"
)
declare -A RESULT
MAX_RSS_KB=$IDLE_KB
MAX_ANON_KB=$IDLE_ANON_KB
for workload in "${WORKLOADS[@]}"; do
    script=$BENCH_WRK_DIR/$workload.lua
    echo "$workload: warm-up $WARMUP, then wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency" >&2
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -s "$script" "$BASE" >/dev/null
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$script" "$BASE")
    echo "$out" >"$WORK/wrk-$workload.txt"
    RESULT[$workload]=$(grep '^RESULT' <<<"$out")
    rss=$(kb VmRSS)
    anon=$(kb RssAnon)
    [ "$rss" -gt "$MAX_RSS_KB" ] && MAX_RSS_KB=$rss
    [ "$anon" -gt "$MAX_ANON_KB" ] && MAX_ANON_KB=$anon
done
PEAK_KB=$(kb VmHWM)
AFTER_KB=$(kb VmRSS)

field() { sed -n "s/.*$2=\([0-9.]*\).*/\1/p" <<<"${RESULT[$1]}"; }
echo
echo "$HINDSIGHT serve, SQLite, $INCIDENTS incidents ($DB_MB MB), wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, $(nproc) cores, $(date -u +%F)"
printf '| %-34s | %9s | %8s | %8s | %8s | %s |\n' workload "req/s" "p50 ms" "p90 ms" "p99 ms" "non-2xx / errors"
printf '|%s|%s|%s|%s|%s|%s|\n' "------------------------------------" "----------:" "---------:" "---------:" "---------:" "---"
for workload in "${WORKLOADS[@]}"; do
    printf '| %-34s | %9s | %8s | %8s | %8s | %s / %s |\n' "${LABEL[$workload]}" \
        "$(field "$workload" rps)" "$(field "$workload" p50_ms)" "$(field "$workload" p90_ms)" \
        "$(field "$workload" p99_ms)" "$(field "$workload" non2xx)" "$(field "$workload" socket_errors)"
done
echo
echo "cold start to the first 200 of /healthz: $COLD ms (median of $STARTS starts, $COLD_RANGE ms)"
echo "memory: idle $(mb "$IDLE_KB") MB (VmRSS after one request of each kind; $(mb "$IDLE_ANON_KB") MB of it anonymous)"
echo "        peak $(mb "$PEAK_KB") MB (VmHWM); largest after a workload $(mb "$MAX_RSS_KB") MB, of it anonymous (not the mapped database) $(mb "$MAX_ANON_KB") MB; $(mb "$AFTER_KB") MB at the end"
