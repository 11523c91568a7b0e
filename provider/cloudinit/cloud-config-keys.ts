/**
 * The top-level keys a `#cloud-config` may hold: the `properties` of cloud-init's own cloud-config
 * schema (schema-cloud-config-v1.json, which lists every key its modules, its base config and
 * its reporting/output config read). Used to catch a misspelt key, which cloud-init itself only
 * logs as a schema warning in the guest while silently doing nothing.
 *
 * cloud-init adds keys from release to release, so an unknown key is a WARNING here, not an
 * error: a guest with a newer cloud-init may know a key this table does not.
 */
export const CLOUD_CONFIG_KEYS: ReadonlySet<string> = new Set([
    "allow_public_ssh_keys",
    "ansible",
    "apk_repos",
    "apt",
    "apt_pipelining",
    "apt_reboot_if_required",
    "apt_update",
    "apt_upgrade",
    "authkey_hash",
    "autoinstall",
    "bootcmd",
    "byobu_by_default",
    "ca-certs",
    "ca_certs",
    "chef",
    "chpasswd",
    "cloud_config_modules",
    "cloud_final_modules",
    "cloud_init_modules",
    "create_hostname_file",
    "device_aliases",
    "disable_ec2_metadata",
    "disable_piwiz",
    "disable_root",
    "disable_root_opts",
    "disk_setup",
    "drivers",
    "enable_rpi_connect",
    "fan",
    "final_message",
    "fqdn",
    "fs_setup",
    "groups",
    "growpart",
    "grub-dpkg",
    "grub_dpkg",
    "hostname",
    "keyboard",
    "landscape",
    "launch-index",
    "locale",
    "locale_configfile",
    "lxd",
    "manage_etc_hosts",
    "manage_resolv_conf",
    "mcollective",
    "merge_how",
    "merge_type",
    "migrate",
    "mount_default_fields",
    "mounts",
    "no_ssh_fingerprints",
    "ntp",
    "output",
    "package_reboot_if_required",
    "package_update",
    "package_upgrade",
    "packages",
    "password",
    "phone_home",
    "power_state",
    "prefer_fqdn_over_hostname",
    "preserve_hostname",
    "puppet",
    "random_seed",
    "reporting",
    "resize_rootfs",
    "resolv_conf",
    "rh_subscription",
    "rpi_interfaces",
    "rpi_userconf",
    "rsyslog",
    "runcmd",
    "salt_minion",
    "snap",
    "spacewalk",
    "ssh",
    "ssh_authorized_keys",
    "ssh_deletekeys",
    "ssh_fp_console_blacklist",
    "ssh_genkeytypes",
    "ssh_import_id",
    "ssh_key_console_blacklist",
    "ssh_keys",
    "ssh_publish_hostkeys",
    "ssh_pwauth",
    "ssh_quiet_keygen",
    "swap",
    "system_info",
    "timezone",
    "ubuntu_advantage",
    "ubuntu_pro",
    "updates",
    "user",
    "users",
    "vendor_data",
    "version",
    "wireguard",
    "write_files",
    "yum_repo_dir",
    "yum_repos",
    "zypper",
]);

/** The known key closest to `key` (at most two edits away), to suggest in a warning. */
export function closestCloudConfigKey(key: string): string | undefined {
    let best: string | undefined;
    let bestDistance = 3;
    for (const known of CLOUD_CONFIG_KEYS) {
        const d = editDistance(key.toLowerCase(), known);
        if (d < bestDistance) {
            best = known;
            bestDistance = d;
        }
    }
    return best;
}

function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
            current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
        }
        previous = current;
    }
    return previous[b.length]!;
}
