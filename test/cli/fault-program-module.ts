/**
 * The fault suite's stack as a program module, for the engine emulator's command line
 * (faults-emulator.test.ts); the guest's create waits for its lease, so it lasts seconds.
 */
import { faultProgram } from "./fault-program";

export = faultProgram(0, { waitForLease: true });
