--[[
  Acknowledges a log entry at most once per (job, item) (DESIGN §6 "retries never duplicate a log
  entry"): the first call adds the entry to the pending stream and remembers its pending id and
  leaf hash under the item; a retry gets that pending id back and waits on it, even when the job
  died between its append and saving its receipt. Both keys carry the `{log}` hash tag.

  Input:
    KEYS[1]  the pending stream
    KEYS[2]  the job's once hash (item -> "<pending id> <leaf hash hex>")
    ARGV[1]  item (e.g. "query", "<owner>/<recordId>", "screen")
    ARGV[2]  canonical entry text
    ARGV[3]  its RFC 9162 leaf hash, hex (Lua has no SHA-256)
    ARGV[4]  how long the once hash is kept, seconds

  Output: { pending id, leaf hash hex of the entry that holds the item, 1 = added now | 0 = held }
]]
local held = redis.call("HGET", KEYS[2], ARGV[1])
if held then
  local space = string.find(held, " ", 1, true)
  return { string.sub(held, 1, space - 1), string.sub(held, space + 1), 0 }
end
local id = redis.call("XADD", KEYS[1], "*", "e", ARGV[2])
redis.call("HSET", KEYS[2], ARGV[1], id .. " " .. ARGV[3])
redis.call("EXPIRE", KEYS[2], ARGV[4])
return { id, ARGV[3], 1 }
