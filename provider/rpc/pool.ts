/**
 * Connections shared by URI. Every resource of a stack that names the same libvirt URI shares
 * one connection; a connection that died (libvirtd restarted, network dropped) is replaced by a
 * fresh one on the next request. A client handed out earlier follows: its new calls go to the
 * fresh connection, and a read that was in flight when the old one dropped is sent again there
 * (once); a mutating call in flight fails with `isOutcomeUnknown()` (see call-policy.ts).
 */
import { type ConnectOptions, LibvirtClient } from "./client";
import { parseLibvirtUri } from "./uri";

export interface PoolOptions extends ConnectOptions {
    /**
     * After a connection to a URI dies, keep retrying to reconnect for this long (default 15 s):
     * a restarting libvirtd takes a moment to listen again. A first connection is not retried,
     * so a wrong URI fails at once.
     */
    readonly reconnectWindowMs?: number;
    /** Opens a client for a URI (default `LibvirtClient.connect`); tests put a fake daemon behind it. */
    readonly connector?: (uri: string, options: ConnectOptions) => Promise<LibvirtClient>;
}

export const DEFAULT_RECONNECT_WINDOW_MS = 15_000;
const RECONNECT_FIRST_DELAY_MS = 100;
const RECONNECT_MAX_DELAY_MS = 2000;

export class ConnectionPool {
    private readonly clients = new Map<string, Promise<LibvirtClient>>();
    /** URIs that had a working connection once: reconnecting to them is worth retrying. */
    private readonly known = new Set<string>();

    constructor(private readonly options: PoolOptions = {}) {}

    /** The shared client for `uri` (default: `LIBVIRT_DEFAULT_URI`, then `qemu:///system`). */
    async get(uri?: string): Promise<LibvirtClient> {
        const key = parseLibvirtUri(uri, this.options.env).original;
        const existing = this.clients.get(key);
        if (existing) {
            const client = await existing.catch(() => undefined);
            if (client?.isOpen) return client;
            if (this.clients.get(key) === existing) this.clients.delete(key);
            return this.get(key);
        }
        const opening = this.open(key);
        this.clients.set(key, opening);
        try {
            const client = await opening;
            this.known.add(key);
            client.followWith(() => this.get(key));
            client.onClose(() => {
                if (this.clients.get(key) === opening) this.clients.delete(key);
            });
            return client;
        } catch (error) {
            if (this.clients.get(key) === opening) this.clients.delete(key);
            throw error;
        }
    }

    /** Closes every connection; the pool stays usable and opens new ones on demand. */
    async closeAll(): Promise<void> {
        const all = [...this.clients.values()];
        this.clients.clear();
        await Promise.all(all.map(async (p) => (await p.catch(() => undefined))?.close()));
    }

    private async open(key: string): Promise<LibvirtClient> {
        const deadline =
            Date.now() + (this.known.has(key) ? (this.options.reconnectWindowMs ?? DEFAULT_RECONNECT_WINDOW_MS) : 0);
        let delay = RECONNECT_FIRST_DELAY_MS;
        for (;;) {
            try {
                return await (this.options.connector ?? LibvirtClient.connect)(key, this.options);
            } catch (error) {
                if (Date.now() + delay > deadline || this.options.signal?.aborted) throw error;
                await new Promise((resolve) => setTimeout(resolve, delay));
                delay = Math.min(delay * 2, RECONNECT_MAX_DELAY_MS);
            }
        }
    }
}

/** The process-wide pool used by the Pulumi provider. */
export const defaultPool = new ConnectionPool();
