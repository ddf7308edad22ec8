#include "index/tokenizer.h"

#include "nql/row.h"

namespace cairn {
namespace {

size_t CharLength(unsigned char lead) {
  return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

uint32_t CodePointAt(std::string_view s, size_t i, size_t n) {
  const auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i + k])); };
  switch (n) {
    case 1: return b(0);
    case 2: return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3: return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    default: return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
}

bool IsWordChar(uint32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (c >= 0x80 && c <= 0xBF) return c == 0xAA || c == 0xB2 || c == 0xB3 || c == 0xB5 || c == 0xB9 || c == 0xBA;
  if (c == 0xD7 || c == 0xF7) return false;
  if (c >= 0x2000 && c <= 0x206F) return false;  // General Punctuation
  if (c >= 0x20A0 && c <= 0x20CF) return false;  // currency
  if (c >= 0x2190 && c <= 0x2BFF) return false;  // arrows, math, boxes, shapes, dingbats
  if (c >= 0x3000 && c <= 0x303F) return false;  // CJK symbols and punctuation
  if (c >= 0xFE30 && c <= 0xFE4F) return false;  // CJK compatibility forms
  if (c >= 0xFF00 && c <= 0xFF0F) return false;  // fullwidth punctuation
  if (c >= 0xFF1A && c <= 0xFF20) return false;
  if (c >= 0xFF3B && c <= 0xFF40) return false;
  if (c >= 0xFF5B && c <= 0xFF65) return false;
  if (c == 0xFEFF) return false;
  return true;
}

void Emit(std::string_view word, std::vector<std::string>* out) {
  std::string w = nql::FoldCase(word);
  if (w.size() > kMaxTokenBytes) {
    size_t cut = kMaxTokenBytes;
    while (cut > 0 && (static_cast<unsigned char>(w[cut]) & 0xC0) == 0x80) cut--;
    w.resize(cut);
  }
  out->push_back(std::move(w));
}

}  // namespace

void Tokenize(std::string_view text, std::vector<std::string>* out) {
  size_t start = std::string_view::npos;
  for (size_t i = 0; i < text.size();) {
    const size_t n = std::min(CharLength(static_cast<unsigned char>(text[i])), text.size() - i);
    const bool word = IsWordChar(CodePointAt(text, i, n));
    if (word && start == std::string_view::npos) start = i;
    if (!word && start != std::string_view::npos) {
      Emit(text.substr(start, i - start), out);
      start = std::string_view::npos;
    }
    i += n;
  }
  if (start != std::string_view::npos) Emit(text.substr(start), out);
}

}  // namespace cairn
