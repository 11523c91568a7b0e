/**
 * Turns a loaded protocol into the generated modules: file name → source text.
 */

import { emitConstantsModule } from "./emit-constants";
import { emitMethodsModule } from "./emit-methods";
import { emitProceduresModule } from "./emit-procedures";
import { emitTypesModule } from "./emit-types";
import { HEADER_LINES, type ModuleWriter } from "./module-writer";
import type { Protocol, TypeModule } from "./protocol";

export interface GeneratedFile {
    readonly name: string;
    readonly text: string;
}

const TYPE_MODULES: readonly TypeModule[] = ["virnet", "remote-types", "qemu"];

export function generate(protocol: Protocol): GeneratedFile[] {
    const xdrFor = (module: TypeModule): string[] => [
        ...new Set(protocol.types.filter((t) => t.module === module).map((t) => t.origin)),
    ];
    const allXdr = protocol.xdrFiles.map((f) => f.file);
    const modules: { name: string; sources: string[]; writer: ModuleWriter }[] = [
        {
            name: "constants",
            sources: [...allXdr, "include/*.h"],
            writer: emitConstantsModule(protocol),
        },
        ...TYPE_MODULES.map((m) => ({ name: m, sources: xdrFor(m), writer: emitTypesModule(protocol, m) })),
        { name: "procedures", sources: allXdr, writer: emitProceduresModule(protocol) },
        { name: "methods", sources: allXdr, writer: emitMethodsModule(protocol) },
    ];
    checkUniqueExports(modules.map((m) => ({ name: m.name, text: m.writer.render([]) })));
    const files = modules.map((m) => ({
        name: `${m.name}.ts`,
        text: m.writer.render(HEADER_LINES(protocol.libvirtVersion, m.sources)),
    }));
    const index = [
        ...HEADER_LINES(protocol.libvirtVersion, allXdr),
        "",
        ...modules.map((m) => `export * from "./${m.name}";`),
        "",
    ].join("\n");
    files.push({ name: "index.ts", text: index });
    return files;
}

/** `export *` silently drops names exported twice; refuse to generate such a set. */
function checkUniqueExports(files: readonly { name: string; text: string }[]): void {
    const owner = new Map<string, string>();
    for (const f of files) {
        for (const m of f.text.matchAll(
            /^export (?:abstract class|class|const|enum|interface|type|function) (\w+)/gm,
        )) {
            const name = m[1]!;
            const seen = owner.get(name);
            if (seen !== undefined && seen !== f.name)
                throw new Error(`${name} is exported by both ${seen} and ${f.name}`);
            owner.set(name, f.name);
        }
    }
}
