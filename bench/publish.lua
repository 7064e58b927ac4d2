-- wrk script: one message per POST /api/v1/publish, spread over 100 topics, unsigned (the node under test
-- makes bench/# public). Usage: wrk -t2 -c64 -d10s -s bench/publish.lua http://127.0.0.1:8080
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, "/api/v1/publish", nil,
    '{"topic":"bench/t' .. (counter % 100) .. '","data":"payload-' .. counter .. '"}')
end
