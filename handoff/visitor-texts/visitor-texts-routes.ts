// The widget's admin-edited texts over HTTP: the public read the widget makes at start (revalidated by ETag, so an
// admin's change reaches the next widget load with no restart) and the logo image, and the admins' screen (read,
// save texts, upload or remove the logo), each change audited with the change it describes.
import { createHash } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AgentEnv, RequireAgent } from '../agents/agent-env.ts';
import { limitBody } from '../http/body-limit.ts';
import { parseBody } from '../http/parse-body.ts';
import { readJsonBody } from '../http/read-json-body.ts';
import { systemClock, type Clock } from '../platform/clock.ts';
import { NotFoundError } from '../platform/errors.ts';
import type { UnitOfWork } from '../platform/unit-of-work.ts';
import type { Messages } from '../routing/handoff-texts.ts';
import { actorOf, AuditAction, type AuditLog } from '../supervision/audit-log.ts';
import { defaultLogoOptions, sniffLogo } from './logo-image.ts';
import {
  changedTexts, dataUrlBytes, logoPath, publicTexts, visitorTextsBodySchema,
  type PublicVisitorTexts, type VisitorTextsRecord, type VisitorTextsStore,
} from './visitor-texts.ts';

export interface VisitorTextsRoutesOptions {
  /** Largest logo, in bytes. Range 1024-1048576; default 262144. */
  maxLogoBytes: number;
  /** Largest body of the texts' save. Range 1024-1048576 bytes; default 16384. */
  maxBodyBytes: number;
}

export const defaultVisitorTextsRoutesOptions: VisitorTextsRoutesOptions = {
  maxLogoBytes: defaultLogoOptions.maxBytes,
  maxBodyBytes: 16_384,
};

export interface VisitorTextsRoutesDeps {
  store: VisitorTextsStore;
  requireAgent: RequireAgent;
  audit: AuditLog;
  unitOfWork: UnitOfWork;
  /** The knowledge base's texts (messages.yaml), read per request so a reload applies: `welcome` is the default. */
  messages: () => Messages | undefined;
  clock?: Clock;
  options?: Partial<VisitorTextsRoutesOptions>;
}

/** What the admins' screen reads: the saved texts ('' = not set), the logo, and the defaults that fill the gaps. */
export interface AdminVisitorTexts {
  texts: {
    welcome: VisitorTextsRecord['welcome'];
    banner: VisitorTextsRecord['banner'];
    logo: { url: string; type: string; size: number } | null;
    updatedAt?: string;
    updatedBy?: string;
  };
  defaults: { welcome: { zh: string; en: string } };
}

const TARGET = { type: 'visitor_texts', id: 'widget' };
/** A logo's name in its URL: the hex SHA-256 of its bytes. */
const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * GET    /api/visitor/texts               (public)  -> PublicVisitorTexts, ETag, revalidated every load
 * GET    /api/visitor/logo/:sha256        (public)  -> the image, cacheable for good
 * GET    /api/admin/visitor-texts         (admin)   -> AdminVisitorTexts
 * PUT    /api/admin/visitor-texts         (admin)   { welcome: {zh, en}, banner: {zh, en} } -> AdminVisitorTexts
 * PUT    /api/admin/visitor-texts/logo    (admin)   { image: "data:image/png;base64,..." } -> AdminVisitorTexts
 * DELETE /api/admin/visitor-texts/logo    (admin)   -> AdminVisitorTexts
 */
