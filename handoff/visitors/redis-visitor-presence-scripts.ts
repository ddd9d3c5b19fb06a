// The Lua scripts of redis-visitor-presence.ts, one per change of a presence (the key layout is described there).
// Every script gets ARGV[1] the key prefix (`<prefix>vp:`), ARGV[2] now (ms, the injected clock's), ARGV[3] the
// grace (ms), then its own arguments from ARGV[4].
import type { Invitation, InvitationSource } from './visitor-presence.ts';
import { redisScript } from '../redis/redis-script.ts';

/** Invitations kept per presence (the latest), as in memory. */
export const KEPT_INVITATIONS = 10;
/** The quietest presences looked at for one to drop when every slot is taken. */
export const DROP_CANDIDATES = 200;

/** A page as stored: url, title, entered and left (ms). */
export interface StoredPage {
  u: string;
  t: string;
  e: number;
  l?: number;
}

/** An invitation as stored: created at (ms) and state. */
export interface StoredInvitation {
  id: string;
  from: InvitationSource;
  text?: Invitation['text'];
  c: number;
  s: Invitation['state'];
}

/**
 * ARGV[1] the key prefix (`<prefix>vp:`), ARGV[2] now (ms), ARGV[3] the grace (ms). `keep` raises a presence's
 * "online until" and pushes back the expiry of every key it owns; `drop` removes a presence and its indexes.
 */
const PRELUDE = `
local base = ARGV[1]
local now = tonumber(ARGV[2])
local grace = tonumber(ARGV[3])
local function pkey(id) return base .. 'p:' .. id end
local function alive(id)
  local s = redis.call('ZSCORE', base .. 'alive', id)
  return s and tonumber(s) >= now
end
local function streaming(id)
  for _, v in ipairs(redis.call('HVALS', base .. 's:' .. id)) do
    if tonumber(v) > now then return true end
  end
  return false
end
local function extend(key, ms)
  local ttl = redis.call('PTTL', key)
  if ttl == -2 then return end
  if ttl == -1 or ttl < ms then redis.call('PEXPIRE', key, ms) end
end
local function keep(id, untilMs)
  redis.call('ZADD', base .. 'alive', 'GT', untilMs, id)
  local ms = tonumber(redis.call('ZSCORE', base .. 'alive', id)) - now + grace
  local f = redis.call('HMGET', pkey(id), 'tok', 'vid', 'addr')
  extend(pkey(id), ms)
  extend(base .. 's:' .. id, ms)
  if f[1] then extend(base .. 't:' .. f[1], ms) end
  if f[2] and f[2] ~= '' then extend(base .. 'v:' .. f[2], ms) end
  if f[3] and f[3] ~= '' then extend(base .. 'a:' .. f[3], ms) end
end
local function drop(id)
  local f = redis.call('HMGET', pkey(id), 'tok', 'vid', 'addr')
  if f[1] and redis.call('GET', base .. 't:' .. f[1]) == id then redis.call('DEL', base .. 't:' .. f[1]) end
  if f[2] and f[2] ~= '' and redis.call('GET', base .. 'v:' .. f[2]) == id then redis.call('DEL', base .. 'v:' .. f[2]) end
  if f[3] and f[3] ~= '' then redis.call('ZREM', base .. 'a:' .. f[3], id) end
  redis.call('ZREM', base .. 'alive', id)
  redis.call('ZREM', base .. 'seen', id)
  redis.call('DEL', pkey(id), base .. 's:' .. id)
end
local function prune()
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', base .. 'alive', '-inf', '(' .. ARGV[2], 'LIMIT', 0, 1000)) do drop(id) end
end
local function list(json)
  if not json then return {} end
  local t = cjson.decode(json)
  if type(t) ~= 'table' then return {} end
  return t
end
local function pending(invitations, ttl)
  for _, i in ipairs(invitations) do
    if i.s == 'pending' and now - i.c < ttl then return i end
  end
  return nil
end
`;

/**
 * ARGV[4..]: onlineMs, maxPerAddress, maxVisitors, maxTrail, token hash given (or ''), new id, new token hash,
 * visitor id, address, url, title, source (JSON, kept only by a new presence). Returns {'ok', id, created 0|1} or {'address_full'} or {'full'}.
 */
