// Every key builder and index name of the one table, in one module. Adapters, handlers, the local runtime, the bench
// and tests import keys from here only; nothing else spells `C#`, `R#`, `GSI1`... Add new item kinds here.
//
// Item kinds by partition:
//   C#<customerId>            PROFILE, ASK#<occurrenceId>, CODE#<campaignId>, MS#<kind>#<threshold>, ACT#<activityId>,
//                             INBOX#<askId>, SEND#<askId>#<channel>, CONSENT#<at>#<channel>#<source>#<rand>,
//                             SUBJECT (subject id of an id without a profile)
//   R#<code>                  CODE (owner), CLICK#<clickId>, SHARE#<at>#<network>#<id>, LEAD#<leadId>,
//                             CONV#<type>#<conversionId>
//   LEAD#<campaignId>         LEAD#<leadId> (signups without a code)
//   S#<address>               SUPPRESSION            P#<phone>          PHONE          M#<email>   EMAIL
//   S#H#<keyed hash>          SUPPRESSION (an erased person's opt-out)  ERASED#<pseudonym>  RECEIPT, CONSENT#…
//   L#<advocateId>            <rewardId>#<seq>       LC#<campaignId>    ledger by campaign
//   HOLD#<day>                <holdUntil>#<advocate>#<reward>           OVER#<campaignId>  <advocate>#<reward>
//   BUDGET#<campaignId>       BUDGET                 IDEM#<key>         CONVERSION
//   REF#<campaign>#X#<ext>    REFEREE                REF#<campaign>#E#<hash>  REFEREE
//   RUN#<campaignId>          <runDate>#<runId>#<executionId> (one per execution)   RATE#<name>#<sec>  RATE
//   PROG#<campaignId>         <hour>#<index>#<partition> (hour-mode partition progress), <hour>#@fired (a run planned the hour)
//   DUECUR#<campaignId>       CURSOR (`fromHour`: the oldest due-asks hour a run may still find work in)
//   RUNJ#<campaignId>         <executionId>#<batchId> (journal of a batch in progress: its asks; deleted when counted)
//   META                      PARTITIONS             REVIEW             (ledger review queue)
//                             HOLDS (the oldest hold day that may still hold a marker: where the approver reads from)
// DueAsks (sparse): askDueHour = <campaignId>#<YYYY-MM-DDTHH> on deferred asks and on claims (at the end of the lease).
// GSI1: ASKS#<campaignId> (asks), K#<clickId> (clicks), XC#<externalId> (referee claims), X#<externalId> (conversions),
//       LE#<keyed email hash> (leads, so an erasure finds a friend's signups).
import type { ConversionType } from '../../core/schemas/conversion.js';
import { normalizeAddress } from '../../core/suppression.js';
import { addressHash } from '../../core/privacy.js';
import type { Keyring } from '../../core/ports.js';

export type TableKey = { PK: string; SK: string };

// ---- Index names -------------------------------------------------------------------------------------------------
export const INDEX = {
  dueSignup: 'DueSignup',
  dueFirstPurchase: 'DueFirstPurchase',
  dueBirthday: 'DueBirthday',
  dueRenewal: 'DueRenewal',
  pending: 'PendingMilestones',
  gsi1: 'GSI1',
  dueAsks: 'DueAsks',
} as const;
export const PENDING_INDEX = INDEX.pending;
export const GSI1_INDEX = INDEX.gsi1;

// ---- Customers -----------------------------------------------------------------------------------------------------
export const customerPk = (customerId: string): string => `C#${customerId}`;
export const PROFILE_SK = 'PROFILE';
export const profileKey = (customerId: string): TableKey => ({ PK: customerPk(customerId), SK: PROFILE_SK });
export const META_PK = 'META';
export const PARTITIONS_SK = 'PARTITIONS';
export const PHONE_SK = 'PHONE';
export const phonePointerKey = (phone: string): TableKey => ({ PK: `P#${normalizeAddress(phone)}`, SK: PHONE_SK });
export const EMAIL_SK = 'EMAIL';
/** Email -> customer pointer: `asks customer erase <email>` finds the customer with one GetItem. */
export const emailPointerKey = (email: string): TableKey => ({ PK: `M#${normalizeAddress(email)}`, SK: EMAIL_SK });
/** The subject id of an id that has no profile (a referred friend known by the sender's id). */
export const SUBJECT_SK = 'SUBJECT';
export const subjectKey = (customerId: string): TableKey => ({ PK: customerPk(customerId), SK: SUBJECT_SK });
/** Consent ledger entries of a customer. */
export const CONSENT_PREFIX = 'CONSENT#';
export const consentSk = (at: string, channel: string, source: string, nonce: string): string => `${CONSENT_PREFIX}${at}#${channel}#${source}#${nonce}`;

