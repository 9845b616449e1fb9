--[[
  Screening probe of one owner for a chunk of subjects (DESIGN §6 `screen`): reads the index
  bucket field of every (subject, identifier type) and, for each record found, only its declared
  `meta.state`, so a chunk costs one round trip per owner and returns a few bytes per hit instead
  of the whole sealed record. Every key read is under the owner's hash tag `{o:<owner>}`: the
  buckets are KEYS, and the record keys are `ARGV[1] .. recordId`, built from the same tagged
  prefix (as BullMQ builds job keys), so the script stays on one Redis Cluster slot.

  Input:
    KEYS[1..P]  the index bucket of each probe
    ARGV[1]     the owner's record-key prefix (keys.ts recordPrefix)
    ARGV[2..]   per probe, in KEYS order: subject number, type bit (1, 2, 4, …), index key (field)

  Output: flat triples per record found for a subject: subject number, state, OR of the type bits
  on which the record matched. A record whose key is gone (purged) is skipped; a stored value
  without a readable state reports state "".
]]
local prefix = ARGV[1]
local hits = {}
local order = {}
for i = 1, #KEYS do
  local a = 2 + 3 * (i - 1)
  local ids = redis.call("HGET", KEYS[i], ARGV[a + 2])
  if ids then
    local subject = ARGV[a]
    local typeBit = tonumber(ARGV[a + 1])
    for id in string.gmatch(ids, "[^|]+") do
      local hit = subject .. "\n" .. id
      local mask = hits[hit]
      if mask == nil then
        order[#order + 1] = { subject, id, hit }
        hits[hit] = typeBit
      else
        hits[hit] = bit.bor(mask, typeBit)
      end
    end
  end
end
local states = {}
local out = {}
for _, h in ipairs(order) do
  local state = states[h[2]]
  if state == nil then
    local value = redis.call("GET", prefix .. h[2])
    if value then
      -- meta is validated at ingest (state, category, month: no quote or brace inside), so the
      -- first `"meta":{…}` is the declared metadata; decode the whole value only as a fallback.
      local meta = string.match(value, '"meta":(%b{})')
      state = meta and string.match(meta, '"state":"([a-z]+)"')
      if not state then
        local ok, record = pcall(cjson.decode, string.sub(value, (string.find(value, "\n", 1, true) or 0) + 1))
        state = (ok and type(record) == "table" and type(record.meta) == "table"
          and type(record.meta.state) == "string") and record.meta.state or ""
      end
    else
      state = false
    end
    states[h[2]] = state
  end
  if state then
    out[#out + 1] = h[1]
    out[#out + 1] = state
    out[#out + 1] = hits[h[3]]
  end
end
return out
