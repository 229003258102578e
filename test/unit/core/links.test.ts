// Signed link tokens (tampering, rotation, expiry, purpose) and referral codes.
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateKeyring,
  isReferralCode,
  newReferralCode,
  referralCodeAlphabet,
  rotateKeyring,
  signToken,
  verifyToken,
  verifyTokenFor,
  type TokenPayload,
} from '../../../core/links.js';
import type { IdGenerator, Keyring } from '../../../core/ports.js';

const fixedBytes = (seed: number) => (n: number) => Buffer.alloc(n, seed);
const keyring = generateKeyring(fixedBytes(7), 'k1');
const payload: TokenPayload = { p: 'share', c: 'cust-1', k: 'signup-anniversary', o: 'signup_anniversary#2025', r: 'abcdefghij' };

describe('signToken / verifyToken', () => {
  it('round-trips a payload', () => {
    const token = signToken(payload, keyring);
    expect(verifyToken(token, keyring)).toEqual(payload);
  });

  it('has the compact <body>.<kid>.<sig> shape', () => {
    const token = signToken({ p: 'unsub', c: 'cust-1' }, keyring);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.k1\.[A-Za-z0-9_-]{22}$/);
    expect(token.length).toBeLessThan(80);
  });

  it('rejects the token when any single character is changed', () => {
    // Prepare
    const token = signToken(payload, keyring);
    const accepted: number[] = [];
    // Act
    for (let i = 0; i < token.length; i += 1) {
      const ch = token[i]!;
      const swapped = ch === 'A' ? 'B' : 'A';
      const tampered = token.slice(0, i) + swapped + token.slice(i + 1);
      if (verifyToken(tampered, keyring) !== null) accepted.push(i);
    }
    // Assess
    expect(accepted).toEqual([]);
  });

  it('rejects a changed last signature character that only flips padding bits', () => {
    const token = signToken(payload, keyring);
    const last = token.at(-1)!;
    // 16 bytes leave 4 unused bits in the last base64url character: flipping the lowest one keeps the bytes.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1]!;
    const sig = token.split('.')[2]!;
    expect(Buffer.from(sig.slice(0, -1) + sibling, 'base64url')).toEqual(Buffer.from(sig, 'base64url'));
    expect(verifyToken(token.slice(0, -1) + sibling, keyring)).toBeNull();
  });

  it('rejects a payload re-signed under another key id', () => {
    const other = generateKeyring(fixedBytes(9), 'k2');
    const both: Keyring = { currentKid: 'k1', keys: { ...keyring.keys, ...other.keys } };
    const [body, , sig] = signToken(payload, keyring).split('.');
    expect(verifyToken(`${body}.k2.${sig}`, both)).toBeNull();
  });

  it('rejects unknown key ids, including prototype names', () => {
    const [body, , sig] = signToken(payload, keyring).split('.');
    expect(verifyToken(`${body}.k9.${sig}`, keyring)).toBeNull();
    expect(verifyToken(`${body}.__proto__.${sig}`, keyring)).toBeNull();
    expect(verifyToken(`${body}.toString.${sig}`, keyring)).toBeNull();
  });

  it.each(['', 'abc', 'a.b', 'a.b.c.d', '..', '!!.k1.!!', 'x'.repeat(5000)])('returns null for malformed %j without throwing', (t) => {
    expect(verifyToken(t, keyring)).toBeNull();
  });

  it('returns null for a correctly signed body that is not a valid payload', () => {
    // Prepare: sign a foreign body with the real key, the way signToken would
    const body = Buffer.from(JSON.stringify({ p: 'admin', c: 'cust-1' })).toString('base64url');
    const key = Buffer.from(keyring.keys.k1!, 'base64url');
    const sig = createHmac('sha256', key).update(`${body}.k1`).digest().subarray(0, 16).toString('base64url');
    // Act
    const result = verifyToken(`${body}.k1.${sig}`, keyring);
    // Assess
    expect(result).toBeNull();
  });

  it('rejects a token signed with another secret under the same key id', () => {
    const token = signToken(payload, keyring);
    expect(verifyToken(token, { currentKid: 'k1', keys: { k1: Buffer.alloc(32, 8).toString('base64url') } })).toBeNull();
  });

  it('still verifies tokens signed with a rotated-out key', () => {
    // Prepare
    const old = signToken(payload, keyring);
    const rotated = rotateKeyring(keyring, fixedBytes(11), 'k2');
    // Act
    const fresh = signToken(payload, rotated);
    // Assess
    expect(fresh.split('.')[1]).toBe('k2');
    expect(verifyToken(old, rotated)).toEqual(payload);
    expect(verifyToken(fresh, rotated)).toEqual(payload);
    expect(verifyToken(fresh, keyring)).toBeNull();
  });

  it('honours the expiry and refuses an expiring token when no clock is given', () => {
    const token = signToken({ p: 'status', c: 'cust-1', e: 1_750_000_000 }, keyring);
    expect(verifyToken(token, keyring, new Date(1_749_999_999_000))).not.toBeNull();
    expect(verifyToken(token, keyring, new Date(1_750_000_000_000))).toBeNull();
    expect(verifyToken(token, keyring)).toBeNull();
  });

  it('refuses to sign an invalid payload and names the field', () => {
    expect(() => signToken({ p: 'share', c: '' }, keyring)).toThrow(/"c"/);
  });

  it('refuses to sign when the current key is missing', () => {
    expect(() => signToken(payload, { currentKid: 'nope', keys: {} })).toThrow(/nope/);
  });
});

