import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo/run-demo.js';

describe('npm run demo', () => {
  it('loses events to dropped webhooks, repairs them with a reconcile, and shuts down cleanly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cbs-demo-'));
    const lines: string[] = [];
    const demo = await runDemo({ port: 0, databasePath: join(dir, 'demo.sqlite'), print: (line) => lines.push(line) });
    try {
      expect(demo.delivered.dropped).toBeGreaterThan(0);
      expect(demo.afterWebhooks).not.toEqual(demo.chargebee);
      expect(demo.afterReconcile).toEqual(demo.chargebee);
      expect(demo.run.status).toBe('succeeded');
      expect(Object.values(demo.run.repairs).reduce((a, b) => a + (b ?? 0), 0)).toBeGreaterThan(0);
      const res = await fetch(`${demo.app.url}/graphql`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ customerByKey(customerKey: "ck_linus") { partner { partnerKey } } unmappedPlans { chargebeePlanId } }' }),
      });
      const body = (await res.json()) as { data: { customerByKey: { partner: { partnerKey: string } | null }; unmappedPlans: { chargebeePlanId: string }[] } };
      // ck_linus signed up after Chargebee knew the customer: the signup still attributes it.
      expect(body.data.customerByKey.partner?.partnerKey).toBe('partner_agency');
      expect(body.data.unmappedPlans.map((p) => p.chargebeePlanId)).toContain('team-USD-monthly');
      expect(lines.join('\n')).toMatch(/after reconcile: 8\/8 customers/);
    } finally {
      await demo.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
