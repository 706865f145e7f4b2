/**
 * `pulumi-resource-aws` of the local engine: the fake cloud behind the real Pulumi engine. Resources the
 * driver reads back live in the AWS API emulator (emulator.ts); every other one is the fake cloud's
 * (resources.ts), whose state is a function of the inputs, so diffing is comparing the old state with the
 * state the new inputs would give: an `up` that changes nothing reports no changes. Invokes for the caller
 * identity and SSM parameters go to the emulator too; the rest are the fake cloud's.
 *
 * Environment: MITENE_AWS_ENDPOINT, the emulator's URL (the local engine sets it).
 */
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type * as provider from "@pulumi/pulumi/provider";
import { FAKE_ACCOUNT_ID, fakeHex, fakeInvoke } from "../resources";
import { EmulatedType, emulatedTypes, emulatorClients } from "./emulator";
import { FakeResourceProvider, State } from "./fakeProvider";
import { ProviderConfig, cloudLatency, packageVersion, parseUrn, sameData } from "./plugin";

export class FakeAwsProvider extends FakeResourceProvider {
    private configuredRegion?: string;
    private readonly credentials = { accessKeyId: "mitene-local", secretAccessKey: "mitene-local" };

    constructor(private readonly endpoint: string | undefined) {
        super(packageVersion("@pulumi/aws"));
    }

    configure(config: ProviderConfig): void {
        if (!this.endpoint) throw new Error("MITENE_AWS_ENDPOINT is not set: the fake aws provider keeps load balancers, VPCs and SSM parameters in the AWS emulator");
        if (typeof config.region !== "string" || config.region === "") throw new Error("the fake aws provider needs a region (set `region` on the provider)");
        this.configuredRegion = config.region;
    }

    async diff(_id: string, urn: string, olds: State, news: State): Promise<provider.DiffResult> {
        const { type, stack } = parseUrn(urn);
        const emulated = this.emulated(stack)[type];
        if (!emulated) return super.diff(_id, urn, olds, news);
        const expected = { ...news };
        for (const key of emulated.computed) if (!(key in news)) expected[key] = olds[key];
        const replaces = emulated.replaceOn.filter((key) => key in news && !sameData(olds[key], news[key]));
        // Names are unique in the emulator as on AWS: a named resource must go before its replacement comes.
        return { changes: !sameData(olds, expected), replaces, deleteBeforeReplace: replaces.length > 0 && typeof news.name === "string" };
    }

    async create(urn: string, inputs: State): Promise<provider.CreateResult> {
        const { type, name, stack } = parseUrn(urn);
        const emulated = this.emulated(stack)[type];
        if (!emulated) return super.create(urn, inputs);
        await cloudLatency();
        const { id, state } = await emulated.create(name, inputs);
        return { id, outs: state };
    }

    async read(id: string, urn: string, props: State): Promise<provider.ReadResult> {
        const { type, stack } = parseUrn(urn);
        const emulated = this.emulated(stack)[type];
        if (!emulated) return super.read(id, urn, props);
        await cloudLatency();
        const state = await emulated.read(id, props);
        return state ? { id, props: state } : { id: "", props: {} };
    }

    async update(id: string, urn: string, olds: State, news: State): Promise<provider.UpdateResult> {
        const { type, stack } = parseUrn(urn);
        const emulated = this.emulated(stack)[type];
        if (!emulated) return super.update(id, urn, olds, news);
        await cloudLatency();
        return { outs: await emulated.update(id, olds, news) };
    }

    async delete(id: string, urn: string, props: State): Promise<void> {
        const { type, stack } = parseUrn(urn);
        const emulated = this.emulated(stack)[type];
        if (!emulated) return super.delete(id, urn, props);
        await cloudLatency();
        await emulated.delete(id, props);
    }

    async invoke(token: string, inputs: State): Promise<provider.InvokeResult> {
        const region = this.region();
        switch (token) {
            case "aws:index/getCallerIdentity:getCallerIdentity": {
                const identity = await new STSClient(this.clientOptions()).send(new GetCallerIdentityCommand({}));
                return { outputs: { accountId: identity.Account, arn: identity.Arn, userId: identity.UserId, id: identity.Account } };
            }
            case "aws:ssm/getParameter:getParameter": {
                const { Parameter } = await new SSMClient(this.clientOptions()).send(new GetParameterCommand({ Name: inputs.name as string, WithDecryption: inputs.withDecryption !== false }));
                return { outputs: { name: Parameter!.Name, type: Parameter!.Type, value: Parameter!.Value, version: Parameter!.Version, arn: Parameter!.ARN, id: Parameter!.Name, withDecryption: inputs.withDecryption !== false } };
            }
            default:
                return { outputs: fakeInvoke({ stack: "", region, accountId: FAKE_ACCOUNT_ID }, token, inputs) };
        }
    }

    protected region(): string {
        if (!this.configuredRegion) throw new Error("the fake aws provider was not configured with a region");
        return this.configuredRegion;
    }

    private clientOptions() {
        return { endpoint: this.endpoint, region: this.region(), credentials: this.credentials };
    }

    private types?: Record<string, EmulatedType>;

    /** The emulated types; one plugin process serves one provider resource, so one stack and region. */
    private emulated(stack: string): Record<string, EmulatedType> {
        const physicalName = (type: string, name: string, inputs: State) => (inputs.name as string | undefined) ?? `${name}-${fakeHex(stack, type, name, 7)}`;
        this.types ??= emulatedTypes(emulatorClients(this.endpoint!, this.region()), this.context(stack), physicalName);
        return this.types;
    }
}
