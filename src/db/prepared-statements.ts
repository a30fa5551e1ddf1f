/**
 * Names for PostgreSQL prepared statements, one per distinct statement text in this process. A
 * named statement is parsed and planned once per connection that runs it; later runs skip to
 * execution. Every connection keeps each statement it prepared until it closes, so only the first
 * `maxNamedStatements` texts get a name: the rest run unnamed (parsed each time), and statement
 * shapes never seen before cannot grow the connections' caches without bound. A name is never
 * reused for another text, so a connection that prepared it can keep it.
 */
const names = new Map<string, string>();
const maxNamedStatements = 1000;

export function preparedStatementName(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < maxNamedStatements) {
    name = `cbs_${names.size + 1}`;
    names.set(text, name);
  }
  return name;
}
