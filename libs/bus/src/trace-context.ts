/**
 * Trace context travels in message headers (W3C traceparent/tracestate through whatever propagator the
 * process registered with @opentelemetry/api). With no SDK registered every call here is a no-op, so
 * the bus costs nothing when tracing is off.
 */
import { ROOT_CONTEXT, context, propagation } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import type { BusMessage, Headers } from './bus.port';

/** Headers carrying the given (default: active) context; empty when no propagator is registered. */
export function traceHeaders(from: Context = context.active()): Headers {
  const carrier: Headers = {};
  propagation.inject(from, carrier);
  return carrier;
}

/**
 * The context a message was published in. Extracted onto the root context, not the consumer loop's
 * active one, so one message's trace never leaks into another's.
 */
export function traceContextOf(message: Pick<BusMessage, 'headers'>): Context {
  return propagation.extract(ROOT_CONTEXT, message.headers);
}

/** Runs `fn` inside the context carried by `message` (the handler's active context). */
export function withMessageContext<T>(message: Pick<BusMessage, 'headers'> | undefined, fn: () => T): T {
  if (message === undefined) return fn();
  return context.with(traceContextOf(message), fn);
}

/** Message headers with the trace headers added; headers the publisher set itself win. */
export function withTraceHeaders(headers: Headers | undefined, trace: Headers): Headers {
  return { ...trace, ...headers };
}
