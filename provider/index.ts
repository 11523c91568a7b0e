/**
 * `pulumi-libvirt/provider`: the runtime that the SDK's provider stubs load inside Pulumi's
 * dynamic-provider host. It grows with the Pulumi resources issue.
 */
export { defaultPool } from "./rpc/pool";
