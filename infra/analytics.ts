// The cloud half of the analytics source: every project event goes from the bus through Firehose to S3 (newline-
// delimited JSON, gzip, partitioned by date: events/dt=YYYY-MM-DD/), a Glue table with partition projection sits over
// it, an Athena workgroup writes query results to an encrypted bucket with lifecycle rules, and an EventBridge archive
// keeps the bus replayable. `asks report --target aws` runs analytics/*.sql there (analytics/views/athena.sql).
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import type { EventBus, IRuleTarget } from 'aws-cdk-lib/aws-events';
import { Rule } from 'aws-cdk-lib/aws-events';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnDeliveryStream } from 'aws-cdk-lib/aws-kinesisfirehose';
import { BlockPublicAccess, Bucket, BucketEncryption, StorageClass, type LifecycleRule } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { NagSuppressions } from './nag.js';

export const ANALYTICS_DATABASE = 'referral_asks';
export const ANALYTICS_TABLE = 'referral_events';
export const ATHENA_WORKGROUP = 'referral-asks';

/** The detail fields the report reads (analytics/views/athena.sql), as a Hive struct (JSON SerDe, case-insensitive). */
const DETAIL_STRUCT = `struct<${[
  'occurredat:string', 'demo:boolean', 'askid:string', 'campaignid:string', 'customerid:string', 'subjectid:string', 'referralcode:string',
  'variantid:string', 'channel:string', 'milestonekind:string', 'milestoneon:string', 'tenuretier:string', 'cohortmonth:string', 'rundate:string',
  'reason:string', 'network:string', 'status:string', 'type:string', 'amountminor:bigint', 'currency:string', 'rewardid:string', 'beneficiary:string',
  'previousstate:string', 'refereeid:string', 'orderid:string', 'clickid:string', 'conversionid:string', 'signupdate:string',
].join(',')}>`;

export interface EventAnalyticsProps {
  bus: EventBus;
  source: string;
}

export class EventAnalytics extends Construct {
  readonly eventsBucket: Bucket;
  readonly resultsBucket: Bucket;

