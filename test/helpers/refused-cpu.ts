/**
 * A guest CPU libvirt accepts at define time and QEMU's TCG cannot run: the start is refused
 * ("guest CPU doesn't match specification"). What the failed-restart tests declare to make a start fail
 * after a good define.
 */
export const REFUSED_CPU = {
    mode: "custom",
    match: "exact",
    check: "full",
    fallback: "forbid",
    model: "Skylake-Server",
    features: [{ name: "avx512f", policy: "require" }],
} as const;
