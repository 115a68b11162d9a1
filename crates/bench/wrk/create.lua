-- POST a new incident (an editor's API token), each with its own title.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"

local services = { "checkout-api", "payments", "search", "auth", "notifications", "cdn" }
local zones = { "UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo" }
local n = 0

function request()
   n = n + 1
   local body = string.format(
      '{"title":"Bench %s-%d-%d: %s returned 502s after a deploy","severity":"SEV-%d",'
         .. '"services":["%s","%s"],"timezone":"%s"}',
      run, id, n, services[n % #services + 1], n % 5 + 1,
      services[n % #services + 1], services[(n + 2) % #services + 1], zones[n % #zones + 1])
   return wrk.format("POST", "/api/v1/incidents", nil, body)
end
