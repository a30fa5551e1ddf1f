/**
 * The service entrypoint (src/main.ts) with API_TOKENS taken from BENCH_API_TOKENS:
 * test/faults/support/service-process.ts clears API_TOKENS for the child so a test runner's tokens
 * cannot leak into it; the GraphQL bench needs tokens on, as in production.
 */
process.env.API_TOKENS = process.env.BENCH_API_TOKENS;
await import('../../src/main.js');
