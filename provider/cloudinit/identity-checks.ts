/**
 * Checks of the two identity values a seed carries most often: SSH public keys and host names.
 * Each returns a message naming the field, the value and the fix, or undefined when the value is
 * acceptable, so that callers (check() of a resource, or the seed builder) collect them all.
 */

/**
 * Key types OpenSSH accepts in authorized_keys, with the number of length-prefixed fields of the
 * key blob (type name included); certificates (undefined) hold fixed-size fields too, so only
 * their type name is checked.
 */
const SSH_KEY_TYPES: ReadonlyMap<string, number | undefined> = new Map([
    ["ssh-ed25519", 2],
    ["ssh-rsa", 3],
    ["ssh-dss", 5],
    ["ecdsa-sha2-nistp256", 3],
    ["ecdsa-sha2-nistp384", 3],
    ["ecdsa-sha2-nistp521", 3],
    ["sk-ssh-ed25519@openssh.com", 3],
    ["sk-ecdsa-sha2-nistp256@openssh.com", 4],
    ["ssh-ed25519-cert-v01@openssh.com", undefined],
    ["ssh-rsa-cert-v01@openssh.com", undefined],
    ["ssh-dss-cert-v01@openssh.com", undefined],
    ["ecdsa-sha2-nistp256-cert-v01@openssh.com", undefined],
    ["ecdsa-sha2-nistp384-cert-v01@openssh.com", undefined],
    ["ecdsa-sha2-nistp521-cert-v01@openssh.com", undefined],
    ["sk-ssh-ed25519-cert-v01@openssh.com", undefined],
    ["sk-ecdsa-sha2-nistp256-cert-v01@openssh.com", undefined],
]);

/** The first `count` length-prefixed fields (SSH wire strings) of a blob and the bytes they span. */
function wireFields(blob: Buffer, count: number): { fields: Buffer[]; end: number } | undefined {
    const fields: Buffer[] = [];
    let end = 0;
    while (fields.length < count) {
        if (end + 4 > blob.length) return undefined;
        const length = blob.readUInt32BE(end);
        if (end + 4 + length > blob.length) return undefined;
        fields.push(blob.subarray(end + 4, end + 4 + length));
        end += 4 + length;
    }
    return { fields, end };
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** What messages show instead of a value that is secret (user-data is). */
export const HIDDEN_VALUE = "[secret]";

function shorten(value: string, hide = false): string {
    if (hide) return HIDDEN_VALUE;
    const oneLine = value.replace(/\s+/g, " ");
    return JSON.stringify(oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine);
}

/**
 * Splits an authorized_keys line into its fields: options (which may hold quoted spaces), type,
 * key, comment. Returns the fields from the key type on, or undefined when no field is a known type.
 */
function fieldsFromType(line: string): string[] | undefined {
    const fields: string[] = [];
    let current = "";
    let quoted = false;
    for (const ch of line) {
        if (ch === '"') quoted = !quoted;
        if (!quoted && (ch === " " || ch === "\t")) {
            if (current !== "") fields.push(current);
            current = "";
        } else {
            current += ch;
        }
    }
    if (current !== "") fields.push(current);
    const typeIndex = fields.findIndex((f) => SSH_KEY_TYPES.has(f));
    // The type is the first field, or the second after an options field.
    return typeIndex === 0 || typeIndex === 1 ? fields.slice(typeIndex) : undefined;
}

/**
 * An SSH public key as authorized_keys holds it: `[options] type base64 [comment]`, where the
 * base64 blob decodes to a key of the type it claims (its first field is the type's name).
 */
export function checkSshPublicKey(field: string, key: string, hide = false): string | undefined {
    const line = key.trim();
    if (line.includes("PRIVATE KEY")) {
        return `${field} holds a PRIVATE key: give the public key instead (the .pub file, e.g. ssh-keygen -y -f KEY)`;
    }
    if (line === "" || /[\r\n]/.test(line)) {
        return `${field} ${shorten(key, hide)} is not one SSH public key: give exactly one line of the form "ssh-ed25519 AAAA... comment"`;
    }
    const fields = fieldsFromType(line);
    if (fields === undefined || fields.length < 2) {
        return `${field} ${shorten(key, hide)} is not an SSH public key: expected "<type> <base64> [comment]" with a type such as ssh-ed25519, ssh-rsa or ecdsa-sha2-nistp256`;
    }
    const [type, base64] = fields as [string, string];
    const blob = BASE64.test(base64) ? Buffer.from(base64, "base64") : Buffer.alloc(0);
    const expected = SSH_KEY_TYPES.get(type);
    // A certificate is only checked up to its type name; a key must be exactly its fields.
    const parsed = wireFields(blob, expected ?? 1);
    const complete =
        parsed !== undefined &&
        parsed.fields[0]!.toString("latin1") === type &&
        (expected === undefined || parsed.end === blob.length);
    if (!complete) {
        return `${field} ${shorten(key, hide)} is not an SSH public key: its base64 part does not decode to a ${type} key (copied incompletely?)`;
    }
    return undefined;
}

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * A host name (RFC 1123): dot-separated labels of letters, digits and inner hyphens, each 1-63
 * characters, 253 in all; a fully qualified name is accepted (cloud-init takes either).
 */
export function checkHostname(field: string, name: string, hide = false): string | undefined {
    const fix = "use letters, digits and hyphens (not at either end), labels of 1-63 characters separated by dots";
    if (name.length === 0 || name.length > 253) {
        return `${field} ${shorten(name, hide)} is not a host name: it must have 1-253 characters; ${fix}`;
    }
    const bad = name.split(".").find((label) => !LABEL.test(label));
    if (bad !== undefined) {
        const label = hide ? "" : ` ${JSON.stringify(bad)}`;
        return `${field} ${shorten(name, hide)} is not a host name: the label${label} is not valid; ${fix}`;
    }
    if (/^[0-9]+$/.test(name.split(".")[0]!)) {
        return `${field} ${shorten(name, hide)} is not a host name: its first label is all digits; start it with a letter`;
    }
    return undefined;
}
