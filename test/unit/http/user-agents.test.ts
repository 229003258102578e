// Click hygiene: which user agents count as people. Real agents as sent by browsers, in-app browsers, mail scanners,
// link previewers, crawlers and uptime checkers (isbot plus our additions, adapters/user-agents.ts).
import { describe, expect, it } from 'vitest';
import { classifyAgent } from '../../../adapters/user-agents.js';

// [who, user agent]
const COUNTED: Array<[string, string]> = [
  ['Chrome on Windows', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'],
  ['Firefox on macOS', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.7; rv:133.0) Gecko/20100101 Firefox/133.0'],
  ['Safari on macOS', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15'],
  ['Edge on Windows', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0'],
  ['Safari on iPhone', 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1'],
  ['Chrome on Android', 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36'],
  ['Samsung Internet', 'Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36'],
  ['Instagram in-app (iOS)', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 339.0.3.12.91 (iPhone14,5; iOS 17_5; en_US; en; scale=3.00; 1170x2532; 621367442)'],
  ['Facebook in-app (iOS)', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/470.0.0.38.108;FBBV/612345678;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/17.5;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5;FBRV/0]'],
  ['Facebook in-app (Android)', 'Mozilla/5.0 (Linux; Android 14; SM-G991B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/124.0.6367.82 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/463.0.0.45.101;]'],
  ['LinkedIn in-app (iOS)', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.30.1180'],
  ['Gmail in-app (iOS)', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) GSA/322.0.648915268 Mobile/15E148 Safari/604.1'],
  ['Gmail in-app (Android web view)', 'Mozilla/5.0 (Linux; Android 14; Pixel 7 Build/AP2A.240605.024; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.71 Mobile Safari/537.36 GoogleApp/15.25.35.29.arm64'],
  ['Outlook in-app (Android web view)', 'Mozilla/5.0 (Linux; Android 14; SM-S911B Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/125.0.6422.165 Mobile Safari/537.36 PKeyAuth/1.0'],
  ['new Outlook for Windows', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0.0.0 Safari/537.36 Edg/128.0.0.0 OneOutlook/1.2024.1023.300'],
];

// [who, user agent, class]
const NOT_COUNTED: Array<[string, string, string]> = [
  ['Microsoft SafeLinks', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/79.0.3945.130 Safari/537.36 SafeLinks', 'scanner'],
  ['Proofpoint URL Defense', 'Mozilla/5.0 (compatible; Proofpoint URL Defense)', 'scanner'],
  ['Mimecast', 'Mozilla/5.0 (Windows NT 6.1; WOW64) Mimecast Service/1.0', 'scanner'],
  ["Office's link check", 'Mozilla/4.0 (compatible; ms-office; MSOffice 16)', 'scanner'],
  ['Slack', 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)', 'previewer'],
  ['Slack image proxy', 'Slack-ImgProxy (+https://api.slack.com/robots)', 'previewer'],
  ['Discord', 'Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)', 'previewer'],
  ['WhatsApp', 'WhatsApp/2.23.20.0 A', 'previewer'],
  ['iMessage', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_11_1) AppleWebKit/601.2.4 (KHTML, like Gecko) Version/9.0.1 Safari/601.2.4 facebookexternalhit/1.1 Facebot Twitterbot/1.0', 'previewer'],
  // The failing inputs: a federated server fetching a preview, and an embed service.
  ['Mastodon', 'http.rb/5.1.1 (Mastodon/4.2.0; +https://social.example/)', 'previewer'],
  ['Iframely', 'Iframely/1.3.1', 'previewer'],
  ['Iframely with its URL', 'Iframely/1.3.1 (+https://iframely.com/docs/about)', 'previewer'],
  ['Telegram', 'TelegramBot (like TwitterBot)', 'previewer'],
  ['Teams/Skype', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.79 Safari/537.36 SkypeUriPreview Preview/0.5 skype-url-preview@microsoft.com', 'previewer'],
  ['Googlebot', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)', 'bot'],
  ['Bingbot', 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36', 'bot'],
  ['UptimeRobot', 'Mozilla/5.0+(compatible; UptimeRobot/2.0; http://www.uptimerobot.com/)', 'bot'],
  ['Pingdom', 'Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)', 'bot'],
  ['Better Uptime', 'Better Uptime Bot Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/74.0.3729.169 Safari/537.36', 'bot'],
  ['headless Chrome', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36', 'bot'],
  ['curl', 'curl/8.5.0', 'bot'],
  ['no agent', '', 'bot'],
];

describe('classifyAgent', () => {
  it.each(COUNTED)('counts %s', (_who, ua) => {
    expect(classifyAgent(ua)).toBe('human');
  });
  it.each(NOT_COUNTED)('does not count %s', (_who, ua, kind) => {
    expect(classifyAgent(ua)).toBe(kind);
  });
});
