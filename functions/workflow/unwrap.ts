// The lambda:invoke envelope: the local interpreter passes `{ FunctionName, Payload }`, a direct invoke the payload.

/** The payload inside a `{ FunctionName, Payload }` / `{ Payload }` envelope, or the event itself. */
export function unwrap(event: unknown): unknown {
  if (event && typeof event === 'object' && 'Payload' in event) return (event as { Payload: unknown }).Payload;
  return event;
}
