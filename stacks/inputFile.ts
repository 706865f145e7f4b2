/**
 * Reading a file someone handed the tools (a stack file, a scenario, a manifest, a render, a state file): only a
 * regular file of a bounded size. A FIFO would block the process inside open() where no signal reaches it, and
 * /dev/zero would be read until memory runs out; both are refused at once, naming why.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync } from "node:fs";

export const MiB = 1024 * 1024;

export class InputFileError extends Error {}

/** The UTF-8 text of `file`, a regular file of at most `maxBytes`; any other kind or size throws InputFileError. */
export function readInputFile(file: string, maxBytes: number): string {
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
    const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
        const stat = fstatSync(fd);
        if (!stat.isFile()) throw new InputFileError(stat.isDirectory() ? "is a directory" : "is not a regular file (a pipe, a device or a socket)");
        if (stat.size > maxBytes) throw new InputFileError(`is ${stat.size} bytes, more than the ${maxBytes / MiB} MiB a file of this kind may be`);
        return readFileSync(fd, "utf8");
    } finally {
        closeSync(fd);
    }
}
