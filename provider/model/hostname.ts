/**
 * Host names as RFC 1123 defines them, the one rule for every name dnsmasq hands out or resolves
 * (a DHCP reservation's `name`, a DNS host record's `<hostname>`). libvirt's schema only limits
 * the characters of `<hostname>` and not at all the DHCP host's `name`, which libvirt writes into
 * dnsmasq's hosts file, one comma-separated line per host: a comma or a newline in it would become
 * options of that line, so the name is checked here before it can get there.
 */
import { z } from "zod";

/** The longest label (the part between dots) a DNS name may have. */
const MAX_LABEL_LENGTH = 63;
/** The longest DNS name, dots included, in its usual text form. */
const MAX_HOSTNAME_LENGTH = 253;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

/** Why a text is not an RFC 1123 host name, or undefined when it is one. */
export function hostnameProblem(name: string): string | undefined {
    const example = "e.g. web1 or db.lab.example";
    if (name.length === 0) return "a host name cannot be empty";
    if (name.length > MAX_HOSTNAME_LENGTH) return `'${name}' is longer than ${MAX_HOSTNAME_LENGTH} characters`;
    for (const label of name.split(".")) {
        if (label.length === 0) return `'${name}' has an empty label (two dots, or a dot at an end); ${example}`;
        if (label.length > MAX_LABEL_LENGTH) {
            return `'${label}' in '${name}' is longer than ${MAX_LABEL_LENGTH} characters, the limit of one DNS label`;
        }
        if (!LABEL.test(label)) {
            return `${JSON.stringify(name)} is not a host name: use letters, digits and '-' (not first or last) between dots; ${example}`;
        }
    }
    return undefined;
}

/** An RFC 1123 host name (letters, digits, inner '-', dot-separated labels of up to 63). */
export const hostnameSchema = z.string().superRefine((name, ctx) => {
    const problem = hostnameProblem(name);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
});
