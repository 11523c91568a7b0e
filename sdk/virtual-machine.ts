/**
 * `VirtualMachine`: from a cloud image to a guest you can log into, in one component. It composes
 * the exact resources (every child is shown in the preview, `{ parent: this }`):
 *
 * - `<name>-base`: the image as a Volume shared by every VirtualMachine of the same pool and image
 *   (its name derives from the image's sha256; see `Volume.shared`): the first creates it, the
 *   others take it over, and it is deleted with the last one;
 * - `<name>-disk`: a qcow2 overlay on it, the guest's `vda` (virtio);
 * - `<name>-seed`: the cloud-init NoCloud seed (user, SSH keys, hostname, your userData), a cdrom;
 * - `<name>-ip`: a DhcpHost reservation, when `ip` is given;
 * - `<name>-domain`: the Domain (virtio disk and NIC, serial console, guest agent channel,
 *   memballoon, virtio rng, VNC on 127.0.0.1).
 *
 * Changes reach the children and apply as theirs do: `memory` and `vcpus` up to their maximums
 * live; `diskSize` grows the overlay in place (the guest's growpart extends its filesystem at
 * the next boot); a new key or hostname makes a new seed (a new instance-id), swapped live into
 * the cdrom and applied by cloud-init at the guest's next boot.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import type { PlainObject } from "../provider/cloudinit";
import { CloudInit, DhcpHost, Domain, type DomainArgs, Network, StoragePool, Volume } from "./generated/resources";
import {
    assertPoolExists,
    checkImage,
    hostnameProblem,
    type ImageLocation,
    sshKeyProblems,
    userProblem,
    VirtualMachineArgError,
} from "./virtual-machine-checks";
import { componentCloudConfig, mergeCloudConfig, userCloudConfig } from "./virtual-machine-cloud-config";
import { defaultCpu, mergeDomainArgs, stableMac } from "./virtual-machine-domain";

export interface VirtualMachineArgs {
    /**
     * The domain's name on the host (`virsh list`); also the default hostname, and the source of
     * the NIC's MAC. Default: the component's name. A change replaces the domain.
     */
    name?: string;
    /**
     * The base image: a local path, an http(s) URL (`{ url, sha256 }`; plain http needs the sha256,
     * https does not), or an existing Volume used as is. Uploaded once per pool and image, then
     * shared. A local path without a sha256 is hashed by the program at every run. A different
     * image is a new base and replaces the disk (a new, empty overlay).
     */
    image: string | ImageLocation | Volume;
    /** The storage pool for the base image, the disk and the seed: a name or a StoragePool. Must exist (checked at preview when it is a name). */
    pool: pulumi.Input<string> | StoragePool;
    /** The libvirt network the NIC joins: a name or a Network. */
    network: pulumi.Input<string> | Network;
    /** A fixed IPv4 address: a DhcpHost reservation for the VM's MAC. Without it the guest takes any DHCP lease. Changes live (the next lease renewal gets it). */
    ip?: pulumi.Input<string>;
    /** vCPUs online. Default 1. Up to `maxVcpus` a change is live (hot plug). */
    vcpus?: pulumi.Input<number>;
    /** The vCPU ceiling for live changes. Default: `vcpus`. A change applies at the next restart. */
    maxVcpus?: pulumi.Input<number>;
    /** Memory the guest has, MiB (a number) or a string with a unit ("1GiB"). Default 1024 MiB. Up to `maxMemory` a change is live (balloon). */
    memory?: pulumi.Input<number | string>;
    /** The memory ceiling for live changes (boot-time memory). Default: `memory`. A change applies at the next restart. */
    maxMemory?: pulumi.Input<number | string>;
    /** The disk's virtual size, MiB or a string with a unit ("20GiB"). Default: the image's size. Grows in place, live. */
    diskSize?: pulumi.Input<number | string>;
    /** The user cloud-init creates, with passwordless sudo and no password login. Default "lab". */
    user?: string;
    /** OpenSSH public keys for `user` ("ssh-ed25519 AAAA... comment"). A change makes a new seed: applied at the next boot. */
    sshAuthorizedKeys?: pulumi.Input<pulumi.Input<string>[]>;
    /** The guest's hostname (meta-data local-hostname). Default: the domain's name. A change makes a new seed. */
    hostname?: string;
    /**
     * More cloud-config: an object, or a "#cloud-config" YAML string. Merged with the component's:
     * `users`, `ssh_authorized_keys`, `runcmd`, `bootcmd`, `write_files` and `packages` lists are
     * joined (the component's entries first); any other key of yours wins. A change makes a new seed.
     */
    userData?: pulumi.Input<string | PlainObject>;
    /** Hypervisor: "kvm" (default) or "qemu" (TCG, software emulation: slow, but runs anywhere). Replaces on change. */
    type?: "kvm" | "qemu";
    /** The CPU model. Default: host-model under kvm, the named model qemu64 under qemu. Applies at the next restart. */
    cpu?: DomainArgs["cpu"];
    /** Back the guest's memory with the host's default huge pages (the host must have enough reserved). Next restart. */
    hugepages?: boolean;
    /** Host CPUs the vCPUs may run on ("0-3,^2"). Applies at the next restart. */
    cpuset?: pulumi.Input<string>;
    /**
     * The graphical console: VNC listening on 127.0.0.1 (default, port chosen by libvirt), or
     * `false` for none. `password` is a secret; a new one applies live.
     */
    graphics?:
        | boolean
        | {
              /** The address VNC listens on. Default "127.0.0.1" (this host only). */
              listen?: pulumi.Input<string>;
              /** A fixed TCP port (5900 and up); default: a free port libvirt picks. */
              port?: pulumi.Input<number>;
              /** The console password. Secret; a new one applies live. */
              password?: pulumi.Input<string>;
          };
    /** The libvirt URI. Default: stack config `libvirt:uri`, then LIBVIRT_DEFAULT_URI, then qemu:///system. */
    uri?: string;
    /** What to do when a change needs a restart: "never" (default: pendingRestart says so), "graceful" or "force". */
    restartPolicy?: pulumi.Input<"never" | "graceful" | "force">;
    /** Wait for the guest's DHCP lease before `up` finishes (default true, 600 s); false, or the seconds to wait. */
    waitForIp?: boolean | number;
    /**
     * Any Domain argument, merged last: objects key by key, device lists appended to the
     * component's (an extra disk is added), anything else replaces. E.g. `{ os: { kernel, initrd,
     * cmdline } }` for direct kernel boot, `{ autostart: true }`.
     */
    domain?: Partial<DomainArgs>;
}

