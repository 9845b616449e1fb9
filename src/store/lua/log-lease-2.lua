--[[
  Takes or renews the one sequencer's lease (DESIGN §5 "one sequencer"). A new holder gets a new
  fencing token from the counter; the commit script refuses anyone whose lease value is not the
  current one, so a paused or crashed sequencer can never interleave with its successor. A lease
  left by a crashed holder expires by itself after its TTL.

  Input:
    KEYS[1]  the lease string
    KEYS[2]  the fencing token counter
    ARGV[1]  instance id of the caller
    ARGV[2]  lease duration, ms
    ARGV[3]  the lease value the caller held so far ("" when none)

  Output: the lease value "<token>:<instance>" now held by the caller, or false when another
  instance holds the lease.
]]
local current = redis.call("GET", KEYS[1])
if current then
  if current ~= ARGV[3] then
    return false
  end
  redis.call("PEXPIRE", KEYS[1], ARGV[2])
  return current
end
local value = redis.call("INCR", KEYS[2]) .. ":" .. ARGV[1]
redis.call("SET", KEYS[1], value, "PX", ARGV[2])
return value
