--[[
  Gives the sequencer's lease back on a clean stop, only when the caller still holds it.

  Input:
    KEYS[1]  the lease string
    ARGV[1]  the lease value the caller holds

  Output: 1 released, 0 the caller did not hold it.
]]
if redis.call("GET", KEYS[1]) == ARGV[1] then
  redis.call("DEL", KEYS[1])
  return 1
end
return 0
