--[[
  Consented lookup probe of one owner (DESIGN §6 `match`): reads the index bucket field of each of
  the subject's index keys and returns every record found, each once, with its stored value, so a
  lookup costs one round trip per owner instead of one for the index and one for the records.
  Every key read is under the owner's hash tag `{o:<owner>}`: the buckets are KEYS, and the record
  keys are `ARGV[1] .. recordId`, built from the same tagged prefix (as screen-probe-1 does), so
  the script stays on one Redis Cluster slot.

  Input:
    KEYS[1..P]  the index bucket of each index key
    ARGV[1]     the owner's record-key prefix (keys.ts recordPrefix)
    ARGV[2..]   the index key (bucket field) of each probe, in KEYS order

  Output: flat pairs per record found, in order of first finding: record id, stored value. A
  record whose key is gone (withdrawn or purged since it was indexed) is skipped.
]]
local prefix = ARGV[1]
local seen = {}
local out = {}
for i = 1, #KEYS do
  local ids = redis.call("HGET", KEYS[i], ARGV[i + 1])
  if ids then
    for id in string.gmatch(ids, "[^|]+") do
      if not seen[id] then
        seen[id] = true
        local value = redis.call("GET", prefix .. id)
        if value then
          out[#out + 1] = id
          out[#out + 1] = value
        end
      end
    end
  end
end
return out
