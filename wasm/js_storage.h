// JsStorage: the storage interface (cairn/storage.h) forwarded, call by call
// and synchronously, to a JavaScript object.
//
// The JS side is a "bridge" (js/src/bridge.js) wrapping a backend from
// storage-backends/ (node fs, memory, OPFS, IndexedDB). Bridge methods never
// throw; a failure comes back as an object { code, message } with a Cairn
// error code name. Bytes cross as Uint8Array views into wasm memory, never
// element by element: Read hands JS a view of the destination buffer to fill,
// Write a view of the source.
#ifndef CAIRN_WASM_JS_STORAGE_H_
#define CAIRN_WASM_JS_STORAGE_H_

#include <emscripten/val.h>

#include <memory>

#include "cairn/storage.h"

namespace cairn {

std::unique_ptr<Storage> NewJsStorage(emscripten::val bridge);

}  // namespace cairn

#endif  // CAIRN_WASM_JS_STORAGE_H_