describe('verifyTokenFor', () => {
  it('accepts only the purpose it was minted for', () => {
    const share = signToken(payload, keyring);
    expect(verifyTokenFor('share', share, keyring)).toEqual(payload);
    expect(verifyTokenFor('unsub', share, keyring)).toBeNull();
  });
});

describe('keyrings', () => {
  it('generates a 256-bit key under the key id', () => {
    const ring = generateKeyring(randomBytes, 'main');
    expect(ring.currentKid).toBe('main');
    expect(Buffer.from(ring.keys.main!, 'base64url')).toHaveLength(32);
  });

  it('refuses a key id with a dot (it would break the token format)', () => {
    expect(() => generateKeyring(randomBytes, 'a.b')).toThrow(/key id/);
  });

  it('refuses to rotate to a key id already in use', () => {
    expect(() => rotateKeyring(keyring, randomBytes, 'k1')).toThrow(/already/);
  });
});

describe('referral codes', () => {
  const nanoLike = (): IdGenerator => ({ id: (size = 21) => randomBytes(size).toString('base64url').slice(0, size) });

  it('are 10 characters from the lookalike-free alphabet', () => {
    const code = newReferralCode(nanoLike());
    expect(code).toHaveLength(10);
    expect(isReferralCode(code)).toBe(true);
    expect(referralCodeAlphabet).not.toMatch(/[01lo]/);
    expect(new Set(referralCodeAlphabet).size).toBe(32);
  });

  it('are deterministic for a deterministic generator', () => {
    const fixed: IdGenerator = { id: () => 'V1StGXR8_Z5jdHi6B-myT' };
    expect(newReferralCode(fixed)).toBe(newReferralCode(fixed));
  });

  it('use every symbol of the alphabet about evenly', () => {
    // Prepare
    const ids = nanoLike();
    const counts = new Map<string, number>();
    // Act
    for (let i = 0; i < 3200; i += 1) for (const ch of newReferralCode(ids)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    // Assess: 1000 expected per symbol
    expect(counts.size).toBe(32);
    for (const n of counts.values()) expect(Math.abs(n - 1000)).toBeLessThan(200);
  });

  it('do not repeat over many draws', () => {
    const ids = nanoLike();
    const codes = new Set(Array.from({ length: 20_000 }, () => newReferralCode(ids)));
    expect(codes.size).toBe(20_000);
  });

  it('fail loudly when the generator returns too few characters', () => {
    expect(() => newReferralCode({ id: () => 'abc' })).toThrow(/10/);
  });

  it.each(['abcdefghi', 'abcdefghijk', 'ABCDEFGHIJ', 'abcdefgh0l', 'abc-efghij'])('rejects %s as a code', (s) => {
    expect(isReferralCode(s)).toBe(false);
  });
});
