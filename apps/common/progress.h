#pragma once
// A terminal progress bar for long loops:
//   train [#########-----------]  45%  450/1000  123.4/s  elapsed 0:03  eta 0:04  loss 0.12
// On a terminal it redraws one line in place, at most ten times a second; in a log (CI, a file) it
// prints a line every 10% instead, so logs stay short.
#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

namespace sprig::cli {

class ProgressBar {
 public:
  ProgressBar(int64_t total, std::string label);  // draws on stderr, redrawing if it is a terminal
  ProgressBar(int64_t total, std::string label, std::ostream& out, bool terminal);
  ~ProgressBar();  // ends a line left open on a terminal
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // `done` of `total` steps are finished; `extra` ("loss 0.12") ends the line.
  void update(int64_t done, std::string_view extra = {});

 private:
  using Clock = std::chrono::steady_clock;
  std::string line(int64_t done, std::string_view extra, double seconds) const;

  int64_t total_;
  std::string label_;
  std::ostream& out_;
  bool terminal_;
  Clock::time_point start_;
  Clock::time_point last_draw_;
  int64_t last_tenth_ = -1;  // logs: the last 10% step printed
  bool line_open_ = false;   // terminal: a line was drawn without its newline
  bool finished_ = false;
};

}  // namespace sprig::cli
