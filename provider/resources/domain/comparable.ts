/**
 * The part of a model that is compared with libvirt's definition. Power state and autostart are
 * API settings, not XML. And libvirt drops `<vcpu current>` when it equals the maximum, which the
 * model's reader reports as unset: both spellings mean the same, so both compare as unset.
 */
import type { Domain } from "../../model/domain";

export function comparable(model: Domain): Domain {
    const { running: _running, autostart: _autostart, ...rest } = model;
    const vcpu = { ...rest.vcpu };
    if (vcpu.current === vcpu.maximum) delete vcpu.current;
    return { ...rest, vcpu } as Domain;
}
