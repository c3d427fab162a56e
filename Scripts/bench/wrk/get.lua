-- GetItem of random existing keys (k-1 .. k-BENCH_KEYS, loaded beforehand).
package.path = package.path .. ";" .. os.getenv("BENCH_LUA_PATH") .. "/?.lua"
local common = require("common")
common.setup("GetItem")
local keys = tonumber(os.getenv("BENCH_KEYS") or "10000")

function init(args)
  math.randomseed(os.time() + math.random(1, 100000))
end

function request()
  local body = '{"TableName":"bench","Key":{"pk":{"S":"k-' .. math.random(1, keys) .. '"}}}'
  return wrk.format(nil, nil, nil, body)
end
