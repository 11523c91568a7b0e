/**
 * Looking inside a running guest through its QEMU guest agent (virtio-serial channel
 * org.qemu.guest_agent.0), with `virsh qemu-agent-command`: run a program, read a file. Nothing
 * goes over the guest's network.
 */
import { execFileSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";

/** One agent command; returns its `return` value. Throws with virsh's message when the agent fails. */
export function agentCommand(domain: string, execute: string, args?: Record<string, unknown>): unknown {
    const command = JSON.stringify(args === undefined ? { execute } : { execute, arguments: args });
    let out: string;
    try {
        out = execFileSync("virsh", ["-q", "qemu-agent-command", domain, command, "--timeout", "30"], {
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
        });
    } catch (error) {
        const e = error as { stderr?: string; message: string };
        throw new Error(`guest agent ${execute} on ${domain} failed: ${e.stderr?.trim() || e.message}`);
    }
    return (JSON.parse(out) as { return: unknown }).return;
}

/** Waits until the agent answers guest-ping; returns the milliseconds waited. */
export async function waitForAgent(domain: string, timeoutMs: number): Promise<number> {
    const start = Date.now();
    let last = "";
    while (Date.now() - start < timeoutMs) {
        try {
            agentCommand(domain, "guest-ping");
            return Date.now() - start;
        } catch (error) {
            last = (error as Error).message;
        }
        await sleep(1000);
    }
    throw new Error(`the guest agent of ${domain} did not answer within ${timeoutMs / 1000} s (last: ${last})`);
}

export interface ExecResult {
    exitCode: number;
    stdout: string;
    stderr: string;
}

/** Runs a program in the guest (guest-exec, then guest-exec-status until it exits). */
export async function guestExec(
    domain: string,
    path: string,
    args: readonly string[] = [],
    timeoutMs = 60_000,
): Promise<ExecResult> {
    const { pid } = agentCommand(domain, "guest-exec", { path, arg: args, "capture-output": true }) as { pid: number };
    const start = Date.now();
    while (Date.now() - start < timeoutMs) {
        const status = agentCommand(domain, "guest-exec-status", { pid }) as {
            exited: boolean;
            exitcode?: number;
            signal?: number;
            "out-data"?: string;
            "err-data"?: string;
        };
        if (status.exited) {
            return {
                exitCode: status.exitcode ?? 128 + (status.signal ?? 0),
                stdout: Buffer.from(status["out-data"] ?? "", "base64").toString("utf8"),
                stderr: Buffer.from(status["err-data"] ?? "", "base64").toString("utf8"),
            };
        }
        await sleep(500);
    }
    throw new Error(`${path} ${args.join(" ")} did not finish in ${domain} within ${timeoutMs / 1000} s`);
}

/** Reads a whole file in the guest (guest-file-open/read/close). */
export function guestReadFile(domain: string, path: string): string {
    const handle = agentCommand(domain, "guest-file-open", { path, mode: "r" }) as number;
    try {
        const chunks: Buffer[] = [];
        for (;;) {
            const chunk = agentCommand(domain, "guest-file-read", { handle, count: 65536 }) as {
                "buf-b64": string;
                eof: boolean;
            };
            chunks.push(Buffer.from(chunk["buf-b64"], "base64"));
            if (chunk.eof) break;
        }
        return Buffer.concat(chunks).toString("utf8");
    } finally {
        agentCommand(domain, "guest-file-close", { handle });
    }
}
