-- GET the JSON list of the newest 20 incidents.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
wrk.path = "/api/v1/incidents?limit=20"
wrk.headers["Authorization"] = "Bearer " .. token
