/**
 * How changes to a CloudInit apply: every change of content is a new seed image, uploaded as a new
 * volume under a new name (the name carries a hash of the image), so the old and the new volume
 * never collide and a Domain whose cdrom points at the seed's path gets the new medium live.
 * A change that leaves the image byte for byte the same (an object written as the same text)
 * changes nothing in libvirt.
 */
import type { ChangePolicyTable } from "../change-policy-format";

const NEW_IMAGE = "a new seed image, uploaded as a new volume (its name carries the image's hash)";

export const cloudInitPolicy: ChangePolicyTable = {
    defaultClass: "replace",
    defaultWhy: NEW_IMAGE,
    rows: [
        { path: "name", class: "replace", why: "the volume name's prefix: a new volume" },
        { path: "pool", class: "replace", why: "the volume lives in another pool" },
        { path: "userData", class: "replace", why: NEW_IMAGE },
        { path: "metaData", class: "replace", why: NEW_IMAGE },
        { path: "networkConfig", class: "replace", why: NEW_IMAGE },
        { path: "vendorData", class: "replace", why: NEW_IMAGE },
    ],
};
