// JSON replies shared by the inference server and the dashboard server.
// Include it after Eigen: <resolv.h> (via httplib.h) defines a macro _res that
// Eigen uses as a name.
#pragma once

#include <httplib.h>

#include <nlohmann/json.hpp>
#include <string>

namespace tinymlops::serve {

// Sets `status` and the body {"error": message}, not to be cached.
inline void reply_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(nlohmann::ordered_json{{"error", message}}.dump(), "application/json");
}

}  // namespace tinymlops::serve
