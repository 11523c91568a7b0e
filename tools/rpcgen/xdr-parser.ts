/**
 * Recursive-descent parser for the subset of the XDR language (RFC 4506 section 6) plus rpcgen
 * conventions that libvirt's `.x` files use: const, enum, typedef, struct and
 * `union switch` (with `default`), optional `*`, fixed `[N]` and variable `<N>` / `<>` arrays.
 */

import type {
    Annotation,
    ConstDef,
    Declaration,
    Definition,
    EnumDef,
    EnumMember,
    PrimitiveName,
    StructDef,
    TypeSpec,
    UnionArm,
    UnionDef,
    Value,
    XdrFile,
} from "./model";
import { parseXdrNumber, type Token, tokenize, XdrSyntaxError } from "./xdr-lexer";

export function parseXdr(source: string, file = "<input>"): XdrFile {
    return new Parser(tokenize(source, file), file).parseFile();
}

/** Reads `@key: value` lines from the last comment before an enum member. */
export function parseAnnotations(comments: readonly string[]): Annotation[] {
    const last = comments[comments.length - 1];
    if (last === undefined) return [];
    const out: Annotation[] = [];
    for (const line of last.split("\n")) {
        const m = /^\s*\**\s*@([A-Za-z_]+)\s*:\s*(.*?)\s*$/.exec(line);
        if (m) out.push({ key: m[1]!, value: m[2]! });
    }
    return out;
}

class Parser {
    private index = 0;

    constructor(
        private readonly tokens: Token[],
        private readonly file: string,
    ) {}

    parseFile(): XdrFile {
        const definitions: Definition[] = [];
        while (this.peek().kind !== "eof") definitions.push(this.definition());
        return { file: this.file, definitions };
    }

    private peek(offset = 0): Token {
        return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]!;
    }

    private next(): Token {
        const token = this.peek();
        if (token.kind !== "eof") this.index++;
        return token;
    }

    private fail(message: string, token = this.peek()): never {
        throw new XdrSyntaxError(`${this.file}:${token.line}: ${message} (at ${JSON.stringify(token.text)})`);
    }

    private accept(text: string): boolean {
        const token = this.peek();
        if ((token.kind === "punct" || token.kind === "ident") && token.text === text) {
            this.index++;
            return true;
        }
        return false;
    }

    private expect(text: string): Token {
        const token = this.peek();
        if (token.text !== text || token.kind === "eof" || token.kind === "number") this.fail(`expected "${text}"`);
        return this.next();
    }

    private ident(): string {
        const token = this.peek();
        if (token.kind !== "ident") this.fail("expected an identifier");
        return this.next().text;
    }

    private value(): Value {
        const token = this.next();
        if (token.kind === "number") return { kind: "number", value: parseXdrNumber(token.text), text: token.text };
        if (token.kind === "ident") return { kind: "ref", name: token.text };
        return this.fail("expected a number or a constant name", token);
    }

    private definition(): Definition {
        const keyword = this.ident();
        switch (keyword) {
            case "const":
                return this.constDef();
            case "enum":
                return this.enumDef();
            case "typedef": {
                const decl = this.declaration();
                if (decl === null) this.fail("typedef of void");
                this.expect(";");
                return { kind: "typedef", name: decl.name, decl };
            }
            case "struct":
                return this.structDef();
            case "union":
                return this.unionDef();
            default:
                return this.fail(`unexpected keyword "${keyword}"`, this.tokens[this.index - 1]);
        }
    }

    private constDef(): ConstDef {
        const name = this.ident();
        this.expect("=");
        const value = this.value();
        this.expect(";");
        return { kind: "const", name, value };
    }

    private enumDef(): EnumDef {
        const name = this.ident();
        this.expect("{");
        const members: EnumMember[] = [];
        while (!this.accept("}")) {
            const token = this.peek();
            const memberName = this.ident();
            const annotations = parseAnnotations(token.comments);
            const member: EnumMember = this.accept("=")
                ? { name: memberName, value: this.value(), annotations }
                : { name: memberName, annotations };
            members.push(member);
            if (!this.accept(",")) {
                this.expect("}");
                break;
            }
        }
        this.expect(";");
        return { kind: "enum", name, members };
    }

    private structDef(): StructDef {
        const name = this.ident();
        this.expect("{");
        const fields: Declaration[] = [];
        while (!this.accept("}")) {
            const decl = this.declaration();
            if (decl !== null) fields.push(decl);
            this.expect(";");
        }
        this.expect(";");
        return { kind: "struct", name, fields };
    }

    private unionDef(): UnionDef {
        const name = this.ident();
        this.expect("switch");
        this.expect("(");
        const discriminant = this.declaration();
        if (discriminant === null || discriminant.shape !== "scalar") this.fail("invalid union discriminant");
        this.expect(")");
        this.expect("{");
        const arms: UnionArm[] = [];
        let defaultArm: Declaration | null | undefined;
        while (!this.accept("}")) {
            if (this.accept("default")) {
                this.expect(":");
                defaultArm = this.declaration();
                this.expect(";");
                continue;
            }
            const cases: Value[] = [];
            while (this.accept("case")) {
                cases.push(this.value());
                this.expect(":");
            }
            if (cases.length === 0) this.fail('expected "case" or "default"');
            const decl = this.declaration();
            this.expect(";");
            arms.push({ cases, decl });
        }
        this.expect(";");
        return defaultArm === undefined
            ? { kind: "union", name, discriminant, arms }
            : { kind: "union", name, discriminant, arms, defaultArm };
    }

    /** A declaration, or `null` for `void`. */
    private declaration(): Declaration | null {
        if (this.accept("void")) return null;
        const type = this.typeSpec();
        if (this.accept("*")) {
            return { name: this.ident(), type, shape: "optional" };
        }
        const name = this.ident();
        if (this.accept("[")) {
            const size = this.value();
            this.expect("]");
            return { name, type, shape: "fixed", size };
        }
        if (this.accept("<")) {
            if (this.accept(">")) return { name, type, shape: "variable" };
            const size = this.value();
            this.expect(">");
            return { name, type, shape: "variable", size };
        }
        if (type.kind === "string") this.fail("string needs <N> or <>");
        if (type.kind === "opaque") this.fail("opaque needs [N], <N> or <>");
        return { name, type, shape: "scalar" };
    }

    private typeSpec(): TypeSpec {
        const word = this.ident();
        const primitive = (name: PrimitiveName): TypeSpec => ({ kind: "primitive", name });
        switch (word) {
            case "unsigned": {
                const next = this.peek();
                if (next.kind === "ident" && ["int", "hyper", "char", "short", "long"].includes(next.text)) {
                    this.next();
                    if (next.text === "long") return primitive("unsigned int");
                    return primitive(`unsigned ${next.text}` as PrimitiveName);
                }
                return primitive("unsigned int");
            }
            case "int":
            case "hyper":
            case "char":
            case "short":
            case "bool":
            case "float":
            case "double":
                return primitive(word);
            case "long":
                return primitive("int");
            case "string":
                return { kind: "string" };
            case "opaque":
                return { kind: "opaque" };
            case "struct":
            case "enum":
            case "union":
                // `struct foo x;` refers to a named type; inline bodies are not used by libvirt.
                if (this.peek().text === "{") this.fail(`inline ${word} bodies are not supported`);
                return { kind: "named", name: this.ident() };
            default:
                return { kind: "named", name: word };
        }
    }
}
