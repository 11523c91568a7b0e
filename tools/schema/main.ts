/**
 * `npm run schema`: writes schema.json and the SDK's generated types, classes and kind facts
 * (sdk/generated/) from the kinds' descriptors. `--check` only compares, and fails when a file is stale.
 */
import { forgetGenerated, generate, projectRoot } from "./generate";
import { schemaKinds } from "./kinds";
import { writeGenerated } from "./write-generated";

const root = projectRoot();
const check = process.argv.includes("--check");
const writeAll = (): boolean => writeGenerated(root, generate().files, check, "npm run schema");
const stale = writeAll();
// The component's types refer to the generated classes and interfaces: once those changed, generate again.
if (stale && !check) {
    forgetGenerated();
    writeAll();
}
if (check && stale) process.exitCode = 1;
else console.log(`kinds: ${schemaKinds.map((k) => k.kind).join(", ")}`);
