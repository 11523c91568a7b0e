/**
 * What text libvirt can store: every string of a declaration ends up in an XML document (or, for
 * a passphrase, in a libvirt secret), so it must be made of characters XML 1.0 allows, and most
 * fields are single-line values that libvirt or dnsmasq would misread with a line break in them.
 *
 * - A lone UTF-16 surrogate has no UTF-8 spelling: it reaches libvirt as U+FFFD, so what is read
 *   back never equals what was declared (drift on every refresh).
 * - U+FFFE and U+FFFF are not XML characters; C0 control characters other than tab, line feed and
 *   carriage return are not either. A carriage return is one, but XML parsers turn it into a line
 *   feed, so it would drift as well.
 * - Line feeds and tabs are accepted only where the text is free prose or kept verbatim (the
 *   table below); everywhere else a line break would split a one-line value.
 */

/** How much of the control range a field accepts. */
export type TextRule =
    /** Tab and line feed allowed (free text). */
    | "multiline"
    /** Any character that has a UTF-8 spelling (secrets: stored as bytes, never in XML). */
    | "bytes"
    /** No control characters at all (the default). */
    | "line";

/**
 * The fields whose rule is not "line", by property path (as check reports paths: `a.b[0].c`).
 * One table for every resource kind; the first match wins. Fields marked `secret()` in their schema
 * take "bytes" (check derives them from the schema, model/secret.ts).
 */
export const TEXT_RULES: ReadonlyArray<{ path: RegExp; rule: TextRule; why: string }> = [
    { path: /^description$/, rule: "multiline", why: "free text for humans (Domain <description>)" },
    {
        path: /(^|\.)extra(\.|\[|$)/,
        rule: "multiline",
        why: "XML the model does not describe, kept verbatim (its text keeps the document's line breaks)",
    },
];

/** The rule for a property path. */
export function textRuleFor(path: string): TextRule {
    return TEXT_RULES.find((entry) => entry.path.test(path))?.rule ?? "line";
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused here
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\uFFFE\uFFFF]/;
const LINE_BREAK_OR_TAB = /[\t\n\r\u007f]/;

function codePoint(text: string, index: number): string {
    return `U+${text.charCodeAt(index).toString(16).toUpperCase().padStart(4, "0")}`;
}

const NAMES: Readonly<Record<string, string>> = {
    "U+0009": "a tab",
    "U+000A": "a newline",
    "U+000D": "a carriage return",
    "U+007F": "a DEL character",
};

/**
 * Why libvirt cannot store `text` in a field with `rule`, or undefined when it can. The message
 * names the character and its position, never the text (it may be a secret).
 */
export function textProblem(text: string, rule: TextRule): string | undefined {
    const surrogate = LONE_SURROGATE.exec(text);
    if (surrogate) {
        return `has a lone UTF-16 surrogate (${codePoint(text, surrogate.index)}) at position ${surrogate.index}, which has no UTF-8 spelling; libvirt would store U+FFFD instead`;
    }
    if (rule === "bytes") return undefined;
    const notXml = NOT_XML.exec(text);
    if (notXml) {
        const code = codePoint(text, notXml.index);
        return `has the control character ${code} at position ${notXml.index}, which XML (and so libvirt) cannot store; remove it`;
    }
    if (rule === "multiline") {
        const cr = text.indexOf("\r");
        if (cr >= 0) return `has a carriage return at position ${cr}, which XML reads back as a newline; use \\n alone`;
        return undefined;
    }
    const breaking = LINE_BREAK_OR_TAB.exec(text);
    if (breaking) {
        const code = codePoint(text, breaking.index);
        return `has ${NAMES[code] ?? code} at position ${breaking.index}; this field is one line of text, remove it`;
    }
    return undefined;
}
