// Communication preferences a customer sets from a link (no login): "don't ask me for referrals again", opt-out per
// channel and the preferred channel. Parses the HTML form bodies and says what to write on the profile.
import * as z from 'zod';
import { Channel, ConsentChannel } from './schemas/common.js';

/** The preference fields of the profile this page may change; nothing else of the profile is writable here. */
export interface PreferenceUpdate {
  consents: Partial<Record<ConsentChannel, boolean>>;
  doNotAsk?: boolean;
  /** null removes the preference. */
  preferredChannel?: Channel | null;
}

/** What the page shows: the current choices. */
export interface PreferenceView {
  consents: Partial<Record<ConsentChannel, boolean>>;
  doNotAsk: boolean;
  preferredChannel?: Channel;
  hasEmail: boolean;
  hasPhone: boolean;
  /** The customer's locale (pages are shown in it). */
  locale?: string;
}

function formFields(body: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(body)) fields.set(k, [...(fields.get(k) ?? []), v]);
  return fields;
}

const Checkbox = z.enum(['on', 'true', '1', 'yes']);
const PreferredField = z.union([z.literal(''), Channel]);

export type ParseResult<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

/**
 * The preferences form: checkboxes `email`, `sms`, `in_app` (checked = allowed), `doNotAsk`, and a `preferredChannel`
 * select ("" for no preference). An unchecked box is absent from an HTML form, so absence means "no".
 */
export function parsePreferencesForm(body: string): ParseResult<PreferenceUpdate> {
  const fields = formFields(body);
  const checked = (name: string): ParseResult<boolean> => {
    const values = fields.get(name);
    if (values === undefined) return { ok: true, value: false };
    const parsed = Checkbox.safeParse(values[values.length - 1]!.toLowerCase());
    return parsed.success ? { ok: true, value: true } : { ok: false, field: name, message: 'must be a checkbox value ("on") or absent' };
  };
  const consents: Partial<Record<ConsentChannel, boolean>> = {};
  for (const ch of ConsentChannel.options) {
    const r = checked(ch);
    if (!r.ok) return r;
    consents[ch] = r.value;
  }
  const doNotAsk = checked('doNotAsk');
  if (!doNotAsk.ok) return doNotAsk;
  const preferredRaw = fields.get('preferredChannel')?.at(-1) ?? '';
  const preferred = PreferredField.safeParse(preferredRaw);
  if (!preferred.success) return { ok: false, field: 'preferredChannel', message: `must be one of ${Channel.options.join(', ')} or empty` };
  const preferredChannel = preferred.data === '' ? null : preferred.data;
  // A preferred channel the customer just opted out of would be ignored anyway; say so rather than store it.
  if (preferredChannel !== null && preferredChannel !== 'account_manager' && consents[preferredChannel] === false) {
    return { ok: false, field: 'preferredChannel', message: `is ${preferredChannel}, but ${preferredChannel} is switched off` };
  }
  return { ok: true, value: { consents, doNotAsk: doNotAsk.value, preferredChannel } };
}

export interface UnsubscribeRequest {
  /** RFC 8058 one-click POST (`List-Unsubscribe=One-Click`) from a mailbox provider. */
  oneClick: boolean;
  /** The confirm page's "don't ask me for referrals again" box. */
  doNotAsk: boolean;
}

/** The body of POST /u/:token: the RFC 8058 one-click body or the confirm page's form. */
export function parseUnsubscribeBody(body: string): UnsubscribeRequest {
  const fields = formFields(body);
  const oneClick = fields.get('List-Unsubscribe')?.includes('One-Click') ?? false;
  const dna = fields.get('doNotAsk')?.at(-1)?.toLowerCase();
  return { oneClick, doNotAsk: dna !== undefined && Checkbox.safeParse(dna).success };
}

/** The update an unsubscribe makes: email consent off, and doNotAsk when asked for. */
export function unsubscribeUpdate(request: UnsubscribeRequest, channel: ConsentChannel = 'email'): PreferenceUpdate {
  return { consents: { [channel]: false }, ...(request.doNotAsk ? { doNotAsk: true } : {}) };
}
