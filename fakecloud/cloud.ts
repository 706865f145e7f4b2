/**
 * The fake cloud's first front door: Pulumi's mock runtime (tests, `render`, the sim engine). Resources and
 * invokes are answered by resources.ts; this adds what only the mock runtime needs: which region a resource
 * lives in (from the provider it was registered with) and StackReferences answered from the caller's lookup.
 */
import type * as pulumi from "@pulumi/pulumi";
import { CONTROL_PLANE, FAKE_ACCOUNT_ID, FakeContext, eksChildNames, eksControlPlaneArgs, eksSecurityGroupIds, fakeEksCluster, fakeHex, fakeInvoke, fakeResource } from "./resources";

export { FAKE_ACCOUNT_ID } from "./resources";

/** Answers StackReferences: the outputs of a fully qualified stack name, or undefined if not deployed. */
export type StackOutputsLookup = (fullyQualifiedName: string) => Record<string, unknown> | undefined;

export interface FakeCloudOptions {
    /** Stack being run; part of every derived ID. */
    stack: string;
    stackOutputs: StackOutputsLookup;
    accountId?: string;
}

export class StackNotDeployedError extends Error {
    constructor(readonly reference: string) {
        super(`StackReference ${reference}: that stack is not deployed (deploy it first)`);
    }
}

/** A transform the program gave a resource (Pulumi's `transforms` option), as the engine calls it. */
export type ChildTransform = (args: pulumi.ResourceTransformArgs) => Promise<pulumi.ResourceTransformResult | undefined> | pulumi.ResourceTransformResult | undefined;

export class FakeCloud implements pulumi.runtime.Mocks {
    private readonly accountId: string;
    /** Provider resource id -> region, so resources know where they live. */
    private readonly providerRegions = new Map<string, string>();
    /** `type::name` -> the transforms its registration carried (its own and its ancestors'). */
    private readonly transforms = new Map<string, ChildTransform[]>();

    constructor(private readonly options: FakeCloudOptions) {
        this.accountId = options.accountId ?? FAKE_ACCOUNT_ID;
    }

    private context(provider: string | undefined): FakeContext {
        return { stack: this.options.stack, region: this.regionOf(provider), accountId: this.accountId };
    }

    private regionOf(provider: string | undefined): string {
        const id = provider?.split("::").pop();
        const known = id ? this.providerRegions.get(id) : undefined;
        if (known) return known;
        // Components (eks:index:Cluster, awsx:ec2:Vpc) take a `providers` map the mock monitor does not pass on
        // (their `provider` is ""): they live in the region of the stack's AWS provider when there is only one.
        const regions = new Set(this.providerRegions.values());
        return regions.size === 1 ? [...regions][0] : "ap-northeast-1";
    }

    /**
     * What transforms apply to the children of `type` `name`: the engine runs them on the children a remote
     * component's provider registers; the mock runtime (mockRuntime.ts) hands them over before registering it.
     */
    setTransforms(type: string, name: string, transforms: ChildTransform[]): void {
        this.transforms.set(`${type}::${name}`, transforms);
    }

    async newResource(args: pulumi.runtime.MockResourceArgs): Promise<{ id: string; state: Record<string, unknown> }> {
        const { type, name, inputs } = args;
        switch (type) {
            case "eks:index:Cluster": {
                // The control plane child as pulumi-eks makes it, after the program's transforms.
                const ctx = this.context(args.provider);
                let props = eksControlPlaneArgs(name, inputs, eksSecurityGroupIds(ctx, name).cluster);
                for (const transform of this.transforms.get(`${type}::${name}`) ?? []) {
                    const result = await transform({ type: CONTROL_PLANE, name: eksChildNames(name).controlPlane, custom: true, props, opts: {} });
                    if (result) props = result.props;
                }
                return fakeEksCluster(ctx, name, inputs, props);
            }
            case "pulumi:providers:aws": {
                const id = `${name}-provider-${fakeHex(this.options.stack, type, name, 8)}`;
                this.providerRegions.set(id, inputs.region as string);
                return { id, state: inputs };
            }
            case "pulumi:pulumi:StackReference": {
                const reference = inputs.name as string;
                // A stack reading itself (the region's upgrade record) sees its last outputs, none before its first update.
                const self = reference.split("/").pop() === this.options.stack;
                const outputs = this.options.stackOutputs(reference) ?? (self ? {} : undefined);
                if (!outputs) throw new StackNotDeployedError(reference);
                return { id: reference, state: { name: reference, outputs, secretOutputNames: [] } };
            }
            default:
                return fakeResource(this.context(args.provider), type, name, inputs, args.custom !== false);
        }
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        return fakeInvoke(this.context(args.provider), args.token, args.inputs);
    }
}
