#!/usr/bin/env bash
# Stop the single-node SLURM cluster of workflow/slurm/start.sh: cancels its jobs, then stops
# slurmd, slurmctld, slurmdbd, its MariaDB and munged (munged only if start.sh started it).
#   workflow/slurm/stop.sh            # keep the state directory (configs, database, logs)
#   workflow/slurm/stop.sh --purge    # and delete it (the next start.sh starts from scratch)
set -uo pipefail

STATE=${ADAMDYN_SLURM_STATE:-/var/tmp/adamdyn-slurm}
RUN=$STATE/run
export SLURM_CONF=$STATE/etc/slurm.conf
log() { echo "[slurm/stop] $*" >&2; }

stop_pid_file() {   # stop_pid_file NAME PIDFILE: TERM, then KILL after 20 s
    local name=$1 pidfile=$2 pid
    [[ -s $pidfile ]] || return 0
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid"
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -0 "$pid" 2>/dev/null && { log "$name ($pid) ignored TERM: KILL"; kill -KILL "$pid"; }
        log "$name ($pid) stopped"
    fi
    rm -f "$pidfile"
}

if [[ -d $STATE ]]; then
    if [[ -s $RUN/slurmctld.pid ]] && kill -0 "$(cat "$RUN/slurmctld.pid")" 2>/dev/null; then
        jobs=$(squeue -h -o %i 2>/dev/null | tr '\n' ' ')
        if [[ -n ${jobs// /} ]]; then
            log "cancelling jobs $jobs"
            # shellcheck disable=SC2086
            scancel $jobs 2>/dev/null
            for _ in $(seq 50); do [[ -z $(squeue -h -o %i 2>/dev/null) ]] && break; sleep 0.2; done
        fi
    fi
    stop_pid_file slurmd "$RUN/slurmd.pid"
    stop_pid_file slurmctld "$RUN/slurmctld.pid"
    stop_pid_file slurmdbd "$RUN/slurmdbd.pid"
    stop_pid_file mariadb "$RUN/mariadb.pid"
    if [[ -s $RUN/munged.started ]]; then
        stop_pid_file munged "$(cat "$RUN/munged.started")"
        rm -f "$RUN/munged.started"
    fi
    if [[ -s $RUN/conf.linked ]]; then
        link=$(cat "$RUN/conf.linked")
        [[ -L $link && $(readlink "$link") == "$STATE/etc/slurm.conf" ]] && rm -f "$link"
        rm -f "$RUN/conf.linked"
    fi
    if [[ ${1:-} == --purge ]]; then
        rm -rf "$STATE" && log "removed $STATE"
    fi
fi
exit 0
