import assert from "node:assert/strict";
import { test } from "node:test";
import { resolveUnixSocket } from "../../../provider/rpc/transports/unix";
import { tlsFilePaths } from "../../../provider/rpc/transports/tls-files";
import {
    LibvirtUriError,
    type LibvirtUri,
    parseLibvirtUri,
    type SshSettings,
    type TlsSettings,
    type UnixSettings,
} from "../../../provider/rpc/uri";

/** A fixed environment so results do not depend on the machine running the tests. */
const ENV: NodeJS.ProcessEnv = { HOME: "/home/alice", XDG_RUNTIME_DIR: "/run/user/1000" };

function parse(uri: string | undefined, env: NodeJS.ProcessEnv = ENV): LibvirtUri {
    return parseLibvirtUri(uri, env);
}

interface Row {
    readonly uri: string;
    readonly transport: LibvirtUri["transport"];
    readonly driver: string;
    readonly driverUri: string;
    readonly user?: string;
    readonly host?: string;
    readonly port?: number;
    readonly path?: string;
    /** Expected subset of the transport settings. */
    readonly settings?: Record<string, unknown>;
}

const TABLE: readonly Row[] = [
    {
        uri: "qemu:///system",
        transport: "unix",
        driver: "qemu",
        driverUri: "qemu:///system",
        path: "/system",
        settings: {
            legacySocket: "/var/run/libvirt/libvirt-sock",
            directSocket: "/var/run/libvirt/virtqemud-sock",
            mode: "auto",
            session: false,
        },
    },
    {
        uri: "qemu:///session",
        transport: "unix",
        driver: "qemu",
        driverUri: "qemu:///session",
        settings: {
            legacySocket: "/run/user/1000/libvirt/libvirt-sock",
            directSocket: "/run/user/1000/libvirt/virtqemud-sock",
            session: true,
        },
    },
    {
        uri: "qemu+unix:///system?socket=/opt/libvirt/run/libvirt/libvirt-sock",
        transport: "unix",
        driver: "qemu",
        driverUri: "qemu:///system",
        settings: { explicitSocket: "/opt/libvirt/run/libvirt/libvirt-sock" },
    },
    {
        uri: "qemu:///system?mode=legacy",
        transport: "unix",
        driver: "qemu",
        driverUri: "qemu:///system",
        settings: { mode: "legacy" },
    },
    {
        uri: "qemu+tcp://host:16509/system",
        transport: "tcp",
        driver: "qemu",
        driverUri: "qemu:///system",
        host: "host",
        port: 16509,
        settings: { host: "host", port: 16509 },
    },
    {
        uri: "test+tcp://localhost:5000/default",
        transport: "tcp",
        driver: "test",
        driverUri: "test:///default",
        host: "localhost",
        port: 5000,
        settings: { host: "localhost", port: 5000 },
    },
    {
        uri: "qemu+tcp:///system",
        transport: "tcp",
        driver: "qemu",
        driverUri: "qemu:///system",
        settings: { host: "localhost", port: 16509 },
    },
    {
        uri: "qemu+tls://host/system?pkipath=/tmp/pki/client&no_verify=1",
        transport: "tls",
        driver: "qemu",
        driverUri: "qemu:///system",
        host: "host",
        settings: { host: "host", port: 16514, pkiPath: "/tmp/pki/client", noVerify: true },
    },
    {
        // A host without +transport means TLS (libvirt's rule).
        uri: "xen://towada/system",
        transport: "tls",
        driver: "xen",
        driverUri: "xen:///system",
        host: "towada",
        settings: { host: "towada", port: 16514, noVerify: false },
    },
    {
        uri: "qemu+ssh://user@host:2222/system?keyfile=/k/id&known_hosts=/k/kh&no_tty=1",
        transport: "ssh",
        driver: "qemu",
        driverUri: "qemu:///system",
        user: "user",
        host: "host",
        port: 2222,
        settings: {
            host: "host",
            port: 2222,
            user: "user",
            keyfile: "/k/id",
            knownHosts: "/k/kh",
            noTty: true,
            noVerify: false,
            proxy: "auto",
            command: "ssh",
            netcat: "nc",
            remoteSocket: "/var/run/libvirt/libvirt-sock",
        },
    },
    {
        uri: "qemu+ssh://host/system?socket=/x&netcat=nc",
        transport: "ssh",
        driver: "qemu",
        driverUri: "qemu:///system",
        host: "host",
        settings: { proxy: "netcat", remoteSocket: "/x", netcat: "nc", netcatGiven: true, port: undefined },
    },
    {
        uri: "qemu+ssh://someuser@somehost:2222/system?command=/opt/ssh&mode=legacy&foo=bar",
        transport: "ssh",
        driver: "qemu",
        driverUri: "qemu:///system?foo=bar",
        user: "someuser",
        settings: { command: "/opt/ssh" },
    },
    {
        uri: "qemu+ssh://root@host/system?mode=direct&proxy=native",
        transport: "ssh",
        driver: "qemu",
        driverUri: "qemu:///system",
        settings: { proxy: "native", remoteSocket: "/var/run/libvirt/virtqemud-sock" },
    },
    {
        uri: "qemu+libssh2://user@host/system?known_hosts=/home/user/.ssh/known_hosts",
        transport: "ssh",
        driver: "qemu",
        driverUri: "qemu:///system",
        settings: { knownHosts: "/home/user/.ssh/known_hosts" },
    },
    {
        uri: "qemu+libssh://user@host/system?known_hosts_verify=ignore",
        transport: "ssh",
        driver: "qemu",
        driverUri: "qemu:///system",
        settings: { noVerify: true },
    },
    {
        uri: "qemu+ext:///system?command=/bin/foo",
        transport: "ext",
        driver: "qemu",
        driverUri: "qemu:///system",
        settings: { command: "/bin/foo" },
    },
    {
        uri: "test:///default",
        transport: "unix",
        driver: "test",
        driverUri: "test:///default",
        path: "/default",
        settings: { directSocket: "/var/run/libvirt/virttestd-sock" },
    },
    {
        uri: "test:///path/to/host/definitions",
        transport: "unix",
        driver: "test",
        driverUri: "test:///path/to/host/definitions",
    },
    {
        uri: "remote:///system",
        transport: "unix",
        driver: "remote",
        driverUri: "",
        settings: { directSocket: undefined, legacySocket: "/var/run/libvirt/libvirt-sock" },
    },
    {
        uri: "remote+ssh://root@host/",
        transport: "ssh",
        driver: "remote",
        driverUri: "",
    },
    {
        uri: "qemu+ssh://root@host/system?name=qemu:///embed",
        transport: "ssh",
        driver: "qemu",
        driverUri: "qemu:///embed",
    },
    {
        uri: "qemu+ssh://host?name=qemu%3A%2F%2F%2Fsystem",
        transport: "ssh",
        driver: "qemu",
        driverUri: "qemu:///system",
        path: "",
    },
    {
        uri: "qemu+tcp://[::1]:16509/system",
        transport: "tcp",
        driver: "qemu",
        driverUri: "qemu:///system",
        host: "::1",
        port: 16509,
        settings: { host: "::1" },
    },
    {
        uri: "qemu+ssh://root@[2001:db8::7]/system",
        transport: "ssh",
        driver: "qemu",
        driverUri: "qemu:///system",
        host: "2001:db8::7",
        user: "root",
        settings: { host: "2001:db8::7", port: undefined },
    },
    {
        uri: "qemu://[fe80::1%25eth0]/system",
        transport: "tls",
        driver: "qemu",
        driverUri: "qemu:///system",
        host: "fe80::1%eth0",
    },
    {
        // Percent-encoding in user, path and parameters; kept parameters are re-encoded.
        uri: "test+ssh://j%40doe@host/tmp/my%20host.xml?keyfile=/k/my%20key&x=a%26b+c",
        transport: "ssh",
        driver: "test",
        driverUri: "test:///tmp/my%20host.xml?x=a%26b%20c",
        user: "j@doe",
        path: "/tmp/my host.xml",
        settings: { keyfile: "/k/my key" },
    },
    {
        // Scheme case does not matter; the driver URI keeps only non-transport parameters.
        uri: "QEMU+TCP://h/system?no_verify=0&auth=sasl&tls_priority=NORMAL&a=1;b=2",
        transport: "tcp",
        driver: "qemu",
        driverUri: "qemu:///system?a=1&b=2",
    },
];

