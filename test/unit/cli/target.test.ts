// The target switch of the data commands: `--target local` (default) or `--target aws --stack <name>`.
import { describe, expect, it } from 'vitest';
import { run } from '../../../cli/main.js';
import { busNameOf, isAwsTarget } from '../../../cli/target.js';

describe('--target', () => {
  it('is local unless asked otherwise; aws needs --stack; anything else is a usage error', () => {
    expect(isAwsTarget({})).toBe(false);
    expect(isAwsTarget({ target: 'local' })).toBe(false);
    expect(() => isAwsTarget({ target: 'aws' })).toThrow(/--stack/);
    expect(() => isAwsTarget({ target: 'azure' })).toThrow(/local or aws/);
  });

  it('answers exit code 2 with one line for a wrong target', async () => {
    const wrong = await run(['plan', 'signup-anniversary', '--date', '2026-06-09', '--target', 'azure']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/--target: local or aws/);
    const noStack = await run(['review', '--target', 'aws']);
    expect(noStack.code).toBe(2);
    expect(noStack.stderr).toMatch(/--target aws needs --stack/);
  });

  it('is offered by every data command', async () => {
    for (const command of [['import'], ['plan'], ['run'], ['customer', 'show'], ['review'], ['rewards']]) {
      const help = await run([...command, '--help']);
      expect(help.stdout, command.join(' ')).toMatch(/--target <target>[\s\S]*--stack <name>[\s\S]*--region[\s\S]*--profile/);
    }
  });

  it('finds the bus name in an ARN output when the name output is not a name', () => {
    expect(busNameOf({ EventBusName: 'referral-asks' })).toBe('referral-asks');
    expect(busNameOf({ EventBusName: '<moto.events.models.EventBus object at 0x1>', EventBusArn: 'arn:aws:events:eu-west-1:1:event-bus/referral-asks' })).toBe('referral-asks');
    expect(busNameOf({ EventBusName: '<x object>' })).toBeUndefined();
  });
});
