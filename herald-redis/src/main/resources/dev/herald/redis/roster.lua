-- Shared by the presence scripts: prepended to seat.lua, unseat.lua and roll.lua.
-- KEYS[1] the topic's seats (sorted set: member = holder, NUL, user; score = when the seat runs out, in ms of
-- Redis's own clock, so that the nodes' clocks do not matter), KEYS[2] its users (hash: user to how many seats
-- it holds), KEYS[3] the due index (sorted set: topic to when its first seat runs out). ARGV[1] the topic.
-- A user is present while it holds a seat that has not run out: it arrives with its first seat and leaves with
-- its last, and only the script run that gave or took that seat says so.

-- How long a topic's keys outlive its last seat. The live nodes' sweeps empty them long before; this is for a
-- cluster whose nodes all stopped.
local KEEP_MS = 60000

local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)

local function user(member)
  return string.sub(member, string.find(member, '\0', 1, true) + 1)
end

-- Counts a seat of the member's user out; returns the user if that was its last seat, else nil.
local function vacate(member)
  local u = user(member)
  if redis.call('HINCRBY', KEYS[2], u, -1) > 0 then
    return nil
  end
  redis.call('HDEL', KEYS[2], u)
  return u
end

-- Removes the seats that ran out; returns the users who left with them.
local function expire()
  local left = {}
  local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now))
  if #gone > 0 then
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now))
    for _, member in ipairs(gone) do
      local u = vacate(member)
      if u then
        left[#left + 1] = u
      end
    end
  end
  return left
end

-- Files the topic in the due index under when its first seat runs out, and lets its keys expire after its last
-- (the due index after the last of any topic's).
local function settle()
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if #first == 0 then
    redis.call('ZREM', KEYS[3], ARGV[1])
    return
  end
  redis.call('ZADD', KEYS[3], first[2], ARGV[1])
  local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  local keep = tonumber(last[2]) + KEEP_MS
  redis.call('PEXPIREAT', KEYS[1], string.format('%d', keep))
  redis.call('PEXPIREAT', KEYS[2], string.format('%d', keep))
  local due = redis.call('PTTL', KEYS[3])
  if due < 0 or now + due < keep then
    redis.call('PEXPIREAT', KEYS[3], string.format('%d', keep))
  end
end
