-- GET the stylesheet: no account, no database. The ceiling of HTTP on this machine, to read the
-- other workloads against.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
wrk.path = "/static/hindsight.css"
