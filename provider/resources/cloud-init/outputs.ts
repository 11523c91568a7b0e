/** The CloudInit's outputs: the inputs echoed plus the seed volume's name, path, key and hash. */
import type { Properties } from "../shared/handler";
import { makeOutputs } from "../shared/outputs";
import type { CloudInitComputed } from "./args";

export function outputs(inputs: Properties, computed: CloudInitComputed): Properties {
    return makeOutputs(inputs, computed as unknown as Properties);
}
