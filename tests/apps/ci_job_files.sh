#!/usr/bin/env bash
# Usage: ci_job_files.sh COLLABSIM WORKDIR JOB_FILE_DIR
# Runs the collabsim commands of the CI job files in docs/ci/ (GitHub
# Actions and GitLab CI: a matrix of shard jobs, then a merge job) on this
# machine, as each CI would: every shard's command with its matrix values,
# the artifacts moved where the merge job finds them, then the merge
# command. The merged results.json must equal one process's run of the same
# sweep (CPU time aside). The sweep is shrunk to fit a test.
set -euo pipefail
cli=$1
work=$2
jobs_dir=$3
export SUITE=two-continents ENGINES=ot,crdt SEEDS=1-4
rm -rf "$work"
mkdir -p "$work"
cd "$work"
"$cli" compare --suite "$SUITE" --engines "$ENGINES" --seeds "$SEEDS" --gnuplot /nonexistent/gnuplot --out whole \
  > whole.txt 2>&1

# The one line of `file` that runs `collabsim WHAT`, without its YAML prefix.
command_of() {
  local file=$1 what=$2 lines
  lines=$(grep -E "build/release/bin/collabsim $what " "$file" || true)
  if [ "$(printf '%s\n' "$lines" | grep -c .)" -ne 1 ]; then
    echo "$file: expected one line running 'collabsim $what', found: $lines" >&2
    exit 1
  fi
  printf '%s\n' "$lines" | sed -E 's/^ *(- run: |- )//; s#build/release/bin/collabsim#"$cli"#'
}

same_as_whole() {
  local merged=$1 name=$2
  strip() { grep -v '"measured_' "$1"; }
  if ! diff <(strip whole/results.json) <(strip "$merged") > "$name.diff"; then
    head -n 40 "$name.diff"
    echo "$name: the merged shards differ from one process's run" >&2
    exit 1
  fi
  echo "$name: 4 shard jobs and the merge job give the run of one process"
}

# GitHub Actions: matrix.shard 1..4; download-artifact puts each shard's
# artifact (its results.json) in shards/shard-N/.
shard=$(command_of "$jobs_dir/github-actions.yml" compare)
merge=$(command_of "$jobs_dir/github-actions.yml" report)
mkdir github && cd github
for n in 1 2 3 4; do
  (eval "${shard//'${{ matrix.shard }}'/$n}") > "shard-$n.txt" 2>&1 || true
  mkdir -p "shards/shard-$n" && cp "shard-$n/results.json" "shards/shard-$n/"
done
(eval "$merge") > merge.txt 2>&1 || [ $? -eq 1 ]
cd ..
same_as_whole github/sweep/results.json github

# GitLab CI: parallel: 4 sets CI_NODE_INDEX 1..4 and CI_NODE_TOTAL; the
# merge job gets every shard job's artifacts at their paths.
shard=$(command_of "$jobs_dir/gitlab-ci.yml" compare)
merge=$(command_of "$jobs_dir/gitlab-ci.yml" report)
mkdir gitlab && cd gitlab
for n in 1 2 3 4; do
  (CI_NODE_INDEX=$n CI_NODE_TOTAL=4 eval "$shard") > "shard-$n.txt" 2>&1
done
(eval "$merge") > merge.txt 2>&1
cd ..
same_as_whole gitlab/sweep/results.json gitlab
