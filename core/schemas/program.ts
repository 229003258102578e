// The referral program file (campaigns/program.yaml): the company's voice shared by every campaign, page and message:
// who sends, from which postal address, with which logo, colours and links, in which default locale.
import * as z from 'zod';

/** A BCP 47 tag such as "en", "de" or "de-AT" (canonicalized by Intl). */
export const LocaleTag = z.string().refine(
  (s) => {
    try {
      return Intl.getCanonicalLocales(s).length === 1;
    } catch {
      return false;
    }
  },
  { message: 'must be a locale tag such as "en", "de" or "de-AT"' },
);

const Email = z.email('must be an email address like asks@news.example.com');
const HexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour "#rrggbb"');
const HttpsUrl = z.url({ protocol: /^https$/, error: 'must be an https URL' });

/** Relative luminance of "#rrggbb" (WCAG 2.1). */
export function luminance(hex: string): number {
  const channel = (i: number): number => {
    const c = parseInt(hex.slice(1 + i * 2, 3 + i * 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

/** WCAG contrast ratio of two "#rrggbb" colours, 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

export const Program = z
  .object({
    $schema: z.string().optional(),
    company: z.object({
      /** The brand people know, shown on every page and message ("Example Shop"). */
      name: z.string().min(1).max(80),
      /** The legal entity, shown beside the postal address when it differs ("Example Shop GmbH"). */
      legalName: z.string().min(1).max(120).optional(),
    }),
    sender: z.object({
      /** The From display name; non-ASCII names are sent RFC 2047-encoded. */
      name: z.string().min(1).max(80),
      /** The From address (an SES-verified identity; SES_FROM_ADDRESS overrides it per deployment). */
      address: Email,
    }),
    replyTo: Email.optional(),
    /** Required in every commercial email (CAN-SPAM); one line per entry. */
    postalAddress: z.array(z.string().min(1).max(120)).min(1, 'email needs the postal address').max(6),
    logo: z.object({
      /** An SVG under templates/assets/ (served at /assets/<file> to pages); emails load its PNG twin, written by `npm run assets`. */
      file: z.string().regex(/^[a-z0-9][a-z0-9-]*\.svg$/, 'must be an SVG file name in templates/assets such as "logo.svg"'),
      /** Alternative text (the company name is a good one). */
      alt: z.string().min(1).max(120),
      width: z.number().int().min(16).max(600).default(140),
      height: z.number().int().min(16).max(200).default(40),
    }),
    colours: z.object({
      /** Buttons and links. */
      primary: HexColour,
      /** Text on primary (buttons); must contrast with primary at 4.5:1. */
      onPrimary: HexColour.default('#ffffff'),
      /** The page background behind the card. */
      background: HexColour.default('#f6f7f9'),
    }),
    supportUrl: HttpsUrl,
    /** The company's general terms; the referral terms page (/t/<campaign>) links to them. */
    termsUrl: HttpsUrl,
    /** Locale of the unsuffixed template files, used when neither the customer's locale nor its language has one. */
    defaultLocale: LocaleTag.default('en'),
  })
  .superRefine((p, ctx) => {
    const ratio = contrastRatio(p.colours.primary, p.colours.onPrimary);
    if (ratio < 4.5) {
      ctx.addIssue({ code: 'custom', path: ['colours', 'onPrimary'], message: `contrast with colours.primary is ${ratio.toFixed(2)}:1; buttons need at least 4.5:1` });
    }
    const onWhite = contrastRatio(p.colours.primary, '#ffffff');
    if (onWhite < 4.5) {
      ctx.addIssue({ code: 'custom', path: ['colours', 'primary'], message: `contrast with white is ${onWhite.toFixed(2)}:1; links on white need at least 4.5:1` });
    }
  });
export type Program = z.infer<typeof Program>;
export type ProgramInput = z.input<typeof Program>;

/** The program file's name inside the campaigns directory (the campaign loader skips it). */
export const PROGRAM_FILE = 'program.yaml';
