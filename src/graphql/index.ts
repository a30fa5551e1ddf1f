// Every file that adds types or fields to the builder, imported for its side effects.
import './scalars.js';
import './errors.js';
import './customer.graphql.js';
import './attribution.graphql.js';
import './subscription.graphql.js';
import './transaction.graphql.js';
import './partner.graphql.js';
import './plan-mapping.graphql.js';
import './unmapped-plan.graphql.js';
import './signup.graphql.js';
import './webhook-event.graphql.js';
import './audit.graphql.js';
import './sync-status.graphql.js';
import './reconcile-run.graphql.js';
