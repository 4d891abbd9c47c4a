/**
 * A readiness check asked at most once per `ttlMs`, however many probes or attackers ask: every
 * caller in that time shares the one answer (and the one check in flight).
 */
export function cachedReadiness(check: () => Promise<Record<string, boolean>>, ttlMs: number): () => Promise<Record<string, boolean>> {
  let cached: { at: number; answer: Promise<Record<string, boolean>> } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || now - cached.at >= ttlMs) cached = { at: now, answer: check() };
    return cached.answer;
  };
}