for (const row of TABLE) {
    test(`parses ${row.uri}`, () => {
        const parsed = parse(row.uri);
        assert.equal(parsed.original, row.uri);
        assert.equal(parsed.transport, row.transport);
        assert.equal(parsed.settings.kind, row.transport);
        assert.equal(parsed.driver, row.driver);
        assert.equal(parsed.driverUri, row.driverUri);
        if ("user" in row) assert.equal(parsed.user, row.user);
        if ("host" in row) assert.equal(parsed.host, row.host);
        if ("port" in row) assert.equal(parsed.port, row.port);
        if ("path" in row) assert.equal(parsed.path, row.path);
        for (const [key, value] of Object.entries(row.settings ?? {})) {
            assert.deepEqual((parsed.settings as unknown as Record<string, unknown>)[key], value, `settings.${key}`);
        }
    });
}

test("keeps every query parameter, decoded, last value winning", () => {
    const parsed = parse("qemu+ssh://h/system?keyfile=/a&keyfile=/b&flag&x=1%202");
    assert.deepEqual(parsed.params, { keyfile: "/b", flag: "", x: "1 2" });
    assert.equal((parsed.settings as SshSettings).keyfile, "/b");
});

test("libssh and libssh2 are served by the system ssh, with a note", () => {
    for (const scheme of ["libssh", "libssh2"]) {
        const parsed = parse(`qemu+${scheme}://h/system?sshauth=agent`);
        assert.equal(parsed.transport, "ssh");
        assert.equal(parsed.transportAsWritten, scheme);
        assert.match(parsed.notes.join("\n"), /system ssh/);
        assert.match(parsed.notes.join("\n"), /sshauth is ignored/);
    }
});

