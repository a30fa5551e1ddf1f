import { describe } from 'vitest';

/** PostgreSQL-only fault tests (outage, replicas) run when TEST_DATABASE_URL is set. */
export const describePostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;
