#pragma once

// Pure helpers of gateway.cc, exposed for tests.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string_view>
#include <vector>

#include "sluice/mcp/session.h"

namespace sluice::mcp {

// The union of the backends' capabilities, as the initialize result announces it.
boost::json::object MergeCapabilities(const std::vector<BackendSession>& backends);

// Prefixes resource URIs in a result (resource links, embedded resources, read contents).
bool PrefixResourceUris(boost::json::value& v, std::string_view backend, int depth = 0);

}  // namespace sluice::mcp
