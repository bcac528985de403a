"""Interface inventory from a real NetworkManager (issue 5), and the fallback.

Needs root, ip, unshare, mount, NetworkManager and nmcli (Debian's
network-manager package, tools/install-deps.sh). Each test makes:

  - a fresh network namespace trnm-X with a veth pair (tnva-X, tnvb-X);
  - a private *system* bus (tests/data/system-bus.conf) in it;
  - the real NetworkManager in it, on that bus, in a mount and UTS
    namespace of its own: /run and /var/lib/NetworkManager are empty tmpfs
    there, /sys is read-only (NetworkManager then does without udev, which
    does not run here: with a writable /sys it would wait for udev forever
    and leave every device unmanaged), its configuration, state and
    connection files are in the work directory, dns=none and
    hostname-mode=none; nothing of the host's NetworkManager setup is read
    or written;
  - the service in the same namespace, on its private session bus for its
    own API, with DBUS_SYSTEM_BUS_ADDRESS pointing at NetworkManager's bus
    (libnm uses the system bus).

What NetworkManager says is read back with nmcli and compared with the
service's D-Bus API (Interface objects through the ObjectManager,
ListInterfaces, Interfaces.Source):

  - inventory: every device shows Source "NetworkManager" with
    NetworkManager's type and device state (a veth is "ethernet" and
    "disconnected" there, "veth" and "up" for the kernel); a new device
    (dummy, or a bridge where the kernel has no dummy driver) appears, a
    state change follows (managed no/yes through nmcli; the veth peer's
    link down/up: "unavailable" and back), a deleted device disappears;
  - fallback: NetworkManager stopped, the service says Source "kernel"
    (Interfaces and every object) with the kernel's types and operstates,
    still sees devices created meanwhile, and takes NetworkManager's
    inventory again when it is back.

Cleanup (also after a failure): NetworkManager, the service and both buses
are stopped, the namespace deleted, NetworkManager's files removed (its log
stays in the work directory, which the harness keeps only when a test
failed).

Run: cd tests/integration && sudo /usr/bin/python3 -m unittest -v test_interfaces_nm
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gi.repository import GLib  # noqa: E402

from harness import (  # noqa: E402
    IFACES_PATH, MANAGER_PATH, SOURCE_ROOT, Bus, ManagedProcess, ServiceTestCase, log, random_suffix, require,
    require_binary, require_root,
)
import test_netns  # noqa: E402
from test_interfaces import IFACE_IFACE, IFACES_IFACE, path_for  # noqa: E402
from test_netns import sh  # noqa: E402

SYSTEM_BUS_CONFIG = os.path.join(SOURCE_ROOT, "tests", "data", "system-bus.conf")
NM_NAME = "org.freedesktop.NetworkManager"
TIMEOUT = 20

NM_CONF = """# NetworkManager for test_interfaces_nm.py: nothing outside the test
[main]
plugins=keyfile
dns=none
rc-manager=unmanaged
systemd-resolved=false
hostname-mode=none
auth-polkit=false
no-auto-default=*

[keyfile]
path={connections}

