import { lexicographicSortSchema, printSchema, type GraphQLSchema } from './graphql-js.js';
import { builder } from './builder.js';
import './index.js';

export const schema: GraphQLSchema = builder.toSchema();

/** The SDL checked in at schema/schema.graphql; sorted so that diffs show real changes only. */
export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
