#include "sluice/observe/access_log.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>
#include <mutex>

#include "sluice/core/strings.h"

namespace sluice::observe {

namespace {

std::mutex& WriteMutex() {
  static std::mutex mu;
  return mu;
}

// `field` is a key with its separators and the value's opening quote, e.g. R"(,"method":")"
// (every key but the first follows another): one append instead of four.
void AppendString(std::string& out, std::string_view field, std::string_view value) {
  out += field;
  AppendJsonEscaped(out, value);
  out += '"';
}

void AppendNumber(std::string& out, uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

void AppendOptional(std::string& out, std::string_view field, const std::optional<uint64_t>& v) {
  if (!v) return;
  out += field;
  AppendNumber(out, *v);
}

void AppendPadded(std::string& out, int64_t v, int width) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  for (int n = int(end - buf); n < width; ++n) out += '0';
  out.append(buf, end);
}

// RFC 3339 UTC with microseconds, e.g. 2026-11-26T13:50:07.689360Z; written by hand because this
// runs once per request and fmt's run-time format parsing showed up in profiles. The date and time
// of day are kept per thread for the current second (gmtime_r takes glibc's time zone lock).
void AppendTimestamp(std::string& out, int64_t unix_micros) {
  thread_local int64_t cached_second = -1;
  thread_local std::string cached_prefix;  // "YYYY-MM-DDTHH:MM:SS"
  const int64_t second = unix_micros / 1'000'000;
  if (second != cached_second) {
    const std::time_t secs = second;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    cached_prefix.clear();
    AppendPadded(cached_prefix, tm.tm_year + 1900, 4);
    cached_prefix += '-';
    AppendPadded(cached_prefix, tm.tm_mon + 1, 2);
    cached_prefix += '-';
    AppendPadded(cached_prefix, tm.tm_mday, 2);
    cached_prefix += 'T';
    AppendPadded(cached_prefix, tm.tm_hour, 2);
    cached_prefix += ':';
    AppendPadded(cached_prefix, tm.tm_min, 2);
    cached_prefix += ':';
    AppendPadded(cached_prefix, tm.tm_sec, 2);
    cached_second = second;
  }
  out += cached_prefix;
  out += '.';
  AppendPadded(out, unix_micros % 1'000'000, 6);
  out += 'Z';
}

}  // namespace

std::string FormatAccessRecord(const AccessRecord& record) {
  std::string out;
  out.reserve(512);
  AppendAccessRecord(out, record);
  return out;
}

void AppendAccessRecord(std::string& out, const AccessRecord& r) {
  out += R"({"start_time":")";
  AppendTimestamp(out, r.start_unix_micros);
  out += '"';
  AppendString(out, R"(,"method":")", r.method);
  AppendString(out, R"(,"path":")", r.path);
  out += R"(,"response_code":)";
  AppendNumber(out, uint64_t(std::max(r.response_code, 0)));
  out += R"(,"duration_ms":)";
  // Milliseconds with three decimals, by integer arithmetic (a fixed-precision double to_chars
  // costs more than the rest of the record's numbers together).
  const auto micros = static_cast<uint64_t>(std::llround(std::max(r.duration_ms, 0.0) * 1000));
  AppendNumber(out, micros / 1000);
  out += '.';
  AppendPadded(out, int64_t(micros % 1000), 3);
  if (!r.route.empty()) AppendString(out, R"(,"route":")", r.route);
  if (!r.rule.empty()) AppendString(out, R"(,"rule":")", r.rule);
  if (!r.backend.empty()) AppendString(out, R"(,"backend":")", r.backend);
  if (!r.upstream.empty()) AppendString(out, R"(,"upstream_host":")", r.upstream);
  if (r.attempts > 1) {
    out += R"(,"attempts":)";
    AppendNumber(out, uint64_t(r.attempts));
  }
  out += R"(,"stream":)";
  out += r.stream ? "true" : "false";
  if (!r.original_model.empty())
    AppendString(out, R"(,"gen_ai.original.model":")", r.original_model);
  if (!r.request_model.empty()) AppendString(out, R"(,"gen_ai.request.model":")", r.request_model);
  if (!r.response_model.empty())
    AppendString(out, R"(,"gen_ai.response.model":")", r.response_model);
  if (!r.provider.empty()) AppendString(out, R"(,"gen_ai.provider.name":")", r.provider);
  AppendOptional(out, R"(,"gen_ai.usage.input_tokens":)", r.input_tokens);
  AppendOptional(out, R"(,"gen_ai.usage.output_tokens":)", r.output_tokens);
  AppendOptional(out, R"(,"gen_ai.usage.total_tokens":)", r.total_tokens);
  AppendOptional(out, R"(,"gen_ai.usage.cached_input_tokens":)", r.cached_input_tokens);
  AppendOptional(out, R"(,"gen_ai.usage.cache_creation_input_tokens":)",
                 r.cache_creation_input_tokens);
  AppendOptional(out, R"(,"gen_ai.usage.reasoning_tokens":)", r.reasoning_tokens);
  if (!r.costs.empty()) {
    out += R"(,"costs":{)";
    bool first = true;
    for (const auto& [key, value] : r.costs) {
      if (!first) out += ',';
      first = false;
      out += '"';
      AppendJsonEscaped(out, key);
      out += "\":";
      AppendNumber(out, value);
    }
    out += '}';
  }
  if (!r.error.empty()) AppendString(out, R"(,"error":")", r.error);
  out += '}';
}

bool AccessLogBuffer::Write(std::string_view line) {
  const bool was_empty = buffer_.empty();
  buffer_.append(line);
  buffer_ += '\n';
  if (buffer_.size() >= flush_bytes_) Flush();
  return was_empty;
}

bool AccessLogBuffer::Write(const AccessRecord& record) {
  const bool was_empty = buffer_.empty();
  AppendAccessRecord(buffer_, record);
  buffer_ += '\n';
  if (buffer_.size() >= flush_bytes_) Flush();
  return was_empty;
}

void AccessLogBuffer::Flush() {
  if (buffer_.empty()) return;
  std::lock_guard lock(WriteMutex());
  size_t off = 0;
  while (off < buffer_.size()) {
    const ssize_t n = ::write(fd_, buffer_.data() + off, buffer_.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;  // stdout gone: drop the batch rather than block a worker
    }
    off += size_t(n);
  }
  buffer_.clear();
}

}  // namespace sluice::observe
