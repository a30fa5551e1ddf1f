import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printedSchema } from '../../src/graphql/schema.js';

describe('schema/schema.graphql', () => {
  it('matches the schema the code builds (run `npm run schema` after changing types)', () => {
    const checkedIn = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
    expect(checkedIn).toBe(printedSchema());
  });

  it('lists the typed errors as results of the mutations that raise them', () => {
    const sdl = printedSchema();
    expect(sdl).toContain('union MutationCreatePlanMappingResult = ConflictError | PlanMappingPayload | ValidationError');
    expect(sdl).toContain('union MutationUpdatePlanMappingResult = ConflictError | NotFoundError | PlanMappingPayload | ValidationError');
    expect(sdl).toContain('union MutationReplayWebhookEventResult = NotFoundError | WebhookEventReplay');
  });
});
