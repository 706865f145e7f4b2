/**
 * The resources the fake aws provider keeps in the AWS API emulator (moto server) rather than inventing: the
 * VPC and its subnets, the load balancer, its listeners, target groups and listener rules. They are what the
 * driver reads back through its real adapters (rule weights with ELBv2 DescribeRules, free IPs with EC2
 * DescribeSubnets), so those adapters see exactly what the engine deployed. IDs are the emulator's.
 *
 * The emulator checks what AWS checks (a listener's certificate must exist in ACM, a target group's name is
 * unique): a certificate named in a stack file stands for one the account holds, so the first listener to
 * use it gets a stand-in requested from the emulator's ACM, tagged with the ARN it stands for.
 */
import { ACMClient, ListCertificatesCommand, ListTagsForCertificateCommand, RequestCertificateCommand } from "@aws-sdk/client-acm";
import { CreateSubnetCommand, CreateVpcCommand, DeleteSubnetCommand, DeleteVpcCommand, DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client, Tag as Ec2Tag } from "@aws-sdk/client-ec2";
import {
    CreateListenerCommand,
    CreateLoadBalancerCommand,
    CreateRuleCommand,
    CreateTargetGroupCommand,
    DeleteListenerCommand,
    DeleteLoadBalancerCommand,
    DeleteRuleCommand,
    DeleteTargetGroupCommand,
    DescribeListenersCommand,
    DescribeLoadBalancersCommand,
    DescribeRulesCommand,
    DescribeTargetGroupsCommand,
    ElasticLoadBalancingV2Client,
    ModifyListenerCommand,
    ModifyRuleCommand,
    ModifyTargetGroupCommand,
    SetRulePrioritiesCommand,
    Tag,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { FakeContext } from "../resources";
import { PulumiAction, PulumiCondition, fromApiAction, toApiAction, toApiCondition } from "./elbv2Shapes";

type State = Record<string, unknown>;

/** One emulated resource type: how to create, change, delete and read it back in the emulator. */
export interface EmulatedType {
    /** State keys the cloud computes; every other key of the state is an input. */
    computed: string[];
    /** Inputs whose change needs a new resource (AWS cannot change them in place). */
    replaceOn: string[];
    create(name: string, inputs: State): Promise<{ id: string; state: State }>;
    update(id: string, olds: State, news: State): Promise<State>;
    delete(id: string, state: State): Promise<void>;
    /** undefined when the resource no longer exists. */
    read(id: string, state: State): Promise<State | undefined>;
}

export interface EmulatorClients {
    ec2: EC2Client;
    elbv2: ElasticLoadBalancingV2Client;
    acm: ACMClient;
}

export function emulatorClients(endpoint: string, region: string): EmulatorClients {
    // The emulator takes any credentials; real ones must never be sent to it.
    const options = { endpoint, region, credentials: { accessKeyId: "mitene-local", secretAccessKey: "mitene-local" } };
    return { ec2: new EC2Client(options), elbv2: new ElasticLoadBalancingV2Client(options), acm: new ACMClient(options) };
}

const STANDS_FOR = "mitene.io/stands-for";

const elbTags = (tags: unknown): Tag[] | undefined => {
    const entries = Object.entries((tags as Record<string, string> | undefined) ?? {});
    return entries.length > 0 ? entries.map(([Key, Value]) => ({ Key, Value })) : undefined;
};
const ec2TagSpec = (resourceType: "vpc" | "subnet", tags: unknown) => {
    const list: Ec2Tag[] = Object.entries((tags as Record<string, string> | undefined) ?? {}).map(([Key, Value]) => ({ Key, Value }));
    return list.length > 0 ? [{ ResourceType: resourceType, Tags: list }] : undefined;
};

/** An API error meaning "no such resource": the resource was deleted behind the engine's back. */
function isNotFound(error: unknown): boolean {
    const name = (error as { name?: string; Code?: string }).name ?? "";
    return /NotFound/.test(name);
}

async function readOrUndefined<T>(read: () => Promise<T | undefined>): Promise<T | undefined> {
    try {
        return await read();
    } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
    }
}

const suffixAfter = (arn: string, marker: string) => arn.slice(arn.indexOf(marker) + marker.length);

