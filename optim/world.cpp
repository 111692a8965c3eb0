#include "optim/world.h"

#include <cstdlib>
#include <iostream>
#include <limits>
#include <utility>

#include "tensor/error.h"

#ifdef SPRIG_MPI
#include <mpi.h>
#endif

namespace sprig::optim {

namespace {
int rank_ = 0, size_ = 1;
[[maybe_unused]] bool started_ = false;  // this process called MPI_Init_thread

bool launched_by_mpi() {
  return std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") || std::getenv("PMIX_RANK");
}

#ifdef SPRIG_MPI
// MPI counts are ints: long buffers go in pieces.
constexpr int64_t kMaxCount = std::numeric_limits<int>::max() / 2;

void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw Error(std::string(what) + " failed on rank " + std::to_string(rank_) + ": " + std::string(text, size_t(length)));
}
#endif
}  // namespace

bool mpi_built() {
#ifdef SPRIG_MPI
  return true;
#else
  return false;
#endif
}

int world_rank() { return rank_; }
int world_size() { return size_; }

WorldSession::WorldSession(int* argc, char*** argv) {
#ifdef SPRIG_MPI
  if (!launched_by_mpi()) return;
  int provided = 0;
  // Only the main thread calls MPI; the data loader's and OpenMP's threads never do.
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  started_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
#else
  (void)argc, (void)argv;
  if (launched_by_mpi() && std::getenv("OMPI_COMM_WORLD_RANK") && std::string(std::getenv("OMPI_COMM_WORLD_RANK")) == "0")
    std::cerr << "warning: started by mpirun, but this sprig was built without Open MPI: every rank runs alone "
                 "(apt-get install libopenmpi-dev openmpi-bin, then rebuild)\n";
#endif
}

WorldSession::~WorldSession() {
#ifdef SPRIG_MPI
  if (started_) MPI_Finalize();
#endif
}

void world_abort(const std::string& message, int code) {
  std::cerr << (size_ > 1 ? "rank " + std::to_string(rank_) + " of " + std::to_string(size_) + ": " : "") << message
            << std::endl;
#ifdef SPRIG_MPI
  if (started_ && size_ > 1) MPI_Abort(MPI_COMM_WORLD, code);
#endif
  std::exit(code);
}

namespace {
#ifdef SPRIG_MPI
template <typename T>
MPI_Datatype mpi_type();
template <>
MPI_Datatype mpi_type<float>() { return MPI_FLOAT; }
template <>
MPI_Datatype mpi_type<double>() { return MPI_DOUBLE; }
#endif

template <typename T>
void allreduce_sum_of(T* data, int64_t n) {
#ifdef SPRIG_MPI
  if (size_ == 1) return;
  for (int64_t at = 0; at < n; at += kMaxCount)
    check(MPI_Allreduce(MPI_IN_PLACE, data + at, int(std::min(kMaxCount, n - at)), mpi_type<T>(), MPI_SUM, MPI_COMM_WORLD),
          "MPI_Allreduce");
#else
  (void)data, (void)n;
#endif
}
}  // namespace

void allreduce_sum(float* data, int64_t n) { allreduce_sum_of(data, n); }
void allreduce_sum(double* data, int64_t n) { allreduce_sum_of(data, n); }

void broadcast(float* data, int64_t n, int root) {
#ifdef SPRIG_MPI
  if (size_ == 1) return;
  for (int64_t at = 0; at < n; at += kMaxCount)
    check(MPI_Bcast(data + at, int(std::min(kMaxCount, n - at)), MPI_FLOAT, root, MPI_COMM_WORLD), "MPI_Bcast");
#else
  (void)data, (void)n, (void)root;
#endif
}

void broadcast(std::string& text, int root) {
#ifdef SPRIG_MPI
  if (size_ == 1) return;
  int64_t length = int64_t(text.size());
  check(MPI_Bcast(&length, 1, MPI_INT64_T, root, MPI_COMM_WORLD), "MPI_Bcast");
  text.resize(size_t(length));
  for (int64_t at = 0; at < length; at += kMaxCount)
    check(MPI_Bcast(text.data() + at, int(std::min(kMaxCount, length - at)), MPI_CHAR, root, MPI_COMM_WORLD), "MPI_Bcast");
#else
  (void)text, (void)root;
#endif
}

void barrier() {
#ifdef SPRIG_MPI
  if (size_ > 1) check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
#endif
}

PendingSum::PendingSum(float* data, int64_t n) {
#ifdef SPRIG_MPI
  if (size_ == 1) return;
  SPRIG_CHECK(n <= kMaxCount, "PendingSum: ", n, " floats in one request; buckets must be smaller");
  auto* request = new MPI_Request;
  const int code = MPI_Iallreduce(MPI_IN_PLACE, data, int(n), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, request);
  if (code != MPI_SUCCESS) delete request;
  check(code, "MPI_Iallreduce");
  request_ = request;
#else
  (void)data, (void)n;
#endif
}

PendingSum::PendingSum(PendingSum&& other) noexcept : request_(std::exchange(other.request_, nullptr)) {}

// MPI's default error handler ends the job on a failed wait before it could throw; a throw here
// would only report what the job's end already says.
PendingSum& PendingSum::operator=(PendingSum&& other) noexcept {
  if (this != &other) {
    try {
      wait();
    } catch (...) {
    }
    request_ = std::exchange(other.request_, nullptr);
  }
  return *this;
}

PendingSum::~PendingSum() {
  try {
    wait();
  } catch (...) {
  }
}

bool PendingSum::test() {
#ifdef SPRIG_MPI
  if (!request_) return true;
  int done = 0;
  check(MPI_Test(static_cast<MPI_Request*>(request_), &done, MPI_STATUS_IGNORE), "MPI_Test");
  if (done) delete static_cast<MPI_Request*>(std::exchange(request_, nullptr));
  return done != 0;
#else
  return true;
#endif
}

void PendingSum::wait() {
#ifdef SPRIG_MPI
  if (!request_) return;
  auto* request = static_cast<MPI_Request*>(std::exchange(request_, nullptr));
  const int code = MPI_Wait(request, MPI_STATUS_IGNORE);
  delete request;
  check(code, "MPI_Wait");
#endif
}

}  // namespace sprig::optim
