--[[
  Publishes one release event to an owner's usage feed at most once per (job, record) (DESIGN §3
  "tells the owner about every release", §6 retries): a retried job publishes again and this step
  drops the copy, so an event is neither lost (the retry writes it) nor doubled. Both keys are
  under the owner's hash tag.

  Input:
    KEYS[1]  the owner's event stream
    KEYS[2]  the owner's marks of one job (recordId -> 1)
    ARGV[1]  recordId
    ARGV[2]  event JSON
    ARGV[3]  most events kept in the stream (approximate trim)
    ARGV[4]  how long the marks are kept, seconds

  Output: 1 published now, 0 already published by this job
]]
if redis.call("HSETNX", KEYS[2], ARGV[1], "1") == 0 then
  return 0
end
redis.call("EXPIRE", KEYS[2], ARGV[4])
redis.call("XADD", KEYS[1], "MAXLEN", "~", ARGV[3], "*", "e", ARGV[2])
return 1
