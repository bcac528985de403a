#!/bin/bash
# Validates every XML file of the tree (meson test "validate-xml"):
# - D-Bus introspection XML against the introspection DTD (libdbus-1-dev);
# - polkit policies (the .in in the tree and the built, translated one)
#   against polkit's DTD, and every <allow_*> value against polkit's set;
# - other XML (AppStream metainfo, GtkBuilder .ui, GResource): well-formed;
# - D-Bus bus configuration (our system policy, the test buses' configs):
#   well-formed, and loaded by a real dbus-daemon, which rejects unknown
#   elements and attributes (its DTD is outdated: it lacks send_destination).
# Usage: validate-xml.sh SOURCE_ROOT BUILD_ROOT
set -uo pipefail
src=${1:?source root}
build=${2:?build root}
status=0
fail() { echo "FAIL: $*" >&2; status=1; }

introspect_dtd=/usr/share/xml/dbus-1/introspect.dtd
polkit_dtd=/usr/share/polkit-1/policyconfig-1.dtd
for tool in xmllint dbus-daemon; do
  command -v "$tool" >/dev/null || { echo "missing $tool (tools/install-deps.sh installs it)" >&2; exit 1; }
done
for dtd in "$introspect_dtd" "$polkit_dtd"; do
  [ -r "$dtd" ] || { echo "missing $dtd (tools/install-deps.sh installs it)" >&2; exit 1; }
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Placeholders of .in files (@TRAFFICD_USER@) become a real user name, so
# that dbus-daemon can resolve it.
fill() { sed -e 's/@TRAFFICD_USER@/root/g' -e 's/@[a-z_]*@/x/g' "$1"; }

n=0
while IFS= read -r -d '' f; do
  n=$((n + 1))
  rel=${f#"$src"/}
  case "$f" in
    */dbus/*.xml)
      xmllint --noout --nonet --dtdvalid "$introspect_dtd" "$f" || fail "$rel: not valid D-Bus introspection XML"
      ;;
    *.policy|*.policy.in)
      fill "$f" > "$tmp/policy.xml"
      xmllint --noout --nonet --dtdvalid "$polkit_dtd" "$tmp/policy.xml" || fail "$rel: not a valid polkit policy"
      bad=$(xmllint --xpath '//defaults/*/text()' "$tmp/policy.xml" 2>/dev/null | tr -s ' \n' '\n' |
            grep -v -x -E 'no|yes|auth_self|auth_admin|auth_self_keep|auth_admin_keep|' || true)
      [ -z "$bad" ] || fail "$rel: invalid implicit authorizations: $bad"
      ;;
    *.conf|*.conf.in)
      head -c 512 "$f" | grep -q '<busconfig\|DTD D-Bus Bus Configuration' || { n=$((n - 1)); continue; }
      fill "$f" > "$tmp/bus-policy.conf"
      xmllint --noout --nonet "$tmp/bus-policy.conf" || { fail "$rel: not well-formed"; continue; }
      # a standalone bus config is loaded as is; a policy fragment is
      # included from a minimal bus config
      if grep -q '<listen>' "$tmp/bus-policy.conf"; then
        config="$tmp/bus-policy.conf"
      else
        config="$tmp/bus.conf"
        cat > "$config" <<EOC
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$tmp/socket</listen>
  <auth>EXTERNAL</auth>
  <include>$tmp/bus-policy.conf</include>
</busconfig>
EOC
      fi
      timeout 10 dbus-daemon --config-file "$config" --nofork --print-address=3 3>"$tmp/address" 2>"$tmp/bus.log" &
      pid=$!
      for _ in $(seq 100); do
        [ -s "$tmp/address" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
      done
      if [ -s "$tmp/address" ]; then
        kill "$pid" 2>/dev/null
      else
        fail "$rel: dbus-daemon does not accept it: $(cat "$tmp/bus.log")"
      fi
      wait "$pid" 2>/dev/null
      : > "$tmp/address"
      rm -f "$tmp/socket"
      ;;
    *.xml|*.ui)
      # other XML (AppStream metainfo, GtkBuilder, GResource): well-formed
      xmllint --noout --nonet "$f" || fail "$rel: not well-formed XML"
      ;;
    *)
      n=$((n - 1))
      ;;
  esac
done < <(find "$src" "$build/data" \( -path "$src/build" -o -path "$src/.git" -o -path '*/subprojects' \) -prune -o \
           -type f \( -name '*.xml' -o -name '*.ui' -o -name '*.policy' -o -name '*.policy.in' -o -name '*.conf' -o -name '*.conf.in' \) \
           -print0 | grep -z -v -E '/(fixtures|po)/')

echo "validated $n XML files"
[ "$n" -gt 0 ] || fail "no XML file found"
exit $status
