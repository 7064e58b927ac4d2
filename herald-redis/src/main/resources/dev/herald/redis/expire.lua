-- Removes one topic's messages older than a cutoff, oldest first, at most a limit of them.
-- KEYS[8] the topic's index. ARGV[1] epoch, ARGV[2] topic, ARGV[3] cutoff (ms: messages with an earlier time
-- go), ARGV[4] the topic's maxAge in ms, ARGV[5] limit.
-- Returns {how many were removed}; when that is the limit, the topic stays due and the caller goes on.
local epoch = redis.call('GET', KEYS[1])
if epoch ~= ARGV[1] then
  return redis.error_reply('HERALD_EPOCH ' .. (epoch or 'none'))
end
local topic, cutoff, maxAge, limit = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local removed = 0
while true do
  local oldest = redis.call('ZRANGE', KEYS[8], 0, 0)[1]
  if not oldest then
    redis.call('ZREM', KEYS[6], topic)
    return {removed}
  end
  local e = entry(oldest)
  -- An index entry without its message cannot be read anyway: let it go.
  local time = e and tonumber(field(e[2], 'm')) or cutoff - 1
  if time >= cutoff then
    redis.call('ZADD', KEYS[6], time + maxAge, topic)
    return {removed}
  end
  if removed == limit then
    return {removed}
  end
  redis.call('ZREM', KEYS[8], oldest)
  forget(topic, oldest, e and e[2])
  removed = removed + 1
end
