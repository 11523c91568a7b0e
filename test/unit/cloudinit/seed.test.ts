import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "yaml";
import { buildNoCloudSeed, seedDocuments } from "../../../provider/cloudinit/seed";
import { imageFile, runTool, runXorriso } from "./iso-tools";

test("an object userData is written as #cloud-config YAML that a YAML 1.1 reader (PyYAML) reads back as the same data", () => {
    const userData = {
        hostname: "seed-test",
        // Strings a bare YAML 1.2 writer would leave unquoted, and PyYAML would turn into
        // booleans, octal or float numbers.
        write_files: [{ path: "/etc/x", permissions: "0644", content: "line 1\nline 2\n", defer: false }],
        words: ["yes", "no", "on", "off", "y", "n", "1e3", "0x1F", "~", "null", "2001-01-01"],
        runcmd: [["sh", "-c", "echo 'quoted' \"double\" # not a comment"]],
        empty: {},
    };
    const { documents } = seedDocuments({ userData });
    const text = documents["user-data"]!;
    assert.ok(text.startsWith("#cloud-config\n"), text);
    assert.deepEqual(parse(text, { version: "1.1" }), userData);
    for (const word of ["yes", "no", "on", "off", "y", "n", "0644"]) {
        assert.match(text, new RegExp(`"${word}"`), `${word} is quoted`);
    }
});

test("a string userData, network-config and vendor-data are written unchanged; meta-data carries instance-id first", () => {
    const userData = "#!/bin/sh\necho hi\n";
    const { documents, instanceId } = seedDocuments({
        userData,
        metaData: { "local-hostname": "host-a", "availability-zone": "lab" },
        networkConfig: "version: 2\nethernets: {}\n",
        vendorData: { runcmd: ["true"] },
    });
    assert.equal(documents["user-data"], userData);
    assert.equal(documents["network-config"], "version: 2\nethernets: {}\n");
    assert.equal(documents["vendor-data"], '#cloud-config\nruncmd:\n  - "true"\n');
    assert.equal(
        documents["meta-data"],
        `instance-id: ${instanceId}\nlocal-hostname: host-a\navailability-zone: lab\n`,
    );
    assert.deepEqual(Object.keys(documents).sort(), ["meta-data", "network-config", "user-data", "vendor-data"]);
});

test("instance-id defaults to a hash of the content: stable for the same content, new for any change; a given one is kept", () => {
    const base = { userData: { runcmd: ["true"] }, metaData: { "local-hostname": "h" } };
    const id = seedDocuments(base).instanceId;
    assert.match(id, /^iid-[0-9a-f]{16}$/);
    assert.equal(seedDocuments({ userData: { runcmd: ["true"] }, metaData: { "local-hostname": "h" } }).instanceId, id);
    const changes = [
        { ...base, userData: { runcmd: ["false"] } },
        { ...base, metaData: { "local-hostname": "g" } },
        { ...base, networkConfig: { version: 2 } },
        { ...base, vendorData: "" },
    ];
    for (const changed of changes) assert.notEqual(seedDocuments(changed).instanceId, id, JSON.stringify(changed));
    assert.equal(seedDocuments({ ...base, metaData: { "instance-id": "lab-1" } }).instanceId, "lab-1");
});

test("buildNoCloudSeed: the image holds the documents under their names, is labelled cidata, and its sha256 is reported", () => {
    const seed = buildNoCloudSeed({ userData: { hostname: "seed-b" }, metaData: { "local-hostname": "seed-b" } });
    assert.equal(seed.sha256, createHash("sha256").update(seed.image).digest("hex"));
    assert.equal(
        buildNoCloudSeed({ userData: { hostname: "seed-b" }, metaData: { "local-hostname": "seed-b" } }).sha256,
        seed.sha256,
    );
    const file = imageFile(seed.image);
    try {
        assert.match(runTool("blkid", ["-p", "-o", "export", file.path]), /^LABEL=cidata$/m);
        const out = join(file.dir, "out");
        runXorriso(["-indev", file.path, "-osirrox", "on", "-extract", "/", out]);
        assert.equal(readFileSync(join(out, "user-data"), "utf8"), seed.documents["user-data"]);
        assert.equal(
            readFileSync(join(out, "meta-data"), "utf8"),
            `instance-id: ${seed.instanceId}\nlocal-hostname: seed-b\n`,
        );
    } finally {
        file.cleanup();
    }
});
