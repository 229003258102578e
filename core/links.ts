// Signed link tokens and referral codes: compact HMAC-SHA256 tokens for share, unsubscribe, status, in-app and
// preference links (verified with rotation and in constant time), and unguessable, easy-to-read referral codes.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { urlAlphabet } from 'nanoid';
import * as z from 'zod';
import type { IdGenerator, Keyring } from './ports.js';
import { ValidationError } from './errors.js';

export const TOKEN_PURPOSES = ['share', 'unsub', 'status', 'inapp', 'prefs'] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

/** What a token carries; one-letter keys keep links short enough for SMS. */
export const TokenPayload = z.object({
  /** Purpose: a share token never unsubscribes anybody. */
  p: z.enum(TOKEN_PURPOSES),
  /** Customer id. */
  c: z.string().min(1).max(128),
  /** Campaign id. */
  k: z.string().min(1).max(63).optional(),
  /** Milestone occurrence id. */
  o: z.string().min(1).max(200).optional(),
  /** Referral code. */
  r: z.string().min(1).max(32).optional(),
  /** Expiry, epoch seconds. */
  e: z.number().int().positive().optional(),
});
export type TokenPayload = z.infer<typeof TokenPayload>;

// 128 bits of HMAC-SHA256 (truncation allowed by RFC 2104 / NIST SP 800-107) keeps SMS links short.
const SIG_BYTES = 16;
const KID = /^[A-Za-z0-9_-]{1,32}$/;
const B64URL = /^[A-Za-z0-9_-]+$/;

function keyFor(keyring: Keyring, kid: string): Buffer | undefined {
  if (!KID.test(kid) || !Object.hasOwn(keyring.keys, kid)) return undefined;
  const key = Buffer.from(keyring.keys[kid]!, 'base64url');
  return key.length > 0 ? key : undefined;
}

function sign(key: Buffer, body: string, kid: string): Buffer {
  // The kid is signed too, so a token cannot be replayed under another key id.
  return createHmac('sha256', key).update(`${body}.${kid}`).digest().subarray(0, SIG_BYTES);
}

/** `<base64url(json)>.<kid>.<base64url(sig)>`, signed with the keyring's current key. */
export function signToken(payload: TokenPayload, keyring: Keyring): string {
  const parsed = TokenPayload.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(`token payload field "${issue.path.join('.')}": ${issue.message}`);
  }
  const kid = keyring.currentKid;
  const key = keyFor(keyring, kid);
  if (!key) throw new ValidationError(`keyring: current key id "${kid}" has no usable key`);
  const body = Buffer.from(JSON.stringify(parsed.data)).toString('base64url');
  return `${body}.${kid}.${sign(key, body, kid).toString('base64url')}`;
}

/**
 * The payload of a genuine token, or null (malformed, unknown key id, bad signature, bad payload, expired). Never
 * throws: links come from the outside world. A token with an expiry needs `now`; without it the token is refused.
 */
export function verifyToken(token: string, keyring: Keyring, now?: Date): TokenPayload | null {
  try {
    if (typeof token !== 'string' || token.length > 2048) return null;
    const parts = token.split('.');
    if (parts.length !== 3) return null;
    const [body, kid, sigText] = parts as [string, string, string];
    if (!B64URL.test(body) || !B64URL.test(sigText)) return null;
    const key = keyFor(keyring, kid);
    if (!key) return null;
    const sig = Buffer.from(sigText, 'base64url');
    // Only the canonical encoding counts: otherwise a changed last character that only flips padding bits would pass.
    if (sig.length !== SIG_BYTES || sig.toString('base64url') !== sigText) return null;
    if (!timingSafeEqual(sig, sign(key, body, kid))) return null;
    const parsed = TokenPayload.safeParse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    if (!parsed.success) return null;
    if (parsed.data.e !== undefined && (now === undefined || now.getTime() >= parsed.data.e * 1000)) return null;
    return parsed.data;
  } catch {
    return null;
  }
}

/** Like verifyToken, but only a token minted for `purpose` passes (an unsubscribe link cannot open a status page). */
export function verifyTokenFor(purpose: TokenPurpose, token: string, keyring: Keyring, now?: Date): TokenPayload | null {
  const payload = verifyToken(token, keyring, now);
  return payload !== null && payload.p === purpose ? payload : null;
}

/** A fresh keyring with one 256-bit key under `kid`. */
export function generateKeyring(randomBytes: (n: number) => Buffer, kid: string): Keyring {
  if (!KID.test(kid)) throw new ValidationError(`key id "${kid}" must be 1-32 characters of A-Z a-z 0-9 _ -`);
  return { currentKid: kid, keys: { [kid]: randomBytes(32).toString('base64url') } };
}

