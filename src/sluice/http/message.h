#pragma once

// HTTP/1.1 message types shared by the server and the upstream client. No I/O here.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::http {

struct Header {
  std::string name;  // as received; compare case-insensitively
  std::string value;
};

// How much cleared fields' storage a header list keeps for reuse (see Headers::Clear).
inline constexpr size_t kKeptHeaderBytes = 8 * 1024;

// An ordered header list with case-insensitive lookup (RFC 9110 §5.1). Linear scans: requests
// carry a few dozen headers at most, where a vector beats any map.
//
// Cleared fields are kept as spares, strings and all: a list that is cleared and refilled (a
// keep-alive connection's requests) reuses their storage instead of allocating every name and
// value longer than the short-string buffer again.
class Headers {
 public:
  std::optional<std::string_view> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  // Replaces every field with this name by one field.
  void Set(std::string_view name, std::string_view value);
  void Add(std::string_view name, std::string_view value);
  void Remove(std::string_view name);
  void Clear() { size_ = 0; }
  // Clear, and also drops the spares when they hold more than `max_spare_bytes`.
  void Clear(size_t max_spare_bytes);
  // A new, empty field at the end (a spare's storage when there is one).
  Header& Append();
  Header& back() { return fields_[size_ - 1]; }
  void Reserve(size_t n) { fields_.reserve(n); }

  std::span<const Header> fields() const { return {fields_.data(), size_}; }
  size_t size() const { return size_; }

 private:
  std::vector<Header> fields_;  // [0, size_) are the fields; the rest are spares
  size_t size_ = 0;
};

// Collects header fields from llhttp's span callbacks, which may hand over a name or a value in
// several pieces (when it straddles two reads): the first piece of a name starts a new field, in
// place, so no name or value is copied again afterwards.
class HeaderCollector {
 public:
  void Reset(Headers* headers) {
    headers_ = headers;
    in_name_ = false;
  }
  void OnNamePiece(std::string_view piece) {
    if (!in_name_) {
      headers_->Append();
      in_name_ = true;
    }
    headers_->back().name.append(piece);
  }
  void OnNameComplete() { in_name_ = false; }
  void OnValuePiece(std::string_view piece) { headers_->back().value.append(piece); }

 private:
  Headers* headers_ = nullptr;
  bool in_name_ = false;
};

// Work on a request body while it is still arriving (such as indexing a JSON document), so that
// less is left once its last byte is in. The server offers large bodies to a BodyObserverFactory
// (server.h); the handler finds the observer it made in Request::body_observer.
class BodyObserver {
 public:
  virtual ~BodyObserver() = default;
  // The first `received` bytes of `body` are final; more are on their way.
  virtual void OnBodyBytes(std::string& body, size_t received) = 0;
};

struct Request {
  std::string method;
  std::string target;  // request-target as sent: path and query
  int version_minor = 1;
  Headers headers;
  std::string body;  // decoded (de-chunked) body
  bool keep_alive = true;
  std::unique_ptr<BodyObserver> body_observer;  // set while a large body arrived, or null

  std::string_view path() const {  // target without the query
    std::string_view t = target;
    return t.substr(0, t.find('?'));
  }
  std::string_view host() const { return headers.Get("host").value_or(""); }

  // Empties this request for the next one on the same connection. Buffers stay allocated (that
  // is the point) unless the body's is larger than an idle connection should hold on to.
  void Recycle() {
    constexpr size_t kKeptBodyCapacity = 8 * 1024;
    method.clear();
    target.clear();
    version_minor = 1;
    headers.Clear(kKeptHeaderBytes);
    if (body.capacity() > kKeptBodyCapacity) {
      std::string().swap(body);
    } else {
      body.clear();
    }
    keep_alive = true;
    body_observer.reset();
  }
};

std::string_view StatusReason(int status);

// Hop-by-hop fields (RFC 9110 §7.6.1) and framing fields that a proxy re-creates itself.
bool IsHopByHopOrFraming(std::string_view name);

}  // namespace sluice::http
