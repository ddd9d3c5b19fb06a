// Knowledge-base publications of the multi-node mode: the publication store plus the Redis notice that tells every
// node at once that there is a new one (kb-publication-store.ts says what a publication is).
import type { PgDb } from '../postgres/pg-db.ts';
import { openPostgres } from '../postgres/open.ts';
import { createRedisLink, type RedisLink } from '../redis/redis-link.ts';
import type { KbPublication, KbPublicationHead, KbPublicationStoreOptions, NewKbPublication } from './kb-publication-store.ts';
import { createPostgresKbPublicationStore } from './postgres-kb-publication-store.ts';

/** Publications plus their notice: what the `kb publish` command and each node's sync use. */
export interface KbPublications {
  /**
   * Stores the publication, then tells every node. `announced` is false when the notice could not be sent
   * (no Redis, Redis down): the publication stands, and the nodes' polling finds it all the same.
   */
  publish(publication: NewKbPublication): Promise<{ publication: KbPublicationHead; announced: boolean }>;
  newest(): Promise<KbPublicationHead | undefined>;
  read(id: number): Promise<KbPublication | undefined>;
  /**
   * Calls `listener` when any process announces a publication (with its id); resolves once subscribed, to the
   * function that unsubscribes. Without Redis nothing is ever announced: the nodes learn by polling alone.
   */
  onPublished(listener: (id: number) => void): Promise<() => Promise<void>>;
}

/** The channel (under the deployment's Redis prefix) a publication is announced on. */
const CHANNEL = 'kb';

export function createKbPublications(db: PgDb, redis?: RedisLink, options: Partial<KbPublicationStoreOptions> = {}): KbPublications {
  const store = createPostgresKbPublicationStore(db, options);
  return {
    async publish(publication) {
      const head = await store.add(publication);
      if (!redis) return { publication: head, announced: false };
      try {
        // After the commit, so a node woken by the notice finds the row.
        await redis.command.publish(redis.key(CHANNEL), String(head.id));
        return { publication: head, announced: true };
      } catch {
        return { publication: head, announced: false };
      }
    },
    newest: () => store.newest(),
    read: (id) => store.read(id),
    async onPublished(listener) {
      if (!redis) return async () => {};
      const channel = redis.key(CHANNEL);
      // The subscriber connection is shared with the live hub: only this channel's messages are ours.
      const onMessage = (from: string, message: string) => {
        if (from !== channel) return;
        const id = Number(message);
        if (Number.isSafeInteger(id)) listener(id);
      };
      redis.subscriber.on('message', onMessage);
      await redis.subscriber.subscribe(channel);
      return async () => {
        redis.subscriber.off('message', onMessage);
        await redis.subscriber.unsubscribe(channel).catch(() => {});
      };
    },
  };
}

export interface OpenKbPublicationsOptions {
  databaseUrl: string;
  redisUrl?: string;
  /** REDIS_PREFIX, as the nodes have it (bot/server/config.ts). Default `tc:`. */
  redisPrefix?: string;
}

/** For a process outside the service (the kb CLI): its own connections, migrated, closed with `close()`. */
export async function openKbPublications(options: OpenKbPublicationsOptions): Promise<KbPublications & { close(): Promise<void> }> {
  const db = await openPostgres(options.databaseUrl, { poolSize: 2 });
  const redis = options.redisUrl ? createRedisLink(options.redisUrl, { prefix: options.redisPrefix ?? 'tc:' }) : undefined;
  return {
    ...createKbPublications(db, redis),
    async close() {
      await Promise.allSettled([db.close(), redis?.close()]);
    },
  };
}
