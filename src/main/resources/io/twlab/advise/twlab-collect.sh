#!/bin/sh
# twlab collect: read-only evidence for `twlab advise` from one host (client, NAT box, IPVS director or server).
# Writes one file per command into OUT/<hostname>/, each starting with the line
#   # twlab-collect <command> <epoch seconds> <hostname>
# Counters are read twice, INTERVAL seconds apart, so advise can compute rates. Nothing on the host is changed:
# every command only reads (sysctl -a, nstat -az with -s so its history file is not updated, ss, conntrack -S/-C/-L,
# ipvsadm -L..., nft list ruleset / iptables-save). A missing tool is skipped and noted in notes.txt.
# Usage: sh twlab-collect.sh [-o OUT] [-i INTERVAL] [-c PACKETS [-f FILTER]]
set -u
out=twlab-bundle
interval=10
packets=0
filter=tcp
while getopts "o:i:c:f:h" opt; do
  case "$opt" in
    o) out=$OPTARG ;;
    i) interval=$OPTARG ;;
    c) packets=$OPTARG ;;
    f) filter=$OPTARG ;;
    *) echo "usage: $0 [-o OUT] [-i INTERVAL] [-c PACKETS [-f FILTER]]" >&2; exit 2 ;;
  esac
done
case "$interval" in ''|*[!0-9]*) echo "twlab-collect: -i needs whole seconds" >&2; exit 2 ;; esac
case "$packets" in ''|*[!0-9]*) echo "twlab-collect: -c needs a packet count" >&2; exit 2 ;; esac
host=$(hostname 2>/dev/null || uname -n)
dir="$out/$host"
mkdir -p "$dir" || exit 2
notes="$dir/notes.txt"
printf '# twlab-collect notes %s %s\n' "$(date +%s)" "$host" > "$notes"

have() { command -v "$1" >/dev/null 2>&1; }

# run FILE COMMAND...: the command's output under its header; a failing command is noted, never fatal.
run() {
  file=$1; shift
  if ! have "$1"; then
    echo "# twlab-collect: skipped $* ($1 is not installed)" >> "$notes"
    return 0
  fi
  { printf '# twlab-collect %s %s %s\n' "$*" "$(date +%s)" "$host"; "$@" 2>&1; } > "$dir/$file" \
    || echo "# twlab-collect: $* exited with status $?" >> "$notes"
}

# grep_files FILE LABEL PATH...: /proc/sys files under one header, as "path:value" lines.
grep_files() {
  file=$1; label=$2; shift 2
  found=0
  for p in "$@"; do [ -r "$p" ] && found=1; done
  if [ "$found" = 0 ]; then
    echo "# twlab-collect: skipped $label (not present on this kernel)" >> "$notes"
    return 0
  fi
  { printf '# twlab-collect %s %s %s\n' "$label" "$(date +%s)" "$host"; grep -H . "$@" 2>/dev/null; } > "$dir/$file"
}

# cat_file FILE PATH: one /proc file under its header.
cat_file() {
  file=$1; path=$2
  if [ ! -r "$path" ]; then
    echo "# twlab-collect: skipped $path (not readable)" >> "$notes"
    return 0
  fi
  { printf '# twlab-collect cat %s %s %s\n' "$path" "$(date +%s)" "$host"; cat "$path"; } > "$dir/$file"
}

snapshot() {
  n=$1
  cat_file "proc-net-netstat-$n.txt" /proc/net/netstat
  cat_file "proc-net-snmp-$n.txt" /proc/net/snmp
  run "nstat-$n.txt" nstat -asz
  if have conntrack; then
    run "conntrack-S-$n.txt" conntrack -S
    run "conntrack-C-$n.txt" conntrack -C
  elif [ -r /proc/net/stat/nf_conntrack ]; then
    cat_file "conntrack-S-$n.txt" /proc/net/stat/nf_conntrack
  fi
}

run uname.txt uname -a
cat_file uptime.txt /proc/uptime
if [ -r /proc/config.gz ] && have zcat; then
  { printf '# twlab-collect zcat /proc/config.gz %s %s\n' "$(date +%s)" "$host"; zcat /proc/config.gz | grep '^CONFIG_HZ='; } > "$dir/config-hz.txt"
elif [ -r "/boot/config-$(uname -r)" ]; then
  { printf '# twlab-collect grep CONFIG_HZ= /boot/config-%s %s %s\n' "$(uname -r)" "$(date +%s)" "$host"; grep '^CONFIG_HZ=' "/boot/config-$(uname -r)"; } > "$dir/config-hz.txt"
fi
run sysctl.txt sysctl -a
grep_files nf-conntrack-sysctl.txt /proc/sys/net/netfilter/nf_conntrack_ /proc/sys/net/netfilter/nf_conntrack_*
grep_files ipvs-sysctl.txt /proc/sys/net/ipv4/vs/ /proc/sys/net/ipv4/vs/*
snapshot 1
run ss-s.txt ss -s
run ss-listen.txt ss -tln
run ss-time-wait.txt ss -tan state time-wait
if have ipvsadm && [ -r /proc/net/ip_vs ]; then
  run ipvsadm-list.txt ipvsadm -Ln
  run ipvsadm-stats.txt ipvsadm -Ln --stats --exact
  run ipvsadm-rate.txt ipvsadm -Ln --rate --exact
  run ipvsadm-timeout.txt ipvsadm -L --timeout
  run ipvsadm-conns.txt ipvsadm -Lnc
else
  echo "# twlab-collect: skipped ipvsadm (no ipvsadm, or no IPVS in this kernel)" >> "$notes"
fi
if have nft; then
  run nft-ruleset.txt nft list ruleset
elif have iptables-save; then
  run iptables-nat.txt iptables-save -t nat
else
  echo "# twlab-collect: skipped NAT rules (neither nft nor iptables-save is installed)" >> "$notes"
fi
if have conntrack; then
  { printf '# twlab-collect conntrack -L -p tcp %s %s\n' "$(date +%s)" "$host"; conntrack -L -p tcp 2>/dev/null | head -n 100000; } > "$dir/conntrack-L.txt"
fi
if [ "$packets" -gt 0 ]; then
  if have tcpdump; then
    # Bounded by count and by time; -s 128 keeps headers only.
    if have timeout; then
      timeout "$((interval + 5))" tcpdump -n -s 128 -c "$packets" -w "$dir/capture.pcap" $filter >/dev/null 2>&1 &
    else
      tcpdump -n -s 128 -c "$packets" -w "$dir/capture.pcap" $filter >/dev/null 2>&1 &
    fi
    cap=$!
  else
    echo "# twlab-collect: skipped the capture (tcpdump is not installed)" >> "$notes"
  fi
fi
sleep "$interval"
snapshot 2
if [ "${cap:-}" != "" ]; then wait "$cap" 2>/dev/null; fi
echo "twlab-collect: wrote $dir" >&2
