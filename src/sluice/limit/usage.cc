#include "sluice/limit/usage.h"

#include <cstring>

#include "sluice/json/padding.h"
#include "sluice/json/parser.h"

namespace sluice::limit {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;

// Wire names: OpenAI API reference, "The chat completion object" → usage (CompletionUsage), and
// the reference gateway's non-standard prompt_tokens_details.cache_creation_tokens.
constexpr std::string_view kModel = "model";
constexpr std::string_view kUsage = "usage";
constexpr std::string_view kPromptTokens = "prompt_tokens";
constexpr std::string_view kCompletionTokens = "completion_tokens";
constexpr std::string_view kTotalTokens = "total_tokens";
constexpr std::string_view kPromptTokensDetails = "prompt_tokens_details";
constexpr std::string_view kCachedTokens = "cached_tokens";
constexpr std::string_view kCacheCreationTokens = "cache_creation_tokens";
constexpr std::string_view kCompletionTokensDetails = "completion_tokens_details";
constexpr std::string_view kReasoningTokens = "reasoning_tokens";

struct Parsed {
  ResponseInfo info;
  bool has_model = false;
  bool has_usage = false;  // "usage" was an object
};

void ReadCount(od::value& value, std::optional<uint64_t>& out) {
  uint64_t n;
  if (json::ReadUint64(value, n)) {
    out = n;
  } else {
    out.reset();  // a later duplicate that is not a count unsets, as the last occurrence wins
  }
}

// Calls on_field(key, value) for each field of `value` when it is an object; false when it is not.
template <typename F>
error_code ForEachField(od::value& value, bool& is_object, F&& on_field) {
  od::json_type type;
  if (auto e = value.type().get(type)) return e;
  is_object = type == od::json_type::object;
  if (!is_object) return simdjson::SUCCESS;
  od::object object;
  if (auto e = value.get_object().get(object)) return e;
  for (auto field_result : object) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return e;
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return e;
    if (auto e = on_field(key, field.value())) return e;
  }
  return simdjson::SUCCESS;
}

error_code ReadUsage(od::value& value, TokenUsage& usage, bool& is_object) {
  return ForEachField(value, is_object, [&](std::string_view key, od::value& v) -> error_code {
    bool details;
    if (key == kPromptTokens) {
      ReadCount(v, usage.input);
    } else if (key == kCompletionTokens) {
      ReadCount(v, usage.output);
    } else if (key == kTotalTokens) {
      ReadCount(v, usage.total);
    } else if (key == kPromptTokensDetails) {
      return ForEachField(v, details, [&](std::string_view k, od::value& d) -> error_code {
        if (k == kCachedTokens) ReadCount(d, usage.cached_input);
        if (k == kCacheCreationTokens) ReadCount(d, usage.cache_creation_input);
        return simdjson::SUCCESS;
      });
    } else if (key == kCompletionTokensDetails) {
      return ForEachField(v, details, [&](std::string_view k, od::value& d) -> error_code {
        if (k == kReasoningTokens) ReadCount(d, usage.reasoning);
        return simdjson::SUCCESS;
      });
    }
    return simdjson::SUCCESS;
  });
}

// Reads "model" and "usage" from a response object held with padding at `data`.
Result<Parsed> Parse(const char* data, size_t size, size_t capacity) {
  json::ParserLease lease(size);
  od::document doc;
  auto fail = [](error_code e) {
    return Error(ErrorKind::kProtocol, "upstream response: " + json::DescribeError(e),
                 ErrorSource::kUpstream);
  };
  if (auto e = lease.parser().iterate(data, size, capacity).get(doc)) return fail(e);
  od::object object;
  if (auto e = doc.get_object().get(object)) return fail(e);
  Parsed parsed;
  std::string scratch;
  for (auto field_result : object) {
    od::field field;
    if (auto e = std::move(field_result).get(field)) return fail(e);
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return fail(e);
    if (key == kModel) {
      std::string_view model;
      parsed.has_model = json::ReadString(field.value(), scratch, model);
      parsed.info.model.assign(parsed.has_model ? model : std::string_view());
    } else if (key == kUsage) {
      // The last "usage" wins whole: start from an empty usage each time.
      parsed.info.usage = TokenUsage{};
      if (auto e = ReadUsage(field.value(), parsed.info.usage, parsed.has_usage)) return fail(e);
    }
  }
  return parsed;
}

