import type { Knex } from '@mikro-orm/knex';
import type { Dialect } from '../db/orm.js';
import { isObjectType, Kind, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type GraphQLSchema, type SelectionSetNode } from './graphql-js.js';
import { isDateReader } from './sql.js';

/**
 * Reading only the columns a query selects. A page of 50 customers with their subscriptions spent
 * most of its time turning columns nobody asked for into JavaScript values (better-sqlite3 builds
 * every row object property by property; pg parses every timestamp into a Date): `select *` of 23
 * subscription columns cost about four times `select` of the four the page showed.
 *
 * A record type lists, once, the column and reader of each of its properties. What a GraphQL field
 * reads comes from the schema where Pothos knows it (`t.expose*` fields name their property); a
 * field with a resolver of its own declares the properties that resolver reads (`field`, next to
 * the resolver). A resolver that lists objects of the type (a page, a loader) asks for the
 * selection of the current operation: the properties its selected fields read, plus the type's key
 * properties. A selected field known neither way (one added later, say) makes the selection null:
 * the caller then reads every column as before. A record read with a selection throws if a
 * resolver reads a property outside it, so a wrong declaration fails loudly (an
 * INTERNAL_SERVER_ERROR) instead of answering with a default value.
 */

/** For each property of a record: its column and how the driver's raw value becomes the property. */
export type ColumnReaders<R> = { readonly [K in keyof R]-?: readonly [column: string, read: (raw: unknown) => R[K]] };

export interface Selection<R> {
  /** The selected columns (and embedded fields), comma-separated: names loaders per selection. */
  readonly key: string;
  /** Unqualified column names, in the order the record type lists them. */
  readonly columns: readonly string[];
  /** Reads a row holding `columns` (and the embedded fields' columns): the other properties of the record throw when read. */
  readonly map: (row: Record<string, unknown>) => R;
  /** Reads `columns`' values in order, as an embedded JSON array carries them. */
  readonly mapValues: (values: readonly unknown[]) => R;
  /** Fields of the record's type whose values the same statement reads (see `embed`); empty outside pages. */
  readonly embedded: readonly EmbeddedColumn[];
}

/** What the operation selects below a field: its selection sets, and what names fragments there. */
export interface Lookahead {
  readonly selectionSets: readonly SelectionSetNode[];
  readonly schema: GraphQLSchema;
  readonly fragments: Record<string, FragmentDefinitionNode>;
}

/** A field's value as a correlated subquery of its parent's statement, answering JSON. */
export interface EmbeddedSql {
  /** Names what the subquery reads (the child's columns): part of the parent selection's key. */
  readonly key: string;
  /** The subquery, in parentheses, correlated on the parent table's alias. */
  readonly sql: (dialect: Dialect, parentAlias: string) => string;
  /** Turns the driver's value of the subquery into the field's value. */
  readonly decode: (raw: unknown) => unknown;
}

/** An embedded field of a selection: read into the column `alias` of the parent's row. */
export interface EmbeddedColumn extends EmbeddedSql {
  /** The field's response key (its alias, else its name). */
  readonly responseKey: string;
  readonly alias: string;
}

/**
 * Builds a field's subquery from what the operation selects below it, or answers null when that
 * selection cannot be embedded (the field's resolver then loads it as before).
 */
export type Embedder = (lookahead: Lookahead) => EmbeddedSql | null;

const embeddedValues = Symbol('embeddedValues');
/** What `embeddedValue` answers for a field the parent's statement did not read. */
export const notEmbedded: unique symbol = Symbol('notEmbedded');

/**
 * The value of the field being resolved (`info`) as the parent's own statement read it, or
 * `notEmbedded`: the resolver then loads it itself.
 */
export function embeddedValue(parent: object, info: GraphQLResolveInfo): unknown {
  const values = (parent as { [embeddedValues]?: Map<string, unknown> })[embeddedValues];
  if (values === undefined) return notEmbedded;
  const key = info.path.key as string;
  return values.has(key) ? values.get(key) : notEmbedded;
}

/** The SELECT list of a selection on a table aliased `alias`: its columns, then its embedded subqueries. */
export function selectList(db: Knex, selection: Selection<object>, alias: string, dialect: Dialect): (string | Knex.Raw)[] {
  const list: (string | Knex.Raw)[] = selection.columns.map((c) => `${alias}.${c}`);
  for (const e of selection.embedded) list.push(db.raw(`${e.sql(dialect, alias)} as ${e.alias}`));
  return list;
}

type Path = readonly string[];

/** Paths to the objects of a connection's page: `nodes { … }` and `edges { node { … } }`. */
export const connectionPaths: readonly Path[] = [['nodes'], ['edges', 'node']];
/** The field's own selection (a field whose type is the object, or a list of it). */
export const ownPaths: readonly Path[] = [[]];

const maxSelections = 500;

