import { Migration } from '@mikro-orm/migrations';

export class m003_20261127 extends Migration {
  override async up(): Promise<void> {
    this.addSql("create table `reconcile_seen` (`run_id` integer not null, `entity` text not null, `entity_id` text not null, primary key (`run_id`, `entity`, `entity_id`))");
    this.addSql("alter table `reconcile_run` add column `heartbeat_at` datetime null");
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists `reconcile_seen`");
    this.addSql("alter table `reconcile_run` drop column `heartbeat_at`");
  }
}
