// Demo customers for `asks seed` and `npm start`: deterministic from a seed, spread like a real customer base (zones
// weighted by population, matching locales and phones, consents, B2B accounts, opt-outs) and with enough customers
// whose signup anniversary is "today" that a demo run always finds someone to ask.
import type { Customer } from './schemas/customer.js';

/** A PRNG returning floats in [0, 1). */
export type Random = () => number;

/** mulberry32: tiny, fast, good enough for demo data, and identical on every platform. */
export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ZoneProfile {
  zone: string;
  weight: number;
  locale: string;
  country: string;
  dial: string;
  /** National number length after the country code. */
  digits: number;
  currency: string;
  names: 'en' | 'de' | 'fr' | 'es' | 'pt' | 'it' | 'nl' | 'sv' | 'pl' | 'tr' | 'ja' | 'ko' | 'zh' | 'hi' | 'ar';
}

/** About 30 zones, weighted roughly by the size of their online-buying population. */
export const SEED_ZONES: readonly ZoneProfile[] = [
  { zone: 'America/New_York', weight: 120, locale: 'en-US', country: 'US', dial: '1', digits: 10, currency: 'USD', names: 'en' },
  { zone: 'America/Chicago', weight: 60, locale: 'en-US', country: 'US', dial: '1', digits: 10, currency: 'USD', names: 'en' },
  { zone: 'America/Denver', weight: 20, locale: 'en-US', country: 'US', dial: '1', digits: 10, currency: 'USD', names: 'en' },
  { zone: 'America/Los_Angeles', weight: 70, locale: 'en-US', country: 'US', dial: '1', digits: 10, currency: 'USD', names: 'en' },
  { zone: 'America/Toronto', weight: 25, locale: 'en-CA', country: 'CA', dial: '1', digits: 10, currency: 'CAD', names: 'en' },
  { zone: 'America/Mexico_City', weight: 30, locale: 'es-MX', country: 'MX', dial: '52', digits: 10, currency: 'MXN', names: 'es' },
  { zone: 'America/Sao_Paulo', weight: 45, locale: 'pt-BR', country: 'BR', dial: '55', digits: 11, currency: 'BRL', names: 'pt' },
  { zone: 'America/Argentina/Buenos_Aires', weight: 12, locale: 'es-AR', country: 'AR', dial: '54', digits: 10, currency: 'ARS', names: 'es' },
  { zone: 'America/Bogota', weight: 12, locale: 'es-CO', country: 'CO', dial: '57', digits: 10, currency: 'COP', names: 'es' },
  { zone: 'Europe/London', weight: 55, locale: 'en-GB', country: 'GB', dial: '44', digits: 10, currency: 'GBP', names: 'en' },
  { zone: 'Europe/Dublin', weight: 6, locale: 'en-IE', country: 'IE', dial: '353', digits: 9, currency: 'EUR', names: 'en' },
  { zone: 'Europe/Berlin', weight: 65, locale: 'de-DE', country: 'DE', dial: '49', digits: 11, currency: 'EUR', names: 'de' },
  { zone: 'Europe/Vienna', weight: 8, locale: 'de-AT', country: 'AT', dial: '43', digits: 10, currency: 'EUR', names: 'de' },
  { zone: 'Europe/Zurich', weight: 8, locale: 'de-CH', country: 'CH', dial: '41', digits: 9, currency: 'CHF', names: 'de' },
  { zone: 'Europe/Paris', weight: 45, locale: 'fr-FR', country: 'FR', dial: '33', digits: 9, currency: 'EUR', names: 'fr' },
  { zone: 'Europe/Madrid', weight: 30, locale: 'es-ES', country: 'ES', dial: '34', digits: 9, currency: 'EUR', names: 'es' },
  { zone: 'Europe/Rome', weight: 30, locale: 'it-IT', country: 'IT', dial: '39', digits: 10, currency: 'EUR', names: 'it' },
  { zone: 'Europe/Amsterdam', weight: 15, locale: 'nl-NL', country: 'NL', dial: '31', digits: 9, currency: 'EUR', names: 'nl' },
  { zone: 'Europe/Stockholm', weight: 9, locale: 'sv-SE', country: 'SE', dial: '46', digits: 9, currency: 'SEK', names: 'sv' },
  { zone: 'Europe/Warsaw', weight: 18, locale: 'pl-PL', country: 'PL', dial: '48', digits: 9, currency: 'PLN', names: 'pl' },
  { zone: 'Europe/Istanbul', weight: 20, locale: 'tr-TR', country: 'TR', dial: '90', digits: 10, currency: 'TRY', names: 'tr' },
  { zone: 'Africa/Lagos', weight: 12, locale: 'en-NG', country: 'NG', dial: '234', digits: 10, currency: 'NGN', names: 'en' },
  { zone: 'Africa/Johannesburg', weight: 10, locale: 'en-ZA', country: 'ZA', dial: '27', digits: 9, currency: 'ZAR', names: 'en' },
  { zone: 'Asia/Dubai', weight: 8, locale: 'ar-AE', country: 'AE', dial: '971', digits: 9, currency: 'AED', names: 'ar' },
  { zone: 'Asia/Kolkata', weight: 60, locale: 'en-IN', country: 'IN', dial: '91', digits: 10, currency: 'INR', names: 'hi' },
  { zone: 'Asia/Singapore', weight: 8, locale: 'en-SG', country: 'SG', dial: '65', digits: 8, currency: 'SGD', names: 'zh' },
  { zone: 'Asia/Shanghai', weight: 30, locale: 'zh-CN', country: 'CN', dial: '86', digits: 11, currency: 'CNY', names: 'zh' },
  { zone: 'Asia/Tokyo', weight: 40, locale: 'ja-JP', country: 'JP', dial: '81', digits: 10, currency: 'JPY', names: 'ja' },
  { zone: 'Asia/Seoul', weight: 18, locale: 'ko-KR', country: 'KR', dial: '82', digits: 10, currency: 'KRW', names: 'ko' },
  { zone: 'Australia/Sydney', weight: 22, locale: 'en-AU', country: 'AU', dial: '61', digits: 9, currency: 'AUD', names: 'en' },
  { zone: 'Pacific/Auckland', weight: 6, locale: 'en-NZ', country: 'NZ', dial: '64', digits: 9, currency: 'NZD', names: 'en' },
  { zone: 'Pacific/Honolulu', weight: 3, locale: 'en-US', country: 'US', dial: '1', digits: 10, currency: 'USD', names: 'en' },
];