[logging]
level=INFO
"""

# Runs inside `ip netns exec` (which already gives a mount namespace with
# the namespace's own /sys), in a new private mount and UTS namespace.
NM_WRAPPER = ("set -e; "
              "mount -t tmpfs -o mode=0755 tmpfs /run; "
              "mount -t tmpfs -o mode=0700 tmpfs /var/lib/NetworkManager; "
              "mount -o remount,bind,ro /sys; "
              'exec "$@"')

# NMDeviceState by number, named as the service names them.
NM_STATES = {0: "unknown", 10: "unmanaged", 20: "unavailable", 30: "disconnected", 40: "prepare", 50: "config",
             60: "need-auth", 70: "ip-config", 80: "ip-check", 90: "secondaries", 100: "activated",
             110: "deactivating", 120: "failed"}


class NetworkManager(ManagedProcess):
    """The real NetworkManager in NETNS on BUS, its files under DIRECTORY."""

    def __init__(self, binary, directory, netns, bus, name, log_path):
        paths = {k: os.path.join(directory, k) for k in ("conf.d", "system-conf.d", "system-connections")}
        for p in paths.values():
            os.makedirs(p, exist_ok=True)
        conf = os.path.join(directory, "NetworkManager.conf")
        with open(conf, "w") as f:
            f.write(NM_CONF.format(connections=paths["system-connections"]))
        argv = ["unshare", "--mount", "--uts", "--propagation", "private", "sh", "-c", NM_WRAPPER, "sh",
                binary, "--debug", "--config=" + conf, "--config-dir=" + paths["conf.d"],
                "--system-config-dir=" + paths["system-conf.d"],
                "--intern-config=" + os.path.join(directory, "NetworkManager-intern.conf"),
                "--state-file=" + os.path.join(directory, "NetworkManager.state"),
                "--pid-file=" + os.path.join(directory, "NetworkManager.pid")]
        env = {"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"), "LC_ALL": "C.UTF-8",
               "DBUS_SYSTEM_BUS_ADDRESS": bus.address}
        # ip netns exec and unshare exec what follows: the pid is NetworkManager's
        super().__init__(name, argv, log_path, env=env, netns=netns)


class NetworkManagerInventoryTests(ServiceTestCase):
    start_service_in_setup = False
    needs_iperf = False
    _delete_namespaces = test_netns.NetnsTests._delete_namespaces

    def setUp(self):
        self.namespaces = []
        self.root_links = []
        self.nm_processes = []
        self.nm = None
        # registered before the harness's cleanups, so it runs after them:
        # every process is stopped first, then the namespace goes
        self.addCleanup(self._delete_namespaces)
        super().setUp()
        require_root(self, "test_interfaces_nm")
        require_binary(self, "ip")
        require_binary(self, "unshare")
        require_binary(self, "mount")
        require_binary(self, "nmcli")
        self.nm_binary = require_binary(self, "NetworkManager")
        require(self, os.path.isdir("/var/lib/NetworkManager"),
                "/var/lib/NetworkManager is missing (install network-manager)")
        self.nm_dir = os.path.join(self.workdir, "NetworkManager")
        self.addCleanup(shutil.rmtree, self.nm_dir, True)
        self.addCleanup(self._stop_network_managers)

        self.suffix = random_suffix()
        self.ns = "trnm-" + self.suffix
        sh("ip", "netns", "add", self.ns)
        self.namespaces.append(self.ns)
        sh("ip", "-n", self.ns, "link", "set", "lo", "up")
        self.veth, self.peer = "tnva" + self.suffix, "tnvb" + self.suffix
        sh("ip", "-n", self.ns, "link", "add", self.veth, "type", "veth", "peer", "name", self.peer)
        for dev in (self.veth, self.peer):
            sh("ip", "-n", self.ns, "link", "set", dev, "up")

        self.nm_bus = Bus(self.workdir, netns=self.ns, address="unix:path=" + os.path.join(self.workdir, "nm-bus"),
                          config=SYSTEM_BUS_CONFIG)
        self.buses.append(self.nm_bus)
        self.nm_conn = self.nm_bus.connect()
        self.connections.append(self.nm_conn)
        self.start_network_manager()
        self.bus, self.service, self.conn, self.events = self.start_stack(
            netns=self.ns, bus_address="unix:dir=" + self.workdir,
            env={"DBUS_SYSTEM_BUS_ADDRESS": self.nm_bus.address})

    # -- NetworkManager --

    def nm_owned(self):
        reply = self.nm_conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                       "NameHasOwner", GLib.Variant("(s)", (NM_NAME,)), GLib.VariantType("(b)"),
                                       0, 5000, None)
        return reply.unpack()[0]

    def start_network_manager(self):
        self.assertFalse(self.nm_owned(), "%s is already owned on the test's system bus" % NM_NAME)
        n = len(self.nm_processes) + 1
        self.nm = NetworkManager(self.nm_binary, self.nm_dir, self.ns, self.nm_bus, "NetworkManager-%d" % n,
                                 os.path.join(self.workdir, "NetworkManager-%d.log" % n))
        self.nm_processes.append(self.nm)
        self.iterate_until(lambda: self.nm_owned() or not self.nm.alive(), TIMEOUT, "NetworkManager on the bus")
        self.assertTrue(self.nm.alive(), "NetworkManager exited (%s):\n%s" % (self.nm.poll(), self.nm.read_log()))
        # startup done: it has its devices
        self.iterate_until(lambda: self.nm_device(self.veth)[1] not in (None, "unknown"), TIMEOUT,
                           "NetworkManager to know %s" % self.veth)

    def stop_network_manager(self):
        status, killed = self.nm.stop(signal.SIGTERM, timeout=15)
        self.assertFalse(killed, "NetworkManager did not exit within 15 s of SIGTERM")
        self.iterate_until(lambda: not self.nm_owned(), TIMEOUT, "NetworkManager to leave the bus")

    def _stop_network_managers(self):
        for nm in self.nm_processes:
            nm.stop(signal.SIGTERM, timeout=15)
        for nm in self.nm_processes:
            if self._failed():
                lines = nm.read_log().splitlines()
                sys.stderr.write("\n----- %s log (last %d lines) -----\n%s\n----- end -----\n"
                                 % (nm.name, min(60, len(lines)), "\n".join(lines[-60:])))

    def nmcli(self, *args, check=True):
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=self.nm_bus.address, LC_ALL="C.UTF-8")
        proc = subprocess.run(["nmcli", "-w", "10"] + list(args), env=env, capture_output=True, text=True,
                              timeout=30)
        if check and proc.returncode != 0:
            raise RuntimeError("nmcli %s failed (%d): %s" % (" ".join(args), proc.returncode, proc.stderr.strip()))
        return proc

    def nm_device(self, name):
        """(type, state) of NAME as NetworkManager has them (nmcli; the state
        by its number, named as the service does), (None, None) if unknown."""
        proc = self.nmcli("-g", "GENERAL.TYPE,GENERAL.STATE", "device", "show", name, check=False)
        lines = proc.stdout.splitlines()
        if proc.returncode != 0 or len(lines) < 2:
            return None, None
        return lines[0], NM_STATES.get(int(lines[1].split()[0]), "unknown")

    def kernel_links(self):
        """{name: (kind, operstate)} in the namespace, from ip -details."""
        out = json.loads(sh("ip", "-j", "-d", "-n", self.ns, "link", "show").stdout)
        links = {}
        for link in out:
            kind = link.get("linkinfo", {}).get("info_kind") or ("loopback" if link.get("link_type") == "loopback"
                                                                  else "ether")
            links[link["ifname"]] = (kind, link.get("operstate", "UNKNOWN").lower())
        return links

    # -- the service --

    def interfaces(self):
        return {p: v[IFACE_IFACE] for p, v in self.managed_objects(interfaces=True).items()
                if p.startswith(IFACES_PATH + "/")}

    def source(self):
        return self.get_property(MANAGER_PATH, "Source", iface=IFACES_IFACE)

    def wait_objects(self, predicate, what, timeout=TIMEOUT):
        last = {}

        def check():
            last["objects"] = self.interfaces()
            return predicate(last["objects"])

        if not self.iterate_until(check, timeout, what, raise_on_timeout=False):
            self.fail("timed out after %d s waiting for %s; the service has %r" % (timeout, what, last.get("objects")))
        return last["objects"]

    def wait_as_nm(self, names, what):
        """Waits until every one of NAMES shows Source NetworkManager with
        NetworkManager's type and state; returns their properties."""
        def same(objects):
            for name in names:
                props = objects.get(path_for(name))
                if props is None or props["Source"] != "NetworkManager":
                    return False
                if (props["Type"], props["State"]) != self.nm_device(name):
                    return False
            return True

        objects = self.wait_objects(same, what)
        return {name: objects[path_for(name)] for name in names}

    def wait_as_kernel(self, what):
        """Waits until every object shows Source kernel with the kernel's
        kind and operstate; returns {name: properties}."""
        kinds = {"ether": "ethernet"}

        def same(objects):
            links = self.kernel_links()
            if set(objects) != {path_for(n) for n in links}:
                return False
            for name, (kind, operstate) in links.items():
                props = objects[path_for(name)]
                if (props["Source"], props["Type"], props["State"]) != ("kernel", kinds.get(kind, kind), operstate):
                    return False
            return True

        objects = self.wait_objects(same, what)
        return {props["Name"]: props for props in objects.values()}

    def add_software_device(self, name):
        """A dummy device NAME, or a bridge where the kernel has no dummy
        driver; returns its kind."""
        if sh("ip", "-n", self.ns, "link", "add", name, "type", "dummy", check=False).returncode == 0:
            return "dummy"
        log("no dummy driver in this kernel: a bridge instead")
        sh("ip", "-n", self.ns, "link", "add", name, "type", "bridge")
        return "bridge"

    # ------------------------------------------------------------------

    def test_inventory_from_network_manager(self):
        names = ["lo", self.veth, self.peer]
        props = self.wait_as_nm(names, "the inventory from NetworkManager")
        self.assertEqual(self.source(), "NetworkManager")
        log("from NetworkManager: %s" % {n: (p["Type"], p["State"]) for n, p in props.items()})
        # NetworkManager's words, not the kernel's (a veth is "veth" and "up" there)
        self.assertEqual(props[self.veth]["Type"], "ethernet")
        self.assertEqual(props[self.veth]["State"], "disconnected")   # managed, no connection (no-auto-default)
        self.assertEqual(props["lo"]["Type"], "loopback")
        self.assertEqual(len(self.interfaces()), 3, sorted(self.interfaces()))
        listed = self.call(MANAGER_PATH, IFACES_IFACE, "ListInterfaces", None, "(aa{sv})")[0]
        self.assertEqual({i["name"]: i["source"] for i in listed}, {n: "NetworkManager" for n in names})

        # a new device: appears with NetworkManager's view of it
        new = "tnd-" + self.suffix
        kind = self.add_software_device(new)
        created = self.wait_as_nm([new], "the new %s device from NetworkManager" % kind)[new]
        self.assertEqual(created["Type"], kind)
        self.assertIn("_2d", path_for(new))

        # a state change NetworkManager makes: unmanaged and back
        self.nmcli("device", "set", self.veth, "managed", "no")
        state = self.wait_as_nm([self.veth], "%s unmanaged" % self.veth)[self.veth]["State"]
        self.assertEqual(state, "unmanaged")
        self.nmcli("device", "set", self.veth, "managed", "yes")
        state = self.wait_as_nm([self.veth], "%s managed again" % self.veth)[self.veth]["State"]
        self.assertNotEqual(state, "unmanaged")
        # ... and one the kernel causes: the peer down, so no carrier
        self.iterate_until(lambda: self.nm_device(self.veth)[1] == "disconnected", TIMEOUT,
                           "%s disconnected" % self.veth)
        sh("ip", "-n", self.ns, "link", "set", self.peer, "down")
        self.iterate_until(lambda: self.nm_device(self.veth)[1] == "unavailable", TIMEOUT,
                           "NetworkManager to see %s without carrier" % self.veth)
        self.assertEqual(self.wait_as_nm([self.veth], "%s unavailable" % self.veth)[self.veth]["State"],
                         "unavailable")
        sh("ip", "-n", self.ns, "link", "set", self.peer, "up")
        self.iterate_until(lambda: self.nm_device(self.veth)[1] == "disconnected", TIMEOUT,
                           "NetworkManager to see %s's carrier again" % self.veth)
        self.assertEqual(self.wait_as_nm([self.veth], "%s back" % self.veth)[self.veth]["State"], "disconnected")

        # a deleted device disappears
        sh("ip", "-n", self.ns, "link", "del", new)
        self.wait_objects(lambda o: path_for(new) not in o, "%s to disappear" % new)
        self.iterate_until(lambda: self.nm_device(new) == (None, None), TIMEOUT, "NetworkManager to forget it")
        self.assertEqual(set(self.interfaces()), {path_for(n) for n in names})
        self.assertEqual(self.source(), "NetworkManager")

    def test_kernel_fallback_while_network_manager_is_stopped(self):
        self.wait_as_nm(["lo", self.veth, self.peer], "the inventory from NetworkManager")
        self.assertEqual(self.source(), "NetworkManager")

        self.stop_network_manager()
        self.iterate_until(lambda: self.source() == "kernel", TIMEOUT, "Interfaces.Source to become kernel")
        props = self.wait_as_kernel("the kernel's inventory")
        log("from the kernel: %s" % {n: (p["Type"], p["State"]) for n, p in props.items()})
        self.assertEqual(props[self.veth]["Type"], "veth")
        self.assertEqual(props["lo"]["Type"], "loopback")
        self.assertEqual(props[self.veth]["Connection"], "")

        # devices keep coming and going without it
        late = "tnd-" + self.suffix
        kind = self.add_software_device(late)
        props = self.wait_as_kernel("the %s device created while NetworkManager is away" % kind)
        self.assertEqual(props[late]["Type"], kind)
        self.assertEqual(self.source(), "kernel")

        # back: NetworkManager's inventory again, the late device included
        self.start_network_manager()
        self.iterate_until(lambda: self.source() == "NetworkManager", TIMEOUT,
                           "Interfaces.Source to become NetworkManager again")
        props = self.wait_as_nm(["lo", self.veth, self.peer, late], "the inventory from NetworkManager again")
        self.assertEqual(props[self.veth]["Type"], "ethernet")
        self.assertEqual(props[late]["Type"], kind)
        listed = self.call(MANAGER_PATH, IFACES_IFACE, "ListInterfaces", None, "(aa{sv})")[0]
        self.assertEqual({i["source"] for i in listed}, {"NetworkManager"})


if __name__ == "__main__":
    unittest.main(verbosity=2)
