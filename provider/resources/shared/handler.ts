/**
 * The contract between the SDK's provider stubs and the runtime: one handler per resource kind,
 * with Pulumi's dynamic-provider methods. The stubs forward to these unchanged, so the shapes are
 * exactly Pulumi's (`@pulumi/pulumi/dynamic`).
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";

/** Plain JSON-compatible properties, as they travel through Pulumi's protobuf Struct. */
export type Properties = Record<string, unknown>;

export interface ResourceHandler {
    check(olds: Properties, news: Properties): Promise<dynamic.CheckResult>;
    diff(id: string, olds: Properties, news: Properties): Promise<dynamic.DiffResult>;
    create(inputs: Properties): Promise<dynamic.CreateResult>;
    read(id: string, props?: Properties): Promise<dynamic.ReadResult>;
    update(id: string, olds: Properties, news: Properties): Promise<dynamic.UpdateResult>;
    delete(id: string, props: Properties): Promise<void>;
}

/** Resource kinds, as they appear in type tokens (`pulumi-nodejs:dynamic/libvirt:<Kind>`). */
export type ResourceKind =
    | "Domain"
    | "Network"
    | "StoragePool"
    | "Volume"
    | "DhcpHost"
    | "DnsHost"
    | "CloudInit"
    | "DomainSnapshot";

/** The value Pulumi substitutes for inputs not known yet during preview (any type). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
