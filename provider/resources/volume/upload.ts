/**
 * Streams a source image into a volume: one pass that uploads, hashes (sha256) and reports progress
 * for long transfers. The caller deletes the volume when this throws.
 */
import { createHash } from "node:crypto";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { LibvirtClient, RemoteNonnullStorageVol, TransferProgress } from "../../rpc";
import type { OpenedImage } from "./image-source";

/** Uploads shorter than this print nothing; longer ones print a line every `PROGRESS_INTERVAL_MS`. */
export const PROGRESS_QUIET_MS = 2_000;
export const PROGRESS_INTERVAL_MS = 5_000;

export interface UploadResult {
    /** Bytes sent to libvirt. */
    bytes: number;
    /** sha256 of what was sent, hex. */
    sha256: string;
}

export interface ImageUploadOptions {
    /** Expected sha256 (lower-case hex); a different hash fails the upload naming both. */
    readonly sha256?: string;
    /** Receives progress lines (stderr through the shared log in the handler). */
    readonly report?: (line: string) => void;
}

/** The image's hash differs from the declared one. */
export class ChecksumMismatchError extends Error {
    constructor(
        readonly url: string,
        readonly expected: string,
        readonly actual: string,
    ) {
        super(`the source image ${url} has sha256 ${actual}, but sourceImage.sha256 expects ${expected}`);
        this.name = "ChecksumMismatchError";
    }
}

function progressReporter(url: string, report: ((line: string) => void) | undefined) {
    const started = Date.now();
    let lastPrinted = started;
    const line = (progress: TransferProgress) => {
        const seconds = (Date.now() - started) / 1000;
        const rate = seconds > 0 ? `${formatRate(progress.bytes / seconds)}/s` : "";
        const total = progress.total
            ? ` of ${formatRate(progress.total)} (${Math.floor((100 * progress.bytes) / progress.total)}%)`
            : "";
        return `uploading ${url}: ${formatRate(progress.bytes)}${total}, ${rate}`;
    };
    return {
        onProgress(progress: TransferProgress) {
            const now = Date.now();
            // The first line after PROGRESS_QUIET_MS, then one every PROGRESS_INTERVAL_MS.
            const wait = lastPrinted === started ? PROGRESS_QUIET_MS : PROGRESS_INTERVAL_MS;
            if (report && now - lastPrinted >= wait) {
                lastPrinted = now;
                report(line(progress));
            }
        },
        done(bytes: number) {
            // Only uploads that printed progress print a final line; short ones stay quiet.
            if (report && lastPrinted !== started)
                report(`uploaded ${url}: ${formatRate(bytes)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        },
    };
}

/** Approximate human size for progress lines (formatBytes is exact-only). */
function formatRate(bytes: number): string {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
    }
    return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/**
 * Uploads an opened image (from `url`, named in messages) into `vol` from offset 0, then closes it.
 * An image of unknown size is uploaded to its end.
 */
export async function uploadImage(
    client: LibvirtClient,
    vol: RemoteNonnullStorageVol,
    image: OpenedImage,
    url: string,
    options: ImageUploadOptions = {},
): Promise<UploadResult> {
    const hash = createHash("sha256");
    // Hashing in the same pass as the upload: the image is read once and never stored.
    const hashing = new Transform({
        transform(chunk: Buffer, _encoding, done) {
            hash.update(chunk);
            done(null, chunk);
        },
    });
    const progress = progressReporter(url, options.report);
    try {
        const [bytes] = await Promise.all([
            client.upload(vol, hashing, {
                length: image.size ?? 0,
                total: image.size,
                onProgress: (p) => progress.onProgress(p),
            }),
            pipeline(image.stream, hashing),
        ]);
        progress.done(bytes);
        const sha256 = hash.digest("hex");
        if (image.size !== undefined && bytes !== image.size) {
            throw new Error(`the source image ${url} ended after ${bytes} of ${image.size} bytes`);
        }
        if (options.sha256 !== undefined && options.sha256 !== sha256) {
            throw new ChecksumMismatchError(url, options.sha256, sha256);
        }
        return { bytes, sha256 };
    } finally {
        image.close();
        hashing.destroy();
    }
}
