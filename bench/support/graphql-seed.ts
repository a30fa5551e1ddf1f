import pg from 'pg';
import Database from 'better-sqlite3';

/**
 * Set-based seeding for the GraphQL read bench: customers, subscriptions, transactions and plan
 * mappings written straight into the service's (already migrated) tables with generate_series /
 * a recursive CTE, in seconds rather than through webhooks. Deterministic: row i is a function of i.
 *
 * - customers `cus_0000001…`: 80% with a partner key (500 partners), 1% deleted;
 * - subscriptions `sub_0000001…`: customer (j-1) mod customers + 1 (1.5 per customer at 100k/150k),
 *   status 70% active / 10% in_trial / 15% cancelled / 5% non_renewing, plans basic-USD and
 *   pro-USD-yearly (mapped to basic / pro) and legacy-plan (unmapped), 2% deleted;
 * - transactions `txn_0000001…`: customer (k-1) mod customers + 1, 95% payments / 5% refunds,
 *   10% EUR, 97% success.
 */
export interface SeedSizes {
  customers: number;
  subscriptions: number;
  transactions: number;
}

export async function seedPostgres(url: string, sizes: SeedSizes): Promise<number> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`insert into plan_mapping (chargebee_plan_id, plan_key, display_name, created_at, updated_at) values
      ('basic-USD', 'basic', 'Basic', now(), now()), ('pro-USD-yearly', 'pro', 'Pro', now(), now())`);
    await client.query(`insert into customer (id, customer_key, customer_key_source, customer_key_version, partner_key, partner_key_source,
        partner_key_version, email, first_name, last_name, company, chargebee_created_at, chargebee_updated_at, resource_version, deleted, synced_at, synced_by)
      select 'cus_' || lpad(i::text, 7, '0'), 'ck_' || i, 'custom_field', 1,
        case when i % 5 <> 0 then 'partner_' || lpad((i % 500)::text, 3, '0') end, case when i % 5 <> 0 then 'custom_field' end, case when i % 5 <> 0 then 1 end,
        'user' || i || '@example.com', 'First' || i, 'Last' || i, 'Company ' || (i % 997),
        now() - make_interval(secs => i * 60), now() - make_interval(secs => i * 30), 1700000000000 + i, i % 100 = 0, now(), 'webhook'
      from generate_series(1, $1::int) i`, [sizes.customers]);
    await client.query(`insert into subscription (id, customer_id, chargebee_plan_id, plan_key, status, currency, plan_amount, mrr, quantity,
        billing_period, billing_period_unit, started_at, current_term_start, current_term_end, chargebee_created_at, chargebee_updated_at,
        resource_version, deleted, synced_at, synced_by)
      select 'sub_' || lpad(j::text, 7, '0'), 'cus_' || lpad((((j - 1) % $2::int) + 1)::text, 7, '0'),
        (array['legacy-plan', 'basic-USD', 'pro-USD-yearly'])[j % 3 + 1], (array[null, 'basic', 'pro'])[j % 3 + 1],
        case when j % 20 < 14 then 'active' when j % 20 < 16 then 'in_trial' when j % 20 < 19 then 'cancelled' else 'non_renewing' end,
        'USD', 1000 + (j % 7) * 1000, 1000 + (j % 7) * 1000, 1, 1, 'month',
        now() - make_interval(days => j % 365), now() - make_interval(days => j % 28), now() + make_interval(days => 28 - j % 28),
        now() - make_interval(days => j % 365), now() - make_interval(secs => j * 20), 1700000000000 + j, j % 50 = 0, now(), 'webhook'
      from generate_series(1, $1::int) j`, [sizes.subscriptions, sizes.customers]);
    await client.query(`insert into billing_transaction (id, customer_id, subscription_id, type, status, amount, currency, base_currency,
        exchange_rate, date, invoice_ids, refunded_txn_id, resource_version, deleted, synced_at, synced_by)
      select 'txn_' || lpad(k::text, 7, '0'), 'cus_' || lpad((((k - 1) % $2::int) + 1)::text, 7, '0'),
        'sub_' || lpad((((k - 1) % $3::int) + 1)::text, 7, '0'),
        case when k % 20 = 0 then 'refund' else 'payment' end, case when k % 33 = 0 then 'failure' else 'success' end,
        500 + (k % 9000), case when k % 10 = 0 then 'EUR' else 'USD' end, 'USD', 1, now() - make_interval(hours => k % 8760),
        jsonb_build_array('inv_' || k), null, 1700000000000 + k, false, now(), 'webhook'
      from generate_series(1, $1::int) k`, [sizes.transactions, sizes.customers, sizes.subscriptions]);
    await client.query('vacuum analyze');
  } finally {
    await client.end();
  }
  return performance.now() - started;
}

/**
 * What PostGraphile needs to serve the equivalent query from the same tables (the service's schema
 * has no foreign keys): relation smart tags as comments, and net revenue as a computed column with
 * the service's own expression (src/graphql/sql.ts). Neither changes anything the service reads.
 */
