// start-run: deterministic execution names, and a second start of the same run is not an error.
import { describe, expect, it } from 'vitest';
import { executionName, startRun } from '../../../functions/schedule/start-run.js';

describe('executionName', () => {
  it('is <campaign>-<YYYYMMDD>T<HH>', () => {
    expect(executionName({ campaignId: 'signup-anniversary', at: '2026-11-24T10:00:00Z', mode: 'hour' })).toBe('signup-anniversary-20261124T10');
  });
});

describe('startRun', () => {
  it('returns started: false when the execution already exists', async () => {
    // Prepare
    const send = async () => {
      throw Object.assign(new Error('exists'), { name: 'ExecutionAlreadyExists' });
    };
    // Act
    const out = await startRun({ campaignId: 'c1', at: '2026-11-24T10:00:00Z', mode: 'hour' }, { send, stateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:x' });
    // Assess
    expect(out).toEqual({ started: false, name: 'c1-20261124T10' });
  });
  it('rethrows other errors', async () => {
    const send = async () => {
      throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
    };
    await expect(startRun({ campaignId: 'c1', at: '2026-11-24T10:00:00Z', mode: 'hour' }, { send, stateMachineArn: 'arn' })).rejects.toThrow('denied');
  });
});
