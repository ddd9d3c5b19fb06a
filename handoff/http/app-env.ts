// The Hono environment shared by the app and its route modules (what middleware puts on the context).
import type { RequestIdVariables } from 'hono/request-id';

export type AppEnv = {
  Variables: RequestIdVariables & {
    /** The client's address (handoff/http/client-address.ts): socket address, or the nearest untrusted X-Forwarded-For hop. */
    clientAddress: string;
    /** What per-address limits count under (handoff/http/address-key.ts): the IPv4 address, or an IPv6 client's /64. */
    clientKey: string;
  };
};