export const PAGE_VIEW = redisScript(`${PRELUDE}
local onlineMs, maxPerAddress, maxVisitors, maxTrail = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local given, newId, newTok, vid, addr, url, title, src = ARGV[8], ARGV[9], ARGV[10], ARGV[11], ARGV[12], ARGV[13], ARGV[14], ARGV[15]
prune()
local id = nil
if given ~= '' then
  local found = redis.call('GET', base .. 't:' .. given)
  if found then
    if alive(found) then id = found else drop(found) end
  end
end
local created = 0
if not id then
  if addr ~= '' then
    local members = redis.call('ZRANGE', base .. 'a:' .. addr, 0, -1)
    if #members >= maxPerAddress then
      local count = #members
      local oldest = nil
      for _, m in ipairs(members) do
        if not alive(m) then
          drop(m)
          count = count - 1
        elseif not oldest and not streaming(m) then
          oldest = m
        end
      end
      if count >= maxPerAddress then
        if not oldest then return {'address_full'} end
        drop(oldest)
      end
    end
  end
  if redis.call('ZCARD', base .. 'alive') >= maxVisitors then
    local victim = nil
    for _, m in ipairs(redis.call('ZRANGE', base .. 'seen', 0, ${DROP_CANDIDATES - 1})) do
      if not streaming(m) then
        victim = m
        break
      end
    end
    if not victim then return {'full'} end
    drop(victim)
  end
  id = newId
  redis.call('HSET', pkey(id), 'tok', newTok, 'vid', vid, 'addr', addr, 'since', ARGV[2], 'pages', 0, 'trail', '[]', 'inv', '[]', 'src', src)
  redis.call('SET', base .. 't:' .. newTok, id)
  if vid ~= '' then
    local previous = redis.call('GET', base .. 'v:' .. vid)
    if previous and previous ~= id and not streaming(previous) then drop(previous) end
    redis.call('SET', base .. 'v:' .. vid, id)
  end
  created = 1
end
local trail = list(redis.call('HGET', pkey(id), 'trail'))
local last = trail[#trail]
if last and not last.l then last.l = now end
table.insert(trail, {u = url, t = title, e = now})
while #trail > maxTrail do table.remove(trail, 1) end
redis.call('HSET', pkey(id), 'trail', cjson.encode(trail), 'seen', ARGV[2], 'cur', ARGV[2])
redis.call('HINCRBY', pkey(id), 'pages', 1)
redis.call('ZADD', base .. 'seen', now, id)
-- Counted under the address it began from, whatever address reports it later (as in memory).
local a = redis.call('HGET', pkey(id), 'addr')
if a and a ~= '' then redis.call('ZADD', base .. 'a:' .. a, now, id) end
keep(id, now + onlineMs)
return {'ok', id, created}
`);

/** ARGV[4..]: onlineMs, token hash. Closes the current page; 0 when the token is unknown. */
export const PAGE_LEAVE = redisScript(`${PRELUDE}
local id = redis.call('GET', base .. 't:' .. ARGV[5])
if not id or redis.call('EXISTS', pkey(id)) == 0 then return 0 end
local trail = list(redis.call('HGET', pkey(id), 'trail'))
local last = trail[#trail]
if last and not last.l then
  last.l = now
  redis.call('HSET', pkey(id), 'trail', cjson.encode(trail))
end
redis.call('HSET', pkey(id), 'seen', ARGV[2])
redis.call('ZADD', base .. 'seen', now, id)
keep(id, now + tonumber(ARGV[4]))
return 1
`);

/** ARGV[4]: token hash. {id, visitor id} of an online presence, or nil. */
export const AUTHENTICATE = redisScript(`${PRELUDE}
local id = redis.call('GET', base .. 't:' .. ARGV[4])
if not id or not alive(id) then return nil end
return {id, redis.call('HGET', pkey(id), 'vid') or ''}
`);

/** The fields a snapshot is made of, and the visitor's last chat, for the presences in \`ids\` that are online. */
const READ = `
local function read(id)
  if not alive(id) then return false end
  local f = redis.call('HMGET', pkey(id), 'vid', 'since', 'pages', 'trail', 'inv', 'src')
  if not f[2] then return false end
  local conv = ''
  if f[1] and f[1] ~= '' then conv = redis.call('GET', base .. 'c:' .. f[1]) or '' end
  return {id, f[1] or '', f[2], f[3] or '0', f[4] or '[]', f[5] or '[]', conv, f[6] or ''}
end
`;

/** ARGV[4]: how many. Drops those gone offline; the most recently active online, and how many are online. */
export const LIST = redisScript(`${PRELUDE}${READ}
prune()
local out = {}
for _, id in ipairs(redis.call('ZREVRANGE', base .. 'seen', 0, tonumber(ARGV[4]) - 1)) do
  local r = read(id)
  if r then table.insert(out, r) end
end
return {redis.call('ZCOUNT', base .. 'alive', ARGV[2], '+inf'), out}
`);

/** ARGV[4]: presence id. Its snapshot fields, or nil when offline. */
export const GET = redisScript(`${PRELUDE}${READ}
return read(ARGV[4]) or nil
`);

/**
 * ARGV[4..]: presence id, invitation ttl (ms), quiet (ms), invitation (JSON), rule id ('' for an agent's). An
 * invitation is added only to an online presence with none pending; a rule's, besides, only outside the quiet
 * time of a dismissal and once per visitor and rule per quiet time (checked and set in this one script, so
 * whatever the number of nodes sweeping, one of them sends it).
 * Returns 'ok', 'gone', 'pending', 'quiet' or 'sent'.
 */
