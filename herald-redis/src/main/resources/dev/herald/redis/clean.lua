-- Deletes from the stream the entries that retention removed at least ARGV[1] passes ago.
-- KEYS[1] gone (list of offsets, oldest first), KEYS[2] gone marks (list: how many had ever been queued at
-- each recent pass), KEYS[3] gone popped (how many were ever taken off the list), KEYS[4] log.
-- Returns {how many stream entries were deleted}.
local popped = tonumber(redis.call('GET', KEYS[3]) or '0')
redis.call('RPUSH', KEYS[2], popped + redis.call('LLEN', KEYS[1]))
local deleted = 0
if redis.call('LLEN', KEYS[2]) > tonumber(ARGV[1]) then
  local target = tonumber(redis.call('LPOP', KEYS[2]))
  while popped < target do
    local batch = redis.call('LPOP', KEYS[1], math.min(target - popped, 1000))
    if not batch then
      break
    end
    local ids = {}
    for j, o in ipairs(batch) do
      ids[j] = o .. '-1'
    end
    deleted = deleted + redis.call('XDEL', KEYS[4], unpack(ids))
    popped = popped + #batch
  end
  redis.call('SET', KEYS[3], popped)
end
return {deleted}
