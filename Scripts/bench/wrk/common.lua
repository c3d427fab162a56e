-- Shared by the wrk scripts: DynamoDB JSON-protocol headers with a syntactically valid
-- SigV4 Authorization header (the server accepts any credentials by default).
local common = {}

function common.setup(target)
  wrk.method = "POST"
  wrk.path = "/"
  wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
  wrk.headers["X-Amz-Target"] = "DynamoDB_20120810." .. target
  wrk.headers["Authorization"] =
    "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=00"
end

-- About 200 bytes of item, like the issue's workload.
common.payload = string.rep("x", 160)

function common.prefix()
  return tostring(math.random(1, 2000000000))
end

return common
