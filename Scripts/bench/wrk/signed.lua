-- Sends the pre-signed raw requests of the pool file $BENCH_POOL (NUL-separated; written by
-- Scripts/bench/sigv4_pool.py just before the run) in turn, for measuring with signature
-- verification on.
local pool = {}
local index = 0

function init(args)
  local file = assert(io.open(os.getenv("BENCH_POOL"), "rb"))
  local data = file:read("*a")
  file:close()
  for request in string.gmatch(data, "([^%z]+)") do
    pool[#pool + 1] = request
  end
  index = math.random(0, #pool - 1)
end

function request()
  index = index + 1
  if index > #pool then index = 1 end
  return pool[index]
end
