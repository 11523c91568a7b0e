/**
 * cloud-init NoCloud seeds in pure TypeScript: the documents, their checks, and the ISO 9660
 * image that carries them (no genisoimage/mkisofs needed on the machine running Pulumi).
 */
export { CLOUD_CONFIG_KEYS, closestCloudConfigKey } from "./cloud-config-keys";
export {
    CLOUD_CONFIG_HEADER,
    cloudConfigDocument,
    type PlainData,
    type PlainObject,
    toYaml,
    yamlDocument,
} from "./documents";
export { checkHostname, checkSshPublicKey } from "./identity-checks";
export { IMAGE_DATE, type IsoFile, type IsoImage, IsoInputError, writeIsoImage } from "./iso9660";
export {
    buildNoCloudSeed,
    contentInstanceId,
    type MetaDataInput,
    type NoCloudSeed,
    type NoCloudSeedInput,
    SEED_VOLUME_LABEL,
    seedDocuments,
} from "./seed";
export {
    checkNoCloudSeed,
    describeProblems,
    type SeedCheckOptions,
    type SeedProblem,
    seedErrors,
} from "./seed-checks";
