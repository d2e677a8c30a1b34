// Request parameters: the GET query form into the same object a JSON body gives, and type checks
// against a per-action schema. Types: 'string', 'boolean', 'integer', 'string[]', 'filters'.

/**
 * `ImageIds.0=a&Filters.0.Values.1=b` → { ImageIds: ['a'], Filters: [{ Values: [, 'b'] }] }.
 * Throws TypeError when keys conflict (`A=1&A.0=2`).
 */
export function parseQuery(rawQuery) {
  const out = {};
  for (const [key, value] of new URLSearchParams(rawQuery)) {
    const path = key.split('.');
    // Only PascalCase names and small indexes nest; anything else stays one (unknown) top-level
    // key, so `__proto__.x` cannot reach a prototype and `A.99999999` cannot allocate.
    if (!path.every((p, i) => (i === 0 ? /^[A-Z][A-Za-z0-9]*$/ : /^(?:[A-Z][A-Za-z0-9]*|\d{1,3})$/).test(p))) {
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      continue;
    }
    let node = out;
    path.forEach((part, i) => {
      if (typeof node !== 'object') throw new TypeError(`conflicting query keys at ${key}`);
      const last = i === path.length - 1;
      if (last) node[part] = value;
      else node = node[part] ??= /^\d+$/.test(path[i + 1]) ? [] : {};
    });
  }
  return out;
}

const isString = (v) => typeof v === 'string';

/**
 * Checks `params` against `schema`. Returns { code, message } for the first problem, or null.
 * With `fromQuery`, values are strings from a GET query and are converted in place first.
 */
export function checkParams(params, schema, { fromQuery = false } = {}) {
  for (const name of Object.keys(params)) {
    if (!(name in schema)) return { code: 'UnknownParameter', message: `The parameter \`${name}\` is not recognized.` };
  }
  for (const [name, type] of Object.entries(schema)) {
    if (params[name] === undefined) continue;
    if (fromQuery) params[name] = fromQueryValue(params[name], type);
    if (!hasType(params[name], type)) {
      return { code: 'InvalidParameter', message: `The parameter \`${name}\` must be of type ${type}.` };
    }
  }
  return null;
}

function hasType(v, type) {
  switch (type) {
    case 'string': return isString(v);
    case 'boolean': return typeof v === 'boolean';
    case 'integer': return Number.isSafeInteger(v);
    case 'string[]': return Array.isArray(v) && [...v].every(isString); // spread: holes are undefined
    case 'filters':
      return Array.isArray(v) && [...v].every((f) => f && typeof f === 'object' && !Array.isArray(f)
        && isString(f.Name) && hasType(f.Values, 'string[]') && Object.keys(f).every((k) => k === 'Name' || k === 'Values'));
    default: return false;
  }
}

function fromQueryValue(v, type) {
  if (type === 'boolean' && (v === 'true' || v === 'false')) return v === 'true';
  if (type === 'integer' && /^\d+$/.test(v)) return Number(v);
  return v;
}
