/**
 * The sim's stop-the-line switch and latest rollout plan: files of the state directory beside the lease
 * (`control/<env>-halt.json`, `control/<env>-rollout.json`). The switch is created exclusively, so of two
 * operators halting at once the first stands and the second is told.
 */
import * as path from "node:path";
import { parseHalt, parseRollout } from "../core/control";
import { EnvControl, Halt, RecordedRollout } from "../core/ports";
import { SimStore } from "./store";

export class SimEnvControl implements EnvControl {
    constructor(private readonly store: SimStore) {}

    private haltFile = (env: string) => path.join("control", `${env}-halt.json`);
    private rolloutFile = (env: string) => path.join("control", `${env}-rollout.json`);

    async halt(env: string): Promise<Halt | null> {
        const value = this.store.readJson<unknown>(this.haltFile(env));
        return value === undefined ? null : parseHalt(value, path.join(this.store.dir, this.haltFile(env)));
    }

    async setHalt(env: string, halt: Halt): Promise<{ halt: Halt; already: boolean }> {
        if (this.store.createJson(this.haltFile(env), halt)) return { halt, already: false };
        const current = await this.halt(env);
        // Lifted between the link and the read: try again.
        return current ? { halt: current, already: true } : this.setHalt(env, halt);
    }

    async clearHalt(env: string): Promise<Halt | null> {
        const current = await this.halt(env);
        if (current) this.store.remove(this.haltFile(env));
        return current;
    }

    async rollout(env: string): Promise<RecordedRollout | null> {
        const value = this.store.readJson<unknown>(this.rolloutFile(env));
        return value === undefined ? null : parseRollout(value, path.join(this.store.dir, this.rolloutFile(env)));
    }

    async setRollout(env: string, rollout: RecordedRollout): Promise<void> {
        this.store.writeJson(this.rolloutFile(env), rollout);
    }
}
