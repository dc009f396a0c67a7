#!/usr/bin/env bash
# Start a single-node SLURM cluster on this machine, with accounting (slurmdbd + MariaDB), for
# running the workflow through `snakemake --profile profiles/slurm` (snakemake-executor-plugin-slurm).
#
#   sudo workflow/slurm/start.sh        # idempotent: starts only what is not running yet
#   export SLURM_CONF=/var/tmp/adamdyn-slurm/etc/slurm.conf   # printed at the end
#   workflow/slurm/stop.sh              # stops every daemon this script started
#
# What it does (Debian/Ubuntu, as root):
#   - apt-get installs what is missing: slurmctld slurmd slurm-client slurmdbd munge mariadb-server
#   - a munge key (/etc/munge/munge.key) and munged, unless a munged already answers
#   - a private MariaDB (datadir, socket and port in the state directory) and slurmdbd on it:
#     the executor plugin queries job states with `sacct`, which needs the accounting database
#   - slurm.conf for this one node (its cores and memory from `slurmd -C`): partition `cpu`
#     (default), proctrack/linuxproc and task/none (no cgroups), cgroup.conf, slurmdbd.conf
#   - the cluster, an account `adamdyn` and the calling user (default account adamdyn) in sacctmgr
#   - slurmctld and slurmd; waits until `sinfo` shows the node idle (or busy with earlier jobs)
# Everything lives in $ADAMDYN_SLURM_STATE (default /var/tmp/adamdyn-slurm); nothing in the
# repository. /etc/slurm/slurm.conf becomes a link to the state directory's slurm.conf (removed
# again by stop.sh): the executor's jobs run `srun` without SLURM_CONF, and plain `sinfo` works.
set -euo pipefail

STATE=${ADAMDYN_SLURM_STATE:-/var/tmp/adamdyn-slurm}
CLUSTER=${ADAMDYN_SLURM_CLUSTER:-adamdyn}
PARTITION=${ADAMDYN_SLURM_PARTITION:-cpu}
ACCOUNT=${ADAMDYN_SLURM_ACCOUNT:-adamdyn}
DB_PORT=${ADAMDYN_SLURM_DB_PORT:-33061}
CTLD_PORT=${ADAMDYN_SLURM_CTLD_PORT:-6817}
SLURMD_PORT=${ADAMDYN_SLURM_SLURMD_PORT:-6818}
DBD_PORT=${ADAMDYN_SLURM_DBD_PORT:-6819}
TIMEOUT=${ADAMDYN_SLURM_TIMEOUT:-60}   # seconds to wait for each daemon
PACKAGES="slurmctld slurmd slurm-client slurmdbd munge mariadb-server"

