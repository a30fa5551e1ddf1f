import { isObjectType, Kind, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type GraphQLSchema, type SelectionSetNode } from './graphql-js.js';

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
  /** The selected columns, comma-separated: names loaders per selection. */
  readonly key: string;
  /** Unqualified column names, in the order the record type lists them. */
  readonly columns: readonly string[];
  /** Reads a row holding `columns`: the other properties of the record throw when read. */
  readonly map: (row: Record<string, unknown>) => R;
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

  constructor(readonly typeName: string, readers: ColumnReaders<R>, private readonly keyProps: readonly (keyof R)[]) {
    this.entries = (Object.keys(readers) as (keyof R)[]).map((prop) => [prop, readers[prop][0], readers[prop][1]] as const);
  }

  /** Declares the properties a field of this type with a resolver of its own reads from its parent record. */
  field(name: string, props: readonly (keyof R)[]): this {
    this.declared.set(name, props);
    return this;
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
  selector(paths: readonly Path[], extra: readonly (keyof R)[] = []): (info: GraphQLResolveInfo) => Selection<R> | null {
    const byFieldNode = new WeakMap<FieldNode, Selection<R> | null>();
    return (info) => {
      const node = info.fieldNodes.length === 1 ? info.fieldNodes[0] : undefined;
      const cached = node === undefined ? undefined : byFieldNode.get(node);
      if (cached !== undefined) return cached;
      const selection = this.selectionAt(info, paths, extra);
      if (node !== undefined) byFieldNode.set(node, selection);
      return selection;
    };
  }

  private selectionAt(info: GraphQLResolveInfo, paths: readonly Path[], extra: readonly (keyof R)[]): Selection<R> | null {
    const names = new Set<string>();
    for (const fieldNode of info.fieldNodes) {
      if (fieldNode.selectionSet) for (const path of paths) collectFields(fieldNode.selectionSet, path, info.fragments, names);
    }
    const known = this.readsIn(info.schema);
    const props = new Set<keyof R>([...this.keyProps, ...extra]);
    for (const name of names) {
      const reads = known.get(name);
      if (reads === undefined) return null;
      for (const prop of reads) props.add(prop);
    }
    return this.selectionOf(props);
  }

  private selectionOf(props: ReadonlySet<keyof R>): Selection<R> {
    const entries = this.entries.filter(([prop]) => props.has(prop));
    const key = entries.map(([, column]) => column).join(',');
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
        return record as R;
      },
    };
    if (this.byKey.size < maxSelections) this.byKey.set(key, selection);
    return selection;
  }
}

/**
 * Field names selected at `path` below a selection set, through fragments. @skip/@include are
 * ignored: a field they leave out is read anyway, which is never wrong.
 */
function collectFields(set: SelectionSetNode, path: Path, fragments: Record<string, FragmentDefinitionNode>, into: Set<string>): void {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (path.length === 0) into.add(selection.name.value);
      else if (selection.name.value === path[0] && selection.selectionSet) collectFields(selection.selectionSet, path.slice(1), fragments, into);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collectFields(selection.selectionSet, path, fragments, into);
    } else {
      const fragment = fragments[selection.name.value];
      // Validation rejects unknown fragments; were one missing, an unlisted name makes the selection null.
      if (fragment) collectFields(fragment.selectionSet, path, fragments, into);
      else into.add(`...${selection.name.value}`);
    }
  }
}
