-- The topics whose first presence seat has run out (see roster.lua), at most ARGV[1] of them, for a sweep.
-- KEYS[1] the due index. Returns their names.
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now), 'LIMIT', 0, tonumber(ARGV[1]))
