#pragma once

// Building a string whose size is bounded before it is written (an HTTP head, a log record).

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace sluice {

// Writes into room reserved at the end of a string: the caller bounds the total first, so each
// piece is a plain copy, with none of std::string::append's capacity checks and calls; the string
// is cut to what was written when the writer goes. Writing more than the bound is a bug.
class BoundedWriter {
 public:
  static constexpr size_t kMaxNumberBytes = 20;  // UINT64_MAX

  BoundedWriter(std::string& out, size_t max_bytes) : out_(out) {
    const size_t base = out.size();
    out.resize(base + max_bytes);
    p_ = out.data() + base;
  }
  ~BoundedWriter() { out_.resize(static_cast<size_t>(p_ - out_.data())); }
  BoundedWriter(const BoundedWriter&) = delete;
  BoundedWriter& operator=(const BoundedWriter&) = delete;

  void Literal(std::string_view s) {
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  void Char(char c) { *p_++ = c; }
  void Number(uint64_t v) { p_ = std::to_chars(p_, p_ + kMaxNumberBytes, v).ptr; }
  // An HTTP field line, "name: value" and CRLF: kFieldSeparatorBytes besides name and value.
  static constexpr size_t kFieldSeparatorBytes = 4;
  void Field(std::string_view name, std::string_view value) {
    Literal(name);
    Literal(": ");
    Literal(value);
    Literal("\r\n");
  }

 protected:
  char*& cursor() { return p_; }

 private:
  std::string& out_;
  char* p_;
};

}  // namespace sluice
