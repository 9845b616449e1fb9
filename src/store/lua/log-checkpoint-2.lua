--[[
  Stores a signed checkpoint (C2SP tlog-checkpoint, DESIGN §5) as the latest one and in the
  history, never letting the latest go back to a smaller tree. Ed25519 signatures are
  deterministic, so re-signing an unchanged tree yields the same text: that only refreshes `at`.

  Input:
    KEYS[1]  the latest-checkpoint hash (size, text, at)
    KEYS[2]  the history sorted set (score = size, member = text)
    ARGV[1]  tree size
    ARGV[2]  signed checkpoint text
    ARGV[3]  now, ms since the epoch

  Output:
     1  stored as the new latest
     2  the same checkpoint was already the latest (refreshed)
     0  a larger checkpoint is already the latest: nothing stored
    -1  a different checkpoint of the same size is the latest (a fork): nothing stored
]]
local current = redis.call("HMGET", KEYS[1], "size", "text")
local size = tonumber(ARGV[1])
if current[1] then
  local latest = tonumber(current[1])
  if latest > size then
    return 0
  end
  if latest == size then
    if current[2] ~= ARGV[2] then
      return -1
    end
    redis.call("HSET", KEYS[1], "at", ARGV[3])
    return 2
  end
end
redis.call("HSET", KEYS[1], "size", ARGV[1], "text", ARGV[2], "at", ARGV[3])
redis.call("ZADD", KEYS[2], ARGV[1], ARGV[2])
return 1
