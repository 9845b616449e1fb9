--[[
  Puts a member's policy in force unless a policy of the same or a newer version is (DESIGN §3).

  Input:
    KEYS[1]  the member's policy key (JSON {version, signed})
    ARGV[1]  the new version (integer)
    ARGV[2]  the new value (JSON)

  Output: -1 when stored; otherwise the version in force, which is not older than ARGV[1]
]]
local current = redis.call("GET", KEYS[1])
if current then
  local version = cjson.decode(current).version
  if version >= tonumber(ARGV[1]) then
    return version
  end
end
redis.call("SET", KEYS[1], ARGV[2])
return -1
