-- GET one post-mortem HTML page by a random id, signed in with a browser session.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
wrk.headers["Cookie"] = "hindsight_session=" .. session

function request()
   return wrk.format("GET", "/incidents/" .. random_key())
end
