// Query strings and params arrive as text, so the app's ajv coerces them to the schema's types. Ajv
// turns any text that is a number by JavaScript's rules into that number, so "1e309" becomes
// Infinity; and its minimum/maximum checks only look at finite numbers, so Infinity then passes
// `integer, maximum: 130` and reaches a handler or the database. Every validator the app compiles
// is wrapped here: after ajv accepts the (coerced) input, a number that is not finite is refused as
// an ordinary validation error, in the same shape as ajv's own.
import { AjvCompiler, type ErrorObject, type ValidatorFactory } from '@fastify/ajv-compiler';

type Validator = ReturnType<ReturnType<ValidatorFactory>>;

/** Does the schema accept a number anywhere? Only those validators need the walk. */
export function schemaHasNumbers(schema: unknown): boolean {
  if (Array.isArray(schema)) return schema.some(schemaHasNumbers);
  if (schema === null || typeof schema !== 'object') return false;
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'type' && (value === 'number' || value === 'integer' || (Array.isArray(value) && (value.includes('number') || value.includes('integer'))))) {
      return true;
    }
    if (typeof value === 'object' && schemaHasNumbers(value)) return true;
  }
  return false;
}

/** The JSON-pointer path of the first number in `data` that is not finite, or undefined. */
export function nonFinitePath(data: unknown, path = ''): string | undefined {
  if (typeof data === 'number') return Number.isFinite(data) ? undefined : path;
  if (data === null || typeof data !== 'object') return undefined;
  if (Array.isArray(data)) {
    for (let i = 0; i < data.length; i++) {
      const found = nonFinitePath(data[i], `${path}/${i}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(data)) {
    const found = nonFinitePath((data as Record<string, unknown>)[key], `${path}/${key}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

function refusingNonFinite(validate: Validator): Validator {
  const wrapped = ((data: unknown) => {
    const verdict = validate(data);
    if (verdict !== true) {
      wrapped.errors = validate.errors ?? null;
      return verdict;
    }
    const path = nonFinitePath(data);
    if (path === undefined) {
      wrapped.errors = null;
      return true;
    }
    const refusal: ErrorObject = { keyword: 'finite', instancePath: path, schemaPath: '#', params: {}, message: 'must be a finite number' };
    wrapped.errors = [refusal];
    return false;
  }) as Validator;
  return wrapped;
}

/** Fastify's `schemaController.compilersFactory.buildValidator`: its stock ajv compiler, wrapped. */
export function finiteNumberValidators(): ValidatorFactory {
  const stock = AjvCompiler();
  return ((externalSchemas, options) => {
    const compile = stock(externalSchemas, options);
    return (route) => {
      const validate = compile(route);
      return schemaHasNumbers(route.schema) ? refusingNonFinite(validate) : validate;
    };
  }) as ValidatorFactory;
}
