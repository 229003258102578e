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

/** What `fitAskSms` must keep and may change. */
export interface SmsFitOptions {
  /** The recipient's first name as rendered in the greeting: transliterated (or its odd characters dropped) first. */
  name?: string;
  /** Copy that must survive (the offer: the friend's and the advocate's reward as rendered). */
  keep?: readonly string[];
  /** Most segments (default 2). */
  maxSegments?: number;
}

export interface FittedAskSms extends FittedSms {
  /** What was changed to fit, in order: "name" (transliterated), "text" (transliterated), "sentences", "words". */
  steps: Array<'name' | 'text' | 'sentences' | 'words'>;
}

/** Characters NFD cannot reduce to GSM-7 but that have a usual Latin spelling. */
const TRANSLITERATIONS: Record<string, string> = { ß: 'ss', Æ: 'AE', æ: 'ae', Ø: 'O', ø: 'o', Œ: 'OE', œ: 'oe', Ð: 'D', ð: 'd', Þ: 'Th', þ: 'th', Ł: 'L', ł: 'l', đ: 'd', Đ: 'D', ı: 'i' };

/**
 * GSM-7 spelling of `text`: characters already in GSM-7 stay (ä, é, ñ...), others lose their accents (ë -> e,
 * ç -> c, ő -> o), a few are spelled out (œ -> oe), and what is left (emoji, other scripts) is dropped; spaces are
 * collapsed.
 */
export function transliterateToGsm(text: string): string {
  let out = '';
  for (const ch of toGsmFriendly(text)) {
    if (BASIC.has(ch) || EXTENDED.has(ch)) out += ch;
    else if (TRANSLITERATIONS[ch]) out += TRANSLITERATIONS[ch];
    else {
      const plain = ch.normalize('NFD').replace(/\p{M}+/gu, '');
      if (plain !== ch && isGsm7(plain)) out += plain;
    }
  }
  return out.replace(/ {2,}/g, ' ').replace(/ ([,.!?:;])/g, '$1').trim();
}

/**
 * The one render-and-fit of an SMS ask: `asks preview` and both SMS senders call it with the same text, link and
 * options, so the preview shows the text, encoding and segments that are sent. In order, until it fits:
 * typographic punctuation to GSM-7; the name's odd characters transliterated or dropped ("Zoë 🎉" -> "Zoe");
 * the whole text transliterated; whole sentences dropped from the end of the copy, never the greeting (the one with
 * the name) nor the offer (`keep`); and only then the copy cut word by word (fitSms). The link is never touched.
 */
export function fitAskSms(text: string, shareUrl: string, options: SmsFitOptions = {}): FittedAskSms {
  const max = options.maxSegments ?? 2;
  const steps: FittedAskSms['steps'] = [];
  const fits = (t: string) => countSms(t).segments <= max;
  const done = (t: string): FittedAskSms => ({ text: t, ...countSms(t), trimmed: steps.length > 0 || t !== text, fits: true, steps });
  let current = toGsmFriendly(text);
  const withLink = current.includes(shareUrl) ? current : `${current.trimEnd()} ${shareUrl}`;
  current = withLink;
  if (fits(current)) return done(current);

  const name = options.name?.trim();
  if (name && !isGsm7(name) && current.includes(name)) {
    const plain = transliterateToGsm(name);
    current = current.split(name).join(plain).replace(/ {2,}/g, ' ').replace(/ ([,.!?:;])/g, '$1');
    steps.push('name');
    if (fits(current)) return done(current);
  }
  if (!isGsm7(current)) {
    const at = current.indexOf(shareUrl);
    current = `${transliterateToGsm(current.slice(0, at))} ${shareUrl}${current.slice(at + shareUrl.length).length ? ` ${transliterateToGsm(current.slice(at + shareUrl.length))}` : ''}`;
    steps.push('text');
    if (fits(current)) return done(current);
  }

  // Drop whole sentences of the copy before the link, last first, keeping the greeting and the offer.
  const at = current.indexOf(shareUrl);
  const head = current.slice(0, at).trimEnd();
  const tail = current.slice(at + shareUrl.length);
  const sentences = head.split(/(?<=[.!?])\s+/u);
  const plainName = name ? transliterateToGsm(name) : undefined;
  const keep = (options.keep ?? []).flatMap((k) => [k, transliterateToGsm(k)]).filter((k) => k.length > 0);
  const protectedAt = (i: number): boolean => {
    const s = sentences[i]!;
    return i === 0 || (name !== undefined && (s.includes(name) || (plainName !== undefined && plainName !== '' && s.includes(plainName)))) || keep.some((k) => s.includes(k));
  };
  const kept = sentences.map(() => true);
  for (let i = sentences.length - 1; i >= 0; i -= 1) {
    if (protectedAt(i)) continue;
    kept[i] = false;
    if (!steps.includes('sentences')) steps.push('sentences');
    const candidate = `${sentences.filter((_, j) => kept[j]).join(' ')} ${shareUrl}${tail}`;
    if (fits(candidate)) return done(candidate);
  }
  current = `${sentences.filter((_, j) => kept[j]).join(' ')} ${shareUrl}${tail}`;
  steps.push('words');
  const cut = fitSms(current, shareUrl, max);
  return { ...cut, trimmed: true, steps };
}

/** The key of `OutboundMessage.data` that carries an SMS ask's fit options from the workflow to the sender. */
export const SMS_FIT_DATA_KEY = 'smsFit';

/**
 * The fit options of one SMS ask: the campaign's segment budget (channels.sms.maxSegments, default 2), the
 * customer's first name (the greeting) and the offer as rendered (reward.friend, reward.advocate) to keep.
 */
export function smsFitFor(campaign: { channels: { sms?: { maxSegments: number } | undefined } }, firstName: string, ctx: { reward: { friend?: unknown; advocate?: unknown } }): SmsFitOptions {
  const keep = [ctx.reward.friend, ctx.reward.advocate].filter((k): k is string => typeof k === 'string' && k.length > 0);
  return { name: firstName, keep, maxSegments: campaign.channels.sms?.maxSegments ?? 2 };
}

/** Fit options from a message's data (what process.ts put there), the sender's default budget as the fallback. */
export function smsFitOptionsOf(data: Record<string, unknown> | undefined, defaultMaxSegments = 2): SmsFitOptions {
  const raw = (data?.[SMS_FIT_DATA_KEY] ?? {}) as { name?: unknown; keep?: unknown; maxSegments?: unknown };
  return {
    ...(typeof raw.name === 'string' ? { name: raw.name } : {}),
    ...(Array.isArray(raw.keep) ? { keep: raw.keep.filter((k): k is string => typeof k === 'string') } : {}),
    maxSegments: typeof raw.maxSegments === 'number' && raw.maxSegments >= 1 ? raw.maxSegments : defaultMaxSegments,
  };
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
