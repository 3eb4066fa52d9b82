#include "sluice/observe/access_log.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>

#include "sluice/core/bounded_writer.h"
#include "sluice/core/strings.h"

namespace sluice::observe {

namespace {

std::mutex& WriteMutex() {
  static std::mutex mu;
  return mu;
}

// Writes a record into room reserved at the end of a string. The record's size is bounded before
// writing (literals, escaped strings at their worst growth, numbers at their widest).
class RecordWriter : public BoundedWriter {
 public:
  using BoundedWriter::BoundedWriter;

  void Escaped(std::string_view s) { cursor() = WriteJsonEscaped(cursor(), s); }
  // `v` with leading zeros to `width` digits (width <= 6).
  void Padded(uint64_t v, int width) {
    char*& p = cursor();
    for (int i = width - 1; i >= 0; --i, v /= 10) p[i] = char('0' + v % 10);
    p += width;
  }
  // `field` is a key with its separators and the value's opening quote, e.g. R"(,"method":")"
  // (every key but the first follows another).
  void String(std::string_view field, std::string_view value) {
    Literal(field);
    Escaped(value);
    Char('"');
  }
  void Optional(std::string_view field, const std::optional<uint64_t>& v) {
    if (!v) return;
    Literal(field);
    Number(*v);
  }
};

// RFC 3339 UTC with microseconds, e.g. 2026-11-26T13:50:07.689360Z; written by hand because this
// runs once per request and fmt's run-time format parsing showed up in profiles. The date and time
// of day are kept per thread for the current second (gmtime_r takes glibc's time zone lock).
void WriteTimestamp(RecordWriter& w, int64_t unix_micros) {
  thread_local int64_t cached_second = -1;
  thread_local char cached_prefix[32];  // "YYYY-MM-DDTHH:MM:SS"
  thread_local size_t cached_size = 0;
  const int64_t second = unix_micros / 1'000'000;
  if (second != cached_second) {
    const std::time_t secs = second;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    const int n = std::snprintf(cached_prefix, sizeof cached_prefix, "%04d-%02d-%02dT%02d:%02d:%02d",
                                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                                tm.tm_min, tm.tm_sec);
    cached_size = n > 0 ? std::min(size_t(n), sizeof cached_prefix - 1) : 0;
    cached_second = second;
  }
  w.Literal(std::string_view(cached_prefix, cached_size));
  w.Char('.');
  w.Padded(uint64_t(unix_micros % 1'000'000), 6);
  w.Char('Z');
}

// Every literal the record may contain (keys, separators, the timestamp, true/false), with room.
constexpr size_t kFixedRecordBytes = 1024;
// Per cost entry: quotes, colon, comma and the number, besides the escaped key.
constexpr size_t kCostEntryBytes = 4 + RecordWriter::kMaxNumberBytes;

size_t MaxRecordBytes(const AccessRecord& r) {
  size_t strings = r.method.size() + r.path.size() + r.route.size() + r.rule.size() +
                   r.backend.size() + r.upstream.size() + r.original_model.size() +
                   r.request_model.size() + r.response_model.size() + r.provider.size() +
                   r.error.size();
  size_t costs = 0;
  for (const auto& [key, value] : r.costs) {
    strings += key.size();
    costs += kCostEntryBytes;
  }
  return kFixedRecordBytes + kMaxJsonEscapeGrowth * strings + kJsonEscapeSlack + costs;
}

void WriteRecord(RecordWriter& w, const AccessRecord& r) {
  w.Literal(R"({"start_time":")");
  WriteTimestamp(w, r.start_unix_micros);
  w.Char('"');
  w.String(R"(,"method":")", r.method);
  w.String(R"(,"path":")", r.path);
  w.Literal(R"(,"response_code":)");
  w.Number(uint64_t(std::max(r.response_code, 0)));
  w.Literal(R"(,"duration_ms":)");
  // Milliseconds with three decimals, by integer arithmetic (a fixed-precision double to_chars
  // costs more than the rest of the record's numbers together).
  const auto micros = static_cast<uint64_t>(std::llround(std::max(r.duration_ms, 0.0) * 1000));
  w.Number(micros / 1000);
  w.Char('.');
  w.Padded(micros % 1000, 3);
  if (!r.route.empty()) w.String(R"(,"route":")", r.route);
  if (!r.rule.empty()) w.String(R"(,"rule":")", r.rule);
  if (!r.backend.empty()) w.String(R"(,"backend":")", r.backend);
  if (!r.upstream.empty()) w.String(R"(,"upstream_host":")", r.upstream);
  if (r.attempts > 1) {
    w.Literal(R"(,"attempts":)");
    w.Number(uint64_t(r.attempts));
  }
  w.Literal(r.stream ? R"(,"stream":true)" : R"(,"stream":false)");
  if (!r.original_model.empty()) w.String(R"(,"gen_ai.original.model":")", r.original_model);
  if (!r.request_model.empty()) w.String(R"(,"gen_ai.request.model":")", r.request_model);
  if (!r.response_model.empty()) w.String(R"(,"gen_ai.response.model":")", r.response_model);
  if (!r.provider.empty()) w.String(R"(,"gen_ai.provider.name":")", r.provider);
  w.Optional(R"(,"gen_ai.usage.input_tokens":)", r.input_tokens);
  w.Optional(R"(,"gen_ai.usage.output_tokens":)", r.output_tokens);
  w.Optional(R"(,"gen_ai.usage.total_tokens":)", r.total_tokens);
  w.Optional(R"(,"gen_ai.usage.cached_input_tokens":)", r.cached_input_tokens);
  w.Optional(R"(,"gen_ai.usage.cache_creation_input_tokens":)", r.cache_creation_input_tokens);
  w.Optional(R"(,"gen_ai.usage.reasoning_tokens":)", r.reasoning_tokens);
  if (!r.costs.empty()) {
    w.Literal(R"(,"costs":{)");
    bool first = true;
    for (const auto& [key, value] : r.costs) {
      if (!first) w.Char(',');
      first = false;
      w.Char('"');
      w.Escaped(key);
      w.Literal("\":");
      w.Number(value);
    }
    w.Char('}');
  }
  if (!r.error.empty()) w.String(R"(,"error":")", r.error);
  w.Char('}');
}

}  // namespace

std::string FormatAccessRecord(const AccessRecord& record) {
  std::string out;
  AppendAccessRecord(out, record);
  return out;
}

void AppendAccessRecord(std::string& out, const AccessRecord& record) {
  RecordWriter w(out, MaxRecordBytes(record));
  WriteRecord(w, record);
}

void AccessLogBuffer::Write(std::string_view line) {
  const bool was_empty = used_ == 0;
  {
    BoundedWriter w(buffer_, used_, line.size() + 1);
    w.Literal(line);
    w.Char('\n');
    used_ = w.end();
  }
  Written(was_empty);
}

void AccessLogBuffer::Write(const AccessRecord& record) {
  const bool was_empty = used_ == 0;
  {
    RecordWriter w(buffer_, used_, MaxRecordBytes(record) + 1);
    WriteRecord(w, record);
    w.Char('\n');
    used_ = w.end();
  }
  Written(was_empty);
}

void AccessLogBuffer::Written(bool was_empty) {
  if (used_ >= flush_bytes_) {
    Flush();
  } else if (was_empty && on_first_line_) {
    on_first_line_();
  }
}

void AccessLogBuffer::Flush() {
  if (used_ == 0) return;
  std::lock_guard lock(WriteMutex());
  size_t off = 0;
  while (off < used_) {
    const ssize_t n = ::write(fd_, buffer_.data() + off, used_ - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;  // stdout gone: drop the batch rather than block a worker
    }
    off += size_t(n);
  }
  used_ = 0;
}

}  // namespace sluice::observe
