// The Redis platform the redis-* adapters of each feature build on.
export { createRedisLink, type RedisLink, type RedisLinkOptions } from './redis-link.ts';
export { redisScript, type RedisScript } from './redis-script.ts';
export { createNodeHeartbeat, type NodeHeartbeat, type NodeHeartbeatOptions } from './node-heartbeat.ts';
export { createRedisHub, type RedisHub } from './redis-hub.ts';
export { createLeaderLease, type LeaderLease, type LeaderLeaseOptions } from './leader-lease.ts';
