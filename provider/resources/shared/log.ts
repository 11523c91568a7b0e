/**
 * Messages from the runtime. The dynamic-provider host has no engine connection, so `pulumi.log`
 * degrades to the console; the engine passes the host's stderr through as diagnostics without a
 * resource attached. Every line therefore names the kind and the object.
 */
import type { ResourceKind } from "./handler";

export type LogLevel = "info" | "warning";
export type LogSink = (level: LogLevel, line: string) => void;

const stderrSink: LogSink = (level, line) => {
    process.stderr.write(`${level === "warning" ? "warning: " : ""}${line}\n`);
};

/** Module state: tests swap the sink to capture lines. */
let sink: LogSink = stderrSink;

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
