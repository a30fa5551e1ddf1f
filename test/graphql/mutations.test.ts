import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, testDialects, type TestDatabase } from '../support/databases.js';
import { createClient, customerEvent, dataOf, ingest, subscriptionEvent, tokens, type Client } from './support.js';

// Each field lists only the errors it can raise: the schema says which.
const fieldsFor = (...errors: ('ValidationError' | 'ConflictError' | 'NotFoundError')[]) => `__typename
  ... on PlanMappingPayload { remappedSubscriptions planMapping { id chargebeePlanId planKey displayName subscriptionCount } }
  ... on Error { message }
  ${errors.includes('ValidationError') ? '... on ValidationError { issues { path message } }' : ''}
  ${errors.includes('ConflictError') ? '... on ConflictError { field }' : ''}
  ${errors.includes('NotFoundError') ? '... on NotFoundError { resource }' : ''}`;
const createFields = fieldsFor('ValidationError', 'ConflictError');
const updateFields = fieldsFor('ValidationError', 'ConflictError', 'NotFoundError');
const deleteFields = fieldsFor('ValidationError', 'NotFoundError');

type Result = Record<string, unknown> & { __typename: string };

describe.each(testDialects())('GraphQL mutations (%s)', (dialect) => {
  let db: TestDatabase;
  let client: Client;
  const planKeys = async () => Object.fromEntries((await db.sync.knex('subscription').select('id', 'plan_key').orderBy('id'))
    .map((r: { id: string; plan_key: string | null }) => [r.id, r.plan_key]));
  interface AuditRow { actor: string; action: string; target: string | null; before: unknown; after: unknown; request_id: string | null }
  const json = (v: unknown): unknown => (typeof v === 'string' ? JSON.parse(v) as unknown : v);
  const audit = async (): Promise<AuditRow[]> => (await db.sync.knex('audit_entry').select('actor', 'action', 'target', 'before', 'after', 'request_id').orderBy('id') as AuditRow[])
    .map((r) => ({ ...r, before: json(r.before), after: json(r.after) }));
  const mutate = async (name: string, query: string, variables: Record<string, unknown> = {}, token = tokens.admin) =>
    dataOf(await client.query<Record<string, Result>>(query, variables, { token, requestId: `req-${name}` }))[name] as Result;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    client = createClient(db.sync);
  });
  afterAll(() => db.destroy());
  beforeEach(async () => {
    await db.reset();
    await ingest(db.sync,
      customerEvent({ id: 'cus_1', customerKey: 'u-1' }),
      subscriptionEvent({ id: 'sub_1', customerId: 'cus_1', planId: 'pro-monthly' }),
      subscriptionEvent({ id: 'sub_2', customerId: 'cus_1', planId: 'pro-monthly' }),
      subscriptionEvent({ id: 'sub_3', customerId: 'cus_1', planId: 'pro-yearly' }));
  });

  it('creates a mapping, re-maps its subscriptions in the same transaction and audits it', async () => {
    const created = await mutate('createPlanMapping', `mutation($input: PlanMappingEntryInput!) { createPlanMapping(input: $input) { ${createFields} } }`,
      { input: { chargebeePlanId: ' pro-monthly ', planKey: 'pro', displayName: 'Pro' } });
    expect(created).toMatchObject({
      __typename: 'PlanMappingPayload', remappedSubscriptions: 2,
      planMapping: { chargebeePlanId: 'pro-monthly', planKey: 'pro', displayName: 'Pro', subscriptionCount: 2 },
    });
    expect(await planKeys()).toEqual({ sub_1: 'pro', sub_2: 'pro', sub_3: null });
    expect(await audit()).toEqual([expect.objectContaining({
      actor: 'ops', action: 'plan_mapping.create', target: 'plan_mapping:pro-monthly', before: null, request_id: 'req-createPlanMapping',
      after: expect.objectContaining({ chargebeePlanId: 'pro-monthly', planKey: 'pro', remappedSubscriptions: 2 }),
    })]);

    const duplicate = await mutate('createPlanMapping', `mutation { createPlanMapping(input: { chargebeePlanId: "pro-monthly", planKey: "other" }) { ${createFields} } }`);
    expect(duplicate).toEqual({ __typename: 'ConflictError', message: 'Chargebee plan pro-monthly is already mapped', field: 'chargebeePlanId' });
    const invalid = await mutate('createPlanMapping', `mutation { createPlanMapping(input: { chargebeePlanId: "", planKey: "${'x'.repeat(101)}" }) { ${createFields} } }`);
    expect(invalid).toMatchObject({ __typename: 'ValidationError', issues: [
      { path: ['input', 'chargebeePlanId'], message: 'must not be empty' },
      { path: ['input', 'planKey'], message: 'at most 100 characters' },
    ] });
    expect((await audit()).length).toBe(1);
  });

  it('updates a mapping (re-mapping old and new plan ids), refuses a taken plan id, and deletes it', async () => {
    const created = await mutate('createPlanMapping', `mutation { createPlanMapping(input: { chargebeePlanId: "pro-monthly", planKey: "pro" }) { ${createFields} } }`);
    const id = (created.planMapping as { id: string }).id;
    await mutate('createPlanMapping', `mutation { createPlanMapping(input: { chargebeePlanId: "pro-yearly", planKey: "pro" }) { ${createFields} } }`);
    const update = `mutation($input: UpdatePlanMappingInput!) { updatePlanMapping(input: $input) { ${updateFields} } }`;

    const renamed = await mutate('updatePlanMapping', update, { input: { id, planKey: 'pro-v2' } });
    expect(renamed).toMatchObject({ remappedSubscriptions: 2, planMapping: { planKey: 'pro-v2', chargebeePlanId: 'pro-monthly' } });
    expect(await planKeys()).toEqual({ sub_1: 'pro-v2', sub_2: 'pro-v2', sub_3: 'pro' });

    expect(await mutate('updatePlanMapping', update, { input: { id, chargebeePlanId: 'pro-yearly' } }))
      .toMatchObject({ __typename: 'ConflictError', field: 'chargebeePlanId' });
    const moved = await mutate('updatePlanMapping', update, { input: { id, chargebeePlanId: 'pro-weekly', displayName: null } });
    expect(moved).toMatchObject({ remappedSubscriptions: 2, planMapping: { chargebeePlanId: 'pro-weekly', displayName: null } });
    expect(await planKeys()).toEqual({ sub_1: null, sub_2: null, sub_3: 'pro' });

    const deleted = await mutate('deletePlanMapping', `mutation { deletePlanMapping(id: "${id}") { ${deleteFields} } }`);
    expect(deleted).toMatchObject({ __typename: 'PlanMappingPayload', remappedSubscriptions: 0, planMapping: { chargebeePlanId: 'pro-weekly' } });
    expect(await mutate('deletePlanMapping', `mutation { deletePlanMapping(id: "${id}") { ${deleteFields} } }`))
      .toMatchObject({ __typename: 'NotFoundError', resource: 'PlanMapping' });
    expect(await mutate('updatePlanMapping', update, { input: { id, planKey: 'x' } })).toMatchObject({ __typename: 'NotFoundError' });
    const actions = (await audit()).map((e) => e.action);
    expect(actions).toEqual(['plan_mapping.create', 'plan_mapping.create', 'plan_mapping.update', 'plan_mapping.update', 'plan_mapping.delete']);
    const last = (await audit()).at(-1);
    expect(last).toMatchObject({ before: { chargebeePlanId: 'pro-weekly' }, after: { remappedSubscriptions: 0 } });
  });

  const upsert = `mutation($mappings: [PlanMappingEntryInput!]!) { upsertPlanMappings(input: { mappings: $mappings }) {
    __typename ... on UpsertPlanMappingsPayload { created updated unchanged remappedSubscriptions planMappings { chargebeePlanId planKey } }
    ... on ValidationError { issues { path message } } } }`;

  it('upserts mappings in bulk and reports what changed', async () => {
    const first = await mutate('upsertPlanMappings', upsert, { mappings: [
      { chargebeePlanId: 'pro-monthly', planKey: 'pro' }, { chargebeePlanId: 'pro-yearly', planKey: 'pro' },
    ] });
    expect(first).toEqual({
      __typename: 'UpsertPlanMappingsPayload', created: 2, updated: 0, unchanged: 0, remappedSubscriptions: 3,
      planMappings: [{ chargebeePlanId: 'pro-monthly', planKey: 'pro' }, { chargebeePlanId: 'pro-yearly', planKey: 'pro' }],
    });
    const second = await mutate('upsertPlanMappings', upsert, { mappings: [
      { chargebeePlanId: 'pro-monthly', planKey: 'pro' }, { chargebeePlanId: 'pro-yearly', planKey: 'pro-annual' }, { chargebeePlanId: 'basic', planKey: 'basic' },
    ] });
    expect(second).toMatchObject({ created: 1, updated: 1, unchanged: 1, remappedSubscriptions: 1 });
    expect(await planKeys()).toEqual({ sub_1: 'pro', sub_2: 'pro', sub_3: 'pro-annual' });

    const dupes = await mutate('upsertPlanMappings', upsert, { mappings: [
      { chargebeePlanId: 'a', planKey: 'x' }, { chargebeePlanId: 'a', planKey: 'y' },
    ] });
    expect(dupes).toEqual({ __typename: 'ValidationError', issues: [{ path: ['input', 'mappings', '1', 'chargebeePlanId'], message: 'a appears more than once' }] });
    expect((await audit()).map((e) => e.action)).toEqual(['plan_mapping.upsert', 'plan_mapping.upsert']);
  });

  it('records a signup (ingest role), attributing the existing customer, and audits it', async () => {
    const record = `mutation($input: RecordSignupInput!) { recordSignup(input: $input) { __typename
      ... on RecordSignupPayload { signup { customerKey partnerKey email } attributedCustomers { chargebeeId partnerKey partnerKeySource } }
      ... on ValidationError { issues { path message } } } }`;
    const result = await mutate('recordSignup', record, { input: { customerKey: 'u-1', partnerKey: 'acme', email: 'one@example.com' } }, tokens.ingest);
    expect(result).toEqual({
      __typename: 'RecordSignupPayload', signup: { customerKey: 'u-1', partnerKey: 'acme', email: 'one@example.com' },
      attributedCustomers: [{ chargebeeId: 'cus_1', partnerKey: 'acme', partnerKeySource: 'signup' }],
    });
    const customer = dataOf(await client.query<{ customerByKey: unknown }>('{ customerByKey(customerKey: "u-1") { partner { partnerKey activeSubscriptionCount } } }'));
    expect(customer.customerByKey).toEqual({ partner: { partnerKey: 'acme', activeSubscriptionCount: 3 } });
    expect(await audit()).toEqual([expect.objectContaining({ actor: 'signup-hook', action: 'signup.record', before: null })]);
    const invalid = await mutate('recordSignup', record, { input: { customerKey: 'u-2', partnerKey: ' ', email: 'nope' } }, tokens.ingest);
    expect(invalid).toEqual({ __typename: 'ValidationError', issues: [
      { path: ['input', 'partnerKey'], message: 'must not be empty' }, { path: ['input', 'email'], message: 'not an email address' },
    ] });
  });

  it('replays a failed event after the cause is fixed, one by one or all failed at once', async () => {
    // A subscription without a status cannot be applied: the event is stored as failed for replay.
    const broken = subscriptionEvent({ id: 'sub_9', customerId: 'cus_1', planId: 'pro-monthly' });
    const content = broken.content as { subscription: Record<string, unknown> };
    delete content.subscription.status;
    const [stored] = await ingest(db.sync, broken);
    expect(stored?.status).toBe('failed');
    const events = dataOf(await client.query<{ webhookEvents: { edges: { node: { id: string; lastError: string } }[] } }>(
      '{ webhookEvents(filter: { status: [failed] }) { edges { node { id lastError } } } }'));
    const eventNode = events.webhookEvents.edges[0]?.node;
    expect(eventNode?.lastError).toMatch(/status/);

    const replay = `mutation($id: ID!) { replayWebhookEvent(id: $id) { __typename
      ... on WebhookEventReplay { previousStatus status changedRows error event { status attempts } }
      ... on NotFoundError { message } } }`;
    const stillBroken = await mutate('replayWebhookEvent', replay, { id: eventNode?.id });
    expect(stillBroken).toMatchObject({ previousStatus: 'failed', status: 'failed', changedRows: 0, event: { status: 'failed', attempts: 2 } });

    // The fix: the stored payload is corrected (as an upgraded parser would read it), then replayed.
    content.subscription.status = 'active';
    await db.sync.knex('webhook_event').where('event_id', String(broken.id)).update({ payload: JSON.stringify(broken) });
    const all = await mutate('replayFailedWebhookEvents', `mutation { replayFailedWebhookEvents { __typename
      ... on ReplayFailedWebhookEventsPayload { attempted applied stillFailed replays { status changedRows event { eventId } } } } }`);
    expect(all).toEqual({ __typename: 'ReplayFailedWebhookEventsPayload', attempted: 1, applied: 1, stillFailed: 0,
      replays: [{ status: 'applied', changedRows: 1, event: { eventId: broken.id } }] });
    expect(await db.sync.knex('subscription').where('id', 'sub_9').first()).toMatchObject({ status: 'active', synced_by: 'replay' });

    const missing = await mutate('replayWebhookEvent', replay, { id: Buffer.from('WebhookEvent:999999').toString('base64') });
    expect(missing).toMatchObject({ __typename: 'NotFoundError' });
    expect((await audit()).map((e) => e.action)).toEqual(['webhook_event.replay', 'webhook_event.replay_failed']);
  });
});
