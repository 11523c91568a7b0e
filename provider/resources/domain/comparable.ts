/**
 * The part of a model that is compared with libvirt's definition: power state and autostart are
 * API settings, not XML. (libvirt's spellings, such as `<vcpu current>` left out when it equals
 * the maximum, are made canonical by the xml layer's reader.)
 */
import type { Domain } from "../../model/domain";

export function comparable(model: Domain): Domain {
    const { running: _running, autostart: _autostart, ...rest } = model;
    return rest as Domain;
}
