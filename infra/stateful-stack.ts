// The stateful stack: what must survive a redeploy (the table, the event bus, the signing key,
// the SES configuration set). Deletion protection, PITR and RETAIN: never lose customer data to a stack update.
// The table's stream feeds one EventBridge Pipe: every stored click becomes `referral.click.recorded` on the bus, so
// the click handler makes its one write and nothing else (docs/architecture.md, "Click events").
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnPipe } from 'aws-cdk-lib/aws-pipes';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { ConfigurationSet, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import { NagSuppressions } from './nag.js';
import { EventAnalytics } from './analytics.js';
import type { Construct } from 'constructs';
import { GSIS, TABLE_KEY } from '../adapters/dynamo/table-def.js';
import { detailType, EVENT_SOURCE } from '../core/schemas/events.js';

/** The click item (functions/http/routes/referrals.ts) -> the `referral.click.recorded` v1 detail, field by field. */
export const CLICK_EVENT_TEMPLATE = JSON.stringify({
  version: 1,
  occurredAt: '<$.dynamodb.NewImage.at.S>',
  clickId: '<$.dynamodb.NewImage.clickId.S>',
  referralCode: '<$.dynamodb.NewImage.referralCode.S>',
  campaignId: '<$.dynamodb.NewImage.campaignId.S>',
});

export class StatefulStack extends Stack {
  readonly table: Table;
  readonly bus: EventBus;
  readonly signingSecret: Secret;
  readonly webhookSecret: Secret;
  readonly configurationSet: ConfigurationSet;
  readonly clickEventsPipe: CfnPipe;
  readonly clickEventsDlq: Queue;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // AWS-owned keys would be free but opaque; AWS-managed (aws/dynamodb) gives CloudTrail visibility with no key to run.
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE_KEY.pk, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEY.sk, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      // TTL on expiresAt: per-second send-rate windows, and the retention of clicks (with visitor ids) and leads
      // (RETENTION_DAYS, default 180; docs/privacy.md).
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.RETAIN,
      // New images only: the click events pipe below reads inserts of click items.
      stream: StreamViewType.NEW_IMAGE,
    });
    for (const gsi of GSIS) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.name,
        partitionKey: { name: gsi.pk, type: AttributeType.STRING },
        sortKey: { name: gsi.sk, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }

    this.bus = new EventBus(this, 'Bus', { eventBusName: 'referral-asks' });

    // The keyring: {"currentKid":"k1","k1":"<random>"}; add k2 and switch currentKid to rotate without breaking links.
    this.signingSecret = new Secret(this, 'SigningKeys', {
      description: 'HMAC keyring for share, unsubscribe and status tokens',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ currentKid: 'k1' }),
        generateStringKey: 'k1',
        passwordLength: 48,
        excludePunctuation: true,
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    NagSuppressions.addResourceSuppressions(this.signingSecret, [
      { id: 'AwsSolutions-SMG4', reason: 'Rotation is a keyring operation (add a key id, switch currentKid) so links already sent keep verifying; an automatic single-value rotation would break them.' },
    ]);

    // The conversions webhook's HMAC secret, shared with the sender (WEBHOOK_SECRET_ARN for the HTTP API).
    this.webhookSecret = new Secret(this, 'WebhookSecret', {
      description: 'HMAC-SHA256 secret of the signed POST /conversions webhook',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    NagSuppressions.addResourceSuppressions(this.webhookSecret, [
      { id: 'AwsSolutions-SMG4', reason: 'The webhook secret is shared with the sending system; it is rotated together with them (a new value agreed and deployed on both sides), not by a single-sided automatic rotation that would break signed requests in flight.' },
    ]);

    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', { configurationSetName: 'referral-asks' });
    // SES v2 event destinations to EventBridge always use the default bus; a rule there forwards to the handler.
    this.configurationSet.addEventDestination('ToEventBridge', {
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: [
        EmailSendingEvent.SEND,
        EmailSendingEvent.DELIVERY,
        EmailSendingEvent.BOUNCE,
        EmailSendingEvent.COMPLAINT,
        EmailSendingEvent.REJECT,
        EmailSendingEvent.OPEN,
        EmailSendingEvent.CLICK,
        EmailSendingEvent.DELIVERY_DELAY,
        EmailSendingEvent.RENDERING_FAILURE,
      ],
    });

    // Click events: table stream -> Pipe (inserts of click items only, filtered before they are billed) -> the bus.
    // Delivery is at least once (consumers dedupe on clickId); a batch that keeps failing is bisected, and records
    // that still fail land in the dead-letter queue with their stream position (the click item itself is in the table).
    const clickEventsDlq = (this.clickEventsDlq = new Queue(this, 'ClickEventsDlq', { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) }));
    NagSuppressions.addResourceSuppressions(clickEventsDlq, [{ id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the click events pipe.' }]);
    const pipeRole = new Role(this, 'ClickEventsPipeRole', { assumedBy: new ServicePrincipal('pipes.amazonaws.com'), description: 'Click events pipe: read the table stream, put events on the project bus' });
    this.table.grantStreamRead(pipeRole);
    this.bus.grantPutEventsTo(pipeRole);
    clickEventsDlq.grantSendMessages(pipeRole);
    NagSuppressions.addResourceSuppressions(
      pipeRole,
      [{ id: 'AwsSolutions-IAM5', reason: 'dynamodb:ListStreams has no resource-level permissions; every other action is scoped to this table\'s stream, the project bus and the dead-letter queue.', appliesTo: ['Resource::*'] }],
      true,
    );
    this.clickEventsPipe = new CfnPipe(this, 'ClickEventsPipe', {
      description: 'Stored clicks -> referral.click.recorded on the project bus',
      roleArn: pipeRole.roleArn,
      source: this.table.tableStreamArn!,
      sourceParameters: {
        dynamoDbStreamParameters: {
          startingPosition: 'LATEST',
          batchSize: 10, // PutEvents takes at most 10 entries
          maximumRetryAttempts: 100,
          onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          deadLetterConfig: { arn: clickEventsDlq.queueArn },
        },
        filterCriteria: { filters: [{ pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['click'] } } } }) }] },
      },
      target: this.bus.eventBusArn,
      targetParameters: {
        eventBridgeEventBusParameters: { detailType: detailType('referral.click.recorded'), source: EVENT_SOURCE },
        inputTemplate: CLICK_EVENT_TEMPLATE,
      },
    });
    this.clickEventsPipe.node.addDependency(pipeRole);

    new EventAnalytics(this, 'Analytics', { bus: this.bus, source: EVENT_SOURCE });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
    // `asks --target aws --stack <name>` reads these (cli/target.ts).
    new CfnOutput(this, 'EventBusArn', { value: this.bus.eventBusArn });
    new CfnOutput(this, 'SigningSecretArn', { value: this.signingSecret.secretArn });
    new CfnOutput(this, 'WebhookSecretArn', { value: this.webhookSecret.secretArn });
  }
}
