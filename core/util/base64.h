// Base64 (RFC 4648, standard alphabet, with padding): how spatial byte
// payloads appear in their versions' JSON (FORMAT.md, "Spaces") and in the
// CLI's output. Depends on nothing else in core, so hosts may include it.
//
// Thread-safety: pure functions.
#ifndef CAIRN_UTIL_BASE64_H_
#define CAIRN_UTIL_BASE64_H_

#include <string>
#include <string_view>

namespace cairn {

std::string Base64Encode(std::string_view bytes);

// Decodes padded standard base64 into *out; false for any other text
// (a length not a multiple of 4, a foreign character, misplaced padding).
bool Base64Decode(std::string_view text, std::string* out);

}  // namespace cairn

#endif  // CAIRN_UTIL_BASE64_H_
