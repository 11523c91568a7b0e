/**
 * The inputs every SDK class sets itself (never offered to users, see `HiddenInputs`): the logical
 * name, from which the provider makes automatic names, and the stack (`<project>/<stack>`), which
 * keeps automatic names and owner records of two stacks on one host apart. A dynamic provider sees
 * neither the URN nor the stack, so they travel as inputs; its diff ignores both.
 */
import * as pulumi from "@pulumi/pulumi";

export function hiddenInputs(logicalName: string): { namePrefix: string; nameScope: string } {
    return { namePrefix: logicalName, nameScope: `${pulumi.getProject()}/${pulumi.getStack()}` };
}
