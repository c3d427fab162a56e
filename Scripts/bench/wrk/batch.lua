-- BatchWriteItem of 25 ~200-byte items with unique keys.
package.path = package.path .. ";" .. os.getenv("BENCH_LUA_PATH") .. "/?.lua"
local common = require("common")
common.setup("BatchWriteItem")
local counter, prefix = 0, nil

function init(args)
  math.randomseed(os.time() + math.random(1, 100000))
  prefix = common.prefix()
end

function request()
  local puts = {}
  for i = 1, 25 do
    counter = counter + 1
    puts[i] = '{"PutRequest":{"Item":{"pk":{"S":"b' .. prefix .. '-' .. counter .. '"},"payload":{"S":"' ..
      common.payload .. '"}}}}'
  end
  local body = '{"RequestItems":{"bench":[' .. table.concat(puts, ",") .. ']}}'
  return wrk.format(nil, nil, nil, body)
end
