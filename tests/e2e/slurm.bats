#!/usr/bin/env bats
# ph-slurm: the job script (--dry-run) and a real run on a one-node SLURM
# cluster started on localhost by the test (../shared/docs/slurm-local.md),
# with its own munge socket, ports and state directories under the test's
# scratch directory so nothing system-wide is touched.
load ../cli/helpers

objects() { # objects FILE: two objects on a small scene in ./scene
  printf 'oid ra dec band templates science\n' > "$1"
  printf '%s %s %s Y106 scene/templates.csv scene/science.csv\n' \
    20172782 "$RA" "$DEC" 7 "$HRA" "$HDEC" >> "$1"
}

scene() {
  command -v ph-psf >/dev/null && command -v ph-phot >/dev/null \
    || skip "ph-psf and ph-phot are not built (issues 4 and 8)"
  ph-sim -q --size 256 --templates 1 --science 2 --seed 5 -o scene
  cp "$PH_TOP/examples/phrosty_config.yaml" config.yaml
  sed -i 's|images: images|images: scene/images|; s|file:psf/|file:scene/psf/|' config.yaml
  RA=$(awk -F, 'NR==2 {print $10}' scene/truth/transient_20172782_Y106.csv)
  DEC=$(awk -F, 'NR==2 {print $11}' scene/truth/transient_20172782_Y106.csv)
  HRA=$(awk "BEGIN { printf \"%.8f\", $RA + 0.0001 }") HDEC=$DEC
}

@test "ph-slurm --dry-run prints a job array with one task per object and the resources asked for" {
  printf 'path observation_id sca mjd band\n' > t.csv
  cp t.csv s.csv
  printf 'oid ra dec band templates science\n1 7.5 -44.8 Y106 t.csv s.csv\n2,7.6,-44.9,Y106,t.csv,s.csv\n\n3 7.7 -44.7 H158 t.csv s.csv\n' > obj.csv
  touch c.yaml
  run ph-slurm -c c.yaml --partition gpu --cpus 8 --gpus 1 --mem 32G --time 00:30:00 --max-parallel 2 \
    --sbatch-arg=--constraint=gpu -n obj.csv -- -v --catchfailures
  assert_success
  assert_line "#SBATCH --array=0-2%2"
  assert_line "#SBATCH --cpus-per-task=8"
  assert_line "#SBATCH --gpus-per-task=1"
  assert_line "#SBATCH --mem=32G"
  assert_line "#SBATCH --time=00:30:00"
  assert_line "#SBATCH --partition=gpu"
  assert_line "#SBATCH --constraint=gpu"
  assert_output --partial "2\\ 7.6\\ -44.9\\ Y106\\ $PWD/t.csv\\ $PWD/s.csv"
  assert_output --regexp "ph-pipeline -c $PWD/c.yaml --oid \"\\\$oid\" .* -p 8 -v --catchfailures"
  [ ! -e ph-slurm-obj.sh ]
  # each task's log lines carry a timestamp and a level, as phrosty's
  assert_line 'export PH_LOG_FORMAT=${PH_LOG_FORMAT:-phrosty}'
  # the script is valid bash
  ph-slurm -c c.yaml -n obj.csv > job.sh
  run bash -n job.sh
  assert_success
  # the version in the form of every ph tool
  run ph-slurm --version
  assert_output --regexp "^ph-slurm \(phrosty-c\) [0-9]+\.[0-9]+\.[0-9]+"
}

