# Helpers sourced by the scenarios (not a scenario itself).
fail() {
  echo "FAIL: $*"
  exit 1
}

# Runs a pfr_test test; its output is the log, its status the result.
t() {
  pfr_test "$@" || fail "pfr_test $*"
}

# The pair of NICs joined by QEMU's hub: two igb, or two e1000e when the
# QEMU has no igb model. Sets RX and TX and brings every NIC up.
nics_up() {
  igb="" e1000e=""
  for n in /sys/class/net/eth*; do
    [ -e "$n" ] || continue
    i=$(basename "$n")
    drv=$(basename "$(readlink "$n/device/driver")")
    case $drv in
      igb) igb="$igb $i" ;;
      e1000e) e1000e="$e1000e $i" ;;
    esac
    ip link set "$i" up || fail "link up $i"
  done
  set -- $igb
  if [ $# -ge 2 ]; then
    TX=$1 RX=$2
  else
    set -- $e1000e
    [ $# -ge 2 ] || fail "need two igb or two e1000e NICs (igb:$igb e1000e:$e1000e)"
    TX=$1 RX=$2
  fi
  echo "NICs: igb:$igb e1000e:$e1000e; sending on $TX, capturing on $RX"
  for i in $TX $RX; do
    w=0
    until [ "$(cat /sys/class/net/$i/carrier 2>/dev/null)" = 1 ]; do
      w=$((w + 1))
      [ $w -le 100 ] || fail "no carrier on $i"
      sleep 0.1
    done
  done
}

info_has() {
  grep -q "$1" /proc/net/pf_ring/info || { cat /proc/net/pf_ring/info; fail "info lacks '$1'"; }
}