export const INVITE = redisScript(`${PRELUDE}
local id, ttl, quiet, rule = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[8]
if not alive(id) then return 'gone' end
local invitations = list(redis.call('HGET', pkey(id), 'inv'))
if pending(invitations, ttl) then return 'pending' end
if rule ~= '' then
  local dismissed = tonumber(redis.call('HGET', pkey(id), 'dism'))
  if dismissed and now - dismissed < quiet then return 'quiet' end
  -- "Sent" holds the time it was sent (the clock's, like every time here); the key's expiry only collects it.
  local sentKey = base .. 'r:' .. id .. ':' .. rule
  local sent = tonumber(redis.call('GET', sentKey))
  if sent and now - sent < quiet then return 'sent' end
  redis.call('SET', sentKey, ARGV[2], 'PX', quiet + grace)
end
local invitation = cjson.decode(ARGV[7])
table.insert(invitations, invitation)
while #invitations > ${KEPT_INVITATIONS} do table.remove(invitations, 1) end
redis.call('HSET', pkey(id), 'inv', cjson.encode(invitations))
redis.call('SET', base .. 'i:' .. invitation.id, id, 'PX', ttl + grace)
return 'ok'
`);

/**
 * ARGV[4..]: presence id, invitation id, 'dismiss' | 'accept'. Returns {'ok', invitation JSON}, {'gone'},
 * {'unknown'} or {'closed', state}.
 */
export const ANSWER = redisScript(`${PRELUDE}
local id, invId, op = ARGV[4], ARGV[5], ARGV[6]
if not alive(id) then return {'gone'} end
local invitations = list(redis.call('HGET', pkey(id), 'inv'))
local found = nil
for _, i in ipairs(invitations) do
  if i.id == invId then found = i end
end
if not found then return {'unknown'} end
if op == 'dismiss' then
  if found.s == 'pending' then found.s = 'dismissed' end
  redis.call('HSET', pkey(id), 'dism', ARGV[2])
else
  if found.s == 'dismissed' or found.s == 'used' then return {'closed', found.s} end
  found.s = 'accepted'
end
redis.call('HSET', pkey(id), 'inv', cjson.encode(invitations))
return {'ok', cjson.encode(found)}
`);

/** ARGV[4..]: invitation id, visitor id, ttl (ms). The invitation JSON, now used, or nil (see VisitorPresence.claim). */
export const CLAIM = redisScript(`${PRELUDE}
local invId, vid, ttl = ARGV[4], ARGV[5], tonumber(ARGV[6])
local id = redis.call('GET', base .. 'i:' .. invId)
if not id or vid == '' then return nil end
if redis.call('HGET', pkey(id), 'vid') ~= vid then return nil end
local invitations = list(redis.call('HGET', pkey(id), 'inv'))
for _, i in ipairs(invitations) do
  if i.id == invId then
    if i.s ~= 'accepted' and i.s ~= 'pending' then return nil end
    if now - i.c > ttl then return nil end
    i.s = 'used'
    redis.call('HSET', pkey(id), 'inv', cjson.encode(invitations))
    return cjson.encode(i)
  end
end
return nil
`);

/**
 * ARGV[4..]: presence id, node id, 'open' | 'refresh' | 'close', until (ms; open and refresh: this node's stream,
 * close: online after the last report). Open needs the presence online; refresh only that it still exists (this
 * node holds its stream, so a late refresh must not end it). Both return the invitations JSON, or nil.
 */
export const STREAM = redisScript(`${PRELUDE}
local id, node, op, untilMs = ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7])
if op == 'open' and not alive(id) then return nil end
if op == 'close' then
  redis.call('HDEL', base .. 's:' .. id, node)
  if redis.call('EXISTS', pkey(id)) == 0 then return nil end
  redis.call('HSET', pkey(id), 'seen', ARGV[2])
  redis.call('ZADD', base .. 'seen', now, id)
  local a = redis.call('HGET', pkey(id), 'addr')
  if a and a ~= '' then redis.call('ZADD', base .. 'a:' .. a, now, id) end
  keep(id, untilMs)
  return nil
end
if redis.call('EXISTS', pkey(id)) == 0 then return nil end
redis.call('HSET', base .. 's:' .. id, node, untilMs)
keep(id, untilMs)
return redis.call('HGET', pkey(id), 'inv') or '[]'
`);

/** ARGV[4..]: presence ids. For the sweep: {id, visitor id, current since, trail, invitations, dismissed, chat} each. */
export const SWEEP_READ = redisScript(`${PRELUDE}
local out = {}
for i = 4, #ARGV do
  local id = ARGV[i]
  if alive(id) then
    local f = redis.call('HMGET', pkey(id), 'vid', 'cur', 'trail', 'inv', 'dism')
    if f[2] then
      local conv = ''
      if f[1] and f[1] ~= '' then conv = redis.call('GET', base .. 'c:' .. f[1]) or '' end
      table.insert(out, {id, f[1] or '', f[2], f[3] or '[]', f[4] or '[]', f[5] or '', conv})
    end
  end
end
return out
`);
