#include "nql/lexer.h"

#include "util/json.h"

namespace cairn::nql {
namespace {

bool IsWordStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsWordChar(char c) { return IsWordStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  Result<std::vector<Token>> Run() {
    if (!IsValidUtf8(text_)) return Status::ParseError("query is not valid UTF-8");
    std::vector<Token> out;
    while (true) {
      SkipSpace();
      Token t;
      t.line = line_;
      t.column = column_;
      if (pos_ >= text_.size()) {
        t.kind = TokenKind::kEnd;
        out.push_back(std::move(t));
        return out;
      }
      const char c = text_[pos_];
      if (IsWordStart(c)) {
        t.kind = TokenKind::kWord;
        while (pos_ < text_.size() && IsWordChar(text_[pos_])) t.text.push_back(Advance());
      } else if (IsDigit(c) || (c == '-' && pos_ + 1 < text_.size() &&
                                (IsDigit(text_[pos_ + 1]) || text_[pos_ + 1] == '.'))) {
        CAIRN_RETURN_IF_ERROR(Number(&t));
      } else if (c == '.' && pos_ + 1 < text_.size() && IsDigit(text_[pos_ + 1]) &&
                 (out.empty() || out.back().kind == TokenKind::kPunct)) {
        CAIRN_RETURN_IF_ERROR(Number(&t));
      } else if (c == '"') {
        t.kind = TokenKind::kString;
        CAIRN_RETURN_IF_ERROR(Quoted('"', "string", &t.text));
      } else if (c == '`') {
        t.kind = TokenKind::kQuotedName;
        CAIRN_RETURN_IF_ERROR(Quoted('`', "quoted name", &t.text));
        if (t.text.empty()) return Error(t, "empty quoted name ``");
      } else {
        t.kind = TokenKind::kPunct;
        static constexpr std::string_view kTwo[] = {"!=", "<>", "<=", ">="};
        for (std::string_view two : kTwo) {
          if (text_.substr(pos_, 2) == two) {
            t.text = std::string(two);
            Advance();
            Advance();
            break;
          }
        }
        if (t.text.empty()) {
          if (std::string_view(",.()=<>*").find(c) == std::string_view::npos) {
            std::string shown;
            if (static_cast<unsigned char>(c) < 0x20) {
              shown = "control character " + std::to_string(static_cast<int>(c));
            } else {
              size_t n = 1;
              while (pos_ + n < text_.size() && (static_cast<unsigned char>(text_[pos_ + n]) & 0xC0) == 0x80) n++;
              shown = "'" + std::string(text_.substr(pos_, n)) + "'";
            }
            return Error(t, "unexpected " + shown);
          }
          t.text = std::string(1, Advance());
        }
      }
      out.push_back(std::move(t));
    }
  }

 private:
  char Advance() {
    const char c = text_[pos_++];
    if (c == '\n') {
      line_++;
      column_ = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      column_++;  // columns count characters, not bytes
    }
    return c;
  }

  void SkipSpace() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        Advance();
      } else if (c == '-' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '-') {
        while (pos_ < text_.size() && text_[pos_] != '\n') Advance();  // -- comment
      } else {
        break;
      }
    }
  }

  static Status Error(const Token& at, const std::string& what) {
    return Status::ParseError("line " + std::to_string(at.line) + ", column " +
                              std::to_string(at.column) + ": " + what);
  }

  Status Number(Token* t) {
    t->kind = TokenKind::kNumber;
    if (text_[pos_] == '-') t->text.push_back(Advance());
    bool digits = false;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) {
      t->text.push_back(Advance());
      digits = true;
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      t->text.push_back(Advance());
      while (pos_ < text_.size() && IsDigit(text_[pos_])) {
        t->text.push_back(Advance());
        digits = true;
      }
    }
    if (!digits) return Error(*t, "malformed number '" + t->text + "'");
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      t->text.push_back(Advance());
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) t->text.push_back(Advance());
      if (pos_ >= text_.size() || !IsDigit(text_[pos_])) {
        return Error(*t, "malformed number '" + t->text + "': the exponent has no digits");
      }
      while (pos_ < text_.size() && IsDigit(text_[pos_])) t->text.push_back(Advance());
    }
    if (pos_ < text_.size() && IsWordStart(text_[pos_])) {
      return Error(*t, "malformed number '" + t->text + std::string(1, text_[pos_]) + "'");
    }
    return Status::OK();
  }

  Status Quoted(char quote, const char* what, std::string* out) {
    Token start;
    start.line = line_;
    start.column = column_;
    Advance();  // the opening quote
    while (true) {
      if (pos_ >= text_.size()) return Error(start, std::string("unterminated ") + what);
      const char c = Advance();
      if (c == quote) return Status::OK();
      if (c != '\\' || quote == '`') {
        if (c == '\n' && quote == '`') return Error(start, std::string("unterminated ") + what);
        out->push_back(c);
        continue;
      }
      Token esc;
      esc.line = line_;
      esc.column = column_ - 1;
      if (pos_ >= text_.size()) return Error(start, std::string("unterminated ") + what);
      const char e = Advance();
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          uint32_t cp;
          CAIRN_RETURN_IF_ERROR(Hex4(esc, &cp));
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            if (text_.substr(pos_, 2) != "\\u") return Error(esc, "unpaired surrogate in \\u escape");
            Advance();
            Advance();
            CAIRN_RETURN_IF_ERROR(Hex4(esc, &lo));
            if (lo < 0xDC00 || lo > 0xDFFF) return Error(esc, "unpaired surrogate in \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return Error(esc, "unpaired surrogate in \\u escape");
          }
          AppendUtf8(out, cp);
          break;
        }
        default:
          return Error(esc, std::string("unknown escape \\") + e + " in " + what);
      }
    }
  }

  Status Hex4(const Token& esc, uint32_t* cp) {
    *cp = 0;
    for (int i = 0; i < 4; i++) {
      if (pos_ >= text_.size()) return Error(esc, "\\u needs four hex digits");
      const char h = text_[pos_];
      uint32_t v;
      if (h >= '0' && h <= '9') v = h - '0';
      else if (h >= 'a' && h <= 'f') v = h - 'a' + 10;
      else if (h >= 'A' && h <= 'F') v = h - 'A' + 10;
      else return Error(esc, "\\u needs four hex digits");
      Advance();
      *cp = *cp * 16 + v;
    }
    return Status::OK();
  }

  std::string_view text_;
  size_t pos_ = 0;
  uint32_t line_ = 1;
  uint32_t column_ = 1;
};

}  // namespace

Result<std::vector<Token>> Tokenize(std::string_view text) { return Lexer(text).Run(); }

std::string Describe(const Token& t) {
  switch (t.kind) {
    case TokenKind::kEnd: return "end of query";
    case TokenKind::kString: {
      std::string s;
      AppendJsonString(&s, t.text);
      return s;
    }
    case TokenKind::kQuotedName: return "`" + t.text + "`";
    default: return "'" + t.text + "'";
  }
}

}  // namespace cairn::nql