test("default URI: argument, then LIBVIRT_DEFAULT_URI, then qemu:///system", () => {
    const env = { ...ENV, LIBVIRT_DEFAULT_URI: "test+tcp://example.org/default" };
    assert.equal(parse(undefined, env).original, "test+tcp://example.org/default");
    assert.equal(parse("", env).original, "test+tcp://example.org/default");
    assert.equal(parse("qemu:///session", env).original, "qemu:///session");
    assert.equal(parse(undefined, ENV).original, "qemu:///system");
    assert.equal(parse(undefined, { ...ENV, LIBVIRT_DEFAULT_URI: "" }).original, "qemu:///system");
});

test("the default argument for env is process.env", () => {
    const saved = process.env.LIBVIRT_DEFAULT_URI;
    process.env.LIBVIRT_DEFAULT_URI = "test:///default";
    try {
        assert.equal(parseLibvirtUri().driverUri, "test:///default");
    } finally {
        if (saved === undefined) delete process.env.LIBVIRT_DEFAULT_URI;
        else process.env.LIBVIRT_DEFAULT_URI = saved;
    }
});

test("session sockets fall back to ~/.cache/libvirt without XDG_RUNTIME_DIR", () => {
    const parsed = parse("qemu:///session", { HOME: "/home/bob" });
    assert.equal((parsed.settings as UnixSettings).legacySocket, "/home/bob/.cache/libvirt/libvirt-sock");
});

test("ssh socket and netcat parameters switch to netcat mode; proxy=native with netcat is refused", () => {
    assert.equal((parse("qemu+ssh://h/system?netcat=/opt/nc").settings as SshSettings).proxy, "netcat");
    assert.equal((parse("qemu+ssh://h/system?proxy=netcat").settings as SshSettings).proxy, "netcat");
    assert.equal((parse("qemu+ssh://h/system?socket=/s&proxy=native").settings as SshSettings).proxy, "native");
    assertRejected("qemu+ssh://h/system?proxy=native&netcat=nc", /netcat= cannot be used with proxy=native/);
});

/** Bad URIs: each message names the URI, what is wrong, and a fix. */
const BAD: ReadonlyArray<readonly [string, RegExp]> = [
    ["qemu", /aliases .* not supported/],
    ["hail", /aliases .* not supported/],
    ["/var/run/libvirt/libvirt-sock", /not of the form/],
    ["qemu:/system", /not of the form.*qemu:\/\/\/system/],
    ["qemu+foo://h/system", /unknown transport 'foo'.*unix, tcp, tls, ssh, libssh, libssh2, ext/],
    ["qemu+tcp://h:99999/system", /port '99999'/],
    ["qemu+tcp://h:abc/system", /port 'abc'/],
    ["qemu+tcp://[::1/system", /no closing '\]'/],
    ["qemu+tcp://::1/system", /several ':'.*brackets/],
    ["qemu+ext:///system", /needs a command.*\?command=/],
    ["qemu+unix://host/system", /only this machine.*qemu\+ssh:\/\/host\/system/],
    ["qemu+ssh://h/system?no_tty=yes", /no_tty='yes' is not a number.*no_tty=1/],
    ["qemu+tls://h/system?no_verify=true", /no_verify='true'/],
    ["qemu:///system?mode=fast", /mode='fast'.*auto, legacy, direct/],
    ["qemu+ssh://h/system?proxy=socks", /proxy='socks'.*auto, netcat, native/],
    ["qemu+ssh://h/system?known_hosts_verify=maybe", /known_hosts_verify='maybe'/],
    ["qemu+ssh://root@host", /needs a path.*qemu\+ssh:\/\/root@host\/system/],
    ["qemu:///", /needs a path/],
    ["qemu:///system?x=%zz", /malformed %-escape/],
    ["+ssh://h/system", /not of the form|names no driver/],
];

