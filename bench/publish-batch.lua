-- wrk script: a batch of BATCH messages (default 100) per POST /api/v1/publish, as one JSON array, spread
-- over 100 topics. Usage: BATCH=100 wrk -t2 -c16 -d10s -s bench/publish-batch.lua http://127.0.0.1:8080
-- wrk counts requests: messages per second = requests per second x BATCH.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local batch = tonumber(os.getenv("BATCH") or "100")
local counter = 0
request = function()
  local items = {}
  for i = 1, batch do
    counter = counter + 1
    items[i] = '{"topic":"bench/t' .. (counter % 100) .. '","data":"payload-' .. counter .. '"}'
  end
  return wrk.format(nil, "/api/v1/publish", nil, "[" .. table.concat(items, ",") .. "]")
end
