import { createHash } from 'node:crypto';
import type { RawNewsItem } from './data-source.port';

/**
 * A deterministic identity for a news item: the same code, date, title and text always give the same
 * id, whichever file or line they came from, so ingestion can drop repeats idempotently. The label
 * and origin are left out on purpose: they describe the item, they do not make it another item.
 */
export function newsItemId(item: Pick<RawNewsItem, 'code' | 'publishedDate' | 'title' | 'text'>): string {
  return createHash('sha256')
    .update(`${item.code}\u0000${item.publishedDate}\u0000${item.title ?? ''}\u0000${item.text}`, 'utf8')
    .digest('hex')
    .slice(0, 32);
}
