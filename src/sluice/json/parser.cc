#include "sluice/json/parser.h"

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

}  // namespace

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
  using namespace simdjson;  // NOLINT: enumerators only
  switch (code) {
    case SUCCESS: return "SUCCESS";
    case CAPACITY: return "CAPACITY";
    case MEMALLOC: return "MEMALLOC";
    case TAPE_ERROR: return "TAPE_ERROR";
    case DEPTH_ERROR: return "DEPTH_ERROR";
    case STRING_ERROR: return "STRING_ERROR";
    case T_ATOM_ERROR: return "T_ATOM_ERROR";
    case F_ATOM_ERROR: return "F_ATOM_ERROR";
    case N_ATOM_ERROR: return "N_ATOM_ERROR";
    case NUMBER_ERROR: return "NUMBER_ERROR";
    case UTF8_ERROR: return "UTF8_ERROR";
    case UNINITIALIZED: return "UNINITIALIZED";
    case EMPTY: return "EMPTY";
    case UNESCAPED_CHARS: return "UNESCAPED_CHARS";
    case UNCLOSED_STRING: return "UNCLOSED_STRING";
    case UNSUPPORTED_ARCHITECTURE: return "UNSUPPORTED_ARCHITECTURE";
    case INCORRECT_TYPE: return "INCORRECT_TYPE";
    case NUMBER_OUT_OF_RANGE: return "NUMBER_OUT_OF_RANGE";
    case INDEX_OUT_OF_BOUNDS: return "INDEX_OUT_OF_BOUNDS";
    case NO_SUCH_FIELD: return "NO_SUCH_FIELD";
    case IO_ERROR: return "IO_ERROR";
    case INVALID_JSON_POINTER: return "INVALID_JSON_POINTER";
    case INVALID_URI_FRAGMENT: return "INVALID_URI_FRAGMENT";
    case UNEXPECTED_ERROR: return "UNEXPECTED_ERROR";
    case PARSER_IN_USE: return "PARSER_IN_USE";
    case OUT_OF_ORDER_ITERATION: return "OUT_OF_ORDER_ITERATION";
    case INSUFFICIENT_PADDING: return "INSUFFICIENT_PADDING";
    case INCOMPLETE_ARRAY_OR_OBJECT: return "INCOMPLETE_ARRAY_OR_OBJECT";
    case SCALAR_DOCUMENT_AS_VALUE: return "SCALAR_DOCUMENT_AS_VALUE";
    case OUT_OF_BOUNDS: return "OUT_OF_BOUNDS";
    case TRAILING_CONTENT: return "TRAILING_CONTENT";
    default: return "JSON_ERROR";
  }
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
  std::string_view raw = token.substr(1, token.size() - 2);
  if (raw.find('\\') == std::string_view::npos) {
    out = raw;
    return true;
  }
  scratch.clear();
  if (!AppendUnescaped(scratch, raw)) return false;
  out = scratch;
  return true;
}

bool ReadUint64(simdjson::ondemand::value& value, uint64_t& out) {
  simdjson::ondemand::json_type type;
  if (value.type().get(type) || type != simdjson::ondemand::json_type::number) return false;
  std::string_view token = TrimTrailingJsonSpace(value.raw_json_token());
  if (token.empty() || token.size() > 20) return false;
  uint64_t v = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (token.size() > 1 && token[0] == '0') return false;
  out = v;
  return true;
}

}  // namespace sluice::json