log() { echo "[slurm/start] $*" >&2; }
die() { echo "[slurm/start] ERROR: $1" >&2; exit "${2:-1}"; }
alive() { [[ -s "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }   # pid file -> process alive
log_size() { stat -c %s "$1" 2>/dev/null || echo 0; }
wait_for() {   # wait_for DESCRIPTION LOGFILE LOGSTART COMMAND...: retry COMMAND for up to $TIMEOUT s
    local what=$1 logfile=$2 start=$3; shift 3
    for _ in $(seq $((TIMEOUT * 5))); do
        "$@" >/dev/null 2>&1 && return 0
        # a daemon that logged a fatal error since it was started will not come up
        [[ -f "$logfile" ]] && tail -c +$((start + 1)) "$logfile" | grep -q "fatal:\|\[ERROR\] Aborting" && break
        sleep 0.2
    done
    [[ -f "$logfile" ]] && tail -c +$((start + 1)) "$logfile" | tail -n 20 >&2
    die "$what did not come up within ${TIMEOUT}s (log: $logfile)"
}

# exit status 2: not root; 3: packages missing and not installable (tests/test_slurm.py skips)
[[ $(id -u) -eq 0 ]] || die "run as root (the daemons, munge and apt-get need it)" 2

# --- packages ---
missing=()
command -v dpkg-query >/dev/null || die "not a Debian/Ubuntu system (no dpkg-query)" 3
for pkg in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
    command -v apt-get >/dev/null || die "missing ${missing[*]} and no apt-get to install them" 3
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null \
        || { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; } \
        || die "apt-get install ${missing[*]} failed" 3
fi

ETC=$STATE/etc RUN=$STATE/run LOG=$STATE/log
mkdir -p "$ETC" "$RUN" "$LOG" "$STATE/ctld" "$STATE/slurmd" "$STATE/mysql"
chmod 755 "$STATE"
export SLURM_CONF=$ETC/slurm.conf
USER_NAME=${SUDO_USER:-$(id -un)}

# --- munge ---
if [[ ! -s /etc/munge/munge.key ]]; then
    log "creating /etc/munge/munge.key"
    install -d -o munge -g munge -m 700 /etc/munge
    mungekey --create --keyfile=/etc/munge/munge.key 2>/dev/null \
        || dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
fi
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    log "munged already running"
else
    install -d -o munge -g munge -m 755 /run/munge
    install -d -o munge -g munge -m 700 /var/lib/munge /var/log/munge
    at=$(log_size /var/log/munge/munged.log)
    runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/munged.pid
    echo /run/munge/munged.pid > "$RUN/munged.started"   # stop.sh stops only what we started
    wait_for munged /var/log/munge/munged.log "$at" bash -c 'munge -n | unmunge'
    log "munged started"
fi

# --- MariaDB (private instance for slurmdbd) ---
DB_SOCK=$RUN/mysqld.sock
if alive "$RUN/mariadb.pid"; then
    log "mariadb already running"
else
    chown mysql:mysql "$STATE/mysql"
    if [[ ! -d $STATE/mysql/mysql ]]; then
        log "initialising the MariaDB data directory"
        mariadb-install-db --no-defaults --datadir="$STATE/mysql" --user=mysql --skip-test-db \
            --auth-root-authentication-method=socket > "$LOG/mariadb-install.log" 2>&1 \
            || { tail -n 20 "$LOG/mariadb-install.log" >&2; die "mariadb-install-db failed"; }
    fi
    chown mysql:mysql "$RUN" "$LOG"
    at=$(log_size "$LOG/mariadb.log")
    setsid /usr/sbin/mariadbd --no-defaults --datadir="$STATE/mysql" --user=mysql \
        --socket="$DB_SOCK" --port="$DB_PORT" --bind-address=127.0.0.1 --skip-name-resolve \
        --pid-file="$RUN/mariadb.pid" --log-error="$LOG/mariadb.log" \
        --innodb-buffer-pool-size=128M --innodb-log-file-size=64M --innodb-lock-wait-timeout=900 \
        </dev/null >/dev/null 2>&1 &
    wait_for mariadb "$LOG/mariadb.log" "$at" mariadb-admin --no-defaults --socket="$DB_SOCK" ping
    # mariadbd writes its pid file itself once it is up
    wait_for "mariadb pid file" "$LOG/mariadb.log" "$at" test -s "$RUN/mariadb.pid"
    log "mariadb started"
fi
DB_PASS_FILE=$ETC/db.pass
[[ -s $DB_PASS_FILE ]] || (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$DB_PASS_FILE")
DB_PASS=$(cat "$DB_PASS_FILE")
mariadb --no-defaults --socket="$DB_SOCK" -u root <<SQL
CREATE USER IF NOT EXISTS 'slurm'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
ALTER USER 'slurm'@'127.0.0.1' IDENTIFIED BY '$DB_PASS';
GRANT ALL ON slurm_acct_db.* TO 'slurm'@'127.0.0.1';
CREATE DATABASE IF NOT EXISTS slurm_acct_db;
SQL

# --- configuration (rewritten each time; the same machine gives the same files) ---
NODE=$(hostname -s)
read -r CPUS MEM < <(slurmd -C | awk '/^NodeName/ {
    for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "CPUs") c = kv[2]; if (kv[1] == "RealMemory") m = kv[2] }
    print c, m }')
[[ -n $CPUS && -n $MEM ]] || die "could not read the node's CPUs and memory from 'slurmd -C'"

OLD_CONF=$(cat "$ETC/slurm.conf" 2>/dev/null || true)
cat > "$ETC/slurm.conf" <<EOF
# Written by workflow/slurm/start.sh: a single-node cluster on $NODE for the adamdyn workflow.
ClusterName=$CLUSTER
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/slurmd
SlurmctldPidFile=$RUN/slurmctld.pid
SlurmdPidFile=$RUN/slurmd.pid
SlurmctldLogFile=$LOG/slurmctld.log
SlurmdLogFile=$LOG/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# no cgroups in this sandbox: track processes by /proc, no task affinity/confinement
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=30
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MinJobAge=300
KillWait=10
InactiveLimit=0
Waittime=0
# accounting: sacct (the executor's job status queries) reads slurmdbd
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=127.0.0.1
AccountingStoragePort=$DBD_PORT
AccountingStorageEnforce=associations
JobCompType=jobcomp/none
# keep sbatch --comment (the executor writes rule_<rule>_wildcards_<...>) in the accounting
AccountingStoreFlags=job_comment
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=$PARTITION Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF

cat > "$ETC/cgroup.conf" <<EOF
# Written by workflow/slurm/start.sh: no cgroup plugin is configured in slurm.conf
# (proctrack/linuxproc, task/none); nothing here is used, it only silences the lookup.
ConstrainCores=no
ConstrainRAMSpace=no
ConstrainDevices=no
EOF

(umask 077; cat > "$ETC/slurmdbd.conf" <<EOF
# Written by workflow/slurm/start.sh
AuthType=auth/munge
DbdHost=$NODE
DbdAddr=127.0.0.1
DbdPort=$DBD_PORT
SlurmUser=root
PidFile=$RUN/slurmdbd.pid
LogFile=$LOG/slurmdbd.log
DebugLevel=info
StorageType=accounting_storage/mysql
StorageHost=127.0.0.1
StoragePort=$DB_PORT
StorageUser=slurm
StoragePass=$DB_PASS
StorageLoc=slurm_acct_db
EOF
)
chmod 644 "$ETC/slurm.conf" "$ETC/cgroup.conf"
# The executor's job step runs the rule under a nested `srun` with every SLURM_* variable but the
# job's identity removed (SLURM_CONF too): srun must find the configuration at the default path.
if [[ -e /etc/slurm/slurm.conf && ! -L /etc/slurm/slurm.conf ]]; then
    die "/etc/slurm/slurm.conf exists (another cluster's?): the nested srun of each job would read it"
fi
mkdir -p /etc/slurm && ln -sfn "$ETC/slurm.conf" /etc/slurm/slurm.conf
echo /etc/slurm/slurm.conf > "$RUN/conf.linked"

# --- slurmdbd, then the cluster, account and user in the database ---
if alive "$RUN/slurmdbd.pid"; then
    log "slurmdbd already running"
else
    at=$(log_size "$LOG/slurmdbd.log")
    slurmdbd   # daemonises; reads slurmdbd.conf beside $SLURM_CONF
    wait_for slurmdbd "$LOG/slurmdbd.log" "$at" sacctmgr -n list cluster
    log "slurmdbd started"
fi
sacctmgr -n list cluster format=cluster | grep -qw "$CLUSTER" || sacctmgr -i add cluster "$CLUSTER" >/dev/null
sacctmgr -n list account format=account | grep -qw "$ACCOUNT" \
    || sacctmgr -i add account "$ACCOUNT" cluster="$CLUSTER" description="adamdyn workflow" organization=adamdyn >/dev/null
sacctmgr -n list assoc cluster="$CLUSTER" user="$USER_NAME" account="$ACCOUNT" format=account | grep -qw "$ACCOUNT" \
    || sacctmgr -i add user "$USER_NAME" account="$ACCOUNT" cluster="$CLUSTER" >/dev/null
[[ $(sacctmgr -n list user "$USER_NAME" format=defaultaccount | tr -d ' ') == "$ACCOUNT" ]] \
    || sacctmgr -i modify user "$USER_NAME" set defaultaccount="$ACCOUNT" >/dev/null

# --- slurmctld and slurmd ---
if alive "$RUN/slurmctld.pid"; then
    log "slurmctld already running"
    if [[ $OLD_CONF != "$(cat "$ETC/slurm.conf")" ]]; then
        log "slurm.conf changed: scontrol reconfigure"
        scontrol reconfigure
    fi
else
    at=$(log_size "$LOG/slurmctld.log")
    slurmctld
    wait_for slurmctld "$LOG/slurmctld.log" "$at" sinfo -h
    log "slurmctld started"
fi
at=$(log_size "$LOG/slurmd.log")
if alive "$RUN/slurmd.pid"; then
    log "slurmd already running"
else
    slurmd
    log "slurmd started"
fi
# idle (or running jobs of an earlier start); a trailing * ~ # etc. means not ready
node_up() { [[ $(sinfo -h -n "$NODE" -o %t) =~ ^(idle|mix|alloc)$ ]]; }
wait_for "node $NODE (idle in sinfo)" "$LOG/slurmd.log" "$at" node_up
sinfo >&2
log "cluster $CLUSTER up: node $NODE ($CPUS CPUs, $MEM MB), partition $PARTITION, account $ACCOUNT"
echo "export SLURM_CONF=$SLURM_CONF"
