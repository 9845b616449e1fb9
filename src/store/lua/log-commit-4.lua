--[[
  The sequencer's commit (DESIGN §5, RFC 9162 §2.1): appends a batch of entries to the log and
  advances size, root, frontier and the stored complete-node hashes in ONE atomic step, and removes
  the sequenced items from the pending stream. The hashes are computed by the caller (Lua has no
  SHA-256); this script only checks and stores. Every check runs before the first write, because
  a script error does not roll back writes already made.

  Input:
    KEYS[1]     the log head hash (size, root, frontier)
    KEYS[2]     the sequencer lease
    KEYS[3]     the pending stream
    KEYS[4]     the acks sorted set (pending id -> index)
    KEYS[5..]   E entry-chunk lists, then N node-chunk strings
    ARGV[1]     lease value the caller holds ("<fencing token>:<instance>")
    ARGV[2]     expected current size (compare-and-set)
    ARGV[3]     new size
    ARGV[4]     new root (32 bytes)
    ARGV[5]     new frontier (concatenated 32-byte hashes)
    ARGV[6]     E, ARGV[7] N, ARGV[8] P (pending ids), ARGV[9] acks kept (by index)
    then E pairs: expected list length, number of entries appended to that chunk
    then N pairs: expected string length (bytes), the bytes appended to that chunk
    then P pairs: pending id, its index ("-1" = dropped unsequenced as malformed)
    then the entries, in index order

  Output:
     1  committed
     0  the log size is not the expected one (a replay, or another sequencer committed)
    -1  the caller does not hold the lease (fencing)
    -2  a chunk's stored length disagrees with the size: storage is damaged, nothing written
]]
if redis.call("GET", KEYS[2]) ~= ARGV[1] then
  return -1
end
local size = tonumber(redis.call("HGET", KEYS[1], "size") or "0")
if size ~= tonumber(ARGV[2]) then
  return 0
end
local E, N, P = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local a = 10
for j = 1, E do
  if redis.call("LLEN", KEYS[4 + j]) ~= tonumber(ARGV[a]) then
    return -2
  end
  a = a + 2
end
for j = 1, N do
  if redis.call("STRLEN", KEYS[4 + E + j]) ~= tonumber(ARGV[a]) then
    return -2
  end
  a = a + 2
end

local BATCH = 500
local function pushAll(key, first, last)
  for i = first, last, BATCH do
    redis.call("RPUSH", key, unpack(ARGV, i, math.min(i + BATCH - 1, last)))
  end
end

local entryArg = 10 + 2 * (E + N + P)
a = 10
for j = 1, E do
  local count = tonumber(ARGV[a + 1])
  pushAll(KEYS[4 + j], entryArg, entryArg + count - 1)
  entryArg = entryArg + count
  a = a + 2
end
for j = 1, N do
  redis.call("APPEND", KEYS[4 + E + j], ARGV[a + 1])
  a = a + 2
end
local ids, acks = {}, {}
for j = 1, P do
  ids[#ids + 1] = ARGV[a]
  if ARGV[a + 1] ~= "-1" then
    acks[#acks + 1] = ARGV[a + 1]
    acks[#acks + 1] = ARGV[a]
  end
  a = a + 2
end
for i = 1, #ids, BATCH do
  redis.call("XDEL", KEYS[3], unpack(ids, i, math.min(i + BATCH - 1, #ids)))
end
for i = 1, #acks, 2 * BATCH do
  redis.call("ZADD", KEYS[4], unpack(acks, i, math.min(i + 2 * BATCH - 1, #acks)))
end
redis.call("ZREMRANGEBYSCORE", KEYS[4], "-inf", "(" .. (tonumber(ARGV[3]) - tonumber(ARGV[9])))
redis.call("HSET", KEYS[1], "size", ARGV[3], "root", ARGV[4], "frontier", ARGV[5])
return 1
