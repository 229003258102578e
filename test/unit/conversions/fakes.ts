// In-memory stand-ins for the conversion ports, with the same conditional-write semantics as the DynamoDB adapters.
import type { AdvocateRecord, ClaimOutcome, ClickRecord, CodeOwnerRecord, ConversionDeps, ConversionRecord, ConversionStore, LeadRecord, RefereeClaim, RewardLedger } from '../../../core/conversions.js';
import type { CampaignRepository } from '../../../core/ports.js';
import type { Campaign } from '../../../core/schemas/campaign.js';
import type { Ask, RewardQuote } from '../../../core/schemas/ask.js';
import type { ConversionResult } from '../../../core/schemas/conversion.js';
import type { HoldMarker, LedgerEntry, ParkedMarker, ReviewItem } from '../../../core/schemas/ledger.js';
import { MemoryPublisher } from '../../../adapters/eventbridge.js';

export class FakeStore implements ConversionStore {
  outcomes = new Map<string, ConversionResult>();
  codes = new Map<string, CodeOwnerRecord>();
  clicks = new Map<string, ClickRecord>();
  leadsByCode = new Map<string, LeadRecord[]>();
  advocates = new Map<string, AdvocateRecord>();
  years = new Map<string, number>();
  customersSince = new Map<string, string>();
  claims = new Map<string, RefereeClaim>();
  conversions = new Map<string, ConversionRecord>();
  counted = new Set<string>();

  async outcome(k: string) { return this.outcomes.get(k); }
  async saveOutcome(k: string, r: ConversionResult) { if (this.outcomes.has(k)) return false; this.outcomes.set(k, r); return true; }
  async codeOwner(code: string) { return this.codes.get(code); }
  async click(clickId: string, code?: string) { const c = this.clicks.get(clickId); return c && (!code || c.referralCode === code) ? c : undefined; }
  async leads(code: string) { return this.leadsByCode.get(code) ?? []; }
  async advocate(id: string) { const a = this.advocates.get(id); return a ? { ...a } : undefined; }
  quotes = new Map<string, RewardQuote>();
  reservations = new Map<string, number>();
  async ask(askId: string) { const q = this.quotes.get(askId); return { milestone: { years: this.years.get(askId) ?? 0 } as Ask['milestone'], ...(q ? { quote: q } : {}) }; }
  async consumeReservation(askId: string) { const r = this.reservations.get(askId) ?? 0; this.reservations.delete(askId); return r; }
  async existingCustomerSince(id: string) { return this.customersSince.get(id); }
  async claimReferee(claim: RefereeClaim): Promise<ClaimOutcome> {
    const idKey = `${claim.campaignId}#X#${claim.externalCustomerId}`;
    const held = this.claims.get(idKey);
    if (held && held.advocateId !== claim.advocateId) return { status: 'other_advocate', holder: held };
    if (claim.emailHash) {
      const byEmail = this.claims.get(`${claim.campaignId}#E#${claim.emailHash}`);
      if (byEmail && byEmail.externalCustomerId !== claim.externalCustomerId) return { status: 'other_person', holder: byEmail };
      if (!byEmail) this.claims.set(`${claim.campaignId}#E#${claim.emailHash}`, claim);
    }
    if (held) return { status: 'same_advocate' };
    this.claims.set(idKey, claim);
    return { status: 'claimed' };
  }
  async claimsOf(ext: string) { return [...this.claims.entries()].filter(([k]) => k.includes('#X#')).map(([, c]) => c).filter((c) => c.externalCustomerId === ext); }
  async putConversion(r: ConversionRecord) { if (this.conversions.has(r.conversionId + r.referralCode)) return false; this.conversions.set(r.conversionId + r.referralCode, r); return true; }
  async countSuccessfulReferral(advocateId: string, rewardId: string) {
    if (this.counted.has(rewardId)) return false;
    this.counted.add(rewardId);
    const a = this.advocates.get(advocateId);
    if (a) a.successfulReferrals += 1;
    return true;
  }
  async uncountSuccessfulReferral(advocateId: string, rewardId: string) {
    if (!this.counted.delete(rewardId)) return false;
    const a = this.advocates.get(advocateId);
    if (a) a.successfulReferrals -= 1;
    return true;
  }
}

