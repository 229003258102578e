// One construct for every Lambda of the project: Node 22+ on arm64, bundled with the local esbuild (no Docker),
// campaigns/ and templates/ shipped beside the code, a log group with retention, tracing, Powertools settings.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface ProjectFunctionProps {
  /** Entry path relative to the repo root, e.g. "functions/workflow/process-batch.ts". */
  entry: string;
  memorySize?: number;
  timeout?: Duration;
  environment?: Record<string, string>;
  description?: string;
}

export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

export class ProjectFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: ProjectFunctionProps) {
    super(scope, id);
    if (!props.entry.startsWith('functions/')) throw new Error(`ProjectFunction ${id}: entry must be under functions/, got ${props.entry}`);
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.fn = new NodejsFunction(this, 'Fn', {
      entry: join(REPO_ROOT, props.entry),
      handler: 'handler',
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      logGroup,
      description: props.description,
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'referral-asks',
        POWERTOOLS_METRICS_NAMESPACE: 'ReferralAsks',
        CAMPAIGNS_DIR: '/var/task/campaigns',
        TEMPLATES_DIR: '/var/task/templates',
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        target: 'node22',
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) => [
            `cp -r "${inputDir}/campaigns" "${outputDir}/campaigns"`,
            `cp -r "${inputDir}/templates" "${outputDir}/templates"`,
          ],
        },
      },
    });
  }
}
