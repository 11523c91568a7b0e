/**
 * `pulumi-libvirt/rpc`: a pure-TypeScript client of libvirt's remote protocol.
 *
 * ```ts
 * import { connect } from "pulumi-libvirt/rpc";
 * const client = await connect("qemu:///system");
 * const { dom } = await client.domainLookupByName({ name: "vm1" });
 * const { xml } = await client.domainGetXmlDesc({ dom });
 * await client.close();
 * ```
 */
export { startCountingCalls, stopCountingCalls } from "./call-counter";
export type { CallOptions } from "./call-options";
export {
    CALL_POLICY,
    type CallPolicy,
    DEFAULT_CALL_TIMEOUT_MS,
    DEFAULT_SLOW_CALL_TIMEOUT_MS,
    isIdempotent,
} from "./call-policy";
export { type ConnectOptions, connect, LibvirtClient, type VolumeRange } from "./client";
export { type ConnectionOptions, RpcConnection } from "./connection";
export { DriverFeature } from "./driver-features";
export { CallTimeoutError, type ConnectionFailure, ConnectionError, LibvirtError } from "./errors";
export type { FileRange } from "./file-source";
export { FrameDecoder, FrameError } from "./frame-decoder";
export * from "./generated";
export {
    dropSharedReads,
    forgetSharedRead,
    keepSharedAnswer,
    type ReadTag,
    type SharedReadOptions,
    sharedRead,
    tagsTouchedBy,
} from "./shared-reads";
export { type SessionInfo, UnsupportedAuthError } from "./handshake";
export { decodePacket, encodePacket, type Packet, type PacketHeader } from "./packet";
export { ConnectionPool, defaultPool, type PoolOptions } from "./pool";
export type { DownloadOptions, TransferProgress, UploadOptions } from "./stream";
export { TransportError } from "./transports/transport-error";
export { type LibvirtUri, parseLibvirtUri } from "./uri";
export { XdrError, XdrReader, XdrWriter, type XdrCodec } from "./xdr";
