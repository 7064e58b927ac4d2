-- Who is on the topic, once the seats that ran out are removed.
-- Returns {users who left with those seats, users present}.
local left = expire()
settle()
return {left, redis.call('HKEYS', KEYS[2])}
