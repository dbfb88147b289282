#include "tinymlops/core/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace tinymlops {

namespace {

// Whole numbers as integers; others to 7 significant digits, which is what a log
// reader needs and hides float-to-double noise (0.001f is not 0.0010000000474974513).
nlohmann::ordered_json json_number(double value) {
  if (std::isfinite(value) && value == std::floor(value) && std::fabs(value) < 9.0e15) {
    return static_cast<int64_t>(value);
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.7g", value);
  return std::strtod(text, nullptr);
}

std::string format_value(double value) {
  char text[32];
  std::snprintf(text, sizeof text, std::fabs(value) >= 1000 ? "%.0f" : "%.4f", value);
  return text;
}

std::string format_fields(const ProgressFields& fields) {
  std::string line;
  for (const auto& [name, value] : fields) line += "  " + name + " " + format_value(value);
  return line;
}

}  // namespace

Progress::Progress(Style style, std::ostream* out) : style_(style), out_(out) {}

Progress::Style Progress::style_for_fd(int fd) {
  return ::isatty(fd) ? Style::kBar : Style::kJsonLines;
}

void Progress::update(long done, long total, const std::string& label,
                      const ProgressFields& fields) {
  if (style_ != Style::kBar || total <= 0) return;
  auto now = std::chrono::steady_clock::now();
  if (done < total && bar_visible_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  constexpr int kWidth = 30;
  int filled = static_cast<int>(kWidth * done / total);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kWidth - filled), '.');
  *out_ << "\r\033[K" << label << " [" << bar << "] " << done << "/" << total
        << format_fields(fields) << std::flush;
  bar_visible_ = true;
}

void Progress::clear_bar() {
  if (bar_visible_) *out_ << "\r\033[K";
  bar_visible_ = false;
}

void Progress::event(const std::string& event, const ProgressFields& fields) {
  if (style_ == Style::kSilent) return;
  if (style_ == Style::kBar) {
    clear_bar();
    *out_ << event << format_fields(fields) << "\n" << std::flush;
    return;
  }
  nlohmann::ordered_json line;
  line["event"] = event;
  for (const auto& [name, value] : fields) line[name] = json_number(value);
  *out_ << line.dump() << "\n" << std::flush;
}

void Progress::message(const std::string& text) {
  if (style_ == Style::kSilent) return;
  if (style_ == Style::kBar) {
    clear_bar();
    *out_ << text << "\n" << std::flush;
    return;
  }
  nlohmann::ordered_json line;
  line["event"] = "message";
  line["text"] = text;
  *out_ << line.dump() << "\n" << std::flush;
}

}  // namespace tinymlops
