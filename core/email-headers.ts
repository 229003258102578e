// Email headers for list hygiene: RFC 2369 List-Unsubscribe (https + mailto) and RFC 8058 one-click
// List-Unsubscribe-Post, which Gmail and Yahoo require from bulk senders. Also the reversible SES tag encoding
// that carries an ask id (which contains "~" and "#") through SES events, whose tag values allow only [A-Za-z0-9_-].

/** Header values must not carry CR/LF (header injection) and angle brackets would break the <uri> list. */
function assertHeaderSafe(field: string, value: string): void {
  if (/[\r\n<>]/.test(value)) throw new Error(`${field} must not contain CR, LF, "<" or ">"`);
}

/** The token at the end of an unsubscribe URL (`.../u/<token>`). */
export function tokenFromUnsubscribeUrl(url: string): string {
  const path = new URL(url).pathname;
  return decodeURIComponent(path.split('/').filter(Boolean).pop() ?? '');
}

export interface UnsubscribeHeaderInput {
  /** The https one-click URL (POST per RFC 8058; GET shows a confirm page). */
  url: string;
  /** The mailbox that takes unsubscribe mails, e.g. "unsubscribe@news.example.com". */
  mailbox: string;
  /** The signed unsubscribe token, put in the mailto subject so a mail reply can be matched too. */
  token: string;
}

/**
 * `List-Unsubscribe: <https-url>, <mailto:box?subject=unsubscribe-<token>>` and
 * `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. RFC 8058 demands an https URL for one-click.
 */
export function unsubscribeHeaders(input: UnsubscribeHeaderInput): Record<string, string> {
  const url = new URL(input.url);
  // http is only tolerated for the local runtime (localhost); real mailbox providers ignore non-https one-click.
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
  if (url.protocol !== 'https:' && !(local && url.protocol === 'http:')) throw new Error('unsubscribe url must be https');
  assertHeaderSafe('unsubscribe url', input.url);
  if (!/^[^@\s<>?]+@[^@\s<>?]+$/.test(input.mailbox)) throw new Error('unsubscribe mailbox must be an address like unsubscribe@example.com');
  const subject = encodeURIComponent(`unsubscribe-${input.token}`);
  return {
    'List-Unsubscribe': `<${url.toString()}>, <mailto:${input.mailbox}?subject=${subject}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

/** "unsubscribe@<domain of from>", the default mailto beside the URL. `from` may be "Name <a@b>". */
export function defaultUnsubscribeMailbox(from: string): string {
  const domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1];
  return `unsubscribe@${domain ?? 'example.com'}`;
}

/** SES tag values allow only [A-Za-z0-9_-]: base64url is exactly that alphabet and reversible. */
export function encodeTagValue(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

export function decodeTagValue(value: string): string | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) return undefined;
  const decoded = Buffer.from(value, 'base64url').toString('utf8');
  return encodeTagValue(decoded) === value ? decoded : undefined;
}

/** Tag names the email sender sets and the SES event handler reads. */
export const EMAIL_TAGS = { askId: 'askId', campaignId: 'campaignId', customerId: 'customerId' } as const;

const ENCODED_WORD_MAX = 75;

/**
 * RFC 2047 "B" encoded-words for a display name with non-ASCII characters (SES rejects raw non-ASCII names). Each word
 * is at most 75 characters and never splits a character's UTF-8 bytes; words are separated by a space.
 */
export function encodeWords(text: string): string {
  const prefix = '=?UTF-8?B?';
  const suffix = '?=';
  // base64 of n bytes is 4*ceil(n/3) chars: 75 - 12 = 63 chars -> at most 45 bytes per word.
  const maxBytes = Math.floor((ENCODED_WORD_MAX - prefix.length - suffix.length) / 4) * 3;
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    if (Buffer.byteLength(chunk + ch, 'utf8') > maxBytes) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `${prefix}${Buffer.from(w, 'utf8').toString('base64')}${suffix}`).join(' ');
}

/**
 * Split a configured mailbox, `Name <address>` or a bare `address`, into its parts (SES_FROM_ADDRESS may be either).
 * Surrounding quotes of the name are removed. Throws nothing: a value without angle brackets is a bare address.
 */
export function parseMailbox(value: string): { address: string; name?: string } {
  const m = /^\s*(?:"?([^"<]*?)"?\s*)?<([^<>\s]+)>\s*$/.exec(value);
  if (!m) return { address: value.trim() };
  const name = (m[1] ?? '').trim();
  return name ? { address: m[2]!, name } : { address: m[2]! };
}

/**
 * `Name <address>` for From and To headers: printable-ASCII names as an RFC 5322 quoted string (commas and quotes
 * cannot split the list), anything else RFC 2047-encoded. No name: the bare address. Throws on CR/LF or "<>" in the
 * address (header injection).
 */
export function formatMailbox(address: string, name?: string): string {
  assertHeaderSafe('address', address);
  const clean = (name ?? '').replace(/[\r\n\t]+/g, ' ').trim();
  if (!clean) return address;
  if (/^[\x20-\x7e]*$/.test(clean)) return `"${clean.replace(/["\\]/g, (c) => `\\${c}`)}" <${address}>`;
  return `${encodeWords(clean)} <${address}>`;
}
