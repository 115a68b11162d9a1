-- What every workload of serve-bench.sh shares: the caller's credentials, a thread id for
-- random seeds and distinct texts, and one line of results for the script to read.
--
-- Environment: HINDSIGHT_TOKEN (an editor's API token), HINDSIGHT_SESSION (its session cookie),
-- HINDSIGHT_INCIDENTS (the ids are INC-1 … INC-N), BENCH_RUN (a nonce that makes texts of this
-- run differ from those of earlier runs on the same database).

token = os.getenv("HINDSIGHT_TOKEN") or error("HINDSIGHT_TOKEN is not set")
session = os.getenv("HINDSIGHT_SESSION") or ""
incidents = tonumber(os.getenv("HINDSIGHT_INCIDENTS") or "10000")
run = os.getenv("BENCH_RUN") or tostring(os.time())

local threads = 0

function setup(thread)
   threads = threads + 1
   thread:set("id", threads)
end

function init(args)
   math.randomseed(os.time() * 100 + id)
end

-- A random incident key among the seeded ones.
function random_key()
   return "INC-" .. math.random(1, incidents)
end

function done(summary, latency, requests)
   local seconds = summary.duration / 1e6
   local e = summary.errors
   io.write(string.format(
      "RESULT rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f requests=%d non2xx=%d socket_errors=%d\n",
      summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000,
      latency:percentile(99) / 1000, latency.max / 1000,
      summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
