import type { MigrationObject } from '@mikro-orm/core';
import { m001_20261127 } from './m001_20261127.js';
import { m002_20261127 } from './m002_20261127.js';
import { m003_20261127 } from './m003_20261127.js';
import { m004_20261127 } from './m004_20261127.js';

export const postgresMigrations: MigrationObject[] = [
  { name: 'm001_20261127', class: m001_20261127 },
  { name: 'm002_20261127', class: m002_20261127 },
  { name: 'm003_20261127', class: m003_20261127 },
  { name: 'm004_20261127', class: m004_20261127 },
];