@test "ph-slurm: errors are one line, exit 2" {
  touch c.yaml
  run_rejects 2 "^ph-slurm: nothere.csv: no such file$" ph-slurm -c c.yaml -n nothere.csv
  printf 'oid ra dec\n' > bad.csv
  run_rejects 2 "^ph-slurm: bad.csv: line 1: expected the header 'oid ra dec band templates science'$" ph-slurm -c c.yaml -n bad.csv
  printf 'oid ra dec band templates science\n1 7.5 -44.8 Y106 t.csv\n' > short.csv
  run_rejects 2 "^ph-slurm: short.csv: line 2: expected 6 fields" ph-slurm -c c.yaml -n short.csv
  printf 'oid ra dec band templates science\n1 7.5 -44.8 Y106 t.csv s.csv\n' > nolist.csv
  run_rejects 2 "^ph-slurm: nolist.csv: line 2: .*/t.csv: no such list$" ph-slurm -c c.yaml -n nolist.csv
  printf 'oid ra dec band templates science\n' > empty.csv
  run_rejects 2 "^ph-slurm: empty.csv: no objects in the table$" ph-slurm -c c.yaml -n empty.csv
  run_rejects 2 "^ph-slurm: --cpus '0': not a positive whole number$" ph-slurm -c c.yaml --cpus 0 -n empty.csv
  run_rejects 2 "^ph-slurm: config: no configuration file" ph-slurm -n empty.csv
  run_rejects 2 "^ph-slurm: nope.yaml: cannot read the config file$" ph-slurm -c nope.yaml -n empty.csv
  run_rejects 2 "^ph-slurm: OBJECTS.csv: missing: give the table of objects" ph-slurm -c c.yaml -n
  run_rejects 2 "^ph-slurm: other.csv: one object table only" ph-slurm -c c.yaml -n empty.csv other.csv
  run_rejects 2 "^ph-slurm: --frob: unknown option \(see --help\)$" ph-slurm -c c.yaml --frob -n empty.csv
  run_rejects 2 "^ph-slurm: --time: missing value \(see --help\)$" ph-slurm -c c.yaml --time
  run_rejects 2 "^ph-slurm: --time '3h': expected \[D-\]HH:MM:SS$" ph-slurm -c c.yaml --time 3h -n empty.csv
  run_rejects 2 "^ph-slurm: --mem 'lots': expected a size such as 16G$" ph-slurm -c c.yaml --mem lots -n empty.csv
  run_rejects 2 "^ph-slurm: --gpus 'x': not a whole number$" ph-slurm -c c.yaml --gpus x -n empty.csv
  run_rejects 2 "^ph-slurm: --max-parallel '0': not a positive whole number$" ph-slurm -c c.yaml --max-parallel 0 -n empty.csv
  touch t.csv s.csv
  printf 'oid ra dec band templates science\na/b 7.5 -44.8 Y106 t.csv s.csv\n' > o1.csv
  run_rejects 2 "^ph-slurm: o1.csv: line 2: oid 'a/b': letters, digits and . _ \+ - only$" ph-slurm -c c.yaml -n o1.csv
  printf 'oid ra dec band templates science\n1 east -44.8 Y106 t.csv s.csv\n' > o2.csv
  run_rejects 2 "^ph-slurm: o2.csv: line 2: 'east' is not a number$" ph-slurm -c c.yaml -n o2.csv
  touch 'a;b.csv'
  printf 'oid ra dec band templates science\n1 7.5 -44.8 Y106 a;b.csv s.csv\n' > o3.csv
  run_rejects 2 "^ph-slurm: o3.csv: line 2: .*/a;b.csv: path with spaces or special characters$" ph-slurm -c c.yaml -n o3.csv
}

@test "ph-slurm: sbatch missing or refusing the job is an error (exit 1, its message)" {
  touch c.yaml t.csv s.csv
  printf 'oid ra dec band templates science\n1 7.5 -44.8 Y106 t.csv s.csv\n' > o.csv
  printf '#!/bin/sh\necho "sbatch: error: Batch job submission failed: Invalid partition name specified" >&2\nexit 1\n' > refuse
  chmod +x refuse
  PH_SBATCH=$PWD/refuse run ph-slurm -c c.yaml o.csv
  [ "$status" -eq 1 ]
  assert_one_line_error "^ph-slurm: .*/refuse: sbatch: error: Batch job submission failed: Invalid partition name specified$"
  [ -x ph-slurm-o.sh ]
  PH_SBATCH=no-such-sbatch run ph-slurm -c c.yaml o.csv
  [ "$status" -eq 1 ]
  assert_one_line_error "^ph-slurm: no-such-sbatch: not found: is this a SLURM cluster\? \(--dry-run prints the script\)$"
  mkdir ro && PH_SBATCH=$PWD/refuse run ph-slurm -c c.yaml --script ro/sub/x.sh o.csv
  [ "$status" -eq 1 ]
  assert_one_line_error "^ph-slurm: ro/sub/x.sh: cannot write the job script$"
}