const DEFAULT_USER = "lab";
const DEFAULT_MEMORY_MIB = 1024;
const DEFAULT_WAIT_SECONDS = 600;

function defaultUri(uri?: string): string {
    return uri ?? new pulumi.Config("libvirt").get("uri") ?? process.env.LIBVIRT_DEFAULT_URI ?? "qemu:///system";
}

function sha256OfFile(path: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const hash = createHash("sha256");
        createReadStream(path)
            .on("data", (chunk) => hash.update(chunk))
            .on("error", (error) => reject(new Error(`image ${path} cannot be read: ${error.message}`)))
            .on("end", () => resolve(hash.digest("hex")));
    });
}

/**
 * The image's sha256: given, or (a local file) computed by the program; unknown for an https URL
 * given without one.
 */
function imageHash(location: ImageLocation): pulumi.Output<string | undefined> {
    if (location.sha256 !== undefined || /^https:\/\//i.test(location.url)) return pulumi.output(location.sha256);
    return pulumi.output(sha256OfFile(location.url));
}

/** The base volume's name: the same for every VM of one image, so they share it. */
function baseName(location: ImageLocation, hash: string | undefined): string {
    // No content hash (https without sha256): the URL names it, so two URLs of one image make two bases.
    const key = hash ?? `url-${createHash("sha256").update(location.url).digest("hex")}`;
    return `base-${key.slice(0, 28)}`;
}

export class VirtualMachine extends pulumi.ComponentResource {
    /** The Domain. */
    public readonly domain: Domain;
    /** The guest's disk: a qcow2 overlay on the base image. */
    public readonly disk: Volume;
    /** The base image this VM's disk is layered on (shared with other VMs of the same image and pool). */
    public readonly baseImage: Volume;
    /** The cloud-init seed (a raw ISO 9660 volume, a cdrom of the guest). */
    public readonly seed: CloudInit;
    /** The DHCP reservation, when `ip` is given. */
    public readonly reservation?: DhcpHost;
    /** The guest's IPv4 address: the reserved one, or the lease seen by waitForIp. */
    public readonly ipAddress: pulumi.Output<string | undefined>;
    /** The NIC's MAC address (stable: derived from the domain's name). */
    public readonly macAddress: pulumi.Output<string>;
    /** `ssh USER@ADDRESS`. */
    public readonly sshCommand: pulumi.Output<string | undefined>;
    /** `virsh -c URI console NAME`: the serial console. */
    public readonly consoleCommand: pulumi.Output<string>;
    /** Where the VNC console listens ("127.0.0.1:5901"), or how to find the port libvirt picked. */
    public readonly vncAddress: pulumi.Output<string | undefined>;

    constructor(name: string, args: VirtualMachineArgs, opts?: pulumi.ComponentResourceOptions) {
        // Plain values are checked before anything is registered: a mistake creates nothing.
        const domainName = args.name ?? name;
        const user = args.user ?? DEFAULT_USER;
        const hostname = args.hostname ?? domainName;
        const problems: string[] = [];
        const image = Volume.isInstance(args.image) ? undefined : checkImage(args.image as string | ImageLocation);
        if (image?.problem) problems.push(image.problem);
        const userIssue = userProblem(user);
        if (userIssue) problems.push(userIssue);
        const hostIssue = hostnameProblem(
            args.hostname === undefined ? "hostname (default: the name)" : "hostname",
            hostname,
        );
        if (hostIssue) problems.push(hostIssue);
        if (Array.isArray(args.sshAuthorizedKeys)) {
            problems.push(...sshKeyProblems(args.sshAuthorizedKeys.filter((k): k is string => typeof k === "string")));
        }
        if (problems.length > 0) throw new VirtualMachineArgError(name, problems);

        super("libvirt:index:VirtualMachine", name, {}, opts);
        const uri = defaultUri(args.uri);
        const type = args.type ?? "kvm";
        const child = { parent: this };

        // The gate: every child waits for the checks of values known only now (a pool given by name
        // must exist, keys given as Outputs must be keys, the merged cloud-config must build).
        // A StoragePool of this program: its name only once it exists (its uuid is known then), so
        // the children's checks, which look the pool up, do not run before it is created.
        const poolName: pulumi.Output<string> = StoragePool.isInstance(args.pool)
            ? pulumi.all([args.pool.name, args.pool.uuid]).apply(([n]) => n)
            : pulumi.output(args.pool as pulumi.Input<string>);
        const poolChecked = StoragePool.isInstance(args.pool)
            ? poolName
            : poolName.apply(async (pool) => {
                  await assertPoolExists(name, uri, pool);
                  return pool;
              });
        const cloudConfig = pulumi
            .all([pulumi.output(args.sshAuthorizedKeys ?? []), pulumi.output(args.userData)])
            .apply(([keys, userData]) => {
                const keyProblems = sshKeyProblems(keys);
                if (keyProblems.length > 0) throw new VirtualMachineArgError(name, keyProblems);
                return mergeCloudConfig(
                    componentCloudConfig(user, keys),
                    userCloudConfig(name, userData as string | PlainObject | undefined),
                );
            });
        const gate = pulumi.all([poolChecked, cloudConfig]);
        const pool = gate.apply(([p]) => p);
        const network = pulumi
            .all([gate, Network.isInstance(args.network) ? args.network.name : pulumi.output(args.network)])
            .apply(([, n]) => n as string);

        if (Volume.isInstance(args.image)) {
            this.baseImage = args.image;
        } else {
            const location = image!.location!;
            const hash = imageHash(location);
            this.baseImage = new Volume(
                `${name}-base`,
                {
                    uri: args.uri,
                    pool,
                    name: hash.apply((h) => baseName(location, h)),
                    sourceImage: { url: location.url, sha256: hash },
                    shared: true,
                },
                child,
            );
        }
        const base = this.baseImage;
        this.disk = new Volume(
            `${name}-disk`,
            {
                uri: args.uri,
                pool,
                name: `${domainName}-disk.qcow2`,
                capacity: args.diskSize,
                target: { format: "qcow2" },
                backingStore: { path: base.path, format: base.format },
            },
            child,
        );
        this.seed = new CloudInit(
            `${name}-seed`,
            {
                uri: args.uri,
                pool,
                // The volume is named <domain>-seed-<8 hex of the image's sha256>.iso: new content, new volume.
                name: `${domainName}-seed`,
                userData: cloudConfig,
                metaData: { "local-hostname": hostname },
            },
            child,
        );

        const mac = stableMac(domainName);
        if (args.ip !== undefined) {
            this.reservation = new DhcpHost(`${name}-ip`, { uri: args.uri, network, mac, ip: args.ip }, child);
        }
        const graphics =
            args.graphics === false
                ? undefined
                : { type: "vnc" as const, listen: "127.0.0.1", ...(args.graphics === true ? {} : args.graphics) };
        const wait = args.waitForIp ?? true;
        const domainArgs: Record<string, unknown> = {
            name: domainName,
            uri: args.uri,
            type,
            memory: args.maxMemory ?? args.memory ?? DEFAULT_MEMORY_MIB,
            currentMemory: args.memory ?? DEFAULT_MEMORY_MIB,
            vcpu: pulumi
                .all([args.vcpus ?? 1, args.maxVcpus, args.cpuset])
                .apply(([current, maximum, cpuset]) =>
                    cpuset === undefined
                        ? { maximum: maximum ?? current, current }
                        : { maximum: maximum ?? current, current, cpuset },
                ),
            cpu: args.cpu ?? defaultCpu(type),
            ...(args.hugepages ? { memoryBacking: { hugepages: true } } : {}),
            // i440fx: its IDE controller carries the seed's cdrom, which every distribution kernel
            // reads (Debian's cloud kernel has no AHCI driver for q35's SATA).
            os: { machine: "pc" },
            restartPolicy: args.restartPolicy,
            ...(wait === false
                ? {}
                : { waitForIp: { source: "lease", timeoutSeconds: wait === true ? DEFAULT_WAIT_SECONDS : wait } }),
            devices: {
                disks: [
                    {
                        device: "disk",
                        source: { pool, volume: this.disk.name },
                        target: { dev: "vda", bus: "virtio" },
                        driver: { type: "qcow2" },
                    },
                    {
                        device: "cdrom",
                        source: { pool, volume: this.seed.name },
                        target: { dev: "hdc", bus: "ide" },
                        driver: { type: "raw" },
                        readonly: true,
                    },
                ],
                interfaces: [
                    { source: { network }, mac: this.reservation ? this.reservation.mac : mac, model: "virtio" },
                ],
                serials: [{ type: "pty" }],
                channels: [{ type: "unix", name: "org.qemu.guest_agent.0" }],
                memballoon: { model: "virtio" },
                rngs: [{ model: "virtio", backend: "/dev/urandom" }],
                ...(graphics ? { graphics: [graphics] } : {}),
            },
        };
        const merged = mergeDomainArgs(domainArgs, (args.domain ?? {}) as Record<string, unknown>);
        this.domain = new Domain(`${name}-domain`, merged as unknown as DomainArgs, child);

        this.macAddress = pulumi.output(this.reservation ? this.reservation.mac : mac) as pulumi.Output<string>;
        const reserved = args.ip === undefined ? pulumi.output(undefined) : pulumi.output(args.ip);
        this.ipAddress =
            wait === false
                ? reserved
                : pulumi
                      .all([this.domain.ipAddresses, reserved])
                      .apply(([ips, ip]) => ip ?? ips?.[0]?.[0] ?? undefined);
        this.sshCommand = this.ipAddress.apply((ip) => (ip === undefined ? undefined : `ssh ${user}@${ip}`));
        this.consoleCommand = this.domain.name.apply((n) => `virsh -c ${uri} console ${n}`);
        this.vncAddress =
            graphics === undefined
                ? pulumi.output(undefined)
                : pulumi
                      .all([graphics.listen, graphics.port, this.domain.name])
                      .apply(([listen, port, n]) =>
                          port === undefined
                              ? `${listen}, port chosen at each start: virsh -c ${uri} vncdisplay ${n}`
                              : `${listen}:${port}`,
                      );
        this.registerOutputs({
            ipAddress: this.ipAddress,
            macAddress: this.macAddress,
            sshCommand: this.sshCommand,
            consoleCommand: this.consoleCommand,
            vncAddress: this.vncAddress,
        });
    }
}
