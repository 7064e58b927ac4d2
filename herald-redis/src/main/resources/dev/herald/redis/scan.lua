-- Scans the stream for a read with wildcards: up to ARGV[3] entries between offsets ARGV[1] and ARGV[2]
-- (inclusive), ascending ('asc') or descending ('desc', from ARGV[2] down), dropping entries that retention
-- removed but clean.lua has not deleted yet (at or below their topic's trim mark).
-- KEYS[1] log, KEYS[2] trim. Returns {entries scanned, id of the last one scanned ('' if none), the visible}.
local r
if ARGV[4] == 'desc' then
  r = redis.call('XREVRANGE', KEYS[1], ARGV[2] .. '-1', ARGV[1] .. '-0', 'COUNT', ARGV[3])
else
  r = redis.call('XRANGE', KEYS[1], ARGV[1] .. '-0', ARGV[2] .. '-1', 'COUNT', ARGV[3])
end
local marks, visible = {}, {}
for _, e in ipairs(r) do
  local fields = e[2]
  local topic = ''
  for i = 1, #fields, 2 do
    if fields[i] == 't' then
      topic = fields[i + 1]
      break
    end
  end
  local m = marks[topic]
  if not m then
    m = tonumber(redis.call('ZSCORE', KEYS[2], topic) or '0')
    marks[topic] = m
  end
  if tonumber(string.match(e[1], '^%d+')) > m then
    visible[#visible + 1] = e
  end
end
local last = ''
if #r > 0 then
  last = r[#r][1]
end
return {#r, last, visible}
