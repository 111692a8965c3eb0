// Test entry point shared by every test program. Tests run with two threads unless SPRIG_TEST_THREADS
// says otherwise, so results do not depend on the machine the suite runs on.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>

#include "tensor/runtime.h"

int main(int argc, char** argv) {
  const char* threads = std::getenv("SPRIG_TEST_THREADS");
  sprig::set_num_threads(threads ? std::atoi(threads) : 2);
  doctest::Context context(argc, argv);
  return context.run();
}
