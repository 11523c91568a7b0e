/**
 * A Pulumi program a user might write with every resource class and the component, and the
 * compiler settings of Pulumi's TypeScript template: shared by the unit tier (the build in dist/)
 * and the package tier (the packed tarball installed into a project).
 */
import { join } from "node:path";
import * as ts from "typescript";

/** A program a user might write: every class, the shorthands the README uses, outputs passed on. */
export const USER_PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import * as libvirt from "pulumi-libvirt";

const pool = new libvirt.StoragePool("pool", { target: { path: "/var/lib/pltest-types" } });
const net = new libvirt.Network("net", {
    forward: { mode: "nat" },
    ips: [{ address: "10.77.0.1", prefix: 24, dhcp: { ranges: [{ start: "10.77.0.10", end: "10.77.0.99" }] } }],
});
const disk = new libvirt.Volume("disk", { pool: pool.name, capacity: "2GiB", target: { format: "qcow2" } });
const seed = new libvirt.CloudInit("seed", { pool: pool.name, userData: { packages: ["htop"] } });
const vm = new libvirt.Domain("vm", {
    type: "qemu",
    memory: "512MiB",
    vcpu: 2,
    running: true,
    restartPolicy: "graceful",
    waitForIp: true,
    devices: {
        disks: [{ source: { file: disk.path }, target: { dev: "vda", bus: "virtio" } }],
        interfaces: [{ source: { network: net.name } }],
    },
});
const snapshot = new libvirt.DomainSnapshot("before-upgrade", { domain: vm.name, kind: "external", memory: false });
new libvirt.DhcpHost("lease", { network: net.name, ip: "10.77.0.5", mac: "52:54:00:00:00:05" });
new libvirt.DnsHost("dns", { network: net.name, ip: "10.77.0.5", hostnames: ["vm.lab"] });
const component = new libvirt.VirtualMachine("lab", {
    image: { url: "https://example.invalid/image.qcow2" },
    pool: pool,
    network: net,
    memory: "1GiB",
    waitForIp: false,
});
const capacity: pulumi.Output<number> = disk.capacityBytes;
const state: pulumi.Output<string> = vm.state;
const mode: pulumi.Output<libvirt.outputs.NetworkOutputs["forward"]> = net.forward;
const forward: libvirt.inputs.Forward = { mode: "route" };
export const outputs = {
    capacity,
    state,
    mode,
    forward,
    seed: seed.path,
    ip: component.ipAddress,
    files: snapshot.files,
};

// @ts-expect-error an unknown restart policy is refused (enums are literal unions, not string)
new libvirt.Domain("bad-policy", { memory: 256, restartPolicy: "sometimes" });
// @ts-expect-error memory is a number of MiB or a string, not a boolean
new libvirt.Domain("bad-memory", { memory: true });
// @ts-expect-error a Volume needs its pool
new libvirt.Volume("bad-volume", { capacity: 1 });
`;

/** The file name the program is written to in its project folder. */
export const USER_PROGRAM_FILE = "index.ts";

/** Type-checks the program in `dir` (its node_modules as a user's project has them); the diagnostics as text. */
export function compileUserProgram(dir: string, options: ts.CompilerOptions): string[] {
    const program = ts.createProgram([join(dir, USER_PROGRAM_FILE)], { ...options, noEmit: true });
    return ts
        .getPreEmitDiagnostics(program)
        .map((d) => `${d.file ? `${d.file.fileName}: ` : ""}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
}

/** Pulumi's TypeScript template (pulumi new typescript): no skipLibCheck, no esModuleInterop. */
export const TEMPLATE_TSCONFIG: ts.CompilerOptions = {
    strict: true,
    outDir: "bin",
    target: ts.ScriptTarget.ES2020,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
    // TypeScript 6 (this repository's) warns that node10 resolution is deprecated; the template's TypeScript 5 does not.
    ignoreDeprecations: "6.0",
};

/** The template's settings under node16 resolution (the package's `exports` map). */
export const NODE16_TSCONFIG: ts.CompilerOptions = {
    ...TEMPLATE_TSCONFIG,
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
};
