/** `npm run schema`: writes schema.json at the repository root from the registered kinds. */
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { schemaKinds } from "./kinds";
import { schemaText } from "./generate";

function projectRoot(): string {
    let folder = __dirname;
    while (!existsSync(join(folder, "package.json"))) folder = dirname(folder);
    return folder;
}

const target = join(projectRoot(), "schema.json");
writeFileSync(target, schemaText());
console.log(`wrote ${target}: ${schemaKinds.map((k) => k.kind).join(", ")}`);
