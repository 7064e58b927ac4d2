-- Takes the members' seats (ARGV[2] and on) away; with none, only removes the seats that ran out (a sweep).
-- Returns {users who left: their last seat ran out or was taken away}.
local left = expire()
for i = 2, #ARGV do
  if redis.call('ZREM', KEYS[1], ARGV[i]) == 1 then
    local u = vacate(ARGV[i])
    if u then
      left[#left + 1] = u
    end
  end
end
settle()
return {left}
