-- PutItem of ~200-byte items with unique keys.
package.path = package.path .. ";" .. os.getenv("BENCH_LUA_PATH") .. "/?.lua"
local common = require("common")
common.setup("PutItem")
local counter, prefix = 0, nil

function init(args)
  math.randomseed(os.time() + math.random(1, 100000))
  prefix = common.prefix()
end

function request()
  counter = counter + 1
  local body = '{"TableName":"bench","Item":{"pk":{"S":"p' .. prefix .. '-' .. counter ..
    '"},"payload":{"S":"' .. common.payload .. '"},"n":{"N":"' .. counter .. '"}}}'
  return wrk.format(nil, nil, nil, body)
end
