/**
 * From a CloudInit's arguments to its seed: the documents checked (errors and warnings, never
 * quoting a secret document), the image built by provider/cloudinit, and the volume name that
 * carries the image's hash.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import {
    buildNoCloudSeed,
    checkNoCloudSeed,
    type NoCloudSeed,
    type NoCloudSeedInput,
    type SeedCheckOptions,
    type SeedProblem,
} from "../../cloudinit";
import { nameStem } from "../shared/check";
import type { CloudInitArgs } from "./args";

/** userData and vendorData are secret: a problem in them names the path, never the value. */
const SECRET_DOCUMENTS: SeedCheckOptions = { secretDocuments: ["userData", "vendorData"] };

/** The seed writer's input from the arguments (the documents only). */
export function seedInput(args: Pick<CloudInitArgs, "userData" | "metaData" | "networkConfig" | "vendorData">) {
    return {
        userData: args.userData,
        metaData: args.metaData,
        networkConfig: args.networkConfig,
        vendorData: args.vendorData,
    } as NoCloudSeedInput;
}

/** Every problem of the documents, secret ones described without their values. */
export function seedProblems(args: CloudInitArgs): SeedProblem[] {
    return checkNoCloudSeed(seedInput(args), SECRET_DOCUMENTS);
}

/** The errors as check failures (property paths as the user wrote them). */
export function seedFailures(problems: readonly SeedProblem[]): dynamic.CheckFailure[] {
    return problems
        .filter((problem) => problem.severity === "error")
        .map((problem) => ({ property: problem.property, reason: problem.reason }));
}

/** The volume name's prefix: the given name, else the logical name made libvirt-safe. */
export function volumePrefix(args: Pick<CloudInitArgs, "name" | "namePrefix">): string {
    if (args.name !== undefined) return args.name;
    return nameStem(args.namePrefix ?? "cloudinit");
}

/** `<prefix>-<8 hex of the image's sha256>.iso`. */
export function volumeName(prefix: string, sha256: string): string {
    return `${prefix}-${sha256.slice(0, 8)}.iso`;
}

export interface BuiltSeed extends NoCloudSeed {
    /** The seed volume's name. */
    volumeName: string;
}

/** Builds the image (the same arguments always give the same bytes) and names its volume. */
export function buildSeed(args: CloudInitArgs): BuiltSeed {
    const seed = buildNoCloudSeed(seedInput(args));
    return { ...seed, volumeName: volumeName(volumePrefix(args), seed.sha256) };
}
