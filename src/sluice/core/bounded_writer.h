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

  BoundedWriter(std::string& out, size_t max_bytes) : BoundedWriter(out, out.size(), max_bytes) {
    keep_size_ = false;
  }
  // Writes at out[at] onward and leaves out's size as it is, only growing it when it is shorter
  // than at + max_bytes: a buffer that takes piece after piece is not zero-filled again for each
  // (std::string::resize fills what it adds). end() tells where the writing stopped.
  BoundedWriter(std::string& out, size_t at, size_t max_bytes) : out_(out) {
    if (out.size() < at + max_bytes) out.resize(at + max_bytes);
    p_ = out.data() + at;
  }
  ~BoundedWriter() {
    if (!keep_size_) out_.resize(end());
  }
  BoundedWriter(const BoundedWriter&) = delete;
  BoundedWriter& operator=(const BoundedWriter&) = delete;

  void Literal(std::string_view s) {
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  void Char(char c) { *p_++ = c; }
  size_t end() const { return static_cast<size_t>(p_ - out_.data()); }
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
  bool keep_size_ = true;
};

}  // namespace sluice
