// Channel senders against mocked AWS SDK clients: SES v2 email, End User Messaging SMS, in-app and assisted events.
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PinpointSMSVoiceV2Client, SendTextMessageCommand, ThrottlingException, ValidationException } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { MessageRejected, SendEmailCommand, SESv2Client, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AssistedSender } from '../../../adapters/channels/assisted.js';
import { InAppSender } from '../../../adapters/channels/inapp.js';
import { classifySesError, SesEmailSender } from '../../../adapters/channels/ses-email.js';
import { SmsSender } from '../../../adapters/channels/sms.js';
import { fixedClock } from '../../../adapters/clock.js';
import { EventBridgePublisher } from '../../../adapters/eventbridge.js';
import { decodeTagValue } from '../../../core/email-headers.js';
import type { OutboundMessage } from '../../../core/ports.js';

const ses = mockClient(SESv2Client);
const sms = mockClient(PinpointSMSVoiceV2Client);
const eb = mockClient(EventBridgeClient);
const ddb = mockClient(DynamoDBDocumentClient);

beforeEach(() => {
  ses.reset();
  sms.reset();
  eb.reset();
  ddb.reset();
});

function message(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    askId: 'c-1~signup_anniversary#2026',
    customerId: 'c-1',
    campaignId: 'anniversary',
    channel: 'email',
    idempotencyKey: 'c-1~signup_anniversary#2026#email',
    to: { email: 'ada@example.com', phone: '+4915112345678', name: 'Ada' },
    subject: 'Happy anniversary',
    html: '<p>hi</p>',
    text: 'hi https://x.test/s/tok',
    shareUrl: 'https://x.test/s/tok',
    unsubscribeUrl: 'https://x.test/u/unsub.k1.sig',
    ...overrides,
  };
}

const http = (status: number) => ({ $fault: status >= 500 ? ('server' as const) : ('client' as const), $metadata: { httpStatusCode: status } });

