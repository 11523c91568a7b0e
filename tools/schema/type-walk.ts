/**
 * Reads the argument types of every kind with the TypeScript compiler: the same `z.input` types the
 * provider checks against, with the JSDoc written on each zod field (the checker keeps the field's
 * declaration through zod's mapped types). New model fields appear here without any table to edit.
 */
import { join } from "node:path";
import * as ts from "typescript";
import type { FieldShape, ObjectShape, TypeRef } from "./type-model";

/** Where a kind's argument type is declared (a path from the repository root, and the exported type). */
export interface TypeLocation {
    readonly module: string;
    readonly type: string;
}

export function pascal(text: string): string {
    return text
        .replace(/(^|[-_\s])(\w)/g, (_m, _sep, c: string) => c.toUpperCase())
        .replace(/^\w/, (c) => c.toUpperCase());
}

/** "hosts" → "Host", "entries" → "Entry": a name for one item of a list. */
export function singular(name: string): string {
    if (name.endsWith("ies")) return `${name.slice(0, -3)}y`;
    if (name.endsWith("ses") || name.endsWith("xes")) return name.slice(0, -2);
    if (name.endsWith("s") && !name.endsWith("ss")) return name.slice(0, -1);
    return `${name}Item`;
}

/** A compiler program over the argument modules (and what they import). */
export function argumentProgram(root: string, locations: readonly TypeLocation[]): ts.Program {
    return ts.createProgram(
        locations.map((l) => join(root, l.module)),
        {
            strict: true,
            target: ts.ScriptTarget.ES2022,
            module: ts.ModuleKind.CommonJS,
            moduleResolution: ts.ModuleResolutionKind.Node10,
            types: ["node"],
            skipLibCheck: true,
            noEmit: true,
            ignoreDeprecations: "6.0",
        },
    );
}

export class TypeWalker {
    readonly objects: ObjectShape[] = [];
    private readonly byType = new Map<ts.Type, number>();
    private readonly checker: ts.TypeChecker;
    private readonly walking = new Set<ts.Type>();

    constructor(
        private readonly program: ts.Program,
        private readonly root: string,
    ) {
        this.checker = program.getTypeChecker();
    }

    /** The exported type at a location. */
    typeAt(location: TypeLocation): ts.Type {
        const source = this.program.getSourceFile(join(this.root, location.module));
        if (source === undefined) throw new Error(`${location.module} is not in the generator's program`);
        const module = this.checker.getSymbolAtLocation(source);
        const symbol = module && this.checker.getExportsOfModule(module).find((s) => s.name === location.type);
        if (symbol === undefined) throw new Error(`${location.module} exports no type ${location.type}`);
        return this.checker.getDeclaredTypeOfSymbol(symbol);
    }

    /** The shape of an object type (walking everything below it); `name` overrides the derived name. */
    object(type: ts.Type, name: string): ObjectShape {
        // Types met below a root are named after the kind (`DomainGraphics`), not after `DomainArgs`.
        const ref = this.objectRef(type, name.replace(/(Args|Outputs)$/, ""), name);
        if (ref.kind !== "object") throw new Error(`${name} is not an object type`);
        return this.objects[ref.id]!;
    }

    /**
     * A class's own public properties (a component's outputs), with `pulumi.Output<T>` read as T and
     * the JSDoc of each declaration.
     */
    classOutputs(location: TypeLocation, name: string): ObjectShape {
        const type = this.typeAt(location);
        const id = this.objects.length;
        const fields: FieldShape[] = [];
        this.objects.push({ id, name, fields });
        for (const property of this.checker.getPropertiesOfType(type)) {
            const declaration = property.valueDeclaration;
            if (declaration === undefined || !ts.isPropertyDeclaration(declaration)) continue;
            if (declaration.parent.getSourceFile().fileName !== join(this.root, location.module)) continue;
            const modifiers = ts.getCombinedModifierFlags(declaration);
            if (modifiers & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) continue;
            if (property.name.startsWith("__")) continue;
            fields.push(this.field(property, name.replace(/Outputs$/, "")));
        }
        return this.objects[id]!;
    }

    private field(property: ts.Symbol, owner: string): FieldShape {
        const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
        return {
            name: property.name,
            type: this.ref(this.checker.getTypeOfSymbol(property), `${owner}${pascal(property.name)}`),
            optional,
            doc: ts.displayPartsToString(property.getDocumentationComment(this.checker)).replace(/\s+/g, " ").trim(),
        };
    }

    /** Where a named type is declared: an SDK resource class, a generated interface, or elsewhere. */
    private declaredIn(type: ts.Type): { place: "resource" | "generated"; name: string } | undefined {
        const symbol = type.getSymbol();
        const file = symbol?.declarations?.[0]?.getSourceFile().fileName;
        if (symbol === undefined || file === undefined) return undefined;
        // The resource classes (generated ones included) before the generated interfaces.
        if (file.startsWith(join(this.root, "sdk")) && symbol.flags & ts.SymbolFlags.Class) {
            return { place: "resource", name: symbol.name };
        }
        if (file.startsWith(join(this.root, "sdk", "generated"))) {
            // A root argument type (`DomainArgs`) is not a schema type; only the nested ones are.
            return symbol.flags & ts.SymbolFlags.Interface && !symbol.name.endsWith("Args")
                ? { place: "generated", name: symbol.name }
                : undefined;
        }
        return undefined;
    }

    /** The reference for a type met at a place named `hint` (PascalCase of its path). */
    ref(type: ts.Type, hint: string): TypeRef {
        // A recursive alias through unions and lists (PlainData = ... | PlainData[]): any value.
        if (this.walking.has(type)) return { kind: "any" };
        this.walking.add(type);
        try {
            return this.refOnce(type, hint);
        } finally {
            this.walking.delete(type);
        }
    }

