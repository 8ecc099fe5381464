// The exported model constants' values, read from the C++ library's built-in
// descriptors (models.h) through the addon.
import { native } from './native';

/** An exported model constant: a built-in model of the C++ library. */
export interface BuiltinModel {
  readonly modelSource: string;
  readonly name: string;
}

const builtins = native.builtinModels();

/** The built-in model `name` as a frozen { modelSource, name }. */
export function builtinModel(name: string): BuiltinModel {
  const entry = builtins[name];
  if (!entry) {
    // Only when lib/generated/tables.ts was generated from another library
    // version than the addon was built against (npm test checks they agree).
    throw new Error(
      `etvision: the native library has no built-in model '${name}'; ` +
        'rebuild the package (npm install) or regenerate lib/generated (npm run gen-tables)',
    );
  }
  return Object.freeze({ modelSource: entry.modelSource, name });
}
