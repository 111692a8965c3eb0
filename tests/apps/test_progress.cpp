#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

#include "apps/common/progress.h"

using sprig::cli::ProgressBar;

namespace {

int count(const std::string& text, char c) { return static_cast<int>(std::count(text.begin(), text.end(), c)); }

}  // namespace

TEST_CASE("progress: in a log, a line every 10% with percent, rate, times and the extra text") {
  std::ostringstream out;
  {
    ProgressBar bar(1000, "train", out, /*terminal=*/false);
    for (int64_t done = 1; done <= 1000; ++done) bar.update(done, "loss 0.12");
  }
  const std::string text = out.str();
  CHECK(count(text, '\n') == 11);  // 0%, 10%, ..., 100%
  CHECK(count(text, '\r') == 0);
  const std::string last = text.substr(text.rfind('\n', text.size() - 2) + 1);
  CHECK(last.find("train [####################] 100%  1000/1000") == 0);
  for (const char* part : {"/s  elapsed 0:0", "  eta 0:00", "  loss 0.12\n"})
    CHECK_MESSAGE(last.find(part) != std::string::npos, part);
}

TEST_CASE("progress: on a terminal, redraws in place at most ~10 times a second and ends the line") {
  std::ostringstream out;
  ProgressBar bar(100000, "eval", out, /*terminal=*/true);
  for (int64_t done = 0; done <= 100000; ++done) bar.update(done);
  bar.update(100000);  // after the end: nothing more
  const std::string text = out.str();
  CHECK(count(text, '\r') >= 2);    // the first draw and the last
  CHECK(count(text, '\r') <= 100);  // not once per update
  CHECK(count(text, '\n') == 1);
  CHECK(text.find("100%  100000/100000") != std::string::npos);
}

TEST_CASE("progress: odd totals do not break it") {
  std::ostringstream out;
  {
    ProgressBar empty(0, "nothing", out, false);
    empty.update(0);
    ProgressBar over(10, "over", out, true);
    over.update(-5);
    over.update(50);  // clamped to 10/10
  }
  CHECK(out.str().find("nothing [####################] 100%  0/0") != std::string::npos);
  CHECK(out.str().find("10/10") != std::string::npos);
  CHECK(out.str().back() == '\n');
}
