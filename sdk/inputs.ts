/**
 * Pulumi `Input` types derived from a kind's argument type: every property, at every depth, may be
 * a plain value, a Promise or an Output (as users of generated SDKs expect), and the hidden
 * `namePrefix` and `nameScope` that the SDK sets itself are not offered (sdk/hidden-inputs.ts).
 */
import type * as pulumi from "@pulumi/pulumi";

type Primitive = string | number | boolean | bigint | symbol | null | undefined;

/**
 * A value or any of its parts may be `pulumi.Input`s. A union of primitives (`string | undefined` of
 * an optional field) stays one `Input`, so that an `Output<string | undefined>` of another resource
 * (say `lease.mac`) can be passed; other unions are taken member by member.
 */
export type DeepInput<T> = [T] extends [Primitive] ? pulumi.Input<T> : DeepInputOfMember<T>;

type DeepInputOfMember<T> = T extends Primitive
    ? pulumi.Input<T>
    : T extends ReadonlyArray<infer U>
      ? pulumi.Input<DeepInput<U>[]>
      : T extends object
        ? pulumi.Input<{ [K in keyof T]: DeepInput<T[K]> }>
        : pulumi.Input<T>;

/** Inputs the SDK sets itself and users never pass. */
export type HiddenInputs = "namePrefix" | "nameScope";

type Visible<T> = Omit<T, HiddenInputs>;

/** The `XArgs` interface of a kind from its argument type (`z.input` of the args schema); optional stays optional. */
export type ResourceArgsOf<T> = { [K in keyof Visible<T>]: DeepInput<Visible<T>[K]> };
