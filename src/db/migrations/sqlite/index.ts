import type { MigrationObject } from '@mikro-orm/core';
import { m001_20261127 } from './m001_20261127.js';

export const sqliteMigrations: MigrationObject[] = [
  { name: 'm001_20261127', class: m001_20261127 },
];
