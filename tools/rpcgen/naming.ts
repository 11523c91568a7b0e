/** Name conversions shared by the emitters. */

/** `remote_nonnull_domain` → `RemoteNonnullDomain`, `virDomainXMLFlags` → `VirDomainXMLFlags`. */
export function pascalCase(name: string): string {
    return name
        .split("_")
        .filter((part) => part !== "")
        .map((part) => part[0]!.toUpperCase() + part.slice(1))
        .join("");
}

/** `DOMAIN_LOOKUP_BY_NAME` → `domainLookupByName`. */
export function camelCaseUpper(name: string): string {
    const parts = name
        .toLowerCase()
        .split("_")
        .filter((part) => part !== "");
    return parts.map((part, i) => (i === 0 ? part : part[0]!.toUpperCase() + part.slice(1))).join("");
}

/** The companion codec name of an enum type. */
export function enumCodecName(enumName: string): string {
    return `${pascalCase(enumName)}Codec`;
}