// ---- Asks, sends, inbox ------------------------------------------------------------------------------------------
export const askSk = (occurrenceId: string): string => `ASK#${occurrenceId}`;
export const askKey = (customerId: string, occurrenceId: string): TableKey => ({ PK: customerPk(customerId), SK: askSk(occurrenceId) });
/** GSI1 partition of a campaign's asks. */
export const asksByCampaignGsi = (campaignId: string): string => `ASKS#${campaignId}`;
/** The send marker of an ask on a channel, written just before the provider is called (adapters/channels/idempotent.ts). */
export const sendMarkerSk = (askId: string, channel: string): string => `SEND#${askId}#${channel}`;
export const sendMarkerKey = (m: { customerId: string; askId: string; channel: string }): TableKey => ({ PK: customerPk(m.customerId), SK: sendMarkerSk(m.askId, m.channel) });

/** The UTC hour bucket of an ISO-8601 instant, `YYYY-MM-DDTHH`. */
export const hourBucket = (instant: string): string => instant.slice(0, 13);
/**
 * Sparse index of asks that need a run at a given hour: deferred asks (at `deferredUntil`) and claims (at the end of
 * their lease, so a claim whose worker died is settled by a later run). Removed once the ask is decided for good.
 */
export const DUE_ASKS_INDEX = INDEX.dueAsks;
export const DUE_ASKS_ATTRIBUTE = 'askDueHour';
export const dueAskPartition = (campaignId: string, hour: string): string => `${campaignId}#${hour}`;
export const INBOX_PREFIX = 'INBOX#';
export const inboxKey = (customerId: string, askId: string): TableKey => ({ PK: customerPk(customerId), SK: `${INBOX_PREFIX}${askId}` });

// ---- Suppressions ------------------------------------------------------------------------------------------------
export const SUPPRESSION_SK = 'SUPPRESSION';
export const suppressionPk = (address: string): string => `S#${normalizeAddress(address)}`;
export const suppressionKey = (address: string): TableKey => ({ PK: suppressionPk(address), SK: SUPPRESSION_SK });
/** Prefix of suppressions kept only as a keyed hash of the address (core/privacy.ts hashedSuppressionPk builds them). */
export { HASHED_SUPPRESSION_PREFIX } from '../../core/privacy.js';

// ---- Erasure -----------------------------------------------------------------------------------------------------
export const erasedPk = (pseudonym: string): string => `ERASED#${pseudonym}`;
/** Proof that (and when) a person was erased, without saying who. */
export const receiptKey = (pseudonym: string): TableKey => ({ PK: erasedPk(pseudonym), SK: 'RECEIPT' });

// ---- Milestones --------------------------------------------------------------------------------------------------
export const milestoneSk = (kind: string, threshold: string): string => `MS#${kind}#${threshold}`;
export const activitySk = (activityId: string): string => `ACT#${activityId}`;

// ---- Referral codes and their activity (clicks, shares, leads, conversions) ---------------------------------------
export const codePk = (code: string): string => `R#${code}`;
export const CODE_SK = 'CODE';
export const codeKey = (code: string): TableKey => ({ PK: codePk(code), SK: CODE_SK });
export const codePointerSk = (campaignId: string): string => `CODE#${campaignId}`;
export const CLICK_PREFIX = 'CLICK#';
export const SHARE_PREFIX = 'SHARE#';
export const LEAD_PREFIX = 'LEAD#';
export const CONVERSION_PREFIX = 'CONV#';
export const clickSk = (clickId: string): string => `${CLICK_PREFIX}${clickId}`;
/** GSI1 partition that finds a click by its id (the conversion lookup). */
export const clickIndexKey = (clickId: string): string => `K#${clickId}`;
export const shareSk = (at: string, network: string, id: string): string => `${SHARE_PREFIX}${at}#${network}#${id}`;
export const leadSk = (leadId: string): string => `${LEAD_PREFIX}${leadId}`;
/** Partition of a lead: its code's, or the campaign's when the signup came without one. */
export const leadPk = (code: string | undefined, campaignId: string): string => (code ? codePk(code) : `${LEAD_PREFIX}${campaignId}`);
/** GSI1 partition of the leads left with one email address: `LE#<keyed hash>`, so an erasure finds a friend's leads. */
export const leadByEmailGsi = (emailHash: string): string => `LE#${emailHash}`;
export const leadIndexKey = (email: string, keyring: Keyring): string => leadByEmailGsi(addressHash(email, keyring));
export const conversionSk = (type: ConversionType, conversionId: string): string => `${CONVERSION_PREFIX}${type}#${conversionId}`;
export const conversionByCustomerGsi = (externalCustomerId: string): string => `X#${externalCustomerId}`;
export const conversionByCustomerGsiSk = (occurredAt: string, conversionId: string): string => `${CONVERSION_PREFIX}${occurredAt}#${conversionId}`;

