/** One spell of an instrument in a universe, both ends included (YYYY-MM-DD). */
export interface MembershipSpan {
  code: string;
  start: string;
  end: string;
}

/** First index of sorted `values` not below `key`. */
function lowerBound(values: readonly string[], key: string): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((values[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Point-in-time members of each of the ascending `sessions`, from membership spans: what one read of
 * a universe's spans gives instead of one point-in-time query per session.
 */
export function sessionMembership(spans: readonly MembershipSpan[], sessions: readonly string[]): Array<Set<string>> {
  const members = sessions.map(() => new Set<string>());
  for (const span of spans) {
    for (let d = lowerBound(sessions, span.start); d < sessions.length && (sessions[d] as string) <= span.end; d++) (members[d] as Set<string>).add(span.code);
  }
  return members;
}
