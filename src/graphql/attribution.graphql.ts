import { builder } from './builder.js';
import { Customer, customerColumns } from './customer.graphql.js';
import { defineLoader, groupBy, load } from './loader.js';
import { col } from './sql.js';

interface AttributionChangeRecord {
  customerId: string;
  field: string;
  oldValue: string | null;
  newValue: string | null;
  source: string;
  eventId: string | null;
  changedAt: Date;
}

const historyByCustomer = defineLoader<string, AttributionChangeRecord[]>({
  name: 'attributionHistoryByCustomer',
  missing: () => [],
  batch: async (customerIds, ctx) => {
    const rows = await ctx.db('attribution_change').select('*').whereIn('customer_id', [...customerIds]).orderBy('id') as Record<string, unknown>[];
    return groupBy(rows.map((r) => ({
      customerId: col.str(r.customer_id), field: col.str(r.field), oldValue: col.strOrNull(r.old_value), newValue: col.strOrNull(r.new_value),
      source: col.str(r.source), eventId: col.strOrNull(r.event_id), changedAt: col.date(r.changed_at),
    })), (c) => c.customerId);
  },
});

const AttributionChange = builder.objectRef<AttributionChangeRecord>('AttributionChange').implement({
  description: 'A change of a customer\'s customer key or partner key, and what caused it',
  fields: (t) => ({
    field: t.exposeString('field', { description: 'customer_key or partner_key' }),
    oldValue: t.exposeString('oldValue', { nullable: true }),
    newValue: t.exposeString('newValue', { nullable: true }),
    source: t.exposeString('source', { description: 'Where the new value was found: cf_partner_key, meta_data.*, signup, …' }),
    eventId: t.exposeString('eventId', { nullable: true, description: 'The Chargebee event that caused it, if any' }),
    changedAt: t.expose('changedAt', { type: 'DateTime' }),
  }),
});

customerColumns.field('attributionHistory', ['id']);
builder.objectField(Customer, 'attributionHistory', (t) => t.field({
  type: [AttributionChange],
  description: 'Attribution changes, oldest first',
  resolve: (c, _args, ctx) => load(ctx, historyByCustomer, c.id),
}));