export async function preparePostGraphile(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`comment on table subscription is E'@name chargebee_subscription\\n@foreignKey (customer_id) references customer (id)'`);
    await client.query(`comment on table billing_transaction is E'@foreignKey (customer_id) references customer (id)\\n@foreignKey (subscription_id) references subscription (id)'`);
    await client.query(`create function customer_net_revenue(c customer) returns table (currency varchar, amount bigint) language sql stable as $$
      select t.currency, sum(case when t.type = 'payment' then t.amount when t.type = 'refund' then -t.amount else 0 end)::bigint
      from billing_transaction t
      where t.customer_id = c.id and t.status = 'success' and t.type in ('payment', 'refund') and not t.deleted
      group by t.currency order by t.currency $$`);
  } finally {
    await client.end();
  }
}

/** The same rows in a SQLite file (timestamps as epoch ms and booleans as 0/1, as the service stores them). */
export function seedSqlite(path: string, sizes: SeedSizes): number {
  const started = performance.now();
  const db = new Database(path);
  db.pragma('journal_mode = wal');
  db.pragma('busy_timeout = 5000');
  const now = Date.now();
  const pad = (expr: string) => `printf('%07d', ${expr})`;
  const series = (n: number, v: string) => `with recursive s(${v}) as (select 1 union all select ${v} + 1 from s where ${v} < ${Math.floor(n)})`;
  db.exec('begin');
  db.exec(`insert into plan_mapping (chargebee_plan_id, plan_key, display_name, created_at, updated_at) values
    ('basic-USD', 'basic', 'Basic', ${now}, ${now}), ('pro-USD-yearly', 'pro', 'Pro', ${now}, ${now})`);
  db.exec(`${series(sizes.customers, 'i')}
    insert into customer (id, customer_key, customer_key_source, customer_key_version, partner_key, partner_key_source,
      partner_key_version, email, first_name, last_name, company, chargebee_created_at, chargebee_updated_at, resource_version, deleted, synced_at, synced_by)
    select 'cus_' || ${pad('i')}, 'ck_' || i, 'custom_field', 1,
      case when i % 5 <> 0 then 'partner_' || printf('%03d', i % 500) end, case when i % 5 <> 0 then 'custom_field' end, case when i % 5 <> 0 then 1 end,
      'user' || i || '@example.com', 'First' || i, 'Last' || i, 'Company ' || (i % 997),
      ${now} - i * 60000, ${now} - i * 30000, 1700000000000 + i, i % 100 = 0, ${now}, 'webhook' from s`);
  db.exec(`${series(sizes.subscriptions, 'j')}
    insert into subscription (id, customer_id, chargebee_plan_id, plan_key, status, currency, plan_amount, mrr, quantity,
      billing_period, billing_period_unit, started_at, current_term_start, current_term_end, chargebee_created_at, chargebee_updated_at,
      resource_version, deleted, synced_at, synced_by)
    select 'sub_' || ${pad('j')}, 'cus_' || ${pad(`((j - 1) % ${sizes.customers}) + 1`)},
      case j % 3 when 0 then 'legacy-plan' when 1 then 'basic-USD' else 'pro-USD-yearly' end,
      case j % 3 when 0 then null when 1 then 'basic' else 'pro' end,
      case when j % 20 < 14 then 'active' when j % 20 < 16 then 'in_trial' when j % 20 < 19 then 'cancelled' else 'non_renewing' end,
      'USD', 1000 + (j % 7) * 1000, 1000 + (j % 7) * 1000, 1, 1, 'month',
      ${now} - (j % 365) * 86400000, ${now} - (j % 28) * 86400000, ${now} + (28 - j % 28) * 86400000,
      ${now} - (j % 365) * 86400000, ${now} - j * 20000, 1700000000000 + j, j % 50 = 0, ${now}, 'webhook' from s`);
  db.exec(`${series(sizes.transactions, 'k')}
    insert into billing_transaction (id, customer_id, subscription_id, type, status, amount, currency, base_currency,
      exchange_rate, date, invoice_ids, refunded_txn_id, resource_version, deleted, synced_at, synced_by)
    select 'txn_' || ${pad('k')}, 'cus_' || ${pad(`((k - 1) % ${sizes.customers}) + 1`)}, 'sub_' || ${pad(`((k - 1) % ${sizes.subscriptions}) + 1`)},
      case when k % 20 = 0 then 'refund' else 'payment' end, case when k % 33 = 0 then 'failure' else 'success' end,
      500 + (k % 9000), case when k % 10 = 0 then 'EUR' else 'USD' end, 'USD', 1, ${now} - (k % 8760) * 3600000,
      json_array('inv_' || k), null, 1700000000000 + k, 0, ${now}, 'webhook' from s`);
  db.exec('commit');
  db.exec('analyze');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return performance.now() - started;
}
