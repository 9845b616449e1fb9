--[[
  Opens (or re-opens, on a retry) the submission of one batch; the idempotency gate of ingest.

  Input:
    KEYS[1]  the submission hash
    KEYS[2]  the owner's submissions sorted set
    ARGV[1]  batch id
    ARGV[2]  manifest digest (hex): the same batch id must always carry the same manifest
    ARGV[3]  now, ms since the epoch
    ARGV[4]  expiry of the batch's records, ms since the epoch (kept from the first attempt)
    ARGV[5]  records declared by the manifest

  Output: { code, expiresAt }
    code 1  ingest may (re)run; expiresAt is the one fixed by the first attempt
    code 2  the batch was already ingested: the caller answers the stored result
    code 0  the batch id is already used by a different manifest
]]
local digest = redis.call("HGET", KEYS[1], "digest")
if digest then
  if digest ~= ARGV[2] then
    return { 0, "0" }
  end
  local state = redis.call("HGET", KEYS[1], "state")
  local expiresAt = redis.call("HGET", KEYS[1], "expiresAt")
  if state == "done" then
    return { 2, expiresAt }
  end
  return { 1, expiresAt }
end
redis.call("HSET", KEYS[1], "batchId", ARGV[1], "digest", ARGV[2], "state", "ingesting",
  "createdAt", ARGV[3], "expiresAt", ARGV[4], "records", ARGV[5])
redis.call("ZADD", KEYS[2], ARGV[3], ARGV[1])
return { 1, ARGV[4] }
