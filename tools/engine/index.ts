/** The engine emulator's public surface (see emulator.ts). */
export { EngineEmulator, EngineError, type EmulatorOptions } from "./emulator";
export type { Program } from "./program";
export { formatSummary } from "./report";
export { OPERATIONS, type Operation, runOperation } from "./run-operation";
export type { Registration, RunSummary, StateFile, StateResource, Step, StepOp } from "./types";
export { isSecret, UNKNOWN } from "./values";
