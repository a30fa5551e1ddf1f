import { Migration } from '@mikro-orm/migrations';

/**
 * Inbox payloads (1–8 KB of JSON each) are compressed by TOAST as they are written; with the default
 * pglz that compression was the largest single cost of a webhook batch inside PostgreSQL. lz4 does
 * the same job several times faster. Servers built without lz4 (or older than 14) keep pglz.
 */
export class m003_20261127 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`do $$ begin
  if exists (select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals)) then
    alter table "webhook_event" alter column "payload" set compression lz4;
  end if;
end $$`);
  }

  override async down(): Promise<void> {
    this.addSql(`do $$ begin
  if current_setting('server_version_num')::int >= 140000 then
    alter table "webhook_event" alter column "payload" set compression default;
  end if;
end $$`);
  }
}
