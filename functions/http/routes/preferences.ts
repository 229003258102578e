// The preferences page behind a signed link: "don't ask me for referrals again", opt-out per channel and the
// preferred channel. GET shows the current choices, POST saves them with one UpdateItem on the profile.
import { PreferenceStore } from '../../../adapters/dynamo/preferences.js';
import { pageResponse } from '../../../adapters/channels/pages.js';
import { verifyTokenFor } from '../../../core/links.js';
import { parsePreferencesForm, type PreferenceView } from '../../../core/preferences.js';
import type { HttpRequest, HttpResponse, RouteParams, RouteHandler } from '../types.js';
import { notFoundPage, preferencesUrl, type ChannelRouteDeps } from './unsubscribe.js';

const CHANNEL_OPTIONS = [
  { value: 'email', label: 'Email' },
  { value: 'sms', label: 'Text message (SMS)' },
  { value: 'in_app', label: 'In the app' },
] as const;

function formContext(view: PreferenceView, token: string, error?: string): Record<string, unknown> {
  const channels = CHANNEL_OPTIONS.filter((c) => (c.value === 'email' ? view.hasEmail : c.value === 'sms' ? view.hasPhone : true));
  return {
    title: 'Your preferences',
    locale: view.locale,
    action: `/p/${token}`,
    consents: view.consents,
    doNotAsk: view.doNotAsk,
    preferredChannel: view.preferredChannel ?? '',
    hasEmail: view.hasEmail,
    hasPhone: view.hasPhone,
    channels,
    ...(error ? { error } : {}),
  };
}

async function show(_req: HttpRequest, params: RouteParams, deps: ChannelRouteDeps): Promise<HttpResponse> {
  const token = params.token ?? '';
  const payload = verifyTokenFor('prefs', token, deps.keyring, deps.clock.now());
  if (!payload) return notFoundPage(deps);
  const view = await new PreferenceStore(deps.doc, deps.tableName).view(payload.c);
  if (!view) return notFoundPage(deps);
  return pageResponse(200, 'preferences', formContext(view, token), deps.templatesDir);
}

async function save(req: HttpRequest, params: RouteParams, deps: ChannelRouteDeps): Promise<HttpResponse> {
  const token = params.token ?? '';
  const payload = verifyTokenFor('prefs', token, deps.keyring, deps.clock.now());
  if (!payload) return notFoundPage(deps);
  const store = new PreferenceStore(deps.doc, deps.tableName);
  const parsed = parsePreferencesForm(req.body ?? '');
  if (!parsed.ok) {
    const view = await store.view(payload.c);
    if (!view) return notFoundPage(deps);
    return pageResponse(400, 'preferences', formContext(view, token, `${parsed.field}: ${parsed.message}`), deps.templatesDir);
  }
  const found = await store.apply(payload.c, parsed.value, deps.clock.now().toISOString(), 'preferences');
  if (!found) return notFoundPage(deps);
  const locale = (await store.view(payload.c))?.locale;
  return pageResponse(200, 'preferences-saved', { title: 'Preferences saved', locale, doNotAsk: parsed.value.doNotAsk === true, preferencesUrl: preferencesUrl(deps, payload.c) }, deps.templatesDir);
}

/** Handlers by route id (functions/http/route-list.ts). */
export const preferencesHandlers = { preferences: show, preferencesSave: save } satisfies Record<string, RouteHandler<ChannelRouteDeps>>;
