// Click hygiene, pure: share intents on a fixed allow-list of hosts and the attribution cookie's value. Which user
// agents are people (mail scanners, link previewers and crawlers are not) is adapters/user-agents.ts (isbot + ours).

/** What fetched a link: a person, or a machine nobody asked to click (never counted). */
export type AgentClass = 'human' | 'bot' | 'previewer' | 'scanner';

export const SHARE_NETWORKS = ['email', 'sms', 'whatsapp', 'x', 'linkedin', 'facebook', 'copy'] as const;
export type ShareNetwork = (typeof SHARE_NETWORKS)[number];

export function isShareNetwork(s: string): s is ShareNetwork {
  return (SHARE_NETWORKS as readonly string[]).includes(s);
}

/** The share intent for a network: the destination is fixed per network, only its query carries the message. */
export function shareIntent(network: Exclude<ShareNetwork, 'copy'>, input: { url: string; text: string; subject: string }): string {
  const q = encodeURIComponent;
  const withUrl = input.text.includes(input.url) ? input.text : `${input.text} ${input.url}`;
  switch (network) {
    case 'email':
      return `mailto:?subject=${q(input.subject)}&body=${q(withUrl)}`;
    case 'sms':
      return `sms:?&body=${q(withUrl)}`;
    case 'whatsapp':
      return `https://wa.me/?text=${q(withUrl)}`;
    case 'x':
      return `https://x.com/intent/post?text=${q(input.text.replace(input.url, '').trim())}&url=${q(input.url)}`;
    case 'linkedin':
      return `https://www.linkedin.com/sharing/share-offsite/?url=${q(input.url)}`;
    case 'facebook':
      return `https://www.facebook.com/sharer/sharer.php?u=${q(input.url)}`;
  }
}

/** Attribution cookie value: "<code>.<clickId>.<issued epoch seconds>". */
export function attributionCookieValue(code: string, clickId: string, issuedAt: Date): string {
  return `${code}.${clickId}.${Math.floor(issuedAt.getTime() / 1000)}`;
}

export function parseAttributionCookie(value: string | undefined): { code: string; clickId: string; issuedAt: Date } | undefined {
  const m = /^([a-z0-9]{4,32})\.([A-Za-z0-9_-]{8,64})\.(\d{9,11})$/.exec(value ?? '');
  return m ? { code: m[1]!, clickId: m[2]!, issuedAt: new Date(Number(m[3]) * 1000) } : undefined;
}

/** The same visitor clicking the same code again within this window is one click. */
export const CLICK_DEDUPE_SECONDS = 30 * 60;
