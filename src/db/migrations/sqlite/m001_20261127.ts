import { Migration } from '@mikro-orm/migrations';

export class m001_20261127 extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table `attribution_change` (`id` integer not null primary key autoincrement, `customer_id` text not null, `field` text not null, `old_value` text null, `new_value` text null, `source` text not null, `event_id` text null, `changed_at` datetime not null)");
    this.addSql("create index `attribution_change_customer_id_index` on `attribution_change` (`customer_id`)");
    this.addSql("create table `audit_entry` (`id` integer not null primary key autoincrement, `actor` text not null, `action` text not null, `target` text null, `before` json null, `after` json null, `request_id` text null, `created_at` datetime not null)");
    this.addSql("create index `audit_entry_actor_index` on `audit_entry` (`actor`)");
    this.addSql("create index `audit_entry_action_index` on `audit_entry` (`action`)");
    this.addSql("create index `audit_entry_created_at_index` on `audit_entry` (`created_at`)");
    this.addSql("create table `chargebee_plan` (`id` text not null, `name` text null, `catalog` text not null, `status` text null, `currency` text null, `price` bigint null, `period` integer null, `period_unit` text null, `seen_at` datetime not null, primary key (`id`))");
    this.addSql("create table `customer` (`id` text not null, `customer_key` text null, `customer_key_source` text null, `customer_key_version` bigint null, `partner_key` text null, `partner_key_source` text null, `partner_key_version` bigint null, `email` text null, `first_name` text null, `last_name` text null, `company` text null, `chargebee_created_at` datetime null, `chargebee_updated_at` datetime null, `resource_version` bigint not null, `deleted` integer not null default false, `synced_at` datetime not null, `synced_by` text not null, primary key (`id`))");
    this.addSql("create index `customer_customer_key_index` on `customer` (`customer_key`)");
    this.addSql("create index `customer_partner_key_index` on `customer` (`partner_key`)");
    this.addSql("create index `customer_email_index` on `customer` (`email`)");
    this.addSql("create table `plan_mapping` (`id` integer not null primary key autoincrement, `chargebee_plan_id` text not null, `plan_key` text not null, `display_name` text null, `created_at` datetime not null, `updated_at` datetime not null)");
    this.addSql("create unique index `plan_mapping_chargebee_plan_id_unique` on `plan_mapping` (`chargebee_plan_id`)");
    this.addSql("create index `plan_mapping_plan_key_index` on `plan_mapping` (`plan_key`)");
    this.addSql("create table `reconcile_repair` (`id` integer not null primary key autoincrement, `run_id` integer not null, `entity` text not null, `entity_id` text not null, `kind` text not null, `version_before` bigint null, `version_after` bigint null, `detail` text null, `created_at` datetime not null)");
    this.addSql("create index `reconcile_repair_run_id_index` on `reconcile_repair` (`run_id`)");
    this.addSql("create table `reconcile_run` (`id` integer not null primary key autoincrement, `mode` text not null, `dry_run` integer not null default false, `status` text not null, `trigger` text not null, `started_at` datetime not null, `finished_at` datetime null, `scanned` json null, `repairs` json null, `api_calls` integer not null default 0, `rate_limited` integer not null default 0, `checkpoint` json null, `watermark` bigint null, `error` text null, `heartbeat_at` datetime null)");
    this.addSql("create index `reconcile_run_status_index` on `reconcile_run` (`status`)");
    this.addSql("create index `reconcile_run_started_at_index` on `reconcile_run` (`started_at`)");
    this.addSql("create table `reconcile_seen` (`run_id` integer not null, `entity` text not null, `entity_id` text not null, primary key (`run_id`, `entity`, `entity_id`))");
    this.addSql("create table `signup` (`id` integer not null primary key autoincrement, `customer_key` text not null, `partner_key` text not null, `email` text null, `signed_up_at` datetime not null)");
    this.addSql("create unique index `signup_customer_key_unique` on `signup` (`customer_key`)");
    this.addSql("create index `signup_partner_key_index` on `signup` (`partner_key`)");
    this.addSql("create table `subscription` (`id` text not null, `customer_id` text not null, `chargebee_plan_id` text null, `plan_key` text null, `status` text not null, `currency` text null, `plan_amount` bigint null, `mrr` bigint null, `quantity` integer null, `billing_period` integer null, `billing_period_unit` text null, `trial_start` datetime null, `trial_end` datetime null, `started_at` datetime null, `current_term_start` datetime null, `current_term_end` datetime null, `cancelled_at` datetime null, `chargebee_created_at` datetime null, `chargebee_updated_at` datetime null, `resource_version` bigint not null, `deleted` integer not null default false, `synced_at` datetime not null, `synced_by` text not null, primary key (`id`))");
    this.addSql("create index `subscription_customer_id_index` on `subscription` (`customer_id`)");
    this.addSql("create index `subscription_chargebee_plan_id_index` on `subscription` (`chargebee_plan_id`)");
    this.addSql("create index `subscription_plan_key_index` on `subscription` (`plan_key`)");
    this.addSql("create index `subscription_status_index` on `subscription` (`status`)");
    this.addSql("create table `sync_state` (`key` text not null, `value` json not null, `updated_at` datetime not null, primary key (`key`))");
    this.addSql("create table `billing_transaction` (`id` text not null, `customer_id` text null, `subscription_id` text null, `type` text not null, `status` text not null, `amount` bigint not null, `currency` text not null, `base_currency` text null, `exchange_rate` double null, `date` datetime null, `invoice_ids` json null, `refunded_txn_id` text null, `resource_version` bigint not null, `deleted` integer not null default false, `synced_at` datetime not null, `synced_by` text not null, primary key (`id`))");
    this.addSql("create index `billing_transaction_customer_id_index` on `billing_transaction` (`customer_id`)");
    this.addSql("create index `billing_transaction_subscription_id_index` on `billing_transaction` (`subscription_id`)");
    this.addSql("create index `billing_transaction_type_index` on `billing_transaction` (`type`)");
    this.addSql("create index `billing_transaction_status_index` on `billing_transaction` (`status`)");
    this.addSql("create index `billing_transaction_date_index` on `billing_transaction` (`date`)");
    this.addSql("create table `webhook_event` (`id` integer not null primary key autoincrement, `event_id` text not null, `event_type` text not null, `occurred_at` datetime not null, `received_at` datetime not null, `origin` text not null, `status` text not null, `attempts` integer not null default 1, `last_error` text null, `payload` json not null)");
    this.addSql("create unique index `webhook_event_event_id_unique` on `webhook_event` (`event_id`)");
    this.addSql("create index `webhook_event_event_type_index` on `webhook_event` (`event_type`)");
    this.addSql("create index `webhook_event_received_at_index` on `webhook_event` (`received_at`)");
    this.addSql("create index `webhook_event_status_index` on `webhook_event` (`status`)");
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists `webhook_event`");
    this.addSql("drop table if exists `billing_transaction`");
    this.addSql("drop table if exists `sync_state`");
    this.addSql("drop table if exists `subscription`");
    this.addSql("drop table if exists `signup`");
    this.addSql("drop table if exists `reconcile_seen`");
    this.addSql("drop table if exists `reconcile_run`");
    this.addSql("drop table if exists `reconcile_repair`");
    this.addSql("drop table if exists `plan_mapping`");
    this.addSql("drop table if exists `customer`");
    this.addSql("drop table if exists `chargebee_plan`");
    this.addSql("drop table if exists `audit_entry`");
    this.addSql("drop table if exists `attribution_change`");
  }
}
