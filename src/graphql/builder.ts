import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ErrorsPlugin from '@pothos/plugin-errors';
import ComplexityPlugin, { ComplexityErrorKind } from '@pothos/plugin-complexity';
import { GraphQLError } from './graphql-js.js';
import type { GraphQLContext } from './context/context.js';

/** The one description of our schema's types, shared by every file that adds to it. */
export interface PothosTypes {
  Context: GraphQLContext;
  AuthScopes: {
    /** Any authenticated caller. */
    read: boolean;
    /** ingest or admin: may record signups. */
    ingest: boolean;
    admin: boolean;
  };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
    MinorUnits: { Input: number; Output: number };
  };
  /** Every connection resolver supplies a lazy count, run only when a client selects totalCount. */
  Connection: { totalCount: () => Promise<number> };
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  /** Fields are non-null unless marked `nullable: true`, so the schema tells clients where null can occur. */
  DefaultFieldNullability: false;
}

export const builder = new SchemaBuilder<PothosTypes>({
  // Relay first so auth sees decoded global ids; scope-auth before errors so a refusal is a plain
  // GraphQL error (code FORBIDDEN) and never disguised as a typed mutation result.
  plugins: [RelayPlugin, ScopeAuthPlugin, ErrorsPlugin, ComplexityPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (ctx) => ({
      read: true,
      ingest: ctx.viewer.role === 'ingest' || ctx.viewer.role === 'admin',
      admin: ctx.viewer.role === 'admin',
    }),
    unauthorizedError: (_parent, ctx, info) => new GraphQLError(
      `Not allowed: ${info.parentType.name}.${info.fieldName} needs a different role than "${ctx.viewer.role}"`,
      { extensions: { code: 'FORBIDDEN' } },
    ),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // The connection field's own complexity already multiplies by the page size; the edges list must not again.
    edgesFieldOptions: { nullable: false, complexity: { field: 0, multiplier: 1 } },
    nodeFieldOptions: { nullable: false },
    // `nodes` next to `edges`: the shorter shape most frontends want; priced like edges.
    nodesOnConnection: { complexity: { field: 0, multiplier: 1 } },
  },
  errors: { directResult: true },
  complexity: {
    defaultComplexity: 1,
    defaultListMultiplier: 10,
    limit: (ctx) => ({ depth: ctx.deps.limits.maxDepth, complexity: ctx.deps.limits.maxComplexity }),
    // A GraphQLError is shown to the client as is; Pothos' default error would be masked as unexpected.
    complexityError: (kind, result) => new GraphQLError(
      `Query too ${kind === ComplexityErrorKind.Depth ? 'deep' : 'costly'}: depth ${result.depth} (max ${result.maxDepth ?? '∞'}), `
        + `complexity ${result.complexity} (max ${result.maxComplexity ?? '∞'})`,
      { extensions: { code: 'QUERY_TOO_COMPLEX', ...result } },
    ),
  },
});

builder.queryType({});

builder.globalConnectionField('totalCount', (t) => t.int({
  description: 'Items matching the filter, ignoring the page',
  resolve: (connection) => connection.totalCount(),
}));
builder.mutationType({});
