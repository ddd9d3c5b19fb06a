// Files across nodes (two real processes on one PostgreSQL and Redis, each with its own DATA_DIR): the bytes live in
// the shared database, so a file uploaded through node A downloads through node B, both ways, and an erasure made
// on one node removes the file for all of them.
import { expect, it } from 'vitest';
import { describeWithServices } from '../../handoff/testing/services.ts';
import { PDF, pngBytes, upload } from '../attachment-files.ts';
import { useCluster } from './cluster-kit.ts';
import { createAgent, handedOff, signInAdmin, take, transcript } from './cluster-clients.ts';

describeWithServices('attachments across nodes', () => {
  const c = useCluster({ names: ['A', 'B'], env: { RATE_LIMITS: 'off' } });
  const url = (name: string) => c.cluster.node(name).url;

  it('a file uploaded through A downloads through B (and back), and an erasure through A removes it on B', async () => {
    const admin = await signInAdmin(url('B'));
    const amy = await createAgent(admin, url('B'), 'amy', { displayName: 'Amy' });
    const { visitor } = await handedOff(url('A'));
    await take(url('B'), amy, visitor.id);
    const bearer = { authorization: `Bearer ${visitor.token}` };

    const png = pngBytes(16, 16, [10, 200, 90]);
    const sent = await upload(`${url('A')}/api/conversations/${visitor.id}/attachments`, { name: '截图.png', type: 'image/png', bytes: png }, bearer);
    expect(sent.status, JSON.stringify(sent.json)).toBe(201);
    const { url: pngUrl } = sent.json.attachment;
    for (const headers of [bearer, { cookie: amy.cookie }]) {
      const res = await fetch(`${url('B')}${pngUrl}`, { headers });
      expect(res.status).toBe(200);
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(png);
    }
    // The agent's file the other way: sent through B, read by the visitor through A, in history on both.
    const pdf = await upload(`${url('B')}/api/agent/conversations/${visitor.id}/attachments`, { name: 'bill.pdf', type: 'application/pdf', bytes: PDF }, { cookie: amy.cookie, origin: url('B') });
    expect(pdf.status, JSON.stringify(pdf.json)).toBe(201);
    const got = await fetch(`${url('A')}${pdf.json.attachment.url}`, { headers: bearer });
    expect(got.status).toBe(200);
    expect(got.headers.get('content-disposition')).toMatch(/^attachment; /);
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(PDF);
    for (const node of ['A', 'B']) {
      const withFiles = (await transcript(url(node), visitor)).messages.filter((m: any) => m.attachment).map((m: any) => m.attachment.name);
      expect(withFiles).toEqual(['截图.png', 'bill.pdf']);
    }

    expect((await amy.call(url('B'), 'POST', `/api/agent/conversations/${visitor.id}/close`)).status).toBe(200);
    expect((await admin.call(url('A'), 'DELETE', `/api/admin/visitors/${visitor.id}/transcripts`)).status).toBe(200);
    for (const node of ['A', 'B']) {
      const res = await fetch(`${url(node)}${pngUrl}`, { headers: { cookie: admin.cookie } });
      expect(res.status).toBe(404);
    }
  }, 60_000);
});
