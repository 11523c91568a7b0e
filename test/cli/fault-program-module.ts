/** The fault suite's stack as a program module, for the engine emulator's command line (faults-emulator.test.ts). */
import { faultProgram } from "./fault-program";

export = faultProgram();
