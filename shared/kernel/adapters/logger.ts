import type { Logger, LogLevel } from '../ports';

const ORDER: Record<LogLevel | 'silent', number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };
// Defence in depth: callers log ids only, but a field with one of these names is never written.
const REDACTED = /^(email|phone|value|apiKey|x-api-key|key|secret|code|codes|coupons|pin|identifiers|authorization|token)$/i;

export type LogSink = (level: LogLevel, line: string) => void;

/** JSON-lines logging with bound fields (invocation id, tenant id, ...). */
export function createLogger(sink: LogSink, minLevel: LogLevel | 'silent', fields: Record<string, unknown> = {}): Logger {
  return {
    log(level, message, extra = {}) {
      if (ORDER[level] < ORDER[minLevel]) return;
      const entry: Record<string, unknown> = { time: new Date().toISOString(), level, message };
      for (const [k, v] of Object.entries({ ...fields, ...extra })) entry[k] = REDACTED.test(k) ? '[redacted]' : v;
      sink(level, JSON.stringify(entry));
    },
    child(more) {
      return createLogger(sink, minLevel, { ...fields, ...more });
    },
  };
}

export const consoleSink: LogSink = (level, line) => (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(`${line}\n`);
