import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { configure } from "../../../provider/resources/shared/configure";
import {
    configureRuntime,
    FALLBACK_URI,
    resolveUri,
    runtimeConfiguration,
} from "../../../provider/resources/shared/connection";

afterEach(() => configureRuntime({}));

test("the resource's own uri wins over config and environment", () => {
    configureRuntime({ uri: "qemu+tcp://config/system" });
    assert.equal(resolveUri("qemu:///session", { LIBVIRT_DEFAULT_URI: "test:///default" }), "qemu:///session");
});

test("stack config libvirt:uri comes before LIBVIRT_DEFAULT_URI", () => {
    configureRuntime({ uri: "qemu+tcp://config/system" });
    assert.equal(resolveUri(undefined, { LIBVIRT_DEFAULT_URI: "test:///default" }), "qemu+tcp://config/system");
    assert.equal(resolveUri("", { LIBVIRT_DEFAULT_URI: "test:///default" }), "qemu+tcp://config/system");
});

test("LIBVIRT_DEFAULT_URI, then qemu:///system", () => {
    assert.equal(resolveUri(undefined, { LIBVIRT_DEFAULT_URI: "test:///default" }), "test:///default");
    assert.equal(resolveUri(undefined, {}), FALLBACK_URI);
    assert.equal(FALLBACK_URI, "qemu:///system");
});

test("configure reads the namespaced key from the host's Config object", async () => {
    // The host's Config prefixes keys without ':' with the project; ours is already namespaced.
    const raw: Record<string, string> = { "libvirt:uri": "qemu+ssh://lab/system", "proj:uri": "wrong" };
    await configure({ get: (key: string) => raw[key] });
    assert.equal(runtimeConfiguration().uri, "qemu+ssh://lab/system");
    assert.equal(resolveUri(undefined, {}), "qemu+ssh://lab/system");
});

test("configure accepts a plain map and resets keys that are gone", async () => {
    await configure({ "libvirt:uri": "qemu+tcp://a/system" });
    assert.equal(runtimeConfiguration().uri, "qemu+tcp://a/system");
    await configure({});
    assert.equal(runtimeConfiguration().uri, undefined);
    await configure(undefined);
    assert.equal(resolveUri(undefined, {}), FALLBACK_URI);
});
