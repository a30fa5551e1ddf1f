export { Customer, type CustomerRow } from './customer.entity.js';
export { Subscription, type SubscriptionRow } from './subscription.entity.js';
export { Transaction, type TransactionRow } from './transaction.entity.js';
export { PlanMapping, type PlanMappingRow } from './plan-mapping.entity.js';
export { Signup, type SignupRow } from './signup.entity.js';
export { AttributionChange, type AttributionChangeRow } from './attribution-change.entity.js';
export { WebhookEvent, type WebhookEventRow, type EventStatus, type EventOrigin } from './webhook-event.entity.js';
export { type SyncOrigin } from './common.js';
export { AuditEntry, type AuditEntryRow } from './audit-entry.entity.js';
export { ReconcileRun, type ReconcileRunRow, type ReconcileMode, type ReconcileStatus } from './reconcile-run.entity.js';
export { ReconcileRepair, type ReconcileRepairRow, type RepairKind } from './reconcile-repair.entity.js';
export { ChargebeePlan, type ChargebeePlanRow } from './chargebee-plan.entity.js';
export { SyncState, type SyncStateRow } from './sync-state.entity.js';
export { ReconcileSeen, type ReconcileSeenRow } from './reconcile-seen.entity.js';

import { Customer } from './customer.entity.js';
import { Subscription } from './subscription.entity.js';
import { Transaction } from './transaction.entity.js';
import { PlanMapping } from './plan-mapping.entity.js';
import { Signup } from './signup.entity.js';
import { AttributionChange } from './attribution-change.entity.js';
import { WebhookEvent } from './webhook-event.entity.js';
import { AuditEntry } from './audit-entry.entity.js';
import { ReconcileRun } from './reconcile-run.entity.js';
import { ReconcileRepair } from './reconcile-repair.entity.js';
import { ChargebeePlan } from './chargebee-plan.entity.js';
import { SyncState } from './sync-state.entity.js';
import { ReconcileSeen } from './reconcile-seen.entity.js';

export const allEntities = [
  Customer, Subscription, Transaction, PlanMapping, Signup, AttributionChange, WebhookEvent,
  AuditEntry, ReconcileRun, ReconcileRepair, ChargebeePlan, SyncState, ReconcileSeen,
];
