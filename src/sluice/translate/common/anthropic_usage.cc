#include "sluice/translate/common/anthropic_usage.h"

#include <cmath>

#include "sluice/json/parser.h"
#include "sluice/schema/anthropic/messages.h"
#include "sluice/translate/common/json_util.h"

namespace sluice::translate::common {

namespace wire = schema::anthropic;

void AnthropicUsage::Merge(const Counts& counts, bool baseline) {
  seen_ = true;
  auto merge = [&](const std::optional<uint64_t>& v, std::optional<uint64_t>& field) {
    if (!v) return;
    if (baseline || *v != 0 || !field) field = v;
  };
  merge(counts.input, input_);
  merge(counts.cache_read, cache_read_);
  merge(counts.cache_creation, cache_creation_);
  if (counts.output) output_ = counts.output;
  if (counts.thinking) thinking_ = counts.thinking;
}

void AnthropicUsage::ReadUsage(const bj::object& usage, bool baseline) {
  Counts counts;
  counts.input = FindCount(usage, wire::kInputTokens);
  counts.cache_read = FindCount(usage, wire::kCacheReadInputTokens);
  counts.cache_creation = FindCount(usage, wire::kCacheCreationInputTokens);
  counts.output = FindCount(usage, wire::kOutputTokens);
  if (const auto* details = FindObject(usage, wire::kOutputTokensDetails)) {
    counts.thinking = FindCount(*details, wire::kThinkingTokens);
  }
  Merge(counts, baseline);
}

namespace {

namespace od = simdjson::ondemand;

// The On-Demand twin of AsCount (json_util.h): a non-negative integer, or a float with an integral
// value below 2^64 (1e3 is 1000).
std::optional<uint64_t> ReadCount(od::value& value) {
  od::number number;
  if (value.get_number().get(number)) return std::nullopt;
  switch (number.get_number_type()) {
    case od::number_type::unsigned_integer:
      return number.get_uint64();
    case od::number_type::signed_integer:
      if (number.get_int64() < 0) return std::nullopt;
      return uint64_t(number.get_int64());
    case od::number_type::floating_point_number: {
      const double d = number.get_double();
      if (d >= 0 && d < 1.8e19 && std::floor(d) == d) return uint64_t(d);
      return std::nullopt;
    }
    default:  // an integer beyond 64 bits
      return std::nullopt;
  }
}

// Calls on_field(key, value) for each field of `value`; false when it is not an object or a field
// cannot be read.
template <typename OnField>
bool ForEachField(od::value& value, OnField&& on_field) {
  od::object object;
  if (value.get_object().get(object)) return false;
  for (auto field_result : object) {
    od::field field;
    std::string_view key;
    if (std::move(field_result).get(field) || field.unescaped_key().get(key)) return false;
    on_field(key, field.value());
  }
  return true;
}

// Reads a usage object's counts afresh (the last "usage" wins whole); false when `value` is not an
// object.
bool ReadCounts(od::value& value, AnthropicUsage::Counts& counts) {
  counts = {};
  return ForEachField(value, [&](std::string_view key, od::value& v) {
    if (key == wire::kInputTokens) {
      counts.input = ReadCount(v);
    } else if (key == wire::kCacheReadInputTokens) {
      counts.cache_read = ReadCount(v);
    } else if (key == wire::kCacheCreationInputTokens) {
      counts.cache_creation = ReadCount(v);
    } else if (key == wire::kOutputTokens) {
      counts.output = ReadCount(v);
    } else if (key == wire::kOutputTokensDetails) {
      ForEachField(v, [&](std::string_view k, od::value& d) {
        if (k == wire::kThinkingTokens) counts.thinking = ReadCount(d);
      });
    }
  });
}

}  // namespace

bool AnthropicUsage::OnStreamEvent(std::string_view json) {
  scratch_.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  scratch_.assign(json);
  json::ParserLease lease(scratch_.size());
  od::document doc;
  if (lease.parser().iterate(scratch_.data(), scratch_.size(), scratch_.capacity()).get(doc)) {
    return false;
  }
  od::value event;
  if (doc.get_value().get(event)) return false;
  // Fields may come in any order: what the event says is applied once its type is known.
  std::string type_scratch, string_scratch;
  std::string_view type;
  std::optional<std::string> model, id;
  Counts message_counts, delta_counts;
  bool message_usage = false, delta_usage = false;
  bool readable = true;
  auto read_message = [&](std::string_view k, od::value& v) {
    std::string_view text;
    if (k == wire::kModel) {
      if (json::ReadString(v, string_scratch, text)) model = std::string(text);
    } else if (k == wire::kId) {
      if (json::ReadString(v, string_scratch, text)) id = std::string(text);
    } else if (k == wire::kUsage) {
      message_usage = ReadCounts(v, message_counts);
    }
  };
  const bool is_object = ForEachField(event, [&](std::string_view key, od::value& v) {
    if (key == wire::kType) {
      if (!json::ReadString(v, type_scratch, type)) type = {};
    } else if (key == wire::kUsage) {
      delta_usage = ReadCounts(v, delta_counts);
    } else if (key == wire::kMessage) {
      od::json_type t;
      if (!v.type().get(t) && t == od::json_type::object) readable &= ForEachField(v, read_message);
    }
  });
  if (!is_object || !readable) return false;
  if (type == wire::kEventMessageStart) {
    if (model) model_ = std::move(*model);
    if (id) id_ = std::move(*id);
    if (message_usage) Merge(message_counts, true);
  } else if (type == wire::kEventMessageDelta && delta_usage) {
    Merge(delta_counts, false);
  }
  return true;
}

void AnthropicUsage::OnMessage(const bj::object& message) {
  if (auto m = FindString(message, wire::kModel)) model_ = std::string(*m);
  if (auto id = FindString(message, wire::kId)) id_ = std::string(*id);
  if (const auto* usage = FindObject(message, wire::kUsage)) ReadUsage(*usage, true);
}

void AnthropicUsage::OnMessageDelta(const bj::object& event) {
  if (const auto* usage = FindObject(event, wire::kUsage)) ReadUsage(*usage, false);
}

void AnthropicUsage::OnCountTokens(const bj::object& body) {
  count_tokens_ = true;
  if (auto n = FindCount(body, wire::kInputTokens)) {
    input_ = n;
    seen_ = true;
  }
}

limit::TokenUsage AnthropicUsage::usage() const {
  limit::TokenUsage u;
  if (count_tokens_) {
    u.input = input_;
    return u;
  }
  if (input_ || cache_read_ || cache_creation_) {
    u.input = input_.value_or(0) + cache_read_.value_or(0) + cache_creation_.value_or(0);
  }
  u.cached_input = cache_read_;
  u.cache_creation_input = cache_creation_;
  u.output = output_;
  u.reasoning = thinking_;
  if (u.input || u.output) u.total = u.input.value_or(0) + u.output.value_or(0);
  return u;
}

}  // namespace sluice::translate::common
