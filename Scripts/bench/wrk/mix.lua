-- 80% GetItem of existing keys, 20% PutItem of new ones.
package.path = package.path .. ";" .. os.getenv("BENCH_LUA_PATH") .. "/?.lua"
local common = require("common")
common.setup("GetItem")
local keys = tonumber(os.getenv("BENCH_KEYS") or "10000")
local counter, prefix = 0, nil
local getHeaders, putHeaders = {}, {}

function init(args)
  math.randomseed(os.time() + math.random(1, 100000))
  prefix = common.prefix()
  for name, value in pairs(wrk.headers) do getHeaders[name] = value; putHeaders[name] = value end
  putHeaders["X-Amz-Target"] = "DynamoDB_20120810.PutItem"
end

function request()
  if math.random(1, 5) == 1 then
    counter = counter + 1
    local body = '{"TableName":"bench","Item":{"pk":{"S":"m' .. prefix .. '-' .. counter ..
      '"},"payload":{"S":"' .. common.payload .. '"}}}'
    return wrk.format("POST", "/", putHeaders, body)
  end
  local body = '{"TableName":"bench","Key":{"pk":{"S":"k-' .. math.random(1, keys) .. '"}}}'
  return wrk.format("POST", "/", getHeaders, body)
end
