import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { processExists, processState, thisProcess } from "../../automation/core/process";

describe("whether a process still runs", () => {
    it("this process runs; a pid nobody has does not", () => {
        assert.equal(processExists(process.pid), true);
        assert.equal(processExists(2 ** 22 + 1), false);
        assert.equal(thisProcess().isAlive(process.pid, new Date().toISOString()), true);
    });

    it("a process started after the time a holder recorded is not that holder (a recycled pid)", () => {
        assert.equal(thisProcess().isAlive(process.pid, "2000-01-01T00:00:00Z"), false);
    });

    it("a zombie does not: it exited, holds nothing, and only waits for its parent to reap it", async function () {
        if (processState(process.pid) === undefined) this.skip(); // no /proc: nothing to read the state from
        // `sleep 0.1` is the child of a shell that then becomes `sleep 30`, which never reaps it.
        const parent = spawn("sh", ["-c", "sleep 0.1 & echo $!; exec sleep 30"], { stdio: ["ignore", "pipe", "ignore"] });
        try {
            const [line] = (await once(createInterface({ input: parent.stdout }), "line")) as [string];
            const zombie = Number(line);
            for (let i = 0; i < 100 && processState(zombie) !== "Z"; i++) await new Promise((resolve) => setTimeout(resolve, 20));
            assert.equal(processState(zombie), "Z");
            assert.equal(processExists(zombie), false);
            assert.equal(processExists(parent.pid!), true);
        } finally {
            parent.kill("SIGKILL");
        }
    });
});
