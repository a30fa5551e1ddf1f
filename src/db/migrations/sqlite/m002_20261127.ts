import { Migration } from '@mikro-orm/migrations';

export class m002_20261127 extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table `audit_entry` (`id` integer not null primary key autoincrement, `actor` text not null, `action` text not null, `target` text null, `before` json null, `after` json null, `request_id` text null, `created_at` datetime not null)");
    this.addSql("create index `audit_entry_actor_index` on `audit_entry` (`actor`)");
    this.addSql("create index `audit_entry_action_index` on `audit_entry` (`action`)");
    this.addSql("create index `audit_entry_created_at_index` on `audit_entry` (`created_at`)");
    this.addSql("create table `chargebee_plan` (`id` text not null, `name` text null, `catalog` text not null, `status` text null, `currency` text null, `price` bigint null, `period` integer null, `period_unit` text null, `seen_at` datetime not null, primary key (`id`))");
    this.addSql("create table `reconcile_repair` (`id` integer not null primary key autoincrement, `run_id` integer not null, `entity` text not null, `entity_id` text not null, `kind` text check (`kind` in ('missing', 'stale', 'deleted_upstream', 'plan_mismatch', 'unmapped_plan')) not null, `version_before` bigint null, `version_after` bigint null, `detail` text null, `created_at` datetime not null)");
    this.addSql("create index `reconcile_repair_run_id_index` on `reconcile_repair` (`run_id`)");
    this.addSql("create table `reconcile_run` (`id` integer not null primary key autoincrement, `mode` text check (`mode` in ('incremental', 'full', 'plans')) not null, `dry_run` integer not null default false, `status` text check (`status` in ('running', 'succeeded', 'partial', 'failed')) not null, `trigger` text not null, `started_at` datetime not null, `finished_at` datetime null, `scanned` json null, `repairs` json null, `api_calls` integer not null default 0, `rate_limited` integer not null default 0, `checkpoint` json null, `watermark` bigint null, `error` text null)");
    this.addSql("create index `reconcile_run_status_index` on `reconcile_run` (`status`)");
    this.addSql("create index `reconcile_run_started_at_index` on `reconcile_run` (`started_at`)");
    this.addSql("create table `sync_state` (`key` text not null, `value` json not null, `updated_at` datetime not null, primary key (`key`))");
    this.addSql("pragma foreign_keys = off");
    this.addSql("create table `customer__temp_alter` (`id` text not null, `customer_key` text null, `customer_key_source` text null, `customer_key_version` bigint null, `partner_key` text null, `partner_key_source` text null, `partner_key_version` bigint null, `email` text null, `first_name` text null, `last_name` text null, `company` text null, `chargebee_created_at` datetime null, `chargebee_updated_at` datetime null, `resource_version` bigint not null, `deleted` integer not null default false, `synced_at` datetime not null, `synced_by` text check (`synced_by` in ('webhook', 'reconcile', 'replay')) not null, primary key (`id`))");
    this.addSql("insert into `customer__temp_alter` select `id`, `customer_key`, `customer_key_source`, `customer_key_version`, `partner_key`, `partner_key_source`, `partner_key_version`, `email`, `first_name`, `last_name`, `company`, `chargebee_created_at`, `chargebee_updated_at`, `resource_version`, `deleted`, `synced_at`, `synced_by` from `customer`");
    this.addSql("drop table `customer`");
    this.addSql("alter table `customer__temp_alter` rename to `customer`");
    this.addSql("create index `customer_customer_key_index` on `customer` (`customer_key`)");
    this.addSql("create index `customer_partner_key_index` on `customer` (`partner_key`)");
    this.addSql("create index `customer_email_index` on `customer` (`email`)");
    this.addSql("pragma foreign_keys = on");
    this.addSql("pragma foreign_keys = off");
    this.addSql("create table `subscription__temp_alter` (`id` text not null, `customer_id` text not null, `chargebee_plan_id` text null, `plan_key` text null, `status` text not null, `currency` text null, `plan_amount` bigint null, `mrr` bigint null, `quantity` integer null, `billing_period` integer null, `billing_period_unit` text null, `trial_start` datetime null, `trial_end` datetime null, `started_at` datetime null, `current_term_start` datetime null, `current_term_end` datetime null, `cancelled_at` datetime null, `chargebee_created_at` datetime null, `chargebee_updated_at` datetime null, `resource_version` bigint not null, `deleted` integer not null default false, `synced_at` datetime not null, `synced_by` text check (`synced_by` in ('webhook', 'reconcile', 'replay')) not null, primary key (`id`))");
    this.addSql("insert into `subscription__temp_alter` select `id`, `customer_id`, `chargebee_plan_id`, `plan_key`, `status`, `currency`, `plan_amount`, `mrr`, `quantity`, `billing_period`, `billing_period_unit`, `trial_start`, `trial_end`, `started_at`, `current_term_start`, `current_term_end`, `cancelled_at`, `chargebee_created_at`, `chargebee_updated_at`, `resource_version`, `deleted`, `synced_at`, `synced_by` from `subscription`");
    this.addSql("drop table `subscription`");
    this.addSql("alter table `subscription__temp_alter` rename to `subscription`");
    this.addSql("create index `subscription_customer_id_index` on `subscription` (`customer_id`)");
    this.addSql("create index `subscription_chargebee_plan_id_index` on `subscription` (`chargebee_plan_id`)");
    this.addSql("create index `subscription_plan_key_index` on `subscription` (`plan_key`)");
    this.addSql("create index `subscription_status_index` on `subscription` (`status`)");
    this.addSql("pragma foreign_keys = on");
    this.addSql("pragma foreign_keys = off");
    this.addSql("create table `billing_transaction__temp_alter` (`id` text not null, `customer_id` text null, `subscription_id` text null, `type` text not null, `status` text not null, `amount` bigint not null, `currency` text not null, `base_currency` text null, `exchange_rate` double null, `date` datetime null, `invoice_ids` json null, `refunded_txn_id` text null, `resource_version` bigint not null, `deleted` integer not null default false, `synced_at` datetime not null, `synced_by` text check (`synced_by` in ('webhook', 'reconcile', 'replay')) not null, primary key (`id`))");
    this.addSql("insert into `billing_transaction__temp_alter` select `id`, `customer_id`, `subscription_id`, `type`, `status`, `amount`, `currency`, `base_currency`, `exchange_rate`, `date`, `invoice_ids`, `refunded_txn_id`, `resource_version`, `deleted`, `synced_at`, `synced_by` from `billing_transaction`");
    this.addSql("drop table `billing_transaction`");
    this.addSql("alter table `billing_transaction__temp_alter` rename to `billing_transaction`");
    this.addSql("create index `billing_transaction_customer_id_index` on `billing_transaction` (`customer_id`)");
    this.addSql("create index `billing_transaction_subscription_id_index` on `billing_transaction` (`subscription_id`)");
    this.addSql("create index `billing_transaction_type_index` on `billing_transaction` (`type`)");
    this.addSql("create index `billing_transaction_status_index` on `billing_transaction` (`status`)");
    this.addSql("create index `billing_transaction_date_index` on `billing_transaction` (`date`)");
    this.addSql("pragma foreign_keys = on");
    this.addSql("pragma foreign_keys = off");
    this.addSql("create table `webhook_event__temp_alter` (`id` integer not null primary key autoincrement, `event_id` text not null, `event_type` text not null, `occurred_at` datetime not null, `received_at` datetime not null, `origin` text check (`origin` in ('webhook', 'events_api', 'replay')) not null, `status` text check (`status` in ('applied', 'ignored', 'stale', 'failed')) not null, `attempts` integer not null default 1, `last_error` text null, `payload` json not null)");
    this.addSql("insert into `webhook_event__temp_alter` select `id`, `event_id`, `event_type`, `occurred_at`, `received_at`, `origin`, `status`, `attempts`, `last_error`, `payload` from `webhook_event`");
    this.addSql("drop table `webhook_event`");
    this.addSql("alter table `webhook_event__temp_alter` rename to `webhook_event`");
    this.addSql("create unique index `webhook_event_event_id_unique` on `webhook_event` (`event_id`)");
    this.addSql("create index `webhook_event_event_type_index` on `webhook_event` (`event_type`)");
    this.addSql("create index `webhook_event_received_at_index` on `webhook_event` (`received_at`)");
    this.addSql("create index `webhook_event_status_index` on `webhook_event` (`status`)");
    this.addSql("pragma foreign_keys = on");
  }

  override async down(): Promise<void> {

  }
}
