--[[
  Counts one use of a consent by one job, atomically (DESIGN §4 frequency, §6 retries).

  Input:
    KEYS[1]  the consent's usage hash (fields interval, count, total, lastUsedAt, job:<jobId>)
    ARGV[1]  job id
    ARGV[2]  the calendar interval of now (e.g. "2026-11" for a MONTH consent)
    ARGV[3]  the most uses allowed per interval
    ARGV[4]  now, ISO 8601

  Output:
    1  counted now
    2  this job's use was already counted (a retried job): nothing written
    0  the interval's uses are exhausted: nothing written
]]
local usage = KEYS[1]
local marker = "job:" .. ARGV[1]
if redis.call("HEXISTS", usage, marker) == 1 then
  return 2
end
local count = 0
if redis.call("HGET", usage, "interval") == ARGV[2] then
  count = tonumber(redis.call("HGET", usage, "count") or "0")
end
if count >= tonumber(ARGV[3]) then
  return 0
end
redis.call("HSET", usage, "interval", ARGV[2], "count", count + 1, "lastUsedAt", ARGV[4], marker, ARGV[2])
redis.call("HINCRBY", usage, "total", 1)
return 1
