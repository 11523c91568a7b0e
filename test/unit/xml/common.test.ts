import assert from "node:assert/strict";
import { test } from "node:test";
import {
    addElement,
    addExtra,
    addTextElement,
    createObjectParser,
    ElementReader,
    isXmlElement,
    newDocument,
    parseXmlElement,
    serialize,
    type XmlElement,
} from "../../../provider/xml/common";
import { networkRepeatedPaths } from "../../../provider/xml/network";
import { storagePoolRepeatedPaths } from "../../../provider/xml/storage-pool";
import { volumeRepeatedPaths } from "../../../provider/xml/volume";
import { acceptedCorpusPaths, readCorpusFile } from "../../helpers/shared-paths";

test("values stay strings as written; entities and character references are decoded", () => {
    const root = parseXmlElement(
        `<?xml version="1.0"?><a n='007' b="yes" t='&lt;&amp;&#10;&#x41;&quot;'>0x10<!-- note --></a>`,
    );
    assert.deepEqual(root.attributes, { n: "007", b: "yes", t: '<&\nA"' });
    assert.deepEqual(root.children, [{ text: "0x10" }]);
});

test("element order and namespaced elements are preserved", () => {
    const root = parseXmlElement(`<r xmlns:x='urn:x'><b/><a/><x:c k='v'>t</x:c><b/></r>`);
    assert.deepEqual(
        root.children.filter(isXmlElement).map((child) => child.name),
        ["b", "a", "x:c", "b"],
    );
});

test("the reader reports exactly what it did not read", () => {
    const reader = new ElementReader(parseXmlElement(`<e used='1' unused='2'><a/><b k='v'><c/></b><a/></e>`));
    assert.equal(reader.attr("used"), "1");
    assert.equal(reader.children("a").length, 2);
    assert.deepEqual(reader.extra(), {
        attributes: { unused: "2" },
        elements: [{ name: "b", attributes: { k: "v" }, children: [{ name: "c" }] }],
    });
    assert.throws(() => ElementReader.ofDocument("<pool/>", "network"), /expected a <network> document/);
    assert.throws(() => reader.requiredAttr("missing"), /lacks its 'missing' attribute/);
});

test("writers escape text and attributes and re-emit extras", () => {
    const root = newDocument("r", { q: `a"b'<c>&`, skipped: undefined });
    addTextElement(root, "t", "x]]>y<z>&");
    addTextElement(root, "none", undefined);
    addExtra(addElement(root, "e"), {
        attributes: { k: "v" },
        elements: [{ name: "o", children: [{ text: "1 < 2" }] }],
    });
    const xml = serialize(root);
    assert.equal(
        xml,
        '<r q="a&quot;b\'&lt;c&gt;&amp;">\n  <t>x]]&gt;y&lt;z&gt;&amp;</t>\n  <e k="v">\n    <o>1 &lt; 2</o>\n  </e>\n</r>',
    );
    const back = parseXmlElement(xml);
    assert.equal(back.attributes.q, `a"b'<c>&`);
});

/** Paths of elements that occur more than once under one parent, as dotted paths from the root. */
function repeatedPaths(element: XmlElement, path: string, found: Set<string>): Set<string> {
    const counts = new Map<string, number>();
    for (const child of element.children.filter(isXmlElement)) {
        counts.set(child.name, (counts.get(child.name) ?? 0) + 1);
        repeatedPaths(child, `${path}.${child.name}`, found);
    }
    for (const [name, count] of counts) if (count > 1) found.add(`${path}.${name}`);
    return found;
}

test("the repeated-element lists cover every element the corpus repeats", () => {
    const lists: [RegExp, readonly string[]][] = [
        [/\/networkxml2xml(in|out|updateout)\//, networkRepeatedPaths],
        [/\/storagepoolxml2xml/, storagePoolRepeatedPaths],
        [/\/storagevolxml2xml/, volumeRepeatedPaths],
    ];
    for (const [folders, list] of lists) {
        const found = new Set<string>();
        for (const path of acceptedCorpusPaths().filter((p) => folders.test(p))) {
            const root = parseXmlElement(readCorpusFile(path));
            repeatedPaths(root, root.name, found);
        }
        for (const path of found) assert.ok(list.includes(path), `${path} repeats in the corpus but is not listed`);
    }
});

test("the object parser makes listed elements arrays even when they occur once", () => {
    const parsed = createObjectParser(networkRepeatedPaths).parse(
        `<network><name>n</name><ip address='10.0.0.1' prefix='8'><dhcp><host mac='52:54:00:00:00:01' ip='10.0.0.2'/></dhcp></ip></network>`,
    );
    assert.equal(parsed.network.name, "n");
    assert.ok(Array.isArray(parsed.network.ip));
    assert.equal(parsed.network.ip[0]["@_prefix"], "8");
    assert.ok(Array.isArray(parsed.network.ip[0].dhcp.host));
    assert.equal(Array.isArray(parsed.network.ip[0].dhcp), false);
});