  constructor(scope: Construct, id: string, props: EventAnalyticsProps) {
    super(scope, id);
    const bucket = (name: string, lifecycle: LifecycleRule[]) =>
      new Bucket(this, name, { encryption: BucketEncryption.S3_MANAGED, enforceSSL: true, blockPublicAccess: BlockPublicAccess.BLOCK_ALL, removalPolicy: RemovalPolicy.RETAIN, lifecycleRules: lifecycle });
    // The events are the analytics record: kept, moved to cheaper storage as they age.
    this.eventsBucket = bucket('Events', [
      { id: 'age-out', transitions: [{ storageClass: StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(90) }, { storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(365) }] },
      { id: 'errors', prefix: 'errors/', expiration: Duration.days(30) },
      { id: 'incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
    ]);
    // Query results are disposable.
    this.resultsBucket = bucket('AthenaResults', [{ id: 'expire-results', expiration: Duration.days(30) }, { id: 'incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) }]);
    for (const b of [this.eventsBucket, this.resultsBucket]) {
      NagSuppressions.addResourceSuppressions(b, [{ id: 'AwsSolutions-S1', reason: 'Written only by Firehose and Athena under least-privilege roles; CloudTrail data events cover access auditing where required.' }]);
    }

    // Firehose: direct put from EventBridge, a newline after each record (Athena reads JSON lines), gzip, by date.
    const firehoseRole = new Role(this, 'FirehoseRole', { assumedBy: new ServicePrincipal('firehose.amazonaws.com') });
    firehoseRole.addToPolicy(new PolicyStatement({ actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [this.eventsBucket.arnForObjects('events/*'), this.eventsBucket.arnForObjects('errors/*')] }));
    firehoseRole.addToPolicy(new PolicyStatement({ actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], resources: [this.eventsBucket.bucketArn] }));
    const stream = new CfnDeliveryStream(this, 'EventsStream', {
      deliveryStreamType: 'DirectPut',
      deliveryStreamEncryptionConfigurationInput: { keyType: 'AWS_OWNED_CMK' },
      extendedS3DestinationConfiguration: {
        bucketArn: this.eventsBucket.bucketArn,
        roleArn: firehoseRole.roleArn,
        prefix: 'events/dt=!{timestamp:yyyy-MM-dd}/',
        errorOutputPrefix: 'errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/',
        compressionFormat: 'GZIP',
        bufferingHints: { intervalInSeconds: 300, sizeInMBs: 64 },
        processingConfiguration: { enabled: true, processors: [{ type: 'AppendDelimiterToRecord' }] },
      },
    });
    stream.node.addDependency(firehoseRole);
    NagSuppressions.addResourceSuppressions(
      firehoseRole,
      [{ id: 'AwsSolutions-IAM5', reason: 'Firehose writes objects under the events/ and errors/ prefixes of its own bucket; object keys carry the date and a random suffix.', appliesTo: [{ regex: '/^(Action::s3:.*|Resource::.*\\/\\*)$/g' }] }],
      true,
    );

    const putRole = new Role(this, 'BusToFirehoseRole', { assumedBy: new ServicePrincipal('events.amazonaws.com') });
    putRole.addToPolicy(new PolicyStatement({ actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'], resources: [stream.attrArn] }));
    const target: IRuleTarget = { bind: () => ({ arn: stream.attrArn, role: putRole }) };
    new Rule(this, 'AllEventsToFirehose', { eventBus: props.bus, eventPattern: { source: [props.source] }, targets: [target], description: 'Every project event to S3 (analytics)' });

    // Replay: the bus's own events, kept a year.
    props.bus.archive('Archive', { archiveName: 'referral-asks-events', description: 'Every project event, replayable', eventPattern: { source: [props.source] }, retention: Duration.days(365) });

    new CfnDatabase(this, 'Database', { catalogId: Aws.ACCOUNT_ID, databaseInput: { name: ANALYTICS_DATABASE, description: 'Milestone referral asks: the event log' } });
    const table = new CfnTable(this, 'EventsTable', {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: ANALYTICS_DATABASE,
      tableInput: {
        name: ANALYTICS_TABLE,
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'json',
          compressionType: 'gzip',
          'projection.enabled': 'true',
          'projection.dt.type': 'date',
          'projection.dt.format': 'yyyy-MM-dd',
          'projection.dt.range': '2024-01-01,NOW',
          'projection.dt.interval': '1',
          'projection.dt.interval.unit': 'DAYS',
          'storage.location.template': `s3://${this.eventsBucket.bucketName}/events/dt=\${dt}/`,
        },
        partitionKeys: [{ name: 'dt', type: 'string' }],
        storageDescriptor: {
          location: `s3://${this.eventsBucket.bucketName}/events/`,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', parameters: { 'mapping.detail_type': 'detail-type', 'ignore.malformed.json': 'true' } },
          columns: [
            { name: 'id', type: 'string' },
            { name: 'detail_type', type: 'string' },
            { name: 'source', type: 'string' },
            { name: 'time', type: 'string' },
            { name: 'detail', type: DETAIL_STRUCT },
          ],
        },
      },
    });
    table.node.addDependency(this.node.findChild('Database'));

    new CfnWorkGroup(this, 'WorkGroup', {
      name: ATHENA_WORKGROUP,
      description: 'asks report --target aws',
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        resultConfiguration: { outputLocation: `s3://${this.resultsBucket.bucketName}/results/`, encryptionConfiguration: { encryptionOption: 'SSE_S3' } },
      },
    });
    const stack = Stack.of(this);
    new CfnOutput(stack, 'AthenaWorkGroup', { value: ATHENA_WORKGROUP, description: 'ATHENA_WORKGROUP for asks report --target aws' });
    new CfnOutput(stack, 'AthenaDatabase', { value: ANALYTICS_DATABASE, description: 'ATHENA_DATABASE' });
    new CfnOutput(stack, 'AthenaTable', { value: ANALYTICS_TABLE, description: 'ATHENA_TABLE' });
  }
}
