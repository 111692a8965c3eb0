#pragma once
// The processes of one job. Launched by mpirun (or srun) in a build with Open MPI, that is MPI's
// world; otherwise one process of rank 0, and every call below is a no-op. Apps open it once in
// run_app; the data-parallel trainer (optim/data_parallel.h) and the experiment sweeps use it.
//
// Only this file and world.cpp see MPI's headers: the rest of sprig speaks ranks and float buffers.
#include <cstdint>
#include <string>

namespace sprig::optim {

bool mpi_built();           // compiled with Open MPI
int world_rank();           // 0 without MPI
int world_size();           // 1 without MPI
inline bool is_root() { return world_rank() == 0; }

// Starts MPI when a launcher started this process (it sets OMPI_COMM_WORLD_SIZE or PMI_SIZE);
// a plain start stays single-process and pays nothing. Ends it at exit.
class WorldSession {
 public:
  WorldSession(int* argc, char*** argv);
  ~WorldSession();
  WorldSession(const WorldSession&) = delete;
  WorldSession& operator=(const WorldSession&) = delete;
};

// Prints "rank R of N: message" to stderr and ends every process of the job with `code`, so a
// failing rank never leaves the others waiting in a collective. Without MPI: exits.
[[noreturn]] void world_abort(const std::string& message, int code);

// Blocking collectives over all ranks, in place.
void allreduce_sum(float* data, int64_t n);
void allreduce_sum(double* data, int64_t n);
void broadcast(float* data, int64_t n, int root = 0);
void broadcast(std::string& text, int root = 0);
void barrier();

// A non-blocking in-place sum (MPI_Iallreduce): start, then wait before reading the buffer.
class PendingSum {
 public:
  PendingSum() = default;
  PendingSum(float* data, int64_t n);  // starts it
  PendingSum(PendingSum&& other) noexcept;
  PendingSum& operator=(PendingSum&& other) noexcept;
  ~PendingSum();              // waits, if still pending
  bool test();                // lets MPI progress; true once done
  void wait();

 private:
  void* request_ = nullptr;  // an MPI_Request, owned
};

}  // namespace sprig::optim
