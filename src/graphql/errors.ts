import { GraphQLError } from './graphql-js.js';
import type { z } from 'zod';
import { builder } from './builder.js';

/** Base of the errors clients can expect; each is listed in the schema on the fields that raise it. */
export class DomainError extends Error {}

export interface FieldIssue {
  path: string[];
  message: string;
}

/** Input that failed validation; `issues` name the offending fields (e.g. ["input", "mappings", "2", "planKey"]). */
export class ValidationError extends DomainError {
  override name = 'ValidationError';
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '));
  }

  static fromZod(error: z.ZodError, prefix: string[] = []): ValidationError {
    return new ValidationError(error.issues.map((issue) => ({
      path: [...prefix, ...issue.path.map(String)],
      message: issue.message,
    })));
  }
}

export class NotFoundError extends DomainError {
  override name = 'NotFoundError';
  constructor(readonly resource: string, readonly id: string) {
    super(`${resource} ${id} not found`);
  }
}

/** The request contradicts existing state, e.g. a Chargebee plan id that already has a mapping. */
export class ConflictError extends DomainError {
  override name = 'ConflictError';
  constructor(message: string, readonly field: string | null = null) {
    super(message);
  }
}

/** Parses input with a zod schema, turning failures into a ValidationError with field paths. */
export function validate<T>(schema: z.ZodType<T>, value: unknown, prefix: string[] = ['input']): T {
  const result = schema.safeParse(value);
  if (!result.success) throw ValidationError.fromZod(result.error, prefix);
  return result.data;
}

/** Bad query arguments (page size, cursor): a client mistake, so shown as is rather than masked. */
export function badUserInput(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...extensions } });
}

export const ErrorInterface = builder.interfaceRef<DomainError>('Error').implement({
  description: 'Fields every typed error has; select `... on Error { message }` to handle them all.',
  fields: (t) => ({ message: t.exposeString('message') }),
});

const FieldIssueRef = builder.objectRef<FieldIssue>('FieldIssue').implement({
  fields: (t) => ({
    path: t.exposeStringList('path', { description: 'Argument path, e.g. ["input", "planKey"]' }),
    message: t.exposeString('message'),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ValidationError,
  fields: (t) => ({ issues: t.field({ type: [FieldIssueRef], resolve: (e) => e.issues }) }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof NotFoundError,
  fields: (t) => ({ resource: t.exposeString('resource'), id: t.exposeString('id') }),
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof ConflictError,
  fields: (t) => ({ field: t.exposeString('field', { nullable: true }) }),
});
