// The module hooks behind refuse-modules.js (they run on the loader's own thread).
let refused = null;

export function initialize(data) {
  refused = new RegExp(data.pattern);
}

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  if (refused && refused.test(result.url)) throw new Error(`refused to load ${result.url} (PALAVER_REFUSE_MODULES=${refused.source})`);
  return result;
}
