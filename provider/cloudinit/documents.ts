/**
 * The text of the seed's documents: user-data and vendor-data (a string as given, or an object
 * written as `#cloud-config` YAML), meta-data and network-config (YAML).
 *
 * YAML is written in YAML 1.1 style because cloud-init reads it with PyYAML, a YAML 1.1 parser:
 * strings such as "yes", "off" or "0644" are quoted so that they stay strings in the guest (a
 * YAML 1.2 writer would leave them bare and PyYAML would read a boolean or an octal number).
 */
import { stringify } from "yaml";

/** Plain data as JSON has it: what an object-valued document may contain. */
export type PlainData = string | number | boolean | null | PlainData[] | { [key: string]: PlainData };
export type PlainObject = { [key: string]: PlainData };

/** The header line that makes a user-data (or vendor-data) document cloud-config YAML. */
export const CLOUD_CONFIG_HEADER = "#cloud-config";

/** YAML of plain data, in a stable form: keys in the order given, no line folding. */
export function toYaml(value: PlainData): string {
    return stringify(value, { version: "1.1", lineWidth: 0, minContentWidth: 0 });
}

/** user-data or vendor-data: a string is written unchanged; an object becomes `#cloud-config` YAML. */
export function cloudConfigDocument(value: string | PlainObject): string {
    return typeof value === "string" ? value : `${CLOUD_CONFIG_HEADER}\n${toYaml(value)}`;
}

/** network-config (v1 or v2) or meta-data: a string is written unchanged; an object becomes YAML. */
export function yamlDocument(value: string | PlainObject): string {
    return typeof value === "string" ? value : toYaml(value);
}
