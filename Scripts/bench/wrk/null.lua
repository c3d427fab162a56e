-- The same request shape as get.lua, for the null server.
package.path = package.path .. ";" .. os.getenv("BENCH_LUA_PATH") .. "/?.lua"
local common = require("common")
common.setup("GetItem")
wrk.body = '{"TableName":"bench","Key":{"pk":{"S":"k-1"}}}'
