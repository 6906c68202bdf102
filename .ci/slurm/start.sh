#!/usr/bin/env bash
# Starts a one-node Slurm cluster (munged, slurmctld, slurmd) from .ci/slurm/slurm.conf.in, as root,
# without systemd. Idempotent: does nothing when the controller answers and the node is usable.
# Recipe: /work/shared/slurm-one-node.md (Debian slurm-wlm 22.05). Stop it with .ci/slurm/stop.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${CMCRD_SLURM_DIR:-/var/lib/cmcrd-slurm}   # state, spool, logs and pid files, all in one place
conf=/etc/slurm/slurm.conf
host=$(hostname -s)

ctld_up() { scontrol ping 2>/dev/null | grep -q 'is UP'; }
# sinfo's %T: idle, mixed, allocated, ... with a trailing '*' while slurmd does not answer.
node_state() { sinfo -h -n "$host" -o %T 2>/dev/null | head -n1 || true; }
node_ok() { case "$(node_state)" in idle | mixed | allocated | completing) return 0 ;; *) return 1 ;; esac; }
# A daemon is running when the pid in its pid file is a live process with that name: kill -0
# would also say yes for a killed daemon that is still a zombie (nothing reaps them promptly here)
# or for an unrelated process that reuses the pid.
alive() { # pid file, process name
  local pid
  pid=$(cat "$1" 2>/dev/null) && [ -n "$pid" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] && ! grep -q '^[0-9]* (.*) Z' "/proc/$pid/stat" 2>/dev/null
}

if ctld_up && node_ok; then exit 0; fi

for cmd in sbatch slurmctld slurmd munged; do
  command -v "$cmd" >/dev/null || { echo "start.sh: $cmd is missing: apt-get install slurm-wlm" >&2; exit 1; }
done

# munge: a shared key (1,024 random bytes, munge-owned, 0400), munged running as user munge.
if [ ! -s /etc/munge/munge.key ]; then
  install -d -o munge -g munge -m 0700 /etc/munge
  (umask 077 && head -c 1024 /dev/urandom > /etc/munge/munge.key)
  chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
fi
# /run/munge is normally made by systemd-tmpfiles; without systemd nobody makes it.
install -d -o munge -g munge -m 0755 /run/munge
install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
if ! alive /run/munge/munged.pid munged; then
  # --force: a socket left by a munged that died would otherwise stop it from starting.
  runuser -u munge -- /usr/sbin/munged --force
fi
for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done

# slurm.conf from the committed template, for this machine.
cpus=$(nproc)
mem=$(( $(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo) - 1024 ))
mkdir -p /etc/slurm "$dir"/{state,spool,log,run}
sed -e "s|@HOST@|$host|g" -e "s|@CPUS@|$cpus|g" -e "s|@MEM_MB@|$mem|g" -e "s|@DIR@|$dir|g" \
  "$here/slurm.conf.in" > "$conf.tmp"
mv "$conf.tmp" "$conf"

fail() {
  echo "start.sh: $1" >&2
  for f in "$dir"/log/slurmctld.log "$dir"/log/slurmd.log /var/log/munge/munged.log; do
    [ -f "$f" ] && { echo "--- tail of $f" >&2; tail -n 20 "$f" >&2; }
  done
  exit 1
}
ctld_log=$dir/log/slurmctld.log
ctld_lines=   # set when slurmctld is started here: its log's length before it starts
if ! alive "$dir/run/slurmctld.pid" slurmctld; then
  ctld_lines=$( (cat "$ctld_log" 2>/dev/null || true) | wc -l)
  slurmctld || fail "slurmctld did not start"
fi
alive "$dir/run/slurmd.pid" slurmd || slurmd || fail "slurmd did not start"

# Bounded wait (~30 s) for the controller, then for the node; a node that comes back DOWN or
# DRAINED (e.g. after an unclean stop) is resumed.
for i in $(seq 150); do
  if ctld_up; then
    node_ok && break
    case "$(node_state)" in
      down | drain* | drained) scontrol update nodename="$host" state=resume 2>/dev/null || true ;;
    esac
  fi
  [ "$i" -lt 150 ] && sleep 0.2
done
ctld_up || fail "slurmctld does not answer 'scontrol ping' after 30 s"
node_ok || fail "node $host is not usable after 30 s (sinfo state: '$(node_state)')"
# A fresh slurmctld starts no job until its first scheduling pass, ~3 s after it starts; it logs
# its SchedulerParameters then. Wait for that (at most 5 s, not fatal) so the first job submitted
# by the tests starts as fast as the rest.
if [ -n "$ctld_lines" ]; then
  for _ in $(seq 25); do
    tail -n +"$((ctld_lines + 1))" "$ctld_log" 2>/dev/null | grep -q 'SchedulerParameters=' && break
    sleep 0.2
  done
fi
exit 0
