-- GET one incident's JSON (incident, figures, whole document) by a random id.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
wrk.headers["Authorization"] = "Bearer " .. token

function request()
   return wrk.format("GET", "/api/v1/incidents/" .. random_key())
end
