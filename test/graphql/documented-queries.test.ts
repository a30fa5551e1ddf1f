import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, validate } from '../../src/graphql/graphql-js.js';
import { schema } from '../../src/graphql/schema.js';
import { demoQueries } from '../../src/demo/run-demo.js';

/** Splits a block of example operations (each starting at column 0 with `{`, `query` or `mutation`). */
function operations(block: string): string[] {
  const ops: string[] = [];
  let open = false;
  for (const line of block.split('\n')) {
    if (/^(\{|query|mutation)/.test(line)) {
      ops.push(line);
      open = true;
    } else if (line.trim() === '') open = false;
    else if (open && !/^\s*#/.test(line)) ops[ops.length - 1] += `\n${line}`;
  }
  return ops.map((op) => op.trim()).filter(Boolean);
}

describe('documented GraphQL examples', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const readmeOps = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].flatMap((m) => operations(m[1] ?? ''));
  const demoOps = operations(demoQueries('http://localhost:4000').split('\n').map((l) => l.replace(/^ {2}/, '')).join('\n'));

  it('finds the examples', () => {
    expect(readmeOps.length).toBeGreaterThanOrEqual(4);
    expect(demoOps.length).toBe(3);
  });

  it.each([...readmeOps, ...demoOps].map((op) => [op.split('\n')[0], op]))('%s is valid against the schema', (_title, op) => {
    expect(validate(schema, parse(op)).map((e) => e.message)).toEqual([]);
  });
});
