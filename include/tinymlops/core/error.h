// Errors raised by libtinymlops.
//
// Library code reports every failure by throwing tinymlops::Error. An error has a
// kind (what went wrong, used by the CLI to pick an exit code), a location (where:
// "data.csv:17:3", "model.tmlm", "layers[2]"; may be empty) and a message. The CLI
// is the only place that turns an Error into text and an exit status.
#pragma once

#include <stdexcept>
#include <string>

namespace tinymlops {

enum class ErrorKind {
  kUsage,        // the caller asked for something contradictory or incomplete
  kIo,           // a file could not be opened, read, written or renamed
  kParse,        // malformed input text (CSV, YAML, layer specs)
  kFormat,       // a binary file is truncated, corrupted or of a newer version
  kInvalid,      // well-formed input whose content cannot be used
  kUnsupported,  // a valid request this version does not implement
};

// Returns a stable lower-case name for `kind` ("usage", "io", ...).
const char* error_kind_name(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  // what() is "location: message", or just "message" when location is empty.
  Error(ErrorKind kind, std::string location, std::string message);

  ErrorKind kind() const { return kind_; }
  const std::string& location() const { return location_; }
  const std::string& message() const { return message_; }

 private:
  ErrorKind kind_;
  std::string location_;
  std::string message_;
};

}  // namespace tinymlops