export class FakeLedger implements RewardLedger {
  rows = new Map<string, LedgerEntry>();
  spent = new Map<string, number>();
  holds = new Map<string, HoldMarker>();
  reviews = new Map<string, ReviewItem>();
  parkedMarkers = new Map<string, ParkedMarker>();

  async append(e: LedgerEntry) { const k = `${e.advocateId}|${e.rewardId}|${e.seq}`; if (this.rows.has(k)) return false; this.rows.set(k, structuredClone(e)); return true; }
  async history(advocateId: string, rewardId: string) { return [...this.rows.values()].filter((e) => e.advocateId === advocateId && e.rewardId === rewardId).sort((a, b) => a.seq - b.seq); }
  async entries(advocateId: string) { return [...this.rows.values()].filter((e) => e.advocateId === advocateId); }
  async spend(c: string, a: number, budget: number) { const s = this.spent.get(c) ?? 0; if (s + (this.reserved.get(c) ?? 0) + a > budget) return false; this.spent.set(c, s + a); return true; }
  async release(c: string, a: number) { const s = this.spent.get(c) ?? 0; if (s >= a) this.spent.set(c, s - a); }
  overrun = new Map<string, number>();
  reserved = new Map<string, number>();
  conversionCount = new Map<string, number>();
  async spendPromised(c: string, a: number, budget: number) { const s = (this.spent.get(c) ?? 0) + a; this.spent.set(c, s); const o = Math.max(0, s - budget) - Math.max(0, s - a - budget); this.overrun.set(c, (this.overrun.get(c) ?? 0) + o); return o; }
  async unreserve(c: string, a: number) { this.reserved.set(c, (this.reserved.get(c) ?? 0) - a); }
  async countConversion(c: string) { this.conversionCount.set(c, (this.conversionCount.get(c) ?? 0) + 1); }
  async spentMinor(c: string) { return this.spent.get(c) ?? 0; }
  async putHold(m: HoldMarker) { this.holds.set(`${m.advocateId}|${m.rewardId}`, m); }
  async deleteHold(m: HoldMarker) { this.holds.delete(`${m.advocateId}|${m.rewardId}`); }
  async dueHolds(now: Date) { return [...this.holds.values()].filter((m) => Date.parse(m.holdUntil) <= now.getTime()); }
  async putParked(m: ParkedMarker) { this.parkedMarkers.set(`${m.campaignId}|${m.advocateId}|${m.rewardId}`, m); }
  async deleteParked(m: Pick<ParkedMarker, 'campaignId' | 'advocateId' | 'rewardId'>) { this.parkedMarkers.delete(`${m.campaignId}|${m.advocateId}|${m.rewardId}`); }
  async parked(campaignId: string) { return [...this.parkedMarkers.values()].filter((m) => m.campaignId === campaignId); }
  async putReview(i: ReviewItem) { this.reviews.set(i.conversionId, i); }
  async getReview(id: string) { return this.reviews.get(id); }
  async listReviews() { return [...this.reviews.values()]; }
  async deleteReview(id: string) { this.reviews.delete(id); }
}

export function fakeDeps(campaigns: Campaign[], extra: Partial<ConversionDeps> = {}) {
  const store = new FakeStore();
  const ledger = new FakeLedger();
  const publisher = new MemoryPublisher();
  const repo: CampaignRepository = { get: async (id) => campaigns.find((c) => c.id === id), list: async () => campaigns };
  const deps: ConversionDeps = { store, ledger, campaigns: repo, publisher, disposableDomains: new Set(['mailinator.com']), ...extra };
  return { deps, store, ledger, publisher };
}
