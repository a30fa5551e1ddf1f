import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envDocs, envTableMarkdown } from '../../src/config/env-docs.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README configuration table', () => {
  it('is exactly what the configuration schema generates (run `npm run docs:config`)', () => {
    const block = readme.slice(readme.indexOf('<!-- config:start -->') + '<!-- config:start -->'.length, readme.indexOf('<!-- config:end -->')).trim();
    expect(block).toBe(envTableMarkdown());
  });

  it('describes every variable', () => {
    for (const doc of envDocs()) expect(doc.description, doc.name).not.toBe('');
  });

  it('lists every variable .env.example and docker-compose.yml mention', () => {
    const names = new Set(envDocs().map((d) => d.name));
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    for (const match of example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)) {
      if (match[1] !== 'POSTGRES_PASSWORD') expect(names.has(match[1] as string), match[1]).toBe(true);
    }
  });
});
