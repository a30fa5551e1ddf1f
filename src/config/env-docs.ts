import { z } from 'zod';
import { envSchema } from './env.js';

export interface EnvVarDoc {
  name: string;
  defaultValue: string;
  description: string;
}

interface WrapperDef {
  type: string;
  defaultValue?: unknown;
  innerType?: z.ZodType;
  in?: z.ZodType;
}

/** Unwraps wrappers (optional, default, pipes) to find a field's default value. */
function defaultOf(schema: z.ZodType): unknown {
  let current: z.ZodType | undefined = schema;
  for (let depth = 0; current && depth < 10; depth++) {
    const def: WrapperDef = (current as unknown as { _zod: { def: WrapperDef } })._zod.def;
    if (def.type === 'default') return typeof def.defaultValue === 'function' ? (def.defaultValue as () => unknown)() : def.defaultValue;
    current = def.innerType ?? def.in;
  }
  return undefined;
}

/** Every variable of the configuration schema with its default and description, in schema order. */
export function envDocs(): EnvVarDoc[] {
  return Object.entries(envSchema.shape).map(([name, schema]) => {
    const value = defaultOf(schema as z.ZodType);
    return {
      name,
      defaultValue: value === undefined ? '' : String(value),
      description: (schema as z.ZodType).description ?? '',
    };
  });
}

export function envTableMarkdown(): string {
  const rows = envDocs().map((d) => `| \`${d.name}\` | ${d.defaultValue === '' ? '—' : `\`${d.defaultValue}\``} | ${d.description.replace(/\|/g, '\\|')} |`);
  return ['| Variable | Default | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