/** Memoizes per selection what is made from it (a loader reading those columns, say). */
export function perSelection<S extends object, T>(make: (selection: S) => T): (selection: S) => T {
  const memo = new WeakMap<S, T>();
  return (selection) => {
    let made = memo.get(selection);
    if (made === undefined) memo.set(selection, (made = make(selection)));
    return made;
  };
}

export class RecordColumns<R extends object> {
  private readonly entries: readonly (readonly [prop: keyof R, column: string, read: (raw: unknown) => unknown])[];
  /** Fields with resolvers of their own: the properties they read. */
  private readonly declared = new Map<string, readonly (keyof R)[]>();
  /** Per schema: every field whose reads are known (exposed fields, declared fields, __typename). */
  private readonly readsBySchema = new WeakMap<GraphQLSchema, ReadonlyMap<string, readonly (keyof R)[]>>();
  private readonly byKey = new Map<string, Selection<R>>();
  /** Fields whose value a subquery of this type's page statement can carry. */
  private readonly embedders = new Map<string, Embedder>();

  constructor(readonly typeName: string, readers: ColumnReaders<R>, private readonly keyProps: readonly (keyof R)[]) {
    this.entries = (Object.keys(readers) as (keyof R)[]).map((prop) => [prop, readers[prop][0], readers[prop][1]] as const);
  }

  /** Declares the properties a field of this type with a resolver of its own reads from its parent record. */
  field(name: string, props: readonly (keyof R)[]): this {
    this.declared.set(name, props);
    return this;
  }

  /**
   * Lets a page of this type read the field `name` (one without arguments) in its own statement, as
   * a correlated subquery: one statement for the page instead of one more per field and level.
   * The field's resolver looks for the value with `embeddedValue` first.
   */
  embed(name: string, embedder: Embedder): this {
    this.embedders.set(name, embedder);
    return this;
  }

  /** The SQL expression of column `column` (on `alias`) inside a JSON value, read back by the column's reader. */
  jsonColumn(column: string, alias: string, dialect: Dialect): string {
    const entry = this.entries.find(([, c]) => c === column);
    // PostgreSQL writes timestamps into JSON as text; epoch milliseconds read back as the driver's Date does (truncated to ms).
    if (entry !== undefined && isDateReader(entry[2]) && dialect === 'postgresql') return `floor(extract(epoch from ${alias}.${column}) * 1000)`;
    return `${alias}.${column}`;
  }

  /**
   * The columns (no embedded fields) that the selection sets of `lookahead` need, with `extra`
   * properties; null when a selected field is not listed. For embedders reading this type below a parent.
   */
  selectionIn(lookahead: Lookahead, extra: readonly (keyof R)[] = []): Selection<R> | null {
    return this.selectionFor(groupFields(lookahead.selectionSets, [[]], lookahead.fragments), lookahead, extra, false);
  }

