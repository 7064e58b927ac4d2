-- Shared by the scripts that write: prepended to append.lua and expire.lua.
-- Their first seven keys are always: 1 epoch, 2 seq, 3 log, 4 trim, 5 keys, 6 expiry, 7 gone.
-- Offsets are passed and stored as decimal strings; stream entry ids are '<offset>-1'.

local function field(fields, name)
  for i = 1, #fields, 2 do
    if fields[i] == name then
      return fields[i + 1]
    end
  end
  return nil
end

-- Forgets message o (its index entry is already gone): frees its idempotency key, raises the topic's trim
-- mark, and queues the stream entry for deletion, which clean.lua does a few seconds later so that
-- followers still read it.
local function forget(topic, o, fields)
  if fields then
    local k = field(fields, 'k')
    if k and k ~= '' then
      local held = topic .. '\0' .. k
      if redis.call('HGET', KEYS[5], held) == o then
        redis.call('HDEL', KEYS[5], held)
      end
    end
  end
  redis.call('ZADD', KEYS[4], 'GT', o, topic)
  redis.call('RPUSH', KEYS[7], o)
end

local function entry(o)
  return redis.call('XRANGE', KEYS[3], o .. '-1', o .. '-1')[1]
end
