#include "apps/common/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <sstream>

namespace sprig::cli {

namespace {

constexpr auto kRedrawInterval = std::chrono::milliseconds(100);
constexpr int kBarWidth = 20;

std::string duration_text(double seconds) {
  const int64_t total = static_cast<int64_t>(seconds);
  char text[32];
  if (total >= 3600)
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", static_cast<long long>(total / 3600),
                  static_cast<long long>(total / 60 % 60), static_cast<long long>(total % 60));
  else
    std::snprintf(text, sizeof text, "%lld:%02lld", static_cast<long long>(total / 60),
                  static_cast<long long>(total % 60));
  return text;
}

}  // namespace

ProgressBar::ProgressBar(int64_t total, std::string label)
    : ProgressBar(total, std::move(label), std::cerr, ::isatty(STDERR_FILENO) == 1) {}

ProgressBar::ProgressBar(int64_t total, std::string label, std::ostream& out, bool terminal)
    : total_(std::max<int64_t>(total, 0)),
      label_(std::move(label)),
      out_(out),
      terminal_(terminal),
      start_(Clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() {
  if (line_open_) out_ << '\n' << std::flush;
}

void ProgressBar::update(int64_t done, std::string_view extra) {
  if (finished_) return;
  done = std::clamp<int64_t>(done, 0, total_);
  finished_ = done == total_;
  const Clock::time_point now = Clock::now();
  if (terminal_) {
    if (line_open_ && !finished_ && now - last_draw_ < kRedrawInterval) return;
    out_ << '\r' << line(done, extra, std::chrono::duration<double>(now - start_).count()) << "\033[K";
    line_open_ = !finished_;
    if (finished_) out_ << '\n';
  } else {
    const int64_t tenth = total_ > 0 ? done * 10 / total_ : 10;
    if (tenth <= last_tenth_) return;
    last_tenth_ = tenth;
    out_ << line(done, extra, std::chrono::duration<double>(now - start_).count()) << '\n';
  }
  out_ << std::flush;
  last_draw_ = now;
}

std::string ProgressBar::line(int64_t done, std::string_view extra, double seconds) const {
  const double fraction = total_ > 0 ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
  const int filled = static_cast<int>(fraction * kBarWidth);
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0.0;
  std::ostringstream text;
  text << label_ << " [" << std::string(filled, '#') << std::string(kBarWidth - filled, '-') << "] " << std::setw(3)
       << static_cast<int>(fraction * 100) << "%  " << done << '/' << total_ << "  " << std::fixed
       << std::setprecision(rate < 100 ? 1 : 0) << rate << "/s  elapsed " << duration_text(seconds) << "  eta "
       << (rate > 0 ? duration_text(static_cast<double>(total_ - done) / rate) : std::string("?"));
  if (!extra.empty()) text << "  " << extra;
  return text.str();
}

}  // namespace sprig::cli
