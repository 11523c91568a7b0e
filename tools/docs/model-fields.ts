/**
 * Reads the model sources (provider/model/*.ts) with the TypeScript compiler and collects, for
 * every `const xSchema = z.strictObject({...})` (wrapped in refinements or not), each field with
 * its JSDoc line. The JSDoc is the documentation of record: every field has one, written next to
 * the field, so the tables of docs/resources.md are generated rather than kept by hand.
 */
import { readFileSync } from "node:fs";
import * as ts from "typescript";

export interface ModelField {
    readonly name: string;
    readonly doc: string;
    /** The schema a field refers to, when its type is another documented schema (`forwardSchema`). */
    readonly refersTo: string | undefined;
    readonly optional: boolean;
}

export interface ModelSchema {
    readonly name: string;
    readonly file: string;
    readonly doc: string;
    readonly fields: readonly ModelField[];
}

function jsDocOf(node: ts.Node, source: ts.SourceFile): string {
    const ranges = ts.getLeadingCommentRanges(source.text, node.getFullStart()) ?? [];
    const docs = ranges
        .map((r) => source.text.slice(r.pos, r.end))
        .filter((text) => text.startsWith("/**"))
        .map((text) =>
            text
                .replace(/^\/\*\*|\*\/$/g, "")
                .split("\n")
                .map((line) => line.replace(/^\s*\*\s?/, "").trim())
                .filter((line) => line !== "")
                .join(" "),
        );
    return docs.at(-1) ?? "";
}

/**
 * The first `z.object({...})`/`z.strictObject({...})` literal inside an initializer chain, or the
 * literal of `base.extend({...})` together with the name of `base`.
 */
function objectLiteralOf(node: ts.Node): { literal: ts.ObjectLiteralExpression; extends?: string } | undefined {
    let found: { literal: ts.ObjectLiteralExpression; extends?: string } | undefined;
    const visit = (n: ts.Node): void => {
        if (found) return;
        if (
            ts.isCallExpression(n) &&
            ts.isPropertyAccessExpression(n.expression) &&
            /^(strictObject|object|looseObject|extend)$/.test(n.expression.name.text) &&
            n.arguments[0] &&
            ts.isObjectLiteralExpression(n.arguments[0])
        ) {
            const base = n.expression.expression;
            found =
                n.expression.name.text === "extend" && ts.isIdentifier(base)
                    ? { literal: n.arguments[0], extends: base.text }
                    : { literal: n.arguments[0] };
            return;
        }
        ts.forEachChild(n, visit);
    };
    visit(node);
    return found;
}

/** The schema identifier a field's initializer starts from (`forwardSchema.optional()` → forwardSchema). */
function referencedSchema(initializer: ts.Expression, known: ReadonlySet<string>): string | undefined {
    let found: string | undefined;
    const visit = (n: ts.Node): void => {
        if (found) return;
        if (ts.isIdentifier(n) && known.has(n.text)) {
            found = n.text;
            return;
        }
        ts.forEachChild(n, visit);
    };
    visit(initializer);
    return found;
}

/** Collects the documented schemas of the given source files, in file order. */
export function readModelSchemas(files: readonly string[]): ModelSchema[] {
    const sources = files.map((file) => ({
        file,
        source: ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true),
    }));
    const declarations: Array<{
        file: string;
        source: ts.SourceFile;
        decl: ts.VariableDeclaration;
        statement: ts.Node;
    }> = [];
    for (const { file, source } of sources) {
        for (const statement of source.statements) {
            if (!ts.isVariableStatement(statement)) continue;
            for (const decl of statement.declarationList.declarations) {
                if (ts.isIdentifier(decl.name) && decl.initializer && objectLiteralOf(decl.initializer)) {
                    declarations.push({ file, source, decl, statement });
                }
            }
        }
    }
    const known = new Set(declarations.map((d) => (d.decl.name as ts.Identifier).text));
    const byName = new Map<string, ModelSchema>();
    const schemas = declarations.map(({ file, source, decl, statement }) => {
        const { literal, extends: base } = objectLiteralOf(decl.initializer!)!;
        const own: ModelField[] = [];
        for (const property of literal.properties) {
            if (!ts.isPropertyAssignment(property)) continue;
            const name = property.name.getText(source);
            const initializer = property.initializer.getText(source);
            own.push({
                name,
                doc: jsDocOf(property, source),
                refersTo: referencedSchema(property.initializer, known),
                optional: /\.(optional|default)\(/.test(initializer),
            });
        }
        // `base.extend({...})`: the base's fields, with the extension's fields replacing same-named ones.
        const inherited = base
            ? (byName.get(base)?.fields ?? []).filter((f) => !own.some((o) => o.name === f.name))
            : [];
        const schema: ModelSchema = {
            name: (decl.name as ts.Identifier).text,
            file,
            doc: jsDocOf(statement, source),
            fields: [...inherited, ...own],
        };
        byName.set(schema.name, schema);
        return schema;
    });
    return schemas;
}
