/**
 * zod building blocks shared by every resource model: names, addresses, sizes, booleans, cpusets,
 * permissions, and the conversion of validation failures into `{ property, reason }` with full paths.
 *
 * Convention: a schema's input is the friendly form users type; its output is the exact form the
 * XML layer writes and the readers return (bytes, canonical addresses, canonical cpusets).
 */
import { z } from "zod";
import { canonicalIp, canonicalMac, familyBits, isUnicastMac, netmaskToPrefix, parseIp } from "./addresses";
import { canonicalCpuset, parseCpuset } from "./cpuset";
import { friendlySizeToBytes } from "./units";
import { UUID_PATTERN, uuidBytes, uuidText } from "./uuid";

export * from "./addresses";
export * from "./cpuset";
export * from "./opaque";

/**
 * Longest object name accepted. libvirt keeps a `<name>.xml` file per object and autostart links
 * beside it, so names must fit a file name (255 bytes) with room for those suffixes.
 */
export const MAX_NAME_LENGTH = 200;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused here
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/**
 * A libvirt object name (domain, network, pool, volume). Refuses what breaks libvirt's file-based
 * storage ('/', a leading '.', control characters such as newlines, over-long names); everything
 * else (including '<', '&' and quotes) is allowed and escaped by the XML writers.
 */
export const libvirtNameSchema = z.string().superRefine((name, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: "custom", message });
    if (name.length === 0) fail("a name is required");
    else if (name.includes("/")) fail(`'${name}' contains '/'; libvirt stores objects as files named after them`);
    else if (name.startsWith(".")) fail(`'${name}' starts with '.'; libvirt would hide its file`);
    else if (CONTROL_CHARACTERS.test(name)) fail("the name contains a control character (newline, tab...); remove it");
    else if (Buffer.byteLength(name, "utf8") > MAX_NAME_LENGTH)
        fail(`the name is longer than ${MAX_NAME_LENGTH} bytes`);
});

/** A UUID, lower-cased with dashes as libvirt prints it; 32 hex digits without dashes are accepted too. */
export const uuidSchema = z
    .string()
    .regex(UUID_PATTERN, {
        message: "not a UUID; expected e.g. 81ff0d90-c91e-6742-64da-4a736edb9a9b",
    })
    .transform((uuid) => uuidText(uuidBytes(uuid)));

/** A unicast MAC address, stored lower-case with colons. */
export const macAddressSchema = z.string().transform((text, ctx) => {
    const mac = canonicalMac(text);
    if (mac === undefined) {
        ctx.addIssue({
            code: "custom",
            message: `'${text}' is not a MAC address; expected six hex pairs like 52:54:00:12:34:56`,
        });
        return z.NEVER;
    }
    if (!isUnicastMac(mac)) {
        ctx.addIssue({
            code: "custom",
            message: `'${text}' is a multicast MAC (lowest bit of the first octet set); use a unicast one such as 52:54:00:...`,
        });
        return z.NEVER;
    }
    return mac;
});

function ipSchemaOf(family: "ipv4" | "ipv6" | undefined) {
    const expected =
        family === undefined ? "an IPv4 or IPv6 address" : `an ${family === "ipv4" ? "IPv4" : "IPv6"} address`;
    return z.string().transform((text, ctx) => {
        const parsed = parseIp(text.trim());
        if (!parsed || (family !== undefined && parsed.family !== family)) {
            ctx.addIssue({ code: "custom", message: `'${text}' is not ${expected}` });
            return z.NEVER;
        }
        return canonicalIp(text.trim())!;
    });
}

/** An IPv4 or IPv6 address in canonical spelling (IPv6 compressed and lower-case, as libvirt prints it). */
export const ipAddressSchema = ipSchemaOf(undefined);
/** An IPv4 address. */
export const ipv4AddressSchema = ipSchemaOf("ipv4");
/** An IPv6 address in canonical spelling. */
export const ipv6AddressSchema = ipSchemaOf("ipv6");

/** A prefix length; checked against the address family by the schema that holds both. */
export const prefixLengthSchema = z.number().int("a prefix length is a whole number").min(0).max(128);

/** True when the prefix fits the address's family (0-32 for IPv4, 0-128 for IPv6). */
export function prefixFitsAddress(address: string, prefix: number): boolean {
    const parsed = parseIp(address);
    return parsed !== undefined && prefix >= 0 && prefix <= familyBits(parsed.family);
}

/** Reads "24" or "255.255.255.0" into a prefix length; undefined when neither. */
export function parsePrefixOrNetmask(text: string): number | undefined {
    if (/^\d{1,3}$/.test(text)) return Number(text);
    return netmaskToPrefix(text);
}

/**
 * A file path as libvirt stores it after sanitising: repeated slashes collapsed, no trailing slash.
 * A leading "//" followed by a name is kept, as POSIX gives it its own meaning.
 */
