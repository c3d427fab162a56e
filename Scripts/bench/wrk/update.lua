-- Conditional UpdateItem in the shape of the LIFO queue's task claim.
package.path = package.path .. ";" .. os.getenv("BENCH_LUA_PATH") .. "/?.lua"
local common = require("common")
common.setup("UpdateItem")
local keys = tonumber(os.getenv("BENCH_KEYS") or "10000")
local statuses = { "PENDING", "TAKEN" }

function init(args)
  math.randomseed(os.time() + math.random(1, 100000))
end

function request()
  local to = statuses[math.random(1, 2)]
  local body = '{"TableName":"bench","Key":{"pk":{"S":"k-' .. math.random(1, keys) .. '"}},' ..
    '"UpdateExpression":"set taskStatus = :toTaskStatus, taskUpdated = :taskUpdated",' ..
    '"ConditionExpression":"attribute_exists(pk) AND taskStatus <> :never",' ..
    '"ExpressionAttributeValues":{":toTaskStatus":{"S":"' .. to .. '"},":taskUpdated":{"N":"' ..
    math.random(1, 2000000000) .. '"},":never":{"S":"FAILURE"}}}'
  return wrk.format(nil, nil, nil, body)
end
