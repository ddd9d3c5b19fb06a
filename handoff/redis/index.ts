// The Redis platform the redis-* adapters of each feature build on.
export { createRedisLink, type RedisLink, type RedisLinkOptions } from './redis-link.ts';
