// File names are labels: reduced to their last segment, cleaned of invisible and direction characters, cut to a
// length that keeps the extension, and named in a download header so that no client can misread them.
import { describe, expect, it } from 'vitest';
import { cleanAttachmentName, contentDisposition, MAX_ATTACHMENT_NAME_CHARS } from './attachment-name.ts';
import { sniffAttachment } from './sniff-attachment.ts';

describe('cleanAttachmentName', () => {
  it('keeps the last path segment only, of either slash', () => {
    expect(cleanAttachmentName('../../etc/passwd', 'image/png')).toBe('passwd');
    expect(cleanAttachmentName('C:\\Users\\me\\账单.pdf', 'application/pdf')).toBe('账单.pdf');
  });

  it('drops control and direction characters, and names an empty or dot-only name by its type', () => {
    expect(cleanAttachmentName('a\u0000b\u202Ec\u2066d\n.png', 'image/png')).toBe('abcd .png');
    expect(cleanAttachmentName('', 'image/jpeg')).toBe('file.jpg');
    expect(cleanAttachmentName(undefined, 'application/pdf')).toBe('file.pdf');
    expect(cleanAttachmentName('../..', 'image/gif')).toBe('file.gif');
    expect(cleanAttachmentName('\u202E', 'image/webp')).toBe('file.webp');
  });

  it('cuts a long name to the limit, keeping its extension', () => {
    const name = cleanAttachmentName(`${'长'.repeat(300)}.jpeg`, 'image/jpeg');
    expect(Array.from(name)).toHaveLength(MAX_ATTACHMENT_NAME_CHARS);
    expect(name.endsWith('….jpeg')).toBe(true);
    expect(Array.from(cleanAttachmentName('x'.repeat(500), 'image/png'))).toHaveLength(MAX_ATTACHMENT_NAME_CHARS);
  });
});

describe('contentDisposition', () => {
  it('quotes an ASCII stand-in and percent-encodes the exact name', () => {
    expect(contentDisposition('attachment', '账单 "3月".pdf')).toBe(`attachment; filename="__ _3__.pdf"; filename*=UTF-8''%E8%B4%A6%E5%8D%95%20%223%E6%9C%88%22.pdf`);
    expect(contentDisposition('inline', "it's (1).png")).toBe(`inline; filename="it's (1).png"; filename*=UTF-8''it%27s%20%281%29.png`);
  });
});

describe('sniffAttachment', () => {
  it('judges by the bytes: a page is refused whatever it is called, a polyglot with a page up front too', async () => {
    expect(await sniffAttachment(new Uint8Array(Buffer.from('%PDF-1.7\n%%EOF')))).toEqual({ kind: 'accepted', type: 'application/pdf' });
    expect((await sniffAttachment(new Uint8Array(Buffer.from('<!doctype html><p>hi')))).kind).toBe('refused');
    const gif = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
    expect(await sniffAttachment(new Uint8Array(gif))).toEqual({ kind: 'accepted', type: 'image/gif' });
    const polyglot = Buffer.concat([gif, Buffer.from('<SCRIPT>alert(1)</SCRIPT>')]);
    expect(await sniffAttachment(new Uint8Array(polyglot))).toEqual({ kind: 'refused', detected: 'image/gif with markup' });
    // A type the sniffer knows but the chat does not take.
    expect(await sniffAttachment(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0]))).toMatchObject({ kind: 'refused' });
  });
});