export function canonicalPath(path: string): string {
    const keepDoubleSlash = /^\/\/[^/]/.test(path);
    let cleaned = path.replace(/\/{2,}/g, "/");
    if (cleaned.length > 1 && cleaned.endsWith("/")) cleaned = cleaned.slice(0, -1);
    return keepDoubleSlash ? `/${cleaned}` : cleaned;
}

/** An absolute path, stored the way libvirt sanitises it. */
export const absolutePathSchema = z
    .string()
    .startsWith("/", { message: "the path must be absolute, e.g. /var/lib/libvirt/images" })
    .transform(canonicalPath);

/**
 * A size: a number of MiB or a string with a unit ("2GiB", "512 MiB", "10G"); outputs bytes.
 * Parse user input once: a parsed model (or a reader's) holds bytes, which parsed again as input
 * would be taken as MiB. Compare and write parsed models; never feed them back through a schema.
 */
export const sizeSchema = z.union([z.number(), z.string()]).transform((size, ctx) => {
    const result = friendlySizeToBytes(size);
    if (!result.ok) {
        ctx.addIssue({ code: "custom", message: result.reason });
        return z.NEVER;
    }
    return result.bytes;
});

/** A cpuset in libvirt syntax ("1-4,^3,6"), output in libvirt's canonical spelling ("1-2,4,6"). */
export const cpusetSchema = z.string().transform((text, ctx) => {
    const parsed = parseCpuset(text);
    if (!parsed.ok) {
        ctx.addIssue({ code: "custom", message: parsed.reason });
        return z.NEVER;
    }
    return canonicalCpuset(text)!;
});

/** Reads libvirt's "yes"/"no" into a boolean; throws on anything else. */
export function yesNoToBoolean(text: string): boolean {
    if (text === "yes") return true;
    if (text === "no") return false;
    throw new Error(`expected 'yes' or 'no', got '${text}'`);
}

/** Writes a boolean the way libvirt spells yes/no attributes. */
export function booleanToYesNo(value: boolean): "yes" | "no" {
    return value ? "yes" : "no";
}

/** Reads libvirt's "on"/"off" into a boolean; throws on anything else. */
export function onOffToBoolean(text: string): boolean {
    if (text === "on") return true;
    if (text === "off") return false;
    throw new Error(`expected 'on' or 'off', got '${text}'`);
}

/** Writes a boolean the way libvirt spells on/off attributes. */
export function booleanToOnOff(value: boolean): "on" | "off" {
    return value ? "on" : "off";
}

/** A numeric user or group id; libvirt's "-1" (unset) is not a value users pass. */
const unixIdSchema = z
    .union([z.number(), z.string().regex(/^\d+$/, { message: "a numeric id is expected, e.g. 107" })])
    .transform((id) => Number(id))
    .pipe(z.number().int().min(0).max(4294967294));

/** File permissions of a pool directory or a volume (`<permissions>` in storage XML). */
export const permissionsSchema = z.strictObject({
    /** `<mode>`: octal permission bits such as "0755"; stored with four digits, as libvirt prints them. */
    mode: z
        .string()
        .regex(/^0?[0-7]{3}$|^[0-7]{4}$/, { message: 'an octal mode such as "0755" is expected' })
        .transform((mode) => mode.padStart(4, "0"))
        .optional(),
    /** `<owner>`: numeric user id of the file's owner. */
    owner: unixIdSchema.optional(),
    /** `<group>`: numeric group id of the file. */
    group: unixIdSchema.optional(),
    /** `<label>`: security label (SELinux context) of the file. */
    label: z.string().optional(),
});

/** Permissions as stored in a model. */
export type Permissions = z.infer<typeof permissionsSchema>;

/** One validation failure: the full path of the offending property and why it was refused. */
export interface ValidationFailure {
    property: string;
    reason: string;
}

/** Joins a zod path the way users write it: `ips[0].dhcp.hosts[2].mac`. */
export function formatPropertyPath(path: readonly PropertyKey[]): string {
    let text = "";
    for (const key of path) {
        if (typeof key === "number") text += `[${key}]`;
        else text += text === "" ? String(key) : `.${String(key)}`;
    }
    return text;
}

/** Turns a zod error into `{ property, reason }` failures, one per issue. */
export function validationFailures(error: z.ZodError): ValidationFailure[] {
    return error.issues.map((issue) => ({ property: formatPropertyPath(issue.path), reason: issue.message }));
}

/** Parses with a schema and returns either the value or the failures, never throwing. */
export function validate<S extends z.ZodType>(
    schema: S,
    input: unknown,
): { ok: true; value: z.output<S> } | { ok: false; failures: ValidationFailure[] } {
    const result = schema.safeParse(input);
    if (result.success) return { ok: true, value: result.data };
    return { ok: false, failures: validationFailures(result.error) };
}
