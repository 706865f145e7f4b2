/**
 * A rehearsal's caller identity: the env's own account (its stacks' mitene:accountId) unless the scenario says the
 * credentials belong to another one (`callerAccountId`), which is how a rehearsal shows preflight refusing it.
 */
import { opsStack, parseStackName } from "../../components/naming";
import { configText } from "../core/fleet";
import { CallerAccount, CallerIdentity, StackEngine } from "../core/ports";
import { Scenario } from "./scenario";

export class ScenarioCallerIdentity implements CallerIdentity {
    constructor(private readonly scenario: Scenario, private readonly engine: StackEngine, private readonly env: string) {}

    async account(region: string): Promise<CallerAccount> {
        const accountId = this.scenario.callerAccountId ?? (await this.envAccount());
        return { accountId, arn: `arn:aws:sts::${accountId}:assumed-role/mitene-rehearsal/${region}` };
    }

    /** The account the env's Ops stack names, else any of its stacks. */
    private async envAccount(): Promise<string> {
        const names = [opsStack(this.env), ...(await this.engine.listStacks())];
        for (const name of names) {
            const state = await this.engine.getStack(name);
            const account = state && parseStackName(name)?.env === this.env ? configText(state.config, "accountId") : undefined;
            if (account) return account;
        }
        throw new Error(`no stack of ${this.env} names an AWS account (mitene:accountId)`);
    }
}