# ---- a one-node cluster on localhost --------------------------------------

start_cluster() {
  [ "$(id -u)" -eq 0 ] || skip "the SLURM test starts slurmctld/slurmd and needs root"
  for c in munged munge slurmctld slurmd sbatch squeue sinfo; do
    command -v $c >/dev/null || skip "$c not installed (scripts/install-deps --tests installs slurm-wlm and munge)"
  done
  C=$T/cluster
  mkdir -p $C/state $C/spool $C/log $C/munge
  head -c 1024 /dev/urandom > $C/munge/key && chmod 400 $C/munge/key
  munged -f --key-file=$C/munge/key --socket=$C/munge/sock --pid-file=$C/munge/pid \
    --log-file=$C/munge/log --seed-file=$C/munge/seed 3>&- || skip "munged would not start: $(tail -n 1 $C/munge/log 2>/dev/null)"
  for i in $(seq 50); do [ -S $C/munge/sock ] && break; sleep 0.1; done
  base=$((20000 + RANDOM % 20000))
  host=$(hostname -s)
  mem=$(awk '/MemTotal/ {printf "%d", $2 / 1024 / 2}' /proc/meminfo)
  cat > $C/slurm.conf <<EOF
ClusterName=phtest
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$base
SlurmdPort=$((base + 1))
AuthType=auth/munge
AuthInfo=socket=$C/munge/sock
StateSaveLocation=$C/state
SlurmdSpoolDir=$C/spool
SlurmctldPidFile=$C/slurmctld.pid
SlurmdPidFile=$C/slurmd.pid
SlurmctldLogFile=$C/log/slurmctld.log
SlurmdLogFile=$C/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=$host CPUs=$(nproc) RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  export SLURM_CONF=$C/slurm.conf
  slurmctld -f $C/slurm.conf 3>&- || { stop_cluster; skip "slurmctld would not start: $(tail -n 1 $C/log/slurmctld.log)"; }
  slurmd -f $C/slurm.conf 3>&- || { stop_cluster; skip "slurmd would not start: $(tail -n 1 $C/log/slurmd.log)"; }
  for i in $(seq 100); do
    sinfo -h -o %T 2>/dev/null | grep -q idle && return 0
    sleep 0.2
  done
  stop_cluster
  skip "the one-node cluster did not come up: $(tail -n 1 $C/log/slurmd.log)"
}

stop_cluster() {
  local f p
  for f in $C/slurmd.pid $C/slurmctld.pid $C/munge/pid; do
    [ -s $f ] || continue
    p=$(cat $f)
    kill $p 2>/dev/null
    for i in $(seq 50); do kill -0 $p 2>/dev/null || break; sleep 0.1; done
  done
}

teardown() {
  [ -n "${C:-}" ] && stop_cluster
  return 0
}

@test "a 2-object job array on a one-node SLURM cluster: both light curves appear" {
  scene
  start_cluster
  objects objects.csv
  run ph-slurm -c config.yaml --cpus 1 --time 00:10:00 --output "$T/task-%a.out" objects.csv -- -v
  echo "$output"
  assert_success
  assert_output --regexp "^Submitted batch job [0-9]+$"
  for i in $(seq 600); do
    [ -z "$(squeue -h 2>/dev/null)" ] && break
    sleep 0.2
  done
  [ -z "$(squeue -h)" ] || fail "jobs still queued: $(squeue)"
  cat task-*.out
  for o in 20172782 7; do
    f=lc_out_dir/data/$o/${o}_Y106_all.csv
    [ -f "$f" ] || fail "$f missing"
    [ "$(tail -n +2 "$f" | wc -l)" -eq 2 ]
  done
  grep -q "Results saved to $PWD/lc_out_dir/data/7/7_Y106_all.csv" task-1.out
  grep -q "task 0 of job" task-0.out
}
