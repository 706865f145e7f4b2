/**
 * The outputs of stacks/outputs.ts as schemas, with the invariants a deployed stack always satisfies: what the
 * driver checks on every read of a deployed state, so a hand-edited or damaged one is refused rather than
 * believed. Outputs nobody reads are each program's own business and pass unchecked.
 */
import { z } from "zod";
import { isMinorVersion } from "../components/kubernetesVersions";
import { COLORS } from "../components/naming";
import { weightProblems } from "../components/weights";
import { gateSchema } from "./config/schema";
import { ClusterOutputs, OpsOutputs, RegionOutputs } from "./outputs";
import { recordConsistencyProblems, upgradeRecordSchema } from "./upgradeRecord";

const text = z.string().min(1);
const texts = z.array(text);
const version = z.string().refine(isMinorVersion, "expected a Kubernetes minor like 1.35");
const count = (max: number) => z.number().int().min(0).max(max);

export const opsOutputsSchema = z.object({
    region: text,
    accountId: z.string().regex(/^\d{12}$/, "expected a 12-digit AWS account id"),
    vpcId: text,
    vpcCidr: text,
    privateRouteTableIds: texts,
    ciRunnerProjects: z.object({ deploy: text, preview: text }).nullable(),
    clusterName: text,
    clusterEndpoint: text,
    clusterCertificateAuthority: text,
    kubernetesVersion: version,
    coreAddonsVersion: version,
    nodeGroupVersion: version,
    argocdRoleArn: text,
    argocdUrl: text,
});

const weightsSchema = z.record(z.string(), z.unknown()).superRefine((weights, ctx) => {
    for (const problem of weightProblems(weights)) ctx.addIssue({ code: "custom", message: problem });
});

const targetGroupSchema = z.object({ arn: text, arnSuffix: text });

export const regionOutputsSchema = z
    .object({
        region: text,
        accountId: z.string().regex(/^\d{12}$/, "expected a 12-digit AWS account id"),
        vpcId: text,
        vpcCidr: text,
        privateRouteTableIds: texts,
        opsPeeringConnectionId: text,
        privateSubnetIds: texts,
        publicSubnetIds: texts,
        privateSubnetCidrs: texts,
        loadBalancer: z.object({ arn: text, arnSuffix: text, dnsName: text, securityGroupId: text, httpsListenerArn: text }),
        services: z.array(z.object({ name: text, host: text, namespace: text, serviceName: text, port: count(65535), servicePort: count(65535) })).min(1),
        targetGroups: z.record(z.string(), z.strictObject({ blue: targetGroupSchema, green: targetGroupSchema })),
        ruleArns: z.record(z.string(), text),
        weights: weightsSchema,
        cronColor: z.enum(COLORS),
        gate: gateSchema.required(),
        upgrade: upgradeRecordSchema.nullable(),
    })
    .superRefine((outputs, ctx) => {
        if (outputs.upgrade) {
            for (const problem of recordConsistencyProblems(outputs.upgrade, outputs.weights as RegionOutputs["weights"], outputs.cronColor)) ctx.addIssue({ code: "custom", path: ["upgrade", "state"], message: problem });
        }
        for (const [index, service] of outputs.services.entries()) {
            if (!outputs.targetGroups[service.name]) ctx.addIssue({ code: "custom", path: ["targetGroups", service.name], message: `missing for service ${service.name}` });
            if (!outputs.ruleArns[service.name]) ctx.addIssue({ code: "custom", path: ["ruleArns", service.name], message: `missing for service ${service.name} (services[${index}])` });
        }
    });

export const clusterOutputsSchema = z.object({
    clusterName: text,
    color: z.enum(COLORS),
    kubernetesVersion: version,
    cron: z.boolean(),
    argocdRegistered: z.boolean(),
    endpoint: text,
    clusterSecurityGroupId: text,
    nodeGroups: z.array(z.object({ name: text, maxSize: count(1e6), maxPodsPerNode: count(1e6) })),
    addons: texts.optional(),
});

/** Compile-time: each schema checks every output of its interface, with its type. */
type Covers<S extends z.ZodType, T> = [keyof T] extends [keyof z.output<S>] ? (T extends z.output<S> ? true : false) : false;
export const SCHEMAS_COVER_OUTPUTS: [Covers<typeof opsOutputsSchema, OpsOutputs>, Covers<typeof regionOutputsSchema, RegionOutputs>, Covers<typeof clusterOutputsSchema, ClusterOutputs>] = [true, true, true];
