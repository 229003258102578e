// Who is clicking: people, or machines that fetch links nobody clicked. The maintained `isbot` list (crawlers, uptime
// checkers, link previewers, HTTP libraries) plus our own additions for what it does not know: mail scanners that
// announce themselves (SafeLinks, Mimecast, ...) and Office's link checks. Results are cached per agent string (the
// click path sees the same few agents again and again).
import { isbot } from 'isbot';
import type { AgentClass } from '../core/clicks.js';

/** Mail scanners follow every link of a message before (or instead of) the person: never a click. */
const SCANNERS = /(safelinks|mimecast|proofpoint|urldefense|barracuda|ms-office|msoffice|microsoft office|symantec|forcepoint|trend micro|sophos|fireeye|cisco|zscaler|ironport|messagelabs|trustwave)/i;
/** Link previewers fetch a page to draw a card; isbot knows most, this names them for the record. */
const PREVIEWERS = /(slackbot|slack-imgproxy|facebookexternalhit|facebot|twitterbot|linkedinbot|whatsapp\/|telegrambot|discordbot|skypeuripreview|embedly|iframely|pinterestbot|redditbot|applebot|googleimageproxy|bingpreview|mastodon\/|pleroma|misskey|akkoma|cardyb|vkshare|microsoftpreview)/i;

const cache = new Map<string, AgentClass>();
const CACHE_LIMIT = 2_000;

/** 'human' for a browser (in-app browsers included); 'scanner', 'previewer' or 'bot' otherwise. Empty agents are bots. */
export function classifyAgent(userAgent: string | undefined): AgentClass {
  const ua = (userAgent ?? '').trim();
  if (ua === '') return 'bot';
  const known = cache.get(ua);
  if (known) return known;
  const kind: AgentClass = SCANNERS.test(ua) ? 'scanner' : PREVIEWERS.test(ua) ? 'previewer' : isbot(ua) ? 'bot' : 'human';
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(ua, kind);
  return kind;
}
