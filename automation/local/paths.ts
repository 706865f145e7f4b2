import * as path from "node:path";

/** The repository the local engine runs: its stack programs, plugin sources, tools and stack files. */
export const REPOSITORY_ROOT = path.resolve(__dirname, "..", "..");
