// How documents cross from the main thread to the database worker. A
// document crosses as its JSON text, made by the same toJsonText the engine
// entry uses, because structured cloning would change what JSON.stringify
// sees (class instances lose their toJSON, functions fail to clone). A
// document JSON cannot hold crosses as the INVALID_ARGUMENT it gives, which
// the worker raises where the Database would have found it, so errors come
// in the same order, with the same messages, as in Node.
import { CairnError } from './errors.js';
import { JsonText, toJsonText } from './database.js';

export function encodeDoc(doc, where) {
  try {
    return { text: toJsonText(doc, where) };
  } catch (e) {
    if (!(e instanceof CairnError)) throw e;
    return { invalid: e.message.slice(e.code.length + 2) };
  }
}

// The value Database.put / putMany receive in the worker: the text itself
// (the engine parses it once, into its canonical form).
export function decodeDoc(wire) {
  if (wire && typeof wire.text === 'string') return new JsonText(wire.text);
  const message = wire?.invalid ?? 'doc did not cross to the worker';
  return {
    toJSON() {
      throw new CairnError('INVALID_ARGUMENT', message);
    },
  };
}
