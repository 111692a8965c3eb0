# Sourced by the sweep tests.
source "$(dirname "${BASH_SOURCE[0]}")/mpi_env.sh"

# run_reference APP SCRATCH MPIRUN ARGS...: the sequential run into SCRATCH/sequential and, if MPIRUN
# is not empty, the same on 2 MPI ranks into SCRATCH/mpi; sets `compared` to their results.json files.
run_reference() {
  local app=$1 scratch=$2 mpirun=$3
  shift 3
  "$app" "$@" --out "$scratch/sequential" > "$scratch/sequential.log" 2>&1
  compared=("$scratch/sequential/results.json")
  if [ -n "$mpirun" ]; then
    run_mpi "$mpirun" -np 2 "$app" "$@" --out "$scratch/mpi" > "$scratch/mpi.log" 2>&1
    compared+=("$scratch/mpi/results.json")
  fi
}

# run_printed_jobs APP JOBS_FILE LOG: runs the commands an app's --print_jobs listed, in order (as a
# Slurm array after its first job would), each with the app's folder in front of its program name.
run_printed_jobs() {
  local app=$1 jobs=$2 log=$3 program rest
  while read -r program rest; do
    # shellcheck disable=SC2086
    "$(dirname "$app")/$program" $rest >> "$log" 2>&1 < /dev/null
  done < <(grep -v '^#' "$jobs")
}
