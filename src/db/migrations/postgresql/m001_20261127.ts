import { Migration } from '@mikro-orm/migrations';

export class m001_20261127 extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table \"attribution_change\" (\"id\" serial primary key, \"customer_id\" varchar(255) not null, \"field\" varchar(255) not null, \"old_value\" varchar(255) null, \"new_value\" varchar(255) null, \"source\" varchar(255) not null, \"event_id\" varchar(255) null, \"changed_at\" timestamptz not null)");
    this.addSql("create index \"attribution_change_customer_id_index\" on \"attribution_change\" (\"customer_id\")");
    this.addSql("create table \"audit_entry\" (\"id\" serial primary key, \"actor\" varchar(255) not null, \"action\" varchar(255) not null, \"target\" varchar(255) null, \"before\" jsonb null, \"after\" jsonb null, \"request_id\" varchar(255) null, \"created_at\" timestamptz not null)");
    this.addSql("create index \"audit_entry_actor_index\" on \"audit_entry\" (\"actor\")");
    this.addSql("create index \"audit_entry_action_index\" on \"audit_entry\" (\"action\")");
    this.addSql("create index \"audit_entry_created_at_index\" on \"audit_entry\" (\"created_at\")");
    this.addSql("create table \"chargebee_plan\" (\"id\" varchar(100) not null, \"name\" varchar(255) null, \"catalog\" varchar(255) not null, \"status\" varchar(255) null, \"currency\" varchar(255) null, \"price\" bigint null, \"period\" int null, \"period_unit\" varchar(255) null, \"seen_at\" timestamptz not null, constraint \"chargebee_plan_pkey\" primary key (\"id\"))");
    this.addSql("create table \"customer\" (\"id\" varchar(100) not null, \"customer_key\" varchar(255) null, \"customer_key_source\" varchar(255) null, \"customer_key_version\" bigint null, \"partner_key\" varchar(255) null, \"partner_key_source\" varchar(255) null, \"partner_key_version\" bigint null, \"email\" varchar(255) null, \"first_name\" varchar(255) null, \"last_name\" varchar(255) null, \"company\" varchar(255) null, \"chargebee_created_at\" timestamptz null, \"chargebee_updated_at\" timestamptz null, \"resource_version\" bigint not null, \"deleted\" boolean not null default false, \"synced_at\" timestamptz not null, \"synced_by\" varchar(255) not null, constraint \"customer_pkey\" primary key (\"id\"))");
    this.addSql("create index \"customer_customer_key_index\" on \"customer\" (\"customer_key\")");
    this.addSql("create index \"customer_partner_key_index\" on \"customer\" (\"partner_key\")");
    this.addSql("create index \"customer_email_index\" on \"customer\" (\"email\")");
    this.addSql("create table \"plan_mapping\" (\"id\" serial primary key, \"chargebee_plan_id\" varchar(255) not null, \"plan_key\" varchar(255) not null, \"display_name\" varchar(255) null, \"created_at\" timestamptz not null, \"updated_at\" timestamptz not null)");
    this.addSql("alter table \"plan_mapping\" add constraint \"plan_mapping_chargebee_plan_id_unique\" unique (\"chargebee_plan_id\")");
    this.addSql("create index \"plan_mapping_plan_key_index\" on \"plan_mapping\" (\"plan_key\")");
    this.addSql("create table \"reconcile_repair\" (\"id\" serial primary key, \"run_id\" int not null, \"entity\" varchar(255) not null, \"entity_id\" varchar(255) not null, \"kind\" varchar(255) not null, \"version_before\" bigint null, \"version_after\" bigint null, \"detail\" text null, \"created_at\" timestamptz not null)");
    this.addSql("create index \"reconcile_repair_run_id_index\" on \"reconcile_repair\" (\"run_id\")");
    this.addSql("create table \"reconcile_run\" (\"id\" serial primary key, \"mode\" varchar(255) not null, \"dry_run\" boolean not null default false, \"status\" varchar(255) not null, \"trigger\" varchar(255) not null, \"started_at\" timestamptz not null, \"finished_at\" timestamptz null, \"scanned\" jsonb null, \"repairs\" jsonb null, \"api_calls\" int not null default 0, \"rate_limited\" int not null default 0, \"checkpoint\" jsonb null, \"watermark\" bigint null, \"error\" text null, \"heartbeat_at\" timestamptz null)");
    this.addSql("create index \"reconcile_run_status_index\" on \"reconcile_run\" (\"status\")");
    this.addSql("create index \"reconcile_run_started_at_index\" on \"reconcile_run\" (\"started_at\")");
    this.addSql("create table \"reconcile_seen\" (\"run_id\" int not null, \"entity\" varchar(20) not null, \"entity_id\" varchar(100) not null, constraint \"reconcile_seen_pkey\" primary key (\"run_id\", \"entity\", \"entity_id\"))");
    this.addSql("create table \"signup\" (\"id\" serial primary key, \"customer_key\" varchar(255) not null, \"partner_key\" varchar(255) not null, \"email\" varchar(255) null, \"signed_up_at\" timestamptz not null)");
    this.addSql("alter table \"signup\" add constraint \"signup_customer_key_unique\" unique (\"customer_key\")");
    this.addSql("create index \"signup_partner_key_index\" on \"signup\" (\"partner_key\")");
    this.addSql("create table \"subscription\" (\"id\" varchar(100) not null, \"customer_id\" varchar(255) not null, \"chargebee_plan_id\" varchar(255) null, \"plan_key\" varchar(255) null, \"status\" varchar(255) not null, \"currency\" varchar(255) null, \"plan_amount\" bigint null, \"mrr\" bigint null, \"quantity\" int null, \"billing_period\" int null, \"billing_period_unit\" varchar(255) null, \"trial_start\" timestamptz null, \"trial_end\" timestamptz null, \"started_at\" timestamptz null, \"current_term_start\" timestamptz null, \"current_term_end\" timestamptz null, \"cancelled_at\" timestamptz null, \"chargebee_created_at\" timestamptz null, \"chargebee_updated_at\" timestamptz null, \"resource_version\" bigint not null, \"deleted\" boolean not null default false, \"synced_at\" timestamptz not null, \"synced_by\" varchar(255) not null, constraint \"subscription_pkey\" primary key (\"id\"))");
    this.addSql("create index \"subscription_customer_id_index\" on \"subscription\" (\"customer_id\")");
    this.addSql("create index \"subscription_chargebee_plan_id_index\" on \"subscription\" (\"chargebee_plan_id\")");
    this.addSql("create index \"subscription_plan_key_index\" on \"subscription\" (\"plan_key\")");
    this.addSql("create index \"subscription_status_index\" on \"subscription\" (\"status\")");
    this.addSql("create table \"sync_state\" (\"key\" varchar(100) not null, \"value\" jsonb not null, \"updated_at\" timestamptz not null, constraint \"sync_state_pkey\" primary key (\"key\"))");
    this.addSql("create table \"billing_transaction\" (\"id\" varchar(100) not null, \"customer_id\" varchar(255) null, \"subscription_id\" varchar(255) null, \"type\" varchar(255) not null, \"status\" varchar(255) not null, \"amount\" bigint not null, \"currency\" varchar(255) not null, \"base_currency\" varchar(255) null, \"exchange_rate\" double precision null, \"date\" timestamptz null, \"invoice_ids\" jsonb null, \"refunded_txn_id\" varchar(255) null, \"resource_version\" bigint not null, \"deleted\" boolean not null default false, \"synced_at\" timestamptz not null, \"synced_by\" varchar(255) not null, constraint \"billing_transaction_pkey\" primary key (\"id\"))");
    this.addSql("create index \"billing_transaction_customer_id_index\" on \"billing_transaction\" (\"customer_id\")");
    this.addSql("create index \"billing_transaction_subscription_id_index\" on \"billing_transaction\" (\"subscription_id\")");
    this.addSql("create index \"billing_transaction_type_index\" on \"billing_transaction\" (\"type\")");
    this.addSql("create index \"billing_transaction_status_index\" on \"billing_transaction\" (\"status\")");
    this.addSql("create index \"billing_transaction_date_index\" on \"billing_transaction\" (\"date\")");
    this.addSql("create table \"webhook_event\" (\"id\" serial primary key, \"event_id\" varchar(255) not null, \"event_type\" varchar(255) not null, \"occurred_at\" timestamptz not null, \"received_at\" timestamptz not null, \"origin\" varchar(255) not null, \"status\" varchar(255) not null, \"attempts\" int not null default 1, \"last_error\" text null, \"payload\" jsonb not null)");
    this.addSql("alter table \"webhook_event\" add constraint \"webhook_event_event_id_unique\" unique (\"event_id\")");
    this.addSql("create index \"webhook_event_event_type_index\" on \"webhook_event\" (\"event_type\")");
    this.addSql("create index \"webhook_event_received_at_index\" on \"webhook_event\" (\"received_at\")");
    this.addSql("create index \"webhook_event_status_index\" on \"webhook_event\" (\"status\")");
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists \"attribution_change\" cascade");
    this.addSql("drop table if exists \"audit_entry\" cascade");
    this.addSql("drop table if exists \"chargebee_plan\" cascade");
    this.addSql("drop table if exists \"customer\" cascade");
    this.addSql("drop table if exists \"plan_mapping\" cascade");
    this.addSql("drop table if exists \"reconcile_repair\" cascade");
    this.addSql("drop table if exists \"reconcile_run\" cascade");
    this.addSql("drop table if exists \"reconcile_seen\" cascade");
    this.addSql("drop table if exists \"signup\" cascade");
    this.addSql("drop table if exists \"subscription\" cascade");
    this.addSql("drop table if exists \"sync_state\" cascade");
    this.addSql("drop table if exists \"billing_transaction\" cascade");
    this.addSql("drop table if exists \"webhook_event\" cascade");
  }
}
