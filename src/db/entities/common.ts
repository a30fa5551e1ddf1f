/** How a row last reached the database. */
export const syncOrigins = ['webhook', 'reconcile', 'replay'] as const;
export type SyncOrigin = (typeof syncOrigins)[number];
