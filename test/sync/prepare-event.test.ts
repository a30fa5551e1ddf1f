import { describe, expect, it } from 'vitest';
import { parseEnvelope, prepareEvent } from '../../src/sync/ingest.js';
import { customer, envelope } from '../support/events.js';

/** prepareEvent: what the inbox stores for a webhook body, and the shortcut for text that needs no cleaning. */
const fromText = (text: string) => {
  const payload: unknown = JSON.parse(text);
  return prepareEvent({ event: parseEnvelope(payload), payload, payloadText: text });
};

describe('prepareEvent', () => {
  it('stores clean text as received, and reads the resources from it', () => {
    const text = JSON.stringify(envelope('customer_created', { customer: customer('c_1', 1_700_000_000_000, { company: 'Zoë 🚀' }) }));
    const prepared = fromText(text);
    expect(prepared.payloadText).toBe(text);
    expect(prepared.status).toBe('applied');
    expect(prepared.set?.customers[0]?.data).toMatchObject({ id: 'c_1', company: 'Zoë 🚀' });
  });

  it.each([
    ['an escaped U+0000', 'a\\u0000b', 'a\ufffdb'],
    ['an escaped lone high surrogate', 'a\\ud800b', 'a\ufffdb'],
    ['an escaped lone low surrogate (upper case)', 'a\\uDC00b', 'a\ufffdb'],
  ])('replaces %s, in the stored text and in the resources', (_label, escaped, cleaned) => {
    const text = JSON.stringify(envelope('customer_created', { customer: customer('c_2', 1_700_000_000_000, { company: 'X' }) }))
      .replace('"company":"X"', `"company":"${escaped}"`);
    const prepared = fromText(text);
    expect(prepared.payloadText).not.toBe(text);
    expect((JSON.parse(prepared.payloadText) as { content: { customer: { company: string } } }).content.customer.company).toBe(cleaned);
    expect(prepared.set?.customers[0]?.data.company).toBe(cleaned);
  });

  it('takes an escaped backslash before u0000 for what it is: text, kept as is', () => {
    const text = JSON.stringify(envelope('customer_created', { customer: customer('c_3', 1_700_000_000_000, { company: '\\u0000' }) }));
    expect(text).toContain('\\\\u0000');
    const prepared = fromText(text);
    expect(JSON.parse(prepared.payloadText)).toEqual(JSON.parse(text));
    expect(prepared.set?.customers[0]?.data.company).toBe('\\u0000');
  });

  it('cleans an event that comes without its text (API pulls)', () => {
    const event = parseEnvelope(envelope('customer_created', { customer: customer('c_4', 1_700_000_000_000, { company: 'a\u0000b' }) }));
    const prepared = prepareEvent({ event, payload: event });
    expect(prepared.payloadText).toContain('a\ufffdb');
    expect(prepared.set?.customers[0]?.data.company).toBe('a\ufffdb');
  });
});
