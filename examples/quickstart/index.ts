// The README's program, kept here so that the build type-checks it (test/unit/docs/readme.test.ts
// checks the README shows it verbatim; test/engine/quickstart.test.ts previews it). Not brought up
// by the tests: it downloads a Debian cloud image.
import * as pulumi from "@pulumi/pulumi";
import { Network, StoragePool, VirtualMachine } from "pulumi-libvirt";

const net = new Network("net", {
    forward: { mode: "nat" },
    ips: [{ address: "10.77.0.1", prefix: 24, dhcp: { ranges: [{ start: "10.77.0.100", end: "10.77.0.200" }] } }],
});
const pool = new StoragePool("pool", { type: "dir", target: { path: "/var/lib/libvirt/lab-pool" } });
const vm = new VirtualMachine("vm", {
    image: "https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2",
    pool,
    network: net,
    ip: "10.77.0.10",
    memory: "2GiB",
    maxMemory: "4GiB",
    vcpus: 2,
    diskSize: "10GiB",
    // pulumi config set sshKey "$(cat ~/.ssh/id_ed25519.pub)"
    sshAuthorizedKeys: [new pulumi.Config().require("sshKey")],
});

export const ip = vm.ipAddress;
export const ssh = vm.sshCommand;