/** The keyring with a new current key; old keys stay so links already sent keep working. */
export function rotateKeyring(keyring: Keyring, randomBytes: (n: number) => Buffer, kid: string): Keyring {
  if (Object.hasOwn(keyring.keys, kid)) throw new ValidationError(`key id "${kid}" is already in the keyring`);
  const fresh = generateKeyring(randomBytes, kid);
  return { currentKid: kid, keys: { ...keyring.keys, ...fresh.keys } };
}

/** Length of a short link id (`/k/<id>`, the SMS's link to the share page). */
export const SHORT_LINK_ID_LENGTH = 12;

/**
 * The short link id of one ask's share page: HMAC of the ask id with the current signing key, base64url, 12 symbols
 * (72 bits). The same ask always gets the same id (a retried send, the preview of the same ask), nobody without the
 * key can derive one, and its length is fixed, so a preview counts SMS characters with a link of the real length.
 */
export function shortLinkId(askId: string, keyring: Keyring): string {
  const key = keyFor(keyring, keyring.currentKid);
  if (!key) throw new ValidationError(`keyring has no key for currentKid "${keyring.currentKid}"`);
  return createHmac('sha256', key).update(`short-link:${askId}`).digest('base64url').slice(0, SHORT_LINK_ID_LENGTH);
}

/** 32 characters without lookalikes (no 0/o, 1/l): codes are read aloud and typed from SMS. */
export const referralCodeAlphabet = '23456789abcdefghijkmnpqrstuvwxyz';
export const REFERRAL_CODE_LENGTH = 10;
const REFERRAL_CODE = new RegExp(`^[${referralCodeAlphabet}]{${REFERRAL_CODE_LENGTH}}$`);

/**
 * A new referral code (50 random bits). The generator is nanoid in production: each of its 64 symbols maps onto
 * the 32-symbol alphabet two to one, so the code stays uniform.
 */
export function newReferralCode(ids: IdGenerator): string {
  const raw = ids.id(REFERRAL_CODE_LENGTH);
  if (raw.length < REFERRAL_CODE_LENGTH) throw new ValidationError(`id generator returned ${raw.length} characters, need ${REFERRAL_CODE_LENGTH}`);
  let code = '';
  for (const ch of raw.slice(0, REFERRAL_CODE_LENGTH)) {
    const at = urlAlphabet.indexOf(ch);
    code += referralCodeAlphabet[(at >= 0 ? at : ch.charCodeAt(0)) % referralCodeAlphabet.length];
  }
  return code;
}

// Characters people type for a code's symbols: Cyrillic and Greek letters that look like Latin ones (pasted from
// chats), and the look-alikes the alphabet leaves out ("1", "l" and "|" for "i", as codes read in capitals show
// "I"). NFKC first folds full-width forms and ligatures.
const LOOKALIKES: Record<string, string> = {
  '1': 'i', l: 'i', '|': 'i', 'ı': 'i', 'і': 'i', 'ι': 'i',
  'а': 'a', 'в': 'b', 'е': 'e', 'к': 'k', 'м': 'm', 'н': 'h', 'р': 'p', 'с': 'c', 'т': 't', 'у': 'y', 'х': 'x', 'ј': 'j', 'ѕ': 's',
  'α': 'a', 'β': 'b', 'ε': 'e', 'κ': 'k', 'μ': 'm', 'ν': 'v', 'ρ': 'p', 'τ': 't', 'υ': 'u', 'χ': 'x', 'ζ': 'z',
};
const SEPARATORS = /[\s\u00a0\u200b-\u200d\u2060\ufeff_.·‐-―−-]+/gu;

/**
 * The one normalized form of a referral code as people and systems send it (path, query, form, webhook, CLI):
 * Unicode NFKC, surrounding and inner spaces/dashes removed, lower case, look-alike characters mapped onto the
 * alphabet. Returns the input normalized even when it is still not a code (check with isReferralCode).
 */
export function normalizeReferralCode(input: string): string {
  let out = '';
  for (const ch of input.normalize('NFKC').replace(SEPARATORS, '').toLowerCase()) out += LOOKALIKES[ch] ?? ch;
  return out;
}

/** A normalized referral code, or undefined when the input is not one. */
export function parseReferralCode(input: string | undefined): string | undefined {
  if (input === undefined) return undefined;
  const code = normalizeReferralCode(input);
  return isReferralCode(code) ? code : undefined;
}

/** Whether a string has the shape of a referral code (checked before any lookup). */
export function isReferralCode(s: string): boolean {
  return REFERRAL_CODE.test(s);
}
