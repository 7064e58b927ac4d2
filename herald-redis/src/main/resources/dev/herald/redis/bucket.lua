-- A token bucket that every node shares. KEYS[1] the bucket (a hash: n = tokens, u = when they were counted,
-- in microseconds of Redis's own clock, so that the nodes' clocks do not matter).
-- ARGV[1] cost, ARGV[2] tokens per second, ARGV[3] burst (the bucket's size).
-- Returns {0} if the tokens were taken, else {microseconds until they would be there}; nothing is taken then.
-- The key expires once the bucket would be full again: a full bucket and a missing one are the same.
local cost = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local held = redis.call('HMGET', KEYS[1], 'n', 'u')
local tokens = burst
if held[1] and held[2] then
  tokens = math.min(burst, tonumber(held[1]) + math.max(0, now - tonumber(held[2])) * rate / 1000000)
end
local wait = 0
if tokens >= cost then
  tokens = tokens - cost
else
  wait = math.ceil((cost - tokens) * 1000000 / rate)
end
redis.call('HSET', KEYS[1], 'n', string.format('%.17g', tokens), 'u', string.format('%d', now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return {wait}
