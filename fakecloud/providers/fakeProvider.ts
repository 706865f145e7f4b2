/**
 * A provider whose resources are the fake cloud's (resources.ts): created with derived IDs and attributes,
 * changed in place, read back as they are. The state is a function of the inputs, so a diff compares the old
 * state with the state the new inputs would give.
 */
import type * as provider from "@pulumi/pulumi/provider";
import { FAKE_ACCOUNT_ID, FakeContext, fakeResource } from "../resources";
import { cloudLatency, parseUrn, sameData } from "./plugin";

export type State = Record<string, unknown>;

export class FakeResourceProvider implements provider.Provider {
    constructor(readonly version: string) {}

    /** The region resources are created in ("" where it means nothing, as for Kubernetes objects). */
    protected region(): string {
        return "";
    }

    protected context(stack: string): FakeContext {
        return { stack, region: this.region(), accountId: FAKE_ACCOUNT_ID };
    }

    async diff(_id: string, urn: string, olds: State, news: State): Promise<provider.DiffResult> {
        const { type, name, stack } = parseUrn(urn);
        return { changes: !sameData(olds, fakeResource(this.context(stack), type, name, news).state) };
    }

    async create(urn: string, inputs: State): Promise<provider.CreateResult> {
        await cloudLatency();
        const { type, name, stack } = parseUrn(urn);
        const { id, state } = fakeResource(this.context(stack), type, name, inputs);
        return { id, outs: state };
    }

    async read(id: string, _urn: string, props: State): Promise<provider.ReadResult> {
        await cloudLatency();
        return { id, props };
    }

    async update(_id: string, urn: string, _olds: State, news: State): Promise<provider.UpdateResult> {
        await cloudLatency();
        const { type, name, stack } = parseUrn(urn);
        return { outs: fakeResource(this.context(stack), type, name, news).state };
    }

    /** Nothing exists outside the engine's state. */
    async delete(_id: string, _urn: string, _props: State): Promise<void> {
        await cloudLatency();
    }
}
