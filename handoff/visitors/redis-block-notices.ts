// Visitor block changes told between nodes through Redis: a notice on the `blocks` channel for speed, and a
// version key (a fresh random value per change) that every node polls, because pub/sub drops messages when a
// subscriber reconnects. A node seeing either reloads the blocks from the database.
import { randomUUID } from 'node:crypto';
import type { RedisLink } from '../redis/redis-link.ts';
import type { BlockNotices } from './block-notices.ts';

export interface RedisBlockNoticesOptions {
  /**
   * How often the version key is read: the longest a change takes to reach a node whose notice was lost.
   * One GET per interval per node. Range 100-10000 ms; default 500 (blocks enforced everywhere within 1 s).
   */
  pollMs: number;
  /** A notice that could not be sent, a poll that failed (Redis out of reach); the next poll retries. */
  onError: (err: unknown) => void;
}

export const defaultRedisBlockNoticesOptions: RedisBlockNoticesOptions = { pollMs: 500, onError: () => {} };

export function createRedisBlockNotices(link: RedisLink, options: Partial<RedisBlockNoticesOptions> = {}): BlockNotices {
  const opts: RedisBlockNoticesOptions = { ...defaultRedisBlockNoticesOptions, ...options };
  const channel = link.key('blocks');
  const versionKey = link.key('blocks:version');
  /** The version this node last acted on (its own changes included): a different one means a reload. */
  let seen: string | null = null;

  return {
    shared: true,

    async changed() {
      const version = randomUUID();
      seen = version;
      try {
        // The version first: a node that misses the notice still sees the change at its next poll.
        await link.command.multi().set(versionKey, version).publish(channel, link.nodeId).exec();
      } catch (err) {
        opts.onError(err);
      }
    },

    async watch(onChange) {
      const onMessage = (from: string, message: string) => {
        if (from === channel && message !== link.nodeId) onChange();
      };
      link.subscriber.on('message', onMessage);
      await link.subscriber.subscribe(channel);
      // Read before the caller loads: a change after this read is a different version at the next poll.
      seen = await link.command.get(versionKey);
      let polling = false;
      const poll = setInterval(() => {
        if (polling) return;
        polling = true;
        link.command
          .get(versionKey)
          .then((version) => {
            if (version === seen) return;
            seen = version;
            onChange();
          })
          .catch(opts.onError)
          .finally(() => (polling = false));
      }, opts.pollMs);
      poll.unref();
      return async () => {
        clearInterval(poll);
        link.subscriber.off('message', onMessage);
        await link.subscriber.unsubscribe(channel).catch(opts.onError);
      };
    },
  };
}
