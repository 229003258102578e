// STUB: replaced by the owning area's real handler.
export const handler = async (): Promise<never> => {
  throw new Error('not implemented');
};
