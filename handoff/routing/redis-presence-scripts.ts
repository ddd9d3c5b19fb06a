// The Lua scripts of agent presence on Redis (redis-presence.ts): each change is one script, so counting the
// connections, deciding the effective status and announcing a change happen atomically, once, whatever node runs it.
//
// Keys, under the deployment's prefix P:
//   P presence:agent:<id>   hash: chosen, effective, since (ISO), grace (deadline, ms of Redis time; 0: none),
//                           restored (1: expected back after a restart), ver (bumped on every effective change)
//   P presence:conns:<id>   hash: node id -> open connections of the agent on that node
//   P presence:node:<node>  set: agents with connections counted on that node (what to clear when it dies)
//   P presence:agents       set: every agent with a record (what a node loads its mirror from)
//   P presence:grace        sorted set: agent -> grace deadline (what the leader expires)
//   P node:<node>           the node's heartbeat (handoff/redis/node-heartbeat.ts); P nodes: every node seen
// A node's connections count only while its heartbeat key exists. Channel P presence: every effective change.
//
// Every script takes ARGV = prefix, node id, grace (ms), since (ISO, the caller's clock), then its own arguments,
// and returns JSON { states: [...], changes: [...] } (an empty list comes back as `{}`: cjson cannot tell).
import { redisScript } from '../redis/redis-script.ts';

const LIBRARY = `
local P = ARGV[1]
local NODE = ARGV[2]
local GRACE = tonumber(ARGV[3])
local SINCE = ARGV[4]
local states = {}
local changes = {}

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Open connections of the agent on nodes whose heartbeat is alive.
local function live(agent)
  local flat = redis.call('HGETALL', P .. 'presence:conns:' .. agent)
  local sum = 0
  for i = 1, #flat, 2 do
    if redis.call('EXISTS', P .. 'node:' .. flat[i]) == 1 then sum = sum + tonumber(flat[i + 1]) end
  end
  return sum
end

local function load(agent)
  local v = redis.call('HMGET', P .. 'presence:agent:' .. agent, 'chosen', 'effective', 'since', 'grace', 'restored', 'ver')
  return {
    id = agent,
    chosen = v[1] or 'online',
    effective = v[2] or 'offline',
    since = v[3] or '',
    grace = tonumber(v[4] or '0'),
    restored = v[5] == '1',
    ver = tonumber(v[6] or '0'),
  }
end

local function start_grace(s)
  if s.grace > 0 then return end
  s.grace = now_ms() + GRACE
  redis.call('ZADD', P .. 'presence:grace', s.grace, s.id)
end

local function stop_grace(s)
  if s.grace == 0 then return end
  s.grace = 0
  redis.call('ZREM', P .. 'presence:grace', s.id)
end

-- As presence-service.ts decides it: a pending grace keeps the status of an agent with no connection.
local function effective_of(s, n)
  if s.chosen == 'offline' then return 'offline' end
  if n == 0 and s.grace == 0 then return 'offline' end
  if s.restored then return 'away' end
  return s.chosen
end

local function commit(s, n)
  local status = effective_of(s, n)
  local previous = s.effective
  if status ~= previous then
    s.effective = status
    s.since = SINCE
    s.ver = s.ver + 1
  end
  redis.call('HSET', P .. 'presence:agent:' .. s.id, 'chosen', s.chosen, 'effective', s.effective, 'since', s.since,
    'grace', string.format('%d', s.grace), 'restored', s.restored and '1' or '0', 'ver', s.ver)
  redis.call('SADD', P .. 'presence:agents', s.id)
  local state = { agentId = s.id, status = s.effective, chosen = s.chosen, since = s.since, ver = s.ver }
  if status ~= previous then
    state.previous = previous
    redis.call('PUBLISH', P .. 'presence', cjson.encode(state))
    changes[#changes + 1] = state
  end
  states[#states + 1] = state
end

local function counted(agent, node)
  return tonumber(redis.call('HGET', P .. 'presence:conns:' .. agent, node) or '0')
end

local function set_count(agent, node, count)
  if count > 0 then
    redis.call('HSET', P .. 'presence:conns:' .. agent, node, count)
    redis.call('SADD', P .. 'presence:node:' .. node, agent)
  else
    redis.call('HDEL', P .. 'presence:conns:' .. agent, node)
    redis.call('SREM', P .. 'presence:node:' .. node, agent)
  end
end

-- A connection counted on a node went away (closed, or its node died): with none left anywhere, the grace starts.
local function lost_connection(agent)
  local s = load(agent)
  local n = live(agent)
  if n == 0 then start_grace(s) end
  commit(s, n)
end

local function reply()
  return cjson.encode({ states = states, changes = changes })
end
`;

