import assert from "node:assert/strict";
import { test } from "node:test";
import { ElementReader } from "../../../provider/xml/element-reader";
import { addExtra, fragment } from "../../../provider/xml/element-writer";
import {
    addElement,
    addTextElement,
    el,
    isElement,
    parsedDocumentCount,
    parseTree,
    serializeTree,
    textOf,
} from "../../../provider/xml/tree";

test("values stay strings as written; entities and character references are decoded; comments are kept", () => {
    const root = parseTree(
        `<?xml version="1.0"?><a n='007' b="yes" t='&lt;&amp;&#10;&#x41;&quot;'>0x10<!-- note --></a>`,
        "a",
    );
    assert.deepEqual(root.attrs, { n: "007", b: "yes", t: '<&\nA"' });
    assert.deepEqual(root.children, [{ text: "0x10" }, { comment: " note " }]);
    assert.equal(textOf(root), "0x10");
});

test("element order and namespaced elements are preserved", () => {
    const root = parseTree(`<r xmlns:x='urn:x'><b/><a/><x:c k='v'>t</x:c><b/></r>`);
    assert.deepEqual(
        root.children.filter(isElement).map((child) => child.name),
        ["b", "a", "x:c", "b"],
    );
    assert.throws(() => parseTree("<pool/>", "network"), /expected a <network> document, found <pool>/);
});

test("every parse is counted", () => {
    const before = parsedDocumentCount();
    parseTree("<a/>");
    ElementReader.ofDocument("<b/>", "b");
    assert.equal(parsedDocumentCount() - before, 2);
});

test("the reader reports exactly what it did not read, trimmed, without comments", () => {
    const reader = new ElementReader(
        parseTree(`<e used='1' unused=' 2 '><a/><b k='v'> <c/> <!-- x --> </b><a/><d> t </d></e>`),
    );
    assert.equal(reader.attr("used"), "1");
    assert.equal(reader.children("a").length, 2);
    assert.deepEqual(reader.extra(), {
        attributes: { unused: "2" },
        elements: [
            { name: "b", attributes: { k: "v" }, children: [{ name: "c" }] },
            { name: "d", children: [{ text: "t" }] },
        ],
    });
    assert.throws(() => ElementReader.ofDocument("<pool/>", "network"), /expected a <network> document/);
    assert.throws(() => reader.requiredAttr("missing"), /lacks its 'missing' attribute/);
});

test("writers escape text and attributes and re-emit extras", () => {
    const root = el("r", { q: `a"b'<c>&`, skipped: undefined });
    addTextElement(root, "t", "x]]>y<z>&");
    addTextElement(root, "none", undefined);
    addExtra(addElement(root, "e"), {
        attributes: { k: "v" },
        elements: [{ name: "o", children: [{ text: "1 < 2" }] }],
    });
    const xml = serializeTree(root);
    assert.equal(
        xml,
        '<r q="a&quot;b\'&lt;c&gt;&amp;">\n  <t>x]]&gt;y&lt;z&gt;&amp;</t>\n  <e k="v">\n    <o>1 &lt; 2</o>\n  </e>\n</r>',
    );
    const back = parseTree(xml, "r");
    assert.equal(back.attrs.q, `a"b'<c>&`);
});

test("a fragment is its record written onto a new element", () => {
    assert.equal(
        fragment("host", { ip: "10.0.0.2" }, (node, record, path, writer) =>
            writer.attr(node, "ip", record.ip, [...path, "ip"]),
        ),
        '<host ip="10.0.0.2"/>',
    );
});
