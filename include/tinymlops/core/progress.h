// Progress reporting for long work (training epochs, batches).
//
// Two styles: a single redrawn bar line for a person at a terminal, and one JSON
// object per line for programs and log files. Reports go to the stream given at
// construction (the CLI uses stderr, keeping stdout for results).
#pragma once

#include <chrono>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace tinymlops {

// A named number shown next to the bar or written as a JSON field.
using ProgressFields = std::vector<std::pair<std::string, double>>;

class Progress {
 public:
  enum class Style { kBar, kJsonLines, kSilent };

  // `*out` must outlive this Progress.
  Progress(Style style, std::ostream* out);

  // Picks kBar when `fd` is a terminal, else kJsonLines.
  static Style style_for_fd(int fd);

  // Work `done` of `total` within the current task; redraws the bar at most ~10
  // times a second. JSON lines style writes nothing here (too chatty).
  void update(long done, long total, const std::string& label, const ProgressFields& fields);

  // A finished unit of work (e.g. an epoch): the bar style prints it as a line,
  // the JSON style as {"event": event, fields...}.
  void event(const std::string& event, const ProgressFields& fields);

  // A free-text line (warnings, notes): the bar style prints it plainly, the JSON
  // style as {"event":"message","text":...}.
  void message(const std::string& text);

 private:
  void clear_bar();

  Style style_;
  std::ostream* out_;
  bool bar_visible_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace tinymlops
