/**
 * Messages from the runtime. Inside the dynamic-provider host they go to the engine's Log RPC
 * (engine-log.ts: the host gives providers no logger, and the engine does not show its stderr);
 * elsewhere (tests, the engine emulator) to stderr. No resource is attached to them, so every line
 * names the kind and the object.
 */
import { type LogLevel, sendToEngine } from "./engine-log";
import type { ResourceKind } from "./handler";

export type LogSink = (level: LogLevel, line: string) => void;

const defaultSink: LogSink = (level, line) => {
    if (sendToEngine(level, line)) return;
    process.stderr.write(`${level === "warning" ? "warning: " : ""}${line}\n`);
};

/** Module state: tests swap the sink to capture lines. */
let sink: LogSink = defaultSink;

/** Replaces where lines go; returns a function restoring the previous sink. */
export function setLogSink(next: LogSink): () => void {
    const previous = sink;
    sink = next;
    return () => {
        sink = previous;
    };
}

/** `StoragePool 'images'`: how messages and errors name an object. */
export function objectLabel(kind: ResourceKind, name: unknown): string {
    return typeof name === "string" && name !== "" ? `${kind} '${name}'` : kind;
}

export function logInfo(kind: ResourceKind, name: unknown, text: string): void {
    sink("info", `${objectLabel(kind, name)}: ${text}`);
}

export function logWarning(kind: ResourceKind, name: unknown, text: string): void {
    sink("warning", `${objectLabel(kind, name)}: ${text}`);
}
