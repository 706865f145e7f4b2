/**
 * When each output of each stack last changed, on the run's virtual clock: the scenario's Argo CD health and
 * cron jobs are timed from it (a cluster's apps sync some minutes after it came up; its jobs end some
 * minutes after cron went off), and its traffic from the region stacks' weights over time and the last
 * direct write of the listener rules. Kept in `<state>/history.json`, written atomically.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { Weights } from "../../components/weights";
import { StateFileError } from "../core/errors";
import { checkRecord } from "../core/records";
import { DirectWrite, appendWeights, directWriteSchema, forwardingHistory, weightHistorySchema } from "../scenario/forwarding";
import { DeployedStack, StackHistory } from "../scenario/observers";
import { WeightChange, WeightHistory } from "../scenario/traffic";

interface KnownStack extends DeployedStack {
    /** Region stacks: every change of the weights output, oldest first. */
    weightHistory?: WeightChange[];
    /** Region stacks: the last direct write of the listener rules (the emergency path). */
    directWrite?: DirectWrite;
}

type Stacks = Record<string, KnownStack>;

const historySchema = z.record(
    z.string(),
    z.strictObject({
        outputs: z.record(z.string(), z.unknown()),
        changedAt: z.record(z.string(), z.number().int().min(0).max(8.64e15)),
        weightHistory: weightHistorySchema.optional(),
        directWrite: directWriteSchema.optional(),
    }),
);

export class OutputHistory {
    private stacks: Stacks;

    constructor(private readonly file: string) {
        let text: string;
        try {
            text = readFileSync(file, "utf8");
        } catch (error) {
            if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
            this.stacks = {};
            return;
        }
        let value: unknown;
        try {
            value = JSON.parse(text);
        } catch (error) {
            throw new StateFileError(`state file ${file} is damaged (${(error as Error).message}); restore it or start over with an empty --state`);
        }
        this.stacks = checkRecord(historySchema, value, `state file ${file}`) as Stacks;
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
        const weightHistory = appendWeights(previous?.weightHistory, previous?.outputs.weights as Weights | undefined, outputs.weights as Weights | undefined, now);
        this.stacks[stack] = { outputs, changedAt, ...(weightHistory ? { weightHistory } : {}), ...(previous?.directWrite ? { directWrite: previous.directWrite } : {}) };
        this.save();
    }

    /** The listener rules of a region stack were written directly at `write.at`. */
    rememberDirectWrite(stack: string, write: DirectWrite): void {
        const known = this.stacks[stack];
        if (!known) throw new Error(`direct write to the listener rules of ${stack}, which is not deployed`);
        this.stacks[stack] = { ...known, directWrite: write };
        this.save();
    }

    /** What a region stack's listener rules forwarded with over time. */
    forwarding(stack: string): WeightHistory {
        const known = this.stacks[stack];
        const current = known?.outputs.weights as Weights | undefined;
        const stackHistory = known?.weightHistory ?? (current ? [{ at: 0, weights: current }] : []);
        return forwardingHistory(stackHistory, known?.directWrite);
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
