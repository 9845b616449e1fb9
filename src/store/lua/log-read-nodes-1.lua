--[[
  Reads the 32-byte hashes of complete tree nodes for one proof (RFC 9162 §2.1.3.1 / §2.1.4.1)
  in one round trip: a proof needs O(log n) nodes, each in its own packed chunk string.

  Input:
    KEYS[1..n]  the node-chunk string holding each node (a key may repeat)
    ARGV[1..n]  the byte offset of each node in its chunk

  Output: the hashes concatenated in order; a node that is not stored is 32 zero-length bytes
  short, which the caller detects from the total length.
]]
local out = {}
for i = 1, #KEYS do
  local offset = tonumber(ARGV[i])
  out[i] = redis.call("GETRANGE", KEYS[i], offset, offset + 31)
end
return table.concat(out)
