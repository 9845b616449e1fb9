--[[
  Stores a chunk of one owner's records with their index entries, idempotently (DESIGN §6 ingest).
  Every key is under the owner's hash tag, so the whole chunk is one atomic step on one slot.
  Needs Redis >= 7.0 (SET with both NX and GET).

  Input:
    KEYS[1]    the owner's expiries sorted set
    KEYS[2..]  per record, in order: its record key, then one index bucket key per index key
    ARGV[1]    batch id (every stored value starts with "<batchId>\n")
    ARGV[2]    expiry of the records, ms since the epoch
    ARGV[3..]  per record: recordId, its JSON, n (its number of index keys), the n index keys
               (the stored value is "<batchId>\n" followed by the JSON)

  Output: one code per record
    1  stored now
    2  already stored by this batch (a retried or repeated job): nothing written
    0  the recordId is held by another batch: nothing written
]]
local expiries = KEYS[1]
local batchPrefix = ARGV[1] .. "\n"
local expiresAt = ARGV[2]
-- ZADD takes many members per call; flushing every 500 keeps unpack() far below Lua's C stack.
local pending = {}
local function flushExpiries()
  if #pending > 0 then
    redis.call("ZADD", expiries, unpack(pending))
    pending = {}
  end
end
local out = {}
local k = 2
local a = 3
while a <= #ARGV do
  local recordId = ARGV[a]
  local n = tonumber(ARGV[a + 2])
  -- One call both claims the record key and reads whoever already holds it.
  local existing = redis.call("SET", KEYS[k], batchPrefix .. ARGV[a + 1], "NX", "GET")
  if existing then
    if string.sub(existing, 1, #batchPrefix) == batchPrefix then
      out[#out + 1] = 2
    else
      out[#out + 1] = 0
    end
  else
    pending[#pending + 1] = expiresAt
    pending[#pending + 1] = recordId
    if #pending >= 1000 then
      flushExpiries()
    end
    for i = 1, n do
      local bucket = KEYS[k + i]
      local field = ARGV[a + 2 + i]
      if redis.call("HSETNX", bucket, field, recordId) == 0 then
        local current = redis.call("HGET", bucket, field)
        if not string.find("|" .. current .. "|", "|" .. recordId .. "|", 1, true) then
          redis.call("HSET", bucket, field, current .. "|" .. recordId)
        end
      end
    end
    out[#out + 1] = 1
  end
  k = k + 1 + n
  a = a + 3 + n
end
flushExpiries()
return out
