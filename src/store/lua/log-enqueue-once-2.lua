--[[
  Acknowledges log entries at most once per (job, item) (DESIGN §6 "retries never duplicate a log
  entry"): the first call for an item adds its entry to the pending stream and remembers its
  pending id and leaf hash under the item; a retry gets that pending id back and waits on it,
  even when the job died between its append and saving its receipt. The items of one call are
  added together, so the sequencer's read sees them together and commits them in one step. Both
  keys carry the `{log}` hash tag.

  Input:
    KEYS[1]  the pending stream
    KEYS[2]  the job's once hash (item -> "<pending id> <leaf hash hex>")
    ARGV[1]  how long the once hash is kept, seconds
    then, per item, three arguments:
      item (e.g. "query", "<owner>/<recordId>", "screen"), canonical entry text,
      its RFC 9162 leaf hash, hex (Lua has no SHA-256)

  Output: per item, in order, three values: pending id, leaf hash hex of the entry that holds the
  item, 1 = added now | 0 = held
]]
local out = {}
local added = false
for i = 2, #ARGV, 3 do
  local item, text, leaf = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local held = redis.call("HGET", KEYS[2], item)
  if held then
    local space = string.find(held, " ", 1, true)
    table.insert(out, string.sub(held, 1, space - 1))
    table.insert(out, string.sub(held, space + 1))
    table.insert(out, 0)
  else
    local id = redis.call("XADD", KEYS[1], "*", "e", text)
    redis.call("HSET", KEYS[2], item, id .. " " .. leaf)
    table.insert(out, id)
    table.insert(out, leaf)
    table.insert(out, 1)
    added = true
  end
end
if added then redis.call("EXPIRE", KEYS[2], ARGV[1]) end
return out
