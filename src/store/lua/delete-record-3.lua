--[[
  Deletes one record of an owner and its index entries (withdraw and purge, DESIGN §6). Deleting
  the keys is what makes the data unreadable; every key is under the owner's hash tag.

  Input:
    KEYS[1]    the owner's expiries sorted set
    KEYS[2]    the record key
    KEYS[3]    the submission hash of the batch that stored it
    KEYS[4..]  one index bucket key per index key of the record (same order as ARGV[4..])
    ARGV[1]    recordId
    ARGV[2]    batch id the caller read from the record (guards against a concurrent re-store)
    ARGV[3]    counter field of the submission to increment ("withdrawn" or "purged")
    ARGV[4..]  the record's index keys

  Output:
    1  deleted
    0  no such record, or it now belongs to another batch: nothing changed
]]
local recordId = ARGV[1]
local batchPrefix = ARGV[2] .. "\n"
local existing = redis.call("GET", KEYS[2])
if (not existing) or string.sub(existing, 1, #batchPrefix) ~= batchPrefix then
  return 0
end
redis.call("DEL", KEYS[2])
redis.call("ZREM", KEYS[1], recordId)
for i = 4, #KEYS do
  local bucket = KEYS[i]
  local field = ARGV[i]
  local current = redis.call("HGET", bucket, field)
  if current then
    local kept = {}
    for id in string.gmatch(current, "[^|]+") do
      if id ~= recordId then
        kept[#kept + 1] = id
      end
    end
    if #kept == 0 then
      redis.call("HDEL", bucket, field)
    else
      redis.call("HSET", bucket, field, table.concat(kept, "|"))
    end
  end
end
if redis.call("EXISTS", KEYS[3]) == 1 then
  redis.call("HINCRBY", KEYS[3], ARGV[3], 1)
end
return 1
