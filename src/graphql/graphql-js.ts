/**
 * graphql-js, imported by file path on purpose. graphql 16 ships CommonJS (index.js) and ESM
 * (index.mjs) without an `exports` map: Node gives Pothos and yoga the CommonJS build, while vite
 * (vitest) would give our files the ESM one, and two copies of graphql refuse to work together.
 * Naming index.js makes every loader pick the same copy.
 */
export {
  getOperationAST, getVariableValues, GraphQLError, isObjectType, Kind, lexicographicSortSchema, parse, printSchema, validate,
  type DocumentNode, type ExecutionResult, type FieldNode, type GraphQLFieldResolver, type FragmentDefinitionNode, type GraphQLResolveInfo, type GraphQLSchema, type SelectionSetNode, type VariableDefinitionNode,
} from 'graphql/index.js';
