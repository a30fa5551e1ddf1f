import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printedSchema } from '../src/graphql/schema.js';

/** `npm run schema`: writes the GraphQL SDL to schema/schema.graphql (checked in; a test fails on drift). */
const target = fileURLToPath(new URL('../schema/schema.graphql', import.meta.url));
writeFileSync(target, printedSchema());
console.log(`wrote ${target}`);
