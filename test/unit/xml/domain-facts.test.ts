/** diskUses: the images each disk of a domain document uses, for the scan of which domains use a volume. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { diskUses } from "../../../provider/xml/domain-facts";

const LIVE_XML = `<domain type='qemu' id='3'><name>vm</name><devices>
<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/images/top.qcow2' index='2'/>
  <backingStore type='file' index='1'><format type='qcow2'/><source file='/images/mid.qcow2'/>
    <backingStore type='volume' index='3'><source pool='p' volume='base'/><backingStore/></backingStore>
  </backingStore>
  <target dev='vda' bus='virtio'/></disk>
<disk type='block' device='disk'><source dev='/dev/sdz'/><target dev='vdb' bus='virtio'/><shareable/></disk>
<disk type='file' device='cdrom'><source file='/images/seed.iso'/><target dev='hdc' bus='ide'/><readonly/></disk>
<disk type='file' device='cdrom'><target dev='hdd' bus='ide'/></disk>
</devices></domain>`;

test("every disk with its top image, its backing chain from the top down, and how it is opened", () => {
    assert.deepEqual(diskUses(LIVE_XML), [
        {
            target: "vda",
            source: { file: "/images/top.qcow2", dev: undefined, pool: undefined, volume: undefined },
            backingSources: [
                { file: "/images/mid.qcow2", dev: undefined, pool: undefined, volume: undefined },
                { file: undefined, dev: undefined, pool: "p", volume: "base" },
                { file: undefined, dev: undefined, pool: undefined, volume: undefined },
            ],
            readOnly: false,
            shareable: false,
        },
        {
            target: "vdb",
            source: { file: undefined, dev: "/dev/sdz", pool: undefined, volume: undefined },
            backingSources: [],
            readOnly: false,
            shareable: true,
        },
        {
            target: "hdc",
            source: { file: "/images/seed.iso", dev: undefined, pool: undefined, volume: undefined },
            backingSources: [],
            readOnly: true,
            shareable: false,
        },
        {
            target: "hdd",
            source: { file: undefined, dev: undefined, pool: undefined, volume: undefined },
            backingSources: [],
            readOnly: false,
            shareable: false,
        },
    ]);
    assert.deepEqual(diskUses("<domain type='kvm'><name>empty</name></domain>"), []);
});
