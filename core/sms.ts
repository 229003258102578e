// SMS text math: GSM-7 vs UCS-2 detection, segment counting (160/153 and 70/67), and fitting a message into a
// number of segments by trimming the copy before the link, never the link, so every SMS stays clickable.

/** GSM 03.38 basic character set (one septet each). */
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** GSM 03.38 extension table: escape + char, two septets each. */
const GSM7_EXTENDED = '\f^{}\\[~]|€';

const BASIC = new Set([...GSM7_BASIC]);
const EXTENDED = new Set([...GSM7_EXTENDED]);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export const SMS_LIMITS = {
  'GSM-7': { single: 160, multi: 153 },
  'UCS-2': { single: 70, multi: 67 },
} as const;

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!BASIC.has(ch) && !EXTENDED.has(ch)) return false;
  return true;
}

export function smsEncoding(text: string): SmsEncoding {
  return isGsm7(text) ? 'GSM-7' : 'UCS-2';
}

/** Units a character takes: septets in GSM-7 (2 for the extension table), UTF-16 code units in UCS-2. */
function unitsOf(ch: string, encoding: SmsEncoding): number {
  if (encoding === 'GSM-7') return EXTENDED.has(ch) ? 2 : 1;
  return ch.length; // astral characters (emoji) are surrogate pairs: 2 code units
}

export interface SmsCount {
  encoding: SmsEncoding;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
  segments: number;
}

/**
 * Segments the way carriers split a concatenated SMS: a character (an escape pair, a surrogate pair) is never
 * split across two segments, so a segment may hold one unit less than its limit.
 */
export function countSms(text: string): SmsCount {
  const encoding = smsEncoding(text);
  const limits = SMS_LIMITS[encoding];
  const chars = [...text];
  const units = chars.reduce((n, ch) => n + unitsOf(ch, encoding), 0);
  if (units === 0) return { encoding, units, segments: 0 };
  if (units <= limits.single) return { encoding, units, segments: 1 };
  let segments = 1;
  let used = 0;
  for (const ch of chars) {
    const u = unitsOf(ch, encoding);
    if (used + u > limits.multi) {
      segments += 1;
      used = 0;
    }
    used += u;
  }
  return { encoding, units, segments };
}

/** Typographic punctuation that forces UCS-2 (and halves the room) but has a plain GSM-7 twin. */
const GSM_FRIENDLY: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201a': "'",
  '\u201c': '"',
  '\u201d': '"',
  '\u201e': '"',
  '\u2013': '-',
  '\u2014': '-',
  '\u2026': '...',
  '\u00a0': ' ',
  '\u2022': '-',
};

/** Replace typographic punctuation with its GSM-7 twin; other characters are kept as they are. */
export function toGsmFriendly(text: string): string {
  return text.replace(/[\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2026\u00a0\u2022]/g, (c) => GSM_FRIENDLY[c] ?? c);
}

export interface FittedSms extends SmsCount {
  text: string;
  /** Whether copy was cut to fit. */
  trimmed: boolean;
  /** False only when the link plus the shortest tail cannot fit at all (the link is still kept whole). */
  fits: boolean;
}

function cutWords(copy: string, keepChars: number): string {
  if (keepChars <= 0) return '';
  const chars = [...copy];
  if (chars.length <= keepChars) return copy;
  let cut = chars.slice(0, keepChars).join('');
  const space = cut.lastIndexOf(' ');
  // Prefer a word boundary unless that would throw away most of what is left.
  if (space > cut.length / 2) cut = cut.slice(0, space);
  return cut.replace(/[\s,;:.!?-]+$/u, '');
}

/**
 * Fit `text` into `maxSegments` by trimming the copy before the link (word by word, with "..."); the link is never
 * touched. The tail after the link (usually "Reply STOP to opt out") is kept while anything of the copy is left,
 * and dropped only as a last resort. When `text` lacks the link, the link is appended.
 */
export function fitSms(text: string, shareUrl: string, maxSegments = 2): FittedSms {
  const clean = toGsmFriendly(text);
  const at = clean.indexOf(shareUrl);
  const head = at >= 0 ? clean.slice(0, at) : `${clean.trimEnd()} `;
  const tail = at >= 0 ? clean.slice(at + shareUrl.length) : '';
  const whole = `${head}${shareUrl}${tail}`;
  const fitsIn = (s: string): boolean => countSms(s).segments <= maxSegments;
  if (fitsIn(whole)) return { text: whole, ...countSms(whole), trimmed: whole !== text, fits: true };

  const headCopy = head.trimEnd();
  const joiner = head.length > headCopy.length ? head.slice(headCopy.length) : ' ';
  const build = (keep: number, withTail: boolean): string => {
    const cut = cutWords(headCopy, keep);
    const prefix = cut.length === 0 ? '' : `${cut}${cut.length < headCopy.length ? '...' : ''}${joiner}`;
    return `${prefix}${shareUrl}${withTail ? tail : ''}`;
  };
  for (const withTail of [true, false]) {
    // Binary search the longest head that fits: segment count grows monotonically with the kept characters.
    let lo = 0;
    let hi = [...headCopy].length;
    if (!fitsIn(build(0, withTail))) continue;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fitsIn(build(mid, withTail))) lo = mid;
      else hi = mid - 1;
    }
    // A stub such as "He..." reads worse than no copy at all.
    const out = build(lo < Math.min(12, [...headCopy].length) ? 0 : lo, withTail);
    return { text: out, ...countSms(out), trimmed: true, fits: true };
  }
  return { text: shareUrl, ...countSms(shareUrl), trimmed: true, fits: countSms(shareUrl).segments <= maxSegments };
}

/** Keywords that opt a number out of SMS (carrier conventions; matched case-insensitively on the whole body). */
export const SMS_STOP_KEYWORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'OPT-OUT', 'REVOKE'] as const;
export const SMS_HELP_KEYWORDS = ['HELP', 'INFO'] as const;
export const SMS_START_KEYWORDS = ['START', 'UNSTOP', 'YES'] as const;

export type SmsKeyword = 'stop' | 'help' | 'start' | 'other';

/** What an inbound SMS asks for: the first word decides ("Stop please" still stops). */
export function classifySmsKeyword(body: string): SmsKeyword {
  const word = body.trim().split(/\s+/)[0]?.replace(/[.!?,;:]+$/, '').toUpperCase() ?? '';
  if ((SMS_STOP_KEYWORDS as readonly string[]).includes(word)) return 'stop';
  if ((SMS_HELP_KEYWORDS as readonly string[]).includes(word)) return 'help';
  if ((SMS_START_KEYWORDS as readonly string[]).includes(word)) return 'start';
  return 'other';
}

/** Quiet hours in the recipient's local time: from `startHour` (inclusive) to `endHour` (exclusive), over midnight. */
export function inQuietHours(localHour: number, startHour = 21, endHour = 8): boolean {
  return startHour > endHour ? localHour >= startHour || localHour < endHour : localHour >= startHour && localHour < endHour;
}
