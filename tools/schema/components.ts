/**
 * The component resources the schema documents. A component has no zod schema: its arguments and
 * outputs are the hand-written, documented TypeScript of its class, read by the same walk.
 */
import type { TypeLocation } from "./type-walk";

export interface ComponentKind {
    /** The type name (`libvirt:index:<kind>`). */
    kind: string;
    /** What the component is, in a sentence or two. */
    description: string;
    /** Its arguments interface. */
    args: TypeLocation;
    /** Its class: the public readonly properties are its outputs. */
    outputs: TypeLocation;
    /** Argument paths that hold secrets (`graphics.password`): the class passes them on as secrets. */
    secretPaths: readonly string[];
}

export const componentKinds: ComponentKind[] = [
    {
        kind: "VirtualMachine",
        description:
            "From a cloud image to a guest you can log into: a shared base image Volume, a qcow2 overlay disk, a CloudInit seed (user, SSH keys, hostname), an optional DhcpHost reservation and the Domain, each a child resource shown in the preview. Changes reach the children and apply as theirs do.",
        args: { module: "sdk/virtual-machine.ts", type: "VirtualMachineArgs" },
        outputs: { module: "sdk/virtual-machine.ts", type: "VirtualMachine" },
        // Handed to the Domain's devices.graphics[].password, which the Domain marks secret.
        secretPaths: ["graphics.password"],
    },
];
