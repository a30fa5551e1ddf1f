/** `npm run docs:config`: rewrites README.md's configuration table from the configuration schema. */
import { readFileSync, writeFileSync } from 'node:fs';
import { envTableMarkdown } from '../src/config/env-docs.js';

const start = '<!-- config:start -->';
const end = '<!-- config:end -->';
const readme = readFileSync('README.md', 'utf8');
const from = readme.indexOf(start);
const to = readme.indexOf(end);
if (from < 0 || to < 0) throw new Error('README.md has no config markers');
writeFileSync('README.md', `${readme.slice(0, from + start.length)}\n${envTableMarkdown()}\n${readme.slice(to)}`);
console.log('README.md configuration table updated');
