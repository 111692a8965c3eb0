# Sourced by the tests that start mpirun: lets root run it (CI containers) on fewer cores than
# ranks, and defines run_mpi MPIRUN ARGS... Under AddressSanitizer it turns leak checking off for the
# ranks only: Open MPI unloads its plugins at MPI_Finalize, leaving allocations LeakSanitizer can
# neither attribute nor suppress by library; every single-process run keeps the check.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
run_mpi() {
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$@"
}
