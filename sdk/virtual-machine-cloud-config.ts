/**
 * The `#cloud-config` the VirtualMachine writes (its user with the SSH keys, passwordless sudo),
 * merged with the user's own `userData`: lists under the keys below are joined (the component's
 * entries first), every other key of the user's wins.
 */
import { parse } from "yaml";
import { CLOUD_CONFIG_HEADER, type PlainData, type PlainObject } from "../provider/cloudinit";

/** cloud-config keys whose lists the merge joins instead of replacing. */
const JOINED_LISTS = ["users", "ssh_authorized_keys", "runcmd", "bootcmd", "write_files", "packages"] as const;

/** The component's own cloud-config: one user, its keys, sudo without a password. */
export function componentCloudConfig(user: string, keys: readonly string[]): PlainObject {
    return {
        users: [
            {
                name: user,
                shell: "/bin/bash",
                sudo: "ALL=(ALL) NOPASSWD:ALL",
                lock_passwd: true,
                ssh_authorized_keys: [...keys],
            },
        ],
    };
}

/** The user's userData as an object; a string must be `#cloud-config` YAML (a script cannot be merged). */
export function userCloudConfig(vm: string, userData: string | PlainObject | undefined): PlainObject {
    if (userData === undefined) return {};
    if (typeof userData !== "string") return userData;
    if (!userData.startsWith(CLOUD_CONFIG_HEADER)) {
        throw new Error(
            `VirtualMachine '${vm}': userData starts with ${JSON.stringify(userData.split("\n")[0])}, not "#cloud-config": only cloud-config can be merged with the component's user and keys; give an object or "#cloud-config" YAML (put a script under runcmd)`,
        );
    }
    let parsed: unknown;
    try {
        parsed = parse(userData, { version: "1.1" });
    } catch (error) {
        throw new Error(`VirtualMachine '${vm}': userData is not valid YAML: ${(error as Error).message}`);
    }
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new Error(
            `VirtualMachine '${vm}': userData must be a YAML mapping (top-level keys), not ${typeof parsed}`,
        );
    }
    return parsed as PlainObject;
}

/** The merge: the user's keys win, except the joined lists. */
export function mergeCloudConfig(component: PlainObject, user: PlainObject): PlainObject {
    const merged: PlainObject = { ...component, ...user };
    for (const key of JOINED_LISTS) {
        const mine = component[key];
        const theirs = user[key];
        if (Array.isArray(mine) && Array.isArray(theirs)) merged[key] = [...mine, ...theirs] as PlainData[];
    }
    return merged;
}
