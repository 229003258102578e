// Conditional writes are how every write path stays idempotent (deterministic keys + attribute_not_exists, guarded
// updates). Losing the condition is an answer ("somebody already did it"), not a failure: these two helpers say so.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** Whether a DynamoDB call failed only because its ConditionExpression did not hold. */
export function isConditionFailed(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException || (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException'
  );
}

/** Run a conditional write: true when it was applied, false when its condition did not hold; other errors throw. */
export async function conditionHolds(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}
