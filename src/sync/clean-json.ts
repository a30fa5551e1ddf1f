/**
 * Makes decoded JSON storable on every engine: PostgreSQL's text and jsonb refuse U+0000 and
 * unpaired UTF-16 surrogates, which JSON may legally carry. Both become U+FFFD, in keys and values.
 * Objects are copied only where something changed.
 */
const pattern = '\\u0000|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const allUnstorable = new RegExp(pattern, 'g');
// Cheap first test (no lookaround): almost every string has no NUL and no surrogate at all.
const mayBeUnstorable = /[\u0000\ud800-\udfff]/;

function cleanString(value: string): string {
  return mayBeUnstorable.test(value) ? value.replace(allUnstorable, '\ufffd') : value;
}

export function cleanJson(value: unknown): unknown {
  if (typeof value === 'string') return cleanString(value);
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    value.forEach((item, i) => {
      const cleaned = cleanJson(item);
      if (cleaned !== item) (copy ??= [...value])[i] = cleaned;
    });
    return copy ?? value;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const k of Object.keys(record)) {
      const v = record[k];
      if (cleanString(k) !== k || cleanJson(v) !== v) return cleanObject(record);
    }
    return value;
  }
  return value;
}

/** The copying path, taken only for an object that holds something to replace. */
function cleanObject(record: Record<string, unknown>): Record<string, unknown> {
  // fromEntries, not assignment: a "__proto__" key stays a plain key.
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [cleanString(k), cleanJson(v)]));
}
