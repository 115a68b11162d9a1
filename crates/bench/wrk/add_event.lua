-- POST a timeline event to a random incident. Every text is distinct (run, thread, counter), so
-- each request is a real insert, never a duplicate the store skips.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"

local kinds = { "note", "action", "communication", "note" }
local n = 0

function request()
   n = n + 1
   local body = string.format(
      '{"at":"2026-%02d-%02dT%02d:%02d:%02dZ","kind":"%s",'
         .. '"text":"Bench %s-%d-%d: queue depth at %d, watching the consumers",'
         .. '"author":"Sam Rivera","evidence":["https://logs.example.com/search?q=bench-%d-%d"]}',
      math.random(1, 11), math.random(1, 28), math.random(0, 23), math.random(0, 59),
      math.random(0, 59), kinds[n % #kinds + 1], run, id, n, math.random(100, 90000), id, n)
   return wrk.format("POST", "/api/v1/incidents/" .. random_key() .. "/timeline", nil, body)
end
