#include "tinymlops/core/error.h"

namespace tinymlops {

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kUsage: return "usage";
    case ErrorKind::kIo: return "io";
    case ErrorKind::kParse: return "parse";
    case ErrorKind::kFormat: return "format";
    case ErrorKind::kInvalid: return "invalid";
    case ErrorKind::kUnsupported: return "unsupported";
  }
  return "unknown";
}

static std::string compose(const std::string& location, const std::string& message) {
  return location.empty() ? message : location + ": " + message;
}

Error::Error(ErrorKind kind, std::string location, std::string message)
    : std::runtime_error(compose(location, message)),
      kind_(kind),
      location_(std::move(location)),
      message_(std::move(message)) {}

}  // namespace tinymlops
