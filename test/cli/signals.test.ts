import { strict as assert } from "node:assert";
import { SAME_SIGNAL_MS, signalPolicy } from "../../automation/bin";

describe("signals (bin.ts)", () => {
    it("the first SIGINT/SIGTERM cancels cleanly; a copy within a second is the same request; a later one exits at once", () => {
        let now = 0;
        const next = signalPolicy(() => now);
        assert.equal(next(), "cancel");
        now = 5;
        assert.equal(next(), "ignore", "npm forwarding the Ctrl-C the terminal already sent to the whole group");
        now = SAME_SIGNAL_MS - 1;
        assert.equal(next(), "ignore");
        now = SAME_SIGNAL_MS;
        assert.equal(next(), "exit", "a person pressing again");
    });
});
