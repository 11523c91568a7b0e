/**
 * The net-update fragments of libvirt's corpus that libvirtd 9.0 applied: each parses with the
 * fragment reader of its section and writes back to the same model. Sections this provider does
 * not manage (forward-interface, portgroup) are skipped with the reason.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { dhcpHostFromXml, dhcpHostToXml } from "../../../provider/xml/dhcp-host";
import { dnsHostFromXml, dnsHostToXml } from "../../../provider/xml/dns-host";
import {
    dhcpRangeFromXml,
    dhcpRangeToXml,
    dnsSrvFromXml,
    dnsSrvToXml,
    dnsTxtFromXml,
    dnsTxtToXml,
} from "../../../provider/xml/network-records";
import { acceptedCorpusPaths, netUpdateCases, readCorpusFile } from "../../helpers/shared-paths";

type FragmentCodec = { read: (xml: string) => unknown; write: (model: never) => string };

const codecs: Record<string, FragmentCodec> = {
    "ip-dhcp-host": { read: dhcpHostFromXml, write: dhcpHostToXml as (model: never) => string },
    "ip-dhcp-range": { read: dhcpRangeFromXml, write: dhcpRangeToXml as (model: never) => string },
    "dns-host": { read: dnsHostFromXml, write: dnsHostToXml as (model: never) => string },
    "dns-txt": { read: dnsTxtFromXml, write: dnsTxtToXml as (model: never) => string },
    "dns-srv": { read: dnsSrvFromXml, write: dnsSrvToXml as (model: never) => string },
};

const notManaged: Record<string, string> = {
    "forward-interface": "forward interfaces are kept opaque in the network's forward extra, not updated live",
    portgroup: "portgroups are kept opaque in the network's extra, not updated live",
};

test("corpus net-update fragments parse with the reader of their section", async (t) => {
    const fragments = acceptedCorpusPaths().filter((path) => path.includes("/networkxml2xmlupdatein/"));
    const cases = netUpdateCases();
    assert.ok(fragments.length > 0, "no fragments found");
    let parsed = 0;
    let skipped = 0;
    for (const path of fragments) {
        const sections = [...new Set(cases.filter((row) => row.snippet === path).map((row) => row.section!))];
        assert.ok(sections.length > 0, `${path} has no case in net-update-cases.tsv`);
        for (const section of sections) {
            await t.test(`${path} as ${section}`, (sub) => {
                const codec = codecs[section];
                if (codec === undefined) {
                    assert.ok(notManaged[section], `no reader and no reason for section ${section}`);
                    skipped++;
                    sub.skip(notManaged[section]);
                    return;
                }
                const model = codec.read(readCorpusFile(path));
                assert.deepEqual(codec.read(codec.write(model as never)), model);
                parsed++;
            });
        }
    }
    t.diagnostic(
        `fragments: ${fragments.length} files, ${parsed} parsed and round-tripped, ${skipped} skipped (section not managed)`,
    );
});
