/**
 * Where a volume's initial content comes from: a local file or an http(s) URL, opened as a stream
 * so it flows straight into libvirt's upload without a temporary copy.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";

/** An opened image: its bytes as a stream, and its size when the source says. */
export interface OpenedImage {
    readonly stream: Readable;
    /** Size in bytes: the file's size, or the response's Content-Length; undefined when unknown. */
    readonly size: number | undefined;
    /** Stops reading (on failure elsewhere); safe to call twice. */
    close(): void;
}

/** How long to wait for an http(s) server to start answering (headers), in milliseconds. */
export const HTTP_HEADERS_TIMEOUT_MS = 60_000;

/** True for http:// and https:// addresses; anything else must be an absolute local path. */
export function isHttpUrl(url: string): boolean {
    return /^https?:\/\//i.test(url);
}

async function openLocalFile(path: string): Promise<OpenedImage> {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
        info = await stat(path);
    } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new Error(`cannot read the source image ${path}: ${code === "ENOENT" ? "no such file" : String(error)}`);
    }
    if (!info.isFile()) throw new Error(`the source image ${path} is not a regular file`);
    const stream = createReadStream(path);
    return { stream, size: info.size, close: () => stream.destroy() };
}

async function openHttp(url: string): Promise<OpenedImage> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error("no response headers")), HTTP_HEADERS_TIMEOUT_MS);
    let response: Response;
    try {
        response = await fetch(url, { signal: abort.signal, redirect: "follow" });
    } catch (error) {
        throw new Error(
            `cannot download the source image ${url}: ${(error as Error).cause ?? (error as Error).message}`,
        );
    } finally {
        clearTimeout(timer);
    }
    if (!response.ok || response.body === null) {
        await response.body?.cancel().catch(() => undefined);
        throw new Error(`cannot download the source image ${url}: HTTP ${response.status} ${response.statusText}`);
    }
    const length = response.headers.get("content-length");
    // A compressed transfer's Content-Length is not the image's size.
    const encoded = (response.headers.get("content-encoding") ?? "identity") !== "identity";
    const size = length !== null && /^\d+$/.test(length) && !encoded ? Number(length) : undefined;
    const stream = Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>);
    return {
        stream,
        size,
        close: () => {
            abort.abort();
            stream.destroy();
        },
    };
}

/** Opens a source image given as an absolute local path or an http(s) URL. */
export function openImage(url: string): Promise<OpenedImage> {
    return isHttpUrl(url) ? openHttp(url) : openLocalFile(url);
}
