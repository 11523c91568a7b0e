/**
 * Tokeniser for the XDR / rpcgen language as libvirt's `.x` files use it.
 *
 * Lines starting with `%` are passed through by rpcgen to C and are skipped here. C comments
 * are not tokens: each token carries the comments that came right before it, so that the parser
 * can read the procedure annotations written above enum members.
 */

export type TokenKind = "ident" | "number" | "punct" | "eof";

export interface Token {
    readonly kind: TokenKind;
    readonly text: string;
    readonly line: number;
    /** Comments (without their delimiters) between the previous token and this one. */
    readonly comments: readonly string[];
}

export class XdrSyntaxError extends Error {
    override readonly name = "XdrSyntaxError";
}

const PUNCTUATION = new Set(["{", "}", "(", ")", "[", "]", "<", ">", ";", ",", "=", "*", ":"]);

export function tokenize(source: string, file = "<input>"): Token[] {
    const tokens: Token[] = [];
    let comments: string[] = [];
    let i = 0;
    let line = 1;
    let atLineStart = true;
    const n = source.length;
    while (i < n) {
        const c = source[i]!;
        if (c === "\n") {
            line++;
            i++;
            atLineStart = true;
            continue;
        }
        if (c === " " || c === "\t" || c === "\r" || c === "\f" || c === "\v") {
            i++;
            continue;
        }
        if (atLineStart && c === "%") {
            while (i < n && source[i] !== "\n") i++;
            continue;
        }
        atLineStart = false;
        if (c === "/" && source[i + 1] === "*") {
            const end = source.indexOf("*/", i + 2);
            if (end < 0) throw new XdrSyntaxError(`${file}:${line}: unterminated comment`);
            const text = source.slice(i + 2, end);
            comments.push(text);
            for (const ch of text) if (ch === "\n") line++;
            i = end + 2;
            continue;
        }
        if (c === "/" && source[i + 1] === "/") {
            const end = source.indexOf("\n", i);
            comments.push(source.slice(i + 2, end < 0 ? n : end));
            i = end < 0 ? n : end;
            continue;
        }
        const start = i;
        if (/[A-Za-z_]/.test(c)) {
            while (i < n && /[A-Za-z0-9_]/.test(source[i]!)) i++;
            tokens.push({ kind: "ident", text: source.slice(start, i), line, comments });
        } else if (/[0-9]/.test(c) || (c === "-" && /[0-9]/.test(source[i + 1] ?? ""))) {
            i++;
            while (i < n && /[0-9A-Fa-fxX]/.test(source[i]!)) i++;
            tokens.push({ kind: "number", text: source.slice(start, i), line, comments });
        } else if (PUNCTUATION.has(c)) {
            i++;
            tokens.push({ kind: "punct", text: c, line, comments });
        } else {
            throw new XdrSyntaxError(`${file}:${line}: unexpected character ${JSON.stringify(c)}`);
        }
        comments = [];
    }
    tokens.push({ kind: "eof", text: "", line, comments });
    return tokens;
}

/** Parses an XDR integer literal: decimal, `0x` hexadecimal or leading-zero octal, optionally negative. */
export function parseXdrNumber(text: string): bigint {
    const negative = text.startsWith("-");
    const body = negative ? text.slice(1) : text;
    let value: bigint;
    if (/^0[xX][0-9A-Fa-f]+$/.test(body)) value = BigInt(body);
    else if (/^0[0-7]+$/.test(body)) value = BigInt(`0o${body.slice(1)}`);
    else if (/^[0-9]+$/.test(body)) value = BigInt(body);
    else throw new XdrSyntaxError(`invalid number ${JSON.stringify(text)}`);
    return negative ? -value : value;
}
