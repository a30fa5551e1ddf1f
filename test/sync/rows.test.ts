import { describe, expect, it } from 'vitest';
import { planLineOf, subscriptionRow } from '../../src/sync/rows.js';
import { subscriptionSchema } from '../../src/sync/chargebee-schema.js';
import { versionOf } from '../../src/sync/version.js';
import { sample } from '../support/events.js';

const stamp = { at: new Date(0), by: 'webhook' as const };

describe('plan lines', () => {
  it('reads PC 1.0 plan_id with its quantity and amount', () => {
    const sub = subscriptionSchema.parse((sample('subscription_created').content as Record<string, unknown>).subscription);
    expect(planLineOf(sub)).toEqual({ planId: 'test-company-custom-pro-plan', quantity: 1, amount: 960000 });
  });

  it('reads the PC 2.0 item whose item_type is plan, ignoring add-ons', () => {
    const sub = subscriptionSchema.parse(sample('subscription_pc2_object'));
    expect(planLineOf(sub)).toEqual({ planId: 'basic-USD', quantity: 1, amount: 1000 });
    expect(subscriptionRow(sub, false, stamp)).toMatchObject({ chargebee_plan_id: 'basic-USD', status: 'active', currency: 'USD', billing_period_unit: 'month' });
  });

  it('computes the amount from unit price and quantity when amount is absent', () => {
    const sub = subscriptionSchema.parse({ id: 's', customer_id: 'c', status: 'active', plan_id: 'p', plan_quantity: 3, plan_unit_price: 700 });
    expect(planLineOf(sub).amount).toBe(2100);
  });
});

describe('versionOf', () => {
  it('uses resource_version, else updated_at in milliseconds, else 0', () => {
    expect(versionOf({ resource_version: 1600447719572, updated_at: 1 })).toBe(1600447719572);
    expect(versionOf({ updated_at: 1470000000 })).toBe(1470000000000);
    expect(versionOf({})).toBe(0);
  });
});
