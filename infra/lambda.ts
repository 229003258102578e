// One construct for every Lambda of the project: Node 22+ on arm64, bundled with the local esbuild (no Docker) by the
// shared configuration in infra/bundle.ts (the one bench/run.ts measures), campaigns/ and templates/ shipped beside
// the code, a log group with retention, tracing, Powertools settings.
import { AssetHashType, DockerImage, Duration, RemovalPolicy, type ILocalBundling } from 'aws-cdk-lib';
import { Architecture, Code, Function as LambdaFunction, LayerVersion, Runtime, Tracing, type CfnFunction, type ILayerVersion } from 'aws-cdk-lib/aws-lambda';
import { StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Stack } from 'aws-cdk-lib';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, bundleLambdaSync, powertoolsVersion } from './bundle.js';

export { REPO_ROOT };

export interface ProjectFunctionProps {
  /** Entry path relative to the repo root, e.g. "functions/workflow/process-batch.ts". */
  entry: string;
  memorySize?: number;
  timeout?: Duration;
  environment?: Record<string, string>;
  description?: string;
}

export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

/** Template Metadata key naming the function (its construct id, functions/ids.ts) on every AWS::Lambda::Function. */
export const FUNCTION_METADATA_KEY = 'ReferralAsks:Function';

/**
 * Local esbuild bundling. The entry is a data property on purpose: CDK keys its per-synth asset cache on the
 * JSON of the bundling options, so each function must serialize differently.
 */
class LocalEsbuild implements ILocalBundling {
  constructor(readonly entry: string) {}

  tryBundle(outputDir: string): boolean {
    bundleLambdaSync(this.entry, outputDir);
    return true;
  }
}

/** SSM public parameter holding the Powertools layer ARN of a version in the deploying region (AWS-published). */
export const powertoolsLayerParameter = (version: string): string => `/aws/service/powertools/typescript/generic/all/${version}`;

/** One Powertools layer reference per stack, at the installed version (logger, metrics, commons: infra/bundle.ts). */
function powertoolsLayer(scope: Construct): ILayerVersion {
  const stack = Stack.of(scope);
  const id = 'PowertoolsLayer';
  const existing = stack.node.tryFindChild(id) as ILayerVersion | undefined;
  if (existing) return existing;
  return LayerVersion.fromLayerVersionArn(stack, id, StringParameter.valueForStringParameter(stack, powertoolsLayerParameter(powertoolsVersion())));
}

export class ProjectFunction extends Construct {
  readonly fn: LambdaFunction;

  constructor(scope: Construct, id: string, props: ProjectFunctionProps) {
    super(scope, id);
    if (!props.entry.startsWith('functions/')) throw new Error(`ProjectFunction ${id}: entry must be under functions/, got ${props.entry}`);
    if (!existsSync(join(REPO_ROOT, props.entry))) throw new Error(`ProjectFunction ${id}: no such entry ${props.entry}`);
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    this.fn = new LambdaFunction(this, 'Fn', {
      // Hashed on the bundle output (deterministic: esbuild, source map paths relative to the repo root), so the
      // repo itself is never fingerprinted and an unchanged bundle keeps its asset.
      code: Code.fromAsset(REPO_ROOT, {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          local: new LocalEsbuild(props.entry),
          // Required by the API; never used, local bundling always succeeds or throws.
          image: DockerImage.fromRegistry('local-esbuild-bundling-only'),
        },
      }),
      handler: 'index.handler', // index.mjs
      layers: [powertoolsLayer(this)],
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      logGroup,
      description: props.description,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'referral-asks',
        POWERTOOLS_METRICS_NAMESPACE: 'ReferralAsks',
        CAMPAIGNS_DIR: '/var/task/campaigns',
        TEMPLATES_DIR: '/var/task/templates',
        ...props.environment,
      },
    });
    // test/least-privilege finds the function by this name in the template and in the record of its calls.
    (this.fn.node.defaultChild as CfnFunction).addMetadata(FUNCTION_METADATA_KEY, id);
  }
}
