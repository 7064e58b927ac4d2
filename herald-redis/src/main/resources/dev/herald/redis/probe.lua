-- What a follower that found nothing new needs, seen at one instant: the epoch ('' if gone), the sequence,
-- and whether any entry follows offset ARGV[1]. KEYS[1] epoch, KEYS[2] seq, KEYS[3] log.
local e = redis.call('GET', KEYS[1])
local s = tonumber(redis.call('GET', KEYS[2]) or '0')
local next = redis.call('XRANGE', KEYS[3], '(' .. ARGV[1] .. '-1', '+', 'COUNT', 1)
return {e or '', s, #next}
