-- Query one 150-item partition, newest first, 100 items per page.
package.path = package.path .. ";" .. os.getenv("BENCH_LUA_PATH") .. "/?.lua"
local common = require("common")
common.setup("Query")
wrk.body = '{"TableName":"benchsorted","KeyConditionExpression":"pk = :p",' ..
  '"ExpressionAttributeValues":{":p":{"S":"partition-1"}},"Limit":100,"ScanIndexForward":false}'