export function emulatedTypes(clients: EmulatorClients, ctx: FakeContext, physicalName: (type: string, name: string, inputs: State) => string): Record<string, EmulatedType> {
    const { ec2, elbv2, acm } = clients;

    /** The emulator's certificate standing for `arn`, requested on first use. */
    const certificateFor = async (arn: string | undefined): Promise<string | undefined> => {
        if (!arn) return undefined;
        const { CertificateSummaryList = [] } = await acm.send(new ListCertificatesCommand({}));
        for (const summary of CertificateSummaryList) {
            if (summary.CertificateArn === arn) return arn;
            const { Tags = [] } = await acm.send(new ListTagsForCertificateCommand({ CertificateArn: summary.CertificateArn }));
            if (Tags.some((t) => t.Key === STANDS_FOR && t.Value === arn)) return summary.CertificateArn;
        }
        const requested = await acm.send(new RequestCertificateCommand({ DomainName: `stand-in-${arn.split("/").pop()}.mitene.local`, Tags: [{ Key: STANDS_FOR, Value: arn }] }));
        return requested.CertificateArn;
    };

    const listenerSettings = async (inputs: State) => ({
        Protocol: inputs.protocol as "HTTP" | "HTTPS",
        Port: inputs.port as number,
        SslPolicy: inputs.sslPolicy as string | undefined,
        Certificates: inputs.certificateArn ? [{ CertificateArn: await certificateFor(inputs.certificateArn as string) }] : undefined,
        DefaultActions: ((inputs.defaultActions as PulumiAction[] | undefined) ?? []).map(toApiAction),
    });

    return {
        "aws:ec2/vpc:Vpc": {
            computed: ["arn"],
            replaceOn: ["cidrBlock"],
            async create(_name, inputs) {
                const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: inputs.cidrBlock as string, TagSpecifications: ec2TagSpec("vpc", inputs.tags) }));
                return { id: Vpc!.VpcId!, state: { ...inputs, arn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:vpc/${Vpc!.VpcId}` } };
            },
            async update(_id, olds, news) {
                return { ...news, arn: olds.arn };
            },
            async delete(id) {
                await ec2.send(new DeleteVpcCommand({ VpcId: id }));
            },
            read: (id, state) => readOrUndefined(async () => ((await ec2.send(new DescribeVpcsCommand({ VpcIds: [id] }))).Vpcs?.length ? state : undefined)),
        },
        "aws:ec2/subnet:Subnet": {
            computed: ["arn"],
            replaceOn: ["cidrBlock", "vpcId", "availabilityZone"],
            async create(_name, inputs) {
                const { Subnet } = await ec2.send(
                    new CreateSubnetCommand({
                        VpcId: inputs.vpcId as string,
                        CidrBlock: inputs.cidrBlock as string,
                        AvailabilityZone: inputs.availabilityZone as string | undefined,
                        TagSpecifications: ec2TagSpec("subnet", inputs.tags),
                    }),
                );
                return { id: Subnet!.SubnetId!, state: { ...inputs, arn: Subnet!.SubnetArn } };
            },
            async update(_id, olds, news) {
                return { ...news, arn: olds.arn };
            },
            async delete(id) {
                await ec2.send(new DeleteSubnetCommand({ SubnetId: id }));
            },
            read: (id, state) => readOrUndefined(async () => ((await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [id] }))).Subnets?.length ? state : undefined)),
        },
        "aws:lb/loadBalancer:LoadBalancer": {
            computed: ["arn", "arnSuffix", "dnsName", "zoneId", "vpcId", "name"],
            replaceOn: ["name", "internal", "loadBalancerType"],
            async create(name, inputs) {
                const { LoadBalancers } = await elbv2.send(
                    new CreateLoadBalancerCommand({
                        Name: physicalName("aws:lb/loadBalancer:LoadBalancer", name, inputs),
                        Subnets: inputs.subnets as string[],
                        SecurityGroups: inputs.securityGroups as string[] | undefined,
                        Scheme: inputs.internal ? "internal" : "internet-facing",
                        Type: (inputs.loadBalancerType as "application" | undefined) ?? "application",
                        Tags: elbTags(inputs.tags),
                    }),
                );
                const lb = LoadBalancers![0];
                const arn = lb.LoadBalancerArn!;
                return { id: arn, state: { ...inputs, arn, arnSuffix: suffixAfter(arn, ":loadbalancer/"), name: lb.LoadBalancerName, dnsName: lb.DNSName, zoneId: lb.CanonicalHostedZoneId, vpcId: lb.VpcId } };
            },
            async update(_id, olds, news) {
                return { ...news, ...pick(olds, this.computed) };
            },
            async delete(id) {
                await elbv2.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: id }));
            },
            read: (id, state) => readOrUndefined(async () => ((await elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [id] }))).LoadBalancers?.length ? state : undefined)),
        },
        "aws:lb/targetGroup:TargetGroup": {
            computed: ["arn", "arnSuffix", "name"],
            replaceOn: ["name", "port", "protocol", "vpcId", "targetType"],
            async create(name, inputs) {
                const health = (inputs.healthCheck as Record<string, unknown> | undefined) ?? {};
                const { TargetGroups } = await elbv2.send(
                    new CreateTargetGroupCommand({
                        Name: physicalName("aws:lb/targetGroup:TargetGroup", name, inputs),
                        Protocol: inputs.protocol as "HTTP",
                        Port: inputs.port as number,
                        VpcId: inputs.vpcId as string,
                        TargetType: inputs.targetType as "ip",
                        HealthCheckPath: health.path as string | undefined,
                        Matcher: health.matcher ? { HttpCode: health.matcher as string } : undefined,
                        Tags: elbTags(inputs.tags),
                    }),
                );
                const arn = TargetGroups![0].TargetGroupArn!;
                return { id: arn, state: { ...inputs, arn, arnSuffix: arn.slice(arn.indexOf("targetgroup/")), name: TargetGroups![0].TargetGroupName } };
            },
            async update(id, olds, news) {
                const health = (news.healthCheck as Record<string, unknown> | undefined) ?? {};
                await elbv2.send(new ModifyTargetGroupCommand({ TargetGroupArn: id, HealthCheckPath: health.path as string | undefined, Matcher: health.matcher ? { HttpCode: health.matcher as string } : undefined }));
                return { ...news, ...pick(olds, this.computed) };
            },
            async delete(id) {
                await elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: id }));
            },
            read: (id, state) => readOrUndefined(async () => ((await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [id] }))).TargetGroups?.length ? state : undefined)),
        },
        "aws:lb/listener:Listener": {
            computed: ["arn"],
            replaceOn: ["loadBalancerArn"],
            async create(_name, inputs) {
                const { Listeners } = await elbv2.send(new CreateListenerCommand({ LoadBalancerArn: inputs.loadBalancerArn as string, ...(await listenerSettings(inputs)) }));
                const arn = Listeners![0].ListenerArn!;
                return { id: arn, state: { ...inputs, arn } };
            },
            async update(id, olds, news) {
                await elbv2.send(new ModifyListenerCommand({ ListenerArn: id, ...(await listenerSettings(news)) }));
                return { ...news, arn: olds.arn };
            },
            async delete(id) {
                await elbv2.send(new DeleteListenerCommand({ ListenerArn: id }));
            },
            read: (id, state) => readOrUndefined(async () => ((await elbv2.send(new DescribeListenersCommand({ ListenerArns: [id] }))).Listeners?.length ? state : undefined)),
        },
        "aws:lb/listenerRule:ListenerRule": {
            computed: ["arn"],
            replaceOn: ["listenerArn"],
            async create(_name, inputs) {
                const { Rules } = await elbv2.send(
                    new CreateRuleCommand({
                        ListenerArn: inputs.listenerArn as string,
                        Priority: inputs.priority as number,
                        Conditions: (inputs.conditions as PulumiCondition[]).map(toApiCondition),
                        Actions: (inputs.actions as PulumiAction[]).map(toApiAction),
                        Tags: elbTags(inputs.tags),
                    }),
                );
                const arn = Rules![0].RuleArn!;
                return { id: arn, state: { ...inputs, arn } };
            },
            async update(id, olds, news) {
                await elbv2.send(
                    new ModifyRuleCommand({ RuleArn: id, Conditions: (news.conditions as PulumiCondition[]).map(toApiCondition), Actions: (news.actions as PulumiAction[]).map(toApiAction) }),
                );
                if (news.priority !== olds.priority) await elbv2.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: id, Priority: news.priority as number }] }));
                return { ...news, arn: olds.arn };
            },
            async delete(id) {
                await elbv2.send(new DeleteRuleCommand({ RuleArn: id }));
            },
            /** The rule as the load balancer has it: actions changed behind the engine's back show as drift. */
            read: (id, state) =>
                readOrUndefined(async () => {
                    const rule = (await elbv2.send(new DescribeRulesCommand({ RuleArns: [id] }))).Rules?.[0];
                    if (!rule) return undefined;
                    const known = (state.actions as PulumiAction[] | undefined) ?? [];
                    return { ...state, actions: (rule.Actions ?? []).map((action, i) => fromApiAction(action, known[i])) };
                }),
        },
    };
}

function pick(state: State, keys: string[]): State {
    return Object.fromEntries(keys.filter((key) => key in state).map((key) => [key, state[key]]));
}
