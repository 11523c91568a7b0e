/**
 * The engine emulator's CLI (`tools/engine/cli.ts`, same arguments) as a process that exits when the
 * operation is done. The provider runtime keeps its libvirt connections open in module state, as it
 * does in Pulumi's provider host, which the engine kills after the deployment; this process plays
 * both, so it ends itself instead of waiting for the connections to close.
 */
import { main } from "../engine/cli";

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
        console.error(e);
        process.exit(1);
    },
);
