-- One quota decision, atomically (the arithmetic of package quota, whose Go
-- implementation is quota.Memory; keep the two identical).
--
-- KEYS[i] is a counter: a hash from bucket number (floor(now/g)) to count.
-- ARGV[1] is now in Unix milliseconds (the gateway's clock); ARGV[3i-1],
-- ARGV[3i] and ARGV[3i+1] are the count, limit and window (ms) of KEYS[i].
-- The window is split into B = 60 buckets of g = ceil(window/60) ms; the count
-- at now is the sum of the buckets b >= floor(now/g) - B.
--
-- Every charge is checked; when all admit, all are incremented and their keys
-- expire when their newest bucket stops counting. Returns {1} when admitted,
-- else {0, i, retry_ms}: i the first refusing charge, retry_ms the longest
-- wait of the refusing charges (the window when a count exceeds its limit).
local B = 60
local now = tonumber(ARGV[1])
local seen, cur, top, cnt, gs = {}, {}, {}, {}, {}
local refused, retry = 0, 0
for i = 1, #KEYS do
  local key = KEYS[i]
  if seen[key] then
    return redis.error_reply('two charges on one key')
  end
  seen[key] = true
  local n = tonumber(ARGV[3 * i - 1])
  local limit = tonumber(ARGV[3 * i])
  local w = tonumber(ARGV[3 * i + 1])
  local g = math.max(1, math.ceil(w / B))
  local c = math.floor(now / g)
  cnt[i], gs[i], cur[i], top[i] = n, g, c, c
  local kv = redis.call('HGETALL', key)
  local live, dead, sum = {}, {}, 0
  for j = 1, #kv, 2 do
    local b = tonumber(kv[j])
    if b < c - B then
      dead[#dead + 1] = kv[j]
    else
      local v = tonumber(kv[j + 1])
      sum = sum + v
      live[#live + 1] = {b, v}
      if b > top[i] then top[i] = b end
    end
  end
  if #dead > 0 then
    redis.call('HDEL', key, unpack(dead))
  end
  if sum + n > limit then
    if refused == 0 then refused = i end
    local wait = w
    if n <= limit then
      table.sort(live, function(x, y) return x[1] < y[1] end)
      for _, x in ipairs(live) do
        sum = sum - x[2]
        if sum + n <= limit then
          wait = (x[1] + B + 1) * g - now
          break
        end
      end
    end
    if wait > retry then retry = wait end
  end
end
if refused > 0 then
  return {0, refused, retry}
end
for i = 1, #KEYS do
  redis.call('HINCRBY', KEYS[i], string.format('%d', cur[i]), cnt[i])
  redis.call('PEXPIRE', KEYS[i], string.format('%d', (top[i] + B + 1) * gs[i] - now))
end
return {1}