export function visitorTextsRoutes(deps: VisitorTextsRoutesDeps): Hono<AgentEnv> {
  const { store, requireAgent, audit, unitOfWork } = deps;
  const clock = deps.clock ?? systemClock;
  const options: VisitorTextsRoutesOptions = { ...defaultVisitorTextsRoutesOptions, ...deps.options };
  const admin = requireAgent('admin');
  const app = new Hono<AgentEnv>();
  const kbWelcome = () => deps.messages()?.welcome;
  // base64 is 4/3 of the bytes; the rest is the field name and the data: prefix.
  const logoBody = limitBody(Math.ceil((options.maxLogoBytes * 4) / 3) + 1024, 'visitor texts: a logo upload');
  const logoSchema = z.strictObject({ image: z.string({ error: 'image must be a data: URL (string)' }) });

  const adminView = (record: VisitorTextsRecord): AdminVisitorTexts => {
    const kb = kbWelcome();
    return {
      texts: {
        welcome: record.welcome,
        banner: record.banner,
        logo: record.logo ? { url: logoPath(record.logo), type: record.logo.type, size: record.logo.size } : null,
        ...(record.updatedAt ? { updatedAt: record.updatedAt } : {}),
        ...(record.updatedBy ? { updatedBy: record.updatedBy } : {}),
      },
      defaults: { welcome: { zh: kb?.zh ?? '', en: kb?.en ?? '' } },
    };
  };

  app.get('/api/visitor/texts', async (c) => {
    const texts: PublicVisitorTexts = publicTexts(await store.get(), kbWelcome());
    const body = JSON.stringify(texts);
    // The same texts give the same tag on every node; a knowledge-base reload changing the default changes it too.
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    c.header('ETag', etag);
    // Kept by the browser but asked again at every widget load (a 304 when unchanged): a change shows at once.
    c.header('Cache-Control', 'no-cache');
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    if (matches(c, etag)) return c.body(null, 304);
    c.header('Content-Type', 'application/json; charset=UTF-8');
    return c.body(body);
  });

  app.get('/api/visitor/logo/:sha256', async (c) => {
    const sha256 = c.req.param('sha256');
    if (!SHA256_HEX.test(sha256)) throw new NotFoundError('visitor texts: no such logo');
    const logo = await store.logo();
    // An old logo's URL is gone once replaced: the widget reads the current one from /api/visitor/texts.
    if (!logo || logo.sha256 !== sha256) throw new NotFoundError('visitor texts: no such logo');
    const etag = `"${sha256}"`;
    c.header('ETag', etag);
    c.header('Cache-Control', 'public, max-age=31536000, immutable');
    // Shown inside the widget on the sites that embed it, so other origins may load it; it is never a document.
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    c.header('Content-Security-Policy', "default-src 'none'; sandbox");
    c.header('X-Content-Type-Options', 'nosniff');
    if (matches(c, etag)) return c.body(null, 304);
    c.header('Content-Type', logo.type);
    return c.body(new Uint8Array(logo.bytes));
  });

  app.get('/api/admin/visitor-texts', admin, async (c) => c.json(adminView(await store.get())));

  app.put('/api/admin/visitor-texts', admin, limitBody(options.maxBodyBytes, 'visitor texts'), async (c) => {
    const input = parseBody(visitorTextsBodySchema, await readJsonBody(c));
    const me = c.var.agent;
    // The texts and their audit row commit together, or neither does.
    const saved = await unitOfWork.withTransaction(async () => {
      const before = await store.get();
      const after = await store.saveTexts(input, clock(), me.id);
      await audit.record(actorOf(me), AuditAction.visitorTextsSaved, TARGET, { changed: changedTexts(before, after) });
      return after;
    });
    return c.json(adminView(saved));
  });

  app.put('/api/admin/visitor-texts/logo', admin, logoBody, async (c) => {
    const { image } = parseBody(logoSchema, await readJsonBody(c));
    const logo = await sniffLogo(dataUrlBytes(image, 'image'), { maxBytes: options.maxLogoBytes });
    const me = c.var.agent;
    const saved = await unitOfWork.withTransaction(async () => {
      const after = await store.saveLogo(logo, clock(), me.id);
      await audit.record(actorOf(me), AuditAction.visitorLogoSaved, TARGET, { type: logo.type, bytes: logo.size, sha256: logo.sha256 });
      return after;
    });
    return c.json(adminView(saved));
  });

  app.delete('/api/admin/visitor-texts/logo', admin, async (c) => {
    const me = c.var.agent;
    const saved = await unitOfWork.withTransaction(async () => {
      const before = await store.get();
      const after = await store.saveLogo(null, clock(), me.id);
      await audit.record(actorOf(me), AuditAction.visitorLogoRemoved, TARGET, { had: before.logo !== undefined });
      return after;
    });
    return c.json(adminView(saved));
  });

  return app;
}

function matches(c: Context, etag: string): boolean {
  return c.req.header('If-None-Match')?.split(/\s*,\s*/).some((tag) => tag === etag || tag === `W/${etag}`) ?? false;
}
