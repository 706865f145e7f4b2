/**
 * Synthetic environments for tests and benchmarks: stack files of an env with any number of regions and
 * services, built from the committed prod stack files so every value stays valid.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { clusterStack, opsStack, regionStack } from "../components/naming";
import { ACCESS_LEVELS, ROLE_KEYS, envRoleArn } from "../stacks/config/access";
import { readStackFile, stackFilePath, stackFileText } from "../stacks/stackFiles";

export const FLEET_REGIONS = [
    "ap-northeast-1",
    "us-west-2",
    "us-east-1",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "eu-north-1",
    "sa-east-1",
    "ca-central-1",
    "ap-south-1",
    "us-east-2",
];

export interface FleetShape {
    env: string;
    regions: string[];
    services: number;
    /** The env's rollout plan (`mitene:rollout` of its Ops stack). Default none: the driver's defaults. */
    rollout?: Record<string, unknown>;
}

/** Writes the stack files of `shape` into `dir` and returns their stack names. */
export function writeSyntheticEnv(dir: string, shape: FleetShape): string[] {
    mkdirSync(dir, { recursive: true });
    // The env's roles have fixed names, mitene-<env>-<access> (stacks/config/access.ts).
    const roles = Object.fromEntries(
        ACCESS_LEVELS.map((access) => [`mitene:${ROLE_KEYS[access]}`, envRoleArn(String(readStackFile("ops-prod")["mitene:accountId"]), shape.env, access)]),
    );
    // prod's rollout plan names prod's regions: a synthetic env has its own, or none.
    const { "mitene:rollout": _prodRollout, ...prodOps } = readStackFile("ops-prod");
    const ops = { ...prodOps, ...roles };
    const region = { ...readStackFile("region-prod-us-west-2"), ...roles };
    const cluster = { ...readStackFile("mitene-prod-us-west-2-blue"), ...roles };
    const write = (stack: string, config: Record<string, unknown>) => {
        writeFileSync(stackFilePath(stack, dir), stackFileText(config, `synthetic env ${shape.env}`));
        return stack;
    };
    const services = Array.from({ length: shape.services }, (_, i) => {
        const name = `s${String(i + 1).padStart(2, "0")}`;
        return { name, host: `${name}.${shape.env}.mitene.example`, port: 3000, healthCheckPath: "/healthz" };
    });
    return [
        write(opsStack(shape.env), shape.rollout ? { ...ops, "mitene:rollout": shape.rollout } : ops),
        ...shape.regions.flatMap((name, i) => [
            write(regionStack(shape.env, name), {
                ...region,
                "mitene:vpcCidr": `10.${20 + i}.0.0/16`,
                "mitene:availabilityZones": ["a", "b", "c"].map((az) => `${name}${az}`),
                "mitene:certificateArn": `arn:aws:acm:${name}:123456789012:certificate/00000000-0000-4000-8000-00000000000${i}`,
                "mitene:accessLogsBucket": `mitene-${shape.env}-alb-logs-${name}`,
                "mitene:services": services,
            }),
            write(clusterStack(shape.env, name, "blue"), cluster),
        ]),
    ];
}
