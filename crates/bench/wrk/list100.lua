-- GET the JSON list of the newest 100 incidents.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
wrk.path = "/api/v1/incidents?limit=100"
wrk.headers["Authorization"] = "Bearer " .. token
