// Template file layout (which parts each channel needs, and their file names), apart from the liquid rendering in
// render.ts so the campaign file checks can use it without bundling the template engine.
import type { Channel } from './schemas/common.js';

/** The parts a template reference can have. Files: templates/<ref>.<part>.liquid ("text" is stored as "txt"). */
export const TEMPLATE_PARTS = ['subject', 'preheader', 'title', 'html', 'text'] as const;
export type TemplatePart = (typeof TEMPLATE_PARTS)[number];

/**
 * Which parts each channel needs. `fromVariant` names a part the variant may give inline instead
 * (variant.subject stands in for the email subject and the in-app title).
 */
export const CHANNEL_PARTS: Record<Channel, { required: TemplatePart[]; optional: TemplatePart[]; fromVariant?: TemplatePart }> = {
  email: { required: ['subject', 'html', 'text'], optional: ['preheader'], fromVariant: 'subject' },
  sms: { required: ['text'], optional: [] },
  in_app: { required: ['title', 'text'], optional: [], fromVariant: 'title' },
  account_manager: { required: ['text'], optional: ['subject'] },
};

/** The file name (relative to templates/) of a part, optionally for a locale: "anniversary/email.de.html.liquid". */
export function templateFileName(ref: string, part: TemplatePart | string, locale?: string): string {
  const ext = part === 'text' ? 'txt' : part;
  return locale ? `${ref}.${locale}.${ext}.liquid` : `${ref}.${ext}.liquid`;
}