std::string& ThreadScratch() {
  thread_local std::string scratch;
  return scratch;
}

}  // namespace

Result<ResponseInfo> ReadOpenAIResponse(std::string& body) {
  json::EnsurePadding(body);
  auto parsed = Parse(body.data(), body.size(), body.capacity());
  if (!parsed.ok()) return parsed.take_error();
  return std::move(parsed->info);
}

Result<ResponseInfo> ReadOpenAIResponse(std::string_view body) {
  std::string& scratch = ThreadScratch();
  scratch.reserve(body.size() + json::kPadding);
  scratch.assign(body);
  auto parsed = Parse(scratch.data(), scratch.size(), scratch.capacity());
  if (scratch.capacity() > json::ParserLease::kPooledDocumentLimit) {
    std::string().swap(scratch);  // do not keep a huge buffer per thread
  }
  if (!parsed.ok()) return parsed.take_error();
  return std::move(parsed->info);
}

OpenAIStreamUsage::OpenAIStreamUsage(std::size_t max_event_bytes) : sse_(max_event_bytes) {}

void OpenAIStreamUsage::Feed(std::string_view bytes) {
  if (stream_error_) return;
  auto r = sse_.Feed(bytes, [this](const codec::SseEvent& event) {
    OnData(event.data);
    return Ok();
  });
  if (!r.ok()) stream_error_ = r.error();
}

namespace {

// True when `data` has the key "usage" followed (after optional whitespace) by ':' and '{'.
bool HasUsageObject(std::string_view data) {
  constexpr std::string_view kKey = "\"usage\"";
  // memmem rather than string_view::find, which stops at every '"' of the JSON to compare.
  auto find = [&](size_t from) -> size_t {
    if (from >= data.size()) return std::string_view::npos;
    const void* hit = memmem(data.data() + from, data.size() - from, kKey.data(), kKey.size());
    return hit ? size_t(static_cast<const char*>(hit) - data.data()) : std::string_view::npos;
  };
  for (size_t at = find(0); at != std::string_view::npos; at = find(at + kKey.size())) {
    size_t i = at + kKey.size();
    auto skip_space = [&] {
      while (i < data.size() && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' ||
                                 data[i] == '\r')) {
        ++i;
      }
    };
    skip_space();
    if (i >= data.size() || data[i] != ':') continue;
    ++i;
    skip_space();
    if (i < data.size() && data[i] == '{') return true;
  }
  return false;
}

}  // namespace

void OpenAIStreamUsage::OnData(std::string_view data) {
  // OpenAI ends the stream with "data: [DONE]" (API reference, Create chat completion → stream).
  if (data == "[DONE]") {
    done_ = true;
    return;
  }
  // With include_usage every chunk carries "usage": null and the model seldom changes: once the
  // model is known, only a chunk with a usage object needs parsing. (A "usage" key inside a
  // string value is escaped as \"usage\" in the raw bytes, so it cannot match here.)
  if (!info_.model.empty() && !HasUsageObject(data)) {
    ++chunks_;
    return;
  }
  scratch_.reserve(data.size() + json::kPadding);
  scratch_.assign(data);
  auto parsed = Parse(scratch_.data(), scratch_.size(), scratch_.capacity());
  if (!parsed.ok()) {
    ++malformed_chunks_;
    return;
  }
  ++chunks_;
  if (parsed->has_model) info_.model = std::move(parsed->info.model);
  if (parsed->has_usage) {
    info_.usage = parsed->info.usage;
    has_usage_ = true;
  }
}

}  // namespace sluice::limit
