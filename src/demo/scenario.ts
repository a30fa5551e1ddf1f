import type { Emulator } from '../chargebee/emulator/index.js';

/**
 * The demo's story, written against the emulator: a small SaaS with PC 1.0 plans and a PC 2.0 item
 * price, customers referred through signups (meta_data.customer_key), through hosted-page custom
 * fields (cf_customer_id/cf_partner_key), and not at all; subscriptions, payments and a refund.
 */
export const demoSignups = [
  { customerKey: 'ck_ada', partnerKey: 'partner_blog', email: 'ada@example.com' },
  { customerKey: 'ck_grace', partnerKey: 'partner_blog', email: 'grace@example.com' },
  { customerKey: 'ck_linus', partnerKey: 'partner_agency', email: 'linus@example.com' },
];

export const demoMappings = [
  { chargebeePlanId: 'starter-monthly', planKey: 'starter', displayName: 'Starter' },
  { chargebeePlanId: 'pro-monthly', planKey: 'pro', displayName: 'Pro (monthly)' },
  { chargebeePlanId: 'pro-yearly', planKey: 'pro', displayName: 'Pro (yearly)' },
  // team-USD-monthly is left unmapped on purpose: it shows up in unmappedPlans.
];

const people = [
  { id: 'cust_ada', first: 'Ada', last: 'Lovelace', meta: { customer_key: 'ck_ada' }, plan: 'pro-monthly' },
  { id: 'cust_grace', first: 'Grace', last: 'Hopper', meta: { customer_key: 'ck_grace' }, plan: 'pro-yearly' },
  { id: 'cust_linus', first: 'Linus', last: 'Torvalds', meta: { customer_key: 'ck_linus' }, plan: 'starter-monthly' },
  { id: 'cust_margaret', first: 'Margaret', last: 'Hamilton', cf: { cf_customer_id: 'ck_margaret', cf_partner_key: 'partner_podcast' }, plan: 'team-USD-monthly' },
  { id: 'cust_alan', first: 'Alan', last: 'Turing', cf: { cf_customer_id: 'ck_alan', cf_partner_key: 'partner_podcast' }, plan: 'pro-monthly' },
  { id: 'cust_barbara', first: 'Barbara', last: 'Liskov', plan: 'starter-monthly' },
  { id: 'cust_ken', first: 'Ken', last: 'Thompson', plan: 'team-USD-monthly' },
  { id: 'cust_edsger', first: 'Edsger', last: 'Dijkstra', meta: { customer_key: 'ck_edsger' }, plan: 'pro-monthly' },
];

export function seedDemo(emu: Emulator): void {
  emu.plans.create({ id: 'starter-monthly', name: 'Starter', price: 1900, period: 1, period_unit: 'month', currency_code: 'USD' });
  emu.plans.create({ id: 'pro-monthly', name: 'Pro', price: 4900, period: 1, period_unit: 'month', currency_code: 'USD' });
  emu.plans.create({ id: 'pro-yearly', name: 'Pro yearly', price: 49000, period: 1, period_unit: 'year', currency_code: 'USD' });
  emu.itemPrices.create({ id: 'team-USD-monthly', item_id: 'team', name: 'Team', item_type: 'plan', price: 9900, period: 1, period_unit: 'month', currency_code: 'USD' });

  for (const [i, p] of people.entries()) {
    emu.customers.create({
      id: p.id, first_name: p.first, last_name: p.last, email: `${p.first.toLowerCase()}@example.com`,
      ...(p.meta ? { meta_data: p.meta } : {}), ...(p.cf ?? {}),
    });
    const subscription = p.plan.startsWith('team-')
      ? emu.subscriptions.create({ id: `sub_${p.id.slice(5)}`, customer_id: p.id, subscription_items: [{ item_price_id: p.plan, item_type: 'plan', quantity: 3 }] })
      : emu.subscriptions.create({ id: `sub_${p.id.slice(5)}`, customer_id: p.id, plan_id: p.plan });
    const amount = Number(subscription.plan_amount ?? subscription.mrr ?? 1900) || 1900;
    emu.transactions.create({ id: `txn_${i + 1}`, customer_id: p.id, subscription_id: subscription.id, amount, currency_code: 'USD', type: 'payment', status: 'success' });
  }
  emu.subscriptions.cancel('sub_barbara');
  emu.transactions.refund('txn_2', { amount: 10000 });
}
