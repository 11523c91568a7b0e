/**
 * Evaluator for the integer constant expressions found in libvirt's public headers:
 * decimal / hex / octal literals with `U`, `L`, `LL` suffixes, parentheses, unary `- + ~`,
 * `* / %`, `+ -`, `<< >>`, `&`, `^`, `|`, and names resolved through a callback.
 * Arithmetic is exact (bigint); the caller decides how to represent the result.
 */

export class ExprError extends Error {
    override readonly name = "ExprError";
}

export interface ExprResult {
    readonly value: bigint;
    /** True when a literal carried an `L`/`LL` suffix of 64 bits (`LL`), i.e. the C type is `long long`. */
    readonly longLong: boolean;
}

type Tok = { t: "num"; v: bigint; ll: boolean } | { t: "id"; v: string } | { t: "op"; v: string };

function lex(text: string): Tok[] {
    const out: Tok[] = [];
    const re = /\s*(?:(0[xX][0-9A-Fa-f]+|[0-9]+)([uUlL]*)|([A-Za-z_][A-Za-z0-9_]*)|(<<|>>|[-+~*/%&|^()]))/y;
    let at = 0;
    while (at < text.length) {
        if (/^\s*$/.test(text.slice(at))) break;
        re.lastIndex = at;
        const m = re.exec(text);
        if (!m) throw new ExprError(`cannot parse ${JSON.stringify(text)} at ${at}`);
        at = re.lastIndex;
        if (m[1] !== undefined) {
            const digits = m[1];
            const v = /^0[0-7]+$/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
            out.push({ t: "num", v, ll: /ll/i.test(m[2] ?? "") });
        } else if (m[3] !== undefined) out.push({ t: "id", v: m[3] });
        else out.push({ t: "op", v: m[4]! });
    }
    return out;
}

const BINARY: readonly (readonly string[])[] = [["|"], ["^"], ["&"], ["<<", ">>"], ["+", "-"], ["*", "/", "%"]];

/** Evaluates `text`; `lookup` returns the value of a name or `undefined` when it is unknown. */
export function evaluateCExpr(text: string, lookup: (name: string) => ExprResult | undefined): ExprResult {
    const toks = lex(text);
    if (toks.length === 0) throw new ExprError("empty expression");
    let pos = 0;
    let longLong = false;

    const primary = (): bigint => {
        const tok = toks[pos++];
        if (tok === undefined) throw new ExprError(`unexpected end of ${JSON.stringify(text)}`);
        if (tok.t === "num") {
            longLong ||= tok.ll;
            return tok.v;
        }
        if (tok.t === "id") {
            const resolved = lookup(tok.v);
            if (resolved === undefined) throw new ExprError(`unknown name ${tok.v}`);
            longLong ||= resolved.longLong;
            return resolved.value;
        }
        if (tok.v === "(") {
            const v = binary(0);
            const close = toks[pos++];
            if (close?.t !== "op" || close.v !== ")") throw new ExprError(`missing ) in ${JSON.stringify(text)}`);
            return v;
        }
        if (tok.v === "-") return -primary();
        if (tok.v === "+") return primary();
        if (tok.v === "~") return ~primary();
        throw new ExprError(`unexpected ${tok.v} in ${JSON.stringify(text)}`);
    };

    const binary = (level: number): bigint => {
        if (level === BINARY.length) return primary();
        let left = binary(level + 1);
        for (;;) {
            const tok = toks[pos];
            if (tok?.t !== "op" || !BINARY[level]!.includes(tok.v)) return left;
            pos++;
            const right = binary(level + 1);
            switch (tok.v) {
                case "|":
                    left |= right;
                    break;
                case "^":
                    left ^= right;
                    break;
                case "&":
                    left &= right;
                    break;
                case "<<":
                    left <<= right;
                    break;
                case ">>":
                    left >>= right;
                    break;
                case "+":
                    left += right;
                    break;
                case "-":
                    left -= right;
                    break;
                case "*":
                    left *= right;
                    break;
                case "/":
                    if (right === 0n) throw new ExprError("division by zero");
                    left /= right;
                    break;
                default:
                    if (right === 0n) throw new ExprError("division by zero");
                    left %= right;
            }
        }
    };

    const value = binary(0);
    if (pos !== toks.length) throw new ExprError(`trailing tokens in ${JSON.stringify(text)}`);
    return { value, longLong };
}
