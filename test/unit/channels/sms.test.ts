// SMS text math: encodings, segment counts, and fitting that never cuts the link.
import { describe, expect, it } from 'vitest';
import { classifySmsKeyword, countSms, fitSms, inQuietHours, isGsm7, smsEncoding } from '../../../core/sms.js';

const URL = 'https://r.example.com/s/eyJwIjoic2hhcmUifQ.k1.AbCdEfGhIjKlMnOpQrStUv';

describe('encoding', () => {
  it('plain text with GSM extension characters is GSM-7', () => {
    expect(smsEncoding('Hello {friend} [x] ~ € ^ | \\')).toBe('GSM-7');
  });

  it('an emoji forces UCS-2', () => {
    expect(smsEncoding('Hi Ada 🎉')).toBe('UCS-2');
  });

  it('a Cyrillic name forces UCS-2', () => {
    expect(isGsm7('Привет')).toBe(false);
  });
});

describe('countSms', () => {
  it('160 GSM-7 characters are one segment, 161 are two', () => {
    expect(countSms('a'.repeat(160)).segments).toBe(1);
    expect(countSms('a'.repeat(161)).segments).toBe(2);
  });

  it('GSM-7 concatenated segments hold 153 septets', () => {
    expect(countSms('a'.repeat(306)).segments).toBe(2);
    expect(countSms('a'.repeat(307)).segments).toBe(3);
  });

  it('extension characters count two septets', () => {
    const r = countSms('€'.repeat(80));
    expect(r.units).toBe(160);
    expect(r.segments).toBe(1);
    expect(countSms('€'.repeat(81)).segments).toBe(2);
  });

  it('an escape pair is never split across segments', () => {
    // 306 septets would fill two segments exactly, but the pair cannot straddle the boundary after 152 septets.
    expect(countSms(`${'a'.repeat(152)}€${'a'.repeat(152)}`).units).toBe(306);
    expect(countSms(`${'a'.repeat(152)}€${'a'.repeat(152)}`).segments).toBe(3);
    expect(countSms(`${'a'.repeat(151)}€${'a'.repeat(153)}`).segments).toBe(2);
  });

  it('UCS-2: 70 code units are one segment, 71 are two, 67 per concatenated segment', () => {
    expect(countSms('ж'.repeat(70)).segments).toBe(1);
    expect(countSms('ж'.repeat(71)).segments).toBe(2);
    expect(countSms('ж'.repeat(134)).segments).toBe(2);
    expect(countSms('ж'.repeat(135)).segments).toBe(3);
  });

  it('an emoji takes two UCS-2 code units', () => {
    expect(countSms('🎉'.repeat(35)).units).toBe(70);
    expect(countSms('🎉'.repeat(36)).segments).toBe(2);
  });
});

describe('fitSms', () => {
  it('leaves a message that fits untouched', () => {
    const text = `Ada, happy 1st year! Share: ${URL} Reply STOP to opt out`;
    const r = fitSms(text, URL, 1);
    expect(r.text).toBe(text);
    expect(r.trimmed).toBe(false);
  });

  it('trims the copy before the link and keeps the link and the STOP tail whole', () => {
    const text = `${'Ada, thank you so much for being with us for such a long time, it means the world. '.repeat(4)}Share: ${URL} Reply STOP to opt out`;
    const r = fitSms(text, URL, 2);
    expect(r.segments).toBeLessThanOrEqual(2);
    expect(r.text).toContain(URL);
    expect(r.text.endsWith(`${URL} Reply STOP to opt out`)).toBe(true);
    expect(r.trimmed).toBe(true);
    expect(r.text).toContain('...');
  });

  it('never trims the link even when UCS-2 leaves little room', () => {
    const text = `${'Спасибо за годы с нами! '.repeat(10)}${URL}`;
    const r = fitSms(text, URL, 2);
    expect(r.encoding).toBe('UCS-2');
    expect(r.segments).toBeLessThanOrEqual(2);
    expect(r.text.endsWith(URL)).toBe(true);
  });

  it('appends the link when the text lacks it', () => {
    const r = fitSms('Invite a friend', URL, 2);
    expect(r.text).toBe(`Invite a friend ${URL}`);
  });

  it('replaces typographic quotes so the text stays GSM-7', () => {
    const r = fitSms(`It’s your day — share: ${URL}`, URL, 2);
    expect(r.encoding).toBe('GSM-7');
    expect(r.text).toBe(`It's your day - share: ${URL}`);
  });

  it('keeps the link alone when nothing else fits in one segment', () => {
    const long = `https://r.example.com/s/${'a'.repeat(130)}`;
    const r = fitSms(`Hello there friend ${long} Reply STOP`, long, 1);
    expect(r.text).toBe(long);
    expect(r.fits).toBe(true);
  });
});

describe('keywords and quiet hours', () => {
  it.each([
    ['STOP', 'stop'],
    ['stop', 'stop'],
    [' Stop please', 'stop'],
    ['STOPALL', 'stop'],
    ['unsubscribe', 'stop'],
    ['cancel', 'stop'],
    ['END', 'stop'],
    ['quit', 'stop'],
    ['HELP', 'help'],
    ['start', 'start'],
    ['thanks!', 'other'],
    ['stopwatch', 'other'],
  ])('%s -> %s', (body, expected) => {
    expect(classifySmsKeyword(body)).toBe(expected);
  });

  it('21:00-08:00 spans midnight', () => {
    expect([20, 21, 23, 0, 7, 8].map((h) => inQuietHours(h))).toEqual([false, true, true, true, true, false]);
  });
});
