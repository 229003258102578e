// SMS fitting keeps the greeting and the offer (core/sms.ts fitAskSms): a name's odd characters are transliterated or
// dropped before any copy is, whole sentences go before words, the link is never cut. The rows: "Zoë" and an
// emoji in the name, which switched the message to UCS-2 and trimmed the copy to nothing.
import { describe, expect, it } from 'vitest';
import { countSms, fitAskSms, smsFitFor, smsFitOptionsOf, transliterateToGsm } from '../../../core/sms.js';

const SHORT = 'https://refer.example.com/k/AbCdEfGhIjKl';
const LONG = `https://refer.example.com/s/${'x'.repeat(165)}`;
const offer = ['€20', '€15'];
const sms = (name: string, link: string, extra = '') => `${name}, happy 3 years with us!${extra} Give a friend €20, get €15: ${link} Reply STOP to opt out`;

describe('fitAskSms', () => {
  // [what, name, text, link, maxSegments, expected: encoding, most segments, greeting the text starts with, steps]
  const rows: Array<[string, string, string, string, number, 'GSM-7' | 'UCS-2', number, string, string[]]> = [
    ['plain name, fits as is', 'Olivia', sms('Olivia', SHORT), SHORT, 1, 'GSM-7', 1, 'Olivia, happy', []],
    // The issue: "Zoë" switched to UCS-2; with a one-segment budget the name is spelled in GSM-7, the copy stays.
    ['Zoë in one segment', 'Zoë', sms('Zoë', SHORT), SHORT, 1, 'GSM-7', 1, 'Zoe, happy', ['name']],
    ['Zoë 🎉 in one segment', 'Zoë 🎉', sms('Zoë 🎉', SHORT), SHORT, 1, 'GSM-7', 1, 'Zoe, happy', ['name']],
    ['Zoë 🎉 with two segments keeps her name as written', 'Zoë 🎉', sms('Zoë 🎉', SHORT), SHORT, 2, 'UCS-2', 2, 'Zoë 🎉, happy', []],
    // The issue: the long token left room for nothing but the link; a sentence goes before the greeting or the offer.
    ['long link, extra sentence dropped', 'Zoë 🎉', sms('Zoë 🎉', LONG, ' We are so glad you are here and hope to see you again soon.'), LONG, 2, 'GSM-7', 2, 'Zoe, happy', ['name', 'sentences']],
    ['Chinese name', '小明', sms('小明', SHORT), SHORT, 1, 'GSM-7', 1, ', happy', ['name']],
    ['typographic quotes only', 'Olivia', `Olivia, it’s been 3 years! Give a friend €20, get €15: ${SHORT} Reply STOP to opt out`, SHORT, 1, 'GSM-7', 1, "Olivia, it's been", []],
  ];
  it.each(rows)('%s', (_what, name, text, link, max, encoding, segments, starts, steps) => {
    const fitted = fitAskSms(text, link, { name, keep: offer, maxSegments: max });
    expect(fitted.fits).toBe(true);
    expect(fitted.encoding).toBe(encoding);
    expect(fitted.segments).toBeLessThanOrEqual(segments);
    expect(fitted.text.startsWith(starts)).toBe(true);
    expect(fitted.text).toContain('Give a friend €20, get €15');
    expect(fitted.text).toContain(link);
    expect(fitted.text).toContain('Reply STOP to opt out');
    expect(fitted.steps).toEqual(steps);
    expect(countSms(fitted.text)).toMatchObject({ encoding: fitted.encoding, segments: fitted.segments });
  });

  it.each([
    ['Zoë 🎉', 'Zoe'],
    ['François', 'Francois'],
    ['Łukasz', 'Lukasz'],
    ['Müller', 'Müller'],
    ['José', 'José'],
    ['Ægir', 'Ægir'],
    ['Œdipe', 'OEdipe'],
    ['🎉', ''],
  ])('transliterateToGsm(%j) = %j', (input, expected) => {
    expect(transliterateToGsm(input)).toBe(expected);
  });

  it('takes the budget per campaign, and carries the fit to the sender in the message data', () => {
    const fit = smsFitFor({ channels: { sms: { maxSegments: 1 } } }, 'Zoë', { reward: { friend: '€20', advocate: '€15' } });
    expect(fit).toEqual({ name: 'Zoë', keep: ['€20', '€15'], maxSegments: 1 });
    expect(smsFitOptionsOf({ smsFit: fit }, 3)).toEqual(fit);
    expect(smsFitOptionsOf(undefined, 3)).toEqual({ maxSegments: 3 });
    expect(smsFitFor({ channels: {} }, 'A', { reward: {} }).maxSegments).toBe(2);
  });
});
