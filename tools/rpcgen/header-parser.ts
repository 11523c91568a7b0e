/**
 * Extracts `typedef enum { ... } name;` blocks and object-like `# define NAME value` macros from
 * libvirt's public C headers. Values are kept as expression text; the symbol table evaluates
 * them once every header is read (members may refer to members of other headers).
 *
 * Members inside `# ifdef VIR_ENUM_SENTINELS` blocks (the `_LAST` sentinels) are dropped.
 */

import type { HeaderDefine, HeaderEnum, HeaderFile } from "./model";

export class HeaderSyntaxError extends Error {
    override readonly name = "HeaderSyntaxError";
}

/** Replaces comments by spaces, keeping newlines and string literals intact. */
export function stripCComments(source: string): string {
    let out = "";
    let i = 0;
    const n = source.length;
    while (i < n) {
        const c = source[i]!;
        if (c === '"' || c === "'") {
            let j = i + 1;
            while (j < n && source[j] !== c && source[j] !== "\n") j += source[j] === "\\" ? 2 : 1;
            out += source.slice(i, j + 1);
            i = j + 1;
        } else if (c === "/" && source[i + 1] === "*") {
            const end = source.indexOf("*/", i + 2);
            const stop = end < 0 ? n : end + 2;
            out += source.slice(i, stop).replace(/[^\n]/g, " ");
            i = stop;
        } else if (c === "/" && source[i + 1] === "/") {
            let j = i;
            while (j < n && source[j] !== "\n") j++;
            out += " ".repeat(j - i);
            i = j;
        } else {
            out += c;
            i++;
        }
    }
    return out;
}

export function parseHeader(source: string, file = "<header>"): HeaderFile {
    const text = stripCComments(source).replace(/\\\r?\n/g, " ");
    return { file, enums: parseEnums(text, file), defines: parseDefines(text, file) };
}

function parseEnums(text: string, file: string): HeaderEnum[] {
    const enums: HeaderEnum[] = [];
    const re = /\btypedef\s+enum\s*(?:[A-Za-z_]\w*\s*)?\{([^}]*)\}\s*([A-Za-z_]\w*)\s*;/g;
    for (const m of text.matchAll(re)) {
        enums.push({ name: m[2]!, file, members: parseEnumBody(m[1]!, m[2]!, file) });
    }
    return enums;
}

function parseEnumBody(body: string, enumName: string, file: string): HeaderEnum["members"] {
    // Drop preprocessor blocks: sentinels are dropped, anything else is unexpected in an enum.
    const kept: string[] = [];
    let skipping = 0;
    for (const line of body.split("\n")) {
        const directive = /^\s*#\s*(\w+)\s*(.*?)\s*$/.exec(line);
        if (!directive) {
            if (skipping === 0) kept.push(line);
            continue;
        }
        const [, keyword, argument] = directive;
        if ((keyword === "ifdef" || keyword === "if") && /VIR_ENUM_SENTINELS/.test(argument!)) skipping++;
        else if (keyword === "endif" && skipping > 0) skipping--;
        else if (skipping === 0) {
            throw new HeaderSyntaxError(`${file}: unsupported "#${keyword}" inside enum ${enumName}`);
        }
    }
    const members: { name: string; expr?: string }[] = [];
    for (const item of kept.join("\n").split(",")) {
        const entry = item.trim();
        if (entry === "") continue;
        const m = /^([A-Za-z_]\w*)\s*(?:=\s*([\s\S]+))?$/.exec(entry);
        if (!m)
            throw new HeaderSyntaxError(`${file}: cannot parse enum member ${JSON.stringify(entry)} in ${enumName}`);
        const expr = m[2]?.trim();
        members.push(expr === undefined ? { name: m[1]! } : { name: m[1]!, expr });
    }
    return members;
}

function parseDefines(text: string, file: string): HeaderDefine[] {
    const defines: HeaderDefine[] = [];
    for (const line of text.split("\n")) {
        // Object-like macros only: the name must not be followed directly by "(".
        const m = /^\s*#\s*define\s+([A-Za-z_]\w*)(?![\w(])\s*(.*?)\s*$/.exec(line);
        if (!m || m[2] === "") continue;
        defines.push({ name: m[1]!, file, expr: m[2]! });
    }
    return defines;
}