describe('SesEmailSender', () => {
  it('sends simple content with both parts, the unsubscribe headers, extra headers and reversible tags', async () => {
    // Prepare
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    const sender = new SesEmailSender({ client: new SESv2Client({}), from: 'asks@acme.test', configurationSet: 'asks' });

    // Act
    const out = await sender.send(message({ headers: { 'X-Campaign': 'anniversary' } }));

    // Assess
    expect(out.messageId).toBe('m-1');
    const input = ses.commandCalls(SendEmailCommand)[0]!.args[0].input;
    expect(input.ConfigurationSetName).toBe('asks');
    expect(input.Content?.Simple?.Body?.Html?.Data).toBe('<p>hi</p>');
    expect(input.Content?.Simple?.Body?.Text?.Data).toBe('hi https://x.test/s/tok');
    expect(input.Content?.Simple?.Headers).toEqual([
      { Name: 'X-Campaign', Value: 'anniversary' },
      { Name: 'List-Unsubscribe', Value: '<https://x.test/u/unsub.k1.sig>, <mailto:unsubscribe@acme.test?subject=unsubscribe-unsub.k1.sig>' },
      { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
    ]);
    const tags = Object.fromEntries((input.EmailTags ?? []).map((t) => [t.Name, decodeTagValue(t.Value!)]));
    expect(tags).toEqual({ askId: 'c-1~signup_anniversary#2026', campaignId: 'anniversary', customerId: 'c-1' });
  });

  it('maps TooManyRequests to ThrottlingError', async () => {
    ses.on(SendEmailCommand).rejects(new TooManyRequestsException({ message: 'slow down', ...http(429) }));
    const sender = new SesEmailSender({ client: new SESv2Client({}), from: 'asks@acme.test' });
    await expect(sender.send(message())).rejects.toMatchObject({ name: 'ThrottlingError' });
  });

  it('maps MessageRejected to PermanentSendError', async () => {
    ses.on(SendEmailCommand).rejects(new MessageRejected({ message: 'bad', ...http(400) }));
    const sender = new SesEmailSender({ client: new SESv2Client({}), from: 'asks@acme.test' });
    await expect(sender.send(message())).rejects.toMatchObject({ name: 'PermanentSendError' });
  });

  it.each([
    [{ name: 'LimitExceededException', $metadata: { httpStatusCode: 400 } }, 'ThrottlingError'],
    [{ name: 'ThrottlingException' }, 'ThrottlingError'],
    [{ name: 'InternalFailure', $metadata: { httpStatusCode: 500 } }, 'TransientError'],
    [{ name: 'TimeoutError' }, 'TransientError'],
    [{ name: 'MailFromDomainNotVerifiedException', $metadata: { httpStatusCode: 400 } }, 'PermanentSendError'],
    [{ name: 'AccountSuspendedException', $metadata: { httpStatusCode: 400 } }, 'PermanentSendError'],
    [{ name: 'NotFoundException', $metadata: { httpStatusCode: 404 } }, 'PermanentSendError'],
    [{ name: 'BadRequestException', $metadata: { httpStatusCode: 400 } }, 'PermanentSendError'],
  ])('classifies %o as %s', (error, expected) => {
    expect(classifySesError(error).name).toBe(expected);
  });

  it('refuses a message without an address as permanent, without calling SES', async () => {
    const sender = new SesEmailSender({ client: new SESv2Client({}), from: 'asks@acme.test' });
    await expect(sender.send(message({ to: {} }))).rejects.toMatchObject({ name: 'PermanentSendError' });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });
});

describe('SmsSender', () => {
  const identities = { DE: '+4930000000', US: '+15550000000', default: 'ReferralAsk' };
  const daytime = fixedClock('2026-03-10T12:00:00Z');

  it('sends PROMOTIONAL text from the country identity, fitted to two segments with the link whole', async () => {
    // Prepare
    sms.on(SendTextMessageCommand).resolves({ MessageId: 's-1' });
    const sender = new SmsSender({ client: new PinpointSMSVoiceV2Client({}), originationIdentities: identities, clock: daytime, configurationSetName: 'sms-set' });
    const long = `${'Thank you for a wonderful year with us, Ada! '.repeat(10)}https://x.test/s/tok Reply STOP to opt out`;

    // Act
    const out = await sender.send(message({ channel: 'sms', text: long, data: { timezone: 'Europe/Berlin' } }));

    // Assess
    expect(out.messageId).toBe('s-1');
    const input = sms.commandCalls(SendTextMessageCommand)[0]!.args[0].input;
    expect(input.DestinationPhoneNumber).toBe('+4915112345678');
    expect(input.OriginationIdentity).toBe('+4930000000');
    expect(input.MessageType).toBe('PROMOTIONAL');
    expect(input.ConfigurationSetName).toBe('sms-set');
    expect(input.MessageBody).toContain('https://x.test/s/tok Reply STOP to opt out');
    expect(input.MessageBody!.length).toBeLessThanOrEqual(306);
  });

  it('falls back to the default identity for a country without one', async () => {
    sms.on(SendTextMessageCommand).resolves({ MessageId: 's-2' });
    const sender = new SmsSender({ client: new PinpointSMSVoiceV2Client({}), originationIdentities: identities, clock: daytime });
    await sender.send(message({ channel: 'sms', to: { phone: '+33612345678' } }));
    expect(sms.commandCalls(SendTextMessageCommand)[0]!.args[0].input.OriginationIdentity).toBe('ReferralAsk');
  });

  it('defers during local quiet hours with the next 08:00 as `until`, without calling the API', async () => {
    // Prepare: 22:30 in Berlin (CET, UTC+1)
    const sender = new SmsSender({ client: new PinpointSMSVoiceV2Client({}), originationIdentities: identities, clock: fixedClock('2026-03-10T21:30:00Z') });

    // Act
    const error = await sender.send(message({ channel: 'sms', data: { timezone: 'Europe/Berlin' } })).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'SendDeferredError', until: '2026-03-11T07:00:00.000Z' });
    expect(sms.commandCalls(SendTextMessageCommand)).toHaveLength(0);
  });

  it('maps ThrottlingException to ThrottlingError and ValidationException to PermanentSendError', async () => {
    const sender = new SmsSender({ client: new PinpointSMSVoiceV2Client({}), originationIdentities: identities, clock: daytime });
    sms.on(SendTextMessageCommand).rejectsOnce(new ThrottlingException({ message: 'slow', ...http(429) })).rejectsOnce(new ValidationException({ message: 'bad', Reason: 'INVALID_PARAMETER' as never, ...http(400) }));
    await expect(sender.send(message({ channel: 'sms' }))).rejects.toMatchObject({ name: 'ThrottlingError' });
    await expect(sender.send(message({ channel: 'sms' }))).rejects.toMatchObject({ name: 'PermanentSendError' });
  });

  it('refuses a number that is not E.164', async () => {
    const sender = new SmsSender({ client: new PinpointSMSVoiceV2Client({}), originationIdentities: identities, clock: daytime });
    await expect(sender.send(message({ channel: 'sms', to: { phone: '0151 123' } }))).rejects.toMatchObject({ name: 'PermanentSendError' });
  });
});

