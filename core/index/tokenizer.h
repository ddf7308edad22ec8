// The full-text tokenizer (documented in README, "Full-text search").
//
// Text is split into words at word boundaries: a word is a maximal run of
// letters and digits, where ASCII letters and digits count, and so does every
// non-ASCII character except spaces, punctuation and symbols of the
// Latin-1, General Punctuation, CJK Symbols and Fullwidth Forms blocks.
// Words are lowercased with Unicode simple case mappings (nql::FoldCase).
// Words longer than 64 bytes are cut to 64 bytes (at a character boundary).
#ifndef CAIRN_INDEX_TOKENIZER_H_
#define CAIRN_INDEX_TOKENIZER_H_

#include <string>
#include <string_view>
#include <vector>

namespace cairn {

inline constexpr size_t kMaxTokenBytes = 64;

// Appends the words of `text` (valid UTF-8) to *out, in order, repeats kept.
void Tokenize(std::string_view text, std::vector<std::string>* out);

}  // namespace cairn

#endif  // CAIRN_INDEX_TOKENIZER_H_
