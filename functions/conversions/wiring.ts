// The one place conversions, the approver and `asks review` get their collaborators: the DynamoDB stores behind the
// core ports, the campaign files, the event publisher and the disposable-domain list.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadDisposableDomains } from '../../adapters/disposable-domains.js';
import { DynamoConversionStore } from '../../adapters/dynamo/conversions.js';
import { LedgerStore, type LedgerStoreOptions } from '../../adapters/dynamo/ledger.js';
import type { ConversionDeps } from '../../core/conversions.js';
import type { CampaignRepository, EventPublisher } from '../../core/ports.js';

export interface ConversionWiring {
  doc: DynamoDBDocumentClient;
  tableName: string;
  campaigns: CampaignRepository;
  publisher: EventPublisher;
  ledger?: LedgerStoreOptions;
}

export function conversionDeps(w: ConversionWiring): ConversionDeps & { store: DynamoConversionStore; ledger: LedgerStore } {
  return {
    store: new DynamoConversionStore(w.doc, w.tableName),
    ledger: new LedgerStore(w.doc, w.tableName, w.ledger),
    campaigns: w.campaigns,
    publisher: w.publisher,
    disposableDomains: () => loadDisposableDomains(),
  };
}
