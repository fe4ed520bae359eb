#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, from Debian's packages (slurm-wlm, munge): slurmctld and
# slurmd on loopback, one partition (`debug`) holding this machine. CI starts it for tests/test_slurm.py;
# on a laptop it is a way to try `hydra/launcher=slurm` (README, "Sweeps on a Slurm cluster").
#   scripts/slurm_local.sh start   installs what is missing, writes /etc/slurm/slurm.conf (never over one
#                                  it did not write), starts munged (unless one already answers),
#                                  slurmctld and slurmd, and waits until the node is idle
#   scripts/slurm_local.sh stop    cancels the cluster's jobs, stops the daemons `start` started (their pids
#                                  are kept in $STATE) and removes what it wrote
# Both may be run twice. Root is needed (daemons, /etc/slurm): re-runs itself with sudo otherwise.
set -euo pipefail
[ "$(id -u)" = 0 ] || exec sudo -- "$0" "$@"

STATE=/run/treatment-journeys-slurm   # pids, spool, controller state, logs; removed by `stop`
CONF=/etc/slurm/slurm.conf
MARK="# written by treatment-journeys scripts/slurm_local.sh"
KEY=/etc/munge/munge.key
PARTITION=debug
NODE="$(hostname -s)"

say() { echo "slurm_local: $*" >&2; }
die() { say "$*"; exit 1; }

# pid of a daemon this script started, if it is still that daemon (a pid may be reused)
ours() {
  local pid
  pid="$(cat "$STATE/$1.pid" 2>/dev/null)" || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ] && echo "$pid"
}

show_logs() {
  for f in "$STATE"/slurmctld.log "$STATE"/slurmd.log; do
    [ -f "$f" ] && { say "--- last lines of $f"; tail -n 20 "$f" >&2; }
  done
  return 0
}

install() {
  command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null \
    && command -v munged >/dev/null && return 0
  say "installing slurm-wlm and munge (Debian's packages)"
  local log
  log="$(mktemp)"
  # without recommends: the plugins for databases, GPUs and profiling are not needed here
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -qq \
         && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge; } \
         >"$log" 2>&1; then
    tail -n 30 "$log" >&2; rm -f "$log"; die "could not install slurm-wlm and munge"
  fi
  rm -f "$log"
}

start_munge() {
  if [ ! -f "$KEY" ]; then  # Debian's munge package makes one; munged refuses to start without it
    mkdir -p "$(dirname "$KEY")"
    mungekey --create --keyfile="$KEY"
    chown munge:munge "$KEY"; chmod 600 "$KEY"
    touch "$STATE/made-munge-key"
  fi
  if ours munged >/dev/null; then return 0; fi
  if munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
    say "a munged that this script did not start answers: using it (stop leaves it running)"
    return 0
  fi
  if [ ! -d /run/munge ]; then
    mkdir /run/munge; touch "$STATE/made-run-munge"
  fi
  chown munge:munge /run/munge; chmod 755 /run/munge
  # as the munge user, as Debian's service runs it; it forks and writes its pid file
  runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid
  cp /run/munge/munged.pid "$STATE/munged.pid"
  munge -n </dev/null | unmunge >/dev/null || die "munged started but does not answer"
}

write_conf() {
  if [ -f "$CONF" ] && ! head -n 1 "$CONF" | grep -qxF "$MARK"; then
    die "$CONF exists and was not written by this script: this machine has a Slurm of its own, use it"
  fi
  local cpus mem
  cpus="$(nproc)"
  # memory declared below what the machine has (slurmd drains a node with less than declared)
  mem=$(( $(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo) * 9 / 10 ))
  mkdir -p "$(dirname "$CONF")" "$STATE/slurmctld" "$STATE/slurmd"
  cat >"$CONF" <<EOF
$MARK
# (and removed by its 'stop'). One machine, loopback only, no accounting (sacct answers "accounting storage is disabled").
ClusterName=tj-local
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$STATE/slurmctld
SlurmdSpoolDir=$STATE/slurmd
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/slurmctld.log
SlurmdLogFile=$STATE/slurmd.log
# no cgroups (none to be had in a container, and Slurm 22.05 cannot switch its cgroup plugin off)
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
# a node that was down (a restart) comes back by itself
ReturnToService=2
SlurmdTimeout=60
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=$PARTITION Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
}

start_daemon() {  # slurmctld or slurmd: each forks and writes its pid file ($STATE/<name>.pid)
  ours "$1" >/dev/null && return 0
  rm -f "$STATE/$1.pid"
  "/usr/sbin/$1" || { show_logs; die "$1 did not start"; }
  local i
  for i in $(seq 50); do ours "$1" >/dev/null && return 0; sleep 0.1; done
  show_logs; die "$1 wrote no pid file"
}

wait_idle() {
  local state="" i
  for i in $(seq 60); do
    state="$(sinfo --noheader --nodes="$NODE" --partition="$PARTITION" --format=%T 2>/dev/null || true)"
    case $state in idle|mixed|allocated) return 0 ;; esac
    sleep 1
  done
  sinfo --list-reasons >&2 || true
  show_logs; die "node $NODE is '${state:-unknown}' after 60 s, not idle"
}

start() {
  install
  mkdir -p "$STATE"
  start_munge
  if ! ours slurmctld >/dev/null && ! ours slurmd >/dev/null; then
    rm -rf "$STATE/slurmctld" "$STATE/slurmd"  # a fresh cluster: no jobs left from an earlier one
    write_conf
  fi
  start_daemon slurmctld
  start_daemon slurmd
  wait_idle
  say "node $NODE idle in partition '$PARTITION' (slurmctld $(ours slurmctld), slurmd $(ours slurmd))"
}

stop_daemon() {
  local pid i
  pid="$(ours "$1")" || { rm -f "$STATE/$1.pid"; return 0; }
  kill -TERM "$pid"
  for i in $(seq 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
  if [ -d "/proc/$pid" ]; then say "$1 ($pid) still running after 10 s: killing it"; kill -KILL "$pid"; fi
  rm -f "$STATE/$1.pid"
}

stop() {
  if ours slurmctld >/dev/null; then  # jobs first: their processes would outlive slurmd
    local i
    scancel --full --quiet --partition="$PARTITION" 2>/dev/null || true
    for i in $(seq 30); do
      [ -z "$(squeue --noheader --format=%i 2>/dev/null)" ] && break
      sleep 1
    done
  fi
  stop_daemon slurmd
  stop_daemon slurmctld
  stop_daemon munged
  if [ -f "$CONF" ] && head -n 1 "$CONF" | grep -qxF "$MARK"; then rm -f "$CONF"; fi
  if [ -f "$STATE/made-munge-key" ]; then rm -f "$KEY"; fi
  if [ -f "$STATE/made-run-munge" ]; then rmdir /run/munge 2>/dev/null || true; fi
  rm -rf "$STATE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