const script = (body: string) => redisScript(`${LIBRARY}\n${body}`);

/** ARGV[5] agent. */
export const connectedScript = script(`
local agent = ARGV[5]
set_count(agent, NODE, counted(agent, NODE) + 1)
local s = load(agent)
stop_grace(s)
s.restored = false
commit(s, live(agent))
return reply()
`);

/** ARGV[5] agent. A node that counts no connection of the agent changes nothing (a stray close). */
export const disconnectedScript = script(`
local agent = ARGV[5]
local c = counted(agent, NODE)
if c <= 0 then return reply() end
set_count(agent, NODE, c - 1)
lost_connection(agent)
return reply()
`);

/** ARGV[5] agent, ARGV[6] the chosen status. */
export const setStatusScript = script(`
local agent = ARGV[5]
local s = load(agent)
s.chosen = ARGV[6]
s.restored = false
local n = live(agent)
-- Chosen over HTTP before (or without) a live connection: it holds for one grace period.
if n == 0 and s.chosen ~= 'offline' then start_grace(s) end
if s.chosen == 'offline' then stop_grace(s) end
commit(s, n)
return reply()
`);

/** ARGV[5] agent. Nothing changes for an agent connected on any live node, or not offline. */
export const expectReconnectScript = script(`
local agent = ARGV[5]
local s = load(agent)
local n = live(agent)
if n > 0 or s.effective ~= 'offline' then return reply() end
s.restored = true
start_grace(s)
commit(s, n)
return reply()
`);

/**
 * ARGV[5..] pairs of agent and count: this node's own counts, written as they are (after its heartbeat lapsed and
 * the leader cleared them, or a change failed to reach Redis). Agents whose count is already right are untouched.
 */
export const syncScript = script(`
for i = 5, #ARGV, 2 do
  local agent = ARGV[i]
  local want = tonumber(ARGV[i + 1])
  local have = counted(agent, NODE)
  if have ~= want then
    -- No record: Redis lost it (restarted empty). The agent's choice is unknown; away, as after a restart, rather
    -- than the default online that would give chats to someone who may have chosen otherwise.
    local forgotten = redis.call('EXISTS', P .. 'presence:agent:' .. agent) == 0
    set_count(agent, NODE, want)
    if want > 0 then
      local s = load(agent)
      if forgotten then s.chosen = 'away' end
      stop_grace(s)
      s.restored = false
      commit(s, live(agent))
    else
      lost_connection(agent)
    end
  end
end
return reply()
`);

/** This node stops cleanly: its connections no longer count; their agents start their grace unless connected elsewhere. */
export const leaveScript = script(`
local key = P .. 'presence:node:' .. NODE
for _, agent in ipairs(redis.call('SMEMBERS', key)) do
  redis.call('HDEL', P .. 'presence:conns:' .. agent, NODE)
  lost_connection(agent)
end
redis.call('DEL', key)
return reply()
`);

/**
 * The leader's timed part: nodes whose heartbeat is gone lose their counts (their agents start the grace unless
 * connected elsewhere), then every grace past its deadline ends. Run twice at once, it still ends each grace once.
 */
export const sweepScript = script(`
for _, node in ipairs(redis.call('SMEMBERS', P .. 'nodes')) do
  if redis.call('EXISTS', P .. 'node:' .. node) == 0 then
    local key = P .. 'presence:node:' .. node
    for _, agent in ipairs(redis.call('SMEMBERS', key)) do
      redis.call('HDEL', P .. 'presence:conns:' .. agent, node)
      lost_connection(agent)
    end
    redis.call('DEL', key)
    redis.call('SREM', P .. 'nodes', node)
  end
end
for _, agent in ipairs(redis.call('ZRANGEBYSCORE', P .. 'presence:grace', '-inf', now_ms())) do
  redis.call('ZREM', P .. 'presence:grace', agent)
  local s = load(agent)
  s.grace = 0
  local n = live(agent)
  if n == 0 then s.restored = false end
  commit(s, n)
end
return reply()
`);

/** Every agent's record, for a node's mirror: { states }. */
export const snapshotScript = script(`
for _, agent in ipairs(redis.call('SMEMBERS', P .. 'presence:agents')) do
  local s = load(agent)
  states[#states + 1] = { agentId = s.id, status = s.effective, chosen = s.chosen, since = s.since, ver = s.ver }
end
return reply()
`);
