import { Migration } from '@mikro-orm/migrations';

export class m003_20261127 extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table \"reconcile_seen\" (\"run_id\" int not null, \"entity\" varchar(20) not null, \"entity_id\" varchar(100) not null, constraint \"reconcile_seen_pkey\" primary key (\"run_id\", \"entity\", \"entity_id\"))");
    this.addSql("alter table \"reconcile_run\" add column \"heartbeat_at\" timestamptz null");
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists \"reconcile_seen\" cascade");
    this.addSql("alter table \"reconcile_run\" drop column \"heartbeat_at\"");
  }
}
