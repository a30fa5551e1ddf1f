import { Migration } from '@mikro-orm/migrations';

export class m002_20261127 extends Migration {
  override async up(): Promise<void> {
    this.addSql("drop index \"customer_partner_key_index\"");
    this.addSql("create index \"customer_partner_key_id_index\" on \"customer\" (\"partner_key\", \"id\")");
    this.addSql("drop index \"subscription_plan_key_index\"");
    this.addSql("drop index \"subscription_status_index\"");
    this.addSql("create index \"subscription_plan_key_id_index\" on \"subscription\" (\"plan_key\", \"id\")");
    this.addSql("create index \"subscription_status_id_index\" on \"subscription\" (\"status\", \"id\")");
  }

  override async down(): Promise<void> {
    this.addSql("drop index \"customer_partner_key_id_index\"");
    this.addSql("create index \"customer_partner_key_index\" on \"customer\" (\"partner_key\")");
    this.addSql("drop index \"subscription_plan_key_id_index\"");
    this.addSql("drop index \"subscription_status_id_index\"");
    this.addSql("create index \"subscription_plan_key_index\" on \"subscription\" (\"plan_key\")");
    this.addSql("create index \"subscription_status_index\" on \"subscription\" (\"status\")");
  }
}
