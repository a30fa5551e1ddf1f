/**
 * Makes decoded JSON storable on every engine: PostgreSQL's text and jsonb refuse U+0000 and
 * unpaired UTF-16 surrogates, which JSON may legally carry. Both become U+FFFD, in keys and values.
 * Objects are copied only where something changed.
 */
const pattern = '\\u0000|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const hasUnstorable = new RegExp(pattern);
const allUnstorable = new RegExp(pattern, 'g');

function cleanString(value: string): string {
  return hasUnstorable.test(value) ? value.replace(allUnstorable, '\ufffd') : value;
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
    let changed = false;
    const entries = Object.entries(value).map(([k, v]) => {
      const key = cleanString(k);
      const cleaned = cleanJson(v);
      if (key !== k || cleaned !== v) changed = true;
      return [key, cleaned] as const;
    });
    return changed ? Object.fromEntries(entries) : value;
  }
  return value;
}
