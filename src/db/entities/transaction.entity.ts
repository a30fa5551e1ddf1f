import { defineEntity, type InferEntity } from '@mikro-orm/core';
import type { SyncOrigin } from './common.js';

export const Transaction = defineEntity({
  name: 'Transaction',
  // `transaction` is an SQL keyword; a plain name keeps hand-written SQL simple.
  tableName: 'billing_transaction',
  properties: (p) => ({
    id: p.string().primary().length(100),
    customerId: p.string().nullable().index(),
    subscriptionId: p.string().nullable().index(),
    /** payment, refund, authorization, payment_reversal */
    type: p.string().index(),
    /** success, failure, voided, in_progress, timeout, needs_attention */
    status: p.string().index(),
    amount: p.bigint('number'),
    currency: p.string(),
    baseCurrency: p.string().nullable(),
    exchangeRate: p.double().nullable(),
    date: p.datetime().nullable().index(),
    invoiceIds: p.json<string[]>().nullable(),
    refundedTxnId: p.string().nullable(),
    resourceVersion: p.bigint('number'),
    deleted: p.boolean().default(false),
    syncedAt: p.datetime(),
    syncedBy: p.string().$type<SyncOrigin>(),
  }),
});

export type TransactionRow = InferEntity<typeof Transaction>;
