import { ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { formatTraceparent, parentOf, parseTraceparent, traceProperties } from './telemetry';

const T1 = '0af7651916cd43dd8448eb211c80319c';
const T2 = '4bf92f3577b34da6a3ce929d0e0e4736';
const S1 = 'b7ad6b7169203331';
const S2 = '00f067aa0ba902b7';

describe('W3C trace context', () => {
  it('parses a traceparent (and tracestate) into a remote span context, and formats it back', () => {
    const span = parseTraceparent(`00-${T1}-${S1}-01`, 'congo=t61rcWkgMzE');
    expect(span).toMatchObject({ traceId: T1, spanId: S1, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    expect(span!.traceState!.get('congo')).toBe('t61rcWkgMzE');
    expect(formatTraceparent(span!)).toBe(`00-${T1}-${S1}-01`);
  });

  it('ignores what is not a valid version-00 traceparent', () => {
    for (const bad of [undefined, 42, '', 'garbage', `01-${T1}-${S1}-01`, `00-${'0'.repeat(32)}-${S1}-01`, `00-${T1}-${'0'.repeat(16)}-01`, `00-${T1}-${S1}`]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
  });

  it('continues the carrier’s trace; nests under the host’s span of the same trace; links the host’s span of another', () => {
    const spanOf = (where: ReturnType<typeof parentOf>) => trace.getSpanContext(where.parent);
    // Only the message or header: its span is the parent.
    expect(spanOf(parentOf({ traceparent: `00-${T1}-${S1}-01` }))).toMatchObject({ traceId: T1, spanId: S1 });
    // Diagnostic-Id alone (a message sent by another Service Bus client) works too.
    expect(spanOf(parentOf({ diagnosticId: `00-${T1}-${S1}-01` }))).toMatchObject({ traceId: T1, spanId: S1 });
    // The host traced the invocation in the same trace: its span is the closer parent.
    expect(spanOf(parentOf({ traceparent: `00-${T1}-${S1}-01` }, { traceParent: `00-${T1}-${S2}-01` }))).toMatchObject({ traceId: T1, spanId: S2 });
    // The host's span is of another trace: the carrier's wins, the host's is a link.
    const both = parentOf({ traceparent: `00-${T1}-${S1}-01` }, { traceParent: `00-${T2}-${S2}-01` });
    expect(spanOf(both)).toMatchObject({ traceId: T1, spanId: S1 });
    expect(both.links).toEqual([{ context: expect.objectContaining({ traceId: T2, spanId: S2 }) }]);
    // Only the host: under its span. Neither: a new trace.
    expect(spanOf(parentOf({}, { traceParent: `00-${T2}-${S2}-01` }))).toMatchObject({ traceId: T2, spanId: S2 });
    expect(parentOf({}, { traceParent: null })).toEqual({ parent: ROOT_CONTEXT, links: [] });
  });

  it('sends nothing when no span is active (telemetry off)', () => {
    expect(traceProperties()).toEqual({});
    const context = trace.setSpanContext(ROOT_CONTEXT, parseTraceparent(`00-${T1}-${S1}-01`, 'a=1')!);
    expect(traceProperties(context)).toEqual({ traceparent: `00-${T1}-${S1}-01`, tracestate: 'a=1', 'Diagnostic-Id': `00-${T1}-${S1}-01` });
  });
});
