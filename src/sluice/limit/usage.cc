#include "sluice/limit/usage.h"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "sluice/json/padding.h"
#include "sluice/json/parser.h"
#include "sluice/json/unescape.h"

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

// The same reading as ParseOnDemand below, for the shape providers send, by a walk over stage 1's
// token offsets: the containers nobody reads are skipped by counting brackets, no key is
// unescaped and no iterator state is kept, which takes well under half of On-Demand's time on a
// chat completion. It declines (nullopt) whatever it does not read exactly as On-Demand would, or
// cannot vouch for: an escape in a key or in the model, a top-level value that is not followed by
// ',' or '}', anything after the object. On-Demand then reads the document.
class TokenWalk {
 public:
  TokenWalk(const char* data, const uint32_t* offsets, size_t count)
      : data_(data), offsets_(offsets), count_(count) {}

  std::optional<Parsed> Run() {
    if (count_ < 2 || At(0) != '{') return std::nullopt;
    Parsed parsed;
    size_t i = 1;
    bool ok = ForEachField(i, [&](std::string_view key, size_t& v) {
      if (key == kModel) {
        if (At(v) != '"') {
          parsed.has_model = false;
          parsed.info.model.clear();
          return Skip(v);
        }
        std::string_view model;
        if (!RawString(v, model)) return false;
        ++v;
        parsed.has_model = true;
        parsed.info.model.assign(model);
        return true;
      }
      if (key == kUsage) {
        parsed.info.usage = TokenUsage{};  // the last "usage" wins whole
        parsed.has_usage = At(v) == '{';
        if (!parsed.has_usage) return Skip(v);
        return ReadUsage(v, parsed.info.usage);
      }
      return Skip(v);
    });
    if (!ok || i != count_) return std::nullopt;  // declined, or bytes after the object
    return parsed;
  }

 private:
  char At(size_t i) const { return i < count_ ? data_[offsets_[i]] : '\0'; }

  // The object whose '{' is token i: calls on_field(key, value_token) for each field, where
  // on_field moves value_token past the value. Leaves i after the closing '}'.
  template <typename F>
  bool ForEachField(size_t& i, F&& on_field) {
    if (At(i) == '}') {
      ++i;
      return true;
    }
    while (true) {
      std::string_view key;
      if (At(i) != '"' || !RawString(i, key) || At(i + 1) != ':') return false;
      size_t v = i + 2;
      if (!on_field(key, v)) return false;
      i = v;
      const char next = At(i++);
      if (next == '}') return true;
      if (next != ',') return false;
    }
  }

  // The string whose opening quote is token i, when it has no escape. Stage 1 has checked that it
  // is closed before the next token, so its closing quote is the last byte before that token that
  // is not whitespace.
  bool RawString(size_t i, std::string_view& out) const {
    const char* begin = data_ + offsets_[i] + 1;
    const std::string_view rest =
        json::TrimTrailingJsonSpace(std::string_view(begin, offsets_[i + 1] - offsets_[i] - 1));
    if (rest.empty() || rest.back() != '"') return false;
    const char* end = begin + rest.size() - 1;
    if (HasBackslash(begin, end)) return false;
    out = std::string_view(begin, end - begin);
    return true;
  }

  // Keys and model names are short: 16 bytes at a time, reading up to 15 bytes past `end`, which
  // the document's padding (json::kPadding) makes safe.
  static bool HasBackslash(const char* begin, const char* end) {
#if defined(__SSE2__)
    const __m128i backslash = _mm_set1_epi8('\\');
    for (const char* p = begin; p < end; p += 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      unsigned mask = unsigned(_mm_movemask_epi8(_mm_cmpeq_epi8(v, backslash)));
      if (end - p < 16) mask &= (1u << (end - p)) - 1;
      if (mask != 0) return true;
    }
    return false;
#else
    return memchr(begin, '\\', end - begin) != nullptr;
#endif
  }

  // Moves i past the value that starts at token i.
  bool Skip(size_t& i) const {
    const char first = At(i);
    if (first != '{' && first != '[') {
      ++i;
      return i <= count_;
    }
    size_t depth = 0;
    while (i < count_) {
      const char c = At(i++);
      if (c == '{' || c == '[') {
        ++depth;
      } else if ((c == '}' || c == ']') && --depth == 0) {
        return true;
      }
    }
    return false;
  }

  // A count as json::ReadUint64 reads it, else unset; moves i past the value.
  bool ReadCount(size_t& i, std::optional<uint64_t>& out) const {
    out.reset();
    const char first = At(i);
    if (first < '0' || first > '9') return Skip(i);
    const std::string_view token = json::TrimTrailingJsonSpace(
        std::string_view(data_ + offsets_[i], offsets_[i + 1] - offsets_[i]));
    ++i;
    uint64_t v;
    if (json::ParseUint64Token(token, v)) out = v;
    return true;
  }

  bool ReadUsage(size_t& i, TokenUsage& usage) {
    ++i;  // past '{'
    return ForEachField(i, [&](std::string_view key, size_t& v) {
      if (key == kPromptTokens) return ReadCount(v, usage.input);
      if (key == kCompletionTokens) return ReadCount(v, usage.output);
      if (key == kTotalTokens) return ReadCount(v, usage.total);
      if (key == kPromptTokensDetails && At(v) == '{') {
        ++v;
        return ForEachField(v, [&](std::string_view k, size_t& d) {
          if (k == kCachedTokens) return ReadCount(d, usage.cached_input);
          if (k == kCacheCreationTokens) return ReadCount(d, usage.cache_creation_input);
          return Skip(d);
        });
      }
      if (key == kCompletionTokensDetails && At(v) == '{') {
        ++v;
        return ForEachField(v, [&](std::string_view k, size_t& d) {
          if (k == kReasoningTokens) return ReadCount(d, usage.reasoning);
          return Skip(d);
        });
      }
      return Skip(v);
    });
  }

  const char* data_;
  const uint32_t* offsets_;
  size_t count_;
};

// Reads "model" and "usage" from a response object held with padding at `data`.
Result<Parsed> ParseOnDemand(const char* data, size_t size, size_t capacity);

Result<Parsed> Parse(const char* data, size_t size, size_t capacity) {
  json::StructuralIndexLease index(size);
  if (index.Index(data, size) == simdjson::SUCCESS) {
    if (auto parsed = TokenWalk(data, index.offsets(), index.count()).Run()) return *parsed;
  }
  return ParseOnDemand(data, size, capacity);  // also gives the error of a document stage 1 refused
}

Result<Parsed> ParseOnDemand(const char* data, size_t size, size_t capacity) {
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

namespace internal {
Result<ResponseInfo> ReadOpenAIResponseOnDemand(std::string_view body) {
  std::string padded;
  padded.reserve(body.size() + json::kPadding);
  padded.assign(body);
  auto parsed = ParseOnDemand(padded.data(), padded.size(), padded.capacity());
  if (!parsed.ok()) return parsed.take_error();
  return std::move(parsed->info);
}
}  // namespace internal

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
