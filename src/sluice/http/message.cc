#include "sluice/http/message.h"

#include <algorithm>

#include "sluice/core/strings.h"

namespace sluice::http {

std::optional<std::string_view> Headers::Get(std::string_view name) const {
  for (const auto& f : fields()) {
    if (EqualsIgnoreCase(f.name, name)) return std::string_view(f.value);
  }
  return std::nullopt;
}

void Headers::Set(std::string_view name, std::string_view value) {
  Remove(name);
  Add(name, value);
}

void Headers::Add(std::string_view name, std::string_view value) {
  Header& field = Append();
  field.name.assign(name);
  field.value.assign(value);
}

Header& Headers::Append() {
  if (size_ == fields_.size()) {
    fields_.emplace_back();
  } else {
    fields_[size_].name.clear();
    fields_[size_].value.clear();
  }
  return fields_[size_++];
}

void Headers::Remove(std::string_view name) {
  // Compacts in place; removed fields become spares (swapped, not copied).
  size_t kept = 0;
  for (size_t i = 0; i < size_; ++i) {
    if (EqualsIgnoreCase(fields_[i].name, name)) continue;
    if (kept != i) std::swap(fields_[kept], fields_[i]);
    ++kept;
  }
  size_ = kept;
}

void Headers::Clear(size_t max_spare_bytes) {
  size_t bytes = 0;
  for (const auto& f : fields_) bytes += f.name.capacity() + f.value.capacity();
  if (bytes > max_spare_bytes) fields_.clear();
  size_ = 0;
}

std::string_view StatusReason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    case 529: return "Site Overloaded";
    default: return "Unknown";
  }
}

bool IsHopByHopOrFraming(std::string_view name) {
  // Every header of every message passes here: the length picks the one or two candidates.
  switch (name.size()) {
    case 2: return EqualsIgnoreCase(name, "te");
    case 7: return EqualsIgnoreCase(name, "trailer") || EqualsIgnoreCase(name, "upgrade");
    case 10: return EqualsIgnoreCase(name, "connection") || EqualsIgnoreCase(name, "keep-alive");
    case 14: return EqualsIgnoreCase(name, "content-length");
    case 16: return EqualsIgnoreCase(name, "proxy-connection");
    case 17: return EqualsIgnoreCase(name, "transfer-encoding");
    default: return false;
  }
}

}  // namespace sluice::http