// ---- Conversions: idempotency and referee claims -----------------------------------------------------------------
export const outcomeKey = (idempotencyKey: string): TableKey => ({ PK: `IDEM#${idempotencyKey}`, SK: 'CONVERSION' });
export const claimKeys = (campaignId: string, externalCustomerId: string, emailHash?: string) => ({
  byCustomer: { PK: `REF#${campaignId}#X#${externalCustomerId}`, SK: 'REFEREE' },
  ...(emailHash ? { byEmail: { PK: `REF#${campaignId}#E#${emailHash}`, SK: 'REFEREE' } } : {}),
});
export const claimByCustomerGsi = (externalCustomerId: string): string => `XC#${externalCustomerId}`;

// ---- Ledger and budget -------------------------------------------------------------------------------------------
export const ledgerPk = (advocateId: string): string => `L#${advocateId}`;
export const ledgerSk = (rewardId: string, seq: number): string => `${rewardId}#${String(seq).padStart(4, '0')}`;
export const ledgerCampaignPk = (campaignId: string): string => `LC#${campaignId}`;
export const holdPk = (holdUntil: string): string => `HOLD#${holdUntil.slice(0, 10)}`;
export const holdSk = (m: { holdUntil: string; advocateId: string; rewardId: string }): string => `${m.holdUntil}#${m.advocateId}#${m.rewardId}`;
/**
 * `META` / `HOLDS`: `oldestDay`, the oldest `HOLD#<day>` that may still hold a marker. A hold lowers it; the approver
 * reads every day from it to today (however long it did not run) and moves it up past the days it emptied.
 */
export const holdCursorKey = (): TableKey => ({ PK: META_PK, SK: 'HOLDS' });
export const parkedPk = (campaignId: string): string => `OVER#${campaignId}`;
export const parkedKey = (m: { campaignId: string; advocateId: string; rewardId: string }): TableKey => ({ PK: parkedPk(m.campaignId), SK: `${m.advocateId}#${m.rewardId}` });
export const REVIEW_PK = 'REVIEW';
export const budgetKey = (campaignId: string): TableKey => ({ PK: `BUDGET#${campaignId}`, SK: 'BUDGET' });

// ---- Runs and rate limits ----------------------------------------------------------------------------------------
export const runPk = (campaignId: string): string => `RUN#${campaignId}`;
/** One run record per execution: `<runDate>#<runId>#<executionId>` (records without an execution id predate it). */
export const runSk = (runDate: string, runId: string, executionId?: string): string => `${runDate}#${runId}${executionId ? `#${executionId}` : ''}`;
export const runKey = (campaignId: string, runDate: string, runId: string, executionId?: string): TableKey => ({ PK: runPk(campaignId), SK: runSk(runDate, runId, executionId) });

/**
 * `RUNJ#<campaignId>` / `<executionId>#<batchId>`: the journal of a batch in progress (the asks it handles), written
 * before its first claim and deleted once its counts are on the run record; a journal left behind is a batch whose
 * process died, counted later from its asks (adapters/dynamo/runs.ts `reconcile`).
 */
export const runJournalPk = (campaignId: string): string => `RUNJ#${campaignId}`;
export const runJournalKey = (campaignId: string, executionId: string, batchId: string): TableKey => ({ PK: runJournalPk(campaignId), SK: `${executionId}#${batchId}` });

// ---- Partition progress of hour-mode runs ------------------------------------------------------------------------
/** `PROG#<campaignId>` / `<hour the partition was planned>#<index>#<partition>`: status open|done and the cursor. */
export const progressPk = (campaignId: string): string => `PROG#${campaignId}`;
export const progressSk = (hour: string, index: string, partition: string): string => `${hour}#${index}#${partition}`;
/** The marker that a run planned `hour` (its partitions may be none); `@` sorts before every index name. */
export const progressFiredSk = (hour: string): string => `${hour}#@fired`;
/**
 * `DUECUR#<campaignId>` / `CURSOR`: `fromHour`, the oldest hour bucket of the due-asks index a run may still find work
 * in. A run reads from it (or from its lookback, if older) and, having read every bucket up to its hour, moves it there.
 */
export const dueAsksCursorKey = (campaignId: string): TableKey => ({ PK: `DUECUR#${campaignId}`, SK: 'CURSOR' });
export const rateKey = (name: string, second: number): TableKey => ({ PK: `RATE#${name}#${second}`, SK: 'RATE' });

// ---- Short links (SMS) -------------------------------------------------------------------------------------------
/** `/k/<id>` on the public domain resolves to the share page of one ask (the SMS carries this, not the long token). */
export const shortLinkKey = (id: string): TableKey => ({ PK: `T#${id}`, SK: 'LINK' });
