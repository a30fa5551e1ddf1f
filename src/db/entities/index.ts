export { Customer, type CustomerRow } from './customer.entity.js';
export { Subscription, type SubscriptionRow } from './subscription.entity.js';
export { Transaction, type TransactionRow } from './transaction.entity.js';
export { PlanMapping, type PlanMappingRow } from './plan-mapping.entity.js';
export { Signup, type SignupRow } from './signup.entity.js';
export { AttributionChange, type AttributionChangeRow } from './attribution-change.entity.js';
export { WebhookEvent, type WebhookEventRow, type EventStatus, type EventOrigin } from './webhook-event.entity.js';
export { type SyncOrigin } from './common.js';

import { Customer } from './customer.entity.js';
import { Subscription } from './subscription.entity.js';
import { Transaction } from './transaction.entity.js';
import { PlanMapping } from './plan-mapping.entity.js';
import { Signup } from './signup.entity.js';
import { AttributionChange } from './attribution-change.entity.js';
import { WebhookEvent } from './webhook-event.entity.js';

export const allEntities = [Customer, Subscription, Transaction, PlanMapping, Signup, AttributionChange, WebhookEvent];
