/** Opaque keyset cursors and the list envelope. */
import type { ListPage } from '../../shared/api/common.js';
import { HttpError } from './errors.js';

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Decodes a cursor made by `encodeCursor`; anything else is a 400 naming `cursor`. */
export function decodeCursor<T>(cursor: string | undefined, check: (v: unknown) => v is T): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (check(value)) return value;
  } catch {
    /* falls through to the error */
  }
  throw new HttpError(400, 'invalid_parameter', 'cursor is not one this server issued', 'cursor');
}

/**
 * Builds a page from `limit + 1` fetched rows: the extra row only tells whether more exist.
 * `cursorOf` gives the keyset position of the last row returned.
 */
export function page<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  cursorOf: (row: Row) => unknown,
): ListPage<Item> {
  const hasMore = rows.length > limit;
  const kept = hasMore ? rows.slice(0, limit) : rows;
  const last = kept[kept.length - 1];
  return {
    object: 'list',
    data: kept.map(toItem),
    has_more: hasMore,
    next_cursor: hasMore && last !== undefined ? encodeCursor(cursorOf(last)) : null,
  };
}

export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
export const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length < 200;
