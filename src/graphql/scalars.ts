import { GraphQLError, Kind } from './graphql-js.js';
import { builder } from './builder.js';

import { toDate } from '../sync/db-helpers.js';

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : null;
  if (date === null || Number.isNaN(date.getTime())) {
    throw new GraphQLError('DateTime must be an ISO 8601 date-time such as 2024-05-01T12:00:00Z', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return date;
}

builder.scalarType('DateTime', {
  description: 'An instant as an ISO 8601 string in UTC, e.g. 2024-05-01T12:00:00.000Z',
  serialize: (value) => {
    const date = toDate(value);
    if (date === null) throw new GraphQLError('DateTime cannot represent this value');
    return date.toISOString();
  },
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : null),
});

builder.scalarType('JSON', {
  description: 'Arbitrary JSON as stored (webhook payloads, audit snapshots)',
  serialize: (value) => value,
  parseValue: (value) => value,
});

// GraphQL's Int is 32-bit: a partner's revenue in cents passes 2^31 at about 21 million dollars.
builder.scalarType('MinorUnits', {
  description: 'A whole number of a currency\'s minor units (e.g. cents), exact up to 2^53',
  serialize: (value) => {
    const n = typeof value === 'string' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new GraphQLError('MinorUnits cannot represent this value');
    return n;
  },
  parseValue: (value) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new GraphQLError('MinorUnits must be a whole number', { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return value;
  },
});

/** An amount of money in minor units (cents) with its ISO 4217 currency code. */
export interface Money {
  amount: number;
  currency: string;
}

export const MoneyRef = builder.objectRef<Money>('Money').implement({
  description: 'An amount in the currency\'s minor units (e.g. cents), as Chargebee reports it',
  fields: (t) => ({
    amount: t.expose('amount', { type: 'MinorUnits' }),
    currency: t.exposeString('currency'),
  }),
});

export function moneyOf(amount: number | null, currency: string | null): Money | null {
  return amount === null || currency === null ? null : { amount, currency };
}
