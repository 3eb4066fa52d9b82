#pragma once

// Server-Sent Events (text/event-stream), per the WHATWG HTML Living Standard §9.2.5 "Parsing an
// event stream" and §9.2.6 "Interpreting an event stream". Both directions:
//   - SseParser: an incremental parser safe at any chunk boundary (a CRLF, or a UTF-8 character,
//     split across Feed calls), with a bound on the memory one event may use;
//   - AppendSseEvent / AppendSseComment: the writer.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/codec/function_ref.h"
#include "sluice/core/result.h"

namespace sluice::codec {

// One dispatched event. The views are valid only during the callback.
struct SseEvent {
  // The last "event" field of the event; empty when it had none (where a browser reports the
  // default type "message"), so callers can tell "message" sent explicitly from no field.
  std::string_view event;
  std::string_view data;  // the "data" fields' values joined with "\n" (§9.2.6)
  std::string_view id;    // the last event ID buffer: persists from event to event (§9.2.6)
};

// Incremental text/event-stream parser (§9.2.6).
//
// Lines end in CRLF, LF or CR. A line starting with ':' is a comment (counted, e.g.
// ": keep-alive"). "field: value" strips one space after the colon; a line with no colon is a field
// with an empty value. Fields: event, data (several lines joined with "\n"), id (ignored if it
// contains U+0000), retry (ASCII digits only); others are ignored. A blank line dispatches the
// event unless it had no data field (so "data:" alone dispatches an empty data, as the standard
// says). One leading U+FEFF BOM is skipped. At end of stream an undispatched event is discarded;
// mid_event() tells whether that happened.
//
// Bytes are not UTF-8-decoded (a browser would replace invalid sequences with U+FFFD); they pass
// through unchanged, which is what a relay wants.
//
// Memory: the bytes of the event being assembled (its current line, data and event name) may not
// exceed max_event_bytes, whatever the chunking; beyond it Feed fails with kTooLarge and the parser
// stays failed. When an event lies within one chunk its data is passed to the callback as a view
// of the caller's bytes, without a copy.
//
// Not thread-safe; one instance per stream.
class SseParser {
 public:
  static constexpr std::size_t kDefaultMaxEventBytes = std::size_t{16} << 20;

  // `source` is the blame carried by errors (kUpstream for a provider's stream).
  explicit SseParser(std::size_t max_event_bytes = kDefaultMaxEventBytes,
                     ErrorSource source = ErrorSource::kUpstream);

  // Parses `bytes`, calling `on_event` for each event completed by them, in order. Stops at and
  // returns the first error: its own (event too large) or one returned by `on_event`; after an
  // error every later Feed returns that error.
  Result<void> Feed(std::string_view bytes, FunctionRef<Result<void>(const SseEvent&)> on_event);

  uint64_t events() const { return events_; }      // events dispatched
  uint64_t comments() const { return comments_; }  // comment lines seen
  const std::string& last_event_id() const { return last_event_id_; }
  std::optional<uint64_t> retry() const { return retry_; }  // last valid "retry" (milliseconds)
  // True when bytes of an unfinished line or undispatched event are pending: a stream ending now
  // would lose them (§9.2.6: "any pending data must be discarded").
  bool mid_event() const;

 private:
  Result<void> FeedLines(std::string_view bytes,
                         FunctionRef<Result<void>(const SseEvent&)>& on_event);
  Result<void> ProcessLine(std::string_view line, bool stable,
                           FunctionRef<Result<void>(const SseEvent&)>& on_event);
  Result<void> Dispatch(FunctionRef<Result<void>(const SseEvent&)>& on_event);
  std::size_t pending_bytes() const;
  Result<void> Fail(Error error);
  Error TooLarge() const;

  std::size_t max_event_bytes_;
  ErrorSource source_;

  std::string line_;            // an unfinished line carried over from an earlier chunk
  std::string data_;            // data buffer (joined lines), when owned
  std::string_view data_view_;  // data buffer as a view of the current chunk
  bool data_is_view_ = false;
  uint64_t data_lines_ = 0;    // data fields seen in the current event
  std::string event_;          // event type buffer
  std::string last_event_id_;  // last event ID buffer (persists)
  std::optional<uint64_t> retry_;
  bool skip_lf_ = false;     // the previous chunk ended in CR: a leading LF completes it
  uint8_t bom_matched_ = 0;  // leading BOM bytes matched so far
  bool bom_done_ = false;
  uint64_t events_ = 0;
  uint64_t comments_ = 0;
  std::optional<Error> failed_;
};

// Appends one event: "event: <name>\n" when `event_name` is not empty (cut at any line break, which
// could otherwise inject a field), then one "data: <line>\n" per line of `data` (CRLF, LF and CR
// all break lines, as the parser reads them), then a blank line. Empty data gives "data: \n", which
// a parser dispatches as an event with empty data.
void AppendSseEvent(std::string& out, std::string_view event_name, std::string_view data);

// Appends a comment block ": <text>\n\n" (e.g. a keep-alive between events); line breaks in `text`
// are cut. The blank line makes it a block of its own for clients that split on blank lines; a
// conforming parser ignores both lines.
void AppendSseComment(std::string& out, std::string_view text);

}  // namespace sluice::codec
