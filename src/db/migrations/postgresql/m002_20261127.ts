import { Migration } from '@mikro-orm/migrations';

export class m002_20261127 extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table \"audit_entry\" (\"id\" serial primary key, \"actor\" varchar(255) not null, \"action\" varchar(255) not null, \"target\" varchar(255) null, \"before\" jsonb null, \"after\" jsonb null, \"request_id\" varchar(255) null, \"created_at\" timestamptz not null)");
    this.addSql("create index \"audit_entry_actor_index\" on \"audit_entry\" (\"actor\")");
    this.addSql("create index \"audit_entry_action_index\" on \"audit_entry\" (\"action\")");
    this.addSql("create index \"audit_entry_created_at_index\" on \"audit_entry\" (\"created_at\")");
    this.addSql("create table \"chargebee_plan\" (\"id\" varchar(100) not null, \"name\" varchar(255) null, \"catalog\" varchar(255) not null, \"status\" varchar(255) null, \"currency\" varchar(255) null, \"price\" bigint null, \"period\" int null, \"period_unit\" varchar(255) null, \"seen_at\" timestamptz not null, constraint \"chargebee_plan_pkey\" primary key (\"id\"))");
    this.addSql("create table \"reconcile_repair\" (\"id\" serial primary key, \"run_id\" int not null, \"entity\" varchar(255) not null, \"entity_id\" varchar(255) not null, \"kind\" text check (\"kind\" in ('missing', 'stale', 'deleted_upstream', 'plan_mismatch', 'unmapped_plan')) not null, \"version_before\" bigint null, \"version_after\" bigint null, \"detail\" text null, \"created_at\" timestamptz not null)");
    this.addSql("create index \"reconcile_repair_run_id_index\" on \"reconcile_repair\" (\"run_id\")");
    this.addSql("create table \"reconcile_run\" (\"id\" serial primary key, \"mode\" text check (\"mode\" in ('incremental', 'full', 'plans')) not null, \"dry_run\" boolean not null default false, \"status\" text check (\"status\" in ('running', 'succeeded', 'partial', 'failed')) not null, \"trigger\" varchar(255) not null, \"started_at\" timestamptz not null, \"finished_at\" timestamptz null, \"scanned\" jsonb null, \"repairs\" jsonb null, \"api_calls\" int not null default 0, \"rate_limited\" int not null default 0, \"checkpoint\" jsonb null, \"watermark\" bigint null, \"error\" text null)");
    this.addSql("create index \"reconcile_run_status_index\" on \"reconcile_run\" (\"status\")");
    this.addSql("create index \"reconcile_run_started_at_index\" on \"reconcile_run\" (\"started_at\")");
    this.addSql("create table \"sync_state\" (\"key\" varchar(100) not null, \"value\" jsonb not null, \"updated_at\" timestamptz not null, constraint \"sync_state_pkey\" primary key (\"key\"))");
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists \"audit_entry\" cascade");
    this.addSql("drop table if exists \"chargebee_plan\" cascade");
    this.addSql("drop table if exists \"reconcile_repair\" cascade");
    this.addSql("drop table if exists \"reconcile_run\" cascade");
    this.addSql("drop table if exists \"sync_state\" cascade");
  }
}
