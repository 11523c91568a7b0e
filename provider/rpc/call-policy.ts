/**
 * How the client treats each procedure when things go wrong, in one table: which calls are safe to
 * send again on a new connection after the old one dropped with the call in flight (they only
 * read), and which may legitimately run for a long time (storage work that writes whole volumes).
 * A procedure that is not listed is treated as mutating, with the normal default timeout.
 */
import type { RemoteProcedureName } from "./generated/procedures";

export interface CallPolicy {
    /**
     * "idempotent": the call only reads, so repeating it changes nothing; when the connection
     * drops with it in flight it is sent once more on a new connection.
     */
    readonly retry?: "idempotent";
    /** The call may run for many minutes (copies, wipes, builds): it gets the long default timeout. */
    readonly slow?: true;
}

/** Default timeout of a call, unless the call or the connection says otherwise. */
export const DEFAULT_CALL_TIMEOUT_MS = 10 * 60_000;
/** Default timeout of a `slow` call. */
export const DEFAULT_SLOW_CALL_TIMEOUT_MS = 2 * 60 * 60_000;

const READ: CallPolicy = { retry: "idempotent" };
const SLOW: CallPolicy = { slow: true };

export const CALL_POLICY: Readonly<Partial<Record<RemoteProcedureName, CallPolicy>>> = {
    // The connection and the host.
    CONNECT_GET_TYPE: READ,
    CONNECT_GET_VERSION: READ,
    CONNECT_GET_LIB_VERSION: READ,
    CONNECT_GET_HOSTNAME: READ,
    CONNECT_GET_URI: READ,
    CONNECT_GET_SYSINFO: READ,
    CONNECT_GET_MAX_VCPUS: READ,
    CONNECT_GET_CAPABILITIES: READ,
    CONNECT_GET_DOMAIN_CAPABILITIES: READ,
    CONNECT_GET_STORAGE_POOL_CAPABILITIES: READ,
    CONNECT_GET_CPU_MODEL_NAMES: READ,
    CONNECT_SUPPORTS_FEATURE: READ,
    CONNECT_IS_SECURE: READ,
    NODE_GET_INFO: READ,
    NODE_GET_FREE_MEMORY: READ,
    NODE_GET_CELLS_FREE_MEMORY: READ,
    NODE_GET_CPU_STATS: READ,
    NODE_GET_MEMORY_STATS: READ,
    NODE_GET_SECURITY_MODEL: READ,
    // Domains.
    CONNECT_LIST_ALL_DOMAINS: READ,
    CONNECT_LIST_DOMAINS: READ,
    CONNECT_LIST_DEFINED_DOMAINS: READ,
    CONNECT_NUM_OF_DOMAINS: READ,
    CONNECT_NUM_OF_DEFINED_DOMAINS: READ,
    CONNECT_GET_ALL_DOMAIN_STATS: READ,
    DOMAIN_LOOKUP_BY_ID: READ,
    DOMAIN_LOOKUP_BY_NAME: READ,
    DOMAIN_LOOKUP_BY_UUID: READ,
    DOMAIN_GET_XML_DESC: READ,
    DOMAIN_GET_INFO: READ,
    DOMAIN_GET_STATE: READ,
    DOMAIN_GET_AUTOSTART: READ,
    DOMAIN_GET_MAX_MEMORY: READ,
    DOMAIN_GET_MAX_VCPUS: READ,
    DOMAIN_GET_VCPUS: READ,
    DOMAIN_GET_VCPUS_FLAGS: READ,
    DOMAIN_GET_OS_TYPE: READ,
    DOMAIN_GET_METADATA: READ,
    DOMAIN_GET_BLOCK_INFO: READ,
    DOMAIN_GET_MEMORY_PARAMETERS: READ,
    DOMAIN_GET_HOSTNAME: READ,
    DOMAIN_GET_JOB_INFO: READ,
    DOMAIN_GET_JOB_STATS: READ,
    DOMAIN_GET_SECURITY_LABEL: READ,
    DOMAIN_IS_ACTIVE: READ,
    DOMAIN_IS_PERSISTENT: READ,
    DOMAIN_IS_UPDATED: READ,
    DOMAIN_HAS_MANAGED_SAVE_IMAGE: READ,
    DOMAIN_INTERFACE_ADDRESSES: READ,
    DOMAIN_LIST_ALL_SNAPSHOTS: READ,
    DOMAIN_SNAPSHOT_LOOKUP_BY_NAME: READ,
    DOMAIN_SNAPSHOT_GET_XML_DESC: READ,
    // Networks.
    CONNECT_LIST_ALL_NETWORKS: READ,
    CONNECT_LIST_NETWORKS: READ,
    CONNECT_LIST_DEFINED_NETWORKS: READ,
    CONNECT_NUM_OF_NETWORKS: READ,
    CONNECT_NUM_OF_DEFINED_NETWORKS: READ,
    NETWORK_LOOKUP_BY_NAME: READ,
    NETWORK_LOOKUP_BY_UUID: READ,
    NETWORK_GET_XML_DESC: READ,
    NETWORK_GET_AUTOSTART: READ,
    NETWORK_GET_BRIDGE_NAME: READ,
    NETWORK_GET_DHCP_LEASES: READ,
    NETWORK_IS_ACTIVE: READ,
    NETWORK_IS_PERSISTENT: READ,
    // Storage.
    CONNECT_LIST_ALL_STORAGE_POOLS: READ,
    CONNECT_LIST_STORAGE_POOLS: READ,
    CONNECT_LIST_DEFINED_STORAGE_POOLS: READ,
    CONNECT_NUM_OF_STORAGE_POOLS: READ,
    CONNECT_NUM_OF_DEFINED_STORAGE_POOLS: READ,
    STORAGE_POOL_LOOKUP_BY_NAME: READ,
    STORAGE_POOL_LOOKUP_BY_UUID: READ,
    STORAGE_POOL_LOOKUP_BY_VOLUME: READ,
    STORAGE_POOL_LOOKUP_BY_TARGET_PATH: READ,
    STORAGE_POOL_GET_XML_DESC: READ,
    STORAGE_POOL_GET_INFO: READ,
    STORAGE_POOL_GET_AUTOSTART: READ,
    STORAGE_POOL_IS_ACTIVE: READ,
    STORAGE_POOL_IS_PERSISTENT: READ,
    STORAGE_POOL_LIST_ALL_VOLUMES: READ,
    STORAGE_POOL_LIST_VOLUMES: READ,
    STORAGE_POOL_NUM_OF_VOLUMES: READ,
    STORAGE_VOL_LOOKUP_BY_NAME: READ,
    STORAGE_VOL_LOOKUP_BY_KEY: READ,
    STORAGE_VOL_LOOKUP_BY_PATH: READ,
    STORAGE_VOL_GET_XML_DESC: READ,
    STORAGE_VOL_GET_INFO: READ,
    STORAGE_VOL_GET_INFO_FLAGS: READ,
    STORAGE_VOL_GET_PATH: READ,
    // Secrets, interfaces, devices.
    CONNECT_LIST_ALL_SECRETS: READ,
    SECRET_LOOKUP_BY_UUID: READ,
    SECRET_LOOKUP_BY_USAGE: READ,
    SECRET_GET_XML_DESC: READ,
    SECRET_GET_VALUE: READ,
    CONNECT_LIST_ALL_INTERFACES: READ,
    INTERFACE_LOOKUP_BY_NAME: READ,
    INTERFACE_GET_XML_DESC: READ,
    CONNECT_LIST_ALL_NODE_DEVICES: READ,
    NODE_DEVICE_LOOKUP_BY_NAME: READ,
    NODE_DEVICE_GET_XML_DESC: READ,
    // Long-running work: mutating (never repeated), with the long default timeout.
    STORAGE_VOL_CREATE_XML: SLOW,
    STORAGE_VOL_CREATE_XML_FROM: SLOW,
    STORAGE_VOL_WIPE: SLOW,
    STORAGE_VOL_WIPE_PATTERN: SLOW,
    STORAGE_VOL_RESIZE: SLOW,
    STORAGE_POOL_BUILD: SLOW,
    STORAGE_POOL_CREATE: SLOW,
    STORAGE_POOL_CREATE_XML: SLOW,
    STORAGE_POOL_REFRESH: SLOW,
    STORAGE_POOL_DELETE: SLOW,
    DOMAIN_SAVE: SLOW,
    DOMAIN_SAVE_FLAGS: SLOW,
    DOMAIN_RESTORE: SLOW,
    DOMAIN_RESTORE_FLAGS: SLOW,
    DOMAIN_MANAGED_SAVE: SLOW,
    DOMAIN_CORE_DUMP: SLOW,
    DOMAIN_CORE_DUMP_WITH_FORMAT: SLOW,
    DOMAIN_SNAPSHOT_CREATE_XML: SLOW,
    DOMAIN_BLOCK_RESIZE: SLOW,
};

/** Whether a call of `procedure` may be sent again after its connection dropped with it in flight. */
export function isIdempotent(procedure: string): boolean {
    return CALL_POLICY[procedure as RemoteProcedureName]?.retry === "idempotent";
}

/** The default timeout of a call of `procedure` on a connection whose default is `normalMs`. */
export function defaultTimeoutMs(procedure: string, normalMs: number): number {
    if (normalMs <= 0) return 0; // timeouts turned off for the connection
    return CALL_POLICY[procedure as RemoteProcedureName]?.slow
        ? Math.max(normalMs, DEFAULT_SLOW_CALL_TIMEOUT_MS)
        : normalMs;
}