  private readsIn(schema: GraphQLSchema): ReadonlyMap<string, readonly (keyof R)[]> {
    let reads = this.readsBySchema.get(schema);
    if (reads !== undefined) return reads;
    const known = new Map<string, readonly (keyof R)[]>([['__typename', []]]);
    const type = schema.getType(this.typeName);
    const props = new Set<unknown>(this.entries.map(([prop]) => prop));
    if (isObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        const exposed = field.extensions.pothosExposedField;
        if (typeof exposed === 'string' && props.has(exposed)) known.set(field.name, [exposed as keyof R]);
        else if (exposed === undefined && this.declared.has(field.name)) known.set(field.name, this.declared.get(field.name) ?? []);
      }
    }
    this.readsBySchema.set(schema, (reads = known));
    return reads;
  }

  /** A row of every column (`select *`) as a record. */
  map(row: Record<string, unknown>): R {
    const record: Record<PropertyKey, unknown> = {};
    for (const [prop, column, read] of this.entries) record[prop] = read(row[column]);
    return record as R;
  }

  /**
   * For a resolver that lists objects of this type at `paths` under its field: the columns the
   * operation's selection there needs (with `extra` properties the resolver itself reads), or null
   * when a selected field is not listed. Memoized per field node: yoga keeps parsed documents, so
   * an operation sent again finds its selection already worked out.
   */
  selector(paths: readonly Path[], extra: readonly (keyof R)[] = [], options: { embed?: boolean } = {}): (info: GraphQLResolveInfo) => Selection<R> | null {
    const byFieldNode = new WeakMap<FieldNode, Selection<R> | null>();
    const embed = options.embed ?? false;
    return (info) => {
      const node = info.fieldNodes.length === 1 ? info.fieldNodes[0] : undefined;
      const cached = node === undefined ? undefined : byFieldNode.get(node);
      if (cached !== undefined) return cached;
      const sets = info.fieldNodes.flatMap((f) => (f.selectionSet ? [f.selectionSet] : []));
      const selection = this.selectionFor(groupFields(sets, paths, info.fragments), { selectionSets: sets, schema: info.schema, fragments: info.fragments }, extra, embed);
      if (node !== undefined) byFieldNode.set(node, selection);
      return selection;
    };
  }

  private selectionFor(fields: ReadonlyMap<string, SelectedField>, lookahead: Lookahead, extra: readonly (keyof R)[], embed: boolean): Selection<R> | null {
    const known = this.readsIn(lookahead.schema);
    const props = new Set<keyof R>([...this.keyProps, ...extra]);
    const embedded: EmbeddedColumn[] = [];
    for (const [responseKey, field] of fields) {
      const reads = known.get(field.name);
      if (reads === undefined) return null;
      for (const prop of reads) props.add(prop);
      const embedder = embed && field.embeddable ? this.embedders.get(field.name) : undefined;
      const part = embedder?.({ selectionSets: field.selectionSets, schema: lookahead.schema, fragments: lookahead.fragments });
      if (part) embedded.push({ ...part, responseKey, alias: `embedded_${embedded.length}` });
    }
    return this.selectionOf(props, embedded);
  }

  private selectionOf(props: ReadonlySet<keyof R>, embedded: readonly EmbeddedColumn[] = []): Selection<R> {
    const entries = this.entries.filter(([prop]) => props.has(prop));
    const key = [entries.map(([, column]) => column).join(','), ...embedded.map((e) => `${e.responseKey}=${e.key}`)].join(';');
    const existing = this.byKey.get(key);
    if (existing) return existing;
    // The prototype of the selection's records: a getter that throws for each property not read.
    const unselected = {};
    for (const [prop, column] of this.entries) {
      if (props.has(prop)) continue;
      Object.defineProperty(unselected, prop, {
        get: () => {
          throw new Error(`${this.typeName}.${String(prop)} (column ${column}) was not selected: list it among the properties the field reads (src/graphql/columns.ts)`);
        },
      });
    }
    const selection: Selection<R> = {
      key,
      columns: entries.map(([, column]) => column),
      map: (row) => {
        const record = Object.create(unselected) as Record<PropertyKey, unknown>;
        for (const [prop, column, read] of entries) record[prop] = read(row[column]);
        if (embedded.length > 0) {
          const values = new Map<string, unknown>();
          for (const e of embedded) values.set(e.responseKey, e.decode(row[e.alias]));
          record[embeddedValues] = values;
        }
        return record as R;
      },
      mapValues: (values) => {
        const record = Object.create(unselected) as Record<PropertyKey, unknown>;
        for (let i = 0; i < entries.length; i++) {
          const [prop, , read] = entries[i] as (typeof entries)[number];
          record[prop] = read(values[i]);
        }
        return record as R;
      },
      embedded,
    };
    if (this.byKey.size < maxSelections) this.byKey.set(key, selection);
    return selection;
  }
}

interface SelectedField {
  name: string;
  /** The selection sets below the field, merged from every place the response key is selected. */
  selectionSets: SelectionSetNode[];
  /** No arguments, and the same field wherever the response key appears. */
  embeddable: boolean;
}

/**
 * The fields selected at `path` below the selection sets, by response key, through fragments.
 * @skip/@include are ignored: a field they leave out is read anyway, which is never wrong.
 */
function groupFields(sets: readonly SelectionSetNode[], paths: readonly Path[], fragments: Record<string, FragmentDefinitionNode>): Map<string, SelectedField> {
  const into = new Map<string, SelectedField>();
  for (const set of sets) for (const path of paths) collectFields(set, path, fragments, into);
  return into;
}

function collectFields(set: SelectionSetNode, path: Path, fragments: Record<string, FragmentDefinitionNode>, into: Map<string, SelectedField>): void {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (path.length === 0) {
        const responseKey = selection.alias?.value ?? selection.name.value;
        const name = selection.name.value;
        const embeddable = (selection.arguments?.length ?? 0) === 0;
        const known = into.get(responseKey);
        if (known === undefined) into.set(responseKey, { name, selectionSets: selection.selectionSet ? [selection.selectionSet] : [], embeddable });
        else {
          // One response key for two fields (possible under different parents, `nodes` and `edges`): the name
          // still counts for the columns, but neither is embedded.
          known.embeddable &&= embeddable && known.name === name;
          if (selection.selectionSet) known.selectionSets.push(selection.selectionSet);
          if (known.name !== name) into.set(`${responseKey} ${name}`, { name, selectionSets: [], embeddable: false });
        }
      } else if (selection.name.value === path[0] && selection.selectionSet) collectFields(selection.selectionSet, path.slice(1), fragments, into);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collectFields(selection.selectionSet, path, fragments, into);
    } else {
      const fragment = fragments[selection.name.value];
      // Validation rejects unknown fragments; were one missing, an unlisted name makes the selection null.
      if (fragment) collectFields(fragment.selectionSet, path, fragments, into);
      else into.set(`...${selection.name.value}`, { name: `...${selection.name.value}`, selectionSets: [], embeddable: false });
    }
  }
}
