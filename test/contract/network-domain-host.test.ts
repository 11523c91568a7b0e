/**
 * Network, DhcpHost and Domain stubs through the REAL dynamic provider host, against the real
 * libvirtd: nested inputs (ips with DHCP ranges, devices, vcpu) reach the runtime as the SDK sent
 * them, and nested outputs (ipAddresses as lists of lists, graphicsPasswords with nulls) survive
 * protobuf's Struct. check → create → read → diff → live update → delete for each, a tiny guest
 * booted on its reservation, and virsh checks each step.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { providerText } from "../../sdk/stub";
import { ProviderHost } from "../helpers/provider-host";
import { ensureSelfLink } from "../helpers/self-link";
import { PROJECT_ROOT } from "../helpers/shared-paths";
import { loadTestHost } from "../helpers/test-host";
import { listNames, removeTestObjects, virsh } from "../helpers/virsh";
import { dhcpHosts, dnsmasqPid, qemuPid } from "../scenarios/harness";

const PREFIX = "pltest-nethost-";
const SUBNET = "10.253.210";
const MAC = "52:54:00:fd:d2:0a";
const RESERVED_IP = `${SUBNET}.10`;
const urn = (type: string, name: string) => `urn:pulumi:dev::proj::pulumi-nodejs:dynamic/libvirt:${type}::${name}`;
const NET_URN = urn("Network", "net");
const LEASE_URN = urn("DhcpHost", "lease");
const VM_URN = urn("Domain", "vm");

let host: ProviderHost;
const providers: Record<"network" | "dhcpHost" | "domain", string> = { network: "", dhcpHost: "", domain: "" };

before(async () => {
    removeTestObjects(PREFIX);
    ensureSelfLink();
    for (const kind of ["network", "dhcpHost", "domain"] as const) {
        providers[kind] = providerText(kind);
    }
    host = await ProviderHost.start({ cwd: PROJECT_ROOT, project: "proj" });
    await host.configure({ "libvirt:uri": "qemu:///system" });
});

after(async () => {
    await host?.close();
    removeTestObjects(PREFIX);
});

test("a network, a reservation and a booted guest through the real provider host", async () => {
    // Network: an explicit name (the prefix keeps it ours), NAT, one subnet with a DHCP range.
    const netInputs = {
        __provider: providers.network,
        name: `${PREFIX}net`,
        forward: { mode: "nat" },
        ips: [
            {
                address: `${SUBNET}.1`,
                prefix: 24,
                dhcp: { ranges: [{ start: `${SUBNET}.100`, end: `${SUBNET}.150` }] },
            },
        ],
    };
    const netChecked = await host.check(NET_URN, {}, netInputs);
    assert.deepEqual(netChecked.failures, []);
    const net = await host.create(NET_URN, netChecked.inputs);
    assert.equal(net.properties.active, true);
    assert.match(virsh(["net-info", netInputs.name]), /Active:\s+yes/);
    assert.equal((await host.diff(NET_URN, net.id, net.properties, netChecked.inputs)).changes, "none");
    const dnsmasq = dnsmasqPid(netInputs.name);

    // DhcpHost: the reservation that the guest's MAC will ask for.
    const leaseInputs = {
        __provider: providers.dhcpHost,
        network: netInputs.name,
        mac: MAC,
        ip: RESERVED_IP,
        name: "one",
    };
    const leaseChecked = await host.check(LEASE_URN, {}, leaseInputs);
    assert.deepEqual(leaseChecked.failures, []);
    const lease = await host.create(LEASE_URN, leaseChecked.inputs);
    assert.deepEqual(dhcpHosts(netInputs.name), [`${MAC} ${RESERVED_IP}`]);

    // Domain: autonamed, the tiny guest booted by direct kernel boot, a VNC console with a password.
    const guest = loadTestHost();
    const vmInputs = {
        __provider: providers.domain,
        namePrefix: `${PREFIX}vm`,
        type: "qemu",
        memory: 96,
        vcpu: { maximum: 2, current: 1 },
        os: { kernel: guest.guestKernel, initrd: guest.guestInitrd, cmdline: "console=ttyS0" },
        devices: {
            interfaces: [{ source: { network: netInputs.name }, mac: MAC, model: "virtio" }],
            serials: [{ type: "pty" }],
            graphics: [{ type: "vnc", password: "s3cret" }],
        },
        shutdownTimeoutSeconds: 3,
        waitForIp: { source: "lease", timeoutSeconds: 120 },
    };
    const vmChecked = await host.check(VM_URN, {}, vmInputs);
    assert.deepEqual(vmChecked.failures, []);
    const vmName = vmChecked.inputs.name as string;
    assert.match(vmName, new RegExp(`^${PREFIX}vm-[0-9a-f]{7}$`));
    const vm = await host.create(VM_URN, vmChecked.inputs);
    assert.equal(vm.properties.state, "running");
    assert.deepEqual(vm.properties.macAddresses, [MAC]);
    assert.deepEqual(vm.properties.ipAddresses, [[RESERVED_IP]], "the guest got its reservation");
    assert.deepEqual(vm.properties.graphicsPasswords, ["s3cret"]);
    assert.equal(vm.properties.pendingRestart, false);
    assert.equal(vm.properties.uuid, virsh(["domuuid", vmName]).trim());
    const qemu = qemuPid(vmName);

    const vmRead = await host.read(VM_URN, vm.id, vm.properties);
    assert.equal(vmRead.id, vm.id);
    assert.deepEqual(vmRead.properties.vcpu, vm.properties.vcpu);
    assert.equal((await host.diff(VM_URN, vm.id, vmRead.properties, vmChecked.inputs)).changes, "none");

    // A live change of the guest: one more vCPU, same QEMU process.
    const twoVcpus = { ...vmChecked.inputs, vcpu: { maximum: 2, current: 2 } };
    const vmDiff = await host.diff(VM_URN, vm.id, vmRead.properties, twoVcpus);
    assert.equal(vmDiff.changes, "some");
    assert.deepEqual(vmDiff.replaces, []);
    const vmUpdated = await host.update(VM_URN, vm.id, vmRead.properties, twoVcpus);
    assert.equal(vmUpdated.properties.pendingRestart, false);
    assert.equal(virsh(["vcpucount", vmName, "--live", "--active"]).trim(), "2");
    assert.equal(qemuPid(vmName), qemu, "the guest was not restarted");

    // A live change of the reservation: the network and the guest stay as they are.
    const renamed = { ...leaseChecked.inputs, name: "two" };
    const leaseDiff = await host.diff(LEASE_URN, lease.id, lease.properties, renamed);
    assert.equal(leaseDiff.changes, "some");
    assert.deepEqual(leaseDiff.replaces, []);
    const leaseUpdated = await host.update(LEASE_URN, lease.id, lease.properties, renamed);
    assert.equal(leaseUpdated.properties.name, "two");
    assert.match(
        virsh(["net-dumpxml", netInputs.name]),
        new RegExp(`<host mac='${MAC}' name='two' ip='${RESERVED_IP}'/>`),
    );
    assert.equal(dnsmasqPid(netInputs.name), dnsmasq, "the network was not restarted");
    assert.equal(qemuPid(vmName), qemu);

    // Delete in reverse dependency order; each is gone for libvirt and for refresh.
    await host.delete(VM_URN, vm.id, vmUpdated.properties);
    assert.deepEqual(listNames("domain", PREFIX), []);
    assert.equal((await host.read(VM_URN, vm.id, vmUpdated.properties)).id, "");
    await host.delete(LEASE_URN, lease.id, leaseUpdated.properties);
    assert.deepEqual(dhcpHosts(netInputs.name), []);
    assert.equal((await host.read(LEASE_URN, lease.id, leaseUpdated.properties)).id, "");
    await host.delete(NET_URN, net.id, net.properties);
    assert.deepEqual(listNames("network", PREFIX), []);
    assert.equal((await host.read(NET_URN, net.id, net.properties)).id, "");
});
