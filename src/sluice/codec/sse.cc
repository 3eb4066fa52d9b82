#include "sluice/codec/sse.h"

#include <utility>

#include "sluice/core/strings.h"

namespace sluice::codec {
namespace {

constexpr char kBom[] = "\xEF\xBB\xBF";
constexpr std::string_view kData = "data";
constexpr std::string_view kEvent = "event";
constexpr std::string_view kId = "id";
constexpr std::string_view kRetry = "retry";

// Index of the first CR or LF at or after `from`, or npos.
size_t FindLineEnd(std::string_view s, size_t from) { return FindEither(s, from, '\n', '\r'); }

std::string_view FirstLine(std::string_view s) { return s.substr(0, FindLineEnd(s, 0)); }

}  // namespace

SseParser::SseParser(std::size_t max_event_bytes, ErrorSource source)
    : max_event_bytes_(max_event_bytes), source_(source) {}

bool SseParser::mid_event() const {
  return !line_.empty() || data_lines_ > 0 || !event_.empty() || (!bom_done_ && bom_matched_ > 0);
}

std::size_t SseParser::pending_bytes() const {
  return line_.size() + (data_is_view_ ? data_view_.size() : data_.size()) + event_.size();
}

Error SseParser::TooLarge() const {
  return Error(ErrorKind::kTooLarge,
               "server-sent event larger than " + std::to_string(max_event_bytes_) + " bytes",
               source_);
}

Result<void> SseParser::Fail(Error error) {
  failed_ = error;
  return error;
}

Result<void> SseParser::Feed(std::string_view bytes,
                             FunctionRef<Result<void>(const SseEvent&)> on_event) {
  if (failed_) return *failed_;
  // §9.2.6: "One leading U+FEFF BYTE ORDER MARK character must be ignored if any are present."
  // It may arrive split across chunks, so match it byte by byte.
  if (!bom_done_) {
    while (!bytes.empty() && bom_matched_ < 3 && bytes[0] == kBom[bom_matched_]) {
      ++bom_matched_;
      bytes.remove_prefix(1);
    }
    if (bom_matched_ == 3) {
      bom_done_ = true;
    } else if (!bytes.empty()) {
      // Not a BOM after all: the bytes matched so far are content.
      bom_done_ = true;
      if (bom_matched_ > 0) {
        if (auto r = FeedLines(std::string_view(kBom, bom_matched_), on_event); !r.ok()) return r;
      }
    } else {
      return Ok();  // all bytes so far are a BOM prefix; wait for more
    }
  }
  return FeedLines(bytes, on_event);
}

Result<void> SseParser::FeedLines(std::string_view bytes,
                                  FunctionRef<Result<void>(const SseEvent&)>& on_event) {
  size_t i = 0;
  if (skip_lf_ && !bytes.empty()) {
    // The previous chunk ended with CR; an LF here is the second half of that CRLF.
    if (bytes[0] == '\n') i = 1;
    skip_lf_ = false;
  }
  while (i < bytes.size()) {
    size_t end = FindLineEnd(bytes, i);
    if (end == std::string_view::npos) {
      line_.append(bytes.data() + i, bytes.size() - i);
      if (pending_bytes() > max_event_bytes_) return Fail(TooLarge());
      break;
    }
    std::string_view line;
    bool stable = line_.empty();  // the line lies in `bytes`, valid until Feed returns
    if (stable) {
      line = bytes.substr(i, end - i);
    } else {
      line_.append(bytes.data() + i, end - i);
      line = line_;
    }
    size_t next = end + 1;
    if (bytes[end] == '\r') {
      if (next < bytes.size()) {
        if (bytes[next] == '\n') ++next;
      } else {
        skip_lf_ = true;
      }
    }
    // The same bound as for a partial line above, so the outcome does not depend on chunking.
    if (line.size() + (data_is_view_ ? data_view_.size() : data_.size()) + event_.size() >
        max_event_bytes_) {
      return Fail(TooLarge());
    }
    Result<void> r = ProcessLine(line, stable, on_event);
    line_.clear();
    if (!r.ok()) return Fail(r.error());
    i = next;
  }
  // Data still viewing this chunk must be owned before the chunk goes away.
  if (data_is_view_) {
    data_.assign(data_view_);
    data_view_ = {};
    data_is_view_ = false;
  }
  return Ok();
}

Result<void> SseParser::ProcessLine(std::string_view line, bool stable,
                                    FunctionRef<Result<void>(const SseEvent&)>& on_event) {
  if (line.empty()) return Dispatch(on_event);
  if (line[0] == ':') {
    ++comments_;
    return Ok();
  }
  std::string_view field = line;
  std::string_view value;
  // Field names are a few bytes long: a byte loop finds the colon before a memchr call would.
  size_t colon = 0;
  while (colon < line.size() && line[colon] != ':') ++colon;
  if (colon < line.size()) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
  }
  if (field == kData) {
    if (data_lines_ == 0 && stable) {
      data_view_ = value;
      data_is_view_ = true;
    } else {
      if (data_is_view_) {
        data_.assign(data_view_);
        data_view_ = {};
        data_is_view_ = false;
      }
      if (data_lines_ > 0) data_ += '\n';
      data_.append(value);
    }
    ++data_lines_;
  } else if (field == kEvent) {
    event_.assign(value);
  } else if (field == kId) {
    if (value.find('\0') == std::string_view::npos) last_event_id_.assign(value);
  } else if (field == kRetry) {
    bool digits = !value.empty();
    uint64_t ms = 0;
    for (char c : value) {
      if (c < '0' || c > '9') {
        digits = false;
        break;
      }
      uint64_t d = static_cast<uint64_t>(c - '0');
      ms = ms > (UINT64_MAX - d) / 10 ? UINT64_MAX : ms * 10 + d;  // saturate
    }
    if (digits) retry_ = ms;
  }
  return Ok();
}

Result<void> SseParser::Dispatch(FunctionRef<Result<void>(const SseEvent&)>& on_event) {
  // §9.2.6 "dispatch the event": an event without data fields is dropped, resetting the type.
  if (data_lines_ == 0) {
    event_.clear();
    return Ok();
  }
  SseEvent event{event_, data_is_view_ ? data_view_ : std::string_view(data_), last_event_id_};
  ++events_;
  Result<void> r = on_event(event);
  data_.clear();
  data_view_ = {};
  data_is_view_ = false;
  data_lines_ = 0;
  event_.clear();
  return r;
}

void AppendSseEvent(std::string& out, std::string_view event_name, std::string_view data) {
  event_name = FirstLine(event_name);
  if (!event_name.empty()) {
    out += "event: ";
    out += event_name;
    out += '\n';
  }
  size_t i = 0;
  while (true) {
    size_t end = FindLineEnd(data, i);
    out += "data: ";
    if (end == std::string_view::npos) {
      out.append(data.data() + i, data.size() - i);
      out += '\n';
      break;
    }
    out.append(data.data() + i, end - i);
    out += '\n';
    i = end + 1;
    if (data[end] == '\r' && i < data.size() && data[i] == '\n') ++i;
  }
  out += '\n';
}

void AppendSseComment(std::string& out, std::string_view text) {
  out += ": ";
  out += FirstLine(text);
  out += "\n\n";
}

}  // namespace sluice::codec
