/**
 * STAND-IN for the `CloudInit` resource (branch cloudinit-resource), with its constructor and
 * outputs, until that branch lands: the seed image is built in the program by the pure-TS writer
 * (provider/cloudinit), kept in a content-addressed file, and uploaded as a raw Volume. Content
 * decides the volume's name, so a changed seed is a new volume (create-before-delete) and a
 * cdrom pointing at it gets the new medium live. Replace the import in virtual-machine.ts with
 * "./cloudinit" and delete this file when the real resource is merged.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { buildNoCloudSeed, describeProblems, type PlainObject, seedErrors } from "../provider/cloudinit";
import { Volume } from "./volume";

export interface CloudInitArgs {
    uri?: pulumi.Input<string>;
    pool: pulumi.Input<string>;
    name?: pulumi.Input<string>;
    userData?: pulumi.Input<string | PlainObject>;
    metaData?: pulumi.Input<{ "instance-id"?: string; "local-hostname"?: string }>;
    networkConfig?: pulumi.Input<string | PlainObject>;
    vendorData?: pulumi.Input<string | PlainObject>;
}

/** Where the program keeps built seed images for the provider to upload (same machine). */
const SEED_DIR = join(tmpdir(), "pulumi-libvirt-seeds");

export class CloudInit {
    readonly volume: Volume;
    readonly name: pulumi.Output<string>;
    readonly path: pulumi.Output<string>;
    readonly key: pulumi.Output<string>;
    readonly pool: pulumi.Output<string>;
    readonly sha256: pulumi.Output<string>;
    readonly instanceId: pulumi.Output<string>;

    constructor(name: string, args: CloudInitArgs, opts?: pulumi.CustomResourceOptions) {
        const seed = pulumi
            .all([args.userData, args.metaData, args.networkConfig, args.vendorData])
            .apply(([userData, metaData, networkConfig, vendorData]) => {
                const input = { userData: userData ?? {}, metaData, networkConfig, vendorData };
                const problems = seedErrors(input);
                if (problems.length > 0) throw new Error(`CloudInit '${name}': ${describeProblems(problems)}`);
                const built = buildNoCloudSeed(input);
                mkdirSync(SEED_DIR, { recursive: true, mode: 0o700 });
                const file = join(SEED_DIR, `${built.sha256}.iso`);
                writeFileSync(file, built.image, { mode: 0o600 });
                return { file, sha256: built.sha256, instanceId: built.instanceId };
            });
        this.volume = new Volume(
            name,
            {
                uri: args.uri,
                pool: args.pool,
                name: args.name ?? seed.apply((s) => `${name}-${s.sha256.slice(0, 12)}.iso`),
                // libvirt probes an ISO 9660 image as format "iso" (a raw file to QEMU).
                sourceImage: { url: seed.file, sha256: seed.sha256 },
            },
            opts,
        );
        this.name = this.volume.name;
        this.path = this.volume.path;
        this.key = this.volume.key;
        this.pool = this.volume.pool;
        this.sha256 = seed.sha256;
        this.instanceId = seed.instanceId;
    }
}
