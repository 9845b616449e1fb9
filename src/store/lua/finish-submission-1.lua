--[[
  Records the outcome of an ingest once, whichever attempt gets there first.

  Input:
    KEYS[1]  the submission hash
    ARGV[1]  manifest digest (hex) the caller began with
    ARGV[2]  result JSON (counts and rejects: ids, line numbers and codes only)
    ARGV[3]  accepted count
    ARGV[4]  rejected count
    ARGV[5]  now, ms since the epoch

  Output: the stored result JSON (the first one written wins), or false when the submission is gone
]]
if redis.call("HGET", KEYS[1], "digest") ~= ARGV[1] then
  return false
end
if redis.call("HGET", KEYS[1], "state") == "done" then
  return redis.call("HGET", KEYS[1], "result")
end
redis.call("HSET", KEYS[1], "state", "done", "result", ARGV[2], "accepted", ARGV[3], "rejected", ARGV[4],
  "finishedAt", ARGV[5])
return ARGV[2]
