-- Appends one batch of drafts, atomically.
-- KEYS[8..] the index (sorted set of offsets) of each draft's topic, in draft order.
-- ARGV[1] epoch, ARGV[2] time in ms, ARGV[3] the caller's head (the sequence must not be behind it),
-- then six per draft: topic, event, data, idempotency key ('' for none), maxCount, maxAge in ms.
-- Returns one element per draft: the new offset (an integer), or {'s', offset, fields} for a draft whose key
-- the topic holds (also when an earlier draft of this batch stored it).
-- Every check that can refuse comes before the first write, so a refused batch stores nothing.
local epoch = redis.call('GET', KEYS[1])
if epoch ~= ARGV[1] then
  return redis.error_reply('HERALD_EPOCH ' .. (epoch or 'none'))
end
local seq = tonumber(redis.call('GET', KEYS[2]) or '0')
if seq < tonumber(ARGV[3]) then
  return redis.error_reply('HERALD_BEHIND ' .. seq)
end
local time = ARGV[2]
local now = tonumber(time)
local result = {}
for i = 1, (#ARGV - 3) / 6 do
  local a = 3 + (i - 1) * 6
  local topic, event, data, key = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  local held = nil
  if key ~= '' then
    local o = redis.call('HGET', KEYS[5], topic .. '\0' .. key)
    if o then
      local e = entry(o)
      if e then
        held = {'s', o, e[2]}
      end
    end
  end
  if held then
    result[i] = held
  else
    local off = redis.call('INCR', KEYS[2])
    local o = string.format('%d', off)
    local index = KEYS[7 + i]
    redis.call('XADD', KEYS[3], o .. '-1', 't', topic, 'e', event, 'd', data, 'k', key, 'm', time)
    redis.call('ZADD', index, o, o)
    if key ~= '' then
      redis.call('HSET', KEYS[5], topic .. '\0' .. key, o)
    end
    local size = redis.call('ZCARD', index)
    if size == 1 then
      -- The topic's expiry score: never later than its oldest message's time plus maxAge.
      redis.call('ZADD', KEYS[6], now + tonumber(ARGV[a + 6]), topic)
    end
    local maxCount = tonumber(ARGV[a + 5])
    while size > maxCount do
      local gone = redis.call('ZPOPMIN', index)[1]
      local e = entry(gone)
      forget(topic, gone, e and e[2])
      size = size - 1
    end
    result[i] = off
  end
end
return result
