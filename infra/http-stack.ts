// The public HTTP surface: share pages, referral clicks, landing pages, unsubscribe, preferences, status, the
// signed conversions webhook and the in-app endpoint — all routes to one Lambda that runs the shared router.
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { CfnStage, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { NagSuppressions, suppressLambdaBaseline } from './nag.js';
import type { Construct } from 'constructs';
import { grantFunction } from './grants.js';
import { FUNCTION_ID } from '../functions/ids.js';
import { ProjectFunction } from './lambda.js';
import { addDisposableDomainsLayer } from './disposable-domains-layer.js';
import { gatewayRoutes } from '../functions/http/route-list.js';

/** The API's routes, from the one list the Lambda's router uses (functions/http/route-list.ts), HEAD beside GET. */
export const HTTP_ROUTES: Array<{ method: HttpMethod; path: string }> = gatewayRoutes().map((r) => ({ method: HttpMethod[r.method], path: r.path }));

export interface HttpStackProps extends StackProps {
  table: Table;
  bus: EventBus;
  signingSecret: Secret;
  /** HMAC secret of POST /conversions (WEBHOOK_SECRET_ARN). */
  webhookSecret?: Secret;
  /** Custom domain base URL; defaults to the API's own URL. */
  publicBaseUrl?: string;
  /** Days clicks (with visitor ids) and leads are kept before the table's TTL deletes them (context retentionDays). */
  retentionDays?: number;
}

export class HttpStack extends Stack {
  readonly api: HttpApi;
  readonly handler: ProjectFunction;
  readonly publicBaseUrl: string;

  constructor(scope: Construct, id: string, props: HttpStackProps) {
    super(scope, id, props);
    this.handler = new ProjectFunction(this, FUNCTION_ID.Api, {
      entry: 'functions/http/api.ts',
      memorySize: 512,
      timeout: Duration.seconds(10),
      description: 'Share, click, landing, unsubscribe, preferences, status pages and the conversions webhook',
      environment: {
        TABLE_NAME: props.table.tableName,
        EVENT_BUS_NAME: props.bus.eventBusName,
        SIGNING_SECRET_ARN: props.signingSecret.secretArn,
        ...(props.webhookSecret ? { WEBHOOK_SECRET_ARN: props.webhookSecret.secretArn } : {}),
        // referral.click.recorded comes from the table stream via the stateful stack's pipe: the click is one write.
        CLICK_EVENTS_SOURCE: 'stream',
        RETENTION_DAYS: String(props.retentionDays ?? 180),
      },
    });
    grantFunction(this, FUNCTION_ID.Api, this.handler.fn, { table: props.table, bus: props.bus, secrets: { signing: props.signingSecret, ...(props.webhookSecret ? { webhook: props.webhookSecret } : {}) } });
    addDisposableDomainsLayer(this, [this.handler.fn]); // fraud checks of POST /conversions

    this.api = new HttpApi(this, 'HttpApi', { description: 'Milestone referral asks: public pages and webhooks' });
    const integration = new HttpLambdaIntegration('ApiIntegration', this.handler.fn);
    for (const route of HTTP_ROUTES) {
      this.api.addRoutes({ path: route.path, methods: [route.method], integration });
    }
    this.publicBaseUrl = props.publicBaseUrl ?? this.api.apiEndpoint;
    this.handler.fn.addEnvironment('PUBLIC_BASE_URL', this.publicBaseUrl);

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    const stage = this.api.defaultStage!.node.defaultChild as CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({ requestId: '$context.requestId', ip: '$context.identity.sourceIp', method: '$context.httpMethod', path: '$context.path', status: '$context.status', latency: '$context.responseLatency' }),
    };
    stage.defaultRouteSettings = { throttlingBurstLimit: 500, throttlingRateLimit: 1000 };

    NagSuppressions.addResourceSuppressions(
      this.api,
      [{ id: 'AwsSolutions-APIG4', reason: 'Public pages by design: share, click and landing pages are opened by anyone with the link; tokens are HMAC-signed and the conversions webhook verifies an HMAC signature in the handler.' }],
      true,
    );
    suppressLambdaBaseline(this);
    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
  }
}
