/**
 * The order of a resource's states. Chargebee's resource_version (ms) when present; resources last
 * changed before 2016-09-28 lack it, so updated_at (s) scaled to ms stands in.
 */
export function versionOf(resource: { resource_version?: number | null; updated_at?: number | null }): number {
  if (typeof resource.resource_version === 'number') return resource.resource_version;
  if (typeof resource.updated_at === 'number') return resource.updated_at * 1000;
  return 0;
}

