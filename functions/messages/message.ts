/** The trigger may hand over the body parsed, as a string or as bytes, depending on content type. */
export function asMessageBody(message: unknown): unknown {
  if (Buffer.isBuffer(message)) return JSON.parse(message.toString('utf8'));
  if (typeof message === 'string') return JSON.parse(message);
  return message;
}
