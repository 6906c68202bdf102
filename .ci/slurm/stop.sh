#!/usr/bin/env bash
# Stops the cluster that .ci/slurm/start.sh started: cancels whatever jobs are left, then stops
# slurmd, slurmctld and munged by the PIDs in their pid files and waits for them to go. Quiet when
# nothing is running.
set -uo pipefail
dir=${CMCRD_SLURM_DIR:-/var/lib/cmcrd-slurm}

# Stopping slurmd does not stop the slurmstepd of a running job (nor the job's processes), so
# cancel every job first and give them a bounded while (KillWait, 10 s, + a little) to end.
if scontrol ping 2>/dev/null | grep -q 'is UP' && [ -n "$(squeue -h -o %i 2>/dev/null)" ]; then
  squeue -h -o %F 2>/dev/null | sort -u | xargs -r scancel --quiet 2>/dev/null || true
  for _ in $(seq 75); do
    [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break
    sleep 0.2
  done
fi

# Running: a live process of that name (a zombie, which nothing here reaps promptly, is gone).
running() { [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$1/stat" 2>/dev/null; }
stop() { # pid file, process name
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 0
  if [ -n "$pid" ] && running "$pid" "$2"; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 100); do running "$pid" "$2" || break; sleep 0.1; done
    if running "$pid" "$2"; then
      echo "stop.sh: $2 ($pid) did not stop in 10 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null
      for _ in $(seq 20); do running "$pid" "$2" || break; sleep 0.1; done
    fi
  fi
  rm -f "$1"
}
stop "$dir/run/slurmd.pid" slurmd
stop "$dir/run/slurmctld.pid" slurmctld
stop /run/munge/munged.pid munged
exit 0
