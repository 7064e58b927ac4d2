-- Seats members (ARGV[3] and on) until ARGV[2] ms from now. A seat held already keeps the later of its end
-- and this one: a node refreshing its seats moves them on, a shorter poll lease never shortens a longer one.
-- Returns {users who left (their last seat had run out), users who arrived (this gave them their first seat)}.
local left = expire()
local arrived = {}
local ends = string.format('%d', now + tonumber(ARGV[2]))
for i = 3, #ARGV do
  local member = ARGV[i]
  if not redis.call('ZSCORE', KEYS[1], member) then
    local u = user(member)
    if redis.call('HINCRBY', KEYS[2], u, 1) == 1 then
      arrived[#arrived + 1] = u
    end
  end
  redis.call('ZADD', KEYS[1], 'GT', ends, member)
end
settle()
return {left, arrived}
