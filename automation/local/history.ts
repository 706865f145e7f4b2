/**
 * When each output of each stack last changed, on the run's virtual clock: the scenario's Argo CD health and
 * cron jobs are timed from it (a cluster's apps sync some minutes after it came up; its jobs end some
 * minutes after cron went off). Kept in `<state>/history.json`, written atomically.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { DeployedStack, StackHistory } from "../scenario/observers";

type Stacks = Record<string, DeployedStack>;

export class OutputHistory {
    private stacks: Stacks;

    constructor(private readonly file: string) {
        try {
            this.stacks = JSON.parse(readFileSync(file, "utf8")) as Stacks;
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
            this.stacks = {};
        }
    }

    static in(stateDir: string): OutputHistory {
        return new OutputHistory(path.join(stateDir, "history.json"));
    }

    /** The stack's outputs now; every output that differs from what was known changed at `now`. */
    record(stack: string, outputs: Record<string, unknown>, now: number): void {
        const previous = this.stacks[stack];
        const changedAt = Object.fromEntries(
            Object.entries(outputs).map(([key, value]) => [key, previous && JSON.stringify(previous.outputs[key]) === JSON.stringify(value) ? previous.changedAt[key] : now]),
        );
        this.stacks[stack] = { outputs, changedAt };
        this.save();
    }

    /** The stack has no outputs any more (destroyed or removed). */
    forget(stack: string): void {
        if (!(stack in this.stacks)) return;
        delete this.stacks[stack];
        this.save();
    }

    get view(): StackHistory {
        return async (stack) => this.stacks[stack];
    }

    known(stack: string): DeployedStack | undefined {
        return this.stacks[stack];
    }

    private save(): void {
        const temporary = `${this.file}.${process.pid}.tmp`;
        writeFileSync(temporary, JSON.stringify(this.stacks, null, 1));
        renameSync(temporary, this.file);
    }
}
