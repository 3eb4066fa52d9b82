#include "sluice/json/parser.h"

#include <algorithm>
#include <utility>

#include "sluice/json/padding.h"
#include "sluice/json/unescape.h"

namespace sluice::json {

static_assert(kPadding == simdjson::SIMDJSON_PADDING, "json::kPadding must match simdjson");

namespace {

struct ThreadParser {
  simdjson::ondemand::parser parser;
  bool lent = false;
};

ThreadParser& LocalParser() {
  thread_local ThreadParser local;
  return local;
}

struct ThreadIndexer {
  std::unique_ptr<simdjson::internal::dom_parser_implementation> impl;
  bool lent = false;
};

ThreadIndexer& LocalIndexer() {
  thread_local ThreadIndexer local;
  return local;
}

// A stage-1 implementation for the CPU at hand (the same runtime choice simdjson's parsers make).
std::unique_ptr<simdjson::internal::dom_parser_implementation> NewIndexer(std::size_t capacity) {
  std::unique_ptr<simdjson::internal::dom_parser_implementation> impl;
  constexpr std::size_t kDepth = 1024;  // stage 2's container stack; unused by stage 1
  if (simdjson::get_active_implementation()->create_dom_parser_implementation(capacity, kDepth,
                                                                                impl)) {
    return nullptr;
  }
  return impl;
}

}  // namespace

StructuralIndexLease::StructuralIndexLease(std::size_t document_size) {
  ThreadIndexer& local = LocalIndexer();
  pooled_ = document_size <= ParserLease::kPooledDocumentLimit && !local.lent;
  if (pooled_) local.lent = true;
}

StructuralIndexLease::~StructuralIndexLease() {
  if (pooled_) LocalIndexer().lent = false;
}

simdjson::error_code StructuralIndexLease::Index(const char* data, std::size_t size) {
  // The pooled indexer grows to the largest document it has seen (up to the pool limit).
  auto& slot = pooled_ ? LocalIndexer().impl : owned_;
  if (!slot || slot->capacity() < size) {
    auto fresh = NewIndexer(std::max<std::size_t>(size, 4096));
    if (!fresh) return simdjson::MEMALLOC;
    slot = std::move(fresh);
  }
  impl_ = slot.get();
  return impl_->stage1(reinterpret_cast<const uint8_t*>(data), size, simdjson::stage1_mode::regular);
}

ParserLease::ParserLease(std::size_t document_size) {
  ThreadParser& local = LocalParser();
  if (document_size <= kPooledDocumentLimit && !local.lent) {
    local.lent = true;
    parser_ = &local.parser;
  } else {
    owned_ = std::make_unique<simdjson::ondemand::parser>();
    parser_ = owned_.get();
  }
}

ParserLease::~ParserLease() {
  if (!owned_) LocalParser().lent = false;
}

std::string_view ErrorCodeName(simdjson::error_code code) {
  static constexpr std::pair<simdjson::error_code, std::string_view> kNames[] = {
      {simdjson::SUCCESS, "SUCCESS"},
      {simdjson::CAPACITY, "CAPACITY"},
      {simdjson::MEMALLOC, "MEMALLOC"},
      {simdjson::TAPE_ERROR, "TAPE_ERROR"},
      {simdjson::DEPTH_ERROR, "DEPTH_ERROR"},
      {simdjson::STRING_ERROR, "STRING_ERROR"},
      {simdjson::T_ATOM_ERROR, "T_ATOM_ERROR"},
      {simdjson::F_ATOM_ERROR, "F_ATOM_ERROR"},
      {simdjson::N_ATOM_ERROR, "N_ATOM_ERROR"},
      {simdjson::NUMBER_ERROR, "NUMBER_ERROR"},
      {simdjson::UTF8_ERROR, "UTF8_ERROR"},
      {simdjson::UNINITIALIZED, "UNINITIALIZED"},
      {simdjson::EMPTY, "EMPTY"},
      {simdjson::UNESCAPED_CHARS, "UNESCAPED_CHARS"},
      {simdjson::UNCLOSED_STRING, "UNCLOSED_STRING"},
      {simdjson::UNSUPPORTED_ARCHITECTURE, "UNSUPPORTED_ARCHITECTURE"},
      {simdjson::INCORRECT_TYPE, "INCORRECT_TYPE"},
      {simdjson::NUMBER_OUT_OF_RANGE, "NUMBER_OUT_OF_RANGE"},
      {simdjson::INDEX_OUT_OF_BOUNDS, "INDEX_OUT_OF_BOUNDS"},
      {simdjson::NO_SUCH_FIELD, "NO_SUCH_FIELD"},
      {simdjson::IO_ERROR, "IO_ERROR"},
      {simdjson::INVALID_JSON_POINTER, "INVALID_JSON_POINTER"},
      {simdjson::INVALID_URI_FRAGMENT, "INVALID_URI_FRAGMENT"},
      {simdjson::UNEXPECTED_ERROR, "UNEXPECTED_ERROR"},
      {simdjson::PARSER_IN_USE, "PARSER_IN_USE"},
      {simdjson::OUT_OF_ORDER_ITERATION, "OUT_OF_ORDER_ITERATION"},
      {simdjson::INSUFFICIENT_PADDING, "INSUFFICIENT_PADDING"},
      {simdjson::INCOMPLETE_ARRAY_OR_OBJECT, "INCOMPLETE_ARRAY_OR_OBJECT"},
      {simdjson::SCALAR_DOCUMENT_AS_VALUE, "SCALAR_DOCUMENT_AS_VALUE"},
      {simdjson::OUT_OF_BOUNDS, "OUT_OF_BOUNDS"},
      {simdjson::TRAILING_CONTENT, "TRAILING_CONTENT"},
  };
  for (const auto& [value, name] : kNames) {
    if (value == code) return name;
  }
  return "JSON_ERROR";
}

std::string DescribeError(simdjson::error_code code) {
  std::string out(ErrorCodeName(code));
  out += ": ";
  out += simdjson::error_message(code);
  return out;
}

Error ClientJsonError(simdjson::error_code code) {
  return Error(ErrorKind::kInvalidArgument, DescribeError(code), ErrorSource::kClient);
}

bool ReadString(simdjson::ondemand::value& value, std::string& scratch, std::string_view& out) {
  simdjson::ondemand::json_type type;
  if (value.type().get(type) || type != simdjson::ondemand::json_type::string) return false;
  std::string_view token = TrimTrailingJsonSpace(value.raw_json_token());
  if (token.size() < 2 || token.back() != '"') return false;
  return DecodeString(token.substr(1, token.size() - 2), scratch, out);
}

bool ReadUint64(simdjson::ondemand::value& value, uint64_t& out) {
  simdjson::ondemand::json_type type;
  if (value.type().get(type) || type != simdjson::ondemand::json_type::number) return false;
  return ParseUint64Token(TrimTrailingJsonSpace(value.raw_json_token()), out);
}

}  // namespace sluice::json