const NAMES: Record<ZoneProfile['names'], { first: string[]; last: string[] }> = {
  en: { first: ['Olivia', 'Liam', 'Emma', 'Noah', 'Amelia', 'Oliver', 'Ava', 'Elijah', 'Sophia', 'James', 'Grace', 'Jack', 'Chloe', 'Ethan'], last: ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Taylor', 'Wilson', 'Evans', 'Walker', 'Clarke', 'Okafor', 'Nguyen'] },
  de: { first: ['Anna', 'Lukas', 'Mia', 'Leon', 'Hannah', 'Finn', 'Lea', 'Jonas', 'Sophie', 'Paul', 'Jürgen', 'Zoë'], last: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Hoffmann', 'Schäfer'] },
  fr: { first: ['Léa', 'Louis', 'Chloé', 'Gabriel', 'Manon', 'Jules', 'Camille', 'Hugo', 'Inès', 'Raphaël'], last: ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Lefèvre'] },
  es: { first: ['Lucía', 'Hugo', 'Sofía', 'Mateo', 'Martina', 'Daniel', 'Valentina', 'Pablo', 'Camila', 'Santiago'], last: ['García', 'Rodríguez', 'González', 'Fernández', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez'] },
  pt: { first: ['Maria', 'João', 'Ana', 'Pedro', 'Beatriz', 'Lucas', 'Júlia', 'Gabriel', 'Larissa', 'Rafael'], last: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Rodrigues', 'Ferreira', 'Alves', 'Pereira', 'Lima'] },
  it: { first: ['Giulia', 'Francesco', 'Sofia', 'Alessandro', 'Aurora', 'Lorenzo', 'Alice', 'Matteo', 'Ginevra'], last: ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci'] },
  nl: { first: ['Emma', 'Daan', 'Julia', 'Sem', 'Tess', 'Lucas', 'Sophie', 'Bram'], last: ['de Jong', 'Jansen', 'de Vries', 'van den Berg', 'Bakker', 'Visser', 'Smit'] },
  sv: { first: ['Alice', 'William', 'Maja', 'Hugo', 'Elsa', 'Lucas', 'Astrid', 'Oscar'], last: ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Öberg'] },
  pl: { first: ['Zuzanna', 'Jakub', 'Julia', 'Antoni', 'Zofia', 'Jan', 'Hanna', 'Szymon'], last: ['Nowak', 'Kowalski', 'Wiśniewski', 'Wójcik', 'Kowalczyk', 'Kamiński', 'Lewandowski'] },
  tr: { first: ['Zeynep', 'Yusuf', 'Elif', 'Eymen', 'Defne', 'Mustafa', 'Ecrin', 'Ömer'], last: ['Yılmaz', 'Kaya', 'Demir', 'Şahin', 'Çelik', 'Yıldız', 'Aydın'] },
  ja: { first: ['Yui', 'Haruto', 'Hina', 'Sota', 'Aoi', 'Ren', 'Sakura', 'Yuto'], last: ['Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe', 'Ito', 'Yamamoto'] },
  ko: { first: ['Seo-yeon', 'Min-jun', 'Ji-woo', 'Seo-jun', 'Ha-eun', 'Do-yun', 'Ji-ho'], last: ['Kim', 'Lee', 'Park', 'Choi', 'Jung', 'Kang', 'Cho'] },
  zh: { first: ['Wei', 'Fang', 'Min', 'Jing', 'Lei', 'Yan', 'Hao', 'Xiu'], last: ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Tan', 'Lim'] },
  hi: { first: ['Aarav', 'Ananya', 'Vivaan', 'Diya', 'Aditya', 'Saanvi', 'Arjun', 'Isha'], last: ['Sharma', 'Patel', 'Singh', 'Kumar', 'Gupta', 'Reddy', 'Iyer', 'Nair'] },
  ar: { first: ['Mohammed', 'Fatima', 'Omar', 'Aisha', 'Ali', 'Mariam', 'Yousef', 'Layla'], last: ['Al Mansoori', 'Al Hashimi', 'Haddad', 'Khalil', 'Nasser', 'Saleh'] },
};

const DAY_MS = 86_400_000;
const EMAIL_DOMAINS = ['example.com', 'example.org', 'example.net'];

function pick<T>(rand: Random, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)]!;
}

function weighted<T extends { weight: number }>(rand: Random, items: readonly T[]): T {
  const total = items.reduce((s, i) => s + i.weight, 0);
  let r = rand() * total;
  for (const item of items) {
    r -= item.weight;
    if (r < 0) return item;
  }
  return items[items.length - 1]!;
}

function int(rand: Random, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}

function toDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function parseDay(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d);
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function ascii(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/ı/g, 'i').replace(/ş/g, 's').replace(/ł/g, 'l').replace(/ø/g, 'o').toLowerCase().replace(/[^a-z0-9]+/g, '');
}

/** Stable per-customer stream: customer i is the same whatever the count, so a larger seed run extends a smaller one. */
function streamFor(seed: number, index: number): Random {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ index, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return mulberry32((h ^ (h >>> 16)) >>> 0);
}

/** Deterministic id of the i-th customer of a seed (re-seeding upserts the same customers). */
export function seedCustomerId(seed: number, index: number): string {
  return `cus_${seed}_${index.toString().padStart(6, '0')}`;
}

export interface GenerateOptions {
  count: number;
  seed: number;
  /** The demo's "today" (YYYY-MM-DD): about 1% of customers get a signup anniversary on this month-day. */
  today: string;
  /** Restrict to these zones (names from SEED_ZONES, or any IANA zone with en-US defaults). */
  zones?: string[];
  /** Share of customers whose signup anniversary is today (default 0.01). */
  dueTodayShare?: number;
}

/** A signup date on today's month-day, 1-7 years back (leap years only when today is Feb 29). */
function anniversaryToday(rand: Random, today: string): string {
  const year = Number(today.slice(0, 4));
  const md = today.slice(5);
  const years = md === '02-29' ? [4, 8] : [1, 2, 3, 4, 5, 6, 7];
  let y = year - pick(rand, years);
  if (md === '02-29') while (!isLeap(y)) y -= 1;
  return `${y}-${md}`;
}

/** A Feb 29 of a leap year within the last 8 years. */
function leapDay(rand: Random, today: string): string {
  const year = Number(today.slice(0, 4));
  const leapYears: number[] = [];
  for (let y = year - 8; y <= year; y += 1) if (isLeap(y) && parseDay(`${y}-02-29`) < parseDay(today)) leapYears.push(y);
  return `${pick(rand, leapYears.length ? leapYears : [2020])}-02-29`;
}

function generateOne(index: number, options: GenerateOptions, zones: readonly ZoneProfile[]): Customer {
  const rand = streamFor(options.seed, index);
  const todayMs = parseDay(options.today);
  const zp = weighted(rand, zones);
  const names = NAMES[zp.names];
  const firstName = pick(rand, names.first);
  const lastName = pick(rand, names.last);
  const id = seedCustomerId(options.seed, index);

  const roll = rand();
  const dueShare = options.dueTodayShare ?? 0.01;
  let signupDate: string;
  if (roll < dueShare) signupDate = anniversaryToday(rand, options.today);
  else if (roll < dueShare + 0.003) signupDate = leapDay(rand, options.today);
  else signupDate = toDate(todayMs - int(rand, 1, 8 * 365) * DAY_MS);
  const signupMs = parseDay(signupDate);
  const tenureDays = Math.max(0, (todayMs - signupMs) / DAY_MS);

  const hasPurchase = rand() < 0.8;
  const firstPurchaseDate = hasPurchase ? toDate(Math.min(todayMs, signupMs + int(rand, 0, 60) * DAY_MS)) : undefined;
  const birthday = rand() < 0.5 ? toDate(parseDay(`${int(rand, 1950, 2004)}-01-01`) + int(rand, 0, 364) * DAY_MS) : undefined;

  const b2b = rand() < 0.08;
  const plan = b2b ? (rand() < 0.7 ? 'business' : 'enterprise') : pick(rand, ['free', 'basic', 'basic', 'pro', 'pro', 'pro']);
  const orders = hasPurchase ? Math.max(1, Math.round((tenureDays / 365) * int(rand, 1, 14) * (rand() < 0.1 ? 4 : 1))) : 0;
  const averageOrder = b2b ? int(rand, 20_000, 250_000) : int(rand, 1_500, 15_000);
  const lifetimeSpendMinor = orders * averageOrder;
  const tier = lifetimeSpendMinor > 500_000 ? 'platinum' : lifetimeSpendMinor > 150_000 ? 'gold' : lifetimeSpendMinor > 40_000 ? 'silver' : 'bronze';

  const email = rand() < 0.97 ? `${ascii(firstName)}.${ascii(lastName)}${index}@${pick(rand, EMAIL_DOMAINS)}` : undefined;
  const hasPhone = rand() < 0.7;
  let national = String(int(rand, 2, 9));
  while (national.length < zp.digits) national += String(int(rand, 0, 9));
  const phone = hasPhone ? `+${zp.dial}${national}` : undefined;

  const consents = {
    email: email !== undefined && rand() < 0.85,
    sms: phone !== undefined && rand() < 0.4 / 0.7,
    in_app: rand() < 0.6,
  };
  const consented = (['email', 'sms', 'in_app'] as const).filter((c) => consents[c]);
  const preferredChannel = b2b && rand() < 0.5 ? 'account_manager' : consented.length > 0 && rand() < 0.85 ? pick(rand, [...consented, ...(consents.email ? ['email' as const, 'email' as const] : [])]) : undefined;

  const attributes: Record<string, string | number | boolean> = { source: pick(rand, ['organic', 'paid_search', 'social', 'referral', 'partner']) };
  if (b2b) {
    attributes.arr = averageOrder * 12;
    attributes.seats = int(rand, 5, 500);
    attributes.company = `${lastName} ${pick(rand, ['GmbH', 'Ltd', 'Inc', 'SA', 'BV', 'KK', 'Pty Ltd'])}`;
  }
  const customer: Customer = {
    id,
    firstName,
    lastName,
    ...(email ? { email } : {}),
    ...(phone ? { phone } : {}),
    locale: zp.locale,
    timezone: zp.zone,
    country: zp.country,
    signupDate,
    ...(firstPurchaseDate ? { firstPurchaseDate } : {}),
    ...(birthday ? { birthday } : {}),
    ...(b2b ? { contractRenewalDate: toDate(todayMs + int(rand, 1, 365) * DAY_MS) } : {}),
    plan,
    tier,
    currency: zp.currency,
    counters: {
      orders,
      lifetimeSpendMinor,
      projectsCompleted: b2b || rand() < 0.15 ? int(rand, 0, 40) : 0,
      successfulReferrals: rand() < 0.1 ? int(rand, 1, 6) : 0,
    },
    consents,
    ...(preferredChannel ? { preferredChannel } : {}),
    ...(b2b
      ? { accountManager: { name: pick(rand, ['Dana Whitfield', 'Kenji Mori', 'Priya Raman', 'Lars Holm', 'Inés Navarro']), email: `am${int(rand, 1, 12)}@example.com` } }
      : {}),
    optOut: rand() < 0.02,
    doNotAsk: rand() < 0.015,
    ...(rand() < 0.04 ? { lastRefundAt: `${toDate(todayMs - int(rand, 1, 90) * DAY_MS)}T${String(int(rand, 0, 23)).padStart(2, '0')}:15:00Z` } : {}),
    openSupportTicket: rand() < 0.03,
    paymentFingerprint: `fp_${Math.floor(rand() * 2 ** 32).toString(16).padStart(8, '0')}${Math.floor(rand() * 2 ** 32).toString(16).padStart(8, '0')}`,
    attributes,
  };
  return customer;
}

/** `count` customers, deterministic from `seed` and `today`. */
export function generateCustomers(options: GenerateOptions): Customer[] {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.today)) throw new RangeError('today must be YYYY-MM-DD');
  const zones = options.zones?.length
    ? options.zones.map((z) => SEED_ZONES.find((p) => p.zone === z) ?? { ...SEED_ZONES[0]!, zone: z, weight: 1 })
    : SEED_ZONES;
  const out: Customer[] = [];
  for (let i = 0; i < options.count; i += 1) out.push(generateOne(i, options, zones));
  return out;
}
