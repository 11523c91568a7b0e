#!/usr/bin/env node
/**
 * `npx pulumi-libvirt export [--uri URI] [--name PATTERN] [--out FILE]`: prints a TypeScript
 * Pulumi program that declares the domains, networks (their DHCP and DNS hosts as resources of
 * their own), pools and volumes of a libvirt host with `adopt: true`: the `virsh dumpxml` /
 * `virsh define` move as code.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { defaultPool } from "../rpc";
import { renderProgram } from "./program";
import { readHost } from "./read-host";

const USAGE = `usage: pulumi-libvirt export [--uri URI] [--name PATTERN] [--out FILE]

  --uri URI       the libvirt host (default: LIBVIRT_DEFAULT_URI, then qemu:///system)
  --name PATTERN  only objects whose name matches; * matches anything (e.g. 'lab-*')
  --out FILE      write the program there instead of printing it`;

export async function main(argv: string[]): Promise<number> {
    let parsed: ReturnType<typeof parse>;
    try {
        parsed = parse(argv);
    } catch (e) {
        console.error(`${(e as Error).message}\n${USAGE}`);
        return 2;
    }
    if (parsed.help) {
        console.log(USAGE);
        return 0;
    }
    const host = await readHost(parsed.uri, parsed.name);
    const program = renderProgram(host, parsed.uri ?? "the default libvirt host");
    if (parsed.out) writeFileSync(parsed.out, program);
    else process.stdout.write(program);
    return 0;
}

function parse(argv: string[]) {
    const { values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
            uri: { type: "string" },
            name: { type: "string" },
            out: { type: "string" },
            help: { type: "boolean", short: "h" },
        },
    });
    if (values.help) return { help: true as const };
    if (positionals[0] !== "export")
        throw new Error(positionals[0] ? `unknown command ${positionals[0]}` : "no command given");
    if (positionals.length > 1) throw new Error(`unexpected argument ${positionals[1]}`);
    return { help: false as const, uri: values.uri, name: values.name, out: values.out };
}

if (require.main === module) {
    main(process.argv.slice(2))
        .then(async (code) => {
            await defaultPool.closeAll();
            process.exit(code);
        })
        .catch((e) => {
            console.error(`pulumi-libvirt export: ${(e as Error).message}`);
            process.exit(1);
        });
}
