#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sluice {

// Where a failure came from. Decides who is blamed in the HTTP status and whether a retry can help.
enum class ErrorSource { kClient, kUpstream, kInternal };

// What went wrong, coarse enough to be a table key for the HTTP status and retry decisions.
enum class ErrorKind {
  kInvalidArgument,    // malformed input (client JSON, config value)
  kNotFound,           // no such path / route / resource
  kUnprocessable,      // well-formed but cannot be expressed for the target
  kTooLarge,           // size limit exceeded
  kUnavailable,        // cannot connect / connection lost before an answer
  kTimeout,            // deadline passed
  kProtocol,           // peer broke its wire protocol
  kInternal,           // a bug or an impossible state
};

// An error value: kind, source, whether retrying on another upstream may succeed, and a message a
// human can act on. Cheap to move; never thrown.
class Error {
 public:
  Error(ErrorKind kind, std::string message, ErrorSource source = ErrorSource::kInternal,
        bool retryable = false)
      : kind_(kind), source_(source), retryable_(retryable), message_(std::move(message)) {}

  ErrorKind kind() const { return kind_; }
  ErrorSource source() const { return source_; }
  bool retryable() const { return retryable_; }
  const std::string& message() const { return message_; }

 private:
  ErrorKind kind_;
  ErrorSource source_;
  bool retryable_;
  std::string message_;
};

// Result<T>: a value or an Error. Result<void> carries only success or an Error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }
  Error&& take_error() { assert(!ok()); return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { assert(!ok_); return error_; }

 private:
  Error error_{ErrorKind::kInternal, {}};
  bool ok_ = true;
};

inline Result<void> Ok() { return {}; }

}  // namespace sluice
