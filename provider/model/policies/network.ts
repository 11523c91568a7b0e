/** How changes to a Network apply. DHCP hosts, ranges and DNS records go through network update. */
import type { ChangePolicyTable } from "../change-policy-format";

export const networkPolicy: ChangePolicyTable = {
    defaultClass: "restart",
    defaultWhy: "the definition is updated and the network must be restarted to use it",
    rows: [
        { path: "name", class: "replace", why: "libvirt cannot rename a network" },
        { path: "uuid", class: "replace", unsetKeepsCurrent: true, why: "a network's UUID is fixed at creation" },
        {
            path: "bridge.name",
            class: "replace",
            unsetKeepsCurrent: true,
            why: "guests are attached to the bridge by name",
        },
        {
            path: "bridge",
            class: "restart",
            unsetKeepsCurrent: true,
            why: "libvirt names the bridge and fills in STP settings when the model leaves them out",
        },
        { path: "bridge.stp", class: "restart", unsetKeepsCurrent: true, why: "libvirt turns STP on by default" },
        { path: "bridge.delay", class: "restart", unsetKeepsCurrent: true, why: "libvirt fills in a delay of 0" },
        { path: "ipv6", class: "restart", defaultValue: false, why: "libvirt drops ipv6='no', its default" },
        {
            path: "forward.dev",
            class: "restart",
            unsetKeepsCurrent: true,
            why: "libvirt copies the first forward interface here",
        },
        {
            path: "forward.nat",
            class: "restart",
            unsetKeepsCurrent: true,
            why: "libvirt reports its default NAT port range 1024-65535",
        },
        { path: "mac", class: "restart", unsetKeepsCurrent: true, why: "libvirt generates the bridge MAC" },
        {
            path: "autostart",
            class: "live",
            defaultValue: false,
            why: "autostart is a flag set through the API; unset means off, libvirt's default",
        },
        { path: "ips[].dhcp.hosts", class: "live", why: "network update ip-dhcp-host" },
        { path: "ips[].dhcp.ranges", class: "live", why: "network update ip-dhcp-range" },
        { path: "dns.hosts", class: "live", why: "network update dns-host" },
        { path: "dns.srvs", class: "live", why: "network update dns-srv" },
        { path: "dns.txts", class: "live", why: "network update dns-txt" },
        {
            path: "ips[].dhcp.hosts[].extra",
            class: "live",
            unsetKeepsCurrent: true,
            why: "part of the host entry, updated with it",
        },
        {
            path: "ips[].dhcp.ranges[].extra",
            class: "live",
            unsetKeepsCurrent: true,
            why: "part of the range, updated with it",
        },
        {
            path: "dns.hosts[].extra",
            class: "live",
            unsetKeepsCurrent: true,
            why: "part of the record, updated with it",
        },
        {
            path: "**.extra",
            class: "restart",
            unsetKeepsCurrent: true,
            why: "unmodelled settings are kept as libvirt has them",
        },
    ],
};
