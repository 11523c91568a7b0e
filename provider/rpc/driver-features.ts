/**
 * Driver features a client may ask about with CONNECT_SUPPORTS_FEATURE.
 *
 * These numbers are libvirt's internal `virDrvFeature` enum (src/driver.h). It is not part of
 * the public headers that the generator reads, so it is written here by hand. The protocol is
 * append-only: these values never change.
 */
export enum DriverFeature {
    /** The daemon understands the keepalive program; asking also makes it ping us. */
    PROGRAM_KEEPALIVE = 10,
    /** Server-side event filtering with callback IDs (procedures 316/317, messages 318+). */
    REMOTE_EVENT_CALLBACK = 14,
    /** CONNECT_REGISTER_CLOSE_CALLBACK is available. */
    REMOTE_CLOSE_CALLBACK = 15,
    /** NETWORK_UPDATE expects `command` before `section`; older daemons had them swapped. */
    NETWORK_UPDATE_HAS_CORRECT_ORDER = 16,
}
