import { Migration } from '@mikro-orm/migrations';

/** A change of type resets the column's compression: m003's lz4 is set again where the server has it. */
const lz4Again = `do $$ begin
  if exists (select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals)) then
    alter table "webhook_event" alter column "payload" set compression lz4;
  end if;
end $$`;

/**
 * Inbox payloads as `json` instead of `jsonb`: the body is kept as Chargebee sent it (key order and
 * all), and storing it costs PostgreSQL a syntax check instead of building a binary document. That
 * conversion was the largest share of the server's CPU per webhook (in process, batches of 32:
 * 118–127 against 125–182 µs of PostgreSQL CPU per event, both with lz4). Nothing queries inside
 * payloads; they are read whole (GraphQL `payload`, replays). Rewrites the table once.
 */
export class m004_20261127 extends Migration {
  override async up(): Promise<void> {
    this.addSql('alter table "webhook_event" alter column "payload" type json using "payload"::json');
    this.addSql(lz4Again);
  }

  override async down(): Promise<void> {
    this.addSql('alter table "webhook_event" alter column "payload" type jsonb using "payload"::jsonb');
    this.addSql(lz4Again);
  }
}
