// The hub of several nodes: local listeners hear an event at once (as in one process), and every other node hears
// it through one Redis pub/sub channel. Pub/sub delivers at most once, so the streams also catch up from the
// database on their heartbeat (handoff/live/message-pump.ts).
import { createMemoryHub, type LiveEvent, type MemoryHub, type Topic } from '../platform/hub.ts';
import type { RedisLink } from './redis-link.ts';

export interface RedisHub extends MemoryHub {
  /** Subscribes to the channel; events of other nodes published before it resolves may be missed. */
  start(): Promise<void>;
  /** Stops hearing other nodes (local delivery goes on). */
  stop(): Promise<void>;
}

export interface RedisHubDeps {
  /** A listener threw (a bug): reported here instead of breaking the publisher. */
  onListenerError?: (err: unknown) => void;
  /** A publish did not reach Redis, or a message from Redis could not be read. */
  onError?: (err: unknown) => void;
}

/** What goes over the channel: the node that published it (it does not hear its own events twice). */
interface HubMessage {
  node: string;
  topic: Topic;
  event: LiveEvent;
}

export const HUB_CHANNEL_NAME = 'hub';

export function createRedisHub(link: RedisLink, deps: RedisHubDeps = {}): RedisHub {
  const local = createMemoryHub(deps.onListenerError);
  const channel = link.key(HUB_CHANNEL_NAME);
  let started = false;

  const onMessage = (from: string, text: string) => {
    if (from !== channel) return;
    let message: HubMessage;
    try {
      message = JSON.parse(text) as HubMessage;
    } catch (err) {
      deps.onError?.(err);
      return;
    }
    if (message.node === link.nodeId) return;
    local.publish(message.topic, message.event);
  };

  return {
    listenerCount: (topic) => local.listenerCount(topic),
    subscribe: (topic, listener) => local.subscribe(topic, listener),
    publish(topic, event) {
      local.publish(topic, event);
      // Every event is JSON already (ids, texts, ISO dates): the copy other nodes get is equal to this one.
      const message: HubMessage = { node: link.nodeId, topic, event };
      link.command.publish(channel, JSON.stringify(message)).catch((err: unknown) => deps.onError?.(err));
    },
    async start() {
      if (started) return;
      started = true;
      link.subscriber.on('message', onMessage);
      await link.subscriber.subscribe(channel);
    },
    async stop() {
      if (!started) return;
      started = false;
      link.subscriber.off('message', onMessage);
      await link.subscriber.unsubscribe(channel).catch((err: unknown) => deps.onError?.(err));
    },
  };
}
