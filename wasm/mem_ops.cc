// The wasm build's memcpy, memmove and memcmp (see mem_ops.h). Emscripten's
// libc defines its own as weak symbols or in archive members of their own,
// so these take their place at link time. Compiled with -fno-builtin
// (wasm/wasm.cmake), so that the compiler never turns the loops back into
// calls to the functions they define.
#include <cstddef>

#include "wasm/mem_ops.h"

extern "C" {

// The runtime's copy of a range within the wasm memory (copyWithin on the
// heap, which is a memmove): faster than any loop once the range is large.
// It returns nothing (libc declares a result, which is always 0).
void emscripten_memcpy_big(void* dest, const void* src, size_t n);

}  // extern "C"

namespace {

// libc's own threshold for handing a copy to the runtime.
constexpr size_t kBigCopyBytes = 512;

}  // namespace

extern "C" {

void* memcpy(void* __restrict dest, const void* __restrict src, size_t n) {
  if (n < kBigCopyBytes) return cairn::wasm_mem::Copy(dest, src, n);
  emscripten_memcpy_big(dest, src, n);
  return dest;
}

void* memmove(void* dest, const void* src, size_t n) {
  if (n < kBigCopyBytes) return cairn::wasm_mem::Move(dest, src, n);
  emscripten_memcpy_big(dest, src, n);
  return dest;
}

int memcmp(const void* a, const void* b, size_t n) { return cairn::wasm_mem::Compare(a, b, n); }

}  // extern "C"
