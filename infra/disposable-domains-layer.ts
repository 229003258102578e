// The maintained disposable-email-domain list (npm `disposable-email-domains`, 2.4 MB of JSON) as a Lambda layer for
// the functions that check conversions for fraud. It is read from /opt on the first conversion that needs it
// (adapters/disposable-domains.ts) instead of being bundled, so the click path's cold start does not parse it.
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Architecture, Code, LayerVersion, type Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { LAMBDA_RUNTIME } from './lambda.js';

/** Where the list is inside a function that has the layer (layers are extracted under /opt). */
export const DISPOSABLE_DOMAINS_LAYER_FILE = '/opt/disposable-email-domains/index.json';

export function addDisposableDomainsLayer(scope: Construct, functions: LambdaFunction[]): LayerVersion {
  const source = createRequire(import.meta.url).resolve('disposable-email-domains');
  const staging = mkdtempSync(join(tmpdir(), 'disposable-domains-layer-'));
  mkdirSync(join(staging, 'disposable-email-domains'));
  copyFileSync(source, join(staging, 'disposable-email-domains', 'index.json'));
  // Its wildcard list (every subdomain of these is disposable) beside it: the loader reads both.
  copyFileSync(join(dirname(source), 'wildcard.json'), join(staging, 'disposable-email-domains', 'wildcard.json'));
  const layer = new LayerVersion(scope, 'DisposableDomainsLayer', {
    code: Code.fromAsset(staging),
    compatibleRuntimes: [LAMBDA_RUNTIME],
    compatibleArchitectures: [Architecture.ARM_64],
    description: 'disposable-email-domains list for the conversion fraud checks',
  });
  for (const fn of functions) {
    fn.addLayers(layer);
    fn.addEnvironment('DISPOSABLE_DOMAINS_FILE', DISPOSABLE_DOMAINS_LAYER_FILE);
  }
  return layer;
}
