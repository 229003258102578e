// The cloud analytics source, from the synthesized stateful template: bus -> Firehose -> S3 (gzip, by date), a Glue
// table over it, an Athena workgroup with encrypted, expiring results, an archive of the bus, least-privilege roles.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_SOURCE } from '../../core/schemas/events.js';

const ROOT = join(import.meta.dirname, '..', '..');
const template = JSON.parse(readFileSync(join(ROOT, 'cdk.out', readdirSync(join(ROOT, 'cdk.out')).find((f) => /Stateful\.template\.json$/.test(f))!), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, any> }> }; // eslint-disable-line @typescript-eslint/no-explicit-any
const of = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
const one = (type: string) => {
  const found = of(type);
  expect(found.length, type).toBe(1);
  return found[0]![1].Properties;
};

describe('analytics in the cloud', () => {
  it('sends every project event from the bus through Firehose to S3, gzip, partitioned by date, newline-delimited', () => {
    const s3 = one('AWS::KinesisFirehose::DeliveryStream').ExtendedS3DestinationConfiguration;
    expect(s3).toMatchObject({ CompressionFormat: 'GZIP', Prefix: 'events/dt=!{timestamp:yyyy-MM-dd}/' });
    expect(s3.ProcessingConfiguration.Processors).toEqual([{ Type: 'AppendDelimiterToRecord' }]);
    const rule = of('AWS::Events::Rule').map(([, r]) => r.Properties).find((p) => JSON.stringify(p.Targets ?? []).includes('EventsStream'))!;
    expect(rule.EventPattern).toEqual({ source: [EVENT_SOURCE] });
  });

  it('grants only what each role needs', () => {
    const policies = of('AWS::IAM::Policy').map(([, r]) => r.Properties);
    const actionsOf = (roleLike: RegExp) => policies.filter((p) => roleLike.test(JSON.stringify(p.Roles))).flatMap((p) => p.PolicyDocument.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat()));
    expect(new Set(actionsOf(/BusToFirehoseRole/))).toEqual(new Set(['firehose:PutRecord', 'firehose:PutRecordBatch']));
    expect(new Set(actionsOf(/AnalyticsFirehoseRole/))).toEqual(new Set(['s3:PutObject', 's3:AbortMultipartUpload', 's3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads']));
  });

  it('has a Glue table with date partition projection over the events prefix', () => {
    const table = one('AWS::Glue::Table').TableInput;
    expect(table.PartitionKeys).toEqual([{ Name: 'dt', Type: 'string' }]);
    expect(table.Parameters).toMatchObject({ 'projection.enabled': 'true', 'projection.dt.type': 'date' });
    expect(table.StorageDescriptor.SerdeInfo.Parameters['mapping.detail_type']).toBe('detail-type');
    expect(table.StorageDescriptor.Columns.find((c: { Name: string }) => c.Name === 'detail').Type).toMatch(/occurredat:string.*amountminor:bigint/);
  });

  it('has an Athena workgroup writing encrypted results to a bucket whose results expire', () => {
    const wg = one('AWS::Athena::WorkGroup').WorkGroupConfiguration;
    expect(wg).toMatchObject({ EnforceWorkGroupConfiguration: true, ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } } });
    const buckets = of('AWS::S3::Bucket').map(([, r]) => r.Properties);
    for (const b of buckets) expect(b.BucketEncryption).toBeDefined();
    expect(buckets.some((b) => b.LifecycleConfiguration?.Rules?.some((r: { ExpirationInDays?: number; Id?: string }) => r.Id === 'expire-results' && r.ExpirationInDays === 30))).toBe(true);
  });

  it('archives the bus so it can be replayed', () => {
    expect(one('AWS::Events::Archive')).toMatchObject({ EventPattern: { source: [EVENT_SOURCE] }, RetentionDays: 365 });
  });
});