    private refOnce(type: ts.Type, hint: string): TypeRef {
        // pulumi.Input<T> and pulumi.Output<T> in hand-written SDK types: the value is a T.
        const alias = type.aliasSymbol?.name;
        if ((alias === "Input" || alias === "Output") && type.aliasTypeArguments?.length === 1) {
            return this.ref(type.aliasTypeArguments[0]!, hint);
        }
        const declared = this.declaredIn(type);
        if (declared?.place === "generated") return { kind: "generated", name: declared.name };
        if (declared?.place === "resource") return { kind: "resource", name: declared.name };
        const flags = type.flags;
        if (flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never)) return { kind: "any" };
        if (flags & ts.TypeFlags.Boolean) return { kind: "primitive", name: "boolean" };
        if (type.isUnion()) return this.union(type.types, hint);
        if (flags & ts.TypeFlags.Null) return { kind: "literal", value: null };
        if (flags & ts.TypeFlags.BooleanLiteral)
            return { kind: "literal", value: (type as { intrinsicName?: string }).intrinsicName === "true" };
        if (type.isStringLiteral() || type.isNumberLiteral()) return { kind: "literal", value: type.value };
        if (flags & (ts.TypeFlags.String | ts.TypeFlags.TemplateLiteral | ts.TypeFlags.StringMapping))
            return { kind: "primitive", name: "string" };
        if (flags & (ts.TypeFlags.Number | ts.TypeFlags.BigInt)) return { kind: "primitive", name: "number" };
        if (type.isIntersection()) {
            // A branded primitive (`string & { brand }`) is the primitive.
            const primitive = type.types.find((t) => !(t.flags & ts.TypeFlags.Object));
            if (primitive !== undefined) return this.ref(primitive, hint);
        }
        if (this.checker.isTupleType(type)) {
            const elements = this.checker.getTypeArguments(type as ts.TypeReference);
            return { kind: "array", items: this.union(elements, singular(hint)) };
        }
        if (this.checker.isArrayType(type)) {
            const [item] = this.checker.getTypeArguments(type as ts.TypeReference);
            return { kind: "array", items: item ? this.ref(item, singular(hint)) : { kind: "any" } };
        }
        if (flags & (ts.TypeFlags.Object | ts.TypeFlags.Intersection)) return this.objectRef(type, hint);
        return { kind: "any" };
    }

    private union(types: readonly ts.Type[], hint: string): TypeRef {
        const members: TypeRef[] = [];
        // Promise<T> and OutputInstance<T> are the eventual forms of a T that is also a member.
        const eventual = (t: ts.Type) => ["Promise", "OutputInstance"].includes(t.getSymbol()?.name ?? "");
        const kept = types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) && !eventual(t));
        const literals = kept.filter((t) => t.flags & ts.TypeFlags.BooleanLiteral);
        const bothBooleans = literals.length === 2;
        if (bothBooleans) members.push({ kind: "primitive", name: "boolean" });
        for (const member of kept) {
            if (bothBooleans && member.flags & ts.TypeFlags.BooleanLiteral) continue;
            const ref = this.ref(member, hint);
            if (ref.kind === "union") members.push(...ref.members);
            else members.push(ref);
        }
        const unique = [...new Map(members.map((m) => [JSON.stringify(m), m])).values()];
        if (unique.some((m) => m.kind === "any")) return { kind: "any" };
        return unique.length === 1 ? unique[0]! : { kind: "union", members: unique };
    }

    private objectRef(type: ts.Type, hint: string, forcedName?: string): TypeRef {
        const known = this.byType.get(type);
        if (known !== undefined) return { kind: "object", id: known };
        if (type.getCallSignatures().length > 0) return { kind: "any" };
        const properties = this.checker.getPropertiesOfType(type);
        if (properties.length === 0) {
            const index = this.checker
                .getIndexInfosOfType(type)
                .find((info) => info.keyType.flags & ts.TypeFlags.String);
            return index
                ? { kind: "map", values: this.ref(index.type, hint) }
                : { kind: "map", values: { kind: "any" } };
        }
        const id = this.objects.length;
        const fields: FieldShape[] = [];
        const source = this.schemaVariable(properties);
        const name = forcedName ?? this.uniqueName(source ? pascal(source.replace(/Schema$/, "")) : hint);
        this.objects.push({ id, name, fields, ...(source && !forcedName ? { source } : {}) });
        this.byType.set(type, id);
        for (const property of properties) fields.push(this.field(property, forcedName ? hint : name));
        return { kind: "object", id };
    }

    private uniqueName(preferred: string): string {
        let name = preferred;
        for (let n = 2; this.objects.some((o) => o.name === name); n++) name = `${preferred}${n}`;
        return name;
    }

    /**
     * The variable a zod object literal is assigned to (`const natSchema = z.strictObject({...})`,
     * refinements and transforms allowed in between); undefined for an object written inline in a
     * field or merged from several.
     */
    private schemaVariable(properties: readonly ts.Symbol[]): string | undefined {
        const names = new Set<string>();
        for (const property of properties) {
            const declaration = property.declarations?.[0];
            let node: ts.Node | undefined = declaration?.parent;
            if (node === undefined || !ts.isObjectLiteralExpression(node)) return undefined;
            node = node.parent;
            while (
                node &&
                (ts.isCallExpression(node) || ts.isPropertyAccessExpression(node) || ts.isAsExpression(node))
            )
                node = node.parent;
            if (node === undefined || !ts.isVariableDeclaration(node) || !ts.isIdentifier(node.name)) return undefined;
            names.add(node.name.text);
        }
        return names.size === 1 ? [...names][0] : undefined;
    }
}
