"""The C-client side of `npm run bench:stack`: the libvirt calls of a stack, no more, through
libvirt's own Python binding (libvirt's C client). Reads a plan (JSON) that bench/stack.ts
writes, so both sides create exactly the same objects from the same XML.

usage: stack_c_client.py create|delete PLAN.json   -> prints elapsed seconds
"""

import json
import sys
import time

import libvirt


def create(conn: libvirt.virConnect, plan: dict) -> None:
    pool = conn.storagePoolDefineXML(plan["pool"], 0)
    pool.build(0)
    pool.create(0)
    net = conn.networkDefineXML(plan["network"])
    net.create()
    for item in plan["items"]:
        pool.createXML(item["volume"], 0)
        conn.defineXML(item["domain"])
        if item.get("host"):
            net.update(
                libvirt.VIR_NETWORK_UPDATE_COMMAND_ADD_LAST,
                libvirt.VIR_NETWORK_SECTION_IP_DHCP_HOST,
                -1,
                item["host"],
                libvirt.VIR_NETWORK_UPDATE_AFFECT_LIVE | libvirt.VIR_NETWORK_UPDATE_AFFECT_CONFIG,
            )


def delete(conn: libvirt.virConnect, plan: dict) -> None:
    pool = conn.storagePoolLookupByName(plan["poolName"])
    net = conn.networkLookupByName(plan["networkName"])
    for item in plan["items"]:
        conn.lookupByName(item["domainName"]).undefine()
        pool.storageVolLookupByName(item["volumeName"]).delete(0)
        if item.get("host"):
            net.update(
                libvirt.VIR_NETWORK_UPDATE_COMMAND_DELETE,
                libvirt.VIR_NETWORK_SECTION_IP_DHCP_HOST,
                -1,
                item["host"],
                libvirt.VIR_NETWORK_UPDATE_AFFECT_LIVE | libvirt.VIR_NETWORK_UPDATE_AFFECT_CONFIG,
            )
    net.destroy()
    net.undefine()
    pool.destroy()
    pool.undefine()


def main() -> None:
    operation, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        plan = json.load(f)
    conn = libvirt.open(plan["uri"])
    started = time.perf_counter()
    (create if operation == "create" else delete)(conn, plan)
    print(f"{time.perf_counter() - started:.6f}")
    conn.close()


if __name__ == "__main__":
    main()
