// SES event parsing: every event type maps to a delivery state; only hard bounces and complaints suppress.
import { describe, expect, it } from 'vitest';
import { interpretSesEvent, SesEventBridgeEvent } from '../../../functions/channels/ses-events.js';
import { encodeTagValue } from '../../../core/email-headers.js';
import { parseInboundSmsEvent } from '../../../functions/channels/sms-inbound.js';

const ASK = 'c-1~signup_anniversary#2026';

function sesEvent(detailType: string, eventType: string, extra: Record<string, unknown> = {}): unknown {
  return {
    version: '0',
    id: 'e-1',
    'detail-type': detailType,
    source: 'aws.ses',
    time: '2026-03-10T12:00:05Z',
    detail: {
      eventType,
      mail: { timestamp: '2026-03-10T12:00:00Z', messageId: 'm-1', destination: ['ada@example.com'], tags: { askId: [encodeTagValue(ASK)], campaignId: [encodeTagValue('anniversary')] } },
      ...extra,
    },
  };
}

const parse = (e: unknown) => interpretSesEvent(SesEventBridgeEvent.parse(e));

describe('interpretSesEvent', () => {
  it.each([
    ['Email Sent', 'Send', 'sent'],
    ['Email Delivered', 'Delivery', 'delivered'],
    ['Email Opened', 'Open', 'opened'],
    ['Email Clicked', 'Click', 'clicked'],
    ['Email Rejected', 'Reject', 'rejected'],
    ['Email Rendering Failed', 'Rendering Failure', 'rendering_failed'],
    ['Email Delivery Delayed', 'DeliveryDelay', 'delayed'],
  ])('%s -> %s state, nothing suppressed', (detailType, eventType, state) => {
    const m = parse(sesEvent(detailType, eventType));
    expect(m.state).toBe(state);
    expect(m.askId).toBe(ASK);
    expect(m.suppress).toEqual([]);
  });

  it('a permanent bounce suppresses each bounced recipient as hard_bounce', () => {
    const m = parse(sesEvent('Email Bounced', 'Bounce', { bounce: { bounceType: 'Permanent', bounceSubType: 'General', bouncedRecipients: [{ emailAddress: 'Ada@Example.com' }], timestamp: '2026-03-10T12:00:02Z' } }));
    expect(m.state).toBe('bounced');
    expect(m.at).toBe('2026-03-10T12:00:02Z');
    expect(m.suppress).toEqual([{ address: 'Ada@Example.com', reason: 'hard_bounce', detail: 'Permanent/General' }]);
  });

  it('a transient bounce suppresses nothing', () => {
    const m = parse(sesEvent('Email Bounced', 'Bounce', { bounce: { bounceType: 'Transient', bounceSubType: 'MailboxFull', bouncedRecipients: [{ emailAddress: 'ada@example.com' }] } }));
    expect(m.state).toBe('soft_bounced');
    expect(m.suppress).toEqual([]);
  });

  it('the BOUNCE spelling of the event type is accepted', () => {
    const m = parse(sesEvent('Email Bounced', 'BOUNCE', { bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'a@b.co' }] } }));
    expect(m.suppress).toHaveLength(1);
  });

  it('a complaint suppresses the complained recipients', () => {
    const m = parse(sesEvent('Email Complaint Received', 'Complaint', { complaint: { complainedRecipients: [{ emailAddress: 'ada@example.com' }], complaintFeedbackType: 'abuse' } }));
    expect(m.state).toBe('complained');
    expect(m.suppress).toEqual([{ address: 'ada@example.com', reason: 'complaint', detail: 'abuse' }]);
  });

  it('an event without our tags has no ask id', () => {
    const e = sesEvent('Email Delivered', 'Delivery') as { detail: { mail: { tags: unknown } } };
    e.detail.mail.tags = {};
    expect(parse(e).askId).toBeUndefined();
  });

  it('refuses a payload that is not an SES event', () => {
    expect(SesEventBridgeEvent.safeParse({ 'detail-type': 'x', detail: {} }).success).toBe(false);
  });
});

describe('parseInboundSmsEvent', () => {
  it('unwraps SNS records', () => {
    const message = { originationNumber: '+4915112345678', destinationNumber: '+4930000000', messageBody: 'STOP', inboundMessageId: 'i-1' };
    const r = parseInboundSmsEvent({ Records: [{ Sns: { Message: JSON.stringify(message) } }] });
    expect(r.messages).toEqual([message]);
    expect(r.invalid).toEqual([]);
  });

  it('reports a record whose message is not JSON', () => {
    expect(parseInboundSmsEvent({ Records: [{ Sns: { Message: 'nope' } }] }).invalid).toHaveLength(1);
  });
});