function assertRejected(uri: string, pattern: RegExp): void {
    assert.throws(
        () => parse(uri),
        (error: unknown) => {
            assert.ok(error instanceof LibvirtUriError, `expected LibvirtUriError for ${uri}`);
            assert.equal(error.uri, uri);
            assert.ok(error.message.includes(`'${uri}'`), `message names the URI: ${error.message}`);
            assert.match(error.message, pattern);
            return true;
        },
    );
}

for (const [uri, pattern] of BAD) {
    test(`rejects ${uri}`, () => assertRejected(uri, pattern));
}

test("unix socket choice follows mode and the sockets present", () => {
    const settings = parse("qemu:///system").settings as UnixSettings;
    const none = () => false;
    const all = () => true;
    assert.equal(resolveUnixSocket(settings, false, none), "/var/run/libvirt/libvirt-sock");
    assert.equal(resolveUnixSocket(settings, false, all), "/var/run/libvirt/virtqemud-sock");
    assert.equal(resolveUnixSocket(settings, true, all), "/var/run/libvirt/virtqemud-sock-ro");
    assert.equal(resolveUnixSocket(settings, true, none), "/var/run/libvirt/libvirt-sock-ro");
    const legacy = parse("qemu:///system?mode=legacy").settings as UnixSettings;
    assert.equal(resolveUnixSocket(legacy, false, all), "/var/run/libvirt/libvirt-sock");
    const direct = parse("qemu:///system?mode=direct").settings as UnixSettings;
    assert.equal(resolveUnixSocket(direct, false, none), "/var/run/libvirt/virtqemud-sock");
    const explicit = parse("qemu:///system?socket=/s&mode=direct").settings as UnixSettings;
    assert.equal(resolveUnixSocket(explicit, true, all), "/s");
});

test("TLS credential files follow libvirt's layout", () => {
    const root = { isRoot: true, home: "/root" };
    const user = { isRoot: false, home: "/home/alice" };
    const system = tlsFilePaths(parse("qemu+tls://h/system").settings as TlsSettings, root, () => true);
    assert.deepEqual(system, {
        ca: "/etc/pki/CA/cacert.pem",
        cert: "/etc/pki/libvirt/clientcert.pem",
        key: "/etc/pki/libvirt/private/clientkey.pem",
        crl: "/etc/pki/CA/cacrl.pem",
    });
    const custom = tlsFilePaths(parse("qemu+tls://h/system?pkipath=/p").settings as TlsSettings, root);
    assert.deepEqual(custom, {
        ca: "/p/cacert.pem",
        cert: "/p/clientcert.pem",
        key: "/p/clientkey.pem",
        crl: "/p/cacrl.pem",
    });
    const mine = tlsFilePaths(parse("qemu+tls://h/system").settings as TlsSettings, user, () => true);
    assert.deepEqual(mine, {
        ca: "/home/alice/.pki/libvirt/cacert.pem",
        cert: "/home/alice/.pki/libvirt/clientcert.pem",
        key: "/home/alice/.pki/libvirt/clientkey.pem",
        crl: "/home/alice/.pki/libvirt/cacrl.pem",
    });
    // A user without their own CA file uses the system one, file by file.
    const mixed = tlsFilePaths(
        parse("qemu+tls://h/system").settings as TlsSettings,
        user,
        (p) => !p.endsWith("cacert.pem"),
    );
    assert.equal(mixed.ca, "/etc/pki/CA/cacert.pem");
    assert.equal(mixed.cert, "/home/alice/.pki/libvirt/clientcert.pem");
});