describe('in-app and assisted', () => {
  const clock = fixedClock('2026-03-10T12:00:00Z');

  it('in-app writes an open inbox item once and publishes referral.ask.inapp.v1 on the bus', async () => {
    // Prepare
    ddb.on(PutCommand).resolves({});
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
    const sender = new InAppSender({ doc, tableName: 't', publisher: new EventBridgePublisher(new EventBridgeClient({}), 'bus'), clock });

    // Act
    await sender.send(message({ channel: 'in_app', subject: 'Happy 1st year', text: 'Invite a friend' }));

    // Assess
    const put = ddb.commandCalls(PutCommand)[0]!.args[0].input;
    expect(put.Item).toMatchObject({ PK: 'C#c-1', SK: 'INBOX#c-1~signup_anniversary#2026', state: 'open', title: 'Happy 1st year', body: 'Invite a friend', shareUrl: 'https://x.test/s/tok' });
    expect(put.ConditionExpression).toBe('attribute_not_exists(PK)');
    const entry = eb.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(entry.DetailType).toBe('referral.ask.inapp.v1');
    expect(entry.EventBusName).toBe('bus');
    // The event carries ids only (the publisher swaps the customer id for a subject id); the text names the person.
    const detail = JSON.parse(entry.Detail!) as Record<string, unknown>;
    expect(detail).toMatchObject({ version: 1, askId: 'c-1~signup_anniversary#2026', customerId: 'c-1' });
    expect(detail).not.toHaveProperty('title');
    expect(detail).not.toHaveProperty('body');
  });

  it('assisted publishes referral.ask.assisted.v1 with the share message and sends nothing to the customer', async () => {
    // Prepare
    eb.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e' }] });
    const sender = new AssistedSender({ publisher: new EventBridgePublisher(new EventBridgeClient({}), 'bus'), clock });

    // Act
    await sender.send(message({ channel: 'account_manager', data: { shareMessage: 'I love Acme, try it', accountManager: { name: 'Bo', email: 'bo@acme.test' } } }));

    // Assess
    const entry = eb.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(entry.DetailType).toBe('referral.ask.assisted.v1');
    expect(JSON.parse(entry.Detail!)).toMatchObject({ shareMessage: 'I love Acme, try it', shareUrl: 'https://x.test/s/tok', accountManager: { name: 'Bo', email: 'bo@acme.test' } });
    expect(ses.calls()).toHaveLength(0);
    expect(sms.calls()).toHaveLength(0);
  });
});
