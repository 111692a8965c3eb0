# Sourced by the sweep tests: runs the commands an app's --print_jobs listed, in order (as a Slurm
# array after its first job would), each with the app's folder in front of its program name.
# run_printed_jobs APP JOBS_FILE LOG
run_printed_jobs() {
  local app=$1 jobs=$2 log=$3 program rest
  while read -r program rest; do
    # shellcheck disable=SC2086
    "$(dirname "$app")/$program" $rest >> "$log" 2>&1 < /dev/null
  done < <(grep -v '^#' "$jobs")
}
