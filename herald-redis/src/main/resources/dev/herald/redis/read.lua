-- Reads a few exact topics through their indexes, in one atomic step.
-- KEYS[1] log, KEYS[2] trim, KEYS[3..] the topics' indexes. ARGV[1] after (exclusive), ARGV[2] until
-- (inclusive), ARGV[3] limit, ARGV[4] 'asc' (the first after) or 'desc' (the last until), ARGV[5..] the topics
-- in the order of their indexes.
-- Returns {entries in the order asked, the topics' trim marks (nil for none)}.
local after, till, limit = ARGV[1], ARGV[2], tonumber(ARGV[3])
local desc = ARGV[4] == 'desc'
local offsets = {}
for i = 3, #KEYS do
  local r
  if desc then
    r = redis.call('ZREVRANGEBYSCORE', KEYS[i], till, '(' .. after, 'LIMIT', 0, limit)
  else
    r = redis.call('ZRANGEBYSCORE', KEYS[i], '(' .. after, till, 'LIMIT', 0, limit)
  end
  for _, o in ipairs(r) do
    offsets[#offsets + 1] = tonumber(o)
  end
end
if desc then
  table.sort(offsets, function(x, y) return x > y end)
else
  table.sort(offsets)
end
local entries = {}
for j = 1, math.min(limit, #offsets) do
  local o = string.format('%d', offsets[j])
  local e = redis.call('XRANGE', KEYS[1], o .. '-1', o .. '-1')[1]
  if e then
    entries[#entries + 1] = e
  end
end
return {entries, redis.call('ZMSCORE', KEYS[2], unpack(ARGV, 5))}
